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
  const pty = projectedTargets(design, y, d);
  const ssTot = sumsOfSquares(y, d);
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
    const fit = fitAt(best, k, d, pty, lambda, alphas, looErrors, ssRes, ssTot);
    if (visit(k, fit)) return;
  }
}

/**
 * The fit on all components: RidgeCV on X. The same numbers as the last fit of
 * ridgePrefixes, bit for bit (every sum runs over the components and the samples in the
 * same order), in one pass over the samples: each sample's leverage and prediction for
 * every alpha come from its row of P, instead of S x alphas x d running sums carried
 * through the n prefixes, which the subsampling's 180 refits cannot afford.
 */
export function ridgeCV(design: EigenDesign, y: Float64Array, d: number, alphas: readonly number[] = RIDGE_ALPHAS): RidgeFit {
  const { S, n, lambda, P } = design;
  if (n < 1) throw new Error('ridgeCV: no regressors');
  const A = alphas.length;
  const pty = projectedTargets(design, y, d);
  const inv = new Float64Array(A * n);
  for (let a = 0; a < A; a++) for (let j = 0; j < n; j++) inv[a * n + j] = 1 / ((lambda[j] ?? 0) + (alphas[a] ?? 0));
  const loo = new Float64Array(A);
  const ssRes = new Float64Array(A * d);
  // per sample: q_j = P_sj^2 and r_oj = P_sj (P^T y)_jo, products the prefix path forms in the same order
  const q = new Float64Array(n);
  const r = new Float64Array(d * n);
  for (let s = 0; s < S; s++) {
    for (let j = 0; j < n; j++) {
      const p = P[s * n + j] ?? 0;
      q[j] = p * p;
      for (let o = 0; o < d; o++) r[o * n + j] = p * (pty[j * d + o] ?? 0);
    }
    for (let a = 0; a < A; a++) {
      const ia = a * n;
      let h = 1 / S;
      for (let j = 0; j < n; j++) h += (q[j] ?? 0) * (inv[ia + j] ?? 0);
      const g = 1 - h;
      let e = loo[a] ?? 0;
      for (let o = 0; o < d; o++) {
        let yhat = 0;
        for (let j = 0, ro = o * n; j < n; j++) yhat += (r[ro + j] ?? 0) * (inv[ia + j] ?? 0);
        const res = (y[s * d + o] ?? 0) - yhat;
        e += (res / g) ** 2;
        ssRes[a * d + o] = (ssRes[a * d + o] ?? 0) + res ** 2;
      }
      loo[a] = e;
    }
  }
  const looErrors = Array.from(loo, (e) => e / (S * d));
  const best = argminFirst(looErrors);
  return fitAt(best, n, d, pty, lambda, alphas, looErrors, ssRes.subarray(best * d, (best + 1) * d), sumsOfSquares(y, d));
}

/** P^T y (n x d), from X^T y in float64 when the design carries it. */
function projectedTargets(design: EigenDesign, y: Float64Array, d: number): Float64Array {
  const { S, n, P, xty } = design;
  const pty = new Float64Array(n * d);
  if (xty) {
    for (let j = 0; j < n; j++) {
      const v = design.vectors.subarray(j * n, (j + 1) * n);
      for (let o = 0; o < d; o++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += (v[i] ?? 0) * (xty[i * d + o] ?? 0);
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
  return pty;
}

/** Per output, the sum of squares of the (centred) targets. */
function sumsOfSquares(y: Float64Array, d: number): Float64Array {
  const ss = new Float64Array(d);
  for (let s = 0; s < y.length / d; s++) for (let o = 0; o < d; o++) ss[o] = (ss[o] ?? 0) + (y[s * d + o] ?? 0) ** 2;
  return ss;
}

/** The fit on the first k components at alpha index `best`. */
function fitAt(best: number, k: number, d: number, pty: Float64Array, lambda: Float64Array, alphas: readonly number[], looErrors: number[], ssRes: Float64Array, ssTot: Float64Array): RidgeFit {
  const eigenCoef = new Float64Array(k * d);
  for (let i = 0; i < k; i++) for (let o = 0; o < d; o++) eigenCoef[i * d + o] = (pty[i * d + o] ?? 0) / ((lambda[i] ?? 0) + (alphas[best] ?? 0));
  return { alpha: alphas[best] ?? 0, alphaIndex: best, looErrors, r2: meanR2(ssRes, ssTot), eigenCoef };
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
