/**
 * The backend a run trains on. With `backend: auto` it is measured, not guessed: a few
 * real training steps of the run's own shape (N, T, batch, what is trained) on each
 * candidate that can run here (backend.ts), on batches and noise from streams of their
 * own so the run's streams are untouched; the fastest trains. Runs of one shape reuse
 * the measurement within a thread.
 */
import type { BackendName, RunConfig } from './types';
import { activate, candidates, ensurePrepared, unavailable, wasLost } from './backend';
import { createEngine, type EngineInit } from './engine';
import { initWeights, initialStates } from './model';
import { makeRng } from './rng';
import { generateBatch, taskDims, taskSteps } from './tasks/registry';
import { timeSteps } from './steptimer';
import { at } from './checked';

export interface CalibrationRow {
  backend: BackendName;
  /** median ms per training step, or null when the backend failed */
  msPerStep: number | null;
  /** why it failed */
  error?: string;
}

export interface RunBackend {
  name: BackendName;
  /** one sentence for the user: why this backend trains the run */
  reason: string;
  /** each candidate's measurement (auto only; empty otherwise) */
  calibration: CalibrationRow[];
}

const measured = new Map<string, RunBackend>();

/** Picks (and activates) the backend for `run`; throws, saying why, when the spec names one that cannot run here. */
export async function backendForRun(run: RunConfig): Promise<RunBackend> {
  const choice = run.training.backend;
  await ensurePrepared(choice);
  if (choice !== 'auto') {
    const why = unavailable(choice);
    if (why && wasLost(choice)) {
      // Asked for by name, but lost by an earlier run of this worker: the runs go on without it.
      const other = await measure(run, candidates());
      return { ...other, reason: `${choice} was lost earlier (${why}); ${other.reason}` };
    }
    if (why) throw new Error(`backend: ${choice} cannot run here: ${why}.`);
    await activate(choice);
    return { name: choice, reason: 'requested in the spec', calibration: [] };
  }
  return measure(run, candidates());
}

/** The fastest of `names` for this run's shape, measured (cached per shape); `names` in order of preference on a tie. */
export async function measure(run: RunConfig, names: readonly BackendName[]): Promise<RunBackend> {
  if (names.length === 0) {
    await activate('cpu');
    return { name: 'cpu', reason: 'auto: no faster backend can run here', calibration: [] };
  }
  const T = taskSteps(run.task, run.network.dt);
  const shape = `N ${run.network.N}, T ${T}, batch ${run.training.batch}`;
  if (names.length === 1) {
    await activate(at(names, 0));
    return { name: at(names, 0), reason: `auto: the only candidate here`, calibration: [] };
  }
  const key = JSON.stringify([shape, run.task.kind, run.network.train, names]);
  const known = measured.get(key);
  if (known) {
    await activate(known.name);
    return known;
  }
  const rows: CalibrationRow[] = [];
  for (const name of names) {
    try {
      rows.push({ backend: name, msPerStep: await timeRun(name, run) });
    } catch (err) {
      rows.push({ backend: name, msPerStep: null, error: (err as Error).message });
    }
  }
  const timed = rows.filter((r): r is CalibrationRow & { msPerStep: number } => r.msPerStep !== null);
  const best = timed.reduce<(typeof timed)[number] | undefined>((a, r) => (!a || r.msPerStep < a.msPerStep ? r : a), undefined);
  const name = best?.backend ?? at(names, 0);
  await activate(name);
  const list = rows.map((r) => (r.msPerStep === null ? `${r.backend} failed` : `${r.backend} ${r.msPerStep.toFixed(1)} ms`)).join(', ');
  const result: RunBackend = { name, reason: `auto: fastest per step at ${shape} (${list})`, calibration: rows };
  if (best) measured.set(key, result);
  return result;
}

/** Median wall time of a few training steps of the run's shape on `name`, after one warm-up step (shader compilation, memory). */
async function timeRun(name: BackendName, run: RunConfig): Promise<number> {
  await activate(name);
  const { task, network: net, training } = run;
  const dims = taskDims(task);
  const T = taskSteps(task, net.dt);
  const seed = training.seed;
  // Learning rate 0: the same work per step, and weights that cannot diverge while being timed.
  const init: EngineInit = { weights: initWeights(net, dims, makeRng(seed, 'weights')), train: net.train, dt: net.dt, lr0: 0, B: training.batch, T };
  const engine = createEngine(name, init);
  const trials = makeRng(seed, 'calibration-trials');
  const noise = makeRng(seed, 'calibration-noise');
  const noiseStd = Math.sqrt(net.dt) * run.noise.state;
  try {
    // About half a second per candidate, at least two timed steps.
    return timeSteps(engine, () => ({ batch: generateBatch(task, training.batch, net.dt, trials), x0: initialStates(init.weights.h0, training.batch, run.noise.initial, noise), noiseStd, rng: noise }), { warmup: 1, minIters: 2, maxIters: 5, seconds: 0.5 }).median;
  } finally {
    engine.dispose();
  }
}
