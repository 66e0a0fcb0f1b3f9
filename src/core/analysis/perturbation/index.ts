/**
 * Perturbation susceptibility (docs/science.md §4.6, the paper's Fig 5): how much the
 * task loss grows when the state is kicked along the output weights, compared with a
 * kick of the same size along the leading PCs.
 *
 * The final network runs noise-free on the evaluation batch from its frozen
 * sigma_init initial states (x_pre). At each of 10 times t_p the state is replaced by
 * x_pre(t_p) + A v (one unit vector v per trial, 21 amplitudes A in [0, A_max sqrt(N)])
 * and the run continues with the remaining input. L(direction, A, t_p) is the MSE on the
 * task's perturbation mask (protocol.ts). Summary:
 *
 *   AUC_dir = sum over A of mean over t_p of L(dir, A, t_p)   (all 21 amplitudes, A = 0 included)
 *   rel_susceptibility = AUC_w_out / AUC_pc
 *
 * Aligned networks: about 0.6-1.0; oblique networks: 0.1-0.7 (more robust along w_out).
 *
 * A = 0 leaves the run unperturbed, so its loss is the unperturbed loss at every time
 * and direction, computed once; the other 20 x 10 x 4 groups of B trials run in the
 * batched engine (engine.ts).
 */
import type { Network } from '../../model';
import type { TaskBatch, TaskParams } from '../../types';
import type { Trajectories } from '../../simulate';
import { makeRng } from '../../rng';
import { computeGram } from '../gram';
import { topEigen } from '../topeigen';
import { AMPLITUDE_COUNT, perturbationProtocol } from './protocol';
import { directionBases, drawDirections, type DirectionFamily } from './directions';
import { perturbedErrors, type EngineOptions, type EngineProgress, type PerturbedGroup } from './engine';
import { at } from '../../checked';

export { ProtocolError } from './protocol';
export { drain, type EngineProgress } from './engine';
export { DIRECTION_FAMILIES, type DirectionFamily } from './directions';

/**
 * The experiment's result. Plain data; `loss` is the only bulk array.
 * Stored in a run folder as perturbation.safetensors (loss, amplitudes, times) plus the
 * summary keys in metrics.json (rel_susceptibility, perturbation_auc_<family>).
 */
export interface PerturbationResult {
  /** direction families in the order of loss's first axis: w_out, pc, rand[, w_in] */
  directions: DirectionFamily[];
  /** A values in state units, linspace(0, A_max sqrt(N), 21) */
  amplitudes: number[];
  /** A_max: the largest amplitude in units of sqrt(N) (10; Romo 5) */
  a_max: number;
  /** perturbation times t_p in time units */
  times: number[];
  /** the same as grid indices */
  steps: number[];
  /** L[direction][amplitude][time], row-major [D, A, P] */
  loss: Float32Array;
  /** the loss without perturbation, on the same mask (= L at A = 0) */
  loss_unperturbed: number;
  /** AUC_dir = sum_A mean_tp L, per family */
  auc: Record<string, number>;
  /** AUC_w_out / AUC_pc */
  rel_susceptibility: number;
  /** which points the loss scores, in words */
  scored: string;
  /** trials per (direction, amplitude, time): the evaluation batch */
  trials: number;
  /** wall time of the experiment */
  seconds: number;
}

export interface PerturbationInput {
  net: Network;
  dt: number;
  task: TaskParams;
  /** the evaluation batch */
  batch: TaskBatch;
  /** the noise-free run from the frozen sigma_init initial states */
  unperturbed: Trajectories;
  /** PCs are fitted on states with k >= kPca (the grace period t_min = 10) */
  kPca: number;
  /** seed of the direction streams (the evaluation seed: every run of a spec draws the same coefficients) */
  seed: number;
  /** defaults from the task (protocol.ts) */
  aMax?: number;
  engine?: EngineOptions;
}

/** The experiment, yielding progress after each chunk of simulations; returns the result. */
export async function* perturbationExperiment(input: PerturbationInput): AsyncGenerator<EngineProgress, PerturbationResult> {
  const started = performance.now();
  const { net, dt, task, batch, unperturbed, seed } = input;
  const { N, dOut } = net;
  const { B, T } = batch;
  if (unperturbed.T !== T || unperturbed.B !== B || unperturbed.N !== N) throw new Error('perturbationExperiment: the unperturbed run does not match the batch');
  const protocol = perturbationProtocol(task, batch, dt);
  const aMax = input.aMax ?? protocol.aMax;

  const kPca = Math.min(Math.max(0, input.kPca), T - 1);
  const gram = await computeGram(unperturbed.states.subarray(kPca * B * N), (T - kPca) * B, N);
  const top = topEigen(gram.centred, N, Math.min(2, N));
  const pcs = Array.from({ length: top.values.length }, (_, j) => top.vectors.subarray(j * N, (j + 1) * N));
  const wOut = net.W_out.dataSync() as Float32Array;
  const wIn = net.W_in ? (net.W_in.dataSync() as Float32Array) : new Float32Array(0);
  const bases = directionBases(N, wOut, dOut, wIn, net.dIn, pcs);

  const amplitudes = Array.from({ length: AMPLITUDE_COUNT }, (_, a) => (aMax * Math.sqrt(N) * a) / (AMPLITUDE_COUNT - 1));
  const P = protocol.steps.length;
  const D = bases.length;
  const A = amplitudes.length;

  // Unperturbed masked errors per step: the A = 0 loss, and the part before t_p of every perturbed run.
  const per = B * dOut;
  let count = 0;
  const stepError = new Float64Array(T);
  for (let k = 0; k < T; k++) {
    for (let i = 0; i < per; i++) {
      const m = protocol.mask[k * per + i] ?? 0;
      if (m === 0) continue;
      count += m;
      stepError[k] = (stepError[k] ?? 0) + m * ((unperturbed.outputs[k * per + i] ?? 0) - (protocol.targets[k * per + i] ?? 0)) ** 2;
    }
  }
  const before = (k: number) => stepError.subarray(0, k).reduce((s, v) => s + v, 0);
  const lossUnperturbed = stepError.reduce((s, v) => s + v, 0) / count;

  const groups: (PerturbedGroup & { d: number; a: number; p: number })[] = [];
  for (let p = 0; p < P; p++) {
    for (let d = 0; d < D; d++) {
      for (let a = 1; a < A; a++) {
        const basis = at(bases, d);
        groups.push({
          d, a, p,
          step: (protocol.steps[p] ?? 0),
          amplitude: (amplitudes[a] ?? 0),
          directions: () => drawDirections(basis, B, N, makeRng(seed, directionStream(basis.family, a, p))),
        });
      }
    }
  }
  const errors = yield* perturbedErrors(
    net, dt, B, batch.inputs, unperturbed.states, groups,
    { mask: protocol.mask, targets: protocol.targets, lastStep: protocol.lossTo },
    input.engine,
  );

  const loss = new Float32Array(D * A * P);
  for (let d = 0; d < D; d++) for (let p = 0; p < P; p++) loss[(d * A + 0) * P + p] = lossUnperturbed;
  groups.forEach((g, i) => {
    loss[(g.d * A + g.a) * P + g.p] = (before(g.step) + (errors[i] ?? 0)) / count;
  });
  const auc: Record<string, number> = {};
  bases.forEach((b, d) => {
    let s = 0;
    for (let a = 0; a < A; a++) {
      let m = 0;
      for (let p = 0; p < P; p++) m += (loss[(d * A + a) * P + p] ?? 0);
      s += m / P;
    }
    auc[b.family] = s;
  });
  return {
    directions: bases.map((b) => b.family),
    amplitudes,
    a_max: aMax,
    times: protocol.times,
    steps: protocol.steps,
    loss,
    loss_unperturbed: lossUnperturbed,
    auc,
    rel_susceptibility: (auc.w_out ?? Number.NaN) / (auc.pc ?? Number.NaN),
    scored: protocol.description,
    trials: B,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The random stream of one (family, amplitude index, time index). */
export function directionStream(family: DirectionFamily, a: number, p: number): string {
  return `perturbation:${family}:${a}:${p}`;
}
