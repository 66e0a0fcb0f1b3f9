/**
 * perturbation.safetensors, the experiment's file in a run folder (docs/architecture.md):
 *
 *   loss        F32 [D, A, P]  L[direction][amplitude][time], the masked MSE
 *   amplitudes  F64 [A]        A in state units, linspace(0, A_max sqrt(N), 21)
 *   times       F64 [P]        perturbation times t_p in time units
 *   steps       I32 [P]        the same as grid indices
 *   __metadata__ (strings): directions ("w_out,pc,rand,w_in", the order of loss's first
 *   axis), a_max, loss_unperturbed, rel_susceptibility, auc (JSON object), scored, trials, seconds
 *
 * In Python: `safetensors.numpy.load_file(path)["loss"]` and, for the metadata,
 * `safetensors.safe_open(path, "np").metadata()`.
 */
import { decodeSafetensors, encodeSafetensors } from '../../safetensors';
import { DIRECTION_FAMILIES, type DirectionFamily } from './directions';
import type { PerturbationResult } from './index';

export const PERTURBATION_FILE = 'perturbation.safetensors';

export function perturbationToSafetensors(r: PerturbationResult): Uint8Array {
  const D = r.directions.length;
  const A = r.amplitudes.length;
  const P = r.times.length;
  return encodeSafetensors(
    {
      loss: { data: r.loss, shape: [D, A, P] },
      amplitudes: { data: Float64Array.from(r.amplitudes), shape: [A] },
      times: { data: Float64Array.from(r.times), shape: [P] },
      steps: { data: Int32Array.from(r.steps), shape: [P] },
    },
    {
      layout: 'loss[direction][amplitude][time]; docs/science.md §4.6',
      directions: r.directions.join(','),
      a_max: String(r.a_max),
      loss_unperturbed: String(r.loss_unperturbed),
      rel_susceptibility: String(r.rel_susceptibility),
      auc: JSON.stringify(r.auc),
      scored: r.scored,
      trials: String(r.trials),
      seconds: String(r.seconds),
    },
  );
}

/** Reads the file back; throws an error that says what is wrong with it. */
export function perturbationFromSafetensors(bytes: Uint8Array): PerturbationResult {
  const { arrays, metadata } = decodeSafetensors(bytes);
  const need = (name: string) => {
    const a = arrays[name];
    if (!a) throw new Error(`not a perturbation file: no array "${name}"`);
    return a;
  };
  const loss = need('loss');
  const amplitudes = need('amplitudes');
  const times = need('times');
  const steps = need('steps');
  const directions = (metadata.directions ?? '').split(',').filter(Boolean);
  if (!directions.every((d): d is DirectionFamily => (DIRECTION_FAMILIES as readonly string[]).includes(d))) {
    throw new Error(`not a perturbation file: unknown directions "${metadata.directions ?? ''}"`);
  }
  const [D, A, P] = loss.shape;
  if (loss.shape.length !== 3 || D !== directions.length || A !== amplitudes.data.length || P !== times.data.length || !(loss.data instanceof Float32Array)) {
    throw new Error(`not a perturbation file: loss has shape [${loss.shape.join(', ')}]`);
  }
  return {
    directions,
    amplitudes: Array.from(amplitudes.data),
    a_max: Number(metadata.a_max),
    times: Array.from(times.data),
    steps: Array.from(steps.data),
    loss: loss.data,
    loss_unperturbed: Number(metadata.loss_unperturbed),
    auc: JSON.parse(metadata.auc ?? '{}') as Record<string, number>,
    rel_susceptibility: Number(metadata.rel_susceptibility),
    scored: metadata.scored ?? '',
    trials: Number(metadata.trials),
    seconds: Number(metadata.seconds ?? NaN),
  };
}
