/**
 * Orthogonal Procrustes in three dimensions, for the seeds layout's "aligned to the first
 * seed" pictures (docs/science.md §4.7, "Aligning the pictures of seeds"): the orthogonal
 * matrix R (rotation or reflection) that brings one cloud of 3-D points closest to another,
 * y_k ≈ R x_k, both clouds centred on their own means first. With M = Σ y_k x_kᵀ = U Σ Vᵀ,
 * R = U Vᵀ maximises tr(Rᵀ M), so it minimises Σ ‖y_k − R x_k‖². Reflections are allowed:
 * the sign of a PC is arbitrary, so a mirrored picture is the same solution.
 *
 * The 3×3 SVD is one-sided Jacobi (Hestenes): plane rotations on the right orthogonalise
 * the columns of M; their lengths are the singular values. It needs no eigen-solver and
 * stays accurate for rank-deficient M (planar or collinear pictures), where a polar
 * decomposition through (MᵀM)^(-1/2) breaks down. Pure: no DOM, no three.
 */

/** Row-major 3×3. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export interface Svd3 {
  /** M = U diag(s) Vᵀ; U and V orthogonal, s ≥ 0 (not sorted) */
  u: Mat3;
  s: [number, number, number];
  v: Mat3;
}

export interface ProcrustesFit {
  /** y_k ≈ R (x_k − mean x) + mean y; orthogonal, det ±1 */
  rotation: Mat3;
  /** whether R is a reflection (det −1) */
  reflected: boolean;
  /**
   * arccos(‖X̃ᵀỸ‖_* / (‖X̃‖_F ‖Ỹ‖_F)) in degrees: §4.7's angular Procrustes distance, here of
   * the two 3-D pictures only (0: one is an exact rotation or reflection of the other). NaN
   * when either cloud has no spread.
   */
  angleDeg: number;
  /** Σ ‖ỹ_k − R x̃_k‖² / Σ ‖ỹ_k‖², the share of the reference's spread left unexplained */
  residual: number;
  /** points used */
  points: number;
}

const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const SWEEPS = 40;

const el = (m: readonly number[], i: number, j: number): number => m[3 * i + j] ?? 0;

export function identity3(): Mat3 {
  return [...IDENTITY];
}

export function multiply3(a: Mat3, b: Mat3): Mat3 {
  const out = identity3();
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * i + j] = el(a, i, 0) * el(b, 0, j) + el(a, i, 1) * el(b, 1, j) + el(a, i, 2) * el(b, 2, j);
  return out;
}

export function transpose3(a: Mat3): Mat3 {
  return [el(a, 0, 0), el(a, 1, 0), el(a, 2, 0), el(a, 0, 1), el(a, 1, 1), el(a, 2, 1), el(a, 0, 2), el(a, 1, 2), el(a, 2, 2)];
}

export function det3(a: Mat3): number {
  return el(a, 0, 0) * (el(a, 1, 1) * el(a, 2, 2) - el(a, 1, 2) * el(a, 2, 1)) - el(a, 0, 1) * (el(a, 1, 0) * el(a, 2, 2) - el(a, 1, 2) * el(a, 2, 0)) + el(a, 0, 2) * (el(a, 1, 0) * el(a, 2, 1) - el(a, 1, 1) * el(a, 2, 0));
}

/** R v for a 3-vector. */
export function apply3(r: Mat3, v: readonly [number, number, number]): [number, number, number] {
  return [el(r, 0, 0) * v[0] + el(r, 0, 1) * v[1] + el(r, 0, 2) * v[2], el(r, 1, 0) * v[0] + el(r, 1, 1) * v[1] + el(r, 1, 2) * v[2], el(r, 2, 0) * v[0] + el(r, 2, 1) * v[1] + el(r, 2, 2) * v[2]];
}

/** The SVD of a 3×3 matrix by one-sided Jacobi. */
export function svd3(m: Mat3): Svd3 {
  const a = [...m] as Mat3;
  const v = identity3();
  const scale = Math.max(...m.map(Math.abs));
  if (!(scale > 0) || !Number.isFinite(scale)) return { u: identity3(), s: [0, 0, 0], v };
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    let rotated = false;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      let alpha = 0;
      let beta = 0;
      let gamma = 0;
      for (let i = 0; i < 3; i++) {
        alpha += el(a, i, p) ** 2;
        beta += el(a, i, q) ** 2;
        gamma += el(a, i, p) * el(a, i, q);
      }
      // Columns already orthogonal to working precision: nothing to do for this pair.
      if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
      rotated = true;
      const zeta = (beta - alpha) / (2 * gamma);
      const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      const c = 1 / Math.sqrt(1 + t * t);
      const s = c * t;
      for (const x of [a, v]) {
        for (let i = 0; i < 3; i++) {
          const xp = el(x, i, p);
          const xq = el(x, i, q);
          x[3 * i + p] = c * xp - s * xq;
          x[3 * i + q] = s * xp + c * xq;
        }
      }
    }
    if (!rotated) break;
  }
  const s: [number, number, number] = [0, 0, 0];
  const cols: ([number, number, number] | undefined)[] = [];
  for (let j = 0; j < 3; j++) s[j] = Math.hypot(el(a, 0, j), el(a, 1, j), el(a, 2, j));
  const big = Math.max(...s);
  for (let j = 0; j < 3; j++) {
    const n = s[j] ?? 0;
    cols.push(n > 1e-12 * big ? [el(a, 0, j) / n, el(a, 1, j) / n, el(a, 2, j) / n] : undefined);
  }
  const u = fromColumns(completeBasis(cols));
  return { u, s, v };
}

/**
 * The orthogonal R that best maps the centred `x` onto the centred `y` (both [n][3]
 * flattened, point k of one matching point k of the other), with the fit's angle and residual.
 */
export function procrustes3(x: ArrayLike<number>, y: ArrayLike<number>): ProcrustesFit {
  if (x.length !== y.length || x.length % 3 !== 0) throw new Error(`procrustes3: ${x.length} and ${y.length} values are not two matching [n][3] clouds`);
  const n = x.length / 3;
  const mx = mean3(x, n);
  const my = mean3(y, n);
  const m: Mat3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  let xx = 0;
  let yy = 0;
  for (let k = 0; k < n; k++) {
    const xi = [(x[3 * k] ?? 0) - mx[0], (x[3 * k + 1] ?? 0) - mx[1], (x[3 * k + 2] ?? 0) - mx[2]];
    const yi = [(y[3 * k] ?? 0) - my[0], (y[3 * k + 1] ?? 0) - my[1], (y[3 * k + 2] ?? 0) - my[2]];
    for (let i = 0; i < 3; i++) {
      xx += (xi[i] ?? 0) ** 2;
      yy += (yi[i] ?? 0) ** 2;
      for (let j = 0; j < 3; j++) m[3 * i + j] = (m[3 * i + j] ?? 0) + (yi[i] ?? 0) * (xi[j] ?? 0);
    }
  }
  const { u, s, v } = svd3(m);
  const rotation = multiply3(u, transpose3(v));
  const nuclear = s[0] + s[1] + s[2];
  const spread = Math.sqrt(xx * yy);
  const angleDeg = spread > 0 ? (Math.acos(Math.min(1, Math.max(-1, nuclear / spread))) * 180) / Math.PI : NaN;
  // ‖Ỹ − X̃Rᵀ‖² = ‖X̃‖² + ‖Ỹ‖² − 2 tr(Rᵀ M), and tr(Rᵀ M) = Σ s at the optimum.
  const residual = yy > 0 ? Math.max(0, xx + yy - 2 * nuclear) / yy : NaN;
  return { rotation, reflected: det3(rotation) < 0, angleDeg, residual, points: n };
}

function mean3(p: ArrayLike<number>, n: number): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < n; k++) for (let j = 0; j < 3; j++) out[j] = (out[j] ?? 0) + (p[3 * k + j] ?? 0);
  return n > 0 ? [out[0] / n, out[1] / n, out[2] / n] : out;
}

type V3 = [number, number, number];

const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/**
 * Orthonormal columns where a singular value vanished: any completion gives an optimal R
 * (those directions carry nothing), as long as U stays orthogonal.
 */
function completeBasis(cols: (V3 | undefined)[]): V3[] {
  const known = cols.filter((c): c is V3 => c !== undefined);
  const extra: V3[] = [];
  if (known.length === 0) extra.push([1, 0, 0], [0, 1, 0], [0, 0, 1]);
  else if (known.length === 1) {
    const a = known[0] ?? [1, 0, 0];
    // The unit axis least along a, made orthogonal to it.
    const i = [0, 1, 2].reduce((best, j) => (Math.abs(a[j] ?? 0) < Math.abs(a[best] ?? 0) ? j : best), 0);
    const e: V3 = [0, 0, 0];
    e[i] = 1;
    const d = a[0] * e[0] + a[1] * e[1] + a[2] * e[2];
    const b: V3 = [e[0] - d * a[0], e[1] - d * a[1], e[2] - d * a[2]];
    const nb = Math.hypot(...b);
    const bn: V3 = [b[0] / nb, b[1] / nb, b[2] / nb];
    extra.push(bn, cross(a, bn));
  } else if (known.length === 2) {
    const [a, b] = known as [V3, V3];
    const c = cross(a, b);
    const nc = Math.hypot(...c);
    extra.push([c[0] / nc, c[1] / nc, c[2] / nc]);
  }
  return cols.map((c) => c ?? extra.shift() ?? [0, 0, 0]);
}

function fromColumns(c: V3[]): Mat3 {
  const col = (j: number): V3 => c[j] ?? [0, 0, 0];
  return [col(0)[0], col(1)[0], col(2)[0], col(0)[1], col(1)[1], col(2)[1], col(0)[2], col(1)[2], col(2)[2]];
}
