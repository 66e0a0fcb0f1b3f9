/**
 * The training loss of docs/science.md §2: mean squared error over the masked entries only,
 * sum(mask (z - y)^2) / sum(mask), which equals PyTorch's MSELoss(z[mask], y[mask]).
 * Accumulated in float64.
 */
import type { TaskBatch } from './types';

/** Grid indices k at which at least one trial and output is masked in, ascending. */
export function maskedSteps(batch: TaskBatch): number[] {
  const per = batch.B * batch.dOut;
  const ks: number[] = [];
  for (let k = 0; k < batch.T; k++) {
    const off = k * per;
    for (let i = 0; i < per; i++) {
      if (batch.mask[off + i] !== 0) {
        ks.push(k);
        break;
      }
    }
  }
  return ks;
}

/**
 * Loss and dL/dz at the given steps.
 * @param z outputs at `steps` only, [steps.length][B][dOut]
 * @returns dz in the same layout as z
 */
export function maskedMse(batch: TaskBatch, steps: readonly number[], z: ArrayLike<number>): { loss: number; dz: Float32Array } {
  const per = batch.B * batch.dOut;
  let count = 0;
  for (const k of steps) for (let i = 0; i < per; i++) count += batch.mask[k * per + i] ?? 0;
  if (count === 0) throw new Error('The loss mask is empty: no time step is trained. Check the task timing.');
  let sum = 0;
  const dz = new Float32Array(steps.length * per);
  const scale = 2 / count;
  steps.forEach((k, m) => {
    for (let i = 0; i < per; i++) {
      const w = batch.mask[k * per + i] ?? 0;
      if (w === 0) continue;
      const e = (z[m * per + i] ?? 0) - (batch.targets[k * per + i] ?? 0);
      sum += w * e * e;
      dz[m * per + i] = scale * w * e;
    }
  });
  return { loss: sum / count, dz };
}

/** Masked MSE of full-length outputs [T][B][dOut], e.g. of an evaluation run. */
export function evaluationLoss(batch: TaskBatch, outputs: Float32Array): number {
  const steps = Array.from({ length: batch.T }, (_, k) => k);
  return maskedMse(batch, steps, outputs).loss;
}
