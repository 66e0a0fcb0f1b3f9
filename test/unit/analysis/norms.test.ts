import * as assert from 'node:assert/strict';
import { outputWeightNorm, stateNorm } from '../../../src/core/analysis/norms';

describe('analysis/norms (docs/science.md §4.2)', () => {
  it('||w_out|| of one readout is its Euclidean norm', () => {
    // (3, 4): RMS sqrt(12.5), times sqrt(2) = 5
    assert.ok(Math.abs(outputWeightNorm([3, 4], 2) - 5) < 1e-15);
  });

  it('||w_out|| of several readouts is the RMS per-output norm', () => {
    // rows (3,4) and (0,0): sqrt((25 + 0) / 2) = sqrt(12.5)
    assert.ok(Math.abs(outputWeightNorm([3, 4, 0, 0], 2) - Math.sqrt(12.5)) < 1e-15);
    // initial scale 1/sqrt(N) per entry gives 1, whatever dOut
    const N = 64;
    const w = Float64Array.from({ length: 3 * N }, (_, k) => (k % 2 ? 1 : -1) / Math.sqrt(N));
    assert.ok(Math.abs(outputWeightNorm(w, N) - 1) < 1e-14);
  });

  it('||x|| skips the grace period and is the RMS state-vector norm', () => {
    // T = 3, B = 2, N = 2, kMin = 1; step 0 holds huge values that must not count.
    const states = Float32Array.of(1e6, 1e6, 1e6, 1e6, /* k=1 */ 3, 4, 0, 0, /* k=2 */ 1, 0, 0, 1);
    // squared norms 25, 0, 1, 1 -> mean 6.75
    assert.ok(Math.abs(stateNorm(states, 3, 2, 2, 1) - Math.sqrt(6.75)) < 1e-12);
    assert.ok(Math.abs(stateNorm(states, 3, 2, 2, 2) - 1) < 1e-12);
    assert.ok(Number.isNaN(stateNorm(states, 3, 2, 2, 3)));
    assert.throws(() => stateNorm(states, 3, 2, 3, 1), /shape mismatch/);
  });
});
