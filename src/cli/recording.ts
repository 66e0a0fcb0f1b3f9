/**
 * `rnnlab recording FILE` (where does a recorded population sit between aligned and
 * oblique, docs/science.md §4.9) and `rnnlab export RUN --as recording FILE.npz` (a
 * trained network in the same format, to check the analysis on a known regime).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { listRecording, loadRecording, type LoadOptions, type RecordingFile } from '../core/recording/load';
import { analyseRecording, type RecordingAnalysis } from '../core/recording/analyse';
import { networkRecordingNpz } from '../core/recording/export';
import { makeRng } from '../core/rng';
import { metricsJson } from '../core/metrics';
import { readArrays, readRunFolder } from '../store/runFolder';
import { cliBackend } from './backend';
import { ProgressView } from './progress';
import { at } from '../core/checked';
import { UsageError } from './args';
import { recordingViewJson, type RecordingChildMessage, type RecordingPhase } from '../protocol/recording';

export class RecordingUsageError extends Error {}

/** `rnnlab recording ARGS` with its usage errors as the CLI's (exit code 2): what main.ts and dist/cli-recording.js run. */
export async function recordingMain(args: string[]): Promise<number> {
  try {
    return await recordingCommand(args);
  } catch (e) {
    if (e instanceof RecordingUsageError) throw new UsageError(e.message);
    throw e;
  }
}

/** Recordings larger than this are refused unread (the analysis holds a few copies in memory). */
const MAX_RECORDING = 2 * 2 ** 30;

async function readInput(path: string): Promise<RecordingFile> {
  try {
    const b = await readFile(path);
    if (b.length > MAX_RECORDING) throw new RecordingUsageError(`${path} is ${Math.round(b.length / 2 ** 20)} MiB; recordings up to 2 GiB are read.`);
    return { name: basename(path), bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
  } catch (e) {
    if (e instanceof RecordingUsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new RecordingUsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message}`);
  }
}

const seconds = (flag: string, v: string): number => {
  const x = Number(v);
  if (!Number.isFinite(x)) throw new RecordingUsageError(`${flag} takes a number of seconds, not "${v}".`);
  return x;
};

export async function recordingCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      activity: { type: 'string' },
      behaviour: { type: 'string' },
      behavior: { type: 'string' },
      json: { type: 'boolean', default: false },
      bin: { type: 'string' },
      smooth: { type: 'string' },
      lag: { type: 'string' },
      trials: { type: 'boolean', default: false },
      window: { type: 'string' },
      align: { type: 'string' },
      draws: { type: 'string' },
      seed: { type: 'string' },
      view: { type: 'string' },
      list: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new RecordingUsageError('recording takes exactly one FILE (.npz, .npy, .safetensors, .nwb, .mat v7.3 or another HDF5 file).');
  const path = at(positionals, 0);
  const file = await readInput(path);
  if (values.list) {
    let contents;
    try {
      contents = await listRecording(file);
    } catch (e) {
      throw new RecordingUsageError((e as Error).message);
    }
    process.stdout.write(JSON.stringify(contents) + '\n');
    return 0;
  }
  const behaviour = values.behaviour ?? values.behavior;
  const opts: LoadOptions = {
    ...(values.activity !== undefined ? { activity: values.activity } : {}),
    ...(behaviour !== undefined ? { behaviour } : {}),
    ...(values.bin !== undefined ? { bin: seconds('--bin', values.bin) } : {}),
    ...(values.smooth !== undefined ? { smooth: seconds('--smooth', values.smooth) } : {}),
    ...(values.lag !== undefined ? { lag: seconds('--lag', values.lag) } : {}),
    ...(values.trials ? { trials: true } : {}),
    ...(values.align !== undefined ? { align: values.align } : {}),
  };
  if (values.window !== undefined) {
    const w = values.window.split(',').map(Number);
    const [start, end] = w;
    if (w.length !== 2 || start === undefined || end === undefined || !w.every(Number.isFinite) || !(end > start)) throw new RecordingUsageError(`--window takes START,END in seconds around the event, e.g. -0.7,0.785; not "${values.window}".`);
    opts.window = [start, end];
  }
  if (/\.npy$/i.test(path) && behaviour !== undefined) {
    opts.behaviourFile = await readInput(behaviour);
    delete opts.behaviour;
  }
  const draws = values.draws !== undefined ? Number(values.draws) : 20;
  if (!Number.isInteger(draws) || draws < 1) throw new RecordingUsageError(`--draws takes a positive whole number, not "${values.draws}".`);
  const seed = values.seed !== undefined ? Number(values.seed) : 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RecordingUsageError(`--seed takes a whole number, not "${values.seed}".`);

  if (values.view !== undefined && !/\.json$/i.test(values.view)) throw new RecordingUsageError(`--view writes JSON; name the file FILE.json, not ${values.view}.`);
  // Forked by the extension (a recordings panel): progress goes to it over the IPC channel.
  const tell = (phase: RecordingPhase, done: number, total: number) => {
    if (process.send) process.send({ type: 'progress', phase, done, total } satisfies RecordingChildMessage);
  };
  tell('reading', 0, 1);
  let rec;
  try {
    rec = await loadRecording(file, opts);
  } catch (e) {
    throw new RecordingUsageError((e as Error).message);
  }
  await cliBackend();
  const progress = new ProgressView(process.stderr);
  progress.log(`${rec.source}; ${rec.S} samples${rec.dropped ? ` (${rec.dropped} with NaN dropped)` : ''}, ${rec.N} neurons, ${rec.d} output${rec.d > 1 ? 's' : ''}.`);
  const started = Date.now();
  tell('analysing', 0, 1);
  const r = await analyseRecording(rec.activity, rec.behaviour, rec.S, rec.N, rec.d, {
    rng: makeRng(seed, 'subsample'),
    draws,
    onProgress: (done, total) => {
      tell('subsampling', done, total);
      progress.update({ name: 'subsampling', step: done, steps: total, loss: NaN, rate: 0, startedAt: started, phase: 'refits of the decoder' });
    },
    ...(values.view !== undefined ? { view: { ...(rec.trials !== undefined ? { trials: rec.trials } : {}), ...(rec.condition ? { condition: rec.condition } : {}) } } : {}),
  });
  progress.finish('subsampling');
  if (values.view !== undefined && r.view) {
    try {
      await writeFile(values.view, recordingViewJson(r.view));
    } catch (e) {
      throw new RecordingUsageError(`cannot write the view to ${values.view}: ${(e as Error).message}`);
    }
  }
  if (values.json) {
    const { w_out: _w, view: _v, ...rest } = r;
    process.stdout.write(metricsJson({ file: path, source: rec.source, dropped: rec.dropped, ...rest }, 0) + '\n');
  } else {
    process.stdout.write(recordingReport(path, r));
  }
  return 0;
}

/** The human-readable result, with the paper's values of its datasets for orientation. */
export function recordingReport(path: string, r: RecordingAnalysis): string {
  const f = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
  const lines = [
    `${path}: ${r.samples} samples, ${r.N} neurons, ${r.outputs} output${r.outputs > 1 ? 's' : ''}`,
    `decoder          ridge, alpha ${r.alpha.toPrecision(2)} (leave-one-out over 1e-3..1e6), R^2 ${f(r.r2, 3)}`,
    `rho              ${f(r.rho, 3)}    rho*sqrt(N) ${f(r.rho_sqrtN, 2)}`,
    `D_var (90 %)     ${r.d_var}`,
    `D_fit (0.9 R^2)  ${r.d_fit ?? '-'}    relative fitting dimension D_fit/D_var ${f(r.rel_fit_dim, 2)}`,
    `participation ratio ${f(r.participation_ratio, 2)}`,
    '',
    `neurons kept   rho*sqrt(n) mean ± sd (${r.subsample[0]?.draws ?? 0} draws)`,
    ...r.subsample.map((p) => `${String(p.n).padStart(12)}   ${p.mean.toFixed(3)} ± ${p.sd.toFixed(3)}`),
    `log-log slope ${f(r.subsample_slope, 2)}  (about 0: oblique-like; 1/4 and more: aligned-like)`,
    '',
    'The paper (docs/science.md §4.9): rho about 0.04-0.07 and relative fitting dimension about 0.75 for motor cortex during cycling (oblique-like,',
    'flat rho*sqrt(N)); rho about 0.14 and 0.45-0.5 for NLB maze/RTT; 0.17-0.23 and 0.03-0.35 for BCI (rho*sqrt(N) growing about like N^(1/4)).',
    '',
  ];
  return lines.join('\n');
}

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { as: { type: 'string' } } });
  if (positionals.length !== 2 || values.as !== 'recording') throw new RecordingUsageError('export takes RUN --as recording FILE.npz (a run folder and the file to write).');
  const [runDir, out] = positionals as [string, string];
  if (!/\.npz$/i.test(out)) throw new RecordingUsageError(`export --as recording writes an .npz file; name it FILE.npz, not ${out}.`);
  const stored = await readRunFolder(runDir);
  const t = await readArrays(join(runDir, 'trajectories.safetensors'));
  const w = await readArrays(join(runDir, 'weights.safetensors'));
  const states = t.states;
  const outputs = t.outputs;
  if (!states || !outputs || !(states.data instanceof Float32Array) || !(outputs.data instanceof Float32Array)) throw new Error(`${runDir}: trajectories.safetensors has no states and outputs.`);
  const [T, B, N] = states.shape as [number, number, number];
  const dOut = outputs.shape[2] ?? 0;
  const wOut = w.W_out?.data;
  if (!(wOut instanceof Float32Array)) throw new Error(`${runDir}: weights.safetensors has no W_out.`);
  const condition = t.condition?.data instanceof Int32Array ? t.condition.data : new Int32Array(B);
  const dt = stored.run.network.dt;
  const bytes = networkRecordingNpz({ states: states.data, outputs: outputs.data, T, B, N, dOut, kMin: Math.round(stored.run.evaluation.t_min / dt), dt, wOut, condition });
  await writeFile(out, bytes);
  process.stderr.write(`${out}: ${stored.run.name} (${stored.run.variant}), activity [${B} trials x ${T - Math.min(Math.round(stored.run.evaluation.t_min / dt), T - 1)} time points x ${N}], behaviour = the network's ${dOut} output${dOut > 1 ? 's' : ''}, t >= ${stored.run.evaluation.t_min}.\n`);
  return 0;
}
