import type { Rng, SineParams, TaskBatch, TaskDef } from '../types';
import { allocBatch, assertValid, atLeastOneStep, checkCommon, fillWindow, finishBatch, gridSteps } from './batch';

const LABELS = ['sine'] as const;

/**
 * The evaluation batch runs for eval_duration but never shorter than training, as in the
 * paper's code (its t_max is raised to the task length when shorter).
 */
function batchSteps(p: SineParams, dt: number, evaluation: boolean): number {
  return gridSteps(evaluation ? Math.max(p.duration, p.eval_duration) : p.duration, dt);
}

function check(p: SineParams, B: number, dt: number): string | undefined {
  return checkCommon(p, B, dt) ?? atLeastOneStep('duration', p.duration, dt);
}

function generate(p: SineParams, B: number, dt: number, _rng: Rng, evaluation = false): TaskBatch {
  assertValid(check(p, B, dt), 'sine');
  const T = batchSteps(p, dt, evaluation);
  const trained = gridSteps(p.duration, dt);
  const a = allocBatch(B, T, 0, 1);
  const omega = 2 * Math.PI * p.freq;
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < T; k++) a.targets[k * B + b] = Math.sin(omega * (k * dt));
    // Beyond the trained window the target continues but is not in the loss.
    fillWindow(a.mask, T, B, 1, b, 0, 0, trained, 1);
  }
  return finishBatch(a, p.mask_step, LABELS);
}

export const sine: TaskDef<SineParams> = {
  kind: 'sine',
  title: 'Simple sine (autonomous oscillation)',
  description: [
    'The network must produce sin(2π·freq·t) from t = 0 with no input at all (d_in = 0), so the oscillation has to come from its initial state and its own dynamics',
    '(freq 0.1; `duration` 21, n_t = 105 at dt = 0.2).',
    'The loss uses every `mask_step`-th grid point (5) of the trained window (21 time units at the defaults).',
    'The evaluation batch runs for `eval_duration` (63, three times as long) with the sine continued but only the trained window in the mask, to show whether the oscillation persists.',
    'This is the Methods example for the aligned, lazy, marginal and oblique regimes (train W only; state noise 1 with large output weights gives oblique).',
  ].join(' '),
  citation:
    'Schuessler et al. (2024), eLife 13:RP93060, simple sine example of the Methods (sine_example notebooks, Figs 9 and 23-27); docs/science.md §3.6.',
  dims: () => ({ dIn: 0, dOut: 1 }),
  steps: (p, dt) => batchSteps(p, dt, false),
  generate,
  check,
};
