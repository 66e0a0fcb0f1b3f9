/**
 * A finished run arrives from the webview as an envelope. Before anything is written,
 * it is unpacked and every array is checked against the sizes the run's own numbers
 * imply, so a stale or broken panel can never leave a run folder that readRunFolder,
 * the CLI or a script would choke on later.
 */
import { fromEnvelope, type Envelope } from '../core/pack';
import type { RunResult } from '../core/train';
import type { RunConfig } from '../core/types';
import { Shape, type Rec } from './shape';

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
  const s = new Shape();
  const r = s.rec(value, 'result');
  if (r !== undefined) checkResult(s, r, expected);
  s.throwIfAny(`The result of ${expected.name} is malformed`, RunResultError);
  // The run as the host sent it is the record of what was trained, whatever the panel echoes.
  return { ...(value as RunResult), run: expected };
}

function checkResult(s: Shape, r: Rec, expected: RunConfig): void {
  const run = s.rec(r.run, 'run');
  if (run !== undefined && run.name !== expected.name) s.fail(`run.name is ${JSON.stringify(run.name)}, expected ${JSON.stringify(expected.name)}`);
  const N = expected.network.N;
  s.str(r.backend, 'backend');
  s.array(r.losses, Float32Array, 'losses');
  if (r.losses instanceof Float32Array && r.losses.length > expected.training.steps) s.fail(`losses has ${r.losses.length} values for ${expected.training.steps} steps`);
  s.num(r.msPerStep, 'msPerStep');
  s.num(r.seconds, 'seconds');
  if (typeof r.stopped !== 'boolean') s.fail('stopped is not a boolean');
  const dims = weights(s, r.initial, 'initial', N);
  const finalDims = weights(s, r.final, 'final', N);
  if (dims && finalDims && (dims.dIn !== finalDims.dIn || dims.dOut !== finalDims.dOut)) s.fail('final and initial weights differ in size');
  const batch = evalBatch(s, r.evalBatch);
  evaluation(s, r.evaluation, N, batch);
}

function weights(s: Shape, x: unknown, at: string, N: number): { dIn: number; dOut: number } | undefined {
  const w = s.rec(x, at);
  if (w === undefined) return undefined;
  if (w.N !== N) s.fail(`${at}.N is ${String(w.N)}, expected ${N}`);
  const dIn = s.count(w.dIn, `${at}.dIn`);
  const dOut = s.count(w.dOut, `${at}.dOut`);
  s.array(w.W, Float32Array, `${at}.W`, N * N);
  s.array(w.W_in, Float32Array, `${at}.W_in`, dIn < 0 ? -1 : N * dIn);
  s.array(w.W_out, Float32Array, `${at}.W_out`, dOut < 0 ? -1 : dOut * N);
  s.array(w.h0, Float32Array, `${at}.h0`, N);
  return { dIn, dOut };
}

interface BatchDims {
  T: number;
  B: number;
  dOut: number;
}

function evalBatch(s: Shape, x: unknown): BatchDims | undefined {
  const b = s.rec(x, 'evalBatch');
  if (b === undefined) return undefined;
  const T = s.count(b.T, 'evalBatch.T');
  const B = s.count(b.B, 'evalBatch.B');
  const dIn = s.count(b.dIn, 'evalBatch.dIn');
  const dOut = s.count(b.dOut, 'evalBatch.dOut');
  const n = (d: number) => (T < 0 || B < 0 || d < 0 ? -1 : T * B * d);
  s.array(b.inputs, Float32Array, 'evalBatch.inputs', n(dIn));
  s.array(b.targets, Float32Array, 'evalBatch.targets', n(dOut));
  s.array(b.mask, Float32Array, 'evalBatch.mask', n(dOut));
  s.array(b.condition, Int32Array, 'evalBatch.condition', B);
  s.strings(b.conditionLabels, 'evalBatch.conditionLabels');
  return { T, B, dOut };
}

function evaluation(s: Shape, x: unknown, N: number, batch: BatchDims | undefined): void {
  const e = s.rec(x, 'evaluation');
  if (e === undefined) return;
  s.num(e.eval_loss, 'evaluation.eval_loss');
  s.num(e.eval_loss_x0rand, 'evaluation.eval_loss_x0rand', true);
  if (typeof e.learned !== 'boolean') s.fail('evaluation.learned is not a boolean');
  if (e.perturbation_skipped !== null && typeof e.perturbation_skipped !== 'string') s.fail('evaluation.perturbation_skipped is not a string or null');
  if (e.perturbation !== null) perturbation(s, e.perturbation);
  s.array(e.condition, Int32Array, 'evaluation.condition', batch?.B);
  s.strings(e.conditionLabels, 'evaluation.conditionLabels');
  const tr = s.rec(e.trajectories, 'evaluation.trajectories');
  if (tr !== undefined) {
    const T = s.count(tr.T, 'evaluation.trajectories.T');
    const B = s.count(tr.B, 'evaluation.trajectories.B');
    const dOut = s.count(tr.dOut, 'evaluation.trajectories.dOut');
    if (tr.N !== N) s.fail(`evaluation.trajectories.N is ${String(tr.N)}, expected ${N}`);
    if (batch && (T !== batch.T || B !== batch.B || dOut !== batch.dOut)) s.fail('evaluation.trajectories differ from evalBatch in T, B or dOut');
    s.array(tr.states, Float32Array, 'evaluation.trajectories.states', T < 0 || B < 0 ? -1 : T * B * N);
    s.array(tr.outputs, Float32Array, 'evaluation.trajectories.outputs', T < 0 || B < 0 || dOut < 0 ? -1 : T * B * dOut);
  }
  const a = s.rec(e.analysis, 'evaluation.analysis');
  if (a === undefined) return;
  for (const k of ['w_out_norm', 'x_norm'] as const) s.num(a[k], `evaluation.analysis.${k}`);
  // null: the spec's analysis list left that measure out
  for (const k of ['rho', 'rho_naive', 'rho_sqrtN', 'dx90', 'dfit90', 'noise_ratio', 'noise_ratio_pc', 'noise_ratio_tmin', 'var_out', 'var_rand', 'var_pc'] as const) {
    s.num(a[k], `evaluation.analysis.${k}`, true);
  }
  for (const k of ['r2_curve', 'explained_variance'] as const) {
    const v = a[k];
    if (!Array.isArray(v) || !v.every((n) => typeof n === 'number')) s.fail(`evaluation.analysis.${k} is not a list of numbers`);
  }
  checkProjection(s, a.projection, N);
}

function perturbation(s: Shape, x: unknown): void {
  const p = s.rec(x, 'evaluation.perturbation');
  if (p === undefined) return;
  const lengthOf = (v: unknown, at: string): number => {
    if (Array.isArray(v) && v.every((n) => typeof n === 'number')) return v.length;
    s.fail(`evaluation.perturbation.${at} is not a list of numbers`);
    return -1;
  };
  s.strings(p.directions, 'evaluation.perturbation.directions');
  const D = Array.isArray(p.directions) ? p.directions.length : -1;
  const A = lengthOf(p.amplitudes, 'amplitudes');
  const P = lengthOf(p.times, 'times');
  if (lengthOf(p.steps, 'steps') !== P) s.fail('evaluation.perturbation.steps and times differ in length');
  s.array(p.loss, Float32Array, 'evaluation.perturbation.loss', D < 0 || A < 0 || P < 0 ? -1 : D * A * P);
  for (const k of ['a_max', 'loss_unperturbed', 'rel_susceptibility', 'trials', 'seconds'] as const) s.num(p[k], `evaluation.perturbation.${k}`);
  s.str(p.scored, 'evaluation.perturbation.scored');
  const auc = s.rec(p.auc, 'evaluation.perturbation.auc');
  if (auc && !Object.values(auc).every((v) => typeof v === 'number')) s.fail('evaluation.perturbation.auc is not a map of numbers');
}

/** The 3D view's projection (a result's, or a stored run's view.safetensors), sized by N. */
export function checkProjection(s: Shape, x: unknown, N: number): void {
  const p = s.rec(x, 'projection');
  if (p === undefined) return;
  const trials = Array.isArray(p.trials) && p.trials.every((t) => Number.isSafeInteger(t)) ? p.trials.length : -1;
  const steps = Array.isArray(p.steps) && p.steps.every((t) => Number.isSafeInteger(t)) ? p.steps.length : -1;
  if (trials < 0) s.fail('projection.trials is not a list of trial indices');
  if (steps < 0) s.fail('projection.steps is not a list of grid indices');
  const view = (v: unknown, at: string) => {
    const pv = s.rec(v, at);
    if (pv === undefined) return;
    s.array(pv.axes, Float64Array, `${at}.axes`, 3 * N);
    s.strings(pv.axis_labels, `${at}.axis_labels`, 3);
    s.array(pv.trajectories, Float32Array, `${at}.trajectories`, trials < 0 || steps < 0 ? -1 : trials * steps * 3);
    s.nums(pv.centre, `${at}.centre`, 3);
    s.num(pv.scale, `${at}.scale`);
    s.nums(pv.axis_variance, `${at}.axis_variance`, 3);
    if (!Array.isArray(pv.readouts)) {
      s.fail(`${at}.readouts is not a list`);
      return;
    }
    pv.readouts.forEach((ro: unknown, i: number) => {
      const r = s.rec(ro, `${at}.readouts[${i}]`);
      if (r === undefined) return;
      s.nums(r.coords, `${at}.readouts[${i}].coords`, 3);
      s.nums(r.arrow, `${at}.readouts[${i}].arrow`, 3);
      s.num(r.fraction, `${at}.readouts[${i}].fraction`);
      s.num(r.angle_deg, `${at}.readouts[${i}].angle_deg`);
    });
  };
  view(p.pca, 'projection.pca');
  if (p.readout !== null) view(p.readout, 'projection.readout');
}
