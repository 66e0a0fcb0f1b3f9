/**
 * Coordinates of many state vectors in a few directions, (x_s - shift) . v_j, on the
 * active tfjs backend. D_fit projects every state of every time point onto up to 30
 * PCs (docs/science.md §4.4): S x N x 30 multiply-adds, about 0.2 s in plain JS at N = 512.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Returns the S x k row-major Float64Array with entry (s, j) = (x_s - shift) . v_j,
 * where x is S x N row-major and v_j is row j of `basis` (k x N, float64).
 * `shift` (length N) defaults to zero. Leaves no tensors behind.
 *
 * The product (x - shift) V^T runs in float32 on tfjs in row blocks built from JS
 * subarrays (never slicing a big tensor, see docs/performance.md); V^T is laid out
 * in JS so no transposed matMul is needed.
 */
export async function projectRows(
  x: Float32Array,
  S: number,
  N: number,
  basis: Float64Array,
  k: number,
  shift?: ArrayLike<number>,
): Promise<Float64Array> {
  if (x.length < S * N || basis.length < k * N) throw new Error('projectRows: shape mismatch');
  const out = new Float64Array(S * k);
  if (S === 0 || k === 0) return out;
  const basisT = new Float32Array(N * k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < N; i++) basisT[i * k + j] = basis[j * N + i] ?? 0;
  }
  const blockRows = Math.max(1, Math.floor((1 << 21) / N));
  const v = tf.tensor2d(basisT, [N, k]);
  try {
    for (let start = 0; start < S; start += blockRows) {
      const rows = Math.min(blockRows, S - start);
      let block = x.subarray(start * N, (start + rows) * N);
      if (shift) {
        // Centre before rounding to float32, so that a large mean does not eat the digits of small coordinates.
        const centred = new Float32Array(rows * N);
        for (let r = 0; r < rows; r++) {
          for (let i = 0; i < N; i++) centred[r * N + i] = (block[r * N + i] ?? 0) - (shift[i] ?? 0);
        }
        block = centred;
      }
      const product = tf.tidy(() => tf.matMul(tf.tensor2d(block, [rows, N]), v));
      try {
        const values = await product.data();
        out.set(values, start * k);
      } finally {
        product.dispose();
      }
    }
  } finally {
    v.dispose();
  }
  return out;
}
