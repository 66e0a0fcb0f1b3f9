/**
 * When to perturb and where to measure the damage, per task (docs/science.md §4.6, the
 * authors' `neuro_compute_results` notebook).
 *
 * Ten perturbation times t_p = t_min + dt floor(i (t_max - t_min) / (10 dt)), i = 0..9,
 * in an interval before the loss is evaluated. The loss mask is the task's own, changed so
 * that the perturbation has at least 5 time units to act before the first scored point:
 *
 * - "shift" (cycling, flip-flop, complex sine; simple sine is ours): the output is scored
 *   from the start, so the scored interval is moved: t_max = t_min + interval, and only mask
 *   points with t >= t_max + 5 count.
 * - "first target" (Mante): the fixation part of the mask (target 0) is dropped; scoring
 *   starts at the first nonzero target of any trial, and t_max is 5 before that.
 * - "latest interval" (Romo): every trial is scored on the decision interval of the trial
 *   whose decision starts latest, with its own target copied into it; t_max is 5 before
 *   that interval.
 *
 * Times are computed on the integer grid (k = round(t/dt)), which is what the authors'
 * float arithmetic intends; `int(t_p / dt)` in their code can land one step early when
 * t_p / dt rounds to just below an integer.
 */
import type { TaskBatch, TaskParams } from '../../types';

/** Amplitudes and times of the experiment (paper: 21 and 10). */
export const AMPLITUDE_COUNT = 21;
export const TIME_COUNT = 10;
/** Time from the latest perturbation to the first scored point (paper: 5). */
export const GAP_BEFORE_LOSS = 5;

type Rule = { kind: 'shift'; interval: number } | { kind: 'first-target' } | { kind: 'latest-interval' };

interface TaskRule {
  /** earliest perturbation time t_min */
  tMin: number;
  /** largest amplitude in units of sqrt(N) (the state norm is about sqrt(N)) */
  aMax: number;
  rule: Rule;
}

/** docs/science.md §4.6, table; the simple sine is not in the paper (our choice: its mask ends at t = 21). */
const RULES: Record<TaskParams['kind'], TaskRule> = {
  cycling: { tMin: 5, aMax: 10, rule: { kind: 'shift', interval: 10 } },
  flipflop: { tMin: 5, aMax: 10, rule: { kind: 'shift', interval: 5 } },
  complex_sine: { tMin: 5, aMax: 10, rule: { kind: 'shift', interval: 20 } },
  sine: { tMin: 5, aMax: 10, rule: { kind: 'shift', interval: 5 } },
  mante: { tMin: 10, aMax: 10, rule: { kind: 'first-target' } },
  romo: { tMin: 1, aMax: 5, rule: { kind: 'latest-interval' } },
};

/** The largest amplitude A_max of the task, in units of sqrt(N) (10; Romo 5). */
export function maxAmplitude(task: TaskParams): number {
  return RULES[task.kind].aMax;
}

export interface PerturbationProtocol {
  /** grid indices of the perturbation times, ascending (may repeat when the interval is short) */
  steps: number[];
  /** the same in time units, k dt */
  times: number[];
  /** largest amplitude A_max sqrt(N) is applied with this A_max */
  aMax: number;
  /** the loss mask and targets of the experiment, [T][B][dOut] like a TaskBatch */
  mask: Float32Array;
  targets: Float32Array;
  /** first and last grid index with a scored point */
  lossFrom: number;
  lossTo: number;
  /** one sentence for reports: which points are scored */
  description: string;
}

/** Thrown when the task's timing leaves no room for the experiment; the message says why. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export function perturbationProtocol(task: TaskParams, batch: TaskBatch, dt: number): PerturbationProtocol {
  const { tMin, aMax, rule } = RULES[task.kind];
  const { T, B, dOut } = batch;
  const per = B * dOut;
  const mask = batch.mask.slice();
  const targets = batch.targets.slice();
  const kMin = Math.round(tMin / dt);
  const kGap = Math.round(GAP_BEFORE_LOSS / dt);
  let kMax: number;
  let description: string;

  if (rule.kind === 'shift') {
    kMax = kMin + Math.round(rule.interval / dt);
    const kLoss = kMax + kGap;
    mask.fill(0, 0, Math.min(T, kLoss) * per);
    description = `the task's mask from t = ${fmt(kLoss * dt)} on`;
  } else if (rule.kind === 'first-target') {
    const first = firstNonzeroTarget(batch);
    if (first === undefined) throw new ProtocolError('No trial of the evaluation batch has a nonzero target, so there is no decision to score.');
    mask.fill(0, 0, first * per);
    kMax = first - kGap;
    description = `the task's mask from the first nonzero target on (t = ${fmt(first * dt)}; the fixation part is dropped)`;
  } else {
    const latest = latestWindowTrial(batch);
    if (latest === undefined) throw new ProtocolError('No trial of the evaluation batch has a scored point.');
    alignToTrial(batch, latest, mask, targets);
    const first = firstMasked(mask, T, per);
    kMax = (first ?? 0) - kGap;
    description = `every trial on the decision interval of the trial that decides latest (t = ${fmt((first ?? 0) * dt)} on), with its own target`;
  }

  const lossFrom = firstMasked(mask, T, per);
  if (lossFrom === undefined) {
    throw new ProtocolError(
      `The trial (${fmt(T * dt)} time units) has no scored point from t = ${fmt((kMax + kGap) * dt)} on, where the perturbation loss starts (docs/science.md §4.6); lengthen the trial.`,
    );
  }
  if (kMax < kMin) {
    throw new ProtocolError(
      `The perturbations start at t = ${fmt(tMin)} but the scored interval starts at t = ${fmt(lossFrom * dt)}, less than ${GAP_BEFORE_LOSS} time units later (docs/science.md §4.6).`,
    );
  }
  let lossTo = lossFrom;
  for (let k = T - 1; k >= lossFrom; k--) {
    if (anyMasked(mask, k, per)) {
      lossTo = k;
      break;
    }
  }
  const span = kMax - kMin;
  const steps = Array.from({ length: TIME_COUNT }, (_, i) => kMin + Math.floor((span * i) / TIME_COUNT));
  return { steps, times: steps.map((k) => k * dt), aMax, mask, targets, lossFrom, lossTo, description };
}

/** min over trials and outputs of the first grid index with a nonzero target (numpy argmax(target != 0, axis=time).min()). */
function firstNonzeroTarget(batch: TaskBatch): number | undefined {
  const { T, B, dOut, targets } = batch;
  for (let k = 0; k < T; k++) {
    for (let i = 0; i < B * dOut; i++) if (targets[k * B * dOut + i] !== 0) return k;
  }
  return undefined;
}

/** The trial whose first scored point comes last (the first such trial on ties, as numpy's argmax). */
function latestWindowTrial(batch: TaskBatch): number | undefined {
  const { T, B, dOut, mask } = batch;
  let best: number | undefined;
  let bestStart = -1;
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < T; k++) {
      let on = false;
      for (let o = 0; o < dOut; o++) on ||= mask[(k * B + b) * dOut + o] !== 0;
      if (on) {
        if (k > bestStart) {
          bestStart = k;
          best = b;
        }
        break;
      }
    }
  }
  return best;
}

/**
 * Every trial gets trial `ref`'s mask; the j-th scored point of trial b gets the target of
 * trial b's own j-th scored point (the last one when b has fewer). With equally long
 * intervals this is the authors' `target_pert[mask_pert] = target_ex[mask_ex]`.
 */
function alignToTrial(batch: TaskBatch, ref: number, mask: Float32Array, targets: Float32Array): void {
  const { T, B, dOut } = batch;
  for (let o = 0; o < dOut; o++) {
    const refPoints: number[] = [];
    for (let k = 0; k < T; k++) if (batch.mask[(k * B + ref) * dOut + o] !== 0) refPoints.push(k);
    for (let b = 0; b < B; b++) {
      const own: number[] = [];
      for (let k = 0; k < T; k++) if (batch.mask[(k * B + b) * dOut + o] !== 0) own.push(k);
      for (let k = 0; k < T; k++) {
        mask[(k * B + b) * dOut + o] = 0;
        targets[(k * B + b) * dOut + o] = 0;
      }
      refPoints.forEach((k, j) => {
        const src = own[Math.min(j, own.length - 1)];
        const i = (k * B + b) * dOut + o;
        mask[i] = batch.mask[(k * B + ref) * dOut + o] ?? 0;
        targets[i] = src === undefined ? 0 : (batch.targets[(src * B + b) * dOut + o] ?? 0);
      });
    }
  }
}

function anyMasked(mask: Float32Array, k: number, per: number): boolean {
  for (let i = 0; i < per; i++) if (mask[k * per + i] !== 0) return true;
  return false;
}

function firstMasked(mask: Float32Array, T: number, per: number): number | undefined {
  for (let k = 0; k < T; k++) if (anyMasked(mask, k, per)) return k;
  return undefined;
}

function fmt(t: number): string {
  return String(+t.toFixed(3));
}
