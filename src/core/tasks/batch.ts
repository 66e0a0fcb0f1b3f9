/**
 * Helpers shared by the task generators: the time grid, batch allocation, the loss-mask
 * subsampling and the checks every task has in common.
 */
import type { TaskBatch } from '../types';

/** Grid points in a duration: Python's int(t / dt) on float64, as the paper's code does. */
export function gridSteps(t: number, dt: number): number {
  return Math.floor(t / dt);
}

/** A zeroed batch in the time-major layout of types.ts. */
export interface BatchArrays {
  B: number;
  T: number;
  dIn: number;
  dOut: number;
  inputs: Float32Array;
  targets: Float32Array;
  mask: Float32Array;
  condition: Int32Array;
}

export function allocBatch(B: number, T: number, dIn: number, dOut: number): BatchArrays {
  return {
    B, T, dIn, dOut,
    inputs: new Float32Array(T * B * dIn),
    targets: new Float32Array(T * B * dOut),
    mask: new Float32Array(T * B * dOut),
    condition: new Int32Array(B),
  };
}

/**
 * Keep the mask only on grid indices k with k % step == 0. The mask is built on every
 * step first, as in the paper's code, so windows keep their exact edges.
 */
export function subsampleMask(a: BatchArrays, step: number): void {
  const row = a.B * a.dOut;
  for (let k = 0; k < a.T; k++) {
    if (k % step !== 0) a.mask.fill(0, k * row, (k + 1) * row);
  }
}

export function finishBatch(a: BatchArrays, maskStep: number, labels: readonly string[]): TaskBatch {
  subsampleMask(a, maskStep);
  return { ...a, conditionLabels: labels };
}

/** Index of (k, b, i) in a [T][B][d] array. */
export function at(k: number, b: number, i: number, B: number, d: number): number {
  return (k * B + b) * d + i;
}

/** Sets channel i of trial b to `value` on grid indices [k0, k1), clipped to [0, T). */
export function fillWindow(
  arr: Float32Array, T: number, B: number, d: number,
  b: number, i: number, k0: number, k1: number, value: number,
): void {
  const lo = Math.max(0, k0);
  const hi = Math.min(T, k1);
  for (let k = lo; k < hi; k++) arr[(k * B + b) * d + i] = value;
}

/** True if some k in [k0, k1) has k % step == 0, i.e. the window reaches the loss. */
export function windowHitsMask(k0: number, k1: number, step: number): boolean {
  const first = Math.ceil(Math.max(0, k0) / step) * step;
  return first < k1;
}

/**
 * The checks every task shares: a usable batch size, time step and mask_step, and finite
 * numeric parameters. Returns the first problem as a sentence, or undefined.
 */
export function checkCommon(p: object, B: number, dt: number): string | undefined {
  if (!Number.isInteger(B) || B < 1) return `The batch size must be a positive integer (got ${B}).`;
  if (!(dt > 0) || !Number.isFinite(dt)) return `dt must be a positive number (got ${dt}).`;
  for (const [key, value] of Object.entries(p)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return `${key} must be a finite number (got ${value}).`;
    }
  }
  const maskStep = (p as { mask_step?: unknown }).mask_step;
  if (typeof maskStep !== 'number' || !Number.isInteger(maskStep) || maskStep < 1) {
    return `mask_step must be an integer of at least 1 (got ${String(maskStep)}); write 1 to keep every step.`;
  }
  return undefined;
}

/** Message for a duration that must cover at least one grid step. */
export function atLeastOneStep(name: string, value: number, dt: number): string | undefined {
  if (gridSteps(value, dt) < 1) {
    return `${name} = ${value} is shorter than one time step (dt = ${dt}); write ${name} >= ${dt}.`;
  }
  return undefined;
}

/** Message for a duration that must not be negative. */
export function nonNegative(name: string, value: number): string | undefined {
  return value < 0 ? `${name} must not be negative (got ${value}); write ${name} >= 0.` : undefined;
}

/** Throws the check's message: generate() refuses parameters it cannot honour. */
export function assertValid(message: string | undefined, kind: string): void {
  if (message !== undefined) throw new RangeError(`${kind} task: ${message}`);
}
