/**
 * What the 3D view draws: trajectories and readout vectors in two 3-D bases of state
 * space (docs/science.md §4.3).
 *
 * Coordinates. A state x maps to (a_1 . x, a_2 . x, a_3 . x) for the orthonormal axes
 * a_j of the basis: a linear map, with no mean subtracted. The activity centre (the
 * PCA mean) maps to `centre`, and readout arrows start there. The paper's own
 * projections (neuro_compute_results, hids @ pcs_w.T) are uncentred in the same way.
 *
 * Arrow length. Readout vectors have a different unit from states, so an arrow is
 * drawn with length fraction x scale, where fraction = ||P w|| / ||w|| (P projects on
 * the three axes, 1 when w lies in the displayed space, 0 when orthogonal to it) and
 * scale is the RMS radius of the activity around the centre in the displayed space.
 * A short arrow thus means "w_out points mostly outside this view" (oblique regime).
 */
import { dot, orthonormalRows } from './linalg';
import { topEigen } from './topeigen';
import type { Pca } from './pca';
import { at } from '../checked';

export type Vec3 = [number, number, number];

const vec3 = (f: (j: number) => number): Vec3 => [f(0), f(1), f(2)];

export interface ReadoutProjection {
  /** w . a_j for the three axes (state-space units of w) */
  readonly coords: Vec3;
  /** ||P w|| / ||w||, in [0, 1]; 0 for w = 0 */
  readonly fraction: number;
  /** angle between w and the displayed 3-D subspace in degrees, acos(fraction): 0 inside, 90 orthogonal (and for w = 0) */
  readonly angle_deg: number;
  /** the arrow to draw from `centre`: scale * coords / ||w||, of length fraction * scale */
  readonly arrow: Vec3;
}

export interface ProjectedView {
  /** the three unit axes, rows of length N (a zero row where fewer than 3 directions exist, N < 3) */
  readonly axes: Float64Array;
  readonly axis_labels: readonly [string, string, string];
  /** [trials][steps][3] coordinates of the selected trials at the selected steps */
  readonly trajectories: Float32Array;
  /** the PCA mean (activity centre) in this basis; arrows start here */
  readonly centre: Vec3;
  /** RMS distance of the fitted states (t >= t_min) from the centre within this 3-D view */
  readonly scale: number;
  /** variance of the fitted states along each axis */
  readonly axis_variance: Vec3;
  /** one per output, in W_out row order */
  readonly readouts: readonly ReadoutProjection[];
}

export interface Projection {
  /** trial indices, in the order of the trajectories */
  readonly trials: readonly number[];
  /** grid indices k of the trajectory points */
  readonly steps: readonly number[];
  /** top-3 PCs of the noise-free activity (t >= t_min) */
  readonly pca: ProjectedView;
  /**
   * w_out,1 / ||w_out,1||, then the top-2 PCs of the activity after projecting out
   * w_out,1; null when w_out,1 = 0
   */
  readonly readout: ProjectedView | null;
}

export interface ProjectionInput {
  /** states [T][B][N], all time points (the ones drawn) */
  readonly states: Float32Array;
  readonly T: number;
  readonly B: number;
  readonly N: number;
  /** PCA fitted on the states with t >= t_min */
  readonly pca: Pca;
  /** dOut x N */
  readonly wOut: ArrayLike<number>;
  readonly dOut: number;
  /** trial indices to draw (default: all) */
  readonly trials?: readonly number[];
  /** keep every stride-th grid point, plus the last (default 1) */
  readonly stride?: number;
}

export function projectForDisplay(input: ProjectionInput): Projection {
  const { states, T, B, N, pca, wOut, dOut } = input;
  if (states.length !== T * B * N || wOut.length !== dOut * N || pca.N !== N) {
    throw new Error('projectForDisplay: shape mismatch');
  }
  const trials = [...(input.trials ?? Array.from({ length: B }, (_, b) => b))];
  for (const b of trials) {
    if (!Number.isInteger(b) || b < 0 || b >= B) throw new Error(`projectForDisplay: no trial ${b}`);
  }
  const stride = Math.max(1, Math.floor(input.stride ?? 1));
  const steps: number[] = [];
  for (let k = 0; k < T; k += stride) steps.push(k);
  if (T > 0 && steps[steps.length - 1] !== T - 1) steps.push(T - 1);

  const view = (axes: Float64Array[], labels: readonly [string, string, string]): ProjectedView =>
    buildView({ states, B, N, pca, wOut, dOut, trials, steps }, axes, labels);

  const pcAxes = Array.from({ length: Math.min(3, N) }, (_, j) => pca.components.slice(j * N, j * N + N));
  const pcaView = view(pcAxes, ['PC1', 'PC2', 'PC3']);

  let readoutView: ProjectedView | null = null;
  const w1 = Float64Array.from({ length: N }, (_, i) => at(wOut, i));
  const w1Norm = Math.sqrt(dot(w1, w1));
  if (dOut > 0 && w1Norm > 0) {
    const u = w1.map((v) => v / w1Norm);
    const rest = topEigen(deflate(pca.covariance, u, N), N, Math.min(2, N));
    const candidates = new Float64Array((1 + rest.values.length) * N);
    candidates.set(u, 0);
    candidates.set(rest.vectors, N);
    // Re-orthogonalise against u: with no activity left outside u, the top
    // eigenvectors of the deflated matrix may include u itself (eigenvalue 0).
    const axes = orthonormalRows(candidates, 1 + rest.values.length, N);
    readoutView = view(axes, ['w_out,1', 'PC1 without w_out,1', 'PC2 without w_out,1']);
  }
  return { trials, steps, pca: pcaView, readout: readoutView };
}

/** (I - u u^T) C (I - u u^T) for a unit vector u: the covariance after projecting out u. */
function deflate(c: Float64Array, u: Float64Array, N: number): Float64Array {
  const cu = new Float64Array(N);
  for (let i = 0; i < N; i++) cu[i] = dot(c.subarray(i * N, i * N + N), u);
  const ucu = dot(u, cu);
  const out = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      out[i * N + j] = (c[i * N + j] ?? 0) - (u[i] ?? 0) * (cu[j] ?? 0) - (cu[i] ?? 0) * (u[j] ?? 0) + ucu * (u[i] ?? 0) * (u[j] ?? 0);
    }
  }
  return out;
}

interface ViewData {
  states: Float32Array;
  B: number;
  N: number;
  pca: Pca;
  wOut: ArrayLike<number>;
  dOut: number;
  trials: readonly number[];
  steps: readonly number[];
}

function buildView(d: ViewData, axesIn: Float64Array[], labels: readonly [string, string, string]): ProjectedView {
  const { states, B, N, pca, wOut, dOut, trials, steps } = d;
  const axes = new Float64Array(3 * N);
  axesIn.slice(0, 3).forEach((a, j) => axes.set(a, j * N));
  const axis = (j: number): Float64Array => axes.subarray(j * N, j * N + N);

  const trajectories = new Float32Array(trials.length * steps.length * 3);
  trials.forEach((b, ti) => {
    steps.forEach((k, si) => {
      const x = states.subarray((k * B + b) * N, (k * B + b + 1) * N);
      const o = (ti * steps.length + si) * 3;
      for (let j = 0; j < 3; j++) trajectories[o + j] = dot(axis(j), x);
    });
  });

  const centre = vec3((j) => dot(axis(j), pca.mean));
  const axisVariance = vec3((j) => quadraticForm(pca.covariance, axis(j), N));
  // Covariance is unbiased (/(S-1)); the RMS radius is a plain mean over the S samples.
  const biasCorrection = pca.S > 1 ? (pca.S - 1) / pca.S : 0;
  const scale = Math.sqrt(Math.max(0, (axisVariance[0] + axisVariance[1] + axisVariance[2]) * biasCorrection));

  const readouts: ReadoutProjection[] = [];
  for (let o = 0; o < dOut; o++) {
    const w = Float64Array.from({ length: N }, (_, i) => at(wOut, o * N + i));
    const norm = Math.sqrt(dot(w, w));
    const coords = vec3((j) => dot(axis(j), w));
    const inPlane = Math.hypot(coords[0], coords[1], coords[2]);
    // The out-of-view part explicitly: acos(fraction) loses all precision near 0 degrees.
    const perp = w.map((v, i) => v - coords[0] * (axes[i] ?? 0) - coords[1] * (axes[N + i] ?? 0) - coords[2] * (axes[2 * N + i] ?? 0));
    const outOfView = Math.sqrt(dot(perp, perp));
    const fraction = norm > 0 ? Math.min(1, inPlane / norm) : 0;
    readouts.push({
      coords,
      fraction,
      angle_deg: norm > 0 ? (Math.atan2(outOfView, inPlane) * 180) / Math.PI : 90,
      arrow: vec3((j) => (norm > 0 ? (scale * (coords[j] ?? 0)) / norm : 0)),
    });
  }
  return { axes, axis_labels: labels, trajectories, centre, scale, axis_variance: axisVariance, readouts };
}

function quadraticForm(c: Float64Array, a: Float64Array, N: number): number {
  let s = 0;
  for (let i = 0; i < N; i++) {
    if (a[i] === 0) continue;
    s += (a[i] ?? 0) * dot(c.subarray(i * N, i * N + N), a);
  }
  return s;
}
