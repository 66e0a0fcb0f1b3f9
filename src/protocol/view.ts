/**
 * The 3D view's data (trajectories in two bases, readout arrows, conditions): what an
 * evaluation sends the page and what a stored run shows, packed into a view envelope.
 * One check serves the page (worker and stored-run data) and the host (run results), so
 * the renderer never sizes a buffer from a field nobody checked.
 */
import { fromEnvelope, type Envelope } from '../core/pack';
import type { Projection } from '../core/analysis';
import { Check, join } from './check';

export interface ViewData {
  projection: Projection;
  condition: Int32Array;
  conditionLabels: string[];
}

/**
 * A Projection: trial and step indices, and each basis with trajectories of
 * trials x steps x 3, axes of 3 x N (when N is known), and its readout arrows.
 * `trialsIn` bounds the trial indices (the trials of the batch it was drawn from).
 */
export function checkProjection(c: Check, x: unknown, at: string, opts: { N?: number; trialsIn?: number } = {}): void {
  const p = c.rec(x, at);
  if (p === undefined) return;
  const trials = c.indices(p.trials, `${at}.trials`, opts.trialsIn);
  const steps = c.indices(p.steps, `${at}.steps`);
  const points = trials && steps ? trials.length * steps.length * 3 : -1;
  checkBasis(c, p.pca, `${at}.pca`, points, opts.N);
  // null: w_out,1 is zero, so there is no readout basis
  if (p.readout !== null) checkBasis(c, p.readout, `${at}.readout`, points, opts.N);
}

function checkBasis(c: Check, x: unknown, at: string, points: number, N: number | undefined): void {
  const v = c.rec(x, at);
  if (v === undefined) return;
  const axes = c.array(v.axes, Float64Array, `${at}.axes`, N === undefined ? -1 : 3 * N);
  if (axes && N === undefined && axes.length % 3 !== 0) c.fail(`${at}.axes`, `has ${axes.length} values, not 3 rows`);
  c.strings(v.axis_labels, `${at}.axis_labels`, 3);
  c.array(v.trajectories, Float32Array, `${at}.trajectories`, points);
  c.nums(v.centre, `${at}.centre`, 3);
  c.num(v.scale, `${at}.scale`);
  c.nums(v.axis_variance, `${at}.axis_variance`, 3);
  if (!Array.isArray(v.readouts)) return void c.fail(`${at}.readouts`, 'is not a list');
  v.readouts.forEach((ro: unknown, i: number) => {
    const where = `${at}.readouts[${i}]`;
    const r = c.rec(ro, where);
    if (r === undefined) return;
    c.nums(r.coords, `${where}.coords`, 3);
    c.nums(r.arrow, `${where}.arrow`, 3);
    c.num(r.fraction, `${where}.fraction`);
    c.num(r.angle_deg, `${where}.angle_deg`);
  });
}

/** A ViewData: a checked projection, a condition for every drawn trial and a label for every condition. */
export function checkViewData(c: Check, x: unknown, at: string, N?: number): void {
  const v = c.rec(x, at);
  if (v === undefined) return;
  const condition = c.array(v.condition, Int32Array, join(at, 'condition'));
  const labels = c.strings(v.conditionLabels, join(at, 'conditionLabels'));
  if (condition && labels && condition.some((k) => k < 0 || k >= labels.length)) c.fail(join(at, 'condition'), 'names a condition without a label');
  checkProjection(c, v.projection, join(at, 'projection'), { ...(N !== undefined ? { N } : {}), ...(condition ? { trialsIn: condition.length } : {}) });
}

/** The ViewData in a view envelope; throws an Error that says what is wrong with it. */
export function decodeViewData(env: Envelope, N?: number): ViewData {
  let value: unknown;
  try {
    value = fromEnvelope<unknown>(env);
  } catch (e) {
    throw new Error(`The view data cannot be unpacked: ${(e as Error).message}`);
  }
  const c = new Check();
  checkViewData(c, value, 'view', N);
  if (!c.ok) throw new Error(`The view data is malformed: ${c.summary()}.`);
  return value as ViewData;
}
