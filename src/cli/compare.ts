/**
 * `rnnlab compare DIR... [--json]`: the measures table and the dissimilarity across any
 * stored runs, e.g. the runs of two specs (docs/science.md §4.7). A DIR is a run folder
 * or a session folder (every run folder in it).
 */
import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { metricsJson } from '../core/metrics';
import { readRunFolder, type StoredRun } from '../store/runFolder';
import { isRealFolder, visibleFolders } from '../store/files';
import { dissimilarityOfRuns, dissimilarityShown, incomparableNotes, withinForTable, type ComparedRun } from './dissimilarity';
import { runRecord } from './records';
import { rowLabel, summaryTable, type TableRun } from './table';
import { ProgressView } from './progress';
import { at } from '../core/checked';
import { parseArgs } from 'node:util';
import { UsageError } from './args';
import type { DissimilarityProgressLine } from '../protocol/dissimilarity';

export const COMPARE_USAGE = `  rnnlab compare DIR... [--json [--progress]]
      The measures table and the dissimilarity across seeds and variants (angular
      Procrustes distance, docs/science.md §4.7) of stored runs: run folders or session
      folders, e.g. the runs of two specs. --json: one line per run, then the
      dissimilarity ({"kind": "dissimilarity", ...}); --progress: before them, a line
      {"kind": "progress", "done", "total"} per pair of runs compared (what the VS Code
      panel reads when it computes a session's dissimilarity).`;

/** The arguments of `rnnlab compare` (also those of dist/cli-compare.js, which the extension forks). */
export function compareMain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, progress: { type: 'boolean', default: false } } });
  if (values.progress && !values.json) throw new CompareUsageError('--progress goes with --json.');
  return compareCommand(positionals, values.json === true, values.progress === true);
}

export class CompareUsageError extends UsageError {}

/** The run folders named by the arguments, a session folder standing for its runs. */
export async function runFoldersOf(dirs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    if (!(await isRealFolder(d))) throw new CompareUsageError(`${d} is not a folder.`);
    const own = await hasRunJson(d);
    if (own) {
      out.push(d);
      continue;
    }
    const inside: string[] = [];
    for (const f of await visibleFolders(d)) if (await hasRunJson(join(d, f))) inside.push(join(d, f));
    if (!inside.length) throw new CompareUsageError(`${d} is neither a run folder (no run.json) nor a session folder with run folders in it.`);
    out.push(...inside);
  }
  return [...new Set(out)];
}

async function hasRunJson(dir: string): Promise<boolean> {
  return lstat(join(dir, 'run.json')).then((s) => s.isFile(), () => false);
}

/**
 * Names and rows of the runs: plain when they come from one session; otherwise prefixed
 * with their session (the spec's name, or the whole folder name when a spec has several
 * sessions here), so "aligned" of one spec is not averaged with "aligned" of another.
 */
export function labelRuns(stored: readonly StoredRun[]): { name: string; variant: string }[] {
  const sessionOf = (s: StoredRun) => basename(dirname(s.dir));
  const sessions = [...new Set(stored.map(sessionOf))];
  if (sessions.length <= 1) return stored.map((s) => ({ name: s.run.name, variant: s.run.variant }));
  const specOf = (session: string) => session.replace(/-\d{8}-\d{6}(-\d+)?$/, '');
  const specs = sessions.map(specOf);
  const prefix = (session: string) => (specs.filter((p) => p === specOf(session)).length > 1 ? session : specOf(session));
  return stored.map((s) => ({ name: `${prefix(sessionOf(s))}/${s.run.name}`, variant: `${prefix(sessionOf(s))}/${s.run.variant}` }));
}

export async function compareCommand(dirs: readonly string[], json: boolean, progressLines = false): Promise<number> {
  if (!dirs.length) throw new CompareUsageError('compare takes one or more run or session folders.');
  const folders = await runFoldersOf(dirs);
  const stored = await Promise.all(folders.map((d) => readRunFolder(d)));
  const labels = labelRuns(stored);
  const rows: TableRun[] = stored.map((s, i) => ({
    ...s.metrics,
    name: at(labels, i).name,
    variant: at(labels, i).variant,
    ...(s.run.coordinates !== undefined ? { coordinates: s.run.coordinates } : {}),
  }));
  const compared: ComparedRun[] = stored.map((s, i) => ({ dir: s.dir, name: at(labels, i).name, group: rowLabel(at(rows, i).variant, at(rows, i).coordinates), run: s.run }));
  const d = progressLines ? await dissimilarityOfRuns(compared, progressLine) : await dissimilarityShown(compared, new ProgressView(process.stderr));
  if (json) {
    stored.forEach((s, i) => process.stdout.write(metricsJson({ ...runRecord(at(rows, i), s.run, s.dir) }, 0) + '\n'));
    process.stdout.write(metricsJson(d, 0) + '\n');
  }
  const out = json ? process.stderr : process.stdout;
  out.write(`${summaryTable(rows, { dissimilarity: withinForTable(d) })}\n${incomparableNotes(d).map((l) => `${l}\n`).join('')}`);
  const between = Object.entries(d.between);
  if (between.length) {
    out.write('\nBetween rows (angular Procrustes distance, rad, mean±sd over pairs):\n');
    for (const [k, v] of between) out.write(`  ${k.replace('|', '  vs  ')}: ${v.mean.toFixed(3)}${v.sd !== null ? `±${v.sd.toFixed(3)}` : ''} (${v.pairs} pair${v.pairs > 1 ? 's' : ''})\n`);
  }
  return 0;
}

function progressLine(done: number, total: number): void {
  const line: DissimilarityProgressLine = { kind: 'progress', done, total };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
