/**
 * Dissimilarity between two networks' solutions (docs/science.md §4.7, the paper's Fig 4):
 * the shape metrics of Williams et al. (2021) with only rotations allowed, as the
 * authors' `ridge_CCA(X, Y, alpha=1)` computes them.
 *
 * X (S x Nx) and Y (S x Ny) are the noise-free states of the SAME evaluation trials
 * (rows paired: trial, time point t >= t_min), each column centred over the rows:
 *
 *   nuclear   = || X~^T Y~ ||_*        (the sum of singular values)
 *   angular   = arccos( nuclear / (||X~||_F ||Y~||_F) )          in [0, pi/2]
 *   euclidean = sqrt( max(0, ||X~||_F^2 + ||Y~||_F^2 - 2 nuclear) )
 *
 * `angular` is the paper's measure; `euclidean` is the Procrustes distance itself
 * (min over rotations Q of ||X~ - Y~ Q||_F), in state units.
 *
 * The nuclear norm goes by the eigen route: the singular values of M = X~^T Y~ are the
 * square roots of the eigenvalues of M^T M (or M M^T, the smaller of the two), in
 * float64. The one heavy product, X~^T Y~ (2 S Nx Ny flops), runs on the active tfjs
 * backend in row blocks whose float32 partial products are summed in float64.
 */
import * as tf from '@tensorflow/tfjs-core';
import { symmetricEigen } from './linalg';

/** Columns centred over the rows, in float32 for the backend, with the float64 squared norm. */
export interface CentredStates {
  readonly S: number;
  readonly N: number;
  /** S x N row-major */
  readonly data: Float32Array;
  /** ||X~||_F^2 */
  readonly sumSq: number;
}

/** Centres each column of the S x N matrix x over its rows (float64 means). */
export function centreColumns(x: ArrayLike<number>, S: number, N: number): CentredStates {
  if (x.length < S * N || S < 1 || N < 1) throw new Error(`centreColumns: need ${S} x ${N} values, got ${x.length}`);
  const mean = new Float64Array(N);
  for (let s = 0; s < S; s++) for (let i = 0; i < N; i++) mean[i] = (mean[i] ?? 0) + (x[s * N + i] ?? 0);
  for (let i = 0; i < N; i++) mean[i] = (mean[i] ?? 0) / S;
  const data = new Float32Array(S * N);
  let sumSq = 0;
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < N; i++) {
      const v = Math.fround((x[s * N + i] ?? 0) - (mean[i] ?? 0));
      data[s * N + i] = v;
      sumSq += v * v;
    }
  }
  return { S, N, data, sumSq };
}

export interface ShapeDistance {
  /** arccos(nuclear / (|X~| |Y~|)), radians in [0, pi/2] */
  angular: number;
  /** the Procrustes distance min_Q |X~ - Y~ Q|_F */
  euclidean: number;
  /** || X~^T Y~ ||_* */
  nuclear: number;
}

/** X~^T Y~ (Nx x Ny, float64) on the active tfjs backend. */
export async function crossProduct(x: CentredStates, y: CentredStates, blockRows?: number): Promise<Float64Array> {
  if (x.S !== y.S) throw new Error(`crossProduct: ${x.S} rows against ${y.S}: the states must be of the same trials and time points`);
  const { S } = x;
  const rowsPer = Math.max(1, Math.floor(blockRows ?? Math.max(1, (1 << 21) / Math.max(x.N, y.N))));
  const out = new Float64Array(x.N * y.N);
  for (let start = 0; start < S; start += rowsPer) {
    const rows = Math.min(rowsPer, S - start);
    // subarrays, never slices of a big tensor (on wasm a slice copies the whole buffer); explicit transpose (wasm's transposeA is slow)
    const product = tf.tidy(() => {
      const a = tf.tensor2d(x.data.subarray(start * x.N, (start + rows) * x.N), [rows, x.N]);
      const b = tf.tensor2d(y.data.subarray(start * y.N, (start + rows) * y.N), [rows, y.N]);
      return tf.matMul(tf.transpose(a), b);
    });
    try {
      const v = await product.data();
      for (let k = 0; k < out.length; k++) out[k] = (out[k] ?? 0) + (v[k] ?? 0);
    } finally {
      product.dispose();
    }
  }
  return out;
}

/** Sum of the singular values of the m x n matrix a (row-major), by the eigen route. */
export function nuclearNorm(a: Float64Array, m: number, n: number): number {
  if (a.length !== m * n) throw new Error(`nuclearNorm: expected ${m} x ${n}`);
  // G = A^T A (n x n) or A A^T (m x m), whichever is smaller
  const k = Math.min(m, n);
  const g = new Float64Array(k * k);
  if (n <= m) {
    for (let r = 0; r < m; r++) {
      const row = a.subarray(r * n, (r + 1) * n);
      for (let i = 0; i < n; i++) {
        const ai = row[i] ?? 0;
        if (ai === 0) continue;
        for (let j = i; j < n; j++) g[i * n + j] = (g[i * n + j] ?? 0) + ai * (row[j] ?? 0);
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ri = a.subarray(i * n, (i + 1) * n);
      for (let j = i; j < m; j++) {
        const rj = a.subarray(j * n, (j + 1) * n);
        let s = 0;
        for (let t = 0; t < n; t++) s += (ri[t] ?? 0) * (rj[t] ?? 0);
        g[i * m + j] = s;
      }
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = g[j * k + i] ?? 0;
  const { values } = symmetricEigen(g, k);
  let sum = 0;
  for (const v of values) if (v > 0) sum += Math.sqrt(v);
  return sum;
}

/** The shape distances of two centred state matrices of the same trials. */
export async function shapeDistance(x: CentredStates, y: CentredStates): Promise<ShapeDistance> {
  const nuclear = nuclearNorm(await crossProduct(x, y), x.N, y.N);
  const normX = Math.sqrt(x.sumSq);
  const normY = Math.sqrt(y.sumSq);
  // A matrix without variance has no shape: the distance to it is undefined.
  if (!(normX > 0 && normY > 0)) return { angular: Number.NaN, euclidean: Number.NaN, nuclear };
  const cos = Math.min(1, nuclear / (normX * normY));
  return {
    angular: Math.acos(cos),
    euclidean: Math.sqrt(Math.max(0, x.sumSq + y.sumSq - 2 * nuclear)),
    nuclear,
  };
}
