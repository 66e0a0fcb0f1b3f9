import type { ComplexSineParams, Rng, TaskBatch, TaskDef } from '../types';
import { allocBatch, assertValid, atLeastOneStep, checkCommon, finishBatch, gridSteps } from './batch';

/** Trajectories are coloured by the input level a, in this many equal bins of [0, 1). */
const BINS = 8;
const LABELS: readonly string[] = Array.from(
  { length: BINS },
  (_, i) => `a in [${(i / BINS).toFixed(3)}, ${((i + 1) / BINS).toFixed(3)})`,
);

function check(p: ComplexSineParams, B: number, dt: number): string | undefined {
  const common = checkCommon(p, B, dt);
  if (common) return common;
  const short = atLeastOneStep('duration', p.duration, dt);
  if (short) return short;
  if (p.f_max < p.f_min) return `f_max (${p.f_max}) is below f_min (${p.f_min}); write f_max >= ${p.f_min}.`;
  return undefined;
}

function generate(p: ComplexSineParams, B: number, dt: number, rng: Rng): TaskBatch {
  assertValid(check(p, B, dt), 'complex sine');
  const T = gridSteps(p.duration, dt);
  const a = allocBatch(B, T, 1, 1);
  for (let b = 0; b < B; b++) {
    const level = rng.uniform();
    const omega = 2 * Math.PI * ((p.f_max - p.f_min) * level + p.f_min);
    a.condition[b] = Math.min(BINS - 1, Math.floor(level * BINS));
    for (let k = 0; k < T; k++) {
      const o = k * B + b;
      a.inputs[o] = level + p.offset;
      a.targets[o] = Math.sin(omega * (k * dt));
      a.mask[o] = 1;
    }
  }
  return finishBatch(a, p.mask_step, LABELS);
}

export const complexSine: TaskDef<ComplexSineParams> = {
  kind: 'complex_sine',
  title: 'Complex sine (input-controlled frequency)',
  description: [
    'The network must generate a sine wave whose frequency is set by a constant input.',
    'Input (1): a + `offset` on every step, with a ~ U(0, 1) per trial and offset 0.25 (so the input is never zero).',
    'Output (1): sin(2π f t) from t = 0, with f = f_min + (f_max − f_min)·a (0.04 to 0.2).',
    'The trial lasts `duration` (50, n_t = 250 at dt = 0.2); the whole trial is in the loss, every `mask_step`-th grid point (paper: 2).',
    'Trajectories are coloured by a, in 8 bins.',
  ].join(' '),
  citation:
    'After the sine-wave generator of Sussillo & Barak (2013), Neural Computation 25:626-649, and Maheswaranathan et al. (2019), ' +
    '"Universality and individuality in neural dynamics across large populations of recurrent networks", NeurIPS. ' +
    'Schuessler et al. (2024), eLife 13:RP93060, complex sine task (Methods); docs/science.md §3.5.',
  dims: () => ({ dIn: 1, dOut: 1 }),
  steps: (p, dt) => gridSteps(p.duration, dt),
  generate,
  check,
};
