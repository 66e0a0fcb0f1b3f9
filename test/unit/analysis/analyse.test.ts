import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { analyseStates, type AnalysisInput } from '../../../src/core/analysis/index';
import { useBackend } from '../helpers/tf';
import { constructedStates, genCorrReference, near, randomOrthogonal, TestRandom } from './fixtures';
import { at } from '../../../src/core/checked';

const T = 40;
const B = 8;
const kMin = 10;
const N = 24;
const S = (T - kMin) * B;
const amps = [5, 3, 2, 1.2, 0.6];
const total = amps.reduce((s, a) => s + a * a, 0); // 39.8: cumulative 0.63, 0.85, 0.95 -> D_x = 3

/** z = W_out x for every state, [T][B][dOut]. */
function readout(states: Float32Array, w: Float64Array, dOut: number): Float32Array {
  const z = new Float32Array(T * B * dOut);
  for (let s = 0; s < T * B; s++) {
    for (let o = 0; o < dOut; o++) {
      let v = 0;
      for (let i = 0; i < N; i++) v += at(w, o * N + i) * at(states, s * N + i);
      z[s * dOut + o] = v;
    }
  }
  return z;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`analysis/analyseStates on ${backend}`, () => {
    before(() => useBackend(backend));
    const rng = new TestRandom(71);
    const q = randomOrthogonal(N, rng);
    const mean = Float64Array.from({ length: N }, (_, i) => 0.5 * Math.sin(i));
    const states = constructedStates({ T, B, N, kMin, axes: q, amps, mean, rng, preScale: 1 });
    const row = (j: number, scale: number) => q.slice(j * N, j * N + N).map((v) => v * scale);

    function input(w: Float64Array, dOut: number, extra: Partial<AnalysisInput> = {}): AnalysisInput {
      return { states, outputs: readout(states, w, dOut), wOut: w, T, B, N, dOut, kMin, ...extra };
    }

    it('computes only the measures asked for: the others are null, the norms and the view stay', async () => {
      const w = row(2, 0.4);
      const none = await analyseStates({ ...input(w, 1), measures: { correlation: false, dimensions: false } });
      for (const k of ['rho', 'rho_naive', 'rho_sqrtN', 'dx90', 'dfit90'] as const) assert.equal(none[k], null, k);
      assert.deepEqual(none.r2_curve, []);
      assert.ok(near(none.w_out_norm, 0.4, 1e-12));
      assert.equal(none.explained_variance.length, 10);
      assert.ok(none.projection.pca.trajectories.length > 0);
      const onlyCorr = await analyseStates({ ...input(w, 1), measures: { correlation: true, dimensions: false } });
      assert.equal(typeof onlyCorr.rho, 'number');
      assert.equal(onlyCorr.dfit90, null);
    });

    it('readout along PC 3: D_fit = 3, D_x = 3, rho as gen_corr, norms, spectrum', async () => {
      const w = row(2, 0.4);
      const r = await analyseStates(input(w, 1));
      assert.equal(r.dx90, 3);
      assert.equal(r.dfit90, 3);
      assert.equal(r.r2_curve.length, 24);
      assert.ok(at(r.r2_curve, 1) < 0.5 && at(r.r2_curve, 2) > 0.999, `R^2 = ${r.r2_curve.slice(0, 4)}`);
      const ref = genCorrReference(w, 1, states.subarray(kMin * B * N), S, N);
      assert.ok(near(r.rho ?? NaN, ref, 1e-5), `rho ${r.rho} vs ${ref}`);
      assert.ok(near(r.rho_sqrtN ?? NaN, ref * Math.sqrt(N), 1e-5));
      assert.ok((r.rho_naive ?? NaN) > 0 && (r.rho_naive ?? NaN) < (r.rho ?? NaN));
      assert.ok(near(r.w_out_norm, 0.4, 1e-12));
      let sq = 0;
      for (let k = kMin * B * N; k < states.length; k++) sq += at(states, k) ** 2;
      assert.ok(near(r.x_norm, Math.sqrt(sq / (S * N)) * Math.sqrt(N), 1e-9));
      assert.equal(r.explained_variance.length, 10);
      amps.forEach((a, j) => assert.ok(near(at(r.explained_variance, j), (a * a) / total, 1e-4)));
      assert.equal(r.noise_ratio, null);
      assert.equal(r.var_rand, null);
    });

    it('readout along PC 1 needs one PC; two readouts along PC 1 and PC 4 need four', async () => {
      const one = await analyseStates(input(row(0, 0.2), 1));
      assert.equal(one.dfit90, 1);
      // equal output variances (amplitudes 5 and 1.2): R^2_3 is about 1/2
      const w = Float64Array.from([...row(0, 0.2), ...row(3, 0.2 * (5 / 1.2))]);
      const two = await analyseStates(input(w, 2));
      assert.equal(two.dfit90, 4);
      assert.ok(Math.abs(at(two.r2_curve, 2) - 0.5) < 0.1, `R^2_3 = ${two.r2_curve[2]}`);
    });

    it('metrics are JSON-safe once the projection is taken out; the projection is for the 3D view', async () => {
      const r = await analyseStates(input(row(2, 0.4), 1, { viewTrials: 3, viewStride: 10 }));
      const { projection, ...metrics } = r;
      const json = JSON.parse(JSON.stringify(metrics)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(json).sort(), [
        'dfit90', 'dx90', 'explained_variance', 'noise_ratio', 'noise_ratio_pc', 'noise_ratio_tmin', 'r2_curve', 'rho',
        'rho_naive', 'rho_sqrtN', 'var_out', 'var_pc', 'var_rand', 'w_out_norm', 'x_norm',
      ]);
      assert.deepEqual(projection.trials, [0, 1, 2]);
      assert.deepEqual(projection.steps, [0, 10, 20, 30, 39]);
      assert.equal(projection.pca.trajectories.length, 3 * 5 * 3);
      // readout along PC 3 lies inside the top-3 PC space
      assert.ok(Math.abs(at(projection.pca.readouts, 0).fraction - 1) < 1e-5);
      assert.ok(projection.readout !== null);
    });

    it('with noisy repeats: isotropic fluctuations give noise ratios near 1', async () => {
      const trials = 32;
      const noisy = new Float32Array(T * trials * N);
      for (let k = 0; k < T; k++) {
        for (let b = 0; b < trials; b++) {
          for (let i = 0; i < N; i++) noisy[(k * trials + b) * N + i] = at(states, (k * B + (b % 4)) * N + i) + 0.3 * rng.normal();
        }
      }
      const condition = Int32Array.from({ length: trials }, (_, b) => b % 4);
      const r = await analyseStates(input(row(2, 0.4), 1, { noisy: { states: noisy, T, trials, condition } }));
      assert.ok(r.noise_ratio !== null && near(r.noise_ratio, 1, 0.15), `noise_ratio ${r.noise_ratio}`);
      assert.ok(r.noise_ratio_pc !== null && near(r.noise_ratio_pc, 1, 0.15));
      assert.ok(r.var_rand !== null && near(r.var_rand, 0.09 * (7 / 8), 0.1));
    });

    it('leaks no tensors', async () => {
      const before = tf.memory().numTensors;
      await analyseStates(input(row(1, 0.3), 1));
      assert.equal(tf.memory().numTensors, before);
    });

    it('rejects a grace period that leaves no samples and mismatched shapes', async () => {
      await assert.rejects(analyseStates(input(row(1, 1), 1, { kMin: T })), /kMin/);
      await assert.rejects(analyseStates({ ...input(row(1, 1), 1), dOut: 2 }), /outputs/);
    });
  });
}
