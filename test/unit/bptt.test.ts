import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './helpers/tf';
import { lossAndGrads, type ParamName } from '../../src/core/bptt';
import { Network, type WeightArrays } from '../../src/core/model';
import { simulate } from '../../src/core/simulate';
import { makeRng } from '../../src/core/rng';
import type { TaskBatch } from '../../src/core/types';
import { refGradient, refLoss, refStates, relError, type RefWeights } from './reference';

/** A hand-made batch: random inputs and targets, a sparse irregular mask. */
function toyBatch(B: number, T: number, dIn: number, dOut: number, seed: number): TaskBatch {
  const rng = makeRng(seed, 'toy');
  const inputs = new Float32Array(T * B * dIn);
  for (let i = 0; i < inputs.length; i++) inputs[i] = rng.uniform() < 0.3 ? rng.normal() : 0;
  const targets = new Float32Array(T * B * dOut);
  rng.fillNormal(targets, 0.5);
  const mask = new Float32Array(T * B * dOut);
  // every 3rd step, some entries off, and never after T-3 (so trailing steps are untrained)
  for (let k = 2; k < T - 3; k += 3) for (let i = 0; i < B * dOut; i++) mask[k * B * dOut + i] = rng.uniform() < 0.8 ? 1 : 0;
  return { B, T, dIn, dOut, inputs, targets, mask, condition: new Int32Array(B), conditionLabels: ['all'] };
}

function toyWeights(N: number, dIn: number, dOut: number, seed: number): WeightArrays {
  const rng = makeRng(seed, 'weights');
  const W = new Float32Array(N * N);
  rng.fillNormal(W, 1.5 / Math.sqrt(N));
  const W_in = new Float32Array(N * dIn);
  rng.fillNormal(W_in, 1);
  const W_out = new Float32Array(dOut * N);
  rng.fillNormal(W_out, 1 / Math.sqrt(N));
  return { N, dIn, dOut, W, W_in, W_out, h0: new Float32Array(N) };
}

const f64 = (a: Float32Array) => Float64Array.from(a);

describe('hand-written BPTT', () => {
  const N = 7, dIn = 2, dOut = 2, B = 3, T = 26, dt = 0.2, sigma = 0.3;

  for (const backend of ['cpu', 'wasm'] as const) {
    describe(`on ${backend}`, () => {
      before(() => useBackend(backend));

      it('gradients of W, W_in and W_out match float64 finite differences, with noise', () => {
        const batch = toyBatch(B, T, dIn, dOut, 1);
        const w = toyWeights(N, dIn, dOut, 2);
        const x0 = new Float32Array(B * N);
        makeRng(3, 'x0').fillNormal(x0, 1);
        const noiseStd = Math.sqrt(dt) * sigma;
        // The same noise the Drive will draw: one [B, N] fill per step, in step order.
        const noiseRng = makeRng(4, 'noise');
        const noise: Float64Array[] = [];
        const buf = new Float32Array(B * N);
        for (let k = 0; k < T - 1; k++) {
          noiseRng.fillNormal(buf, noiseStd, false);
          noise.push(f64(buf));
        }
        const net = new Network(w, ['input', 'recurrent', 'output']);
        const { loss, grads } = lossAndGrads(net, dt, { batch, x0, noiseStd, rng: makeRng(4, 'noise') });
        const ref: RefWeights = { N, dIn, dOut, W: f64(w.W), W_in: f64(w.W_in), W_out: f64(w.W_out) };
        const refL = refLoss(ref, dt, batch, x0, noise);
        assert.ok(Math.abs(loss - refL) / refL < 1e-5, `loss ${loss} vs reference ${refL}`);
        for (const name of ['W', 'W_in', 'W_out'] as ParamName[]) {
          const fd = refGradient(ref, name, dt, batch, x0, noise);
          const ours = grads.get(name)!.dataSync();
          const err = relError(ours, fd);
          // float32 forward/backward against float64 differences: ~1e-6 is expected;
          // a missing term (leak, tanh', an output adjoint) gives errors of order 0.1-1.
          assert.ok(err < 1e-4, `${name}: relative error ${err.toExponential(2)}`);
        }
        tf.dispose([...grads.values()]);
        net.dispose();
      });

      it('trains only what is trainable, and with W fixed still gets W_in right', () => {
        const batch = toyBatch(B, T, dIn, dOut, 5);
        const w = toyWeights(N, dIn, dOut, 6);
        const x0 = new Float32Array(B * N);
        const net = new Network(w, ['input']);
        const { grads } = lossAndGrads(net, dt, { batch, x0, noiseStd: 0, rng: null });
        assert.deepEqual([...grads.keys()], ['W_in']);
        const ref: RefWeights = { N, dIn, dOut, W: f64(w.W), W_in: f64(w.W_in), W_out: f64(w.W_out) };
        const fd = refGradient(ref, 'W_in', dt, batch, x0, []);
        assert.ok(relError(grads.get('W_in')!.dataSync(), fd) < 1e-4);
        tf.dispose([...grads.values()]);
        net.dispose();
      });

      it('leaks no tensors', () => {
        const batch = toyBatch(B, T, dIn, dOut, 7);
        const net = new Network(toyWeights(N, dIn, dOut, 8), ['input', 'recurrent', 'output']);
        const x0 = new Float32Array(B * N);
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) {
          tf.tidy(() => {
            lossAndGrads(net, dt, { batch, x0, noiseStd: 0.1, rng: makeRng(i, 'noise') });
          });
        }
        // and without the tidy, disposing only the returned gradients
        const { grads } = lossAndGrads(net, dt, { batch, x0, noiseStd: 0.1, rng: makeRng(9, 'noise') });
        tf.dispose([...grads.values()]);
        assert.equal(tf.memory().numTensors, before);
        net.dispose();
      });

      it('simulate() reproduces the float64 states (tanh via the logistic form)', () => {
        const batch = toyBatch(B, T, dIn, dOut, 10);
        const w = toyWeights(N, dIn, dOut, 11);
        const x0 = new Float32Array(B * N);
        makeRng(12, 'x0').fillNormal(x0, 1);
        const net = new Network(w, []);
        const traj = simulate(net, dt, batch, { x0, noiseStd: 0, rng: null });
        const ref = refStates({ N, dIn, dOut, W: f64(w.W), W_in: f64(w.W_in), W_out: f64(w.W_out) }, dt, batch, x0, []);
        assert.equal(traj.states.length, ref.length);
        assert.ok(relError(traj.states, ref) < 1e-5, `states differ: ${relError(traj.states, ref)}`);
        // outputs = W_out x
        let maxErr = 0;
        for (let r = 0; r < T * B; r++) {
          for (let o = 0; o < dOut; o++) {
            let z = 0;
            for (let i = 0; i < N; i++) z += w.W_out[o * N + i] * ref[r * N + i];
            maxErr = Math.max(maxErr, Math.abs(z - traj.outputs[r * dOut + o]));
          }
        }
        assert.ok(maxErr < 1e-4, `outputs differ by ${maxErr}`);
        net.dispose();
      });
    });
  }
});
