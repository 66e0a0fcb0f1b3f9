/**
 * The recordings analysis (docs/science.md §4.9) on synthetic populations with a known
 * answer: a low-dimensional latent embedded in N neurons, the behaviour read out along
 * a high-variance or a low-variance latent direction; and the neuron-subsampling curve
 * for behaviour carried by the dominant latent (rho sqrt n ~ n^(1/2)) or spread evenly
 * over independent neurons (rho sqrt n flat).
 */
import * as assert from 'node:assert/strict';
import { useBackend } from '../helpers/tf';
import { analyseRecording, logLogSlope } from '../../../src/core/recording/analyse';
import { makeRng } from '../../../src/core/rng';
import { TestRandom } from '../analysis/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceCases } from './reference-cases';
import { at, defined } from '../../../src/core/checked';

/** 3 latents with sds 3, 2, 0.5, embedded by random unit vectors in N neurons, plus small private noise. */
function latentPopulation(seed: number, S: number, N: number) {
  const rng = new TestRandom(seed);
  const sds = [3, 2, 0.5];
  const z = Array.from({ length: S }, (_, s) => sds.map((sd, j) => sd * Math.sin(0.05 * s * (j + 1) + j) + 0.1 * sd * rng.normal()));
  const emb = sds.map(() => rng.unitVector(N));
  const x = new Float64Array(S * N);
  for (let s = 0; s < S; s++) for (let i = 0; i < N; i++) x[s * N + i] = 1 + sds.reduce((v, _, j) => v + Math.sqrt(N) * at(at(z, s), j) * at(at(emb, j), i), 0) + 0.05 * rng.normal();
  return { x, z };
}

describe('recording/analyse: where a population sits', function () {
  this.timeout(120_000);
  before(() => useBackend('wasm'));
  const S = 600, N = 40;

  it('behaviour along the high-variance latent: large rho, D_fit 1, small relative fitting dimension (aligned-like)', async () => {
    const { x, z } = latentPopulation(1, S, N);
    const y = Float64Array.from(z, (r) => at(r, 0));
    const r = await analyseRecording(x, y, S, N, 1, { rng: makeRng(1, 'sub'), draws: 5 });
    assert.equal(r.N, N);
    assert.equal(r.samples, S);
    assert.equal(r.d_var, 2, `D_var ${r.d_var} (variances 9, 4, 0.25 of 13.25)`);
    assert.equal(r.d_fit, 1);
    assert.equal(r.rel_fit_dim, 0.5);
    assert.ok(r.r2 > 0.99, `R2 ${r.r2}`);
    assert.ok(r.rho > 0.7, `rho ${r.rho}`);
    assert.ok(Math.abs(r.rho_sqrtN - r.rho * Math.sqrt(N)) < 1e-12);
    // participation ratio of variances about 9, 4, 0.25: 13.25^2 / (81 + 16 + 0.0625)
    assert.ok(Math.abs(r.participation_ratio - 13.25 ** 2 / 97.06) < 0.25, `PR ${r.participation_ratio}`);
    assert.deepEqual(r.r2_curve.length, 1);
  });

  it('behaviour along the low-variance latent: small rho, D_fit 3 > D_var (oblique-like)', async () => {
    const { x, z } = latentPopulation(2, S, N);
    const y = Float64Array.from(z, (r) => at(r, 2));
    const r = await analyseRecording(x, y, S, N, 1, { rng: makeRng(1, 'sub'), draws: 5 });
    assert.equal(r.d_var, 2);
    assert.equal(r.d_fit, 3);
    assert.equal(r.rel_fit_dim, 1.5);
    assert.ok(r.r2 > 0.95, `R2 ${r.r2}`);
    assert.ok(r.rho < 0.25, `rho ${r.rho}`);
    assert.equal(r.r2_curve.length, 3);
    assert.ok(at(r.r2_curve, 1) < 0.9 * r.r2, 'two components do not fit it');
  });

  it('subsampling: rho sqrt(n) grows like n^(1/2) when the dominant latent is decoded, stays flat for a readout spread over independent neurons', async () => {
    const { x, z } = latentPopulation(3, S, N);
    const aligned = await analyseRecording(x, Float64Array.from(z, (r) => at(r, 0)), S, N, 1, { rng: makeRng(2, 'sub'), draws: 8 });
    assert.deepEqual(aligned.subsample.map((p) => p.n), [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    assert.ok(aligned.subsample.every((p) => p.draws === 8));
    assert.ok(defined(aligned.subsample_slope) > 0.35 && defined(aligned.subsample_slope) < 0.8, `slope ${aligned.subsample_slope}`);
    assert.equal(at(aligned.subsample, 9).mean, aligned.rho_sqrtN, 'all neurons: the full fit');
    assert.equal(at(aligned.subsample, 9).sd, 0);

    // independent unit-variance neurons, behaviour = their sum / sqrt(N) plus noise: rho ~ 1/sqrt(n)
    const rng = new TestRandom(4);
    const M = 120, Sx = 3000;
    const xi = rng.normals(Sx * M);
    const y = new Float64Array(Sx);
    for (let s = 0; s < Sx; s++) {
      let v = 0;
      for (let i = 0; i < M; i++) v += at(xi, s * M + i);
      y[s] = v / Math.sqrt(M) + 0.1 * rng.normal();
    }
    const spread = await analyseRecording(xi, y, Sx, M, 1, { rng: makeRng(3, 'sub'), draws: 4 });
    assert.ok(Math.abs(defined(spread.subsample_slope)) < 0.1, `slope ${spread.subsample_slope}`);
    for (const p of spread.subsample) assert.ok(Math.abs(p.mean - 1) < 0.15, `n ${p.n}: rho sqrt(n) ${p.mean}`);
  });

  it('the log-log slope is the least-squares slope', () => {
    assert.ok(Math.abs(defined(logLogSlope([{ n: 10, mean: 10 ** 0.25 }, { n: 100, mean: 100 ** 0.25 }, { n: 1000, mean: 1000 ** 0.25 }])) - 0.25) < 1e-12);
    assert.equal(logLogSlope([{ n: 10, mean: 1 }]), null);
  });

  it('refuses constant behaviour and too few samples, with a sentence', async () => {
    await assert.rejects(analyseRecording(new Float64Array(20), new Float64Array(10).fill(3), 10, 2, 1, { rng: makeRng(1, 's') }), /constant/);
    await assert.rejects(analyseRecording(new Float64Array(4), new Float64Array(2), 2, 2, 1, { rng: makeRng(1, 's') }), /at least 3 samples/);
  });
});

describe('recording/analyse against scikit-learn (the authors\' comp_ridge with RidgeCV)', function () {
  this.timeout(120_000);
  before(() => useBackend('wasm'));
  const reference = readFileSync(join(__dirname, 'sklearn-reference.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {
    file: string; alpha: number; r2: number; rho: number; rho_sqrtN: number; participation_ratio: number; d_var: number; d_fit: number | null; rel_fit_dim: number | null; r2_curve: number[];
  });
  for (const c of referenceCases()) {
    it(`${c.name}: alpha, R^2, rho, participation ratio, D_var, D_fit and the R^2 curve`, async () => {
      const ref = defined(reference.find((r) => r.file === c.name));
      const [trials, T, N] = c.shape;
      const r = await analyseRecording(c.activity, c.behaviour, trials * T, N, c.d, { rng: makeRng(1, 'sub'), draws: 2 });
      const close = (a: number, b: number, what: string, tol = 1e-7) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs sklearn ${b}`);
      close(r.alpha, ref.alpha, 'alpha', 1e-12);
      close(r.r2, ref.r2, 'R^2');
      close(r.rho, ref.rho, 'rho');
      close(r.rho_sqrtN, ref.rho_sqrtN, 'rho sqrt N');
      close(r.participation_ratio, ref.participation_ratio, 'PR');
      assert.equal(r.d_var, ref.d_var);
      assert.equal(r.d_fit, ref.d_fit);
      assert.equal(r.rel_fit_dim, ref.rel_fit_dim);
      assert.equal(r.r2_curve.length, ref.r2_curve.length);
      r.r2_curve.forEach((v, k) => close(v, at(ref.r2_curve, k), `R^2 with ${k + 1} components`));
    });
  }
});

describe('recording/analyse: the subsampling refits agree with the full fit', function () {
  this.timeout(120_000);
  before(() => useBackend('wasm'));
  it('all neurons through the backend projection give the full fit\'s rho, also for noise-free low-rank activity read out along weak directions', async () => {
    // noise-free: 4 strong latents in 60 neurons, plus a weak one that carries the output (oblique-like, tiny eigenvalues beyond)
    const rng = new TestRandom(9);
    const S = 800, N = 60;
    const emb = Array.from({ length: 5 }, () => rng.unitVector(N));
    const sds = [5, 4, 3, 2, 0.05];
    const x = new Float64Array(S * N);
    const y = new Float64Array(S * 2);
    for (let s = 0; s < S; s++) {
      const z = sds.map((sd, j) => sd * Math.sin(0.02 * s * (j + 1) + j));
      for (let i = 0; i < N; i++) x[s * N + i] = z.reduce((v, zj, j) => v + Math.sqrt(N) * zj * at(at(emb, j), i), 0);
      y[s * 2] = at(z, 4) * 20;
      y[s * 2 + 1] = at(z, 0) * 0.1 + at(z, 4) * 10;
    }
    const { gramOf, eigenDesign, ridgeCV, neuronCoefficients } = await import('../../../src/core/recording/ridge');
    const { designOnBackend, readoutCorrelation } = await import('../../../src/core/recording/analyse');
    const mean = (a: Float64Array, n: number) => {
      const m = new Float64Array(n);
      for (let s = 0; s < a.length / n; s++) for (let i = 0; i < n; i++) m[i] = at(m, i) + at(a, s * n + i) / (a.length / n);
      return a.map((v, k) => v - at(m, k % n));
    };
    const X = mean(x, N), Y = mean(y, 2);
    const g = gramOf(X, S, N);
    const exact = ridgeCV(eigenDesign(X, S, N, g), Y, 2);
    const exactDesign = eigenDesign(X, S, N, g);
    const rhoExact = readoutCorrelation(g, N, neuronCoefficients(exactDesign, exact, 2), 2);
    const backend = await designOnBackend(X, S, N, g, Y, 2);
    const fit = ridgeCV(backend, Y, 2);
    const rho = readoutCorrelation(g, N, neuronCoefficients(backend, fit, 2), 2);
    assert.equal(fit.alpha, exact.alpha);
    assert.ok(Math.abs(rho - rhoExact) < 1e-4 * rhoExact, `rho ${rho} through the backend vs ${rhoExact}`);
  });
});
