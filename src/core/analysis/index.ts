/**
 * The analysis measures of docs/science.md §4.0-4.5 from simulated trajectories: one entry,
 * analyseStates. The caller runs the simulations (noise-free evaluation batch, and
 * optionally noisy repeats for 4.5) and passes plain arrays.
 *
 * The Gram matrix of the states (t >= t_min) is computed once, on the active tfjs
 * backend, and serves the correlation, the PCA, D_x and the display bases.
 */
import { correlationFromGram } from './correlation';
import { fittingDimension, varianceDimension } from './dimensions';
import { computeGram } from './gram';
import { noiseCompression, type NoisyRuns } from './noise';
import { outputWeightNorm, stateNorm } from './norms';
import { pcaFromGram } from './pca';
import { projectForDisplay, type Projection } from './projection';
import { projectRows } from './rowprojection';

export type { NoisyRuns, NoiseCompression } from './noise';
export type { Projection, ProjectedView, ReadoutProjection, Vec3 } from './projection';

export interface AnalysisInput {
  /** noise-free states of the evaluation batch, [T][B][N] time-major */
  readonly states: Float32Array;
  /** the network's noise-free outputs z = W_out x, [T][B][dOut] */
  readonly outputs: Float32Array;
  /** dOut x N row-major */
  readonly wOut: Float32Array | Float64Array;
  readonly T: number;
  readonly B: number;
  readonly N: number;
  readonly dOut: number;
  /** grid points discarded as grace period, round(t_min / dt) (paper: 50) */
  readonly kMin: number;
  /** noisy repeated trials for the noise compression (4.5); without them the noise keys are null */
  readonly noisy?: NoisyRuns;
  /** trials drawn in the 3D view: a count (the first n) or indices; default all */
  readonly viewTrials?: number | readonly number[];
  /** keep every stride-th time point of the drawn trajectories (default 1) */
  readonly viewStride?: number;
  /** largest number of PCs for D_fit (default min(30, N)) */
  readonly fitMaxComponents?: number;
  /** which optional measures to compute (default both); the ones left out are null */
  readonly measures?: { readonly correlation: boolean; readonly dimensions: boolean };
}

/** The scalar measures, JSON-safe except that NaN (an undefined D_fit) serialises as null. */
export interface AnalysisMetrics {
  /** docs/science.md §4.1: the generalised correlation (gen_corr, first value); null unless `correlation` is computed */
  rho: number | null;
  /** ||W X^T||_F / (||W||_F ||X||_F), same centring: reference only, not the paper's measure */
  rho_naive: number | null;
  /** rho * sqrt(N): O(1) in the oblique regime (docs/science.md §1.4, 5.1) */
  rho_sqrtN: number | null;
  /** 4.2: RMS of W_out entries times sqrt(N) */
  w_out_norm: number;
  /** 4.2: RMS state entry over (trial, t >= t_min, neuron) times sqrt(N) */
  x_norm: number;
  /** 4.3: smallest k with cumulative explained variance > 0.9; null unless `dimensions` is computed */
  dx90: number | null;
  /** 4.4: smallest k with R^2_k > 0.9, NaN if none; null unless `dimensions` is computed */
  dfit90: number | null;
  /** 4.4: R^2_k for k = 1..kMax (empty unless `dimensions` is computed) */
  r2_curve: number[];
  /** 4.3: explained-variance ratios of the first 10 PCs (fewer if N < 10) */
  explained_variance: number[];
  /** 4.5 var_out / var_rand; null without noisy runs */
  noise_ratio: number | null;
  /** 4.5 var_pc / var_rand; null without noisy runs */
  noise_ratio_pc: number | null;
  /**
   * var_out / var_rand on the time points t >= t_min only (ours, beside the paper's
   * all-time noise_ratio): early on the fluctuations are mostly the random initial state
   * decaying, and with weak state noise (Mante, sigma 0.05) that leak dominates the
   * paper's ratio and spreads it across seeds. Null without noisy runs.
   */
  noise_ratio_tmin: number | null;
  /** 4.5, exact expectation over unit directions in span(W_out rows); null without noisy runs */
  var_out: number | null;
  /** 4.5, exact expectation over all unit directions, tr(C)/N; null without noisy runs */
  var_rand: number | null;
  /** 4.5, exact expectation over unit directions in the top-2 condition-averaged PCs; null without noisy runs */
  var_pc: number | null;
}

/**
 * The metrics plus the display data. `projection` holds typed arrays for the renderer;
 * write the rest to metrics.json, e.g. `const { projection, ...metrics } = result`.
 */
export interface AnalysisResult extends AnalysisMetrics {
  projection: Projection;
}

export async function analyseStates(input: AnalysisInput): Promise<AnalysisResult> {
  const { states, outputs, wOut, T, B, N, dOut, kMin } = input;
  if (states.length !== T * B * N) throw new Error(`analyseStates: states need ${T}*${B}*${N} values, got ${states.length}`);
  if (outputs.length !== T * B * dOut) throw new Error(`analyseStates: outputs need ${T}*${B}*${dOut} values`);
  if (wOut.length !== dOut * N) throw new Error(`analyseStates: W_out needs ${dOut}*${N} values`);
  if (!Number.isInteger(kMin) || kMin < 0 || kMin >= T) {
    throw new Error(`analyseStates: kMin = ${kMin} leaves no time points of T = ${T}`);
  }

  // Time-major: the samples with k >= kMin are one contiguous tail (4.0).
  const S = (T - kMin) * B;
  const fitted = states.subarray(kMin * B * N);
  const gram = await computeGram(fitted, S, N);
  const want = input.measures ?? { correlation: true, dimensions: true };
  const corr = want.correlation ? correlationFromGram(wOut, dOut, N, gram.gram) : null;
  const pca = pcaFromGram(gram);

  let fit: { dfit: number; r2: ArrayLike<number> } | null = null;
  if (want.dimensions) {
    const kMax = Math.max(1, Math.min(input.fitMaxComponents ?? 30, N));
    const scores = await projectRows(states, T * B, N, pca.components, kMax, pca.mean);
    fit = fittingDimension({ scores, kMax, outputs, T, B, dOut });
  }

  const noise = input.noisy ? await noiseCompression(input.noisy, N, wOut, dOut, { kMin }) : null;

  const viewTrials =
    typeof input.viewTrials === 'number'
      ? Array.from({ length: Math.max(0, Math.min(B, Math.floor(input.viewTrials))) }, (_, b) => b)
      : input.viewTrials;
  const projection = projectForDisplay({
    states, T, B, N, pca, wOut, dOut,
    ...(viewTrials ? { trials: viewTrials } : {}),
    ...(input.viewStride !== undefined ? { stride: input.viewStride } : {}),
  });

  return {
    rho: corr ? corr.rho : null,
    rho_naive: corr ? corr.rho_naive : null,
    rho_sqrtN: corr ? corr.rho * Math.sqrt(N) : null,
    w_out_norm: outputWeightNorm(wOut, N),
    x_norm: stateNorm(states, T, B, N, kMin),
    dx90: want.dimensions ? varianceDimension(pca.explainedVarianceRatio) : null,
    dfit90: fit ? fit.dfit : null,
    r2_curve: fit ? Array.from(fit.r2) : [],
    explained_variance: Array.from(pca.explainedVarianceRatio.subarray(0, Math.min(10, N))),
    noise_ratio: noise?.noise_ratio ?? null,
    noise_ratio_pc: noise?.noise_ratio_pc ?? null,
    noise_ratio_tmin: noise?.noise_ratio_tmin ?? null,
    var_out: noise?.var_out ?? null,
    var_rand: noise?.var_rand ?? null,
    var_pc: noise?.var_pc ?? null,
    projection,
  };
}
