/**
 * Training as a stream of progress events (docs/science.md §2): Adam at lr0/N, a fresh batch
 * and fresh noise every step, full BPTT, a fixed number of steps. The consumer pulls
 * events with `for await`; it can stop between steps (signal) or simply stop pulling.
 * The thread must be prepared by initBackend (backend.ts); the run's own backend is
 * picked (and with `auto` measured) by calibrate.ts, and its steps run on an engine
 * (engine.ts).
 */
import type { RunConfig, TaskBatch } from './types';
import { initWeights, initialStates, type WeightArrays } from './model';
import { RunEngine, type BackendSwitch } from './failover';
import { backendForRun, type CalibrationRow } from './calibrate';
import { makeRng } from './rng';
import { checkTask, generateBatch, taskDims, taskSteps } from './tasks/registry';
import { evaluate, type Evaluation } from './evaluate';
import { estimateRunBytes } from './memory';
import { finalPerturbation, type AnalysisProgressEvent } from './analysis/perturbation/final';

/** Anything with an `aborted` flag, e.g. an AbortSignal (the core assumes no DOM). */
export interface StopSignal {
  readonly aborted: boolean;
}

export interface TrainOptions {
  signal?: StopSignal;
}

export type TrainEvent =
  | {
      type: 'start';
      run: string;
      backend: string;
      /** why this backend trains the run */
      backendReason: string;
      /** with backend auto: each candidate's measured ms per step */
      calibration: CalibrationRow[];
      N: number;
      T: number;
      B: number;
      steps: number;
      /** trainable parameters */
      parameters: number;
      /** estimated peak bytes of one training step */
      memoryBytes: number;
    }
  | {
      type: 'step';
      /** steps completed, 1..steps */
      step: number;
      loss: number;
      /** RMS of all gradient entries, before the Adam update */
      gradRms: number;
      /** wall time of this step */
      ms: number;
    }
  | { type: 'evaluation'; step: number; final: boolean; evaluation: Evaluation }
  /** the run moved to another backend (its GPU was lost) and goes on from `step` */
  | ({ type: 'backend' } & BackendSwitch)
  /** a long final analysis (the perturbation experiment) in progress, before the final evaluation event */
  | AnalysisProgressEvent
  | { type: 'done'; result: RunResult };

export interface RunResult {
  run: RunConfig;
  backend: string;
  /** training loss per step */
  losses: Float32Array;
  /** median ms per training step, checkpoints excluded */
  msPerStep: number;
  /** total wall time, seconds */
  seconds: number;
  initial: WeightArrays;
  final: WeightArrays;
  evaluation: Evaluation;
  /** the batch the evaluation ran on (inputs, targets, mask) */
  evalBatch: TaskBatch;
  /** stopped by the caller before the last step */
  stopped: boolean;
}

export { DivergenceError } from './step';

export async function* train(run: RunConfig, opts: TrainOptions = {}): AsyncGenerator<TrainEvent, RunResult> {
  const started = performance.now();
  const { task, network: net, noise, training } = run;
  const dt = net.dt;
  const problem = checkTask(task, training.batch, dt) ?? checkTask(task, run.evaluation.batch, dt);
  if (problem) throw new Error(problem);
  const dims = taskDims(task);
  const T = taskSteps(task, dt);
  const N = net.N;

  const initial = initWeights(net, dims, makeRng(training.seed, 'weights'));
  const chosen = await backendForRun(run);
  const engine = new RunEngine(chosen, { weights: initial, train: net.train, dt, lr0: training.lr0, B: training.batch, T });
  const trials = makeRng(training.seed, 'trials');
  const noiseRng = makeRng(training.seed, 'noise');
  // Drawn from evaluation.seed alone, so every run of a spec is evaluated on the same trials.
  const evalBatch = generateBatch(task, run.evaluation.batch, dt, makeRng(run.evaluation.seed, 'eval'), true);
  const noiseStd = Math.sqrt(dt) * noise.state;
  const losses = new Float32Array(training.steps);
  const stepMs: number[] = [];
  let stopped = false;

  try {
    yield {
      type: 'start',
      run: run.name,
      backend: chosen.name,
      backendReason: chosen.reason,
      calibration: chosen.calibration,
      N,
      T,
      B: training.batch,
      steps: training.steps,
      parameters: engine.engine.trainableCount(),
      memoryBytes: estimateRunBytes(run),
    };
    for (let step = 1; step <= training.steps; step++) {
      if (opts.signal?.aborted) {
        stopped = true;
        break;
      }
      const batch = generateBatch(task, training.batch, dt, trials);
      const x0 = initialStates(initial.h0, training.batch, noise.initial, noiseRng);
      const t0 = performance.now();
      const { result, switched } = await engine.step({ batch, x0, noiseStd, rng: noiseRng }, step);
      const { loss, gradRms } = result;
      const ms = performance.now() - t0;
      if (switched) yield { type: 'backend', ...switched };
      stepMs.push(ms);
      losses[step - 1] = loss;
      yield { type: 'step', step, loss, gradRms, ms };
      const every = run.evaluation.every;
      if (every > 0 && step % every === 0 && step < training.steps) {
        yield { type: 'evaluation', step, final: false, evaluation: await evaluate(engine.engine.network(), run, evalBatch) };
      }
    }
    const completed = stepMs.length;
    const final = await evaluate(engine.engine.network(), run, evalBatch);
    Object.assign(final, yield* finalPerturbation(engine.engine.network(), run, evalBatch, final, opts.signal));
    yield { type: 'evaluation', step: completed, final: true, evaluation: final };
    const result: RunResult = {
      run,
      backend: engine.backend,
      losses: losses.slice(0, completed),
      msPerStep: median(stepMs),
      seconds: (performance.now() - started) / 1000,
      initial,
      final: engine.engine.weights(),
      evaluation: final,
      evalBatch,
      stopped,
    };
    yield { type: 'done', result };
    return result;
  } finally {
    engine.dispose();
  }
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

