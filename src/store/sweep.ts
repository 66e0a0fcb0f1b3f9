/**
 * The sweep folder of a spec: `<out>/<spec-name>/`, with one run folder per run id,
 *
 *   <out>/<spec-name>/
 *     <spec file>.rnn.yaml     the spec the runs come from (what plan, collect and Slurm tasks read)
 *     <run-id>/                a run folder (runFolder.ts), written atomically
 *     <run-id>.failed.json     why the last attempt at a run failed (gone once it succeeds)
 *     .stopped/<run-id>~<time> a run that was stopped early, set aside when it is trained again
 *     slurm/                   batch scripts and per-task logs of `rnnlab submit --slurm`
 *
 * Unlike a session folder (`<spec>-<timestamp>`, new for every `rnnlab train`), this path
 * depends only on --out and the spec's name, so every process that trains some of the
 * runs (a shard, a Slurm array task, a resumed session, on any machine of a shared file
 * system) writes to the same place, and complete runs are found and skipped. Two writers
 * never share a run: shards and array tasks are disjoint, and a run folder only appears
 * by an atomic rename.
 */
import { hostname } from 'node:os';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunMetrics } from '../core/metrics';
import type { RunConfig } from '../core/types';
import { READ_LIMITS, RUN_FILES } from './runFolder';
import { readRegularFile, visibleFolders } from './files';
import { specFileStem } from './names';

export const FAILED_SUFFIX = '.failed.json';

/** The sweep folder of a spec under an output folder. */
export function sweepDir(out: string, specName: string): string {
  return join(out, specName);
}

/**
 * Where the sweep folder keeps the spec its runs come from: under the spec file's own
 * name, since the store's name of a spec depends on it (store/names.ts specName), so the
 * copy names the same sweep folder as the original.
 */
export function sweepSpecFile(dir: string, specFile: string): string {
  return join(dir, `${specFileStem(specFile) || 'spec'}.rnn.yaml`);
}

/** Why the last attempt at a run failed, as `<run-id>.failed.json` records it. */
export interface FailureRecord {
  name: string;
  message: string;
  step?: number;
  host: string;
  at: string;
  /** `<job>_<task>` when it ran as a Slurm array task */
  slurm?: string;
}

export type RunStatus =
  | { kind: 'missing'; failure?: FailureRecord }
  | { kind: 'complete'; run: RunConfig; metrics: RunMetrics }
  /** stopped before its last step: `--resume` trains it again */
  | { kind: 'stopped'; stepsDone: number }
  /** trained from another configuration of the same name: never mixed into this sweep */
  | { kind: 'different'; differences: string[] }
  | { kind: 'unreadable'; reason: string };

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** A small JSON file of the store, read as a regular file of bounded size (a folder may be damaged or planted). */
export async function readJson(file: string): Promise<unknown> {
  return JSON.parse((await readRegularFile(file, READ_LIMITS.json)).toString('utf8')) as unknown;
}

/** What a run's configuration is compared on: everything but how the panel shows it. */
function comparable(run: RunConfig): Record<string, unknown> {
  const { view: _v, stopped: _s, ...rest } = run as RunConfig & { stopped?: unknown };
  return rest;
}

/** One leaf in which a stored run's configuration differs from the planned one. */
export interface ConfigDifference {
  path: string;
  stored: unknown;
  planned: unknown;
}

export function differenceText(d: ConfigDifference): string {
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
  return `${d.path}: ${show(d.stored)} in the folder, ${show(d.planned)} now`;
}

/** Every leaf that differs, by path (lists compared whole). */
export function configDifferences(stored: unknown, planned: unknown, path = ''): ConfigDifference[] {
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isRecord(stored) && isRecord(planned)) {
    const keys = [...new Set([...Object.keys(planned), ...Object.keys(stored)])];
    return keys.flatMap((k) => configDifferences(Object.hasOwn(stored, k) ? stored[k] : undefined, Object.hasOwn(planned, k) ? planned[k] : undefined, path ? `${path}.${k}` : k));
  }
  return JSON.stringify(stored) === JSON.stringify(planned) ? [] : [{ path, stored, planned }];
}

/**
 * Whether a difference makes the stored run another run: anything that changes training
 * does. What is measured afterwards (evaluation, analysis, view), and a field the folder
 * lacks because an older version of the lab wrote it, only changes which measures the
 * run has: it still counts as this run.
 */
export function changesTraining(d: ConfigDifference): boolean {
  if (d.stored === undefined) return false;
  const head = d.path.split('.')[0];
  return head !== 'evaluation' && head !== 'analysis' && head !== 'view';
}

/** The state of one run in a sweep folder. */
export async function runStatus(dir: string, run: RunConfig): Promise<RunStatus> {
  const folder = join(dir, run.name);
  if (!(await exists(folder))) {
    const failure = await readFailure(dir, run.name);
    return failure !== undefined ? { kind: 'missing', failure } : { kind: 'missing' };
  }
  for (const f of RUN_FILES) {
    if (!(await exists(join(folder, f)))) return { kind: 'unreadable', reason: `${f} is missing` };
  }
  let stored: RunConfig & { stopped?: { steps_done?: number } };
  let metrics: RunMetrics;
  try {
    stored = (await readJson(join(folder, 'run.json'))) as typeof stored;
    metrics = (await readJson(join(folder, 'metrics.json'))) as RunMetrics;
  } catch (e) {
    return { kind: 'unreadable', reason: (e as Error).message };
  }
  const differences = configDifferences(comparable(stored), comparable(run)).filter(changesTraining).map(differenceText);
  if (differences.length > 0) return { kind: 'different', differences };
  if (metrics.stopped || stored.stopped !== undefined) return { kind: 'stopped', stepsDone: metrics.steps };
  return { kind: 'complete', run: stored, metrics };
}

/** Creates the sweep folder and (over an older copy) the spec its runs come from. */
export async function prepareSweepDir(dir: string, specFile: string, specText: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomically(sweepSpecFile(dir, specFile), specText);
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp~${process.pid}~${Math.random().toString(36).slice(2, 10)}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Records why a run failed, next to where its folder would be. */
export async function recordFailure(dir: string, name: string, message: string, step?: number): Promise<void> {
  const job = process.env.SLURM_ARRAY_JOB_ID;
  const task = process.env.SLURM_ARRAY_TASK_ID;
  const record: FailureRecord = {
    name,
    message,
    ...(step !== undefined ? { step } : {}),
    host: hostname(),
    at: new Date().toISOString(),
    ...(job !== undefined && task !== undefined ? { slurm: `${job}_${task}` } : {}),
  };
  await writeAtomically(join(dir, `${name}${FAILED_SUFFIX}`), JSON.stringify(record, null, 2) + '\n');
}

export async function clearFailure(dir: string, name: string): Promise<void> {
  await rm(join(dir, `${name}${FAILED_SUFFIX}`), { force: true });
}

async function readFailure(dir: string, name: string): Promise<FailureRecord | undefined> {
  try {
    const r = (await readJson(join(dir, `${name}${FAILED_SUFFIX}`))) as FailureRecord;
    return typeof r?.message === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Moves a stopped run out of the way (keeping it) so the run can be written again. */
export async function setAside(dir: string, name: string): Promise<string> {
  const shelf = join(dir, '.stopped');
  await mkdir(shelf, { recursive: true });
  const to = join(shelf, `${name}~${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await rename(join(dir, name), to);
  return to;
}

/** The run folders directly in a folder (visible folders, not links, that hold a run.json). */
export async function runFolderNames(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await visibleFolders(dir)) if (await exists(join(dir, name, 'run.json'))) out.push(name);
  return out.sort();
}
