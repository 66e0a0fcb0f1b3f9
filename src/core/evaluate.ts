/**
 * Evaluation of a network on the shared evaluation batch (docs/science.md §4.0): noise-free
 * trajectories from x_0 = h_0 for the loss, the measures and the 3D view; noisy repeats
 * for the noise compression (4.5); and, at the end, the loss from random initial states.
 */
import type { RunConfig, TaskBatch } from './types';
import { initialStates, type Network } from './model';
import { simulate, type Trajectories } from './simulate';
import { evaluationLoss } from './loss';
import { makeRng } from './rng';
import { analyseStates, type AnalysisResult } from './analysis';
import type { PerturbationResult } from './analysis/perturbation';

export interface Evaluation {
  /** masked MSE of the noise-free run from x_0 = h_0 (paper: h_0 = 0) */
  eval_loss: number;
  /**
   * masked MSE of noise-free runs from the frozen x_0 = h_0 + sigma_init xi (frozenInitialStates):
   * the initial states the network was trained from; equals eval_loss when sigma_init = 0
   */
  eval_loss_x0rand: number | null;
  /**
   * min(eval_loss, eval_loss_x0rand) <= evaluation.learned_threshold: the network does its task,
   * noise-free, from x_0 = h_0 (where the measures are taken, as in the paper) or from the
   * initial states it was trained on. Training with sigma_init > 0 never starts from x_0 = h_0,
   * and a network that has learned can fail from there (Romo: docs/analyses.md); the loss from
   * the trained starts has a floor of its own where the mask scores t = 0 (z_0 = W_out x_0,
   * about 1 with large output weights: Mante, complex sine).
   */
  learned: boolean;
  analysis: AnalysisResult;
  /** the noise-free evaluation trajectories */
  trajectories: Trajectories;
  /** condition index per evaluation trial and its labels (colours in the view) */
  condition: Int32Array;
  conditionLabels: readonly string[];
  /** docs/science.md §4.6, the final evaluation of a learned run with `perturbation` in the analysis list; else null */
  perturbation: PerturbationResult | null;
  /** why perturbation is null although the analysis list asks for it (not learned, stopped, a trial too short) */
  perturbation_skipped: string | null;
}

/** The first 4 trials of the evaluation batch, each repeated 16 times (docs/science.md §4.5). */
const NOISE_TRIALS = 4;
const NOISE_REPEATS = 16;
/** at most this many time points per drawn trajectory */
const VIEW_POINTS = 240;

export async function evaluate(net: Network, run: RunConfig, batch: TaskBatch): Promise<Evaluation> {
  const dt = run.network.dt;
  const { N, dOut } = net;
  const x0 = initialStates(net.h0, batch.B, 0, null);
  const trajectories = simulate(net, dt, batch, { x0, noiseStd: 0, rng: null });
  const eval_loss = evaluationLoss(batch, trajectories.outputs);
  const wOut = net.W_out.dataSync() as Float32Array;
  // Same streams at every evaluation, so successive checkpoints differ only by the weights.
  const seed = run.training.seed;

  let noisy;
  if (run.analysis.includes('noise')) {
    const trials = Math.min(NOISE_TRIALS, batch.B);
    const repeated = repeatTrials(batch, trials, NOISE_REPEATS);
    const rng = makeRng(seed, 'analysis-noise');
    const nx0 = initialStates(net.h0, repeated.B, run.noise.initial, rng);
    const sim = simulate(net, dt, repeated, { x0: nx0, noiseStd: Math.sqrt(dt) * run.noise.state, rng });
    noisy = { states: sim.states, T: sim.T, trials: repeated.B, condition: repeated.condition };
  }

  const analysis = await analyseStates({
    states: trajectories.states,
    outputs: trajectories.outputs,
    wOut,
    T: batch.T,
    B: batch.B,
    N,
    dOut,
    kMin: Math.min(Math.round(run.evaluation.t_min / dt), batch.T - 1),
    ...(noisy ? { noisy } : {}),
    measures: { correlation: run.analysis.includes('correlation'), dimensions: run.analysis.includes('dimensions') },
    viewTrials: Math.min(run.view.trials, batch.B),
    viewStride: Math.max(1, Math.ceil(batch.T / VIEW_POINTS)),
  });

  const eval_loss_x0rand = run.noise.initial > 0
    ? evaluationLoss(batch, simulate(net, dt, batch, { x0: frozenInitialStates(net, run, batch.B), noiseStd: 0, rng: null }).outputs)
    : eval_loss;
  return {
    eval_loss,
    eval_loss_x0rand,
    learned: isLearned(learnedLoss({ eval_loss, eval_loss_x0rand }), run.evaluation.learned_threshold),
    analysis,
    trajectories,
    condition: batch.condition,
    conditionLabels: batch.conditionLabels,
    perturbation: null,
    perturbation_skipped: null,
  };
}

/**
 * The frozen random initial states x_0 = h_0 + sigma_init xi of the evaluation batch (the
 * authors' noise_init_ev), used by the perturbation experiment and eval_loss_x0rand. Drawn
 * from evaluation.seed, so every run of a spec starts from the same xi.
 */
export function frozenInitialStates(net: Network, run: RunConfig, B: number): Float32Array {
  return initialStates(net.h0, B, run.noise.initial, makeRng(run.evaluation.seed, 'eval-x0'));
}

/** The loss the learned flag judges: the better of the two starts (eval_loss alone for older runs without eval_loss_x0rand). */
export function learnedLoss(e: { eval_loss: number; eval_loss_x0rand: number | null }): number {
  // typeof: metrics.json of older runs may lack the key altogether
  return typeof e.eval_loss_x0rand === 'number' ? Math.min(e.eval_loss, e.eval_loss_x0rand) : e.eval_loss;
}

/** A finite noise-free evaluation loss at most the threshold (docs/science.md §6). */
export function isLearned(evalLoss: number, threshold: number): boolean {
  return Number.isFinite(evalLoss) && evalLoss <= threshold;
}

/** A batch made of the first `trials` trials, each repeated `reps` times; condition = source trial. */
export function repeatTrials(batch: TaskBatch, trials: number, reps: number): TaskBatch {
  const B = trials * reps;
  const { T, dIn, dOut } = batch;
  const pick = (src: Float32Array, d: number) => {
    const out = new Float32Array(T * B * d);
    for (let k = 0; k < T; k++) {
      for (let b = 0; b < B; b++) {
        const from = (k * batch.B + (b % trials)) * d;
        out.set(src.subarray(from, from + d), (k * B + b) * d);
      }
    }
    return out;
  };
  const condition = Int32Array.from({ length: B }, (_, b) => b % trials);
  return {
    B, T, dIn, dOut,
    inputs: pick(batch.inputs, dIn),
    targets: pick(batch.targets, dOut),
    mask: pick(batch.mask, dOut),
    condition,
    conditionLabels: Array.from({ length: trials }, (_, i) => `trial ${i + 1}`),
  };
}
