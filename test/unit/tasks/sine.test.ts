import * as assert from 'node:assert/strict';
import { makeRng } from '../../../src/core/rng';
import { sine } from '../../../src/core/tasks/sine';
import type { SineParams } from '../../../src/core/types';
import { at } from '../../../src/core/checked';

const PAPER: SineParams = { kind: 'sine', duration: 21, freq: 0.1, eval_duration: 63, mask_step: 5 };
const dt = 0.2;

describe('tasks/sine', () => {
  it('has no input and one output, n_t = 105 for training', () => {
    assert.deepEqual(sine.dims(PAPER), { dIn: 0, dOut: 1 });
    assert.equal(sine.steps(PAPER, dt), 105);
    const batch = sine.generate(PAPER, 2, dt, makeRng(0, 'trials'));
    assert.equal(batch.T, 105);
    assert.equal(batch.dIn, 0);
    assert.equal(batch.inputs.length, 0);
    assert.deepEqual(Array.from(batch.condition), [0, 0]);
    assert.deepEqual(batch.conditionLabels, ['sine']);
  });

  it('asks for sin(2 pi 0.1 t) with every 5th step in the loss', () => {
    const batch = sine.generate(PAPER, 2, dt, makeRng(0, 'trials'));
    for (let b = 0; b < 2; b++) {
      for (let k = 0; k < 105; k++) {
        assert.ok(Math.abs(at(batch.targets, k * 2 + b) - Math.sin(2 * Math.PI * 0.1 * k * dt)) < 1e-6);
        assert.equal(batch.mask[k * 2 + b], k % 5 === 0 ? 1 : 0);
      }
    }
  });

  it('runs the evaluation batch for eval_duration (n_t = 315), the mask still on the trained window', () => {
    const batch = sine.generate(PAPER, 3, dt, makeRng(0, 'eval'), true);
    assert.equal(batch.T, 315);
    for (let k = 0; k < 315; k++) {
      assert.ok(Math.abs(at(batch.targets, k * 3) - Math.sin(2 * Math.PI * 0.1 * k * dt)) < 1e-6);
      assert.equal(batch.mask[k * 3], k < 105 && k % 5 === 0 ? 1 : 0, `k ${k}`);
    }
    // Never shorter than training.
    assert.equal(sine.generate({ ...PAPER, eval_duration: 5 }, 1, dt, makeRng(0, 'e'), true).T, 105);
  });

  it('check() names impossible settings', () => {
    assert.equal(sine.check?.(PAPER, 1, dt), undefined);
    assert.match(sine.check?.({ ...PAPER, duration: 0 }, 1, dt) ?? '', /duration/);
    assert.match(sine.check?.({ ...PAPER, mask_step: 0 }, 1, dt) ?? '', /mask_step/);
    assert.match(sine.check?.(PAPER, 1.5, dt) ?? '', /batch/);
  });
});
