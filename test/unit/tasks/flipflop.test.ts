import * as assert from 'node:assert/strict';
import { makeRng } from '../../../src/core/rng';
import { flipflop } from '../../../src/core/tasks/flipflop';
import type { FlipflopParams, TaskBatch } from '../../../src/core/types';
import { at } from '../../../src/core/checked';

const PAPER: FlipflopParams = {
  kind: 'flipflop', bits: 3, duration: 25, stim: 1, grace: 2, fix_max: 1, gap_min: 3, gap_max: 10, mask_step: 5,
};
const dt = 0.2;

interface Pulse { onset: number; channel: number; sign: number }

/** The pulses of trial b, read back from the inputs (runs of a constant nonzero value). */
function pulses(batch: TaskBatch, b: number): Pulse[] {
  const { B, T, dIn } = batch;
  const found: Pulse[] = [];
  for (let c = 0; c < dIn; c++) {
    for (let k = 0; k < T; k++) {
      const v = at(batch.inputs, (k * B + b) * dIn + c);
      const before = k > 0 ? batch.inputs[((k - 1) * B + b) * dIn + c] : 0;
      if (v !== 0 && v !== before) found.push({ onset: k, channel: c, sign: v });
    }
  }
  return found.sort((x, y) => x.onset - y.onset);
}

describe('tasks/flipflop', () => {
  const B = 64;
  const batch = flipflop.generate(PAPER, B, dt, makeRng(1, 'trials'));
  const d = 3;

  it('has n_t = 125 and one input and output per bit', () => {
    assert.equal(batch.T, 125);
    assert.equal(flipflop.steps(PAPER, dt), 125);
    assert.deepEqual(flipflop.dims(PAPER), { dIn: 3, dOut: 3 });
    assert.equal(batch.inputs.length, 125 * B * 3);
  });

  it('sends 5-step pulses of +-1: first within [0, 1), the first three on distinct channels 11 steps apart', () => {
    for (let b = 0; b < B; b++) {
      const ps = pulses(batch, b);
      assert.ok(ps.length >= 4, `trial ${b} has ${ps.length} pulses`);
      assert.ok(at(ps, 0).onset < 5, `first onset ${at(ps, 0).onset}`);
      assert.equal(new Set(ps.slice(0, 3).map((p) => p.channel)).size, 3);
      assert.equal(at(ps, 1).onset - at(ps, 0).onset, 11);
      assert.equal(at(ps, 2).onset - at(ps, 1).onset, 11);
      for (let i = 3; i < ps.length; i++) {
        // U(3, 10) + 2 time units: 25 to 59 steps.
        const gap = at(ps, i).onset - at(ps, i - 1).onset;
        assert.ok(gap >= 25 && gap <= 59, `gap ${gap}`);
      }
      for (const p of ps) {
        assert.ok(p.sign === 1 || p.sign === -1);
        for (let k = p.onset; k < Math.min(125, p.onset + 5); k++) {
          assert.equal(batch.inputs[(k * B + b) * d + p.channel], p.sign);
        }
        if (p.onset + 5 < 125) assert.equal(batch.inputs[((p.onset + 5) * B + b) * d + p.channel], 0);
      }
    }
  });

  it('masks a channel exactly when its last pulse is at least grace (10 steps) old, with that pulse\'s sign', () => {
    let masked = 0;
    for (let b = 0; b < B; b++) {
      const ps = pulses(batch, b);
      for (let c = 0; c < d; c++) {
        for (let k = 0; k < 125; k++) {
          const own = ps.filter((p) => p.channel === c && p.onset <= k);
          const last = own[own.length - 1];
          const o = (k * B + b) * d + c;
          const shouldMask = last !== undefined && k - last.onset >= 10 && k % 5 === 0;
          assert.equal(batch.mask[o], shouldMask ? 1 : 0, `trial ${b} channel ${c} k ${k}`);
          if (shouldMask) {
            assert.equal(batch.targets[o], last.sign);
            masked++;
          }
        }
      }
    }
    assert.ok(masked > B * 3 * 10);
  });

  it('leaves channels that were never pulsed unmasked', () => {
    for (let b = 0; b < B; b++) {
      const firstOnset = at(pulses(batch, b), 0).onset;
      for (let k = 0; k <= firstOnset + 9; k++) {
        for (let c = 0; c < d; c++) assert.equal(batch.mask[(k * B + b) * d + c], 0);
      }
    }
  });

  it('draws both signs, every channel first, and colours by trial', () => {
    const signs = new Set<number>();
    const firstChannels = new Set<number>();
    for (let b = 0; b < B; b++) {
      const ps = pulses(batch, b);
      ps.forEach((p) => signs.add(p.sign));
      firstChannels.add(at(ps, 0).channel);
    }
    assert.deepEqual([...signs].sort(), [-1, 1]);
    assert.equal(firstChannels.size, 3);
    assert.deepEqual(Array.from(batch.condition), Array.from({ length: B }, (_, b) => b));
    assert.equal(batch.conditionLabels.length, B);
  });

  it('works with other numbers of bits', () => {
    for (const bits of [1, 2, 5]) {
      const p = { ...PAPER, bits };
      assert.equal(flipflop.check?.(p, 8, dt), undefined);
      const bb = flipflop.generate(p, 8, dt, makeRng(2, 'trials'));
      assert.equal(bb.dIn, bits);
      assert.equal(bb.inputs.length, 125 * 8 * bits);
      assert.ok(bb.mask.some((m) => m === 1));
      assert.equal(new Set(pulses(bb, 0).slice(0, bits).map((q) => q.channel)).size, bits);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = flipflop.generate(PAPER, B, dt, makeRng(1, 'trials'));
    assert.deepEqual(again.inputs, batch.inputs);
    assert.deepEqual(again.targets, batch.targets);
    assert.deepEqual(again.mask, batch.mask);
    assert.notDeepEqual(flipflop.generate(PAPER, B, dt, makeRng(2, 'trials')).inputs, batch.inputs);
  });

  it('check() names impossible settings', () => {
    assert.equal(flipflop.check?.(PAPER, 32, dt), undefined);
    assert.match(flipflop.check?.({ ...PAPER, bits: 2.5 }, 32, dt) ?? '', /bits/);
    assert.match(flipflop.check?.({ ...PAPER, bits: 0 }, 32, dt) ?? '', /bits/);
    assert.match(flipflop.check?.({ ...PAPER, gap_max: 2 }, 32, dt) ?? '', /gap_max/);
    assert.match(flipflop.check?.({ ...PAPER, gap_min: 0, grace: 0 }, 32, dt) ?? '', /gap_min/);
    assert.match(flipflop.check?.({ ...PAPER, bits: 1, gap_min: 0, gap_max: 0 }, 32, dt) ?? '', /gap_min/);
    assert.match(flipflop.check?.({ ...PAPER, duration: 3 }, 32, dt) ?? '', /duration/);
    assert.match(flipflop.check?.({ ...PAPER, stim: 0.1 }, 32, dt) ?? '', /stim/);
    assert.match(flipflop.check?.({ ...PAPER, mask_step: 0 }, 32, dt) ?? '', /mask_step/);
    assert.throws(() => flipflop.generate({ ...PAPER, gap_min: 0, grace: 0 }, 4, dt, makeRng(0, 't')), RangeError);
  });
});
