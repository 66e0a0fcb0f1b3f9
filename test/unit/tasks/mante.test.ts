import * as assert from 'node:assert/strict';
import { makeRng } from '../../../src/core/rng';
import { mante } from '../../../src/core/tasks/mante';
import type { ManteParams } from '../../../src/core/types';
import { at } from '../../../src/core/checked';

const PAPER: ManteParams = {
  kind: 'mante', fix: 3, stim: 20, delay: 5, decision: 20, input_noise: 0.05,
  coherences: [1 / 8, 1 / 4, 1 / 2, 1], mask_step: 5,
};
const dt = 0.2;
// Grid indices of the paper's windows: stimulus [3, 23), decision [28, 48).
const STIM = [15, 115];
const DECISION = [140, 240];

describe('tasks/mante', () => {
  const B = 256;
  const batch = mante.generate(PAPER, B, dt, makeRng(3, 'trials'));
  const inp = (k: number, b: number, i: number) => at(batch.inputs, (k * B + b) * 4 + i);
  const out = (arr: Float32Array, k: number, b: number) => arr[k * B + b];

  /** Coherence of sensory channel i in trial b, from the stimulus-period mean (noise averages out). */
  function coherence(b: number, i: number): number {
    let s = 0;
    for (let k = at(STIM, 0); k < at(STIM, 1); k++) s += inp(k, b, 2 + i);
    return s / (at(STIM, 1) - at(STIM, 0));
  }
  const cuedContext = (b: number) => (inp(at(STIM, 0), b, 0) === 1 ? 0 : 1);

  it('has n_t = 240 with inputs [context 0, context 1, sensory 0, sensory 1] and one output', () => {
    assert.equal(batch.T, 240);
    assert.equal(mante.steps(PAPER, dt), 240);
    assert.deepEqual(mante.dims(PAPER), { dIn: 4, dOut: 1 });
  });

  it('cues exactly one context, with 1 during the stimulus only', () => {
    for (let b = 0; b < B; b++) {
      const c = cuedContext(b);
      for (let k = 0; k < 240; k++) {
        const during = k >= at(STIM, 0) && k < at(STIM, 1);
        assert.equal(inp(k, b, c), during ? 1 : 0, `trial ${b} k ${k}`);
        assert.equal(inp(k, b, 1 - c), 0);
      }
    }
  });

  it('adds sensory noise of std input_noise/sqrt(dt) on every step of the whole trial', () => {
    const expected = 0.05 / Math.sqrt(dt);
    let s = 0, s2 = 0, n = 0;
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 240; k++) {
        for (let i = 2; i < 4; i++) {
          assert.notEqual(inp(k, b, i), 0, 'noise is on every step');
          if (k < at(STIM, 0) || k >= at(STIM, 1)) { s += inp(k, b, i); s2 += inp(k, b, i) ** 2; n++; }
        }
      }
    }
    const std = Math.sqrt(s2 / n - (s / n) ** 2);
    assert.ok(Math.abs(std - expected) < 0.02 * expected, `std ${std}, expected ${expected}`);
    assert.ok(Math.abs(s / n) < 5 * expected / Math.sqrt(n));
  });

  it('draws coherences from +-{1/8, 1/4, 1/2, 1}, independently per channel, all about equally often', () => {
    const counts = new Map<number, number>();
    let agree = 0;
    for (let b = 0; b < B; b++) {
      const c = [coherence(b, 0), coherence(b, 1)];
      for (const v of c) {
        const nearest = [-1, -0.5, -0.25, -0.125, 0.125, 0.25, 0.5, 1].reduce((x, y) => (Math.abs(y - v) < Math.abs(x - v) ? y : x));
        assert.ok(Math.abs(nearest - v) < 0.05, `stimulus mean ${v} is not a coherence`);
        counts.set(nearest, (counts.get(nearest) ?? 0) + 1);
      }
      if (Math.sign(at(c, 0)) === Math.sign(at(c, 1))) agree++;
    }
    assert.equal(counts.size, 8);
    for (const [, n] of counts) assert.ok(n > (2 * B) / 8 / 2, `count ${n}`);
    assert.ok(agree > B * 0.35 && agree < B * 0.65, 'channel signs are independent');
  });

  it('asks for 0 on [0, 23), nothing on [23, 28), and the cued coherence\'s sign on [28, 48)', () => {
    for (let b = 0; b < B; b++) {
      const choice = Math.sign(coherence(b, cuedContext(b)));
      for (let k = 0; k < 240; k++) {
        const inFix = k < at(STIM, 1);
        const inDecision = k >= at(DECISION, 0) && k < at(DECISION, 1);
        assert.equal(out(batch.mask, k, b), (inFix || inDecision) && k % 5 === 0 ? 1 : 0, `mask trial ${b} k ${k}`);
        assert.equal(out(batch.targets, k, b), inDecision ? choice : 0, `target trial ${b} k ${k}`);
      }
    }
  });

  it('colours by context x choice', () => {
    assert.equal(batch.conditionLabels.length, 4);
    const seen = new Set<number>();
    for (let b = 0; b < B; b++) {
      const c = cuedContext(b);
      const choice = Math.sign(coherence(b, c));
      assert.equal(batch.condition[b], 2 * c + (choice > 0 ? 0 : 1));
      seen.add(at(batch.condition, b));
    }
    assert.equal(seen.size, 4);
    assert.equal(at(batch.conditionLabels, at(batch.condition, 0)).startsWith(`context ${cuedContext(0) + 1}`), true);
  });

  it('is deterministic for a seed', () => {
    const again = mante.generate(PAPER, B, dt, makeRng(3, 'trials'));
    assert.deepEqual(again.inputs, batch.inputs);
    assert.deepEqual(again.targets, batch.targets);
  });

  it('check() names impossible settings', () => {
    assert.equal(mante.check?.(PAPER, 32, dt), undefined);
    assert.match(mante.check?.({ ...PAPER, coherences: [] }, 32, dt) ?? '', /coherences/);
    assert.match(mante.check?.({ ...PAPER, coherences: [0.5, -1] }, 32, dt) ?? '', /positive/);
    assert.match(mante.check?.({ ...PAPER, delay: 5.2, decision: 0.4 }, 32, dt) ?? '', /decision/);
    assert.equal(mante.check?.({ ...PAPER, decision: 0.4 }, 32, dt), undefined);
    assert.match(mante.check?.({ ...PAPER, stim: 0 }, 32, dt) ?? '', /stim/);
    assert.match(mante.check?.({ ...PAPER, input_noise: -1 }, 32, dt) ?? '', /input_noise/);
    assert.throws(() => mante.generate({ ...PAPER, coherences: [] }, 2, dt, makeRng(0, 't')), RangeError);
  });
});
