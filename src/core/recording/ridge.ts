/**
 * Ridge regression with the regularisation chosen by leave-one-out cross-validation, as
 * the authors' recordings analysis does it (docs/science.md §4.9): scikit-learn's
 * RidgeCV(alphas=logspace(-3, 6, 20)) with its defaults, i.e. an unpenalised intercept,
 * exact ("efficient") leave-one-out errors, one alpha for all outputs chosen by the
 * smallest mean squared LOO error (the first such alpha on ties), and the coefficients
 * refitted on all samples with that alpha.
 *
 * With the regressors X (S x n) and targets y (S x d) centred over the samples, and the
 * eigendecomposition X^T X = V diag(lambda) V^T, the projections P = X V give
 *
 *   yhat(alpha)   = sum_j P_j (P_j^T y) / (lambda_j + alpha)
 *   h_ii(alpha)   = 1/S + sum_j P_ij^2 / (lambda_j + alpha)        (1/S: the intercept)
 *   LOO residual  = (y_i - yhat_i) / (1 - h_ii)
 *
 * which is the push-through form of sklearn's G^-1 y / diag(G^-1), G = X X^T + alpha I.
 * Components enter one at a time, so the same pass gives the fit on the first k
 * components for every k: the fitting dimension of §4.9, where X is projected on its
 * leading principal axes (whose Gram matrix is diag(lambda_1..k)).
 */
import { symmetricEigen } from '../analysis/linalg';

/** logspace(-3, 6, 20): the alphas of the authors' RidgeCV. */
export const RIDGE_ALPHAS: readonly number[] = Array.from({ length: 20 }, (_, i) => 10 ** (-3 + (9 * i) / 19));

/** X^T X of the S x n matrix x (row-major), float64. */
export function gramOf(x: ArrayLike<number>, S: number, n: number): Float64Array {
  const g = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < n; i++) row[i] = x[s * n + i] ?? 0;
    for (let i = 0; i < n; i++) {
      const xi = row[i] ?? 0;
      if (xi === 0) continue;
      const o = i * n;
      for (let j = i; j < n; j++) g[o + j] = (g[o + j] ?? 0) + xi * (row[j] ?? 0);
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i] ?? 0;
  return g;
}

/** The regressors in their eigenbasis: what every ridge fit on X needs. */
export interface EigenDesign {
  S: number;
  n: number;
  /** eigenvalues of X^T X, descending (negative rounding clipped to 0) */
  lambda: Float64Array;
  /** unit eigenvectors, one per row (n x n) */
  vectors: Float64Array;
  /** P = X V: the samples' coordinates on the eigenvectors, S x n row-major */
  P: Float64Array;
  /**
   * X^T y for the targets the fits will use, n x d, in float64. When P was computed in
   * float32 (on the tfjs backend), its columns of tiny variance are mostly rounding, and
   * P^T y from them would put spurious weight on those directions; V^T X^T y does not.
   */
  xty?: Float64Array;
}

/** Eigendecomposition of X^T X (given as `gram`) and the projections, in float64. */
export function eigenDesign(x: ArrayLike<number>, S: number, n: number, gram: Float64Array = gramOf(x, S, n)): EigenDesign {
  const eig = symmetricEigen(gram, n);
  const lambda = eig.values.map((v) => Math.max(0, v));
  const P = new Float64Array(S * n);
  const row = new Float64Array(n);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < n; i++) row[i] = x[s * n + i] ?? 0;
    for (let j = 0; j < n; j++) {
      const v = eig.vectors.subarray(j * n, (j + 1) * n);
      let p = 0;
      for (let i = 0; i < n; i++) p += (row[i] ?? 0) * (v[i] ?? 0);
      P[s * n + j] = p;
    }
  }
  return { S, n, lambda, vectors: eig.vectors, P };
}

export interface RidgeFit {
  alpha: number;
  /** index of alpha in the list */
  alphaIndex: number;
  /** mean squared LOO error for each alpha */
  looErrors: number[];
  /** in-sample R^2 at the chosen alpha: the mean over outputs of each output's R^2 (sklearn's score) */
  r2: number;
  /** coefficients in the eigenbasis, (components used) x d: c_j = P_j^T y / (lambda_j + alpha) */
  eigenCoef: Float64Array;
}

/**
 * Ridge fits on the first k components, k = 1, 2, ..., reported one after the other to
 * `visit`, which returns true to stop. Each fit chooses its own alpha by LOO.
 * @param y centred targets, S x d
 */
export function ridgePrefixes(design: EigenDesign, y: Float64Array, d: number, visit: (k: number, fit: RidgeFit) => boolean | void, alphas: readonly number[] = RIDGE_ALPHAS, maxK = design.n): void {
  const { S, n, lambda, P } = design;
  const A = alphas.length;
  const pty = new Float64Array(n * d);
  if (design.xty) {
    for (let j = 0; j < n; j++) {
      const v = design.vectors.subarray(j * n, (j + 1) * n);
      for (let o = 0; o < d; o++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += (v[i] ?? 0) * (design.xty[i * d + o] ?? 0);
        pty[j * d + o] = acc;
      }
    }
  } else {
    for (let s = 0; s < S; s++) {
      for (let j = 0; j < n; j++) {
        const p = P[s * n + j] ?? 0;
        for (let o = 0; o < d; o++) pty[j * d + o] = (pty[j * d + o] ?? 0) + p * (y[s * d + o] ?? 0);
      }
    }
  }
  const ssTot = new Float64Array(d);
  for (let s = 0; s < S; s++) for (let o = 0; o < d; o++) ssTot[o] = (ssTot[o] ?? 0) + (y[s * d + o] ?? 0) ** 2;
  const h = new Float64Array(S * A).fill(1 / S);
  const yhat = new Float64Array(S * A * d);
  for (let k = 1; k <= Math.min(maxK, n); k++) {
    const j = k - 1;
    for (let a = 0; a < A; a++) {
      const inv = 1 / ((lambda[j] ?? 0) + (alphas[a] ?? 0));
      for (let s = 0; s < S; s++) {
        const p = P[s * n + j] ?? 0;
        h[s * A + a] = (h[s * A + a] ?? 0) + p * p * inv;
        const base = (s * A + a) * d;
        for (let o = 0; o < d; o++) yhat[base + o] = (yhat[base + o] ?? 0) + p * (pty[j * d + o] ?? 0) * inv;
      }
    }
    const looErrors = new Array<number>(A).fill(0);
    for (let a = 0; a < A; a++) {
      let e = 0;
      for (let s = 0; s < S; s++) {
        const g = 1 - (h[s * A + a] ?? 0);
        const base = (s * A + a) * d;
        for (let o = 0; o < d; o++) e += (((y[s * d + o] ?? 0) - (yhat[base + o] ?? 0)) / g) ** 2;
      }
      looErrors[a] = e / (S * d);
    }
    const best = argminFirst(looErrors);
    const ssRes = new Float64Array(d);
    for (let s = 0; s < S; s++) {
      const base = (s * A + best) * d;
      for (let o = 0; o < d; o++) ssRes[o] = (ssRes[o] ?? 0) + ((y[s * d + o] ?? 0) - (yhat[base + o] ?? 0)) ** 2;
    }
    const eigenCoef = new Float64Array(k * d);
    for (let i = 0; i < k; i++) for (let o = 0; o < d; o++) eigenCoef[i * d + o] = (pty[i * d + o] ?? 0) / ((lambda[i] ?? 0) + (alphas[best] ?? 0));
    const fit: RidgeFit = { alpha: (alphas[best] ?? 0), alphaIndex: best, looErrors, r2: meanR2(ssRes, ssTot), eigenCoef };
    if (visit(k, fit)) return;
  }
}

/** The fit on all components: RidgeCV on X. */
export function ridgeCV(design: EigenDesign, y: Float64Array, d: number, alphas: readonly number[] = RIDGE_ALPHAS): RidgeFit {
  let last: RidgeFit | undefined;
  ridgePrefixes(design, y, d, (k, fit) => {
    last = fit;
    return k === design.n;
  }, alphas);
  if (!last) throw new Error('ridgeCV: no regressors');
  return last;
}

/** The coefficients in neuron space, d x n (sklearn's coef_): W = (V^T c)^T. */
export function neuronCoefficients(design: EigenDesign, fit: RidgeFit, d: number): Float64Array {
  const { n, vectors } = design;
  const k = fit.eigenCoef.length / d;
  const w = new Float64Array(d * n);
  for (let j = 0; j < k; j++) {
    const v = vectors.subarray(j * n, (j + 1) * n);
    for (let o = 0; o < d; o++) {
      const c = fit.eigenCoef[j * d + o] ?? 0;
      for (let i = 0; i < n; i++) w[o * n + i] = (w[o * n + i] ?? 0) + c * (v[i] ?? 0);
    }
  }
  return w;
}

/**
 * sklearn's r2_score(multioutput='uniform_average') for centred targets: the mean over
 * outputs of 1 - SS_res/SS_tot; an output without variance counts 1 if fitted exactly, else 0.
 */
function meanR2(ssRes: Float64Array, ssTot: Float64Array): number {
  let sum = 0;
  for (let o = 0; o < ssRes.length; o++) {
    const tot = ssTot[o] ?? 0;
    sum += tot > 0 ? 1 - (ssRes[o] ?? 0) / tot : (ssRes[o] ?? 0) === 0 ? 1 : 0;
  }
  return sum / ssRes.length;
}

function argminFirst(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if ((xs[i] ?? 0) < (xs[best] ?? 0)) best = i;
  return best;
}
