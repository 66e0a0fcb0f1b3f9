import * as assert from 'node:assert/strict';
import { makeRng } from '../../../src/core/rng';
import { romo } from '../../../src/core/tasks/romo';
import type { RomoParams, TaskBatch } from '../../../src/core/types';
import { at } from '../../../src/core/checked';

const PAPER: RomoParams = {
  kind: 'romo', fix_min: 1, fix_max: 3, stim: 1, delay_min: 2, delay_max: 12, decision_delay: 4, decision: 8,
  f_min: 0.5, f_max: 1.5, min_diff: 0.2, mask_step: 5,
};
const dt = 0.2;

interface Trial { first: number; f1: number; second: number; f2: number }

/** The two stimuli of trial b, read back from the input. */
function stimuli(batch: TaskBatch, b: number): Trial {
  const runs: Array<{ start: number; end: number; value: number }> = [];
  for (let k = 0; k < batch.T; k++) {
    const v = at(batch.inputs, k * batch.B + b);
    const prev = k > 0 ? batch.inputs[(k - 1) * batch.B + b] : 0;
    if (v !== 0 && prev === 0) runs.push({ start: k, end: k + 1, value: v });
    else if (v !== 0) at(runs, runs.length - 1).end = k + 1;
  }
  assert.equal(runs.length, 2, `trial ${b} has ${runs.length} stimuli`);
  for (const r of runs) assert.equal(r.end - r.start, 5, 'each stimulus lasts 1 time unit');
  return { first: at(runs, 0).start, f1: at(runs, 0).value, second: at(runs, 1).start, f2: at(runs, 1).value };
}

describe('tasks/romo', () => {
  const B = 512;
  const batch = romo.generate(PAPER, B, dt, makeRng(4, 'trials'));

  it('pads every trial to the longest possible one: n_t = int(29/dt) = 145', () => {
    assert.equal(batch.T, 145);
    assert.equal(romo.steps(PAPER, dt), 145);
    assert.deepEqual(romo.dims(PAPER), { dIn: 1, dOut: 1 });
  });

  it('times the two stimuli by U(1, 3) fixation and U(2, 12) delay', () => {
    for (let b = 0; b < B; b++) {
      const t = stimuli(batch, b);
      assert.ok(t.first >= 5 && t.first < 15, `first onset ${t.first}`);
      const delay = t.second - (t.first + 5);
      assert.ok(delay >= 10 && delay < 60, `delay ${delay}`);
    }
  });

  it('draws f1, f2 in [0.5, 1.5) at least 0.2 apart', () => {
    for (let b = 0; b < B; b++) {
      const { f1, f2 } = stimuli(batch, b);
      for (const f of [f1, f2]) assert.ok(f >= 0.5 - 1e-6 && f < 1.5 + 1e-6, `${f}`);
      assert.ok(Math.abs(f1 - f2) >= 0.2 - 1e-6, `|f1 - f2| = ${Math.abs(f1 - f2)}`);
    }
  });

  it('matches the paper\'s redraw-until-apart distribution', () => {
    // Rejection sampling as in the paper, against the generator's direct draw.
    const rng = makeRng(5, 'reference');
    const reference: number[] = [];
    while (reference.length < 20_000) {
      const f1 = rng.range(0.5, 1.5), f2 = rng.range(0.5, 1.5);
      if (Math.abs(f1 - f2) >= 0.2) reference.push(Math.abs(f1 - f2), f1);
    }
    const big = romo.generate(PAPER, 10_000, dt, makeRng(6, 'trials'));
    const drawn: number[] = [];
    for (let b = 0; b < 10_000; b++) {
      const { f1, f2 } = stimuli(big, b);
      drawn.push(Math.abs(f1 - f2), f1);
    }
    const stats = (xs: number[]) => {
      let diff = 0, low = 0, fLow = 0;
      for (let i = 0; i < xs.length; i += 2) {
        diff += at(xs, i);
        if (at(xs, i) < 0.4) low++;
        if (at(xs, i + 1) < 0.7) fLow++;
      }
      const n = xs.length / 2;
      return { meanDiff: diff / n, fracSmallDiff: low / n, fracLowF1: fLow / n };
    };
    const ref = stats(reference);
    const got = stats(drawn);
    // E|f1 - f2| = 0.2 + 0.8/3 for this conditioning; P(f1 < 0.7) = 0.21875 (not 0.2).
    assert.ok(Math.abs(ref.meanDiff - (0.2 + 0.8 / 3)) < 0.006);
    assert.ok(Math.abs(got.meanDiff - (0.2 + 0.8 / 3)) < 0.006, `mean diff ${got.meanDiff}`);
    assert.ok(Math.abs(got.fracSmallDiff - ref.fracSmallDiff) < 0.02, `${got.fracSmallDiff} vs ${ref.fracSmallDiff}`);
    assert.ok(Math.abs(got.fracLowF1 - 0.21875) < 0.015, `P(f1 < 0.7) = ${got.fracLowF1}`);
  });

  it('asks for sign(f1 - f2) on the decision window only, 4 after f2 and 8 long', () => {
    let larger = 0;
    for (let b = 0; b < B; b++) {
      const t = stimuli(batch, b);
      const start = t.second + 5 + 20;
      const end = start + 40;
      const target = t.f1 > t.f2 ? 1 : -1;
      if (target > 0) larger++;
      for (let k = 0; k < 145; k++) {
        const inside = k >= start && k < end;
        assert.equal(batch.mask[k * B + b], inside && k % 5 === 0 ? 1 : 0, `mask trial ${b} k ${k}`);
        assert.equal(batch.targets[k * B + b], inside ? target : 0);
      }
      assert.equal(batch.condition[b], target > 0 ? 0 : 1);
    }
    assert.ok(larger > B * 0.4 && larger < B * 0.6);
    assert.deepEqual(batch.conditionLabels, ['f1 > f2', 'f1 < f2']);
  });

  it('never hangs, even when the allowed frequency pairs are a single point', () => {
    const p = { ...PAPER, f_min: 1, f_max: 1.2, min_diff: 0.2 };
    assert.equal(romo.check?.(p, 4, dt), undefined);
    const bb = romo.generate(p, 64, dt, makeRng(0, 't'));
    for (let b = 0; b < 64; b++) {
      const { f1, f2 } = stimuli(bb, b);
      assert.ok(Math.abs(Math.abs(f1 - f2) - 0.2) < 1e-6);
    }
  });

  it('is deterministic for a seed', () => {
    const again = romo.generate(PAPER, B, dt, makeRng(4, 'trials'));
    assert.deepEqual(again.inputs, batch.inputs);
    assert.deepEqual(again.mask, batch.mask);
  });

  it('check() names impossible settings', () => {
    assert.equal(romo.check?.(PAPER, 32, dt), undefined);
    assert.match(romo.check?.({ ...PAPER, f_min: 0.5, f_max: 0.6 }, 32, dt) ?? '', /min_diff/);
    assert.match(romo.check?.({ ...PAPER, f_max: 0.4 }, 32, dt) ?? '', /f_max/);
    assert.match(romo.check?.({ ...PAPER, fix_max: 0.5 }, 32, dt) ?? '', /fix_max/);
    assert.match(romo.check?.({ ...PAPER, delay_max: 1 }, 32, dt) ?? '', /delay_max/);
    assert.match(romo.check?.({ ...PAPER, decision: 0.6 }, 32, dt) ?? '', /decision/);
    assert.match(romo.check?.({ ...PAPER, mask_step: -5 }, 32, dt) ?? '', /mask_step/);
    assert.throws(() => romo.generate({ ...PAPER, f_max: 0.6 }, 4, dt, makeRng(0, 't')), /min_diff/);
  });
});
