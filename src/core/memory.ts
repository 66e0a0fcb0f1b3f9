/**
 * Peak memory of a run on the tfjs backend, as a function of the problem size, from the
 * buffers the implementation actually keeps. The spec validator uses it to refuse runs
 * that would not fit in a wasm32 heap before any tensor is allocated;
 * test/unit/memory.test.ts checks it against tfjs's own peak-bytes count.
 */
import { taskDims, taskSteps } from './tasks/registry';
import type { RunConfig } from './types';

/** Rows per chunk of bptt.ts's weight-gradient matmuls (measured optimum 640-1920 on wasm). */
export const CHUNK_ROWS = 1024;

export interface TrainingShape {
  N: number;
  /** grid points n_t */
  T: number;
  B: number;
  dIn: number;
  dOut: number;
  /** the task's mask_step (default 1, the worst case: every step masked) */
  maskStep?: number;
  /** trials of the evaluation batch (default 32) */
  evalBatch?: number;
}

/** Trials of the noisy evaluation run (4 conditions x 16 repeats, evaluate.ts). */
const NOISY_TRIALS = 64;

/** Bytes kept alive at the peak of a training step or an evaluation (float32), including weights and Adam moments. */
export function estimateTrainingBytes(s: TrainingShape): number {
  const states = (trials: number) => s.T * trials * s.N * 4;
  const maskStep = Math.max(1, s.maskStep ?? 1);
  // bptt.ts keeps sigma(2x_k) at every step and x_k at the masked ones, which it also
  // concatenates for the readout; the weight gradients go through chunks of CHUNK_ROWS
  // rows (the adjoints, their transpose, and 2q - 1).
  // Each time step adds a handful of [B, N] temporaries on top.
  const temporaries = (trials: number) => 8 * trials * s.N * 4;
  const training = states(s.B) * (1 + 2 / maskStep) + 3 * Math.min(CHUNK_ROWS, s.T * s.B) * s.N * 4 + temporaries(s.B);
  // simulate.ts keeps every state of a run, concatenates them once and reads out all outputs.
  const sim = Math.max(s.evalBatch ?? 32, NOISY_TRIALS);
  const evaluation = 2 * states(sim) + s.T * sim * s.dOut * 4 + temporaries(sim);
  const weights = (s.N * s.N + s.N * s.dIn + s.N * s.dOut) * 4;
  // parameters, gradients, two Adam moments, and the transposed and scaled copies
  return Math.max(training, evaluation) + 6 * weights;
}

/** estimateTrainingBytes of a run as the spec resolved it (the size the worker pools plan with). */
export function estimateRunBytes(run: Pick<RunConfig, 'task' | 'network' | 'training' | 'evaluation'>): number {
  const { dIn, dOut } = taskDims(run.task);
  return estimateTrainingBytes({
    N: run.network.N,
    T: taskSteps(run.task, run.network.dt),
    B: run.training.batch,
    dIn,
    dOut,
    maskStep: run.task.mask_step,
    evalBatch: run.evaluation.batch,
  });
}

/** Refuse above this many bytes: wasm32 heaps stop at 4 GiB and browsers often allow less. */
export const TRAINING_BYTES_LIMIT = 2 * 1024 ** 3;
