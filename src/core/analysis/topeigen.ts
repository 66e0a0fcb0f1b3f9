/**
 * The few leading eigenvectors of a covariance without a full decomposition: the
 * top-2 PCs needed for the noise measure (docs/science.md §4.5) and for the readout basis
 * of the 3D view. A full decomposition (linalg.ts) costs about 0.5 s at N = 512.
 */
import { dot, symmetricEigen, type SymmetricEigen } from './linalg';

/**
 * The k largest eigenvalues (descending) and their unit eigenvectors (rows, same
 * sign convention as symmetricEigen) of the symmetric n x n matrix `a`, for a
 * positive semi-definite `a` such as a covariance.
 *
 * Subspace iteration with Rayleigh-Ritz on a block of p = max(2k, k + 8) vectors converges at
 * the rate lambda_{p+1}/lambda_k per iteration, which is fast for the low-dimensional
 * activity of trained networks. When it has not converged after the flops a full
 * decomposition would have cost (a flat spectrum), the full decomposition is used.
 */
export function topEigen(a: Float64Array, n: number, k: number): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`topEigen: expected ${n} x ${n} matrix`);
  k = Math.max(0, Math.min(k, n));
  const p = Math.min(n, Math.max(2 * k, k + 8));
  if (k === 0 || 4 * p >= n) return truncate(symmetricEigen(a, n), k);

  // Measured in Node: one iteration (about 2 n^2 p flops) costs about p/(2n) of a
  // full decomposition, so this budget caps the loss on a flat spectrum at about 2x.
  const maxIter = Math.ceil((2 * n) / p);
  const tol = 1e-10;
  let q = randomOrthonormal(p, n);
  const y = new Float64Array(p * n);
  for (let iter = 0; iter < maxIter; iter++) {
    multiplyRows(a, n, q, p, y);
    // Rayleigh-Ritz in span(q): H = Q A Q^T, with A Q^T already in y.
    const h = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      for (let j = i; j < p; j++) {
        const hij = dot(q.subarray(i * n, i * n + n), y.subarray(j * n, j * n + n));
        h[i * p + j] = hij;
        h[j * p + i] = hij;
      }
    }
    const ritz = symmetricEigen(h, p);
    const x = combineRows(ritz.vectors, p, q, n);
    const ax = combineRows(ritz.vectors, p, y, n);
    const scale = Math.max(Math.abs(ritz.values[0] ?? 0), Number.MIN_VALUE);
    let converged = true;
    for (let i = 0; i < k && converged; i++) {
      let r2 = 0;
      for (let t = 0; t < n; t++) r2 += ((ax[i * n + t] ?? 0) - (ritz.values[i] ?? 0) * (x[i * n + t] ?? 0)) ** 2;
      converged = Math.sqrt(r2) <= tol * scale;
    }
    if (converged) return withSigns(ritz.values.slice(0, k), x.slice(0, k * n), k, n);
    q = orthonormalizeInPlace(ax, p, n);
  }
  return truncate(symmetricEigen(a, n), k);
}

function truncate(e: SymmetricEigen, k: number): SymmetricEigen {
  return { n: e.n, values: e.values.slice(0, k), vectors: e.vectors.slice(0, k * e.n) };
}

function withSigns(values: Float64Array, vectors: Float64Array, k: number, n: number): SymmetricEigen {
  for (let j = 0; j < k; j++) {
    const row = vectors.subarray(j * n, j * n + n);
    let big = 0;
    for (let t = 0; t < n; t++) if (Math.abs(row[t] ?? 0) > Math.abs(row[big] ?? 0)) big = t;
    if ((row[big] ?? 0) < 0) for (let t = 0; t < n; t++) row[t] = -(row[t] ?? 0);
  }
  return { n, values, vectors };
}

/** out (p x n) = rows of q (p x n) times the symmetric a: out_i = a q_i. */
function multiplyRows(a: Float64Array, n: number, q: Float64Array, p: number, out: Float64Array): void {
  for (let r = 0; r < n; r++) {
    const ro = r * n;
    for (let i = 0; i < p; i++) {
      const qo = i * n;
      let s = 0;
      for (let t = 0; t < n; t++) s += (a[ro + t] ?? 0) * (q[qo + t] ?? 0);
      out[qo + r] = s;
    }
  }
}

/** Rows of the result are sum_j u[i*p + j] * rows_j, i.e. U^T applied to the block; u holds Ritz vectors as rows. */
function combineRows(u: Float64Array, p: number, rows: Float64Array, n: number): Float64Array {
  const out = new Float64Array(p * n);
  for (let i = 0; i < p; i++) {
    const o = out.subarray(i * n, i * n + n);
    for (let j = 0; j < p; j++) {
      const c = u[i * p + j] ?? 0;
      if (c === 0) continue;
      const src = rows.subarray(j * n, j * n + n);
      for (let t = 0; t < n; t++) o[t] = (o[t] ?? 0) + c * (src[t] ?? 0);
    }
  }
  return out;
}

/**
 * Orthonormalises the p rows of `rows` (n each) in place, replacing rows that have
 * become dependent (a rank-deficient matrix maps the block into a smaller space)
 * by fresh pseudo-random directions orthogonal to the others.
 */
function orthonormalizeInPlace(rows: Float64Array, p: number, n: number): Float64Array {
  let seed = 0x9e3779b9;
  for (let i = 0; i < p; i++) {
    const q = rows.subarray(i * n, i * n + n);
    let before = Math.sqrt(dot(q, q));
    for (let attempt = 0; attempt < 4; attempt++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          const u = rows.subarray(j * n, j * n + n);
          const c = dot(u, q);
          for (let t = 0; t < n; t++) q[t] = (q[t] ?? 0) - c * (u[t] ?? 0);
        }
      }
      const norm = Math.sqrt(dot(q, q));
      if (norm > 1e-8 * before && norm > 0) {
        for (let t = 0; t < n; t++) q[t] = (q[t] ?? 0) / norm;
        break;
      }
      for (let t = 0; t < n; t++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        q[t] = seed / 2 ** 32 - 0.5;
      }
      before = Math.sqrt(dot(q, q));
    }
  }
  return rows;
}

/** A deterministic (seeded) orthonormal p x n block: reproducible runs need no Math.random. */
function randomOrthonormal(p: number, n: number): Float64Array {
  const rows = new Float64Array(p * n);
  let seed = 12345;
  for (let i = 0; i < rows.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    rows[i] = seed / 2 ** 32 - 0.5;
  }
  return orthonormalizeInPlace(rows, p, n);
}
