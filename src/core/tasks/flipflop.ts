import type { FlipflopParams, Rng, TaskBatch, TaskDef } from '../types';
import {
  allocBatch, assertValid, atLeastOneStep, checkCommon, fillWindow, finishBatch, gridSteps, nonNegative,
} from './batch';
import { at } from '../checked';

interface Steps {
  T: number;
  stim: number;
  grace: number;
  /** onset-to-onset gap while the first `bits` pulses visit every channel: dt + grace */
  firstGap: number;
  /** shortest later gap: gap_min + grace */
  minGap: number;
  /** latest possible first onset */
  maxFirstOnset: number;
}

function steps(p: FlipflopParams, dt: number): Steps {
  return {
    T: gridSteps(p.duration, dt),
    stim: gridSteps(p.stim, dt),
    grace: gridSteps(p.grace, dt),
    firstGap: gridSteps(dt + p.grace, dt),
    minGap: gridSteps(p.gap_min + p.grace, dt),
    maxFirstOnset: gridSteps(p.fix_max, dt),
  };
}

function check(p: FlipflopParams, B: number, dt: number): string | undefined {
  const common = checkCommon(p, B, dt);
  if (common) return common;
  if (!Number.isInteger(p.bits) || p.bits < 1) {
    return `bits must be a whole number of channels, at least 1 (got ${p.bits}); the paper uses 3.`;
  }
  const simple =
    atLeastOneStep('duration', p.duration, dt) ??
    atLeastOneStep('stim', p.stim, dt) ??
    nonNegative('grace', p.grace) ??
    nonNegative('fix_max', p.fix_max) ??
    nonNegative('gap_min', p.gap_min);
  if (simple) return simple;
  if (p.gap_max < p.gap_min) return `gap_max (${p.gap_max}) is below gap_min (${p.gap_min}); write gap_max >= ${p.gap_min}.`;
  const s = steps(p, dt);
  if (s.minGap < 1) {
    return `gap_min + grace (${p.gap_min + p.grace}) is shorter than one time step, so pulses would pile up on one grid point; write gap_min >= ${roundUp(dt - p.grace)}.`;
  }
  // The first pulsed channel is masked from grace after its onset until its own next pulse,
  // which comes at the earliest after the other bits - 1 first pulses and one later gap.
  // That stretch must hold a masked grid point, or a trial may not reach the loss at all.
  const shortestHold = (p.bits - 1) * s.firstGap + s.minGap - s.grace;
  if (shortestHold < p.mask_step) {
    const need = (p.mask_step + s.grace - (p.bits - 1) * s.firstGap) * dt - p.grace;
    return `Pulses can follow each other so fast that no masked point survives the grace period; write gap_min >= ${roundUp(need)}.`;
  }
  const lastNeeded = s.maxFirstOnset + s.grace + p.mask_step;
  if (lastNeeded > s.T) {
    return `The first target (onset up to fix_max, then grace, then one mask_step) does not fit in duration = ${p.duration}; write duration >= ${roundUp(lastNeeded * dt)}.`;
  }
  return undefined;
}

function roundUp(t: number): number {
  return Math.ceil(t * 1000 - 1e-9) / 1000;
}

/** Uniformly random order of the channels, so the first pulses visit each one once. */
function shuffledChannels(bits: number, rng: Rng): number[] {
  const order = Array.from({ length: bits }, (_, i) => i);
  for (let i = bits - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const swapped = at(order, i);
    order[i] = at(order, j);
    order[j] = swapped;
  }
  return order;
}

function generate(p: FlipflopParams, B: number, dt: number, rng: Rng): TaskBatch {
  assertValid(check(p, B, dt), 'flip-flop');
  const s = steps(p, dt);
  const { T } = s;
  const d = p.bits;
  const a = allocBatch(B, T, d, d);
  const labels: string[] = [];
  for (let b = 0; b < B; b++) {
    a.condition[b] = b;
    labels.push(`trial ${b + 1}`);
    const first = shuffledChannels(d, rng);
    let onset = gridSteps(rng.range(0, p.fix_max), dt);
    for (let pulse = 0; ; pulse++) {
      const gap = pulse < d - 1 ? dt : rng.range(p.gap_min, p.gap_max);
      const channel = pulse < d ? at(first, pulse) : rng.int(d);
      const sign = rng.uniform() < 0.5 ? 1 : -1;
      // At least one step, so that the loop always advances (check() rejects such gaps).
      const next = onset + Math.max(1, gridSteps(gap + p.grace, dt));
      fillWindow(a.inputs, T, B, d, b, channel, onset, onset + s.stim, sign);
      for (let c = 0; c < d; c++) {
        if (c === channel) {
          // The pulsed channel switches after the grace period and is unmasked during it.
          fillWindow(a.targets, T, B, d, b, c, onset + s.grace, next, sign);
          fillWindow(a.mask, T, B, d, b, c, onset + s.grace, next, 1);
        } else {
          // Every other channel holds its last target and mask (never pulsed: 0, unmasked).
          const prev = onset - 1;
          const inside = prev >= 0 && prev < T;
          const held = inside ? at(a.targets, (prev * B + b) * d + c) : 0;
          const heldMask = inside ? at(a.mask, (prev * B + b) * d + c) : 0;
          fillWindow(a.targets, T, B, d, b, c, onset, next, held);
          fillWindow(a.mask, T, B, d, b, c, onset, next, heldMask);
        }
      }
      onset = next;
      if (onset > T) break;
    }
  }
  return finishBatch(a, p.mask_step, labels);
}

export const flipflop: TaskDef<FlipflopParams> = {
  kind: 'flipflop',
  title: 'Flip-flop (bits of memory)',
  description: [
    'The network must remember, on each of `bits` outputs, the sign of the last pulse it received on the matching input (paper: 3 bits).',
    'Inputs: pulses of ±1 lasting `stim` (1 time unit); the first starts at U(0, fix_max) (fix_max 1), the first `bits` pulses visit every channel once',
    'in random order, 2.2 apart (dt + grace), then the channel is random and onsets are U(gap_min, gap_max) + grace apart (U(3, 10) + 2) until the trial ends (duration 25, n_t = 125 at dt = 0.2).',
    'Outputs: after a pulse the pulsed channel must show its sign from `grace` (2) after the onset until the next onset; during the grace period it is unmasked.',
    'The other channels hold their previous target and mask; channels never pulsed yet are unmasked.',
    'The loss uses every `mask_step`-th grid point (5). Trajectories are coloured by trial.',
  ].join(' '),
  citation:
    'Sussillo & Barak (2013), "Opening the black box: low-dimensional dynamics in high-dimensional recurrent neural networks", Neural Computation 25:626-649. ' +
    'Schuessler et al. (2024), eLife 13:RP93060, flip-flop task (Methods); docs/science.md §3.2.',
  dims: (p) => ({ dIn: p.bits, dOut: p.bits }),
  steps: (p, dt) => gridSteps(p.duration, dt),
  generate,
  check,
};
