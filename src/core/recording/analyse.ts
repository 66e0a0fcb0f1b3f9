/**
 * Where does a recorded population sit between aligned and oblique? The authors'
 * analysis of experimental data (docs/science.md §4.9, the paper's Figs 7, 8; their
 * `experimental_data_compute_results` notebook, `comp_ridge`):
 *
 * - X (samples x neurons) and y (samples x outputs) are centred over the samples;
 * - a ridge decoder y ~ X w_out^T with alpha by leave-one-out CV over logspace(-3, 6, 20);
 * - rho = |X w_out^T|_F / (|X|_F |w_out|_F), and rho sqrt(N);
 * - D_var: principal components for 90 % of the variance;
 * - D_fit: the smallest k whose ridge fit on the first k components reaches R^2 > 0.9 x
 *   the full fit's R^2 (each fit with its own CV alpha); the relative fitting dimension
 *   D_fit / D_var;
 * - the participation ratio (sum lambda)^2 / sum lambda^2;
 * - rho sqrt(n) when only n of the N neurons are kept (10 % to 100 %, 20 random draws
 *   each, the decoder refitted): flat for oblique-like data (rho ~ 1/sqrt n), growing
 *   like n^(1/4) or faster for aligned-like data; the log-log slope summarises it
 *   (ours: least squares of log mean(rho sqrt n) on log n; the authors plot the curve).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../types';
import { eigenDesign, gramOf, neuronCoefficients, ridgeCV, ridgePrefixes, RIDGE_ALPHAS, type EigenDesign } from './ridge';
import { symmetricEigen } from '../analysis/linalg';
import { recordingView, type RecordingView, type RecordingViewOptions } from './view';

export interface SubsamplePoint {
  /** neurons kept */
  n: number;
  /** mean and sample sd of rho sqrt(n) over the draws */
  mean: number;
  sd: number;
  draws: number;
}

/** The result, with the keys of `rnnlab recording --json`. */
export interface RecordingAnalysis {
  /** neurons */
  N: number;
  /** samples (time points, pooled over trials) */
  samples: number;
  /** behavioural outputs */
  outputs: number;
  rho: number;
  rho_sqrtN: number;
  d_var: number;
  /** null when no k reaches 0.9 of the full fit */
  d_fit: number | null;
  rel_fit_dim: number | null;
  participation_ratio: number;
  /** in-sample R^2 of the decoder (mean over outputs) */
  r2: number;
  alpha: number;
  /** R^2 of the fits on the first k components, k = 1..d_fit */
  r2_curve: number[];
  /** explained-variance ratios of the first 10 components */
  explained_variance: number[];
  subsample: SubsamplePoint[];
  /** slope of log mean(rho sqrt n) against log n: about 0 oblique-like, 1/4 or more aligned-like */
  subsample_slope: number | null;
  /** the decoder, outputs x N */
  w_out: Float64Array;
  /** what the recordings panel draws (view.ts), when `view` was asked for */
  view?: RecordingView;
}

export interface RecordingOptions {
  /** fractions of the neurons kept (linspace(0.1, 1, 10)) */
  fractions?: readonly number[];
  /** random draws per fraction (20) */
  draws?: number;
  /** R^2 fraction for D_fit and variance fraction for D_var (0.9) */
  threshold?: number;
  alphas?: readonly number[];
  rng: Rng;
  /** progress through the subsampling fits */
  onProgress?(done: number, total: number): void | Promise<void>;
  /** also return the view data (top PCs, readouts in their basis) */
  view?: RecordingViewOptions;
}

/** numpy's linspace(0.1, 1, 10), bit for bit: i * (0.9 / 9) + 0.1, the last exactly 1. */
const DEFAULT_FRACTIONS = Array.from({ length: 10 }, (_, i) => (i === 9 ? 1 : i * (0.9 / 9) + 0.1));

export async function analyseRecording(activity: ArrayLike<number>, behaviour: ArrayLike<number>, S: number, N: number, d: number, opts: RecordingOptions): Promise<RecordingAnalysis> {
  if (activity.length !== S * N) throw new Error(`analyseRecording: activity has ${activity.length} values, not ${S} x ${N}`);
  if (behaviour.length !== S * d) throw new Error(`analyseRecording: behaviour has ${behaviour.length} values, not ${S} x ${d}`);
  if (S < 3) throw new Error(`A recording needs at least 3 samples (time points); this one has ${S}.`);
  const threshold = opts.threshold ?? 0.9;
  const alphas = opts.alphas ?? RIDGE_ALPHAS;
  const { centred: X, mean } = centre(activity, S, N);
  const y = centre(behaviour, S, d).centred;
  if (!y.some((v) => v !== 0)) throw new Error('The behaviour is constant over the samples: there is nothing to decode.');

  const gram = gramOf(X, S, N);
  const design = eigenDesign(X, S, N, gram);
  const full = ridgeCV(design, y, d, alphas);
  const w = neuronCoefficients(design, full, d);
  const rho = readoutCorrelation(gram, N, w, d);

  // D_var from the spectrum of X^T X (the singular values of X, squared)
  const total = design.lambda.reduce((s, v) => s + v, 0);
  let dVar = N;
  for (let k = 0, c = 0; k < N; k++) {
    c += design.lambda[k] ?? 0;
    if (c / total > threshold) {
      dVar = k + 1;
      break;
    }
  }
  let dFit: number | null = null;
  const r2Curve: number[] = [];
  ridgePrefixes(design, y, d, (k, fit) => {
    r2Curve.push(fit.r2);
    if (fit.r2 > full.r2 * threshold) {
      dFit = k;
      return true;
    }
    return false;
  }, alphas);
  let s1 = 0;
  let s2 = 0;
  for (const l of design.lambda) {
    s1 += l;
    s2 += l * l;
  }

  const subsample = await subsampleCurve(X, y, S, N, d, gram, rho, opts, alphas);
  return {
    N,
    samples: S,
    outputs: d,
    rho,
    rho_sqrtN: rho * Math.sqrt(N),
    d_var: dVar,
    d_fit: dFit,
    rel_fit_dim: dFit === null ? null : dFit / dVar,
    participation_ratio: s2 > 0 ? (s1 * s1) / s2 : 0,
    r2: full.r2,
    alpha: full.alpha,
    r2_curve: r2Curve,
    explained_variance: Array.from(design.lambda.subarray(0, Math.min(10, N)), (l) => (total > 0 ? l / total : 0)),
    subsample: subsample.points,
    subsample_slope: subsample.slope,
    w_out: w,
    ...(opts.view ? { view: recordingView(activity, S, N, mean, gram, design, w, d, opts.view) } : {}),
  };
}

/** Columns centred over the rows, float64, and the column means. */
function centre(x: ArrayLike<number>, S: number, n: number): { centred: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(n);
  for (let s = 0; s < S; s++) for (let i = 0; i < n; i++) mean[i] = (mean[i] ?? 0) + (x[s * n + i] ?? 0);
  for (let i = 0; i < n; i++) mean[i] = (mean[i] ?? 0) / S;
  const out = new Float64Array(S * n);
  for (let s = 0; s < S; s++) for (let i = 0; i < n; i++) out[s * n + i] = (x[s * n + i] ?? 0) - (mean[i] ?? 0);
  return { centred: out, mean };
}

/** |X w^T|_F / (|X|_F |w|_F) from the Gram matrix: |X w^T|^2 = sum_o w_o^T (X^T X) w_o. */
export function readoutCorrelation(gram: Float64Array, n: number, w: Float64Array, d: number): number {
  let num = 0;
  let trace = 0;
  let ww = 0;
  for (let i = 0; i < n; i++) trace += gram[i * n + i] ?? 0;
  for (let o = 0; o < d; o++) {
    const wo = w.subarray(o * n, (o + 1) * n);
    for (let i = 0; i < n; i++) {
      ww += (wo[i] ?? 0) * (wo[i] ?? 0);
      let gi = 0;
      for (let j = 0; j < n; j++) gi += (gram[i * n + j] ?? 0) * (wo[j] ?? 0);
      num += (wo[i] ?? 0) * gi;
    }
  }
  return trace > 0 && ww > 0 ? Math.sqrt(Math.max(0, num) / (trace * ww)) : 0;
}

/**
 * rho sqrt(n) for random subsets of n neurons, the decoder refitted on each. Every draw
 * of all N neurons is the full fit (the same neurons in another order), so the last
 * point is the full result without its 20 identical refits.
 */
async function subsampleCurve(
  X: Float64Array, y: Float64Array, S: number, N: number, d: number, gram: Float64Array, rhoFull: number,
  opts: RecordingOptions, alphas: readonly number[],
): Promise<{ points: SubsamplePoint[]; slope: number | null }> {
  const fractions = opts.fractions ?? DEFAULT_FRACTIONS;
  const draws = opts.draws ?? 20;
  // numpy's np.int_(N * frac): truncation, at least one neuron
  const sizes = fractions.map((f) => Math.max(1, Math.trunc(N * f)));
  const total = sizes.filter((n) => n < N).length * draws;
  let done = 0;
  const points: SubsamplePoint[] = [];
  for (const n of sizes) {
    const values: number[] = [];
    if (n >= N) {
      for (let r = 0; r < draws; r++) values.push(rhoFull * Math.sqrt(N));
    } else {
      for (let r = 0; r < draws; r++) {
        const idx = choose(N, n, opts.rng);
        const xs = new Float64Array(S * n);
        for (let s = 0; s < S; s++) for (let j = 0; j < n; j++) xs[s * n + j] = (X[s * N + (idx[j] ?? 0)] ?? 0);
        const g = new Float64Array(n * n);
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) g[a * n + b] = (gram[(idx[a] ?? 0) * N + (idx[b] ?? 0)] ?? 0);
        const design = await designOnBackend(xs, S, n, g, y, d);
        const fit = ridgeCV(design, y, d, alphas);
        const w = neuronCoefficients(design, fit, d);
        values.push(readoutCorrelation(g, n, w, d) * Math.sqrt(n));
        await opts.onProgress?.(++done, total);
      }
    }
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
    points.push({ n, mean, sd, draws: values.length });
  }
  return { points, slope: logLogSlope(points) };
}

/** Least-squares slope of log(mean) on log(n) over the distinct sizes with a positive mean. */
export function logLogSlope(points: readonly { n: number; mean: number }[]): number | null {
  const pts = points.filter((p, i) => p.mean > 0 && points.findIndex((q) => q.n === p.n) === i);
  if (pts.length < 2) return null;
  const xs = pts.map((p) => Math.log(p.n));
  const ys = pts.map((p) => Math.log(p.mean));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my);
    sxx += ((xs[i] ?? 0) - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/** n distinct indices of 0..N-1 in random order (a partial Fisher-Yates shuffle, like rng.choice without replacement). */
function choose(N: number, n: number, rng: Rng): number[] {
  const a = Array.from({ length: N }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(N - i);
    [a[i], a[j]] = [(a[j] ?? 0), (a[i] ?? 0)];
  }
  return a.slice(0, n);
}

/**
 * The eigen design of a subset, with the S x n x n projection on the tfjs backend (it is
 * the heavy product of the subsampling: 180 refits); the rest in float64.
 */
export async function designOnBackend(x: Float64Array, S: number, n: number, gram: Float64Array, y: Float64Array, d: number): Promise<EigenDesign> {
  const xty = new Float64Array(n * d);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < n; i++) {
      const v = x[s * n + i] ?? 0;
      for (let o = 0; o < d; o++) xty[i * d + o] = (xty[i * d + o] ?? 0) + v * (y[s * d + o] ?? 0);
    }
  }
  const eig = symmetricEigen(gram, n);
  const lambda = eig.values.map((v) => Math.max(0, v));
  const P = new Float64Array(S * n);
  const blockRows = Math.max(1, Math.floor((1 << 20) / n));
  const vT = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(eig.vectors), [n, n])));
  try {
    for (let start = 0; start < S; start += blockRows) {
      const rows = Math.min(blockRows, S - start);
      const prod = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(x.subarray(start * n, (start + rows) * n)), [rows, n]), vT));
      try {
        P.set(await prod.data(), start * n);
      } finally {
        prod.dispose();
      }
    }
  } finally {
    vT.dispose();
  }
  return { S, n, lambda, vectors: eig.vectors, P, xty };
}
