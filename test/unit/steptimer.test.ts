/**
 * timeSteps against a virtual clock: a step of known duration, read through a clock of
 * 0.1 ms resolution (what a page without cross-origin isolation gets).
 */
import * as assert from 'node:assert/strict';
import type { BatchRun } from '../../src/core/bptt';
import type { TrainingEngine } from '../../src/core/engine';
import { MIN_SAMPLE_MS, timeSteps } from '../../src/core/steptimer';

/** An engine whose step advances the virtual time by `stepMs`, and the coarse clock reading it. */
function virtual(stepMs: number, resolutionMs: number) {
  let t = 0;
  let steps = 0;
  let made = 0;
  const engine = {
    step: () => {
      t += stepMs;
      steps++;
      return {};
    },
  } as unknown as TrainingEngine;
  const next = () => {
    made++;
    // making a batch takes time too, which must not be counted
    t += 1;
    return {} as BatchRun;
  };
  return { engine, next, now: () => Math.floor(t / resolutionMs) * resolutionMs, counts: () => ({ steps, made }) };
}

describe('timing training steps (steptimer)', () => {
  it('a step far below the clock resolution is timed as the mean of several, not as 0', () => {
    const v = virtual(0.025, 0.1);
    const t = timeSteps(v.engine, v.next, { warmup: 1, minIters: 3, maxIters: 4, seconds: 0 }, v.now);
    assert.equal(t.iters, 3);
    // each sample spans >= MIN_SAMPLE_MS, so the 0.1 ms quantisation is at most 0.1 / MIN_SAMPLE_MS of it
    assert.ok(Math.abs(t.median - 0.025) <= 0.025 * (0.1 / MIN_SAMPLE_MS) + 1e-12, `median ${t.median}`);
    assert.ok(t.min > 0 && t.min <= t.median);
    assert.equal(v.counts().steps, v.counts().made, 'every step had its own fresh batch');
  });

  it('a step longer than a sample is timed one by one, batches excluded', () => {
    const v = virtual(5, 0.1);
    const t = timeSteps(v.engine, v.next, { warmup: 2, minIters: 5, maxIters: 5, seconds: 0 }, v.now);
    assert.deepEqual(t, { median: 5, min: 5, iters: 5 });
    assert.equal(v.counts().steps, 7);
  });
});
