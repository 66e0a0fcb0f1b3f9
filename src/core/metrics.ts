/**
 * The flat record of a finished run: what metrics.json holds, what `rnnlab train --json`
 * prints, and what the panel's table shows. Keys are snake_case and stable.
 */
import type { RunResult } from './train';
import type { AnalysisMetrics } from './analysis';
import { outputStd } from './output-scale';

export interface RunMetrics extends AnalysisMetrics {
  name: string;
  variant: string;
  seed: number;
  task: string;
  N: number;
  g: number;
  output_scale: 'small' | 'large' | number;
  train: string[];
  steps: number;
  /** Adam learning rate lr0 / N */
  lr: number;
  backend: string;
  /** mean training loss over the last 5% of steps (at least 1, at most 50): the last step alone is noisy */
  train_loss: number;
  eval_loss: number;
  eval_loss_x0rand: number | null;
  /**
   * eval_loss <= learned_threshold (docs/science.md §6): a network that has not learned the
   * task has no regime to show, so its measures are reported but marked.
   */
  learned: boolean;
  learned_threshold: number;
  /** docs/science.md §4.6: AUC_w_out / AUC_pc; null when not computed (see perturbation_skipped) */
  rel_susceptibility: number | null;
  /** AUC_dir = sum_A mean_tp L per direction family; null when not computed (w_in also when the task has no input) */
  perturbation_auc_w_out: number | null;
  perturbation_auc_pc: number | null;
  perturbation_auc_rand: number | null;
  perturbation_auc_w_in: number | null;
  /** why the perturbation experiment did not run although the analysis list asks for it */
  perturbation_skipped: string | null;
  /** wall time of the perturbation experiment (null when it did not run) */
  perturbation_seconds: number | null;
  /** ||w_out|| at initialisation (paper: 1 large, 1/sqrt(N) small) */
  w_out_norm_init: number;
  /** ||W - W_init||_F and ||W_out - W_out_init||_F (recorded by the paper's code) */
  dW_norm: number;
  dW_out_norm: number;
  ms_per_step: number;
  seconds: number;
  stopped: boolean;
}

export function runMetrics(r: RunResult): RunMetrics {
  const { run } = r;
  const { projection: _p, ...analysis } = r.evaluation.analysis;
  const n = r.losses.length;
  const N = run.network.N;
  return {
    name: run.name,
    variant: run.variant,
    seed: run.training.seed,
    task: run.task.kind,
    N,
    g: run.network.g,
    output_scale: run.network.output_scale,
    train: [...run.network.train],
    steps: n,
    lr: run.training.lr0 / N,
    backend: r.backend,
    ...analysis,
    train_loss: tailMean(r.losses, n),
    eval_loss: r.evaluation.eval_loss,
    eval_loss_x0rand: r.evaluation.eval_loss_x0rand,
    learned: r.evaluation.learned,
    learned_threshold: run.evaluation.learned_threshold,
    rel_susceptibility: r.evaluation.perturbation?.rel_susceptibility ?? null,
    // flat keys: metrics.json holds numbers, text and lists only
    perturbation_auc_w_out: r.evaluation.perturbation?.auc.w_out ?? null,
    perturbation_auc_pc: r.evaluation.perturbation?.auc.pc ?? null,
    perturbation_auc_rand: r.evaluation.perturbation?.auc.rand ?? null,
    perturbation_auc_w_in: r.evaluation.perturbation?.auc.w_in ?? null,
    perturbation_skipped: r.evaluation.perturbation_skipped,
    perturbation_seconds: r.evaluation.perturbation?.seconds ?? null,
    w_out_norm_init: outputStd(run.network.output_scale, N) * Math.sqrt(N),
    dW_norm: frobeniusDistance(r.final.W, r.initial.W),
    dW_out_norm: frobeniusDistance(r.final.W_out, r.initial.W_out),
    ms_per_step: r.msPerStep,
    seconds: r.seconds,
    stopped: r.stopped,
  };
}

/**
 * Mean of the last 5% (at least 1, at most 50) of the first `n` losses: train_loss. The
 * last step alone is noisy. NaN when n is 0.
 */
export function tailMean(losses: ArrayLike<number>, n: number): number {
  if (n <= 0) return NaN;
  const tail = Math.max(1, Math.min(50, Math.round(n * 0.05)));
  let sum = 0;
  for (let i = n - tail; i < n; i++) sum += losses[i] ?? 0;
  return sum / tail;
}

function frobeniusDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return Math.sqrt(s);
}

/** JSON text with NaN and Infinity written as null (JSON has no NaN). */
export function metricsJson(m: object, indent = 2): string {
  return JSON.stringify(m, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent);
}
