import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { symmetricEigen } from '../../../src/core/analysis/linalg';
import { noiseCompression } from '../../../src/core/analysis/noise';
import { useBackend } from '../helpers/tf';
import { gramOf, near, randomOrthogonal, TestRandom } from './fixtures';
import { at } from '../../../src/core/checked';

const N = 20;
const T = 50;
const C = 4;
const R = 16;
const trials = C * R;

interface Trials {
  states: Float32Array;
  condition: Int32Array;
}

/**
 * 4 conditions x 16 repeats (trial b has condition b % 4, as the paper's i_tc::n_tc),
 * condition means rotating in the plane of axes a1, a2 with amplitude 6, plus
 * fluctuations with covariance L L^T (fluct(z) = L z, z standard normal).
 */
function makeTrials(rng: TestRandom, axes: Float64Array, fluct: (z: Float64Array) => Float64Array): Trials {
  const states = new Float32Array(T * trials * N);
  const condition = Int32Array.from({ length: trials }, (_, b) => b % C);
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < trials; b++) {
      const phase = 0.2 * k + (Math.PI / 2) * at(condition, b);
      const dx = fluct(rng.normals(N));
      for (let i = 0; i < N; i++) {
        const mean = 6 * (Math.cos(phase) * (axes[i] ?? NaN) + Math.sin(phase) * (axes[N + i] ?? NaN)) + 0.5;
        states[(k * trials + b) * N + i] = mean + (dx[i] ?? NaN);
      }
    }
  }
  return { states, condition };
}

/** sigma (z + (sqrt(beta) - 1) sum_u (u.z) u) for orthonormal u: covariance sigma^2 (I + (beta - 1) sum u u^T) */
function boosted(sigma: number, beta: number, dirs: Float64Array[]) {
  return (z: Float64Array) => {
    const out = Float64Array.from(z);
    for (const u of dirs) {
      const c = u.reduce((s, v, i) => s + v * at(z, i), 0) * (Math.sqrt(beta) - 1);
      for (let i = 0; i < N; i++) out[i] = (out[i] ?? NaN) + c * (u[i] ?? NaN);
    }
    return out.map((v) => sigma * v);
  };
}

/** Fluctuations around per-(condition, time) means, as the paper's notebook forms them. */
function fluctuations(t: Trials): Float64Array {
  const dx = new Float64Array(T * trials * N);
  for (let k = 0; k < T; k++) {
    for (let c = 0; c < C; c++) {
      const members = Array.from({ length: trials }, (_, b) => b).filter((b) => t.condition[b] === c);
      for (let i = 0; i < N; i++) {
        const m = members.reduce((s, b) => s + (t.states[(k * trials + b) * N + i] ?? NaN), 0) / members.length;
        for (const b of members) dx[(k * trials + b) * N + i] = (t.states[(k * trials + b) * N + i] ?? NaN) - m;
      }
    }
  }
  return dx;
}

// The loops here run millions of times per test: plain reads, where a miss reads as NaN and
// fails every comparison (at() would slow them past the timeout).

/** Unbiased variance of dx . v over all samples (torch's var). */
function varianceAlong(dx: Float64Array, v: Float64Array): number {
  const M = dx.length / N;
  let s = 0;
  let s2 = 0;
  for (let r = 0; r < M; r++) {
    let p = 0;
    for (let i = 0; i < N; i++) p += (dx[r * N + i] ?? NaN) * (v[i] ?? NaN);
    s += p;
    s2 += p * p;
  }
  return (s2 - (s * s) / M) / (M - 1);
}

/** Mean and standard error of the variances along `count` random unit vectors of span(basis). */
function sampledVariance(dx: Float64Array, basis: Float64Array[], count: number, rng: TestRandom) {
  const values: number[] = [];
  for (let n = 0; n < count; n++) {
    const v = new Float64Array(N);
    for (const u of basis) {
      const c = rng.normal();
      for (let i = 0; i < N; i++) v[i] = (v[i] ?? NaN) + c * (u[i] ?? NaN);
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    values.push(varianceAlong(dx, v.map((x) => x / norm)));
  }
  const mean = values.reduce((a, b) => a + b, 0) / count;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (count - 1));
  return { mean, se: sd / Math.sqrt(count) };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`analysis/noise compression (docs/science.md §4.5) on ${backend}`, () => {
    before(() => useBackend(backend));
    const rng = new TestRandom(51);
    const q = randomOrthogonal(N, rng);
    const axes = q.subarray(0, 2 * N);
    const w = Float64Array.from(q.subarray(5 * N, 6 * N), (v) => 0.3 * v); // |w_out| = 0.3, orthogonal to the PC plane

    it('isotropic fluctuations give ratios of about 1', async () => {
      const t = makeTrials(rng, axes, boosted(0.5, 1, []));
      const r = await noiseCompression({ ...t, T, trials }, N, w, 1);
      assert.ok(near(r.noise_ratio, 1, 0.1), `noise_ratio ${r.noise_ratio}`);
      assert.ok(near(r.noise_ratio_pc, 1, 0.1), `noise_ratio_pc ${r.noise_ratio_pc}`);
      // per-direction variance sigma^2 (R-1)/R from the per-condition mean
      assert.ok(near(r.var_rand, 0.25 * (15 / 16), 0.05), `var_rand ${r.var_rand}`);
    });

    it('variance concentrated along w_out: ratio beta N / (N - 1 + beta)', async () => {
      const u = w.map((v) => v / 0.3);
      const t = makeTrials(rng, axes, boosted(0.5, 25, [u]));
      const r = await noiseCompression({ ...t, T, trials }, N, w, 1);
      assert.ok(near(r.noise_ratio, (25 * N) / (N - 1 + 25), 0.1), `noise_ratio ${r.noise_ratio}`);
      assert.ok(r.noise_ratio > 10);
    });

    it('suppressed along w_out: ratio beta N / (N - 1 + beta), small', async () => {
      const u = w.map((v) => v / 0.3);
      const t = makeTrials(rng, axes, boosted(0.5, 0.04, [u]));
      const r = await noiseCompression({ ...t, T, trials }, N, w, 1);
      assert.ok(near(r.noise_ratio, (0.04 * N) / (N - 1 + 0.04), 0.15), `noise_ratio ${r.noise_ratio}`);
      assert.ok(r.noise_ratio < 0.1);
      assert.ok(near(r.noise_ratio_pc, N / (N - 1 + 0.04), 0.1));
    });

    it('noise_ratio_tmin leaves out the early time points: a leak along w_out before kMin shows only in noise_ratio', async () => {
      const u = w.map((v) => v / 0.3);
      // the first 10 of 50 time points fluctuate 100x more along w_out, the rest are isotropic
      const early = makeTrials(rng, axes, boosted(0.5, 100, [u]));
      const late = makeTrials(rng, axes, boosted(0.5, 1, []));
      const states = late.states.slice();
      states.set(early.states.subarray(0, 10 * trials * N));
      const r = await noiseCompression({ states, condition: late.condition, T, trials }, N, w, 1, { kMin: 10 });
      assert.ok(near(r.noise_ratio_tmin, 1, 0.12), `noise_ratio_tmin ${r.noise_ratio_tmin}`);
      // all time points: var_out = (10 * 100 + 40) / 50 sigma^2, var_rand = (10 (N - 1 + 100) + 40 N) / (50 N) sigma^2
      assert.ok(near(r.noise_ratio, (1040 / 50) / ((10 * (N - 1 + 100) + 40 * N) / (50 * N)), 0.12), `noise_ratio ${r.noise_ratio}`);
      const same = await noiseCompression({ states, condition: late.condition, T, trials }, N, w, 1, { kMin: 0 });
      assert.equal(same.noise_ratio_tmin, same.noise_ratio);
    });

    it('variance in the plane of the condition-averaged PCs shows in noise_ratio_pc', async () => {
      const t = makeTrials(rng, axes, boosted(0.5, 9, [axes.slice(0, N), axes.slice(N, 2 * N)]));
      const r = await noiseCompression({ ...t, T, trials }, N, w, 1);
      assert.ok(near(r.noise_ratio_pc, (9 * N) / (N - 2 + 18), 0.1), `noise_ratio_pc ${r.noise_ratio_pc}`);
      assert.ok(near(r.noise_ratio, N / (N - 2 + 18), 0.1));
    });

    it("equals the mean of the paper's sampled directions (2000 random, 1000 output, 1000 PC) within 4 s.e.", async () => {
      // anisotropic fluctuations, two non-orthogonal readouts, arbitrary condition labels
      const l = Float64Array.from({ length: N * N }, () => 0.15 * rng.normal());
      const t = makeTrials(rng, axes, (z) => Float64Array.from({ length: N }, (_, i) => {
        let s = 0;
        for (let j = 0; j < N; j++) s += (l[i * N + j] ?? NaN) * (z[j] ?? NaN);
        return s;
      }));
      const labels = Int32Array.from(t.condition, (c) => at([7, 3, -1, 12], c));
      const w2 = Float64Array.from({ length: 2 * N }, (_, k) => (k < N ? at(q, 3 * N + k) + 0.5 * at(q, 4 * N + k) : at(q, 4 * N + (k - N))));
      const r = await noiseCompression({ states: t.states, condition: labels, T, trials }, N, w2, 2);

      const dx = fluctuations(t);
      const identity = Array.from({ length: N }, (_, i) => Float64Array.from({ length: N }, (_, j) => (i === j ? 1 : 0)));
      const random = sampledVariance(dx, identity, 2000, rng);
      // orthonormal basis of span(W_out rows), computed here by hand
      const e1 = w2.slice(0, N).map((v, _, a) => v / Math.sqrt(a.reduce((s, x) => s + x * x, 0)));
      const r2 = w2.slice(N);
      const c12 = e1.reduce((s, v, i) => s + v * at(r2, i), 0);
      const e2raw = r2.map((v, i) => v - c12 * at(e1, i));
      const e2 = e2raw.map((v) => v / Math.sqrt(e2raw.reduce((s, x) => s + x * x, 0)));
      const output = sampledVariance(dx, [e1, e2], 1000, rng);
      // top-2 PCs of the condition averages, over all conditions and time points
      const avg = new Float64Array(T * C * N);
      for (let k = 0; k < T; k++) {
        for (let b = 0; b < trials; b++) {
          for (let i = 0; i < N; i++) avg[(k * C + (t.condition[b] ?? NaN)) * N + i] = at(avg, (k * C + (t.condition[b] ?? NaN)) * N + i) + (t.states[(k * trials + b) * N + i] ?? NaN) / R;
        }
      }
      const mu = Float64Array.from({ length: N }, (_, i) => {
        let s = 0;
        for (let r0 = 0; r0 < T * C; r0++) s += (avg[r0 * N + i] ?? NaN);
        return s / (T * C);
      });
      const pcs = symmetricEigen(gramOf(avg.map((v, k) => v - at(mu, k % N)), T * C, N), N).vectors;
      const pc = sampledVariance(dx, [pcs.slice(0, N), pcs.slice(N, 2 * N)], 1000, rng);

      assert.ok(Math.abs(r.var_rand - random.mean) < 4 * random.se, `rand ${r.var_rand} vs ${random.mean} +- ${random.se}`);
      assert.ok(Math.abs(r.var_out - output.mean) < 4 * output.se, `out ${r.var_out} vs ${output.mean} +- ${output.se}`);
      assert.ok(Math.abs(r.var_pc - pc.mean) < 4 * pc.se, `pc ${r.var_pc} vs ${pc.mean} +- ${pc.se}`);
      assert.ok(near(r.noise_ratio, r.var_out / r.var_rand, 1e-12));
      assert.ok(near(r.noise_ratio_pc, r.var_pc / r.var_rand, 1e-12));
    });

    it('leaks no tensors and rejects mismatched shapes', async () => {
      const t = makeTrials(rng, axes, boosted(0.5, 1, []));
      const before = tf.memory().numTensors;
      await noiseCompression({ ...t, T, trials }, N, w, 1);
      assert.equal(tf.memory().numTensors, before);
      await assert.rejects(noiseCompression({ ...t, T, trials: trials - 1 }, N, w, 1), /shape mismatch/);
    });
  });
}
