/**
 * PCA of the state samples (docs/science.md §4.3): samples centred over rows (each neuron
 * minus its mean over samples, as sklearn's PCA does), full spectrum.
 */
import type { Gram } from './gram';
import { symmetricEigen } from './linalg';

export interface Pca {
  readonly N: number;
  /** samples the PCA was fitted on */
  readonly S: number;
  /** mean state over the samples (subtract before projecting) */
  readonly mean: Float64Array;
  /** N x N covariance, unbiased (divided by S - 1, as sklearn) */
  readonly covariance: Float64Array;
  /** variance along each principal axis, descending (rounding negatives clipped to 0) */
  readonly variances: Float64Array;
  /** total variance of all N components: the trace of the covariance */
  readonly totalVariance: number;
  /** variances / totalVariance (all zero if the total is zero) */
  readonly explainedVarianceRatio: Float64Array;
  /** unit principal axes, one per row: axis j is components[j*N .. j*N+N) */
  readonly components: Float64Array;
}

/** PCA from the Gram of the samples (computeGram), so the Gram is computed once. */
export function pcaFromGram(g: Gram): Pca {
  const { N, S } = g;
  const covariance = g.centred.map((v) => v / Math.max(1, S - 1));
  const eig = symmetricEigen(covariance, N);
  let totalVariance = 0;
  for (let i = 0; i < N; i++) totalVariance += covariance[i * N + i] ?? 0;
  const variances = eig.values.map((v) => Math.max(0, v));
  const explainedVarianceRatio = variances.map((v) => (totalVariance > 0 ? v / totalVariance : 0));
  return {
    N,
    S,
    mean: g.mean,
    covariance,
    variances,
    totalVariance,
    explainedVarianceRatio,
    components: eig.vectors,
  };
}
