/**
 * One run on disk, the format shared by the CLI and the extension's run store:
 *
 *   <run folder>/
 *     spec.rnn.yaml          the spec file as it was when the run started
 *     run.json               the resolved run (defaults, variant and seed applied); a run
 *                            stopped early also has "stopped": { steps_done, steps_planned }
 *     metrics.json           the measures and timings (core/metrics.ts)
 *     weights.safetensors    W, W_in, W_out, h0 (final) and *_init (initial)
 *     trajectories.safetensors  noise-free evaluation run: states [T,B,N], outputs [T,B,dOut],
 *                            inputs, targets, mask, condition [B], and the training losses
 *     view.safetensors       what the 3D view draws (projection, conditions), with its JSON tree
 *     perturbation.safetensors  only when the perturbation experiment ran: the loss array
 *                            L[direction][amplitude][time] and its axes (core/analysis/perturbation/format.ts)
 *
 * Written atomically and durably: everything goes into a hidden temporary folder, each
 * file and then the folder are flushed to disk, and the folder is renamed into place
 * last, so a crash never leaves a half run that looks whole. An existing run folder is
 * never replaced. Temporary folders left by a crash are removed by the next write.
 */
import { hostname } from 'node:os';
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig } from '../core/types';
import type { RunResult } from '../core/train';
import type { Projection } from '../core/analysis';
import { encodeSafetensors, decodeSafetensors, type ArrayMap } from '../core/safetensors';
import { treeFromSafetensors, treeToSafetensors } from '../core/pack';
import { metricsJson, runMetrics, type RunMetrics } from '../core/metrics';
import { asRunConfig, runConfigProblems } from '../spec/run-config';
import type { Json } from '../spec/json';
import { isRealFolder, readRegularFile, syncFolder, writeFileDurably } from './files';
import { RunStoreError } from './paths';
import { Check } from '../protocol/check';
import { checkViewData } from '../protocol/view';
import { slug } from './names';
import { PERTURBATION_FILE, perturbationToSafetensors } from '../core/analysis/perturbation/format';

export const RUN_FILES = ['spec.rnn.yaml', 'run.json', 'metrics.json', 'weights.safetensors', 'trajectories.safetensors', 'view.safetensors'] as const;

/** The most a file of a run folder may hold when it is read back; far above what a run writes. */
export const READ_LIMITS = {
  json: 4 * 2 ** 20,
  view: 256 * 2 ** 20,
  /** weights and trajectories: N = 4096 weights, or [T, B, N] states of a long run */
  arrays: 2 * 2 ** 30,
} as const;

/** What the panel needs to show a stored run without training. */
export interface RunView {
  name: string;
  projection: Projection;
  condition: Int32Array;
  conditionLabels: string[];
  losses: Float32Array;
}

/** run.json: the run as configured, and for a run stopped early, how far it got. */
export interface StoredRunConfig extends RunConfig {
  stopped?: { steps_done: number; steps_planned: number };
}

export interface StoredRun {
  dir: string;
  run: StoredRunConfig;
  metrics: RunMetrics;
  view: RunView;
}

/** The temporary folder of a write: `.<run>.tmp~<pid>~<host>~<random>` ('~' never occurs in a run name or a slug). */
function tempName(name: string): string {
  return `.${name}.tmp~${process.pid}~${slug(hostname())}~${Math.random().toString(36).slice(2, 10)}`;
}

/** Temporary folders older than this are left over from a crash, whoever wrote them. */
const STALE_MS = 24 * 3600 * 1000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary folders of writes that cannot finish any more: from a process of
 * this machine that is gone, or older than a day (a shared file system may hold those of
 * other machines, whose processes cannot be asked).
 */
export async function removeStaleTemps(parent: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return removed;
  }
  const host = slug(hostname());
  for (const name of names) {
    const m = /^\..+\.tmp~(\d+)~([^~]+)~[0-9a-z]+$/.exec(name);
    if (m === null) continue;
    const p = join(parent, name);
    const st = await lstat(p).catch(() => undefined);
    if (st === undefined || !st.isDirectory()) continue;
    const dead = m[2] === host && !processAlive(Number(m[1]));
    if (dead || Date.now() - st.mtimeMs > STALE_MS) {
      await rm(p, { recursive: true, force: true });
      removed.push(p);
    }
  }
  return removed;
}

/** run.json's content: the run, marked when it was stopped before its last step. */
export function storedRunConfig(result: RunResult): StoredRunConfig {
  const planned = result.run.training.steps;
  if (!result.stopped) return result.run;
  return { ...result.run, stopped: { steps_done: result.losses.length, steps_planned: planned } };
}

function encodeWeights(result: RunResult): Uint8Array {
  const w = (x: RunResult['final'], suffix: string): ArrayMap => ({
    [`W${suffix}`]: { data: x.W, shape: [x.N, x.N] },
    [`W_out${suffix}`]: { data: x.W_out, shape: [x.dOut, x.N] },
    ...(x.dIn > 0 ? { [`W_in${suffix}`]: { data: x.W_in, shape: [x.N, x.dIn] } } : {}),
  });
  return encodeSafetensors({ ...w(result.final, ''), ...w(result.initial, '_init'), h0: { data: result.final.h0, shape: [result.final.N] } }, {
    layout: 'row-major; W acts as W @ tanh(x); W_in is N x d_in; W_out is d_out x N',
  });
}

function encodeTrajectories(result: RunResult): Uint8Array {
  const { trajectories: tr, condition } = result.evaluation;
  const evalBatch = result.evalBatch;
  const { T, B, N, dOut } = tr;
  return encodeSafetensors(
    {
      states: { data: tr.states, shape: [T, B, N] },
      outputs: { data: tr.outputs, shape: [T, B, dOut] },
      ...(evalBatch.dIn > 0 ? { inputs: { data: evalBatch.inputs, shape: [T, B, evalBatch.dIn] } } : {}),
      targets: { data: evalBatch.targets, shape: [T, B, dOut] },
      mask: { data: evalBatch.mask, shape: [T, B, dOut] },
      condition: { data: condition, shape: [B] },
      losses: { data: result.losses, shape: [result.losses.length] },
    },
    { layout: 'time-major [T, B, ...]; noise-free evaluation run from x0 = h0', dt: String(result.run.network.dt) },
  );
}

/** Writes the run into parent/name atomically and durably, never over an existing folder; returns the folder. */
export async function writeRunFolder(parent: string, name: string, result: RunResult, specText: string): Promise<string> {
  const dir = join(parent, name);
  await removeStaleTemps(parent);
  if (await lstat(dir).then(() => true, () => false)) {
    throw new RunStoreError(`${dir} exists already, and a run folder is never replaced; the result of ${name} was not written.`);
  }
  const tmp = join(parent, tempName(name));
  await mkdir(tmp);
  try {
    const { analysis, condition, conditionLabels } = result.evaluation;
    const view: RunView = { name: result.run.name, projection: analysis.projection, condition, conditionLabels: [...conditionLabels], losses: result.losses };
    const files: [string, string | Uint8Array][] = [
      ['spec.rnn.yaml', specText],
      ['run.json', JSON.stringify(storedRunConfig(result), null, 2) + '\n'],
      ['metrics.json', metricsJson(runMetrics(result)) + '\n'],
      ['weights.safetensors', encodeWeights(result)],
      ['trajectories.safetensors', encodeTrajectories(result)],
      ['view.safetensors', treeToSafetensors(view)],
      ...(result.evaluation.perturbation ? [[PERTURBATION_FILE, perturbationToSafetensors(result.evaluation.perturbation)] as [string, Uint8Array]] : []),
    ];
    await Promise.all(files.map(([f, data]) => writeFileDurably(join(tmp, f), data)));
    await syncFolder(tmp);
    try {
      await rename(tmp, dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // another writer got there first (a rename onto a folder with files fails)
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') throw new RunStoreError(`${dir} was written by someone else meanwhile; the result of ${name} was not written over it.`);
      throw e;
    }
    await syncFolder(parent);
    return dir;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Reads a run folder back, with an error that names the folder and the bad file. */
export async function readRunFolder(dir: string): Promise<StoredRun> {
  if (!(await isRealFolder(dir))) throw new RunStoreError(`${dir} is not a run folder (not a folder, or a link to one).`);
  const read = async (f: string, limit: number) => {
    try {
      return await readRegularFile(join(dir, f), limit);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new RunStoreError(`${dir} is not a complete run folder: ${f} is missing.`);
      throw new RunStoreError(`${dir} cannot be read: ${(e as Error).message}`);
    }
  };
  const parse = (f: string, bytes: Buffer): Json => {
    try {
      return JSON.parse(bytes.toString('utf8')) as Json;
    } catch (e) {
      throw new RunStoreError(`${join(dir, f)}: not valid JSON (${(e as Error).message}).`);
    }
  };
  const [runBytes, metricsBytes, viewBytes] = await Promise.all([read('run.json', READ_LIMITS.json), read('metrics.json', READ_LIMITS.json), read('view.safetensors', READ_LIMITS.view)]);
  const runValue = parse('run.json', runBytes);
  const runProblems = runConfigProblems(runValue);
  if (runProblems.length > 0) throw new RunStoreError(`${join(dir, 'run.json')} is not a run description: ${listed(runProblems)}.`);
  const run = asRunConfig(runValue) as StoredRunConfig;
  const metrics = parse('metrics.json', metricsBytes);
  const mc = new Check();
  checkMetrics(mc, metrics, run);
  mc.throwIfAny(join(dir, 'metrics.json'), RunStoreError);
  let view: unknown;
  try {
    view = treeFromSafetensors<unknown>(new Uint8Array(viewBytes.buffer, viewBytes.byteOffset, viewBytes.byteLength));
  } catch (e) {
    throw new RunStoreError(`${join(dir, 'view.safetensors')}: ${(e as Error).message}`);
  }
  const vc = new Check();
  checkView(vc, view, run);
  vc.throwIfAny(join(dir, 'view.safetensors'), RunStoreError);
  return { dir, run, metrics: metrics as unknown as RunMetrics, view: view as RunView };
}

function listed(problems: readonly string[]): string {
  return problems.length > 3 ? `${problems.slice(0, 3).join('; ')} and ${problems.length - 3} more problems` : problems.join('; ');
}

/** metrics.json: a flat record of the run's measures, as core/metrics.ts writes it. */
function checkMetrics(c: Check, x: unknown, run: RunConfig): void {
  const m = c.rec(x, 'the file');
  if (m === undefined) return;
  if (m.name !== run.name) c.fail('name', `is ${JSON.stringify(m.name)}, but run.json says ${JSON.stringify(run.name)}`);
  for (const [k, v] of Object.entries(m)) {
    const flat = v === null || ['number', 'string', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((e) => ['number', 'string'].includes(typeof e)));
    if (!flat) c.fail(k, 'is not a number, text or list of them');
  }
  if (typeof m.stopped !== 'boolean') c.fail('stopped', 'is not true or false');
}

/** view.safetensors: the view data (projection sized by the run's N, conditions, labels) and losses within the steps. */
function checkView(c: Check, x: unknown, run: RunConfig): void {
  const v = c.rec(x, 'the view');
  if (v === undefined) return;
  if (v.name !== run.name) c.fail('name', `is ${JSON.stringify(v.name)}, but run.json says ${JSON.stringify(run.name)}`);
  const losses = c.array(v.losses, Float32Array, 'losses');
  if (losses && losses.length > run.training.steps) c.fail('losses', `has ${losses.length} values for ${run.training.steps} steps`);
  checkViewData(c, v, '', run.network.N);
}

/** The arrays of a stored safetensors file (for scripts and tests), read as a regular file of bounded size. */
export async function readArrays(file: string): Promise<ArrayMap> {
  const b = await readRegularFile(file, READ_LIMITS.arrays);
  return decodeSafetensors(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).arrays;
}
