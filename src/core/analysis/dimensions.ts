/**
 * Dimension measures: D_x,90 (docs/science.md §4.3), the fitting dimension D_fit,90
 * (docs/science.md §4.4) and the participation ratio (comp_pr, 4.3).
 */
import { solveSymmetric } from './linalg';

/**
 * D_x: the smallest k (1-based) whose cumulative explained-variance ratio exceeds
 * `threshold` (strictly, as in the paper: "> 0.9"); NaN if none does (zero variance).
 */
export function varianceDimension(ratios: ArrayLike<number>, threshold = 0.9): number {
  let cumulative = 0;
  for (let k = 0; k < ratios.length; k++) {
    cumulative += ratios[k] ?? 0;
    if (cumulative > threshold) return k + 1;
  }
  return Number.NaN;
}

/** (sum lambda)^2 / sum lambda^2 of a spectrum; 0 for an all-zero spectrum. */
export function participationRatio(values: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i] ?? 0;
    s2 += (values[i] ?? 0) * (values[i] ?? 0);
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

export interface FitInput {
  /**
   * PC coordinates of every state (all time points, also t < t_min), after
   * subtracting the PCA mean: [T][B][kMax] time-major, index (k*B + b)*kMax + j.
   */
  readonly scores: Float64Array;
  readonly kMax: number;
  /** the network's own noise-free output z, [T][B][dOut] */
  readonly outputs: ArrayLike<number>;
  readonly T: number;
  readonly B: number;
  readonly dOut: number;
  /** trials 0..trainTrials-1 train the regression (default floor(3B/4), at least 1: 24 of 32) */
  readonly trainTrials?: number;
  /** default 0.9 */
  readonly threshold?: number;
}

export interface FittingDimension {
  /** smallest k in 1..kMax with R^2_k > threshold, NaN if none */
  readonly dfit: number;
  /** R^2_k for k = 1..kMax (index k-1); NaN when the output has no variance */
  readonly r2: Float64Array;
}

/**
 * Regress the output on the first k PCs, k = 1..kMax (docs/science.md §4.4): least squares
 * with an intercept on the training trials (all time points), then
 * R^2_k = 1 - mean((z - zhat)^2) / mean((z - zbar)^2) over all trials, time points and
 * outputs, with zbar the mean over trials and time per output.
 *
 * Plain least squares replaces the paper's RidgeCV, as docs/science.md §4.4 allows (k <= 30
 * regressors, thousands of samples). The intercept is handled by centring regressors
 * and targets on the training set, which is the same fit with better conditioning;
 * the centred cross-products are formed once and each k solves its leading k x k block.
 */
export function fittingDimension(input: FitInput): FittingDimension {
  const { scores, kMax, outputs, T, B, dOut } = input;
  const threshold = input.threshold ?? 0.9;
  const nTrain = Math.min(B, Math.max(1, input.trainTrials ?? Math.floor((3 * B) / 4)));
  if (scores.length !== T * B * kMax || outputs.length !== T * B * dOut) {
    throw new Error('fittingDimension: shape mismatch');
  }

  // Training means.
  const fMean = new Float64Array(kMax);
  const zMean = new Float64Array(dOut);
  const nFit = T * nTrain;
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < nTrain; b++) {
      const s = k * B + b;
      for (let j = 0; j < kMax; j++) fMean[j] = (fMean[j] ?? 0) + (scores[s * kMax + j] ?? 0);
      for (let o = 0; o < dOut; o++) zMean[o] = (zMean[o] ?? 0) + (outputs[s * dOut + o] ?? 0);
    }
  }
  for (let j = 0; j < kMax; j++) fMean[j] = (fMean[j] ?? 0) / nFit;
  for (let o = 0; o < dOut; o++) zMean[o] = (zMean[o] ?? 0) / nFit;
  // Centred cross-products on the training set.
  const sff = new Float64Array(kMax * kMax);
  const sfz = new Float64Array(kMax * dOut);
  const f = new Float64Array(kMax);
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < nTrain; b++) {
      const s = k * B + b;
      for (let j = 0; j < kMax; j++) f[j] = (scores[s * kMax + j] ?? 0) - (fMean[j] ?? 0);
      for (let i = 0; i < kMax; i++) {
        const fi = f[i] ?? 0;
        for (let j = i; j < kMax; j++) sff[i * kMax + j] = (sff[i * kMax + j] ?? 0) + fi * (f[j] ?? 0);
        for (let o = 0; o < dOut; o++) sfz[i * dOut + o] = (sfz[i * dOut + o] ?? 0) + fi * ((outputs[s * dOut + o] ?? 0) - (zMean[o] ?? 0));
      }
    }
  }
  for (let i = 0; i < kMax; i++) for (let j = 0; j < i; j++) sff[i * kMax + j] = sff[j * kMax + i] ?? 0;

  // Total sum of squares around the per-output mean over ALL trials and times.
  const zAll = new Float64Array(dOut);
  const nAll = T * B;
  for (let s = 0; s < nAll; s++) for (let o = 0; o < dOut; o++) zAll[o] = (zAll[o] ?? 0) + (outputs[s * dOut + o] ?? 0);
  for (let o = 0; o < dOut; o++) zAll[o] = (zAll[o] ?? 0) / nAll;
  let ssTot = 0;
  let sumSq = 0;
  for (let s = 0; s < nAll; s++) {
    for (let o = 0; o < dOut; o++) {
      ssTot += ((outputs[s * dOut + o] ?? 0) - (zAll[o] ?? 0)) ** 2;
      sumSq += (outputs[s * dOut + o] ?? 0) ** 2;
    }
  }
  // A constant output leaves only rounding in ssTot; R^2 is undefined then.
  const hasVariance = ssTot > 1e-20 * sumSq;

  const r2 = new Float64Array(kMax);
  let dfit = Number.NaN;
  for (let k = 1; k <= kMax; k++) {
    const a = new Float64Array(k * k);
    const rhs = new Float64Array(k * dOut);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i * k + j] = sff[i * kMax + j] ?? 0;
      for (let o = 0; o < dOut; o++) rhs[i * dOut + o] = sfz[i * dOut + o] ?? 0;
    }
    const w = solveSymmetric(a, k, rhs, dOut);
    let ssRes = 0;
    for (let s = 0; s < nAll; s++) {
      for (let o = 0; o < dOut; o++) {
        let zhat = zMean[o] ?? 0;
        for (let j = 0; j < k; j++) zhat += ((scores[s * kMax + j] ?? 0) - (fMean[j] ?? 0)) * (w[j * dOut + o] ?? 0);
        ssRes += ((outputs[s * dOut + o] ?? 0) - zhat) ** 2;
      }
    }
    r2[k - 1] = hasVariance ? 1 - ssRes / ssTot : Number.NaN;
    if (Number.isNaN(dfit) && (r2[k - 1] ?? 0) > threshold) dfit = k;
  }
  return { dfit, r2 };
}
