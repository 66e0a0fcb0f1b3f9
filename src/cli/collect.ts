/**
 * `rnnlab collect DIR...`: the run folders of one spec, wherever they were trained (in
 * one session, by shards, by Slurm array tasks, on several machines into several
 * folders), merged into the table with the dissimilarity across seeds, the scaling fit
 * of an N sweep and a CSV, with every run the spec has but no folder holds reported by
 * id: missing, failed (and why) or stopped early.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { metricsJson, type RunMetrics } from '../core/metrics';
import type { RunConfig } from '../core/types';
import { loadSpec } from '../spec/resolve';
import { changesTraining, configDifferences, differenceText, FAILED_SUFFIX, readJson as readStoreJson, runFolderNames, type ConfigDifference, type FailureRecord } from '../store/sweep';
import { RUN_FILES } from '../store/runFolder';
import { UsageError } from './args';
import { runRecord } from './records';
import { scalingLines, rhoScaling } from './scaling';
import { groupRuns, meanSd, rowLabel, summaryTable, type TableRun } from './table';
import { DISSIMILARITY_FILE, dissimilarityBeside, incomparableNotes, withinForTable, type ComparedRun } from './dissimilarity';
import type { DissimilarityResult } from '../core/analysis/dissimilarity-matrix';
import { ProgressView, shown } from './progress';
import { replaceFileDurably } from '../store/sessionFile';

export const COLLECT_HELP = `  rnnlab collect DIR... [--json] [--csv FILE] [--spec SPEC]
      Merge the run folders of one spec (a sweep folder DIR/<spec-name>/ or a session
      folder; several DIRs are merged) into the table and a CSV (default
      <first DIR>/<spec-name>.csv; the dissimilarity across seeds, docs/science.md §4.7,
      beside it), and report every run of the spec that no folder holds:
      missing, failed (with the reason) or stopped. --json prints one line per run, the
      object train --json prints, then summary lines with a "kind" key. Exit code 1 while
      runs are missing or failed.`;

/** A complete run found in a folder. */
interface Found {
  run: RunConfig;
  metrics: RunMetrics;
  folder: string;
  /** how its configuration differs from the spec's (trained with --steps, an older spec or version) */
  differences: ConfigDifference[];
}

export interface Collected {
  specName: string;
  expected: RunConfig[];
  found: Found[];
  missing: RunConfig[];
  failed: { run: RunConfig; failure: FailureRecord }[];
  stopped: { run: RunConfig; folder: string; steps: number }[];
  /** run folders whose name the spec does not have */
  extra: string[];
  /** runs held by more than one of the folders; the first is used */
  duplicates: string[];
}

async function readJson<T>(file: string): Promise<T> {
  return (await readStoreJson(file)) as T;
}

async function hasAll(folder: string): Promise<boolean> {
  const names = new Set(await readdir(folder).catch(() => [] as string[]));
  return RUN_FILES.every((f) => names.has(f));
}

/** The spec of the runs in dir: the sweep folder's copy, else the one a run folder keeps. */
async function findSpec(dir: string): Promise<{ text: string; file: string } | undefined> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.rnn.yaml')).sort();
  // the copy that submit and train --resume keep here; its store name is the folder's
  for (const f of files) {
    const file = join(dir, f);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined && (files.length === 1 || loadSpec(text, file).name === basename(dir))) return { text, file };
  }
  for (const name of await runFolderNames(dir)) {
    const file = join(dir, name, 'spec.rnn.yaml');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return { text, file };
  }
  return undefined;
}

/** A store or output folder holds spec folders, not runs: say which ones to collect instead. */
async function notARunFolder(dir: string): Promise<string> {
  const inside: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory() && !e.name.startsWith('.') && (await runFolderNames(join(dir, e.name))).length > 0) inside.push(e.name);
  }
  if (inside.length === 0) return `${dir} holds no run folders and no spec.`;
  return `${dir} holds the folders of ${inside.length} spec${inside.length === 1 ? '' : 's'} or sessions, not runs: collect one of them, e.g. rnnlab collect ${join(dir, inside[0] ?? '')} (${inside.slice(0, 5).join(', ')}${inside.length > 5 ? ', …' : ''}).`;
}

export async function collect(dirs: readonly string[], specFile?: string): Promise<Collected> {
  let spec: { text: string; file: string } | undefined;
  if (specFile !== undefined) spec = { text: await readFile(specFile, 'utf8'), file: specFile };
  for (const d of dirs) spec ??= await findSpec(d);
  if (spec === undefined) throw new UsageError(await notARunFolder(dirs[0] ?? '.'));
  const loaded = loadSpec(spec.text, spec.file);
  if (loaded.runs.length === 0) {
    const first = loaded.diagnostics.find((d) => d.severity === 'error');
    throw new UsageError(`the spec ${spec.file} has errors${first ? ` (line ${first.line + 1}: ${first.message})` : ''}; pass the spec of these runs with --spec.`);
  }
  const c: Collected = { specName: loaded.name, expected: loaded.runs, found: [], missing: [], failed: [], stopped: [], extra: [], duplicates: [] };
  const names = new Set(loaded.runs.map((r) => r.name));
  const byName = new Map<string, { folder: string }[]>();
  for (const d of dirs) {
    for (const name of await runFolderNames(d)) {
      if (!names.has(name)) c.extra.push(join(d, name));
      else byName.set(name, [...(byName.get(name) ?? []), { folder: join(d, name) }]);
    }
  }
  for (const run of loaded.runs) {
    const folders = byName.get(run.name) ?? [];
    let used = false;
    for (const { folder } of folders) {
      if (!(await hasAll(folder))) continue;
      let stored: RunConfig & { stopped?: unknown };
      let metrics: RunMetrics;
      try {
        stored = await readJson(join(folder, 'run.json'));
        metrics = await readJson(join(folder, 'metrics.json'));
      } catch {
        continue;
      }
      if (metrics.stopped || stored.stopped !== undefined) {
        c.stopped.push({ run, folder, steps: metrics.steps });
        used = true;
        break;
      }
      const { view: _a, ...s } = stored;
      const { view: _b, ...p } = run;
      c.found.push({ run: stored, metrics, folder, differences: configDifferences(s, p).filter((d) => d.path !== 'stopped') });
      used = true;
      break;
    }
    if (folders.length > 1) c.duplicates.push(run.name);
    if (used) continue;
    let failure: FailureRecord | undefined;
    for (const d of dirs) failure ??= await readJson<FailureRecord>(join(d, `${run.name}${FAILED_SUFFIX}`)).catch(() => undefined);
    if (failure !== undefined && typeof failure.message === 'string') c.failed.push({ run, failure });
    else c.missing.push(run);
  }
  return c;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : typeof v === 'number' && !Number.isFinite(v) ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per complete run: id, variant, seed, the swept coordinates, then every measure of metrics.json. */
export function csvText(found: readonly Found[]): string {
  const coordinateKeys = [...new Set(found.flatMap((f) => Object.keys(f.run.coordinates ?? {})))];
  const metricKeys = [...new Set(found.flatMap((f) => Object.keys(f.metrics)))].filter((k) => !['name', 'variant', 'seed'].includes(k));
  const head = ['id', 'variant', 'seed', ...coordinateKeys, ...metricKeys, 'folder'];
  const rows = found.map((f) => {
    const m = f.metrics as unknown as Record<string, unknown>;
    return [f.run.name, f.run.variant, f.metrics.seed, ...coordinateKeys.map((k) => f.run.coordinates?.[k]), ...metricKeys.map((k) => m[k]), f.folder];
  });
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export function tableRuns(found: readonly Found[]): TableRun[] {
  return found.map((f) => ({ ...f.metrics, ...(f.run.coordinates !== undefined ? { coordinates: f.run.coordinates } : {}) }));
}

/** What is not there yet, one line per run, by id. */
export function problemLines(c: Collected): string[] {
  const lines: string[] = [];
  for (const f of c.failed) lines.push(`failed: ${f.run.name}${f.failure.step !== undefined ? ` at step ${f.failure.step}` : ''} (${f.failure.host}${f.failure.slurm ? `, Slurm task ${f.failure.slurm}` : ''}, ${f.failure.at}): ${f.failure.message}`);
  for (const s of c.stopped) lines.push(`stopped: ${s.run.name} after ${s.steps} of ${s.run.training.steps} steps (${shown(s.folder)}); train it again with --resume`);
  for (const m of c.missing) lines.push(`missing: ${m.name}`);
  for (const e of c.extra) lines.push(`not in the spec: ${shown(e)}`);
  for (const d of c.duplicates) lines.push(`in more than one folder: ${d} (the first is used)`);
  for (const f of c.found) {
    const training = f.differences.filter(changesTraining);
    if (training.length > 0) lines.push(`note: ${f.run.name} was trained with ${training.slice(0, 2).map(differenceText).join('; ')}${training.length > 2 ? '; …' : ''}`);
  }
  // measured with other settings, or by an older version: one line for all of them
  const measured = c.found.filter((f) => f.differences.some((d) => !changesTraining(d)));
  if (measured.length > 0) {
    const fields = [...new Set(measured.flatMap((f) => f.differences.filter((d) => !changesTraining(d)).map((d) => d.path)))];
    lines.push(`note: ${measured.length} run${measured.length === 1 ? ' was' : 's were'} measured with other settings or by an older version (${fields.slice(0, 4).join(', ')}${fields.length > 4 ? ', …' : ''}); measures they lack show as -`);
  }
  return lines;
}

export async function collectMain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, csv: { type: 'string' }, spec: { type: 'string' } },
  });
  const dirs = positionals.map((d) => resolve(d));
  const first = dirs[0];
  if (first === undefined) throw new UsageError('collect takes one or more run folders (DIR/<spec-name>/, or a session folder).');
  const c = await collect(dirs, values.spec);
  return printCollected(c, { json: values.json === true, csv: resolve(values.csv ?? join(first, `${c.specName}.csv`)) });
}

/** The dissimilarity across the seeds of each row, from every folder the runs were found in. */
function collectedDissimilarity(c: Collected, rows: readonly TableRun[], dir: string): Promise<DissimilarityResult | undefined> {
  const compared: ComparedRun[] = c.found.flatMap((f, i) => {
    const row = rows[i];
    return row ? [{ dir: f.folder, name: f.run.name, group: rowLabel(f.run.variant, row.coordinates), run: f.run }] : [];
  });
  return dissimilarityBeside(compared, new ProgressView(process.stderr), (text) => replaceFileDurably(dir, DISSIMILARITY_FILE, text));
}

/** Writes the CSV and prints the table (or the JSON lines); the exit code: 1 while runs are missing or failed. */
export async function printCollected(c: Collected, opts: { json: boolean; csv: string }): Promise<number> {
  const csvFile = opts.csv;
  if (c.found.length > 0) await writeFile(csvFile, csvText(c.found));
  const rows = tableRuns(c.found);
  const dissim = await collectedDissimilarity(c, rows, dirname(csvFile));
  const out = process.stdout;
  if (opts.json) {
    for (const f of c.found) out.write(metricsJson(runRecord(f.metrics, f.run, f.folder), 0) + '\n');
    for (const g of groupRuns(rows)) {
      const stat = (get: (m: TableRun) => number | null) => {
        const s = meanSd(g.runs.map(get));
        return s === undefined ? { mean: null, sd: null } : { mean: s.mean, sd: s.sd ?? null };
      };
      const rho = stat((m) => m.rho);
      const rs = stat((m) => m.rho_sqrtN);
      out.write(metricsJson({ kind: 'group', variant: g.variant, ...g.coordinates, seeds: g.runs.length, rho_mean: rho.mean, rho_sd: rho.sd, rho_sqrtN_mean: rs.mean, rho_sqrtN_sd: rs.sd }, 0) + '\n');
    }
    if (dissim !== undefined) out.write(metricsJson(dissim, 0) + '\n');
    for (const s of rhoScaling(rows)) out.write(metricsJson({ kind: 'scaling', variant: s.variant, ...s.coordinates, output_scale: s.output_scale, N: s.Ns, exponent: s.exponent }, 0) + '\n');
    for (const m of c.missing) out.write(JSON.stringify({ kind: 'missing', id: m.name, variant: m.variant, seed: m.training.seed, ...m.coordinates }) + '\n');
    for (const f of c.failed) out.write(JSON.stringify({ kind: 'failed', id: f.run.name, ...f.failure }) + '\n');
    for (const s of c.stopped) out.write(JSON.stringify({ kind: 'stopped', id: s.run.name, steps_done: s.steps, steps: s.run.training.steps, folder: s.folder }) + '\n');
    out.write(JSON.stringify(summaryRecord(c, csvFile)) + '\n');
  } else {
    if (rows.length > 0) {
      const scaling = scalingLines(rows);
      const notes = dissim ? incomparableNotes(dissim) : [];
      out.write(`${summaryTable(rows, dissim ? { dissimilarity: withinForTable(dissim) } : {})}\n${notes.map((l) => `${l}\n`).join('')}\n${scaling.length ? `${scaling.join('\n')}\n\n` : ''}`);
    }
    for (const l of problemLines(c)) out.write(`${l}\n`);
    out.write(`${summaryLine(c)}${c.found.length > 0 ? `; CSV: ${shown(csvFile)}` : ''}\n`);
  }
  return c.missing.length + c.failed.length + c.stopped.length > 0 ? 1 : 0;
}

function summaryRecord(c: Collected, csv: string): Record<string, unknown> {
  return { kind: 'summary', spec: c.specName, expected: c.expected.length, complete: c.found.length, missing: c.missing.length, failed: c.failed.length, stopped: c.stopped.length, extra: c.extra.length, csv: c.found.length > 0 ? csv : null };
}

export function summaryLine(c: Collected): string {
  const open = c.missing.length + c.failed.length + c.stopped.length;
  const what = [c.failed.length ? `${c.failed.length} failed` : '', c.stopped.length ? `${c.stopped.length} stopped` : '', c.missing.length ? `${c.missing.length} missing` : ''].filter(Boolean).join(', ');
  return `${c.specName}: ${c.found.length} of ${c.expected.length} runs complete${open ? ` (${what})` : ''}`;
}

