/**
 * The perturbation directions of docs/science.md §4.6: one unit vector per trial, drawn
 * afresh for every (direction family, amplitude, time), as in the authors' code.
 *
 * - w_out: a random combination of an orthonormal basis of span(W_out rows); trial 0 is
 *   exactly w_out,1 / |w_out,1|.
 * - pc: a random combination of the top-2 PCs of the unperturbed states (t >= t_min);
 *   trial 0 is exactly PC1.
 * - rand: isotropic.
 * - w_in: a random combination of an orthonormal basis of span(W_in columns); trial 0 is
 *   exactly the first column, normalised. Left out when the task has no input.
 *
 * Each (family, amplitude, time) has its own random stream, so the directions do not
 * depend on the order in which the engine simulates them, and a test can draw the same
 * ones again.
 */
import type { Rng } from '../../types';
import { orthonormalRows } from '../linalg';

export const DIRECTION_FAMILIES = ['w_out', 'pc', 'rand', 'w_in'] as const;
export type DirectionFamily = (typeof DIRECTION_FAMILIES)[number];

export interface DirectionBasis {
  family: DirectionFamily;
  /** orthonormal rows spanning the family (empty for rand) */
  basis: Float64Array[];
  /** the direction of trial 0, unit length (none for rand) */
  first: Float64Array | null;
}

/**
 * The bases of the families that exist for this network.
 * @param wOut dOut x N row-major
 * @param wIn N x dIn row-major
 * @param pcs the top principal axes, one per row (at least 1)
 */
export function directionBases(N: number, wOut: ArrayLike<number>, dOut: number, wIn: ArrayLike<number>, dIn: number, pcs: readonly Float64Array[]): DirectionBasis[] {
  const out: DirectionBasis[] = [];
  out.push({ family: 'w_out', basis: orthonormalRows(wOut, dOut, N), first: unit(Array.from({ length: N }, (_, i) => (wOut[i] ?? 0))) });
  out.push({ family: 'pc', basis: pcs.slice(0, 2).map((p) => Float64Array.from(p)), first: pcs[0] ? unit(pcs[0]) : null });
  out.push({ family: 'rand', basis: [], first: null });
  if (dIn > 0) {
    const columns = new Float64Array(dIn * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < dIn; j++) columns[j * N + i] = wIn[i * dIn + j] ?? 0;
    out.push({ family: 'w_in', basis: orthonormalRows(columns, dIn, N), first: unit(columns.subarray(0, N)) });
  }
  return out.filter((d) => d.family === 'rand' || (d.basis.length > 0 && d.first !== null));
}

/** B unit vectors [B][N] (float32, as they are added to float32 states) for one (family, amplitude, time). */
export function drawDirections(d: DirectionBasis, B: number, N: number, rng: Rng): Float32Array {
  const out = new Float32Array(B * N);
  const v = new Float64Array(N);
  for (let b = 0; b < B; b++) {
    v.fill(0);
    if (d.family === 'rand') {
      for (let i = 0; i < N; i++) v[i] = rng.normal();
    } else {
      for (const q of d.basis) {
        const c = rng.normal();
        for (let i = 0; i < N; i++) v[i] = (v[i] ?? 0) + c * (q[i] ?? 0);
      }
    }
    if (b === 0 && d.first) v.set(d.first);
    const u = unit(v);
    for (let i = 0; i < N; i++) out[b * N + i] = u[i] ?? 0;
  }
  return out;
}

/** x / |x| in float64; the zero vector stays zero. */
export function unit(x: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] ?? 0) * (x[i] ?? 0);
  const n = Math.sqrt(s);
  const u = new Float64Array(x.length);
  // A zero draw (probability 0) stays zero rather than becoming NaN.
  if (n > 0) for (let i = 0; i < x.length; i++) u[i] = (x[i] ?? 0) / n;
  return u;
}
