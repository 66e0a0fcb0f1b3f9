import type { ManteParams, Rng, TaskBatch, TaskDef } from '../types';
import {
  allocBatch, assertValid, at, atLeastOneStep, checkCommon, fillWindow, finishBatch, gridSteps, nonNegative,
  windowHitsMask,
} from './batch';

/** Input channels: [context 0, context 1, sensory 0, sensory 1]. */
const D_IN = 4;
const FIRST_SENSORY = 2;

const LABELS = [
  'context 1, choice +', 'context 1, choice -',
  'context 2, choice +', 'context 2, choice -',
] as const;

interface Windows {
  T: number;
  stimStart: number;
  stimEnd: number;
  decisionStart: number;
  decisionEnd: number;
}

/** Each phase is converted on its own, as in the paper's code; the trial from the sum. */
function windows(p: ManteParams, dt: number): Windows {
  const stimStart = gridSteps(p.fix, dt);
  const stimEnd = stimStart + gridSteps(p.stim, dt);
  const decisionStart = stimEnd + gridSteps(p.delay, dt);
  const decisionEnd = decisionStart + gridSteps(p.decision, dt);
  return { T: gridSteps(p.fix + p.stim + p.delay + p.decision, dt), stimStart, stimEnd, decisionStart, decisionEnd };
}

function check(p: ManteParams, B: number, dt: number): string | undefined {
  const common = checkCommon(p, B, dt);
  if (common) return common;
  const simple =
    nonNegative('fix', p.fix) ??
    atLeastOneStep('stim', p.stim, dt) ??
    nonNegative('delay', p.delay) ??
    atLeastOneStep('decision', p.decision, dt) ??
    nonNegative('input_noise', p.input_noise);
  if (simple) return simple;
  if (!Array.isArray(p.coherences) || p.coherences.length === 0) {
    return 'coherences must list at least one magnitude; the paper uses [0.125, 0.25, 0.5, 1].';
  }
  for (const c of p.coherences) {
    if (!(c > 0) || !Number.isFinite(c)) {
      return `coherences are magnitudes, each a positive number (got ${c}); the sign is drawn per trial.`;
    }
  }
  const w = windows(p, dt);
  if (!windowHitsMask(w.decisionStart, Math.min(w.decisionEnd, w.T), p.mask_step)) {
    return `The decision window has no grid point with k % mask_step == 0; write decision >= ${p.mask_step * dt}.`;
  }
  return undefined;
}

function generate(p: ManteParams, B: number, dt: number, rng: Rng): TaskBatch {
  assertValid(check(p, B, dt), 'Mante');
  const w = windows(p, dt);
  const { T } = w;
  const a = allocBatch(B, T, D_IN, 1);
  const noiseStd = p.input_noise / Math.sqrt(dt);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < T; k++) {
      for (let i = FIRST_SENSORY; i < D_IN; i++) a.inputs[at(k, b, i, B, D_IN)] = noiseStd * rng.normal();
    }
    const coherence = [0, 0];
    for (let i = 0; i < 2; i++) {
      const magnitude = p.coherences[rng.int(p.coherences.length)] ?? 0;
      coherence[i] = rng.uniform() < 0.5 ? magnitude : -magnitude;
    }
    const context = rng.int(2);
    for (let k = w.stimStart; k < Math.min(w.stimEnd, T); k++) {
      a.inputs[at(k, b, context, B, D_IN)] = 1;
      for (let i = 0; i < 2; i++) a.inputs[at(k, b, FIRST_SENSORY + i, B, D_IN)] = (a.inputs[at(k, b, FIRST_SENSORY + i, B, D_IN)] ?? 0) + (coherence[i] ?? 0);
    }
    const choice = (coherence[context] ?? 0) > 0 ? 1 : -1;
    a.condition[b] = 2 * context + (choice > 0 ? 0 : 1);
    // Fixation: target 0 until the stimulus ends; the delay after it is left free.
    fillWindow(a.mask, T, B, 1, b, 0, 0, w.stimEnd, 1);
    fillWindow(a.targets, T, B, 1, b, 0, w.decisionStart, w.decisionEnd, choice);
    fillWindow(a.mask, T, B, 1, b, 0, w.decisionStart, w.decisionEnd, 1);
  }
  return finishBatch(a, p.mask_step, LABELS);
}

export const mante: TaskDef<ManteParams> = {
  kind: 'mante',
  title: 'Context-dependent integration (Mante)',
  description: [
    'The network must report the sign of one of two noisy sensory inputs, the one selected by a context cue, and ignore the other.',
    'Inputs (4): context 1, context 2, sensory 1, sensory 2. The cued context channel is 1 during the stimulus;',
    'each sensory channel carries a coherence ±c (c drawn from `coherences`, paper 1/8, 1/4, 1/2, 1, with a random sign) during the stimulus,',
    'plus noise `input_noise`/√dt·N(0,1) on every step of the trial (0.05).',
    'Timing: fixation `fix` (3), stimulus `stim` (20), delay (5), decision (20): T = 48, n_t = 240 at dt = 0.2.',
    'Output (1): 0 until the stimulus ends, free during the delay, then the sign of the cued coherence for the decision window (20 time units at the defaults).',
    'The loss uses every `mask_step`-th grid point (5) of the fixation and decision windows. Train with state noise 0.05.',
  ].join(' '),
  citation:
    'Mante, Sussillo, Shenoy & Newsome (2013), "Context-dependent computation by recurrent dynamics in prefrontal cortex", Nature 503:78-84. ' +
    'Schuessler et al. (2024), eLife 13:RP93060, Mante task (Methods); docs/science.md §3.3.',
  dims: () => ({ dIn: D_IN, dOut: 1 }),
  steps: (p, dt) => windows(p, dt).T,
  generate,
  check,
};
