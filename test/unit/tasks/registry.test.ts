import * as assert from 'node:assert/strict';
import { makeRng } from '../../../src/core/rng';
import { TASKS, checkTask, generateBatch, getTask, taskDims, taskSteps } from '../../../src/core/tasks/registry';
import type { TaskKind, TaskParams } from '../../../src/core/types';

/** The paper's defaults for every task (docs/science.md §3). */
const PAPER: { [K in TaskKind]: Extract<TaskParams, { kind: K }> } = {
  cycling: { kind: 'cycling', stim: 1, response: 71, freq: 0.1, mask_step: 5 },
  flipflop: { kind: 'flipflop', bits: 3, duration: 25, stim: 1, grace: 2, fix_max: 1, gap_min: 3, gap_max: 10, mask_step: 5 },
  mante: { kind: 'mante', fix: 3, stim: 20, delay: 5, decision: 20, input_noise: 0.05, coherences: [0.125, 0.25, 0.5, 1], mask_step: 5 },
  romo: {
    kind: 'romo', fix_min: 1, fix_max: 3, stim: 1, delay_min: 2, delay_max: 12, decision_delay: 4, decision: 8,
    f_min: 0.5, f_max: 1.5, min_diff: 0.2, mask_step: 5,
  },
  complex_sine: { kind: 'complex_sine', duration: 50, f_min: 0.04, f_max: 0.2, offset: 0.25, mask_step: 2 },
  sine: { kind: 'sine', duration: 21, freq: 0.1, eval_duration: 63, mask_step: 5 },
};
const N_T: { [K in TaskKind]: number } = { cycling: 360, flipflop: 125, mante: 240, romo: 145, complex_sine: 250, sine: 105 };
const DIMS: { [K in TaskKind]: [number, number] } = {
  cycling: [2, 2], flipflop: [3, 3], mante: [4, 1], romo: [1, 1], complex_sine: [1, 1], sine: [0, 1],
};
const KINDS = Object.keys(PAPER) as TaskKind[];

describe('tasks/registry', () => {
  it('holds the six tasks under their own kind, with hover text and a citation', () => {
    assert.deepEqual(Object.keys(TASKS).sort(), [...KINDS].sort());
    for (const kind of KINDS) {
      const def = getTask(kind);
      assert.equal(def, TASKS[kind]);
      assert.equal(def.kind, kind);
      assert.ok(def.title.length > 5);
      assert.ok(def.description.length > 200, `${kind} description is a few sentences`);
      assert.match(def.citation, /Schuessler et al\. \(2024\)/);
      assert.match(def.citation, /science\.md §3/);
    }
  });

  for (const kind of KINDS) {
    it(`${kind}: dispatches dims, steps, check and generate on p.kind`, () => {
      const p: TaskParams = PAPER[kind];
      assert.deepEqual(taskDims(p), { dIn: DIMS[kind][0], dOut: DIMS[kind][1] });
      assert.equal(taskSteps(p, 0.2), N_T[kind]);
      assert.equal(checkTask(p, 32, 0.2), undefined);
      const batch = generateBatch(p, 32, 0.2, makeRng(0, 'trials'));
      assert.equal(batch.B, 32);
      assert.equal(batch.T, N_T[kind]);
      assert.equal(batch.dIn, DIMS[kind][0]);
      assert.equal(batch.dOut, DIMS[kind][1]);
      assert.equal(batch.inputs.length, batch.T * 32 * batch.dIn);
      assert.equal(batch.targets.length, batch.T * 32 * batch.dOut);
      assert.equal(batch.mask.length, batch.T * 32 * batch.dOut);
      assert.equal(batch.condition.length, 32);
      for (const c of batch.condition) assert.ok(c >= 0 && c < batch.conditionLabels.length);
      for (const arr of [batch.inputs, batch.targets, batch.mask]) assert.ok(arr.every(Number.isFinite));
      assert.ok(batch.mask.some((m) => m === 1), 'the loss sees something');
      // Nothing outside k % mask_step == 0 is in the loss.
      const row = 32 * batch.dOut;
      for (let i = 0; i < batch.mask.length; i++) {
        if (batch.mask[i] !== 0) assert.equal(Math.floor(i / row) % p.mask_step, 0);
      }
    });
  }

  it('generateBatch passes evaluation through (the sine runs longer)', () => {
    assert.equal(generateBatch(PAPER.sine, 4, 0.2, makeRng(0, 'eval'), true).T, 315);
    assert.equal(generateBatch(PAPER.cycling, 4, 0.2, makeRng(0, 'eval'), true).T, 360);
  });

  it('checkTask returns the task\'s own message, and generateBatch refuses the same parameters', () => {
    assert.match(checkTask(PAPER.cycling, 31, 0.2) ?? '', /even/);
    assert.match(checkTask({ ...PAPER.romo, min_diff: 2 }, 32, 0.2) ?? '', /min_diff/);
    assert.throws(() => generateBatch(PAPER.cycling, 31, 0.2, makeRng(0, 't')), RangeError);
  });

  it('draws different trials from different streams, the same from the same', () => {
    for (const kind of ['flipflop', 'mante', 'romo', 'complex_sine'] as const) {
      const a = generateBatch(PAPER[kind], 8, 0.2, makeRng(0, 'trials'));
      const b = generateBatch(PAPER[kind], 8, 0.2, makeRng(0, 'trials'));
      const c = generateBatch(PAPER[kind], 8, 0.2, makeRng(0, 'eval'));
      assert.deepEqual(a.inputs, b.inputs);
      assert.notDeepEqual(a.inputs, c.inputs);
    }
  });
});
