/**
 * The memory estimate that lets the spec refuse oversized runs, checked against tfjs's
 * own count of the bytes alive at the peak (tf.profile), on the real implementation: it
 * must bound the peak from above without being loose enough to refuse runs that fit.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './helpers/tf';
import { estimateTrainingBytes } from '../../src/core/memory';
import { lossAndGrads } from '../../src/core/bptt';
import { Network, initWeights, initialStates } from '../../src/core/model';
import { Adam } from '../../src/core/adam';
import { simulate } from '../../src/core/simulate';
import { makeRng } from '../../src/core/rng';
import { generateBatch } from '../../src/core/tasks/registry';
import { repeatTrials } from '../../src/core/evaluate';
import type { CyclingParams } from '../../src/core/types';
import { defined } from '../../src/core/checked';

describe('memory estimate vs the measured peak', () => {
  before(() => useBackend('wasm'));

  // the first two are dominated by the evaluation, the last two by the training step
  for (const [N, response, B, maskStep] of [[64, 19, 32, 5], [48, 39, 16, 2], [32, 11, 256, 5], [96, 9, 192, 1]] as const) {
    it(`N ${N}, ${response + 1} time units, batch ${B}, mask_step ${maskStep}: peak <= estimate <= 2.5 x peak`, async () => {
      const dt = 0.2;
      const task: CyclingParams = { kind: 'cycling', stim: 1, response, freq: 0.1, mask_step: maskStep };
      const net = new Network(initWeights({ N, g: 1.5, dt, output_scale: 'large', train: ['input', 'recurrent', 'output'], h0_std: 0 }, { dIn: 2, dOut: 2 }, makeRng(0, 'weights')), ['input', 'recurrent', 'output']);
      const adam = new Adam({ lr: 1e-3 });
      const batch = generateBatch(task, B, dt, makeRng(0, 'trials'));
      const evalBatch = generateBatch(task, 32, dt, makeRng(0, 'eval'), true);
      const rng = makeRng(0, 'noise');
      const step = () =>
        tf.tidy(() => {
          const { grads } = lossAndGrads(net, dt, { batch, x0: initialStates(net.h0, B, 1, rng), noiseStd: 0.09, rng });
          adam.apply([...grads].map(([n, g]) => [n === 'W' ? net.W : n === 'W_in' ? defined(net.W_in) : net.W_out, g] as const));
        });
      step(); // the Adam moments exist from here on, as in a run
      // read each peak at once: tf.profile returns the same object every time and overwrites it
      const trainPeak = (await tf.profile(step)).peakBytes;
      const noisy = repeatTrials(evalBatch, 4, 16);
      const evalPeak = (
        await tf.profile(() => {
          simulate(net, dt, noisy, { x0: initialStates(net.h0, 64, 1, rng), noiseStd: 0.09, rng });
        })
      ).peakBytes;
      // peakBytes is absolute (tfjs samples its byte count after every kernel), so it
      // includes the weights and the Adam moments that stay alive through both.
      const peak = Math.max(trainPeak, evalPeak);
      const estimate = estimateTrainingBytes({ N, T: batch.T, B, dIn: 2, dOut: 2, maskStep, evalBatch: 32 });
      console.log(`      peak ${(peak / 2 ** 20).toFixed(2)} MB (training ${(trainPeak / 2 ** 20).toFixed(2)}, evaluation ${(evalPeak / 2 ** 20).toFixed(2)}), estimate ${(estimate / 2 ** 20).toFixed(2)} MB`);
      assert.ok(estimate >= peak, `estimate ${estimate} below the measured peak ${peak}`);
      assert.ok(estimate <= 2.5 * peak, `estimate ${estimate} is more than 2.5 x the measured peak ${peak}`);
      net.dispose();
      adam.dispose();
    });
  }
});
