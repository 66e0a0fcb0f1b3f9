/**
 * Dense float64 linear algebra for the analysis measures (docs/science.md §4.1-4.5, 8):
 * a symmetric eigensolver for the N x N covariance, and small solvers for the
 * (k+1) x (k+1) normal equations of the fitting dimension.
 *
 * Matrices are Float64Array, row-major, n x n unless stated otherwise.
 */

/** Eigendecomposition of a symmetric matrix. */
export interface SymmetricEigen {
  /** size of the matrix */
  readonly n: number;
  /** eigenvalues, descending */
  readonly values: Float64Array;
  /**
   * Unit eigenvectors, one per ROW: vector j (for values[j]) is vectors[j*n .. j*n+n).
   * The sign is fixed so that the entry of largest magnitude is positive, which keeps
   * plotted bases from flipping between checkpoints for no reason.
   */
  readonly vectors: Float64Array;
}

/**
 * All eigenvalues and eigenvectors of the symmetric n x n matrix `a` (only symmetry
 * is assumed; the input is not modified).
 *
 * Householder tridiagonalisation followed by the implicit QL algorithm (EISPACK
 * tred2/tql2, as in JAMA's EigenvalueDecomposition). The working matrix is kept
 * column-major so that every inner loop of both stages runs over contiguous memory:
 * that is what makes N = 512 take a fraction of a second in plain JS.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0 || a.length !== n * n) {
    throw new Error(`symmetricEigen: expected ${n} x ${n} matrix, got ${a.length} entries`);
  }
  // v[j*n + k] is V(k, j): column j of the working matrix is contiguous.
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) v[j * n + i] = 0.5 * ((a[i * n + j] ?? 0) + (a[j * n + i] ?? 0));
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tred2(v, d, e, n);
    tql2(v, d, e, n);
  }
  return sortDescending(v, d, n);
}

/** Householder reduction to tridiagonal form, accumulating the transformation in v. */
function tred2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1] ?? 0;

  for (let i = n - 1; i > 0; i--) {
    // Scale to avoid under/overflow.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] ?? 0);
    if (scale === 0) {
      e[i] = d[i - 1] ?? 0;
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1] ?? 0;
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      // Householder vector.
      for (let k = 0; k < i; k++) {
        d[k] = (d[k] ?? 0) / scale;
        h += (d[k] ?? 0) * (d[k] ?? 0);
      }
      let f = d[i - 1] ?? 0;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;

      // Similarity transformation of the remaining columns.
      for (let j = 0; j < i; j++) {
        const cj = j * n;
        f = d[j] ?? 0;
        v[i * n + j] = f;
        g = (e[j] ?? 0) + (v[cj + j] ?? 0) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = v[cj + k] ?? 0;
          g += vkj * (d[k] ?? 0);
          e[k] = (e[k] ?? 0) + vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = (e[j] ?? 0) / h;
        f += (e[j] ?? 0) * (d[j] ?? 0);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = (e[j] ?? 0) - hh * (d[j] ?? 0);
      for (let j = 0; j < i; j++) {
        const cj = j * n;
        f = d[j] ?? 0;
        g = e[j] ?? 0;
        for (let k = j; k <= i - 1; k++) v[cj + k] = (v[cj + k] ?? 0) - (f * (e[k] ?? 0) + g * (d[k] ?? 0));
        d[j] = v[cj + i - 1] ?? 0;
        v[cj + i] = 0;
      }
    }
    d[i] = h;
  }

  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    const ci = i * n;
    const ci1 = (i + 1) * n;
    v[ci + n - 1] = v[ci + i] ?? 0;
    v[ci + i] = 1;
    const h = d[i + 1] ?? 0;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = (v[ci1 + k] ?? 0) / h;
      for (let j = 0; j <= i; j++) {
        const cj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += (v[ci1 + k] ?? 0) * (v[cj + k] ?? 0);
        for (let k = 0; k <= i; k++) v[cj + k] = (v[cj + k] ?? 0) - g * (d[k] ?? 0);
      }
    }
    for (let k = 0; k <= i; k++) v[ci1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1] ?? 0;
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal (d, e), rotating the columns of v. */
function tql2(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i] ?? 0;
  e[n - 1] = 0;

  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    // Find a small subdiagonal element.
    tst1 = Math.max(tst1, Math.abs(d[l] ?? 0) + Math.abs(e[l] ?? 0));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m] ?? 0) <= eps * tst1) break;
      m++;
    }
    // m === n cannot happen: e[n-1] is 0. Iterate while d[l] is not isolated.
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('symmetricEigen: QL iteration did not converge');
        // Implicit shift.
        let g = d[l] ?? 0;
        let p = ((d[l + 1] ?? 0) - g) / (2 * (e[l] ?? 0));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] ?? 0) / (p + r);
        d[l + 1] = (e[l] ?? 0) * (p + r);
        const dl1 = d[l + 1] ?? 0;
        let h = g - (d[l] ?? 0);
        for (let i = l + 2; i < n; i++) d[i] = (d[i] ?? 0) - h;
        f += h;

        // Implicit QL transformation.
        p = d[m] ?? 0;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1] ?? 0;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] ?? 0);
          h = c * p;
          r = Math.hypot(p, e[i] ?? 0);
          e[i + 1] = s * r;
          s = (e[i] ?? 0) / r;
          c = p / r;
          p = c * (d[i] ?? 0) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] ?? 0));
          // Rotate columns i and i+1 of v: both contiguous.
          const ci = i * n;
          const ci1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = v[ci1 + k] ?? 0;
            const vk = v[ci + k] ?? 0;
            v[ci1 + k] = s * vk + c * hk;
            v[ci + k] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * (e[l] ?? 0)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l] ?? 0) > eps * tst1);
    }
    d[l] = (d[l] ?? 0) + f;
    e[l] = 0;
  }
}

function sortDescending(v: Float64Array, d: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => (d[y] ?? 0) - (d[x] ?? 0));
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src] ?? 0;
    const col = v.subarray(src * n, src * n + n);
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(col[k] ?? 0) > Math.abs(col[big] ?? 0)) big = k;
    const sign = (col[big] ?? 0) < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[dst * n + k] = sign * (col[k] ?? 0);
  });
  return { n, values, vectors };
}

/**
 * Cholesky factor L (lower, row-major) with a = L L^T, or undefined when `a` is not
 * numerically positive definite (a pivot <= n * eps * max diagonal).
 */
export function cholesky(a: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i] ?? 0));
  const tiny = n * 2 ** -52 * maxDiag;
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j] ?? 0;
    for (let k = 0; k < j; k++) s -= (l[j * n + k] ?? 0) * (l[j * n + k] ?? 0);
    if (!(s > tiny)) return undefined;
    const ljj = Math.sqrt(s);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) t -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      l[i * n + j] = t / ljj;
    }
  }
  return l;
}

/**
 * Solves a X = b for the symmetric positive semi-definite n x n matrix a (normal
 * equations) and the n x m right-hand side b (row-major). Cholesky when a is
 * positive definite; otherwise the minimum-norm solution through the eigenvalues
 * of a, discarding those below n * eps * the largest, so that a regressor with no
 * variance in the training set (e.g. a PC beyond the rank of the data) gets weight 0
 * instead of breaking the fit.
 */
export function solveSymmetric(a: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  if (a.length !== n * n || b.length !== n * m) throw new Error('solveSymmetric: shape mismatch');
  const x = new Float64Array(n * m);
  const l = cholesky(a, n);
  if (l) {
    for (let c = 0; c < m; c++) {
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = b[i * m + c] ?? 0;
        for (let k = 0; k < i; k++) s -= (l[i * n + k] ?? 0) * (y[k] ?? 0);
        y[i] = s / (l[i * n + i] ?? 0);
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = y[i] ?? 0;
        for (let k = i + 1; k < n; k++) s -= (l[k * n + i] ?? 0) * (x[k * m + c] ?? 0);
        x[i * m + c] = s / (l[i * n + i] ?? 0);
      }
    }
    return x;
  }
  const { values, vectors } = symmetricEigen(a, n);
  const cut = n * 2 ** -52 * Math.max(0, values[0] ?? 0);
  for (let j = 0; j < n; j++) {
    if (!((values[j] ?? 0) > cut)) continue;
    const u = vectors.subarray(j * n, j * n + n);
    for (let c = 0; c < m; c++) {
      let ub = 0;
      for (let i = 0; i < n; i++) ub += (u[i] ?? 0) * (b[i * m + c] ?? 0);
      const coef = ub / (values[j] ?? 0);
      for (let i = 0; i < n; i++) x[i * m + c] = (x[i * m + c] ?? 0) + coef * (u[i] ?? 0);
    }
  }
  return x;
}

/**
 * Orthonormal basis (rows, length n each) of the span of the m rows of `a` (m x n),
 * by modified Gram-Schmidt applied twice; rows that add no new direction (norm below
 * 1e-10 of the largest row) are dropped, so the basis can have fewer than m rows.
 */
export function orthonormalRows(a: ArrayLike<number>, m: number, n: number): Float64Array[] {
  let maxNorm = 0;
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (a[r * n + i] ?? 0) ** 2;
    maxNorm = Math.max(maxNorm, Math.sqrt(s));
  }
  const basis: Float64Array[] = [];
  for (let r = 0; r < m; r++) {
    const q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = a[r * n + i] ?? 0;
    for (let pass = 0; pass < 2; pass++) {
      for (const u of basis) {
        const c = dot(u, q);
        for (let i = 0; i < n; i++) q[i] = (q[i] ?? 0) - c * (u[i] ?? 0);
      }
    }
    const norm = Math.sqrt(dot(q, q));
    if (norm <= 1e-10 * maxNorm || norm === 0) continue;
    for (let i = 0; i < n; i++) q[i] = (q[i] ?? 0) / norm;
    basis.push(q);
  }
  return basis;
}

export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] ?? 0) * (y[i] ?? 0);
  return s;
}
