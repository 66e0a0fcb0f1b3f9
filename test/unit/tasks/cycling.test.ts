import * as assert from 'node:assert/strict';
import { makeRng } from '../../../src/core/rng';
import { cycling } from '../../../src/core/tasks/cycling';
import type { CyclingParams } from '../../../src/core/types';
import { at } from '../../../src/core/checked';

const PAPER: CyclingParams = { kind: 'cycling', stim: 1, response: 71, freq: 0.1, mask_step: 5 };
const dt = 0.2;

describe('tasks/cycling', () => {
  const B = 6;
  const batch = cycling.generate(PAPER, B, dt, makeRng(0, 'trials'));
  const inp = (k: number, b: number, i: number) => batch.inputs[(k * B + b) * 2 + i];
  const tgt = (k: number, b: number, i: number) => at(batch.targets, (k * B + b) * 2 + i);
  const msk = (k: number, b: number, i: number) => batch.mask[(k * B + b) * 2 + i];

  it('has the paper\'s shape: n_t = 360, 2 inputs, 2 outputs', () => {
    assert.equal(batch.T, 360);
    assert.equal(cycling.steps(PAPER, dt), 360);
    assert.deepEqual(cycling.dims(PAPER), { dIn: 2, dOut: 2 });
    assert.equal(batch.inputs.length, 360 * B * 2);
    assert.equal(batch.targets.length, 360 * B * 2);
    assert.equal(batch.mask.length, 360 * B * 2);
  });

  it('pulses channel b mod 2 for k in [0, 5) only', () => {
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 360; k++) {
        for (let i = 0; i < 2; i++) {
          assert.equal(inp(k, b, i), k < 5 && i === b % 2 ? 1 : 0, `k=${k} b=${b} i=${i}`);
        }
      }
    }
  });

  it('rotates from (0, 1) at k = 5, in opposite directions for the two contexts', () => {
    for (let b = 0; b < B; b++) {
      assert.ok(tgt(5, b, 0) === 0 && tgt(5, b, 1) === 1, `start of trial ${b}`);
      const sign = b % 2 === 0 ? 1 : -1;
      for (let k = 5; k < 360; k++) {
        const t = (k - 5) * dt;
        assert.ok(Math.abs(tgt(k, b, 0) - sign * Math.sin(2 * Math.PI * 0.1 * t)) < 1e-6, `z1 k=${k} b=${b}`);
        assert.ok(Math.abs(tgt(k, b, 1) - Math.cos(2 * Math.PI * 0.1 * t)) < 1e-6, `z2 k=${k} b=${b}`);
      }
      for (let k = 0; k < 5; k++) assert.ok(tgt(k, b, 0) === 0 && tgt(k, b, 1) === 0);
    }
    // Near a quarter period (2.4 of 10 time units) the two contexts are at opposite sides.
    assert.ok(tgt(5 + 12, 0, 0) > 0.99 && tgt(5 + 12, 1, 0) < -0.99);
  });

  it('masks exactly k = 5, 10, ..., 355 on both outputs', () => {
    const expected: number[] = [];
    for (let k = 5; k <= 355; k += 5) expected.push(k);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < 2; i++) {
        const masked: number[] = [];
        for (let k = 0; k < 360; k++) if (msk(k, b, i) === 1) masked.push(k);
        assert.deepEqual(masked, expected);
      }
    }
    assert.ok(batch.mask.every((m) => m === 0 || m === 1));
  });

  it('labels the two contexts and assigns them alternately', () => {
    assert.deepEqual(Array.from(batch.condition), [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(batch.conditionLabels, ['context 1 (+)', 'context 2 (-)']);
  });

  it('gives the quick demo n_t = 160 for response 31', () => {
    const demo = { ...PAPER, response: 31 };
    assert.equal(cycling.steps(demo, dt), 160);
    assert.equal(cycling.generate(demo, 2, dt, makeRng(0, 't')).T, 160);
  });

  it('check() asks for an even batch and a usable timing', () => {
    assert.equal(cycling.check?.(PAPER, 32, dt), undefined);
    assert.match(cycling.check?.(PAPER, 31, dt) ?? '', /even.*batch: 32/);
    assert.match(cycling.check?.({ ...PAPER, stim: 0 }, 32, dt) ?? '', /stim/);
    assert.match(cycling.check?.({ ...PAPER, response: 0 }, 32, dt) ?? '', /response/);
    assert.match(cycling.check?.({ ...PAPER, mask_step: 0 }, 32, dt) ?? '', /mask_step/);
    assert.match(cycling.check?.({ ...PAPER, mask_step: 2.5 }, 32, dt) ?? '', /mask_step/);
    assert.match(cycling.check?.(PAPER, 0, dt) ?? '', /batch/);
    assert.match(cycling.check?.({ ...PAPER, freq: NaN }, 32, dt) ?? '', /freq/);
    assert.throws(() => cycling.generate(PAPER, 3, dt, makeRng(0, 't')), /even/);
  });

  it('is deterministic (it draws nothing)', () => {
    const again = cycling.generate(PAPER, B, dt, makeRng(99, 'other'));
    assert.deepEqual(again.targets, batch.targets);
    assert.deepEqual(again.inputs, batch.inputs);
  });
});
