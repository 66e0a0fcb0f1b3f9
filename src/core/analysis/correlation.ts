/**
 * The correlation rho between the output weights and the states: docs/science.md §4.1,
 * helpers.gen_corr(W_out, X), first value (the one the figures use).
 */

export interface Correlation {
  /**
   * The paper's measure: rho = ||W X^T||_F / sqrt(||W W^T||_F ||X^T X||_F) with every
   * row of W (outputs) and of X (state samples) centred across the N neurons.
   * 0 when W or X is zero after centring, as in gen_corr.
   */
  readonly rho: number;
  /**
   * ||W X^T||_F / (||W||_F ||X||_F) with the same centring. For reference only: NOT
   * the paper's measure (for 4-D activity it is about 0.7 rho; docs/science.md §4.1 item 4).
   */
  readonly rho_naive: number;
  /** participation ratio (tr G)^2 / ||G||_F^2 of the row-centred Gram G = X^T X */
  readonly pr_x: number;
  /** participation ratio of the row-centred W W^T */
  readonly pr_w: number;
}

/**
 * rho from the plain Gram matrix X^T X (N x N, float64) of the state samples and
 * W_out (dOut x N, row-major).
 *
 * Centring each state sample across neurons is X P with P = I - 1 1^T / N, so the
 * row-centred Gram is P G P and one Gram serves both this and the PCA. As every
 * centred row w of W satisfies w P = w, the numerator is sum_o w_o^T (P G P) w_o.
 */
export function correlationFromGram(
  wOut: ArrayLike<number>,
  dOut: number,
  N: number,
  gram: Float64Array,
): Correlation {
  if (wOut.length !== dOut * N || gram.length !== N * N) throw new Error('correlationFromGram: shape mismatch');
  const w = centreRows(wOut, dOut, N);
  const g = centreGram(gram, N);

  // ||W X^T||_F^2 = sum_o w_o^T G w_o
  let cross2 = 0;
  const gw = new Float64Array(N);
  for (let o = 0; o < dOut; o++) {
    const wo = w.subarray(o * N, o * N + N);
    gw.fill(0);
    for (let i = 0; i < N; i++) {
      const wi = wo[i] ?? 0;
      if (wi === 0) continue;
      const gi = i * N;
      for (let j = 0; j < N; j++) gw[j] = (gw[j] ?? 0) + (g[gi + j] ?? 0) * wi;
    }
    for (let j = 0; j < N; j++) cross2 += (wo[j] ?? 0) * (gw[j] ?? 0);
  }
  cross2 = Math.max(0, cross2);

  let wwF2 = 0;
  let wF2 = 0;
  for (let a = 0; a < dOut; a++) {
    for (let b = 0; b < dOut; b++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += (w[a * N + i] ?? 0) * (w[b * N + i] ?? 0);
      wwF2 += s * s;
      if (a === b) wF2 += s;
    }
  }
  let gF2 = 0;
  let trace = 0;
  for (let k = 0; k < N * N; k++) gF2 += (g[k] ?? 0) * (g[k] ?? 0);
  for (let i = 0; i < N; i++) trace += g[i * N + i] ?? 0;

  const wwF = Math.sqrt(wwF2);
  const gF = Math.sqrt(gF2);
  if (wwF === 0 || gF === 0) return { rho: 0, rho_naive: 0, pr_x: 0, pr_w: 0 };
  const cross = Math.sqrt(cross2);
  return {
    rho: cross / Math.sqrt(wwF * gF),
    rho_naive: cross / Math.sqrt(wF2 * trace),
    pr_x: (trace * trace) / gF2,
    pr_w: (wF2 * wF2) / wwF2,
  };
}

/** Rows of the m x n matrix a, each minus its mean over the n columns. */
export function centreRows(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[r * n + i] ?? 0;
    const mu = s / n;
    for (let i = 0; i < n; i++) out[r * n + i] = (a[r * n + i] ?? 0) - mu;
  }
  return out;
}

/** P G P with P = I - 1 1^T / N: the Gram of the samples after centring each across neurons. */
export function centreGram(gram: Float64Array, N: number): Float64Array {
  const rowMean = new Float64Array(N);
  let total = 0;
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += gram[i * N + j] ?? 0;
    rowMean[i] = s / N;
    total += s;
  }
  const grand = total / (N * N);
  const out = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) out[i * N + j] = (gram[i * N + j] ?? 0) - (rowMean[i] ?? 0) - (rowMean[j] ?? 0) + grand;
  }
  return out;
}
