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
      const dst = (k * C + index[b]) * N;
      const w = 1 / count[index[b]];
      for (let i = 0; i < N; i++) average[dst + i] += states[src + i] * w;
    }
  }

  const averageGram = await computeGram(Float32Array.from(average), T * C, N);
  const pcs = topEigen(averageGram.centred, N, Math.min(2, N));
  const pcRows = Array.from({ length: pcs.values.length }, (_, j) => pcs.vectors.subarray(j * N, j * N + N));
  const outRows = orthonormalRows(wOut, dOut, N);
  const directions = [...outRows, ...pcRows];

  // One pass over the fluctuations: sums and sums of squares per neuron and per direction.
  const M = T * trials;
  const sum = new Float64Array(N);
  let sumSq = 0;
  const projSum = new Float64Array(directions.length);
  const projSq = new Float64Array(directions.length);
  const dx = new Float64Array(N);
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < trials; b++) {
      const src = (k * trials + b) * N;
      const avg = (k * C + index[b]) * N;
      for (let i = 0; i < N; i++) {
        const v = states[src + i] - average[avg + i];
        dx[i] = v;
        sum[i] += v;
        sumSq += v * v;
      }
      directions.forEach((u, d) => {
        const p = dot(u, dx);
        projSum[d] += p;
        projSq[d] += p * p;
      });
    }
  }
  const denom = Math.max(1, M - 1);
  const varRand = (sumSq - dot(sum, sum) / M) / denom / N;
  const varAlong = (d: number): number => (projSq[d] - (projSum[d] * projSum[d]) / M) / denom;
  const meanOver = (from: number, to: number): number => {
    if (to <= from) return Number.NaN;
    let s = 0;
    for (let d = from; d < to; d++) s += varAlong(d);
    return s / (to - from);
  };
  const varOut = meanOver(0, outRows.length);
  const varPc = meanOver(outRows.length, directions.length);
  return {
    noise_ratio: varOut / varRand,
    noise_ratio_pc: varPc / varRand,
    var_out: varOut,
    var_rand: varRand,
    var_pc: varPc,
  };
}

/** Dense 0-based group index per trial, and the number of trials per group. */
function conditionGroups(condition: ArrayLike<number>): { index: Int32Array; count: number[] } {
  const ids = new Map<number, number>();
  const index = new Int32Array(condition.length);
  const count: number[] = [];
  for (let b = 0; b < condition.length; b++) {
    let g = ids.get(condition[b]);
    if (g === undefined) {
      g = count.length;
      ids.set(condition[b], g);
      count.push(0);
    }
    index[b] = g;
    count[g]++;
  }
  return { index, count };
}
