/**
 * `rnnlab compare DIR... [--json]`: the measures table and the dissimilarity across any
 * stored runs, e.g. the runs of two specs (docs/science.md §4.7). A DIR is a run folder
 * or a session folder (every run folder in it).
 */
import { metricsJson } from '../core/metrics';
import { readRunFolder } from '../store/runFolder';
import { labelRuns, resolveRunFolders } from '../store/runSet';
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
  const named = await resolveRunFolders(dirs);
  const problem = named.problems[0];
  if (problem) throw new CompareUsageError(problem.message);
  return named.runs;
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
