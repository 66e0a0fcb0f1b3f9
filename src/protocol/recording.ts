/**
 * The recordings view (docs/science.md §4.9): what `rnnlab recording --json --view FILE`
 * hands the extension host (the measures on stdout, the view as JSON in FILE, progress
 * over the fork's IPC channel), and what the host then sends the recording page. Every
 * one of them crossed a process boundary, so each is checked here before use.
 */
import type { RecordingAnalysis } from '../core/recording/analyse';
import type { RecordingView } from '../core/recording/view';
import { fromEnvelope, type Envelope } from '../core/pack';
import { Check, messageValidator, type Rec } from './check';
import { checkViewData } from './view';

/** The measures of `rnnlab recording --json` (analyse.ts), with the file and how it was read. */
export type RecordingMeasures = Omit<RecordingAnalysis, 'w_out' | 'view'> & { file: string; source: string; dropped: number };

export type RecordingPhase = 'reading' | 'analysing' | 'subsampling';
export const RECORDING_PHASES: readonly RecordingPhase[] = ['reading', 'analysing', 'subsampling'];

/** From `rnnlab recording` to the host that forked it (process.send). */
export type RecordingChildMessage = { type: 'progress'; phase: RecordingPhase; done: number; total: number };

export const recordingChildMessage = messageValidator<RecordingChildMessage>({
  progress: (c, m) => {
    c.oneOf(m.phase, RECORDING_PHASES, 'phase');
    c.count(m.done, 'done');
    c.count(m.total, 'total');
  },
});

/** The first line of the view file, so a JSON file of something else is named as such. */
export const RECORDING_VIEW_FORMAT = 'rnnlab-recording-view';

// JSON null for a NaN or infinite number (metricsJson writes them so)
const numOrNull = (c: Check, x: unknown, at: string) => c.num(x, at, true);

/** The measures as `--json` prints them. */
export function checkRecordingMeasures(c: Check, x: unknown, at: string): RecordingMeasures | undefined {
  const m = c.rec(x, at);
  if (m === undefined) return undefined;
  const before = c.problems.length;
  c.str(m.file, `${at}.file`);
  c.str(m.source, `${at}.source`);
  for (const k of ['dropped', 'N', 'samples', 'outputs', 'd_var'] as const) c.count(m[k], `${at}.${k}`);
  for (const k of ['rho', 'rho_sqrtN', 'participation_ratio', 'r2', 'alpha'] as const) numOrNull(c, m[k], `${at}.${k}`);
  if (m.d_fit !== null) c.count(m.d_fit, `${at}.d_fit`);
  for (const k of ['rel_fit_dim', 'subsample_slope'] as const) numOrNull(c, m[k], `${at}.${k}`);
  for (const k of ['r2_curve', 'explained_variance'] as const) {
    if (!Array.isArray(m[k]) || !(m[k] as unknown[]).every((v) => typeof v === 'number' || v === null)) c.fail(`${at}.${k}`, 'is not a list of numbers');
  }
  if (!Array.isArray(m.subsample)) c.fail(`${at}.subsample`, 'is not a list');
  else {
    m.subsample.forEach((p: unknown, i) => {
      const r = c.rec(p, `${at}.subsample[${i}]`);
      if (r === undefined) return;
      c.count(r.n, `${at}.subsample[${i}].n`);
      numOrNull(c, r.mean, `${at}.subsample[${i}].mean`);
      numOrNull(c, r.sd, `${at}.subsample[${i}].sd`);
      c.count(r.draws, `${at}.subsample[${i}].draws`);
    });
  }
  return c.problems.length === before ? (m as unknown as RecordingMeasures) : undefined;
}

/** A RecordingView with its typed arrays (as analyse.ts makes it and an envelope carries it). */
export function checkRecordingView(c: Check, x: unknown, at: string): RecordingView | undefined {
  const v = c.rec(x, at);
  if (v === undefined) return undefined;
  const before = c.problems.length;
  c.nums(v.explained_variance, `${at}.explained_variance`, 3);
  const trials = c.count(v.trials, `${at}.trials`);
  c.count(v.time, `${at}.time`);
  if (!Array.isArray(v.readouts)) c.fail(`${at}.readouts`, 'is not a list');
  else {
    v.readouts.forEach((r: unknown, i) => {
      const where = `${at}.readouts[${i}]`;
      const ro = c.rec(r, where);
      if (ro === undefined) return;
      c.nums(ro.pc_coords, `${where}.pc_coords`, 3);
      c.nums(ro.unit, `${where}.unit`, 3);
      c.num(ro.fraction, `${where}.fraction`);
      c.num(ro.angle_deg, `${where}.angle_deg`);
    });
  }
  checkViewData(c, { projection: v.projection, condition: v.condition, conditionLabels: v.conditionLabels }, at);
  const condition = v.condition;
  if (trials !== undefined && condition instanceof Int32Array && condition.length !== trials) c.fail(`${at}.condition`, `has ${condition.length} entries for ${trials} trials`);
  const p = v.projection as Rec | undefined;
  const readouts = (p?.pca as Rec | undefined)?.readouts;
  if (Array.isArray(v.readouts) && Array.isArray(readouts) && readouts.length !== v.readouts.length) c.fail(`${at}.readouts`, 'do not match the projection\'s readouts');
  return c.problems.length === before ? (v as unknown as RecordingView) : undefined;
}

/**
 * The view file `--view FILE` writes: the RecordingView with its typed arrays as JSON
 * lists. Back to typed arrays, checked; throws an Error that says what is wrong.
 */
export function recordingViewFromJson(x: unknown): RecordingView {
  const c = new Check();
  const top = c.rec(x, 'the view file');
  if (top === undefined || top.format !== RECORDING_VIEW_FORMAT) throw new Error(`This is not a recording view file (its "format" is not "${RECORDING_VIEW_FORMAT}").`);
  const typed = (v: unknown, make: (xs: number[]) => Float32Array | Float64Array | Int32Array): unknown => (Array.isArray(v) && v.every((n) => typeof n === 'number') ? make(v as number[]) : v);
  const basis = (b: unknown): unknown => {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return b;
    const r = b as Rec;
    return { ...r, axes: typed(r.axes, (xs) => Float64Array.from(xs)), trajectories: typed(r.trajectories, (xs) => Float32Array.from(xs)) };
  };
  const p = (top.projection ?? null) as Rec | null;
  const view = {
    ...top,
    condition: typed(top.condition, (xs) => Int32Array.from(xs)),
    projection: p && typeof p === 'object' ? { ...p, pca: basis(p.pca), readout: p.readout === null ? null : basis(p.readout) } : p,
  };
  const checked = checkRecordingView(c, view, 'view');
  c.throwIfAny('The recording view file is malformed');
  if (checked === undefined) throw new Error('The recording view file is malformed.');
  const { format: _f, ...rest } = checked as RecordingView & { format?: string };
  return rest;
}

/** The view in an envelope (recordingResult), unpacked and checked; throws an Error that says what is wrong. */
export function decodeRecordingView(env: Envelope): RecordingView {
  let value: unknown;
  try {
    value = fromEnvelope<unknown>(env);
  } catch (e) {
    throw new Error(`The recording view cannot be unpacked: ${(e as Error).message}`);
  }
  const c = new Check();
  const v = checkRecordingView(c, value, 'view');
  c.throwIfAny('The recording view is malformed');
  if (v === undefined) throw new Error('The recording view is malformed.');
  return v;
}

/** The view file's JSON: typed arrays as lists, non-finite numbers as null. */
export function recordingViewJson(view: RecordingView): string {
  return JSON.stringify({ format: RECORDING_VIEW_FORMAT, ...view }, (_k, v: unknown) => {
    if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array) return Array.from(v);
    return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  });
}

