import * as assert from 'node:assert/strict';
import { makeRng } from '../../../src/core/rng';
import { complexSine } from '../../../src/core/tasks/complex_sine';
import type { ComplexSineParams } from '../../../src/core/types';
import { at } from '../../../src/core/checked';

const PAPER: ComplexSineParams = { kind: 'complex_sine', duration: 50, f_min: 0.04, f_max: 0.2, offset: 0.25, mask_step: 2 };
const dt = 0.2;

describe('tasks/complex_sine', () => {
  const B = 128;
  const batch = complexSine.generate(PAPER, B, dt, makeRng(7, 'trials'));

  it('has n_t = 250 and one input and output', () => {
    assert.equal(batch.T, 250);
    assert.equal(complexSine.steps(PAPER, dt), 250);
    assert.deepEqual(complexSine.dims(PAPER), { dIn: 1, dOut: 1 });
  });

  it('holds the input at a + 0.25 and asks for sin(2 pi (0.04 + 0.16 a) t) from t = 0', () => {
    for (let b = 0; b < B; b++) {
      const input = at(batch.inputs, b);
      const a = input - 0.25;
      assert.ok(a >= -1e-7 && a < 1, `a = ${a}`);
      const f = 0.04 + 0.16 * a;
      for (let k = 0; k < 250; k++) {
        assert.equal(batch.inputs[k * B + b], input);
        assert.ok(Math.abs(at(batch.targets, k * B + b) - Math.sin(2 * Math.PI * f * k * dt)) < 2e-5, `trial ${b} k ${k}`);
      }
      assert.equal(batch.condition[b], Math.min(7, Math.floor(a * 8)));
    }
  });

  it('masks every 2nd step of the whole trial', () => {
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 250; k++) assert.equal(batch.mask[k * B + b], k % 2 === 0 ? 1 : 0);
    }
  });

  it('spreads a over [0, 1) and colours it in 8 bins', () => {
    assert.equal(batch.conditionLabels.length, 8);
    assert.equal(new Set(batch.condition).size, 8);
    let mean = 0;
    for (let b = 0; b < B; b++) mean += at(batch.inputs, b) - 0.25;
    assert.ok(Math.abs(mean / B - 0.5) < 5 * Math.sqrt(1 / 12 / B));
  });

  it('is deterministic for a seed', () => {
    assert.deepEqual(complexSine.generate(PAPER, B, dt, makeRng(7, 'trials')).targets, batch.targets);
  });

  it('check() names impossible settings', () => {
    assert.equal(complexSine.check?.(PAPER, 32, dt), undefined);
    assert.match(complexSine.check?.({ ...PAPER, duration: 0.1 }, 32, dt) ?? '', /duration/);
    assert.match(complexSine.check?.({ ...PAPER, f_max: 0.01 }, 32, dt) ?? '', /f_max/);
    assert.match(complexSine.check?.({ ...PAPER, mask_step: 0.5 }, 32, dt) ?? '', /mask_step/);
    assert.match(complexSine.check?.(PAPER, 32, 0) ?? '', /dt/);
  });
});
