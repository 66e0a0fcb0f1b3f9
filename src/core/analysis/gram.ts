/**
 * The N x N Gram matrix of a large S x N float32 data matrix (docs/science.md §4.1, 4.3, 8):
 * the one heavy product of the analysis (2.6 GFLOP at S = 10,000, N = 512), so it
 * runs on the active tfjs backend and is shared by the correlation and the PCA.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface Gram {
  /** columns (neurons) */
  readonly N: number;
  /** rows (samples) */
  readonly S: number;
  /** column sums, float64 */
  readonly colSums: Float64Array;
  /** column means colSums / S */
  readonly mean: Float64Array;
  /** X^T X, N x N, float64 */
  readonly gram: Float64Array;
  /** (X - 1 mean^T)^T (X - 1 mean^T): the scatter matrix, (S - 1) times the covariance */
  readonly centred: Float64Array;
}

export interface GramOptions {
  /** rows per tfjs product (default: about 2 M floats per block) */
  blockRows?: number;
}

/**
 * Gram matrix of the row-major S x N matrix x, computed on the active tfjs backend
 * (cpu, wasm or webgl). Leaves no tensors behind.
 *
 * Why it is computed this way:
 * - The columns are centred in float64 before the float32 product, and X^T X is
 *   rebuilt from the centred Gram in float64. Subtracting S mean mean^T from a float32
 *   X^T X afterwards would cancel digits when the neurons' means are large compared
 *   to their fluctuations; this way the error is relative to the fluctuations.
 * - Rows go through tfjs in blocks whose float32 partial Grams are summed in float64:
 *   shorter float32 sums, and bounded tensor sizes (wasm heap, webgl textures).
 * - The transpose is explicit: tfjs-wasm's matMul with transposeA is 8-20x slower
 *   (docs/performance.md).
 * - Blocks are built from JS subarrays, never by slicing a big tensor (on wasm a slice
 *   copies the whole buffer).
 */
export async function computeGram(
  x: Float32Array,
  S: number,
  N: number,
  options: GramOptions = {},
): Promise<Gram> {
  if (!(S >= 1) || !(N >= 1) || x.length < S * N) {
    throw new Error(`computeGram: need at least ${S} x ${N} values, got ${x.length}`);
  }
  const colSums = new Float64Array(N);
  for (let s = 0; s < S; s++) {
    const o = s * N;
    for (let i = 0; i < N; i++) colSums[i] = (colSums[i] ?? 0) + (x[o + i] ?? 0);
  }
  const mean = colSums.map((v) => v / S);

  const blockRows = Math.max(1, Math.floor(options.blockRows ?? Math.max(1, (1 << 21) / N)));
  const centred = new Float64Array(N * N);
  // Column sums of the float32-rounded centred data (not exactly 0), for the exact rebuild of X^T X.
  const residualSums = new Float64Array(N);
  for (let start = 0; start < S; start += blockRows) {
    const rows = Math.min(blockRows, S - start);
    const block = new Float32Array(rows * N);
    for (let r = 0; r < rows; r++) {
      const src = (start + r) * N;
      const dst = r * N;
      for (let i = 0; i < N; i++) {
        const v = Math.fround((x[src + i] ?? 0) - (mean[i] ?? 0));
        block[dst + i] = v;
        residualSums[i] = (residualSums[i] ?? 0) + v;
      }
    }
    const product = tf.tidy(() => {
      const t = tf.tensor2d(block, [rows, N]);
      return tf.matMul(tf.transpose(t), t);
    });
    try {
      const values = await product.data();
      for (let k = 0; k < N * N; k++) centred[k] = (centred[k] ?? 0) + (values[k] ?? 0);
    } finally {
      product.dispose();
    }
  }

  // Symmetrise (the float32 product need not be exactly symmetric), then
  // X^T X = Xc^T Xc + r mean^T + mean r^T + S mean mean^T with r = Xc^T 1.
  const gram = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i; j < N; j++) {
      const c = 0.5 * ((centred[i * N + j] ?? 0) + (centred[j * N + i] ?? 0));
      centred[i * N + j] = c;
      centred[j * N + i] = c;
      const g = c + (residualSums[i] ?? 0) * (mean[j] ?? 0) + (mean[i] ?? 0) * (residualSums[j] ?? 0) + S * (mean[i] ?? 0) * (mean[j] ?? 0);
      gram[i * N + j] = g;
      gram[j * N + i] = g;
    }
  }
  return { N, S, colSums, mean, gram, centred };
}
