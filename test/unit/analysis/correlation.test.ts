import * as assert from 'node:assert/strict';
import { correlationFromGram } from '../../../src/core/analysis/correlation';
import { symmetricEigen } from '../../../src/core/analysis/linalg';
import { genCorrReference, gramOf, near, rowCentred, TestRandom, timesTranspose } from './fixtures';
import { at } from '../../../src/core/checked';

/** rho straight from the samples, through the plain Gram as the pipeline does. */
function rhoOf(w: ArrayLike<number>, dOut: number, x: ArrayLike<number>, S: number, N: number) {
  return correlationFromGram(w, dOut, N, gramOf(x, S, N));
}

describe('analysis/correlation (docs/science.md §4.1)', () => {
  it('one output, one sample: |w.x| / (|w||x|) after centring, by hand', () => {
    // w = (1,2,3) -> (-1,0,1); x = (2,0,1) -> (1,-1,0); w.x = -1, |w| = |x| = sqrt2 -> 1/2.
    const c = rhoOf([1, 2, 3], 1, [2, 0, 1], 1, 3);
    assert.ok(Math.abs(c.rho - 0.5) < 1e-15);
    // with one sample and one output the naive value is the same number
    assert.ok(Math.abs(c.rho_naive - 0.5) < 1e-15);
  });

  it('rho = 1 when every state lies on the line of w (one output)', () => {
    const rng = new TestRandom(21);
    const N = 30;
    const w = rng.normals(N);
    const S = 40;
    const x = new Float64Array(S * N);
    // x_s = c_s w + a_s 1: the constant shift per sample is removed by the centring.
    for (let s = 0; s < S; s++) {
      const c = rng.normal();
      const a = 5 * rng.normal();
      for (let i = 0; i < N; i++) x[s * N + i] = c * at(w, i) + a;
    }
    assert.ok(Math.abs(rhoOf(w, 1, x, S, N).rho - 1) < 1e-12);
  });

  it('rho = 1 for several outputs along one line, and for X^T X proportional to W^T W', () => {
    const rng = new TestRandom(22);
    const N = 25;
    const u = rng.normals(N);
    // outputs w and -2.5 w; states c_s w
    const w = Float64Array.from({ length: 2 * N }, (_, k) => (k < N ? at(u, k) : -2.5 * at(u, k - N)));
    const S = 10;
    const x = Float64Array.from({ length: S * N }, (_, k) => (1 + Math.floor(k / N)) * at(u, k % N));
    assert.ok(Math.abs(rhoOf(w, 2, x, S, N).rho - 1) < 1e-12);
    // three independent readouts; the samples are the readouts themselves (X = W): equality in Cauchy-Schwarz
    const w3 = rng.normals(3 * N);
    assert.ok(Math.abs(rhoOf(w3, 3, w3, 3, N).rho - 1) < 1e-12);
    // ... but not when the readouts are not orthogonal-equivalent to the states
    const x3 = Float64Array.from(w3, (v, k) => (k < N ? 3 * v : v));
    assert.ok(rhoOf(w3, 3, x3, 3, N).rho < 0.99);
  });

  it('rho = 0 when the states are orthogonal to w', () => {
    // w = (1,-1,0,0), states in span{(0,0,1,-1)}
    const c = rhoOf([1, -1, 0, 0], 1, [0, 0, 2, -2, 0, 0, -1, 1], 2, 4);
    assert.equal(c.rho, 0);
  });

  it('matches the literal gen_corr on random data, and lies in [0, 1]', () => {
    const rng = new TestRandom(23);
    const shapes: [number, number, number][] = [
      [50, 8, 1],
      [7, 20, 3],
      [64, 16, 2],
      [3, 5, 4],
    ];
    for (const [S, N, dOut] of shapes) {
      const w = rng.normals(dOut * N);
      const x = Float64Array.from(rng.normals(S * N), (v, k) => v + 0.3 * (k % N));
      const c = rhoOf(w, dOut, x, S, N);
      const ref = genCorrReference(w, dOut, x, S, N);
      assert.ok(near(c.rho, ref, 1e-10), `S=${S} N=${N} d=${dOut}: ${c.rho} vs ${ref}`);
      assert.ok(c.rho >= 0 && c.rho <= 1);
      assert.ok(c.rho_naive >= 0 && c.rho_naive <= 1);
    }
  });

  it('rho = rho_naive (PR_X PR_W)^(1/4) with PR from independently computed spectra (4.1 item 4)', () => {
    const rng = new TestRandom(24);
    const N = 15;
    const S = 60;
    const dOut = 3;
    // anisotropic states: a few strong directions
    const x = new Float64Array(S * N);
    for (let s = 0; s < S; s++) {
      for (let i = 0; i < N; i++) x[s * N + i] = rng.normal() * (i < 3 ? 4 / (i + 1) : 0.2);
    }
    const w = rng.normals(dOut * N);
    const c = rhoOf(w, dOut, x, S, N);
    const pr = (values: Float64Array) => values.reduce((a, b) => a + b, 0) ** 2 / values.reduce((a, b) => a + b * b, 0);
    const xc = rowCentred(x, S, N);
    const wc = rowCentred(w, dOut, N);
    const prX = pr(symmetricEigen(gramOf(xc, S, N), N).values);
    const prW = pr(symmetricEigen(timesTranspose(wc, dOut, wc, dOut, N), dOut).values);
    assert.ok(near(c.pr_x, prX, 1e-10) && near(c.pr_w, prW, 1e-10));
    assert.ok(near(c.rho, c.rho_naive * (prX * prW) ** 0.25, 1e-10));
    // the naive value under-reads for multi-dimensional activity
    assert.ok(c.rho_naive < c.rho);
  });

  it('is 0 (like gen_corr) for all-constant states', () => {
    const c = rhoOf([1, 2, 3], 1, [4, 4, 4, 1, 1, 1], 2, 3);
    assert.deepEqual(c, { rho: 0, rho_naive: 0, pr_x: 0, pr_w: 0 });
  });
});
