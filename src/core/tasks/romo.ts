import type { RomoParams, Rng, TaskBatch, TaskDef } from '../types';
import {
  allocBatch, assertValid, atLeastOneStep, checkCommon, fillWindow, finishBatch, gridSteps, nonNegative,
} from './batch';

const LABELS = ['f1 > f2', 'f1 < f2'] as const;

/** Every trial is padded to the longest one the timing allows, as in the paper's code. */
function trialSteps(p: RomoParams, dt: number): number {
  return gridSteps(p.fix_max + 2 * p.stim + p.delay_max + p.decision_delay + p.decision, dt);
}

function check(p: RomoParams, B: number, dt: number): string | undefined {
  const common = checkCommon(p, B, dt);
  if (common) return common;
  const simple =
    nonNegative('fix_min', p.fix_min) ??
    atLeastOneStep('stim', p.stim, dt) ??
    nonNegative('delay_min', p.delay_min) ??
    nonNegative('decision_delay', p.decision_delay) ??
    nonNegative('min_diff', p.min_diff);
  if (simple) return simple;
  if (p.fix_max < p.fix_min) return `fix_max (${p.fix_max}) is below fix_min (${p.fix_min}); write fix_max >= ${p.fix_min}.`;
  if (p.delay_max < p.delay_min) {
    return `delay_max (${p.delay_max}) is below delay_min (${p.delay_min}); write delay_max >= ${p.delay_min}.`;
  }
  if (p.f_max < p.f_min) return `f_max (${p.f_max}) is below f_min (${p.f_min}); write f_max >= ${p.f_min}.`;
  // The paper redraws pairs until they are min_diff apart, which never ends if no pair is.
  // The tolerance accepts f_max - f_min == min_diff as written in decimal (1.2 - 1 < 0.2).
  if (p.f_max - p.f_min < p.min_diff - 1e-9 * Math.max(1, Math.abs(p.f_max))) {
    return `No two frequencies in [f_min, f_max] = [${p.f_min}, ${p.f_max}] differ by min_diff = ${p.min_diff}; ` +
      `write min_diff <= ${round6(p.f_max - p.f_min)} or widen the range.`;
  }
  // Any window of mask_step consecutive grid points contains one with k % mask_step == 0.
  if (gridSteps(p.decision, dt) < p.mask_step) {
    return `decision = ${p.decision} is shorter than mask_step * dt = ${p.mask_step * dt}, so some trials would have no point in the loss; ` +
      `write decision >= ${p.mask_step * dt}.`;
  }
  return undefined;
}

function round6(x: number): number {
  return Number(x.toPrecision(6));
}

/**
 * f1, f2 ~ U(f_min, f_max) conditioned on |f1 - f2| >= min_diff. The paper redraws until
 * the pair qualifies; this draws from the same distribution directly, so it takes two
 * uniforms however narrow the allowed region is. The allowed region is two congruent
 * triangles: pick one, then a point in it as the sorted pair of two uniforms.
 */
function drawPair(p: RomoParams, rng: Rng): [number, number] {
  const width = Math.max(0, p.f_max - p.f_min - p.min_diff);
  const u = rng.uniform() * width;
  const v = rng.uniform() * width;
  const high = p.f_min + p.min_diff + Math.max(u, v);
  const low = p.f_min + Math.min(u, v);
  return rng.uniform() < 0.5 ? [high, low] : [low, high];
}

function generate(p: RomoParams, B: number, dt: number, rng: Rng): TaskBatch {
  assertValid(check(p, B, dt), 'Romo');
  const T = trialSteps(p, dt);
  const a = allocBatch(B, T, 1, 1);
  const stim = gridSteps(p.stim, dt);
  for (let b = 0; b < B; b++) {
    const first = gridSteps(rng.range(p.fix_min, p.fix_max), dt);
    const second = first + stim + gridSteps(rng.range(p.delay_min, p.delay_max), dt);
    const decisionStart = second + stim + gridSteps(p.decision_delay, dt);
    const decisionEnd = decisionStart + gridSteps(p.decision, dt);
    const [f1, f2] = drawPair(p, rng);
    fillWindow(a.inputs, T, B, 1, b, 0, first, first + stim, f1);
    fillWindow(a.inputs, T, B, 1, b, 0, second, second + stim, f2);
    const target = f1 > f2 ? 1 : -1;
    a.condition[b] = target > 0 ? 0 : 1;
    fillWindow(a.targets, T, B, 1, b, 0, decisionStart, decisionEnd, target);
    fillWindow(a.mask, T, B, 1, b, 0, decisionStart, decisionEnd, 1);
  }
  return finishBatch(a, p.mask_step, LABELS);
}

export const romo: TaskDef<RomoParams> = {
  kind: 'romo',
  title: 'Parametric working memory (Romo)',
  description: [
    'The network must compare two stimulus amplitudes separated by a variable delay and report which was larger.',
    'Input (1): f1 for `stim` time units (1) after a fixation of U(fix_min, fix_max) (1 to 3), then after a delay of U(delay_min, delay_max) (2 to 12) f2 for `stim`;',
    'f1, f2 ~ U(f_min, f_max) (0.5 to 1.5) with |f1 − f2| >= `min_diff` (0.2).',
    'Output (1): +1 if f1 > f2, else −1, during the decision window of length `decision` (8) that starts `decision_delay` (4) after f2 ends.',
    'Every trial is padded to the longest possible one (29 time units, n_t = 145 at dt = 0.2).',
    'Only the decision window is in the loss, every `mask_step`-th grid point (5); there is no fixation target.',
  ].join(' '),
  citation:
    'Romo, Brody, Hernández & Lemus (1999), "Neuronal correlates of parametric working memory in the prefrontal cortex", Nature 399:470-473. ' +
    'Schuessler et al. (2024), eLife 13:RP93060, Romo task (Methods); docs/science.md §3.4.',
  dims: () => ({ dIn: 1, dOut: 1 }),
  steps: trialSteps,
  generate,
  check,
};
