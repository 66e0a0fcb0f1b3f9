/**
 * Test fixtures for the analysis measures: a seeded generator, brute-force float64
 * reference computations written independently of src/core/analysis, and data sets
 * with a constructed covariance.
 */
import type { Gram } from '../../../src/core/analysis/gram';
import { at } from '../../../src/core/checked';

/** mulberry32 uniform stream with Box-Muller normals; seeded so failures replay. */
export class TestRandom {
  private state: number;
  private spare: number | undefined;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  normals(n: number, scale = 1): Float64Array {
    return Float64Array.from({ length: n }, () => scale * this.normal());
  }
  unitVector(n: number): Float64Array {
    const v = this.normals(n);
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / norm);
  }
}

/** n x n orthogonal matrix, rows orthonormal: Gram-Schmidt of Gaussian rows. */
export function randomOrthogonal(n: number, rng: TestRandom): Float64Array {
  const q = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    const v = rng.normals(n);
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < r; p++) {
        let c = 0;
        for (let i = 0; i < n; i++) c += at(q, p * n + i) * at(v, i);
        for (let i = 0; i < n; i++) v[i] = at(v, i) - c * at(q, p * n + i);
      }
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    for (let i = 0; i < n; i++) q[r * n + i] = at(v, i) / norm;
  }
  return q;
}

/** sum_j values[j] q_j q_j^T for the rows q_j of q. */
export function fromSpectrum(q: Float64Array, values: ArrayLike<number>, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let j = 0; j < values.length; j++) {
    for (let r = 0; r < n; r++) {
      const c = at(values, j) * at(q, j * n + r);
      for (let s = 0; s < n; s++) a[r * n + s] = at(a, r * n + s) + c * at(q, j * n + s);
    }
  }
  return a;
}

/** Plain float64 A^T A of a row-major m x n matrix. */
export function gramOf(x: ArrayLike<number>, m: number, n: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let s = 0; s < m; s++) {
    for (let i = 0; i < n; i++) {
      const xi = at(x, s * n + i);
      for (let j = 0; j < n; j++) g[i * n + j] = at(g, i * n + j) + xi * at(x, s * n + j);
    }
  }
  return g;
}

/** A B^T for row-major A (m x n) and B (p x n). */
export function timesTranspose(a: ArrayLike<number>, m: number, b: ArrayLike<number>, p: number, n: number): Float64Array {
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += at(a, i * n + k) * at(b, j * n + k);
      out[i * p + j] = s;
    }
  }
  return out;
}

export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += at(a, i) * at(a, i);
  return Math.sqrt(s);
}

/** Each row minus its mean across the columns. */
export function rowCentred(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    let mu = 0;
    for (let i = 0; i < n; i++) mu += at(a, r * n + i) / n;
    for (let i = 0; i < n; i++) out[r * n + i] = at(a, r * n + i) - mu;
  }
  return out;
}

/**
 * gen_corr(W, X) of the authors' helpers.py transcribed literally: centre rows, then
 * the smaller Gram of X (X^T X or X X^T) and of W.
 */
export function genCorrReference(w: ArrayLike<number>, dOut: number, x: ArrayLike<number>, S: number, N: number): number {
  const wc = rowCentred(w, dOut, N);
  const xc = rowCentred(x, S, N);
  const nXX = S > N ? frobenius(gramOf(xc, S, N)) : frobenius(timesTranspose(xc, S, xc, S, N));
  const nWW = dOut > N ? frobenius(gramOf(wc, dOut, N)) : frobenius(timesTranspose(wc, dOut, wc, dOut, N));
  if (nXX === 0 || nWW === 0) return 0;
  return frobenius(timesTranspose(xc, S, wc, dOut, N)) / Math.sqrt(nXX * nWW);
}

/** Close enough in relative terms (with an absolute floor). */
export function near(actual: number, expected: number, rel: number, abs = 0): boolean {
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.abs(expected));
}

/**
 * Zero-mean sample signals that are exactly orthogonal over the S samples: DCT-II
 * vectors cos(pi (s + 1/2) m / S), m = 1.. (each sums to zero and has squared norm S/2).
 */
export function dctSignal(m: number, s: number, S: number): number {
  return Math.cos((Math.PI * (s + 0.5) * m) / S);
}

/**
 * States [T][B][N] whose S samples with k >= kMin have mean `mean` and exactly the
 * unbiased covariance sum_j amp_j^2 S/(S-1) axes_j axes_j^T (up to float32 rounding):
 * the coordinate along axis j is amp_j sqrt(2) times DCT signal j+1 over the samples,
 * so explained-variance ratios are amp_j^2 / sum amp^2. Earlier steps (the grace
 * period) hold Gaussian coordinates of scale preScale along the same axes.
 */
export function constructedStates(opts: {
  T: number;
  B: number;
  N: number;
  kMin: number;
  axes: Float64Array;
  amps: readonly number[];
  mean: ArrayLike<number>;
  rng: TestRandom;
  preScale?: number;
}): Float32Array {
  const { T, B, N, kMin, axes, amps, mean, rng } = opts;
  const S = (T - kMin) * B;
  const states = new Float32Array(T * B * N);
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < B; b++) {
      const o = (k * B + b) * N;
      for (let i = 0; i < N; i++) states[o + i] = at(mean, i);
      amps.forEach((amp, j) => {
        const c =
          k >= kMin
            ? amp * Math.SQRT2 * dctSignal(j + 1, (k - kMin) * B + b, S)
            : (opts.preScale ?? amp) * rng.normal();
        for (let i = 0; i < N; i++) states[o + i] = at(states, o + i) + c * at(axes, j * N + i);
      });
    }
  }
  return states;
}

/** The Gram record of computeGram, built in plain float64 (no tfjs) for exact tests. */
export function exactGram(x: ArrayLike<number>, S: number, N: number): Gram {
  const colSums = new Float64Array(N);
  for (let s = 0; s < S; s++) for (let i = 0; i < N; i++) colSums[i] = at(colSums, i) + at(x, s * N + i);
  const mean = colSums.map((v) => v / S);
  const xc = Float64Array.from({ length: S * N }, (_, k) => at(x, k) - at(mean, k % N));
  return { N, S, colSums, mean, gram: gramOf(x, S, N), centred: gramOf(xc, S, N) };
}
