/**
 * The trainer channel: whoever owns a training worker (the CLI's worker threads, the
 * panel's Web Workers; src/trainer/pool.ts on both) <-> the worker (src/trainer/service.ts).
 * The messages that relay the core's training events are derived from TrainEvent, so a
 * field added there reaches every owner without being written twice.
 */
import type { Evaluation } from '../core/evaluate';
import type { AnalysisResult } from '../core/analysis';
import type { BackendInfo } from '../core/backend';
import type { Envelope } from '../core/pack';
import type { TrainEvent } from '../core/train';
import type { BackendChoice, BackendName, RunConfig } from '../core/types';
import { type Check, checkFields, field, messageValidator, type FieldChecks, type Rec } from './check';

/** How the worker gets the tfjs-wasm binary. A Web Worker in a webview may fetch nothing. */
export type WasmSource =
  /** Node: the build's folder (tfjs's binaries and the fused kernel) */
  | { kind: 'path'; dir: string }
  /** a Web Worker: tfjs's binary `name`, and the fused kernel's bytes when the page has them */
  | { kind: 'bytes'; name: string; bytes: ArrayBuffer; kernel?: ArrayBuffer };

export type ToTrainer =
  /** Start the backend. Sent once, first. */
  | { type: 'init'; version: number; backend: BackendChoice; wasm?: WasmSource }
  /** Train one run; the worker trains one run at a time. */
  | { type: 'train'; runId: string; run: RunConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Stop the current run between steps; it still evaluates and reports what it has. */
  | { type: 'stop' };

/** Scalars of one evaluation, small enough to send every checkpoint: the Evaluation without its arrays. */
export type EvaluationSummary = Pick<Evaluation, 'eval_loss' | 'eval_loss_x0rand' | 'learned'> &
  Omit<AnalysisResult, 'projection'> & {
    /** docs/science.md §4.6, final evaluation only (null before, when not asked for, or skipped) */
    rel_susceptibility: number | null;
  };

type Event<T extends TrainEvent['type']> = Extract<TrainEvent, { type: T }>;
/** A TrainEvent as the worker relays it: the same fields, renamed, with the run it belongs to. */
export type Relayed<T extends TrainEvent['type'], As extends string> = Omit<Event<T>, 'type'> & { type: As; runId: string };

export type StartedMessage = Relayed<'start', 'started'>;
export type StepMessage = Relayed<'step', 'step'>;
/** a long final analysis in progress (the perturbation experiment, after the last step): chunks done of total */
export type AnalysisMessage = Relayed<'analysis', 'analysis'>;
/** the run's GPU was lost: it goes on from `step` (the last completed step) on `to` */
export type BackendChangedMessage = Relayed<'backend', 'backendChanged'>;

export type FromTrainer =
  | { type: 'ready'; version: number; backend: BackendInfo }
  | { type: 'initFailed'; message: string }
  | StartedMessage
  | StepMessage
  /** `view` packs a ViewData (view.ts); omitted when the owner asked for scalars only */
  | { type: 'evaluation'; runId: string; step: number; final: boolean; summary: EvaluationSummary; view?: Envelope }
  | AnalysisMessage
  | BackendChangedMessage
  /** `result` packs the whole RunResult */
  | { type: 'finished'; runId: string; result: Envelope }
  | { type: 'failed'; runId: string; message: string; step?: number };

/** The worker relays one TrainEvent (other than evaluation and done, which it repacks). */
export function relay<T extends 'start' | 'step' | 'analysis' | 'backend', As extends string>(ev: Event<T>, as: As, runId: string): Relayed<T, As> {
  // Every field of the event, with `type` replaced: the spread is typed by the signature.
  return { ...ev, type: as, runId } as Relayed<T, As>;
}

// ---------------------------------------------------------------- checks

// Every BackendChoice, once: a choice added to the type without being listed here does not compile.
const CHOICES: Record<BackendChoice, true> = { auto: true, fused: true, wasm: true, webgl: true, webgpu: true, cpu: true };
const BACKEND_CHOICES = Object.keys(CHOICES) as BackendChoice[];
const BACKEND_NAMES = BACKEND_CHOICES.filter((b): b is BackendName => b !== 'auto');

/**
 * The fields of a RunConfig that anything receiving one reads before training it or
 * sizing a buffer for it. The spec validator has checked the rest at its source.
 */
export function checkRunConfig(c: Check, x: unknown, at: string): void {
  const r = c.rec(x, at);
  if (r === undefined) return;
  c.str(r.name, `${at}.name`);
  c.str(r.variant, `${at}.variant`);
  c.rec(r.task, `${at}.task`);
  c.rec(r.evaluation, `${at}.evaluation`);
  const network = c.rec(r.network, `${at}.network`);
  if (network) {
    c.count(network.N, `${at}.network.N`);
    c.num(network.dt, `${at}.network.dt`);
  }
  const training = c.rec(r.training, `${at}.training`);
  if (training) {
    c.count(training.steps, `${at}.training.steps`);
    c.count(training.batch, `${at}.training.batch`);
    c.int(training.seed, `${at}.training.seed`);
    c.oneOf(training.backend, BACKEND_CHOICES, `${at}.training.backend`);
  }
}

function checkWasm(c: Check, x: unknown, at: string): true | undefined {
  const w = c.rec(x, at);
  if (w === undefined) return undefined;
  if (w.kind === 'path') return c.str(w.dir, `${at}.dir`) === undefined ? undefined : true;
  if (w.kind !== 'bytes') return c.fail(`${at}.kind`, 'is neither path nor bytes');
  c.str(w.name, `${at}.name`);
  arrayBuffer(c, w.bytes, `${at}.bytes`);
  c.optional(w, 'kernel', at, (k, where) => arrayBuffer(c, k, where));
  return true;
}

function arrayBuffer(c: Check, x: unknown, at: string): true | undefined {
  return Object.prototype.toString.call(x) === '[object ArrayBuffer]' ? true : c.fail(at, 'is not an ArrayBuffer');
}

export const toTrainer = messageValidator<ToTrainer>({
  init: (c, m) => {
    c.int(m.version, 'version');
    c.oneOf(m.backend, BACKEND_CHOICES, 'backend');
    c.optional(m, 'wasm', '', (x, at) => checkWasm(c, x, at));
  },
  train: (c, m) => {
    c.str(m.runId, 'runId');
    checkRunConfig(c, m.run, 'run');
  },
  pause: () => undefined,
  resume: () => undefined,
  stop: () => undefined,
});

function checkSummary(c: Check, x: unknown, at: string): void {
  const s = c.rec(x, at);
  if (s === undefined) return;
  // The tables read each measure as a number or null, whatever else it is; these two they plot.
  c.num(s.eval_loss, `${at}.eval_loss`);
  c.num(s.eval_loss_x0rand, `${at}.eval_loss_x0rand`, true);
}

type Fields<M> = FieldChecks<Omit<M, 'type'>>;

const STARTED: Fields<StartedMessage> = {
  runId: field.str,
  run: field.str,
  backend: field.str,
  backendReason: field.str,
  calibration: checkCalibration,
  N: field.count,
  T: field.count,
  B: field.count,
  steps: field.count,
  parameters: field.count,
  memoryBytes: field.count,
};

function checkCalibration(c: Check, x: unknown, at: string): true | undefined {
  if (!Array.isArray(x)) return c.fail(at, 'is not a list');
  x.forEach((row: unknown, i) => {
    const r = c.rec(row, `${at}[${i}]`);
    if (r === undefined) return;
    c.str(r.backend, `${at}[${i}].backend`);
    c.num(r.msPerStep, `${at}[${i}].msPerStep`, true);
    c.optional(r, 'error', `${at}[${i}]`, (e, where) => c.str(e, where));
  });
  return true;
}

const STEP: Fields<StepMessage> = { runId: field.str, step: field.count, loss: field.num, gradRms: field.num, ms: field.num };

const ANALYSIS: Fields<AnalysisMessage> = {
  runId: field.str,
  name: field.str,
  done: field.count,
  total: field.count,
};

const backendName = (c: Check, x: unknown, at: string) => c.oneOf(x, BACKEND_NAMES, at);

const BACKEND_CHANGED: Fields<BackendChangedMessage> = {
  runId: field.str,
  step: field.count,
  from: backendName,
  to: backendName,
  reason: field.str,
};

const runId = (c: Check, m: Rec) => c.str(m.runId, 'runId');

export const fromTrainer = messageValidator<FromTrainer>({
  ready: (c, m) => {
    c.int(m.version, 'version');
    const b = c.rec(m.backend, 'backend');
    if (b) {
      c.str(b.name, 'backend.name');
      c.str(b.reason, 'backend.reason');
    }
  },
  initFailed: (c, m) => c.str(m.message, 'message'),
  started: (c, m) => checkFields(c, m, STARTED),
  step: (c, m) => checkFields(c, m, STEP),
  evaluation: (c, m) => {
    runId(c, m);
    c.count(m.step, 'step');
    c.bool(m.final, 'final');
    checkSummary(c, m.summary, 'summary');
    c.optional(m, 'view', '', (x, at) => c.envelope(x, at));
  },
  analysis: (c, m) => checkFields(c, m, ANALYSIS),
  backendChanged: (c, m) => checkFields(c, m, BACKEND_CHANGED),
  finished: (c, m) => {
    runId(c, m);
    c.envelope(m.result, 'result');
  },
  failed: (c, m) => {
    runId(c, m);
    c.str(m.message, 'message');
    c.optional(m, 'step', '', (x, at) => c.count(x, at));
  },
});
