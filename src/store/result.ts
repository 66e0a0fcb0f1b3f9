/**
 * A finished run arrives from the webview as an envelope. Before anything is written,
 * it is unpacked and every array is checked against the sizes the run's own numbers
 * imply, so a stale or broken panel can never leave a run folder that readRunFolder,
 * the CLI or a script would choke on later.
 */
import { fromEnvelope, type Envelope } from '../core/pack';
import type { RunResult } from '../core/train';
import type { RunConfig } from '../core/types';
import { Check, type Rec } from '../protocol/check';
import { checkProjection } from '../protocol/view';

class RunResultError extends Error {
  override name = 'RunResultError';
}

/** The run result in the envelope, checked against the run the host asked for; throws a RunResultError otherwise. */
export function decodeRunResult(env: Envelope, expected: RunConfig): RunResult {
  let value: unknown;
  try {
    value = fromEnvelope<unknown>(env);
  } catch (e) {
    throw new RunResultError(`The result of ${expected.name} cannot be unpacked: ${(e as Error).message}`);
  }
  const c = new Check();
  const r = c.rec(value, 'result');
  if (r !== undefined) checkResult(c, r, expected);
  c.throwIfAny(`The result of ${expected.name} is malformed`, RunResultError);
  // The run as the host sent it is the record of what was trained, whatever the panel echoes.
  return { ...(value as RunResult), run: expected };
}

function checkResult(c: Check, r: Rec, expected: RunConfig): void {
  const run = c.rec(r.run, 'run');
  if (run !== undefined && run.name !== expected.name) c.fail('run.name', `is ${JSON.stringify(run.name)}, expected ${JSON.stringify(expected.name)}`);
  const N = expected.network.N;
  c.str(r.backend, 'backend');
  const losses = c.array(r.losses, Float32Array, 'losses');
  if (losses && losses.length > expected.training.steps) c.fail('losses', `has ${losses.length} values for ${expected.training.steps} steps`);
  c.num(r.msPerStep, 'msPerStep');
  c.num(r.seconds, 'seconds');
  c.bool(r.stopped, 'stopped');
  const dims = weights(c, r.initial, 'initial', N);
  const finalDims = weights(c, r.final, 'final', N);
  if (dims && finalDims && (dims.dIn !== finalDims.dIn || dims.dOut !== finalDims.dOut)) c.fail('final', 'and initial weights differ in size');
  const batch = evalBatch(c, r.evalBatch);
  evaluation(c, r.evaluation, N, batch);
}

/** -1 for a size that did not pass its check: the arrays it sizes are then checked for their type only. */
const known = (n: number | undefined): number => n ?? -1;

function weights(c: Check, x: unknown, at: string, N: number): { dIn: number; dOut: number } | undefined {
  const w = c.rec(x, at);
  if (w === undefined) return undefined;
  if (w.N !== N) c.fail(`${at}.N`, `is ${String(w.N)}, expected ${N}`);
  const dIn = known(c.count(w.dIn, `${at}.dIn`));
  const dOut = known(c.count(w.dOut, `${at}.dOut`));
  c.array(w.W, Float32Array, `${at}.W`, N * N);
  c.array(w.W_in, Float32Array, `${at}.W_in`, dIn < 0 ? -1 : N * dIn);
  c.array(w.W_out, Float32Array, `${at}.W_out`, dOut < 0 ? -1 : dOut * N);
  c.array(w.h0, Float32Array, `${at}.h0`, N);
  return { dIn, dOut };
}

interface BatchDims {
  T: number;
  B: number;
  dOut: number;
}

function evalBatch(c: Check, x: unknown): BatchDims | undefined {
  const b = c.rec(x, 'evalBatch');
  if (b === undefined) return undefined;
  const T = known(c.count(b.T, 'evalBatch.T'));
  const B = known(c.count(b.B, 'evalBatch.B'));
  const dIn = known(c.count(b.dIn, 'evalBatch.dIn'));
  const dOut = known(c.count(b.dOut, 'evalBatch.dOut'));
  const n = (d: number) => (T < 0 || B < 0 || d < 0 ? -1 : T * B * d);
  c.array(b.inputs, Float32Array, 'evalBatch.inputs', n(dIn));
  c.array(b.targets, Float32Array, 'evalBatch.targets', n(dOut));
  c.array(b.mask, Float32Array, 'evalBatch.mask', n(dOut));
  c.array(b.condition, Int32Array, 'evalBatch.condition', B);
  c.strings(b.conditionLabels, 'evalBatch.conditionLabels');
  return { T, B, dOut };
}

function evaluation(c: Check, x: unknown, N: number, batch: BatchDims | undefined): void {
  const e = c.rec(x, 'evaluation');
  if (e === undefined) return;
  c.num(e.eval_loss, 'evaluation.eval_loss');
  c.num(e.eval_loss_x0rand, 'evaluation.eval_loss_x0rand', true);
  c.bool(e.learned, 'evaluation.learned');
  if (e.perturbation_skipped !== null) c.str(e.perturbation_skipped, 'evaluation.perturbation_skipped');
  if (e.perturbation !== null) perturbation(c, e.perturbation);
  c.array(e.condition, Int32Array, 'evaluation.condition', batch?.B);
  c.strings(e.conditionLabels, 'evaluation.conditionLabels');
  const tr = c.rec(e.trajectories, 'evaluation.trajectories');
  if (tr !== undefined) {
    const T = known(c.count(tr.T, 'evaluation.trajectories.T'));
    const B = known(c.count(tr.B, 'evaluation.trajectories.B'));
    const dOut = known(c.count(tr.dOut, 'evaluation.trajectories.dOut'));
    if (tr.N !== N) c.fail('evaluation.trajectories.N', `is ${String(tr.N)}, expected ${N}`);
    if (batch && (T !== batch.T || B !== batch.B || dOut !== batch.dOut)) c.fail('evaluation.trajectories', 'differ from evalBatch in T, B or dOut');
    c.array(tr.states, Float32Array, 'evaluation.trajectories.states', T < 0 || B < 0 ? -1 : T * B * N);
    c.array(tr.outputs, Float32Array, 'evaluation.trajectories.outputs', T < 0 || B < 0 || dOut < 0 ? -1 : T * B * dOut);
  }
  const a = c.rec(e.analysis, 'evaluation.analysis');
  if (a === undefined) return;
  for (const k of ['w_out_norm', 'x_norm'] as const) c.num(a[k], `evaluation.analysis.${k}`);
  // null: the spec's analysis list left that measure out
  for (const k of ['rho', 'rho_naive', 'rho_sqrtN', 'dx90', 'dfit90', 'noise_ratio', 'noise_ratio_pc', 'noise_ratio_tmin', 'var_out', 'var_rand', 'var_pc'] as const) {
    c.num(a[k], `evaluation.analysis.${k}`, true);
  }
  for (const k of ['r2_curve', 'explained_variance'] as const) c.nums(a[k], `evaluation.analysis.${k}`);
  checkProjection(c, a.projection, 'projection', { N, ...(batch && batch.B >= 0 ? { trialsIn: batch.B } : {}) });
}

function perturbation(c: Check, x: unknown): void {
  const at = 'evaluation.perturbation';
  const p = c.rec(x, at);
  if (p === undefined) return;
  const D = c.strings(p.directions, `${at}.directions`)?.length;
  const A = c.nums(p.amplitudes, `${at}.amplitudes`)?.length;
  const P = c.nums(p.times, `${at}.times`)?.length;
  const steps = c.nums(p.steps, `${at}.steps`);
  if (steps && P !== undefined && steps.length !== P) c.fail(`${at}.steps`, 'and times differ in length');
  c.array(p.loss, Float32Array, `${at}.loss`, D === undefined || A === undefined || P === undefined ? -1 : D * A * P);
  for (const k of ['a_max', 'loss_unperturbed', 'rel_susceptibility', 'trials', 'seconds'] as const) c.num(p[k], `${at}.${k}`);
  c.str(p.scored, `${at}.scored`);
  const auc = c.rec(p.auc, `${at}.auc`);
  if (auc && !Object.values(auc).every((v) => typeof v === 'number')) c.fail(`${at}.auc`, 'is not a map of numbers');
}
