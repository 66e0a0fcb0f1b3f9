/**
 * The fused training kernel (src/kernel): its noise is the tfjs path's noise draw for
 * draw, its tanh is accurate to float32 rounding, and its loss and gradients match
 * float64 finite differences (test/unit/helpers/gradient-check.ts, the same check the
 * tfjs BPTT passes) for every chunking, mask and padding case.
 */
import * as assert from 'node:assert/strict';
import { loadKernel } from './helpers/kernel';
import { FusedTrainer, instantiateKernel } from '../../src/kernel/fused';
import { makeRng, streamState, ZIGGURAT } from '../../src/core/rng';
import { assertMatchesFiniteDifferences, BASE_CASE, type StepInputs, type StepOutputs } from './helpers/gradient-check';
import { useBackend } from './helpers/tf';
import { createEngine } from '../../src/core/engine';
import { initWeights, initialStates } from '../../src/core/model';
import { generateBatch, taskDims, taskSteps } from '../../src/core/tasks/registry';
import type { TaskParams, TrainableSet } from '../../src/core/types';
import { at } from '../../src/core/checked';

/** The kernel as the gradient check calls an implementation. */
function fusedStep(chunkSteps?: number): (x: StepInputs) => StepOutputs {
  return (x) => {
    const t = new FusedTrainer(x.weights, x.train, { B: x.batch.B, T: x.batch.T, dt: x.dt, lr: 1e-3, ...(chunkSteps ? { chunkSteps } : {}) });
    const { loss } = t.lossAndGrads({ batch: x.batch, x0: x.x0, noiseStd: x.noiseStd, rng: x.rng });
    return { loss, grads: t.gradients() };
  };
}

describe('fused kernel', () => {
  before(() => loadKernel());

  describe('noise', () => {
    it('draws the same floats as Rng.fillNormal, and leaves the stream where it would be', () => {
      const k = instantiateKernel();
      k.configure(16, 1, 0, 1, 1, 1);
      const mem = () => k.memory.buffer;
      new Float64Array(mem(), k.zigguratW(), 256).set(ZIGGURAT.W);
      new Float64Array(mem(), k.zigguratInner(), 256).set(ZIGGURAT.INNER);
      new Float64Array(mem(), k.zigguratF(), 257).set(ZIGGURAT.F);
      k.reserveSteps(2000);
      const out = k.inputs();
      let tails = 0;
      for (const [seed, n, scale, add] of [[1, 1, 1, false], [2, 7, 0.3, false], [3, 4096, 1, false], [4, 4097, 2.5, true], [5, 30000, 0.1, false], [6, 12345, 1, true]] as const) {
        const js = makeRng(seed, 'noise');
        const wa = makeRng(seed, 'noise');
        const expected = new Float32Array(n);
        for (let i = 0; i < n; i++) expected[i] = i % 3;
        const view = new Float32Array(mem(), out, n);
        view.set(expected);
        js.fillNormal(expected, scale, add);
        const s = streamState(wa);
        k.setState(at(s, 0), at(s, 1), at(s, 2), at(s, 3));
        k.fillNormal(out, n, scale, add ? 1 : 0);
        for (let i = 0; i < 4; i++) s[i] = k.state(i);
        const got = new Float32Array(mem(), out, n);
        for (let i = 0; i < n; i++) if (got[i] !== expected[i]) assert.fail(`seed ${seed}, n ${n}: value ${i} is ${got[i]}, expected ${expected[i]}`);
        for (const v of expected) if (Math.abs(v - (add ? 2 : 0)) > 3.6 * scale) tails++;
        assert.equal(wa.uniform(), js.uniform(), 'the stream continues in step');
      }
      assert.ok(tails > 0, 'the draws reached the ziggurat tail at least once');
    });
  });

  describe('tanh', () => {
    it('is within 4e-7 (relative) of Math.tanh down to tiny x, exact at 0, saturates at +-1, and keeps NaN', () => {
      const k = instantiateKernel();
      k.configure(16, 1, 1, 1, 1, 1);
      const n = 1 << 16;
      k.reserveSteps(4 * n);
      const src = k.inputs();
      const dst = src + 4 * n * 4;
      const x = new Float32Array(k.memory.buffer, src, n);
      for (let i = 0; i < n - 8; i++) x[i] = (i / (n - 8) - 0.5) * 24;
      x.set([0, -0, 1e-30, -1e-6, 50, -50, Infinity, NaN], n - 8);
      k.tanhArray(src, dst, n);
      const y = new Float32Array(k.memory.buffer, dst, n);
      let worst = 0;
      for (let i = 0; i < n - 8; i++) {
        const exact = Math.tanh(at(x, i));
        if (exact !== 0) worst = Math.max(worst, Math.abs(at(y, i) - exact) / Math.abs(exact));
      }
      assert.ok(worst < 4e-7, `largest relative error ${worst}`);
      assert.deepEqual([y[n - 8], y[n - 7], y[n - 4], y[n - 3], y[n - 2]], [0, -0, 1, -1, 1]);
      for (const i of [n - 6, n - 5]) assert.ok(Math.abs(at(y, i) / at(x, i) - 1) < 4e-7, `tanh(${x[i]}) = ${y[i]}`);
      assert.ok(Number.isNaN(y[n - 1]));
    });
  });

  describe('gradients against float64 finite differences', () => {
    it('W, W_in and W_out, with noise, in one chunk', () => {
      assertMatchesFiniteDifferences(fusedStep(64), BASE_CASE);
    });

    // The masked steps of the toy batch end at k = 20: 21, 11, 5 and 3 chunks, the last one short.
    for (const steps of [1, 2, 5, 7]) {
      it(`sums the weight gradients over every chunk (chunks of ${steps} step${steps > 1 ? 's' : ''})`, () => {
        assertMatchesFiniteDifferences(fusedStep(steps), { ...BASE_CASE, seed: 10 + steps });
      });
    }

    it('with a loss at k = 0 alone, and at k = 0 and the last step', () => {
      assertMatchesFiniteDifferences(fusedStep(), { ...BASE_CASE, mask: 'k0', seed: 20 });
      for (const steps of [1, 4]) assertMatchesFiniteDifferences(fusedStep(steps), { ...BASE_CASE, mask: 'k0-and-last', seed: 30 + steps });
    });

    it('trains only what is trainable', () => {
      assertMatchesFiniteDifferences(fusedStep(3), { ...BASE_CASE, train: ['input'], seed: 40 });
      assertMatchesFiniteDifferences(fusedStep(3), { ...BASE_CASE, train: ['output'], seed: 41 });
      assertMatchesFiniteDifferences(fusedStep(3), { ...BASE_CASE, train: ['recurrent'], seed: 42 });
    });

    it('for any number of units and trials (padding to 16 units, odd batches), and without inputs', () => {
      for (const [N, B] of [[16, 2], [17, 1], [33, 5], [5, 4]] as const) {
        assertMatchesFiniteDifferences(fusedStep(4), { ...BASE_CASE, N, B, T: 14, seed: 50 + N });
      }
      assertMatchesFiniteDifferences(fusedStep(4), { ...BASE_CASE, dIn: 0, seed: 60 });
    });

    it('without noise, and with three outputs', () => {
      assertMatchesFiniteDifferences(fusedStep(4), { ...BASE_CASE, sigma: 0, dOut: 3, seed: 70 });
    });
  });

  describe('step by step against the tfjs path', () => {
    before(() => useBackend('wasm'));

    /** Trains one network on both engines from the same streams; returns the losses and final weights of each. */
    function twin(task: TaskParams, N: number, B: number, steps: number, train: TrainableSet[], lr0: number) {
      const dt = 0.2;
      const dims = taskDims(task);
      const T = taskSteps(task, dt);
      const w = initWeights({ N, g: 1.5, dt, output_scale: 'large', train, h0_std: 0.5 }, dims, makeRng(3, 'weights'));
      const out = (['fused', 'wasm'] as const).map((backend) => {
        const engine = createEngine(backend, { weights: w, train, dt, lr0, B, T });
        const trials = makeRng(4, 'trials');
        const noise = makeRng(4, 'noise');
        const losses: number[] = [];
        for (let k = 1; k <= steps; k++) {
          const batch = generateBatch(task, B, dt, trials);
          const x0 = initialStates(w.h0, B, 1, noise);
          losses.push(engine.step({ batch, x0, noiseStd: Math.sqrt(dt) * 0.2, rng: noise }, k).loss);
        }
        const weights = engine.weights();
        engine.dispose();
        return { losses, weights, noiseAfter: noise.uniform() };
      });
      return { fused: at(out, 0), tfjs: at(out, 1) };
    }

    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

    it('cycling, all weights trained: the same losses step by step and the same weights after 30 Adam steps', () => {
      const { fused, tfjs } = twin({ kind: 'cycling', stim: 1, response: 15, freq: 0.1, mask_step: 5 }, 40, 6, 30, ['input', 'recurrent', 'output'], 0.05);
      fused.losses.forEach((l, i) => assert.ok(rel(l, at(tfjs.losses, i)) < 1e-4, `step ${i + 1}: loss ${l} vs ${tfjs.losses[i]}`));
      assert.ok(rel(at(fused.losses, 29), at(fused.losses, 0)) > 0.05, 'training moved the loss');
      for (const k of ['W', 'W_in', 'W_out'] as const) {
        let worst = 0;
        fused.weights[k].forEach((v, i) => (worst = Math.max(worst, Math.abs(v - at(tfjs.weights[k], i)))));
        assert.ok(worst < 1e-4, `${k}: the engines differ by ${worst}`);
      }
      assert.equal(fused.noiseAfter, tfjs.noiseAfter, 'both consumed exactly the same noise');
    });

    it('flip-flop with noise and only W trained, and a batch size that is not a multiple of 2', () => {
      const { fused, tfjs } = twin({ kind: 'flipflop', bits: 3, duration: 6, stim: 0.4, grace: 1, fix_max: 1, gap_min: 1, gap_max: 3, mask_step: 2 }, 24, 5, 15, ['recurrent'], 0.05);
      fused.losses.forEach((l, i) => assert.ok(rel(l, at(tfjs.losses, i)) < 1e-4, `step ${i + 1}: loss ${l} vs ${tfjs.losses[i]}`));
      let worst = 0;
      fused.weights.W.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - at(tfjs.weights.W, i)))));
      assert.ok(worst < 1e-4, `W: the engines differ by ${worst}`);
      assert.deepEqual(fused.weights.W_out, tfjs.weights.W_out, 'W_out is not trained');
    });

    it('a run continued on another engine from its state (weights, Adam moments and count) goes on as if uninterrupted', () => {
      const task: TaskParams = { kind: 'cycling', stim: 1, response: 9, freq: 0.1, mask_step: 5 };
      const dt = 0.2, N = 20, B = 4;
      const dims = taskDims(task);
      const T = taskSteps(task, dt);
      const train: TrainableSet[] = ['input', 'recurrent', 'output'];
      const w = initWeights({ N, g: 1.5, dt, output_scale: 'large', train, h0_std: 0 }, dims, makeRng(5, 'weights'));
      const init = { weights: w, train, dt, lr0: 0.05, B, T };
      const run = (switchAt: number | null, to: 'fused' | 'wasm', forget = false) => {
        let engine = createEngine('wasm', init);
        const trials = makeRng(6, 'trials');
        const noise = makeRng(6, 'noise');
        const losses: number[] = [];
        for (let k = 1; k <= 12; k++) {
          if (k === switchAt) {
            const state = engine.state();
            engine.dispose();
            engine = createEngine(to, init, forget ? { ...state, t: 0, moments: new Map() } : state);
          }
          const batch = generateBatch(task, B, dt, trials);
          const x0 = initialStates(w.h0, B, 1, noise);
          losses.push(engine.step({ batch, x0, noiseStd: 0.1, rng: noise }, k).loss);
        }
        const weights = engine.weights();
        engine.dispose();
        return { losses, weights };
      };
      const straight = run(null, 'wasm');
      for (const to of ['wasm', 'fused'] as const) {
        const moved = run(6, to);
        moved.losses.forEach((l, i) => assert.ok(rel(l, at(straight.losses, i)) < 1e-4, `${to}, step ${i + 1}: ${l} vs ${straight.losses[i]}`));
        let worst = 0;
        moved.weights.W.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - at(straight.weights.W, i)))));
        assert.ok(worst < 1e-5, `${to}: W differs by ${worst}`);
      }
      // The check can tell: a fresh Adam on the same weights goes elsewhere.
      const forgot = run(6, 'fused', true);
      let drift = 0;
      forgot.weights.W.forEach((v, i) => (drift = Math.max(drift, Math.abs(v - at(straight.weights.W, i)))));
      assert.ok(drift > 1e-3, `without the moments W differs by only ${drift}`);
    });
  });
});
