import assert from 'node:assert/strict';
import type { PerturbationResult } from '../../../src/core/analysis/perturbation';
import { perturbationCurves } from '../../../src/core/analysis/perturbation/curves';

describe('perturbation curves for the panel (science §4.6)', () => {
  // 2 directions x 3 amplitudes x 2 times, L = 100 d + 10 a + p: a hand-checkable layout.
  const N = 16;
  const loss = new Float32Array(12);
  for (let d = 0; d < 2; d++) for (let a = 0; a < 3; a++) for (let p = 0; p < 2; p++) loss[(d * 3 + a) * 2 + p] = 100 * d + 10 * a + p;
  const result = {
    directions: ['w_out', 'pc'],
    amplitudes: [0, 5 * Math.sqrt(N), 10 * Math.sqrt(N)],
    a_max: 10,
    times: [1, 2],
    steps: [10, 20],
    loss,
    loss_unperturbed: 0.5,
    auc: { w_out: 1, pc: 2 },
    rel_susceptibility: 0.5,
    scored: '',
    trials: 4,
    seconds: 0,
  } as PerturbationResult;

  it('averages over the kick times, per direction and amplitude, in the [D, A, P] layout', () => {
    const c = perturbationCurves(result);
    assert.deepEqual(c.loss, [[0.5, 10.5, 20.5], [100.5, 110.5, 120.5]]);
    assert.deepEqual(c.directions, ['w_out', 'pc']);
    assert.equal(c.rel_susceptibility, 0.5);
  });

  it('gives the amplitudes in units of sqrt(N), 0 .. a_max', () => {
    const c = perturbationCurves(result);
    assert.equal(c.amplitudes.length, 3);
    [0, 5, 10].forEach((want, i) => assert.ok(Math.abs((c.amplitudes[i] ?? NaN) - want) < 1e-12, `${c.amplitudes[i]} != ${want}`));
  });
});
