/**
 * Timing real training steps, for `auto`'s calibration (calibrate.ts) and for
 * `rnnlab bench` in Node and in a browser: the same engine step training runs.
 */
import type { BackendName } from './types';
import type { BatchRun } from './bptt';
import { createEngine, type TrainingEngine } from './engine';
import { initWeights, initialStates } from './model';
import { makeRng } from './rng';
import { generateBatch } from './tasks/registry';
import type { CyclingParams } from './types';

export interface StepTimes {
  /** ms per step */
  median: number;
  min: number;
  iters: number;
}

export interface TimingLimits {
  /** untimed steps first (shader compilation, memory growth) */
  warmup: number;
  minIters: number;
  maxIters: number;
  /** keep timing while under this many seconds (after minIters) */
  seconds: number;
}

/**
 * A sample shorter than this is too close to the clock's resolution: a page without
 * cross-origin isolation reads performance.now() in steps of 0.1 ms, so a tiny step
 * would time as 0. Such samples time several steps at once and report the mean.
 */
export const MIN_SAMPLE_MS = 2;

/** Times engine.step on fresh batches from `next` (made outside the timed span). */
export function timeSteps(engine: TrainingEngine, next: () => BatchRun, limits: TimingLimits, now: () => number = () => performance.now()): StepTimes {
  let n = 0;
  let reps = 1;
  const sample = (): number => {
    for (;;) {
      const runs = Array.from({ length: reps }, next);
      const t0 = now();
      for (const run of runs) engine.step(run, ++n);
      const ms = now() - t0;
      if (ms >= MIN_SAMPLE_MS || reps >= 1024) return ms / reps;
      reps *= 4;
    }
  };
  for (let i = 0; i < limits.warmup; i++) engine.step(next(), ++n);
  const times: number[] = [];
  const start = now();
  while (times.length < limits.maxIters && (times.length < limits.minIters || now() - start < limits.seconds * 1000)) times.push(sample());
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? NaN, min: times[0] ?? NaN, iters: times.length };
}

/** The bench's shape: N units, T grid points, B trials of cycling, every weight trained. */
export interface BenchShape {
  N: number;
  T: number;
  B: number;
}

const BENCH_DT = 0.2;

/** Cycling with exactly T grid points: round((stim + response) / dt) = T. */
export function benchTask(T: number): CyclingParams {
  return { kind: 'cycling', stim: 1, response: T * BENCH_DT - 1, freq: 0.1, mask_step: 5 };
}

/**
 * The bench: one network of the shape on `backend` (tfjs must already run where the
 * backend needs it, backend.ts's activate), noise sigma 0.2, sigma_init 1, Adam at 0.02/N.
 */
export function benchSteps(backend: BackendName, shape: BenchShape, limits: TimingLimits): StepTimes {
  const task = benchTask(shape.T);
  const train = ['input', 'recurrent', 'output'] as const;
  const w = initWeights({ N: shape.N, g: 1.5, dt: BENCH_DT, output_scale: 'large', train: [...train], h0_std: 0 }, { dIn: 2, dOut: 2 }, makeRng(0, 'weights'));
  const engine = createEngine(backend, { weights: w, train, dt: BENCH_DT, lr0: 0.02, B: shape.B, T: shape.T });
  const trials = makeRng(0, 'trials');
  const noise = makeRng(0, 'noise');
  try {
    return timeSteps(engine, () => {
      const batch = generateBatch(task, shape.B, BENCH_DT, trials);
      if (batch.T !== shape.T) throw new Error(`bench: the cycling batch has T = ${batch.T}, expected ${shape.T}`);
      return { batch, x0: initialStates(w.h0, shape.B, 1, noise), noiseStd: Math.sqrt(BENCH_DT) * 0.2, rng: noise };
    }, limits);
  } finally {
    engine.dispose();
  }
}
