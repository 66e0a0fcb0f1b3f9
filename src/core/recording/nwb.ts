/**
 * Neurodata Without Borders files (the Neural Latents Benchmark's mc_maze and mc_rtt):
 * activity from the units table (spike times binned) or from a processed TimeSeries, and
 * behaviour from a TimeSeries (e.g. /processing/behavior/hand_vel), both on one grid of
 * time bins. The authors binned at 45 ms and smoothed with a Gaussian of SD 45 ms; with
 * --window they kept a window around an event of each trial (mc_maze: -700 to 785 ms
 * around move_onset_time).
 */
import type * as H5 from 'h5wasm';
import { attrNumber, attrText, readDataset } from './hdf5';
import { at } from '../checked';

export interface NwbOptions {
  /** a TimeSeries (path or name) or the units table; default /units */
  activity?: string;
  /** a TimeSeries (path or name); default the only one under /processing/behavior */
  behaviour?: string;
  /** bin width in seconds (0.045) */
  bin: number;
  /** SD of the Gaussian smoothing of the activity, seconds (0: none) */
  smooth?: number;
  /** the activity leads the behaviour by this much, seconds (e.g. 0.1 for velocity) */
  lag?: number;
  /** keep only bins inside the trials of /intervals/trials */
  trials?: boolean;
  /** keep only bins in [event + start, event + end) of each trial, seconds */
  window?: readonly [number, number];
  /** the trials table column of the event (start_time) */
  align?: string;
}

export interface BinnedRecording {
  activity: Float64Array;
  behaviour: Float64Array;
  S: number;
  N: number;
  d: number;
  /** what was read, in words */
  description: string;
}

type H5Module = typeof import('h5wasm');

export function isNwb(file: H5.File): boolean {
  return attrText(file, 'nwb_version') !== undefined || attrText(file, 'neurodata_type') === 'NWBFile';
}

interface TimeSeries {
  path: string;
  data: Float64Array;
  /** samples */
  T: number;
  /** values per sample */
  d: number;
  times: Float64Array;
}

/** Every group that looks like a TimeSeries: a data dataset and timestamps or a starting time with a rate. */
export function timeSeriesPaths(file: H5.File, h5: H5Module): string[] {
  const out: string[] = [];
  const walk = (g: H5.Group) => {
    for (const key of g.keys()) {
      const obj = g.get(key);
      if (!(obj instanceof h5.Group)) continue;
      const keys = obj.keys();
      if (keys.includes('data') && (keys.includes('timestamps') || keys.includes('starting_time'))) out.push(obj.path);
      else walk(obj);
    }
  };
  walk(file);
  return out;
}

function resolveSeries(file: H5.File, h5: H5Module, want: string, role: string): string {
  const all = timeSeriesPaths(file, h5);
  const hits = want.startsWith('/') ? all.filter((p) => p === want) : all.filter((p) => p.split('/').pop() === want);
  if (hits.length === 1) return at(hits, 0);
  const listed = all.length ? `it has ${all.join(', ')}` : 'it has no TimeSeries';
  if (hits.length > 1) throw new Error(`Several TimeSeries are called ${want} (${hits.join(', ')}); give the whole path to --${role}.`);
  throw new Error(`No TimeSeries ${want} for --${role} in this NWB file; ${listed}.`);
}

function readSeries(file: H5.File, h5: H5Module, path: string): TimeSeries {
  const g = file.get(path);
  if (!(g instanceof h5.Group)) throw new Error(`${path} is not a TimeSeries group.`);
  const dataset = g.get('data');
  if (!(dataset instanceof h5.Dataset)) throw new Error(`${path}/data is missing.`);
  const arr = readDataset(dataset, `${path}/data`);
  const T = arr.shape[0] ?? arr.data.length;
  const d = T > 0 ? arr.data.length / T : 0;
  let times: Float64Array;
  const ts = g.get('timestamps');
  if (ts instanceof h5.Dataset) {
    times = readDataset(ts, `${path}/timestamps`).data;
  } else {
    const st = g.get('starting_time');
    if (!(st instanceof h5.Dataset)) throw new Error(`${path} has neither timestamps nor starting_time.`);
    const start = readDataset(st, `${path}/starting_time`).data[0] ?? 0;
    const rate = attrNumber(st, 'rate');
    if (!(rate && rate > 0)) throw new Error(`${path}/starting_time has no rate attribute.`);
    times = Float64Array.from({ length: T }, (_, k) => start + k / rate);
  }
  if (times.length !== T) throw new Error(`${path}: ${T} samples of data but ${times.length} timestamps.`);
  return { path, data: arr.data, T, d, times };
}

/** Spike times of each unit from a units table (spike_times + spike_times_index, a ragged VectorData). */
function readUnits(file: H5.File, h5: H5Module, path: string): Float64Array[] {
  const g = file.get(path);
  if (!(g instanceof h5.Group)) throw new Error(`${path} is not a units table.`);
  const st = g.get('spike_times');
  const idx = g.get('spike_times_index');
  if (!(st instanceof h5.Dataset) || !(idx instanceof h5.Dataset)) throw new Error(`${path} has no spike_times with spike_times_index.`);
  const times = readDataset(st, `${path}/spike_times`).data;
  const ends = readDataset(idx, `${path}/spike_times_index`).data;
  const units: Float64Array[] = [];
  let from = 0;
  for (const end of ends) {
    units.push(times.subarray(from, end));
    from = end;
  }
  return units;
}

export function nwbRecording(file: H5.File, h5: H5Module, o: NwbOptions): BinnedRecording {
  if (!(o.bin > 0)) throw new Error(`The bin width must be positive (got ${o.bin}).`);
  const behaviourPath = o.behaviour ? resolveSeries(file, h5, o.behaviour, 'behaviour') : defaultBehaviour(file, h5);
  const beh = readSeries(file, h5, behaviourPath);
  const finite = beh.times.filter((t) => Number.isFinite(t));
  if (!finite.length) throw new Error(`${behaviourPath} has no samples.`);
  const t0 = Math.min(...finite);
  const t1 = Math.max(...finite);
  const K = Math.max(1, Math.floor((t1 - t0) / o.bin) + 1);
  // a sample on a bin's edge belongs to the bin it starts (0.075 / 0.025 is 2.9999999999999996 in floats)
  const binOf = (t: number) => Math.floor((t - t0) / o.bin + 1e-9);

  // behaviour: mean of the finite samples in each bin
  const d = beh.d;
  const bsum = new Float64Array(K * d);
  const bcount = new Float64Array(K);
  for (let k = 0; k < beh.T; k++) {
    const b = binOf(beh.times[k] ?? 0);
    if (b < 0 || b >= K) continue;
    let ok = true;
    for (let j = 0; j < d; j++) ok &&= Number.isFinite(beh.data[k * d + j] ?? 0);
    if (!ok) continue;
    for (let j = 0; j < d; j++) bsum[b * d + j] = (bsum[b * d + j] ?? 0) + (beh.data[k * d + j] ?? 0);
    bcount[b] = (bcount[b] ?? 0) + 1;
  }

  // activity on the same bins
  const activityPath = o.activity ?? '/units';
  let N: number;
  let act: Float64Array;
  let what: string;
  const target = file.get(activityPath);
  if (target instanceof h5.Group && target.keys().includes('spike_times')) {
    const units = readUnits(file, h5, activityPath);
    N = units.length;
    act = new Float64Array(K * N);
    units.forEach((spikes, u) => {
      for (const t of spikes) {
        const b = binOf(t);
        if (b >= 0 && b < K) act[b * N + u] = (act[b * N + u] ?? 0) + 1 / o.bin;
      }
    });
    what = `${N} units of ${activityPath} binned at ${o.bin * 1000} ms (spikes/s)`;
  } else {
    const path = o.activity ? resolveSeries(file, h5, o.activity, 'activity') : activityPath;
    const s = readSeries(file, h5, path);
    N = s.d;
    act = new Float64Array(K * N);
    const n = new Float64Array(K);
    for (let k = 0; k < s.T; k++) {
      const b = binOf(s.times[k] ?? 0);
      if (b < 0 || b >= K) continue;
      n[b] = (n[b] ?? 0) + 1;
      for (let j = 0; j < N; j++) act[b * N + j] = (act[b * N + j] ?? 0) + (s.data[k * N + j] ?? 0);
    }
    for (let b = 0; b < K; b++) for (let j = 0; j < N; j++) act[b * N + j] = n[b] ? (act[b * N + j] ?? 0) / (n[b] ?? 0) : Number.NaN;
    what = `${N} channels of ${path} averaged in ${o.bin * 1000} ms bins`;
  }
  if (o.smooth && o.smooth > 0) act = gaussianSmooth(act, K, N, o.smooth / o.bin);

  const keep = binsToKeep(file, h5, o, K, t0);
  const shift = Math.round((o.lag ?? 0) / o.bin);
  const rowsA: number[] = [];
  const rowsB: number[] = [];
  for (let b = 0; b < K; b++) {
    const a = b - shift;
    if (!bcount[b] || a < 0 || a >= K || (keep && !keep[b])) continue;
    let ok = true;
    for (let j = 0; j < N; j++) ok &&= Number.isFinite(act[a * N + j] ?? 0);
    if (!ok) continue;
    rowsA.push(a);
    rowsB.push(b);
  }
  const S = rowsB.length;
  const activity = new Float64Array(S * N);
  const behaviour = new Float64Array(S * d);
  rowsB.forEach((b, s) => {
    activity.set(act.subarray((rowsA[s] ?? 0) * N, ((rowsA[s] ?? 0) + 1) * N), s * N);
    for (let j = 0; j < d; j++) behaviour[s * d + j] = (bsum[b * d + j] ?? 0) / (bcount[b] ?? 0);
  });
  const extras = [
    o.smooth ? `smoothed (Gaussian SD ${o.smooth * 1000} ms)` : '',
    o.lag ? `leading the behaviour by ${o.lag * 1000} ms` : '',
    o.window ? `in [${o.window[0]}, ${o.window[1]}) s around ${o.align ?? 'start_time'} of each trial` : o.trials ? 'inside the trials' : '',
  ].filter(Boolean);
  return { activity, behaviour, S, N, d, description: `${what}${extras.length ? ', ' + extras.join(', ') : ''}; behaviour ${behaviourPath} (${d} value${d > 1 ? 's' : ''} per sample); ${S} bins` };
}

/** The TimeSeries under /processing/behavior (or behaviour): the default behaviour when there is one. */
export function behaviourSeries(all: readonly string[]): string[] {
  return all.filter((p) => /^\/processing\/behaviou?r\//.test(p));
}

function defaultBehaviour(file: H5.File, h5: H5Module): string {
  const all = timeSeriesPaths(file, h5);
  const behav = behaviourSeries(all);
  if (behav.length === 1) return at(behav, 0);
  const pool = behav.length ? behav : all;
  throw new Error(
    pool.length
      ? `Choose the behaviour with --behaviour NAME; this NWB file has ${pool.map((p) => p.split('/').pop()).join(', ')} (${pool.join(', ')}).`
      : 'This NWB file has no behaviour TimeSeries (a group with data and timestamps).',
  );
}

/** Which bins lie inside a trial (or a window around an event of each trial); undefined: all. */
function binsToKeep(file: H5.File, h5: H5Module, o: NwbOptions, K: number, t0: number): Uint8Array | undefined {
  if (!o.trials && !o.window) return undefined;
  const g = file.get('/intervals/trials');
  if (!(g instanceof h5.Group)) throw new Error('This NWB file has no trials table (/intervals/trials), which --trials and --window need.');
  const column = (name: string) => {
    const ds = g.get(name);
    if (!(ds instanceof h5.Dataset)) throw new Error(`The trials table has no column ${name}; it has ${g.keys().join(', ')}.`);
    return readDataset(ds, `/intervals/trials/${name}`).data;
  };
  const start = column('start_time');
  const stop = column('stop_time');
  const event = o.window ? column(o.align ?? 'start_time') : start;
  const keep = new Uint8Array(K);
  for (let i = 0; i < start.length; i++) {
    const from = o.window ? (event[i] ?? 0) + o.window[0] : (start[i] ?? 0);
    const to = o.window ? (event[i] ?? 0) + o.window[1] : (stop[i] ?? 0);
    if (!Number.isFinite(from) || !Number.isFinite(to)) continue;
    const b0 = Math.max(0, Math.ceil((from - t0) / o.bin - 1e-9));
    const b1 = Math.min(K, Math.ceil((to - t0) / o.bin - 1e-9));
    for (let b = b0; b < b1; b++) keep[b] = 1;
  }
  return keep;
}

/** Each column convolved with a normalised Gaussian of SD `sd` bins (radius 3 SD), truncated at the ends. */
export function gaussianSmooth(x: Float64Array, K: number, N: number, sd: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sd));
  const w = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-0.5 * ((i - r) / sd) ** 2));
  const out = new Float64Array(K * N);
  for (let b = 0; b < K; b++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let ws = 0;
      for (let i = -r; i <= r; i++) {
        const c = b + i;
        if (c < 0 || c >= K) continue;
        const v = x[c * N + j] ?? 0;
        if (!Number.isFinite(v)) continue;
        s += (w[i + r] ?? 0) * v;
        ws += w[i + r] ?? 0;
      }
      out[b * N + j] = ws > 0 ? s / ws : Number.NaN;
    }
  }
  return out;
}
