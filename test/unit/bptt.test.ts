import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './helpers/tf';
import { lossAndGrads, type BpttOptions, type ParamName } from '../../src/core/bptt';
import { Network } from '../../src/core/model';
import { simulate } from '../../src/core/simulate';
import { makeRng } from '../../src/core/rng';
import { refStates, relError } from './reference';
import { assertMatchesFiniteDifferences, BASE_CASE, stepInputs, toyBatch, toyWeights, type GradientCase, type StepInputs, type StepOutputs } from './helpers/gradient-check';
import { at } from '../../src/core/checked';

const f64 = (a: Float32Array) => Float64Array.from(a);

/** bptt.ts's lossAndGrads as the gradient check calls an implementation. */
function tfjsStep(opts: BpttOptions = {}): (inputs: StepInputs) => StepOutputs {
  return (x) => {
    const net = new Network(x.weights, x.train);
    try {
      const { loss, grads } = lossAndGrads(net, x.dt, { batch: x.batch, x0: x.x0, noiseStd: x.noiseStd, rng: x.rng }, opts);
      const out = new Map<ParamName, Float32Array>();
      for (const [name, g] of grads) out.set(name, Float32Array.from(g.dataSync()));
      tf.dispose([...grads.values()]);
      return { loss, grads: out };
    } finally {
      net.dispose();
    }
  };
}

describe('hand-written BPTT', () => {
  const { N, dIn, dOut, B, T, dt } = BASE_CASE;

  for (const backend of ['cpu', 'wasm'] as const) {
    describe(`on ${backend}`, () => {
      before(() => useBackend(backend));

      it('gradients of W, W_in and W_out match float64 finite differences, with noise, in one chunk', () => {
        assertMatchesFiniteDifferences(tfjsStep(), BASE_CASE);
      });

      // The masked steps of the toy batch end at k = 20: chunks of 1, 2, 5 and 7 steps
      // split the backward loop into 21, 11, 5 and 3 chunks, the last one short.
      for (const steps of [1, 2, 5, 7]) {
        it(`sums the weight gradients over every chunk (chunks of ${steps} step${steps > 1 ? 's' : ''})`, () => {
          assertMatchesFiniteDifferences(tfjsStep({ chunkRows: steps * B }), { ...BASE_CASE, seed: 10 + steps });
        });
      }

      it('with a loss at k = 0 alone, only W_out has a gradient that is not zero', () => {
        for (const chunkRows of [B, undefined]) {
          assertMatchesFiniteDifferences(tfjsStep(chunkRows === undefined ? {} : { chunkRows }), { ...BASE_CASE, mask: 'k0', seed: 20 });
        }
      });

      it('with a loss at k = 0 and at the last step, in chunks of 1 and 4 steps', () => {
        for (const steps of [1, 4]) {
          assertMatchesFiniteDifferences(tfjsStep({ chunkRows: steps * B }), { ...BASE_CASE, mask: 'k0-and-last', seed: 30 + steps });
        }
      });

      it('trains only what is trainable, and with W fixed still gets W_in right', () => {
        const c: GradientCase = { ...BASE_CASE, train: ['input'], sigma: 0, seed: 5 };
        assertMatchesFiniteDifferences(tfjsStep(), c);
        assertMatchesFiniteDifferences(tfjsStep({ chunkRows: 2 * B }), c);
      });

      it('frees each chunk of adjoints once it is summed: small chunks lower the peak memory', async () => {
        // Long enough that the adjoints dominate: 200 masked steps of [B, N].
        const c: GradientCase = { ...BASE_CASE, N: 64, B: 8, T: 206, seed: 40 };
        const peak = async (opts: BpttOptions) => {
          const x = stepInputs(c);
          const net = new Network(x.weights, x.train);
          const info = await tf.profile(() => {
            const { grads } = lossAndGrads(net, x.dt, { batch: x.batch, x0: x.x0, noiseStd: x.noiseStd, rng: x.rng }, opts);
            tf.dispose([...grads.values()]);
          });
          net.dispose();
          return info.peakBytes;
        };
        const one = await peak({ chunkRows: Infinity });
        const small = await peak({ chunkRows: 4 * c.B });
        // One chunk keeps every adjoint a_k ([B, N] float32) until the end, then a copy and
        // its transpose: about 3 x 200 x B x N x 4 bytes more than chunks of 4 steps keep.
        const adjoints = 200 * c.B * c.N * 4;
        assert.ok(one - small > adjoints, `peak ${small} bytes with small chunks, ${one} in one chunk: expected a difference above ${adjoints}`);
      });

      it('leaks no tensors, in one chunk or many', () => {
        const batch = toyBatch(B, T, dIn, dOut, 7);
        const net = new Network(toyWeights(N, dIn, dOut, 8), ['input', 'recurrent', 'output']);
        const x0 = new Float32Array(B * N);
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) {
          tf.tidy(() => {
            lossAndGrads(net, dt, { batch, x0, noiseStd: 0.1, rng: makeRng(i, 'noise') }, i === 0 ? {} : { chunkRows: i * B });
          });
        }
        // and without the tidy, disposing only the returned gradients
        for (const opts of [{}, { chunkRows: 2 * B }]) {
          const { grads } = lossAndGrads(net, dt, { batch, x0, noiseStd: 0.1, rng: makeRng(9, 'noise') }, opts);
          tf.dispose([...grads.values()]);
        }
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
            for (let i = 0; i < N; i++) z += at(w.W_out, o * N + i) * at(ref, r * N + i);
            maxErr = Math.max(maxErr, Math.abs(z - at(traj.outputs, r * dOut + o)));
          }
        }
        assert.ok(maxErr < 1e-4, `outputs differ by ${maxErr}`);
        net.dispose();
      });
    });
  }
});
