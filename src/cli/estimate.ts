/**
 * What a run will cost: memory from the buffers the implementation keeps
 * (core/memory.ts) plus what a Node process holds besides, and time from this machine's
 * own measurement of the run's shape: a few real training steps, one intermediate and
 * one final evaluation, timed through core/train.ts exactly as a run goes. Measurements
 * are stored per machine (CPU model, cores, Node, backend) and reused; shapes not measured
 * within the time budget get a cost from the measured ones, as a fixed overhead plus a
 * part proportional to N²·T·B.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../core/backend';
import { provideKernelFromDir } from '../kernel/node';
import { taskSteps } from '../core/tasks/registry';
import { estimateRunBytes } from '../core/memory';
import { train } from '../core/train';
import type { RunConfig } from '../core/types';

/** What a Node process with the tfjs wasm backend holds besides the run's tensors (measured: about 100 MB). */
export const PROCESS_BYTES = 128 * 2 ** 20;
/** The wasm heap grows in steps and does not give memory back: resident memory was 3-4x the tensors' peak. */
const HEAP_FACTOR = 3;

/** One run shape's measured costs. */
export interface ShapeCost {
  /** one training step (batch drawn, forward, backward, Adam) */
  stepMs: number;
  /** one intermediate evaluation (every evaluation.every steps) */
  evalMs: number;
  /** the final evaluation with every analysis */
  finalMs: number;
}

export interface CostSource {
  kind: 'measured' | 'stored' | 'scaled';
  /** for stored costs: when they were measured; for scaled ones: the shape they came from */
  detail?: string;
}

export interface RunEstimate {
  run: RunConfig;
  /** peak bytes of the run's tensors (the spec check's estimate) */
  tensorBytes: number;
  /** resident memory to ask a scheduler for: the process, the wasm heap's growth, the tensors */
  processBytes: number;
  seconds: number;
  cost: ShapeCost;
  source: CostSource;
}

export interface CalibrationReport {
  backend: string;
  measured: number;
  stored: number;
  scaled: number;
  seconds: number;
  file: string;
}

/** What decides a run's time: everything but seeds, scales, learning rates and step counts. */
export function shapeKey(run: RunConfig): string {
  const { task, network, training, evaluation, analysis } = run;
  return JSON.stringify({ task, N: network.N, dt: network.dt, train: [...network.train].sort(), B: training.batch, evalB: evaluation.batch, t_min: evaluation.t_min, analysis: [...analysis].sort() });
}

/** The work of a step relative to other shapes: the recurrent matmuls, N² per trial and time step. */
function work(run: RunConfig): number {
  const T = taskSteps(run.task, run.network.dt);
  return run.network.N ** 2 * T * run.training.batch;
}

/** The same for an evaluation, which simulates the evaluation batch and the 64 noisy trials. */
function evalWork(run: RunConfig): number {
  const T = taskSteps(run.task, run.network.dt);
  return run.network.N ** 2 * T * Math.max(run.evaluation.batch, 64);
}

/**
 * A cost as a function of work, from measured points: the least-squares line a + b·w
 * (a fixed overhead plus a part that grows with the work), or, with one point or a line
 * that would not grow, proportional to the nearest point.
 */
export function costLine(points: readonly { w: number; y: number }[]): (w: number) => number {
  const n = points.length;
  const mw = points.reduce((s, p) => s + p.w, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.w - mw) ** 2, 0);
  const b = sxx > 0 ? points.reduce((s, p) => s + (p.w - mw) * (p.y - my), 0) / sxx : 0;
  const a = my - b * mw;
  if (n >= 2 && b > 0 && a >= 0) return (w) => a + b * w;
  return (w) => {
    const near = points.reduce((best, p) => (Math.abs(Math.log(p.w / w)) < Math.abs(Math.log(best.w / w)) ? p : best));
    return (near.y * w) / near.w;
  };
}

export function tensorBytes(run: RunConfig): number {
  return estimateRunBytes(run);
}

/** Resident memory of a process that trains `jobs` such runs at once. */
export function processBytes(bytes: number, jobs = 1): number {
  return PROCESS_BYTES + jobs * HEAP_FACTOR * bytes;
}

export function runSeconds(run: RunConfig, c: ShapeCost): number {
  const steps = run.training.steps;
  const every = run.evaluation.every;
  const evaluations = every > 0 ? Math.floor((steps - 1) / every) : 0;
  return (steps * c.stepMs + evaluations * c.evalMs + c.finalMs) / 1000;
}

/** Steps of a measurement: two to warm up, then timed ones, an intermediate evaluation before the last. */
const PROBE_STEPS = 7;
const WARMUP_STEPS = 2;

/** Times a few steps and both kinds of evaluation of one run's shape, in this process. */
export async function measureShape(run: RunConfig): Promise<ShapeCost> {
  const probe: RunConfig = { ...run, training: { ...run.training, steps: PROBE_STEPS }, evaluation: { ...run.evaluation, every: PROBE_STEPS - 1 } };
  const steps: number[] = [];
  let evalMs = 0;
  let finalMs = 0;
  let last = performance.now();
  for await (const ev of train(probe)) {
    const now = performance.now();
    if (ev.type === 'step' && ev.step > WARMUP_STEPS) steps.push(now - last);
    else if (ev.type === 'evaluation') {
      if (ev.final) finalMs = now - last;
      else evalMs = now - last;
    }
    last = now;
  }
  steps.sort((a, b) => a - b);
  return { stepMs: steps[Math.floor(steps.length / 2)] ?? 0, evalMs, finalMs };
}

interface Store {
  version: 1;
  machines: Record<string, Record<string, ShapeCost & { at: string }>>;
}

export function costFile(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'rnnlab', 'run-costs.json');
}

function machineKey(backend: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu} x${cpus().length} | node ${process.versions.node} | ${backend}`;
}

async function readStore(file: string): Promise<Store> {
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as Store;
    if (s.version === 1 && typeof s.machines === 'object' && s.machines !== null) return s;
  } catch {
    // no store yet, or a damaged one: measure afresh
  }
  return { version: 1, machines: {} };
}

async function writeStore(file: string, s: Store): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp~${process.pid}`;
    await writeFile(tmp, JSON.stringify(s, null, 1) + '\n');
    await rename(tmp, file);
  } catch {
    // a read-only home: the measurement is still used for this plan
  }
}

export interface EstimateOptions {
  /** measure every shape again, ignoring stored measurements */
  fresh: boolean;
  /** stop measuring new shapes after this many seconds (the rest are scaled) */
  budgetSeconds: number;
  /** report progress */
  log?: (line: string) => void;
}

/** Estimates for every run; measures the shapes it has no stored cost for, within the budget. */
export async function estimateRuns(runs: readonly RunConfig[], opts: EstimateOptions): Promise<{ estimates: RunEstimate[]; report: CalibrationReport }> {
  const started = performance.now();
  const file = costFile();
  // this thread trains the probes as a CLI worker would: the same binaries, the same choice
  setWasmPaths(__dirname + '/');
  provideKernelFromDir(__dirname);
  const backend = await initBackend(runs[0]?.training.backend ?? 'auto');
  const store = await readStore(file);
  const machine = machineKey(backend.name);
  const known = opts.fresh ? {} : { ...(store.machines[machine] ?? {}) };
  const shapes = new Map<string, RunConfig>();
  for (const r of runs) if (!shapes.has(shapeKey(r))) shapes.set(shapeKey(r), r);
  const costs = new Map<string, { cost: ShapeCost; source: CostSource }>();
  for (const [k, c] of Object.entries(known)) if (shapes.has(k)) costs.set(k, { cost: c, source: { kind: 'stored', detail: c.at.slice(0, 10) } });
  // the largest shape first (time limits depend on it, and scaled down from it the others
  // come out too long rather than too short), then the smallest (it is quick, and shows the
  // fixed overhead), then the rest from the largest down, as far as the budget goes
  const bySize = [...shapes.entries()].filter(([k]) => !costs.has(k)).sort((a, b) => work(b[1]) - work(a[1]));
  const todo = bySize.length > 2 ? [...bySize.slice(0, 1), ...bySize.slice(-1), ...bySize.slice(1, -1)] : bySize;
  let measured = 0;
  for (const [k, run] of todo) {
    if (measured > 0 && (performance.now() - started) / 1000 > opts.budgetSeconds) break;
    opts.log?.(`measuring N = ${run.network.N}, batch ${run.training.batch}, ${taskSteps(run.task, run.network.dt)} steps per trial...`);
    const cost = await measureShape(run);
    costs.set(k, { cost, source: { kind: 'measured' } });
    (store.machines[machine] ??= {})[k] = { ...cost, at: new Date().toISOString() };
    measured++;
  }
  if (measured > 0) await writeStore(file, store);
  const basis = [...costs.entries()].flatMap(([k, c]) => {
    const run = shapes.get(k);
    return run ? [{ run, ...c }] : [];
  });
  const line = (get: (c: ShapeCost) => number, w: (r: RunConfig) => number) => costLine(basis.map((b) => ({ w: w(b.run), y: get(b.cost) })));
  const fit = { step: line((c) => c.stepMs, work), evaluation: line((c) => c.evalMs, evalWork), final: line((c) => c.finalMs, evalWork) };
  const estimates = runs.map((run): RunEstimate => {
    let c = costs.get(shapeKey(run));
    if (c === undefined) {
      c = { cost: { stepMs: fit.step(work(run)), evalMs: fit.evaluation(evalWork(run)), finalMs: fit.final(evalWork(run)) }, source: { kind: 'scaled', detail: `from ${basis.length} measured shape${basis.length === 1 ? '' : 's'}` } };
    }
    const bytes = tensorBytes(run);
    return { run, tensorBytes: bytes, processBytes: processBytes(bytes), seconds: runSeconds(run, c.cost), cost: c.cost, source: c.source };
  });
  const stored = [...costs.values()].filter((c) => c.source.kind === 'stored').length;
  return { estimates, report: { backend: backend.name, measured, stored, scaled: new Set(estimates.filter((e) => e.source.kind === 'scaled').map((e) => shapeKey(e.run))).size, seconds: (performance.now() - started) / 1000, file } };
}

/** One sentence on where the times come from. */
export function calibrationText(r: CalibrationReport): string {
  const parts = [
    r.measured > 0 ? `${r.measured} shape${r.measured === 1 ? '' : 's'} measured now (${r.seconds.toFixed(0)} s)` : '',
    r.stored > 0 ? `${r.stored} from stored measurements` : '',
    r.scaled > 0 ? `${r.scaled} scaled from the measured ones by N²·T·B` : '',
  ].filter((p) => p !== '');
  return `Times on this machine's ${r.backend} backend: ${parts.join(', ')}; stored in ${r.file}. A cluster node can be faster or slower: run rnnlab plan there to measure it.`;
}
