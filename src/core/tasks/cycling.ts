import type { CyclingParams, Rng, TaskBatch, TaskDef } from '../types';
import { allocBatch, assertValid, at, checkCommon, finishBatch, windowHitsMask } from './batch';

const LABELS = ['context 1 (+)', 'context 2 (-)'] as const;

/**
 * The paper's code converts the cycling times with round() rather than int(), so the
 * response window keeps its nominal length even when t/dt lands just below an integer.
 */
function timing(p: CyclingParams, dt: number): { pulseEnd: number; T: number } {
  return { pulseEnd: Math.round(p.stim / dt), T: Math.round((p.stim + p.response) / dt) };
}

function check(p: CyclingParams, B: number, dt: number): string | undefined {
  const common = checkCommon(p, B, dt);
  if (common) return common;
  if (B % 2 !== 0) {
    return `The batch must be even for cycling, since the two contexts alternate within it; write batch: ${B + 1}.`;
  }
  const { pulseEnd, T } = timing(p, dt);
  if (pulseEnd < 1) return `stim = ${p.stim} rounds to no time step at dt = ${dt}; write stim >= ${dt}.`;
  if (T <= pulseEnd) return `response = ${p.response} leaves no time step to respond in; write response >= ${dt}.`;
  if (!windowHitsMask(pulseEnd, T, p.mask_step)) {
    return `The response window has no grid point with k % mask_step == 0; write a longer response or mask_step <= ${T - pulseEnd}.`;
  }
  return undefined;
}

function generate(p: CyclingParams, B: number, dt: number, _rng: Rng): TaskBatch {
  assertValid(check(p, B, dt), 'cycling');
  const { pulseEnd, T } = timing(p, dt);
  const a = allocBatch(B, T, 2, 2);
  const omega = 2 * Math.PI * p.freq;
  for (let b = 0; b < B; b++) {
    const context = b % 2;
    a.condition[b] = context;
    for (let k = 0; k < pulseEnd; k++) a.inputs[at(k, b, context, B, 2)] = 1;
    // Even trials rotate with +sin, odd ones with -sin; both start at (0, 1).
    const sign = context === 0 ? 1 : -1;
    for (let k = pulseEnd; k < T; k++) {
      const phase = omega * ((k - pulseEnd) * dt);
      const o = at(k, b, 0, B, 2);
      a.targets[o] = Math.sin(sign * phase);
      a.targets[o + 1] = Math.cos(phase);
      a.mask[o] = 1;
      a.mask[o + 1] = 1;
    }
  }
  return finishBatch(a, p.mask_step, LABELS);
}

export const cycling: TaskDef<CyclingParams> = {
  kind: 'cycling',
  title: 'Cycling (two contexts, opposite rotations)',
  description: [
    'The network must produce a rotation of its 2-D output whose direction is set by a brief context cue.',
    'Input: 2 channels; trial b gets a pulse of amplitude 1 on channel b mod 2 for the first `stim` time units (paper: 1).',
    'Output: 2 channels; from the end of the pulse, z1 = sin(±2π·freq·t′) and z2 = cos(2π·freq·t′) with t′ the time since the pulse,',
    '+ for context 1 and − for context 2, so both start at (0, 1) and turn in opposite directions (freq 0.1, response 71: 7 cycles, T = 72, n_t = 360 at dt = 0.2).',
    'The loss counts only the response window, every `mask_step`-th grid point (paper: 5, i.e. once per time unit); the pulse period is unconstrained.',
    'The batch must be even: contexts alternate within it. Durations use round(t/dt), as in the paper\'s code.',
  ].join(' '),
  citation:
    'After Russo et al. (2018), "Motor cortex embeds muscle-like commands in an untangled population response", Neuron 97:953-966. ' +
    'Schuessler et al. (2024), eLife 13:RP93060, cycling task (Fig 2 and Methods); docs/science.md §3.1.',
  dims: () => ({ dIn: 2, dOut: 2 }),
  steps: (p, dt) => timing(p, dt).T,
  generate,
  check,
};
