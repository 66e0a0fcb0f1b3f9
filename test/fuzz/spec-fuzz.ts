/**
 * The spec fuzzer: mutated examples through the whole spec path (parse, validate,
 * resolve, expand; hover and completion) and, for every spec it accepts, the training
 * set-up and the run store. The invariants, for every input:
 *   1. no exception escapes (and no check fails inside loadSpec: no internal-error);
 *   2. no input takes more than a second of CPU time in the spec layer;
 *   3. every rejected spec has at least one error, and every diagnostic lies in the text;
 *   4. an accepted spec does not fail later: its runs have safe names, pass the stored-run
 *      check (run.json), and start training (core/train.ts up to its first event) without
 *      leaking a tensor; every 25th is also written to a run folder and read back.
 * A failure names the seed and the input's index, so `npm run fuzz -- --seed S --only I`
 * replays it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { toEnvelope } from '../../src/core/pack';
import { makeRng } from '../../src/core/rng';
import { train } from '../../src/core/train';
import type { RunConfig } from '../../src/core/types';
import { completionsAtOrThrow, hoverAtOrThrow } from '../../src/spec/assist';
import type { Diagnostic } from '../../src/spec/diagnostics';
import { loadSpec, type LoadedSpec } from '../../src/spec/resolve';
import { runConfigProblems } from '../../src/spec/run-config';
import type { Json } from '../../src/spec/json';
import { isSafeSegment, sessionFolderName } from '../../src/store/names';
import { decodeRunResult } from '../../src/store/result';
import { readRunFolder, writeRunFolder } from '../../src/store/runFolder';
import { fakeResult } from '../unit/helpers/run-result';
import { mutate } from './mutate';

const ROOT = resolve(__dirname, '../..');

/** Every example spec, the fuzzer's starting points. */
export function seedSpecs(): { file: string; text: string }[] {
  const dir = join(ROOT, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rnn.yaml'))
    .sort()
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));
}

/** The spec layer may take this much CPU time per input (invariant 2). */
const CPU_BUDGET_MS = 1000;

export interface FuzzInput {
  index: number;
  from: string;
  applied: string[];
  text: string;
}

export interface FuzzFailure {
  input: FuzzInput;
  invariant: string;
  detail: string;
}

export interface FuzzStats {
  inputs: number;
  accepted: number;
  rejected: number;
  trainingSetUps: number;
  stored: number;
  slowestMs: number;
  /** CPU time in the spec layer and in the later checks (training set-up, store) */
  specMs: number;
  laterMs: number;
  failures: FuzzFailure[];
}

/** Input `index` of the batch with this seed: the same every time. */
export function fuzzInput(seed: number, index: number, seeds = seedSpecs()): FuzzInput {
  const rng = makeRng(seed * 1_000_003 + index, 'fuzz');
  const from = seeds[rng.int(seeds.length)];
  if (from === undefined) throw new Error('no example specs to start from');
  const { text, applied } = mutate(from.text, rng);
  return { index, from: from.file, applied, text };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function inText(text: string, d: Diagnostic): boolean {
  const lines = text.split(/\r\n|\r|\n|\u2028|\u2029/);
  const ok = (line: number, column: number) => Number.isInteger(line) && Number.isInteger(column) && line >= 0 && column >= 0 && line <= lines.length;
  return ok(d.line, d.column) && ok(d.endLine, d.endColumn) && (d.endLine > d.line || (d.endLine === d.line && d.endColumn >= d.column)) && d.message.trim() !== '';
}

/** The first event of training (after task checks, weights, network and batches are made), then stop. */
async function startTraining(run: RunConfig): Promise<void> {
  const before = tf.memory().numTensors;
  const events = train({ ...run, training: { ...run.training, steps: 1 } });
  try {
    const first = await events.next();
    if (first.done === true || first.value.type !== 'start') throw new Error('training did not start with a start event');
  } finally {
    await events.return(undefined as never);
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`the training set-up leaked ${leaked} tensors`);
}

/** Runs one input through every invariant; returns the failures (none when it holds). */
export async function checkInput(input: FuzzInput, stats: FuzzStats, storeDir: string): Promise<FuzzFailure[]> {
  const fail = failureOf(input);
  const { text } = input;
  const started = process.cpuUsage();
  let loaded: LoadedSpec;
  try {
    loaded = loadSpec(text, 'fuzz.rnn.yaml');
    const rng = makeRng(input.index, 'offsets');
    for (let k = 0; k < 3; k++) {
      const offset = rng.int(text.length + 1);
      hoverAtOrThrow(text, offset);
      completionsAtOrThrow(text, offset);
    }
  } catch (e) {
    return [fail('no exception escapes', (e as Error).stack ?? String(e))];
  }
  const ms = cpuMs(started);
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  stats.specMs += ms;
  const out = specChecks(input, loaded, ms);
  if (loaded.runs.length === 0) {
    stats.rejected++;
    return out;
  }
  stats.accepted++;
  const later = process.cpuUsage();
  out.push(...(await acceptedChecks(input, loaded, stats, storeDir)));
  stats.laterMs += cpuMs(later);
  return out;
}

function failureOf(input: FuzzInput): (invariant: string, detail: string) => FuzzFailure {
  return (invariant, detail) => ({ input, invariant, detail });
}

/** Invariants 1-3: what the spec layer said about the input, and how long it took. */
function specChecks(input: FuzzInput, loaded: LoadedSpec, ms: number): FuzzFailure[] {
  const fail = failureOf(input);
  const out: FuzzFailure[] = [];
  if (ms > CPU_BUDGET_MS) out.push(fail('no input takes more than a second', `${Math.round(ms)} ms of CPU time in the spec layer`));
  const internal = loaded.diagnostics.find((d) => d.code === 'internal-error');
  if (internal !== undefined) out.push(fail('no exception escapes', internal.message));
  const bad = loaded.diagnostics.find((d) => !inText(input.text, d));
  if (bad !== undefined) out.push(fail('every diagnostic is positioned in the text', JSON.stringify(bad)));
  if (loaded.runs.length === 0 && !loaded.diagnostics.some((d) => d.severity === 'error')) {
    out.push(fail('a rejected spec has a positioned error', `no error among ${loaded.diagnostics.length} diagnostics and no runs`));
  }
  return out;
}

/** Invariant 4: an accepted spec's runs are named safely, pass the stored-run check, start training, and store. */
async function acceptedChecks(input: FuzzInput, loaded: LoadedSpec, stats: FuzzStats, storeDir: string): Promise<FuzzFailure[]> {
  const fail = failureOf(input);
  const out: FuzzFailure[] = [];
  if (!isSafeSegment(sessionFolderName(loaded.name, new Date()))) out.push(fail('names are safe', `session folder of ${JSON.stringify(loaded.name)}`));
  // the first and the last run: a sweep or many seeds would otherwise dominate the time
  const runs = [...new Set([loaded.runs[0], loaded.runs[loaded.runs.length - 1]])].filter((r): r is RunConfig => r !== undefined);
  for (const run of runs) {
    if (!isSafeSegment(run.name)) out.push(fail('names are safe', `run name ${JSON.stringify(run.name)}`));
    const problems = runConfigProblems(JSON.parse(JSON.stringify(run)) as Json);
    if (problems.length > 0) out.push(fail('an accepted run passes the stored-run check', problems.join('; ')));
    try {
      await startTraining(run);
      stats.trainingSetUps++;
    } catch (e) {
      out.push(fail('an accepted spec does not fail in training set-up', (e as Error).stack ?? String(e)));
    }
  }
  const first = runs[0];
  if (first !== undefined && stats.accepted % 25 === 1) {
    try {
      const dir = await writeRunFolder(storeDir, `${first.name}-${input.index}`.slice(0, 100), decodeRunResult(toEnvelope(fakeResult(first)), first), input.text);
      const back = await readRunFolder(dir);
      if (back.run.network.N !== first.network.N) throw new Error('the run read back differs');
      rmSync(dir, { recursive: true, force: true });
      stats.stored++;
    } catch (e) {
      out.push(fail('an accepted run is stored and read back', (e as Error).stack ?? String(e)));
    }
  }
  return out;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** only this input of the batch (replay) */
  only?: number;
  /** called every few hundred inputs */
  progress?: (done: number, stats: FuzzStats) => void;
}

/** A batch of inputs; stops collecting after 20 failures. */
export async function fuzzSpecs(o: FuzzOptions): Promise<FuzzStats> {
  await tf.setBackend('cpu');
  const seeds = seedSpecs();
  const stats: FuzzStats = { inputs: 0, accepted: 0, rejected: 0, trainingSetUps: 0, stored: 0, slowestMs: 0, specMs: 0, laterMs: 0, failures: [] };
  const storeDir = mkdtempSync(join(tmpdir(), 'rnnlab-fuzz-'));
  try {
    const indices = o.only !== undefined ? [o.only] : Array.from({ length: o.count }, (_, i) => i);
    for (const index of indices) {
      const input = fuzzInput(o.seed, index, seeds);
      stats.failures.push(...(await checkInput(input, stats, storeDir)));
      stats.inputs++;
      if (stats.failures.length >= 20) break;
      if (stats.inputs % 500 === 0) o.progress?.(stats.inputs, stats);
    }
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
  return stats;
}

/** A failure as a replay log: what broke, how to run it again, and the input itself. */
export function describeFailure(seed: number, f: FuzzFailure): string {
  return [
    `invariant: ${f.invariant}`,
    `input ${f.input.index} of seed ${seed} (from ${f.input.from}; ${f.input.applied.join(', ')}); replay: npm run fuzz -- --seed ${seed} --only ${f.input.index}`,
    f.detail,
    '--- input ---',
    f.input.text.length > 4000 ? `${f.input.text.slice(0, 4000)}\n… (${f.input.text.length} characters)` : f.input.text,
    '---',
  ].join('\n');
}
