/**
 * Noise compression (docs/science.md §4.5, Fig 6): how much of the trial-to-trial noise
 * lies along the output weights, compared with random directions and with the
 * leading PCs of the condition-averaged activity.
 *
 * Exact expectations instead of samples. The paper averages Var(dx . v) over 2000
 * random unit vectors v, over 100 random unit vectors in span(W_out rows) and over
 * 100 random unit vectors in the span of the top-2 PCs. For v uniform on the unit
 * sphere of a subspace with orthonormal basis U (d vectors), E[v^T C v] = tr(U^T C U)/d
 * exactly. So with C the unbiased covariance of the fluctuations this module returns
 *   var_rand = tr(C) / N,  var_out = tr(Q^T C Q) / d_out,  var_pc = tr(P^T C P) / 2,
 * the values the paper's sample means estimate, without their sampling noise (with
 * 2000 directions the random mean alone fluctuates by a few percent).
 */
import { computeGram } from './gram';
import { dot, orthonormalRows } from './linalg';
import { topEigen } from './topeigen';

export interface NoisyRuns {
  /** noisy states of repeated trials, [T][trials][N] time-major */
  readonly states: Float32Array;
  readonly T: number;
  readonly trials: number;
  /** condition index of each trial (trials with the same index repeat the same condition) */
  readonly condition: ArrayLike<number>;
}

/** The three variances are exact expectations over random unit directions (see the module comment). */
export interface NoiseCompression {
  /** var_out / var_rand: >> 1 aligned, < 1 oblique (noise compressed along w_out) */
  readonly noise_ratio: number;
  /** var_pc / var_rand */
  readonly noise_ratio_pc: number;
  /** mean fluctuation variance over unit directions in span(W_out rows): tr(Q^T C Q)/rank(W_out) */
  readonly var_out: number;
  /** mean fluctuation variance over all unit directions: tr(C)/N */
  readonly var_rand: number;
  /** mean fluctuation variance over unit directions in the top-2 PCs of the condition-averaged activity */
  readonly var_pc: number;
  /**
   * var_out / var_rand over the time points k >= kMin only (ours, a diagnostic beside the
   * paper's all-time ratio): without the first t_min time units, the noise ratio no longer
   * counts how much of the random initial state still leaks into the output early on.
   */
  readonly noise_ratio_tmin: number;
}

/**
 * Fluctuations dx = x - xbar_c(k) around the per-(condition, time) mean, pooled over
 * all trials and ALL time points (docs/science.md §4.5), and their variance along the
 * output directions, random directions and the top-2 PCs of the condition-averaged
 * activity xbar_c(k) (all conditions and time points, centred over rows as sklearn's
 * PCA). Variances are unbiased over the T * trials samples, like torch's var.
 */
export async function noiseCompression(
  runs: NoisyRuns,
  N: number,
  wOut: ArrayLike<number>,
  dOut: number,
  opts: { kMin?: number } = {},
): Promise<NoiseCompression> {
  const { states, T, trials, condition } = runs;
  if (states.length !== T * trials * N || condition.length !== trials || wOut.length !== dOut * N) {
    throw new Error('noiseCompression: shape mismatch');
  }
  const { index, count } = conditionGroups(condition);
  const C = count.length;

  // Condition averages xbar[(k*C + c)*N + i].
  const average = new Float64Array(T * C * N);
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < trials; b++) {
      const src = (k * trials + b) * N;
      const dst = (k * C + (index[b] ?? 0)) * N;
      const w = 1 / (count[(index[b] ?? 0)] ?? 0);
      for (let i = 0; i < N; i++) average[dst + i] = (average[dst + i] ?? 0) + (states[src + i] ?? 0) * w;
    }
  }

  const averageGram = await computeGram(Float32Array.from(average), T * C, N);
  const pcs = topEigen(averageGram.centred, N, Math.min(2, N));
  const pcRows = Array.from({ length: pcs.values.length }, (_, j) => pcs.vectors.subarray(j * N, j * N + N));
  const outRows = orthonormalRows(wOut, dOut, N);
  const directions = [...outRows, ...pcRows];

  // One pass over the fluctuations: sums and sums of squares per neuron and per direction,
  // over all time points (the paper's measure) and over k >= kMin (the grace period left out).
  const all = new FluctuationSums(N, directions.length);
  const late = new FluctuationSums(N, directions.length);
  const kMin = Math.min(Math.max(0, Math.floor(opts.kMin ?? 0)), T);
  const dx = new Float64Array(N);
  const proj = new Float64Array(directions.length);
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < trials; b++) {
      const src = (k * trials + b) * N;
      const avg = (k * C + (index[b] ?? 0)) * N;
      for (let i = 0; i < N; i++) dx[i] = (states[src + i] ?? 0) - (average[avg + i] ?? 0);
      directions.forEach((u, d) => {
        proj[d] = dot(u, dx);
      });
      all.add(dx, proj);
      if (k >= kMin) late.add(dx, proj);
    }
  }
  const whole = all.ratios(outRows.length);
  const tail = late.count > 1 ? late.ratios(outRows.length) : undefined;
  return {
    noise_ratio: whole.varOut / whole.varRand,
    noise_ratio_pc: whole.varPc / whole.varRand,
    var_out: whole.varOut,
    var_rand: whole.varRand,
    var_pc: whole.varPc,
    noise_ratio_tmin: tail ? tail.varOut / tail.varRand : Number.NaN,
  };
}

/** Running sums of fluctuation vectors and of their projections, for unbiased variances. */
class FluctuationSums {
  count = 0;
  private readonly sum: Float64Array;
  private sumSq = 0;
  private readonly projSum: Float64Array;
  private readonly projSq: Float64Array;

  constructor(
    private readonly N: number,
    directions: number,
  ) {
    this.sum = new Float64Array(N);
    this.projSum = new Float64Array(directions);
    this.projSq = new Float64Array(directions);
  }

  add(dx: Float64Array, proj: Float64Array): void {
    this.count++;
    for (let i = 0; i < this.N; i++) {
      this.sum[i] = (this.sum[i] ?? 0) + (dx[i] ?? 0);
      this.sumSq += (dx[i] ?? 0) * (dx[i] ?? 0);
    }
    for (let d = 0; d < proj.length; d++) {
      this.projSum[d] = (this.projSum[d] ?? 0) + (proj[d] ?? 0);
      this.projSq[d] = (this.projSq[d] ?? 0) + (proj[d] ?? 0) * (proj[d] ?? 0);
    }
  }

  /** var_rand = tr(C)/N, var_out (the first `outCount` directions) and var_pc (the rest). */
  ratios(outCount: number): { varRand: number; varOut: number; varPc: number } {
    const M = this.count;
    const denom = Math.max(1, M - 1);
    const varRand = (this.sumSq - dot(this.sum, this.sum) / M) / denom / this.N;
    const varAlong = (d: number): number => ((this.projSq[d] ?? 0) - ((this.projSum[d] ?? 0) * (this.projSum[d] ?? 0)) / M) / denom;
    const meanOver = (from: number, to: number): number => {
      if (to <= from) return Number.NaN;
      let s = 0;
      for (let d = from; d < to; d++) s += varAlong(d);
      return s / (to - from);
    };
    return { varRand, varOut: meanOver(0, outCount), varPc: meanOver(outCount, this.projSum.length) };
  }
}

/** Dense 0-based group index per trial, and the number of trials per group. */
function conditionGroups(condition: ArrayLike<number>): { index: Int32Array; count: number[] } {
  const ids = new Map<number, number>();
  const index = new Int32Array(condition.length);
  const count: number[] = [];
  for (let b = 0; b < condition.length; b++) {
    let g = ids.get(condition[b] ?? 0);
    if (g === undefined) {
      g = count.length;
      ids.set(condition[b] ?? 0, g);
      count.push(0);
    }
    index[b] = g;
    count[g] = (count[g] ?? 0) + 1;
  }
  return { index, count };
}
