/**
 * A recording file's bytes in, activity (samples x neurons) and behaviour (samples x
 * outputs) out (docs/science.md §4.9). Formats, told apart by their first bytes:
 *
 * - .npz: arrays `activity` and `behaviour` (or `behavior`), or those named by the options;
 * - .npy: the activity alone; the behaviour comes from a second .npy file;
 * - .safetensors (this project's format): arrays named as for .npz;
 * - HDF5: NWB (units table binned, or a processed TimeSeries, and a behaviour TimeSeries),
 *   MATLAB v7.3 (variables in MATLAB's shape), or any HDF5 file with datasets named by
 *   the options (h5py's shapes).
 *
 * Activity is time x neurons or trials x time x neurons; behaviour time x outputs, time,
 * or trials x time x outputs: trials and time are pooled into samples. Samples with a
 * NaN anywhere are dropped. A file without what is needed gets an error that lists
 * what it does contain.
 */
import { decodeSafetensors } from '../safetensors';
import { readNpy, type NdArray } from './npy';
import { zipEntries, zipRead } from './zip';
import { datasetList, describeTree, isHdf5, openHdf5, readDataset } from './hdf5';
import { behaviourSeries, isNwb, nwbRecording, timeSeriesPaths, type NwbOptions } from './nwb';
import { isMatlab73, matlabVariable } from './matlab';

export interface RecordingFile {
  name: string;
  bytes: Uint8Array;
}

export interface LoadOptions extends Partial<NwbOptions> {
  /** array, variable, dataset or TimeSeries of the activity (default "activity"; NWB: the units table) */
  activity?: string;
  /** the same for the behaviour (default "behaviour" or "behavior"); for a .npy FILE, this is a second file */
  behaviour?: string;
  /** the behaviour's own file when `file` is a .npy */
  behaviourFile?: RecordingFile;
}

export interface Recording {
  /** samples x neurons */
  activity: Float64Array;
  /** samples x outputs */
  behaviour: Float64Array;
  S: number;
  N: number;
  d: number;
  /** the format and what was read, in words */
  source: string;
  /** samples dropped because of NaN */
  dropped: number;
  /** the trials, when the activity was trials x time x neurons and no sample was dropped (samples are trial-major) */
  trials?: number;
  /** condition index of each trial, from an array `condition` beside the activity (as `rnnlab export` writes) */
  condition?: Int32Array;
}

export type RecordingFormat = 'npy' | 'npz' | 'safetensors' | 'hdf5';

export function detectFormat(bytes: Uint8Array): RecordingFormat | undefined {
  if (bytes[0] === 0x93 && bytes[1] === 0x4e && bytes[2] === 0x55 && bytes[3] === 0x4d) return 'npy';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return 'npz';
  if (isHdf5(bytes)) return 'hdf5';
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  return undefined;
}

export async function loadRecording(file: RecordingFile, o: LoadOptions = {}): Promise<Recording> {
  const format = detectFormat(file.bytes);
  switch (format) {
    case 'npy': {
      if (!o.behaviourFile) throw new Error(`${file.name} is a .npy file, which holds one array (the activity); give the behaviour as a second .npy file with --behaviour FILE, or put both in an .npz.`);
      const act = readNpy(file.bytes, file.name);
      const beh = readNpy(o.behaviourFile.bytes, o.behaviourFile.name);
      return pair(act, beh, `.npy files ${file.name} and ${o.behaviourFile.name}`);
    }
    case 'npz':
      return loadNamed(file.name, 'the .npz', await npzArrays(file), o);
    case 'safetensors': {
      const { arrays } = decodeSafetensors(file.bytes);
      const named: Record<string, NdArray> = {};
      for (const [k, v] of Object.entries(arrays)) named[k] = { data: Float64Array.from(v.data), shape: v.shape, dtype: v.data.constructor.name };
      return loadNamed(file.name, 'the .safetensors file', named, o);
    }
    case 'hdf5':
      return loadHdf5(file, o);
    default:
      throw new Error(`${file.name} is not a recording format this tool reads (.npz, .npy, .safetensors, or HDF5: NWB, MATLAB v7.3).`);
  }
}

/**
 * What a recording file holds, so a caller asks the user only what the defaults cannot
 * settle (`rnnlab recording FILE --list`): its arrays (datasets, variables) with their
 * shapes, an NWB file's TimeSeries, and whether the default activity and behaviour exist.
 */
export interface RecordingContents {
  format: 'npy' | 'npz' | 'safetensors' | 'nwb' | 'matlab' | 'hdf5';
  arrays: { name: string; shape: number[] }[];
  /** NWB: the TimeSeries paths */
  series: string[];
  /** the default activity (NWB: the units table) and behaviour (NWB: the only TimeSeries under /processing/behavior) are there */
  defaults: { activity: boolean; behaviour: boolean };
}

export async function listRecording(file: RecordingFile): Promise<RecordingContents> {
  const has = (arrays: { name: string }[], names: string[]) => arrays.some((a) => names.includes(a.name));
  const named = (arrays: { name: string; shape: number[] }[], format: RecordingContents['format']): RecordingContents => ({
    format,
    arrays,
    series: [],
    defaults: { activity: has(arrays, ['activity']), behaviour: has(arrays, ['behaviour', 'behavior']) },
  });
  switch (detectFormat(file.bytes)) {
    case 'npy':
      return { format: 'npy', arrays: [{ name: file.name, shape: readNpy(file.bytes, file.name).shape.slice() }], series: [], defaults: { activity: true, behaviour: false } };
    case 'npz':
      return named(Object.entries(await npzArrays(file)).map(([name, a]) => ({ name, shape: a.shape.slice() })), 'npz');
    case 'safetensors':
      return named(Object.entries(decodeSafetensors(file.bytes).arrays).map(([name, a]) => ({ name, shape: a.shape.slice() })), 'safetensors');
    case 'hdf5': {
      const { file: h, h5, close } = await openHdf5(file.bytes);
      try {
        const arrays = datasetList(h, h5);
        if (isNwb(h)) {
          const series = timeSeriesPaths(h, h5);
          return { format: 'nwb', arrays, series, defaults: { activity: h.get('/units') instanceof h5.Group, behaviour: behaviourSeries(series).length === 1 } };
        }
        // MATLAB variables and struct fields answer to their path with / (matlab.ts)
        return named(arrays, isMatlab73(file.bytes, h) ? 'matlab' : 'hdf5');
      } finally {
        close();
      }
    }
    default:
      throw new Error(`${file.name} is not a recording format this tool reads (.npz, .npy, .safetensors, or HDF5: NWB, MATLAB v7.3).`);
  }
}

/** The arrays of an .npz: each entry NAME.npy. */
async function npzArrays(file: RecordingFile): Promise<Record<string, NdArray>> {
  const out: Record<string, NdArray> = {};
  for (const e of zipEntries(file.bytes, file.name)) {
    if (!e.name.endsWith('.npy')) continue;
    const key = e.name.slice(0, -4);
    out[key] = readNpy(await zipRead(file.bytes, e, file.name), `${file.name}: ${key}`);
  }
  return out;
}

function loadNamed(name: string, what: string, arrays: Record<string, NdArray>, o: LoadOptions): Recording {
  const listing = () =>
    Object.entries(arrays)
      .map(([k, v]) => `${k} [${v.shape.join(' x ')}]`)
      .join(', ') || 'no arrays';
  const pick = (want: string | undefined, defaults: string[], role: string) => {
    const keys = want ? [want] : defaults;
    for (const k of keys) {
      const found = Object.hasOwn(arrays, k) ? arrays[k] : undefined;
      if (found) return found;
    }
    throw new Error(`${name}: ${what} has no array ${keys.join(' or ')} for the ${role}; it has ${listing()}. Choose with --${role} NAME.`);
  };
  const act = pick(o.activity, ['activity'], 'activity');
  const beh = pick(o.behaviour, ['behaviour', 'behavior'], 'behaviour');
  const rec = pair(act, beh, `${what} ${name}`);
  const cond = Object.hasOwn(arrays, 'condition') ? arrays.condition : undefined;
  if (cond && rec.trials !== undefined && cond.shape.length === 1 && cond.data.length === rec.trials && cond.data.every((c) => Number.isInteger(c) && c >= 0)) {
    rec.condition = Int32Array.from(cond.data);
  }
  return rec;
}

async function loadHdf5(file: RecordingFile, o: LoadOptions): Promise<Recording> {
  const { file: h, h5, close } = await openHdf5(file.bytes);
  try {
    if (isNwb(h)) {
      const r = nwbRecording(h, h5, { ...o, bin: o.bin ?? 0.045 });
      if (r.S < 1) throw new Error(`${file.name}: no time bin has both activity and behaviour (${r.description}).`);
      return { ...r, source: `NWB file ${file.name}: ${r.description}`, dropped: 0 };
    }
    const contents = () => `It contains:\n${describeTree(h, h5).join('\n')}`;
    if (isMatlab73(file.bytes, h)) {
      const get = (want: string | undefined, defaults: string[], role: string) => {
        for (const k of want ? [want] : defaults) {
          if (h.get('/' + k.split(/[./]/).join('/'))) return matlabVariable(h, h5, k);
        }
        throw new Error(`${file.name}: no MATLAB variable ${(want ? [want] : defaults).join(' or ')} for the ${role}; choose with --${role} NAME (struct fields as s.field). ${contents()}`);
      };
      return pair(get(o.activity, ['activity'], 'activity'), get(o.behaviour, ['behaviour', 'behavior'], 'behaviour'), `MATLAB v7.3 file ${file.name}`);
    }
    const get = (want: string | undefined, defaults: string[], role: string): NdArray => {
      for (const k of want ? [want] : defaults) {
        const ds = h.get(k.startsWith('/') ? k : `/${k}`);
        if (ds instanceof h5.Dataset) return readDataset(ds, k);
        if (ds instanceof h5.Group && ds.keys().includes('data')) {
          const data = ds.get('data');
          if (data instanceof h5.Dataset) return readDataset(data, `${k}/data`);
        }
      }
      throw new Error(`${file.name}: no dataset ${(want ? [want] : defaults).join(' or ')} for the ${role}; choose with --${role} PATH. ${contents()}`);
    };
    return pair(get(o.activity, ['activity'], 'activity'), get(o.behaviour, ['behaviour', 'behavior'], 'behaviour'), `HDF5 file ${file.name}`);
  } finally {
    close();
  }
}

/** Pools trials and time into samples, checks the two agree, and drops samples with NaN. */
function pair(act: NdArray, beh: NdArray, source: string): Recording {
  const a = samples(act, 'activity');
  // trials x time behaviour beside trials x time x neurons activity: one output
  const oneOutput = act.shape.length === 3 && beh.shape.length === 2 && beh.shape[0] === act.shape[0] && beh.shape[1] === act.shape[1];
  const b = oneOutput ? { S: beh.data.length, n: 1 } : samples(beh, 'behaviour');
  if (a.S !== b.S) {
    throw new Error(
      `${source}: the activity [${act.shape.join(' x ')}] has ${a.S} samples and the behaviour [${beh.shape.join(' x ')}] has ${b.S}; they must be of the same time points (time x neurons and time x outputs, or trials x time x ...).`,
    );
  }
  const keep: number[] = [];
  for (let s = 0; s < a.S; s++) {
    let ok = true;
    for (let j = 0; j < a.n; j++) ok &&= Number.isFinite(act.data[s * a.n + j] ?? 0);
    for (let j = 0; j < b.n; j++) ok &&= Number.isFinite(beh.data[s * b.n + j] ?? 0);
    if (ok) keep.push(s);
  }
  const activity = new Float64Array(keep.length * a.n);
  const behaviour = new Float64Array(keep.length * b.n);
  keep.forEach((s, i) => {
    activity.set(act.data.subarray(s * a.n, (s + 1) * a.n), i * a.n);
    behaviour.set(beh.data.subarray(s * b.n, (s + 1) * b.n), i * b.n);
  });
  const dropped = a.S - keep.length;
  const trials = act.shape.length === 3 && dropped === 0 && keep.length > 0 ? act.shape[0] : undefined;
  return { activity, behaviour, S: keep.length, N: a.n, d: b.n, source: `${source}: activity [${act.shape.join(' x ')}], behaviour [${beh.shape.join(' x ')}]`, dropped, ...(trials !== undefined ? { trials } : {}) };
}

/** Samples and values per sample of an array: the last axis is neurons (outputs), the others pool. */
function samples(x: NdArray, role: string): { S: number; n: number } {
  const r = x.shape.length;
  if (role === 'behaviour' && r === 1) return { S: (x.shape[0] ?? 0), n: 1 };
  if (r < 2 || r > 3) {
    throw new Error(`The ${role} has shape [${x.shape.join(' x ')}]; it must be time x ${role === 'activity' ? 'neurons' : 'outputs'} or trials x time x ${role === 'activity' ? 'neurons' : 'outputs'}.`);
  }
  const n = x.shape[r - 1] ?? 0;
  return { S: n > 0 ? x.data.length / n : 0, n };
}
