/** `rnnlab train SPEC`: train every run of a spec, write run folders, print the table. */
import { readFile, stat } from 'node:fs/promises';
import { resolve, relative } from 'node:path';
import { loadSpec } from '../spec/resolve';
import type { RunConfig } from '../core/types';
import { variantNames } from '../spec/names';
import type { Diagnostic } from '../spec/diagnostics';
import { runMetrics, metricsJson } from '../core/metrics';
import { runRecord } from './records';
import { specStore, specStoreBase } from '../store/location';
import { Session } from '../store/session';
import { fieldProblem } from '../spec/run-config';
import { ProgressView, duration } from './progress';
import { rowLabel, summaryTable, type TableRun } from './table';
import { DISSIMILARITY_FILE, dissimilarityOfRuns, hasSeedPairs, incomparableNotes, withinForTable } from './dissimilarity';
import type { DissimilarityResult } from '../core/analysis/dissimilarity-matrix';
import { scalingLines } from './scaling';
import { trainOnPool } from './pool';
import { availableParallelism } from 'node:os';

export interface TrainArgs {
  spec: string;
  /** the run store; default: .rnnlab/runs in the spec's own folder (src/store/location.ts) */
  out?: string;
  json: boolean;
  jobs?: number;
  variants: string[];
  /** override training.steps (quick what-ifs) */
  steps?: number;
}

/** Exit codes: 0 all runs written; 1 a run failed; 2 bad spec or arguments; 130 interrupted. */
export async function trainCommand(a: TrainArgs): Promise<number> {
  const file = resolve(a.spec);
  const text = await readSpecFile(a.spec);
  if (text === undefined) return 2;
  const loaded = loadSpec(text, file);
  printDiagnostics(a.spec, loaded.diagnostics);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return 2;
  if (a.steps !== undefined) {
    const problem = fieldProblem('training', 'steps', a.steps);
    if (problem !== undefined) {
      process.stderr.write(`rnnlab: --steps ${problem}\n`);
      return 2;
    }
  }
  let runs = loaded.runs;
  if (a.variants.length) {
    const known = variantNames(runs);
    const missing = a.variants.filter((v) => !known.includes(v));
    if (missing.length) {
      process.stderr.write(`rnnlab: no variant ${missing.join(', ')} in ${a.spec}; it has ${known.join(', ')}.\n`);
      return 2;
    }
    runs = runs.filter((r) => a.variants.includes(r.variant));
  }
  const steps = a.steps;
  if (steps !== undefined) runs = runs.map((r) => ({ ...r, training: { ...r.training, steps } }));
  const first = runs[0];
  if (first === undefined) {
    process.stderr.write(`rnnlab: ${a.spec} has no runs to train.\n`);
    return 2;
  }

  // The session folder is claimed before the first step: a bad --out fails now, not after training.
  const place = a.out !== undefined ? { base: resolve(a.out), store: resolve(a.out) } : { base: specStoreBase(file), store: specStore(file) };
  let folder: Session;
  try {
    folder = await Session.create(place, loaded.name);
  } catch (e) {
    process.stderr.write(`rnnlab: ${(e as Error).message} Choose another folder with --out.\n`);
    return 2;
  }
  const session = folder.dir;
  const jobs = a.jobs ?? Math.min(availableParallelism(), runs.length);
  const progress = new ProgressView(process.stderr);
  const results: TableRun[] = [];
  const folders = new Map<string, string>();
  let stoppedRuns = 0;
  const failures: string[] = [];
  const rates = new Map<string, { step: number; at: number; rate: number; rho?: number }>();
  const started = Date.now();
  progress.log(`Training ${runs.length} run${runs.length > 1 ? 's' : ''} of ${a.spec} on ${jobs} worker${jobs > 1 ? 's' : ''}.`);

  const pool = trainOnPool(runs, jobs, first.training.backend, {
    onMessage(run, msg) {
      if (msg.type === 'started') {
        rates.set(run.name, { step: 0, at: Date.now(), rate: 0 });
      } else if (msg.type === 'step') {
        const r = rates.get(run.name) ?? { step: 0, at: Date.now(), rate: 0 };
        const now = Date.now();
        if (now - r.at >= 1000 || msg.step === run.training.steps) {
          const inst = ((msg.step - r.step) * 1000) / Math.max(1, now - r.at);
          r.rate = r.rate ? 0.6 * r.rate + 0.4 * inst : inst;
          r.step = msg.step;
          r.at = now;
        }
        rates.set(run.name, r);
        progress.update({ name: run.name, step: msg.step, steps: run.training.steps, loss: msg.loss, rate: r.rate || 1000 / msg.ms, startedAt: started, ...(r.rho !== undefined ? { rho: r.rho } : {}) });
      } else if (msg.type === 'evaluation') {
        const r = rates.get(run.name);
        if (r) r.rho = msg.summary.rho ?? undefined;
      } else if (msg.type === 'analysis') {
        progress.update({ name: run.name, step: msg.done, steps: msg.total, loss: NaN, rate: 0, startedAt: started, phase: 'perturbations' });
      }
    },
    async onResult(run, result) {
      const dir = await folder.write(run.name, result, text);
      folders.set(run.name, dir);
      const m = runMetrics(result);
      results.push({ ...m, ...(run.coordinates !== undefined ? { coordinates: run.coordinates } : {}) });
      if (m.stopped) stoppedRuns++;
      progress.finish(run.name);
      const stopped = m.stopped ? `STOPPED after ${m.steps} of ${run.training.steps} steps: ` : '';
      progress.log(`${run.name}: ${stopped}${m.rho !== null ? `rho ${m.rho.toFixed(3)}, ` : ''}eval loss ${m.eval_loss.toFixed(4)}, ${m.ms_per_step.toFixed(0)} ms/step -> ${shown(dir)}`);
      if (a.json) process.stdout.write(metricsJson(runRecord(m, run, dir), 0) + '\n');
    },
    onFailure(run, message, step) {
      progress.finish(run.name);
      failures.push(run.name);
      progress.log(`${run.name}: FAILED${step ? ` at step ${step}` : ''}: ${message}`);
    },
  });

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      void pool.kill().then(() => process.exit(130));
      return;
    }
    interrupted = true;
    progress.log('Stopping after the current steps (Ctrl-C again to quit at once)...');
    pool.stop();
  };
  process.on('SIGINT', onSigint);
  try {
    await pool.done;
  } catch (e) {
    // one worker failed: stop the others rather than let them train on after we return
    await pool.kill();
    process.stderr.write(`rnnlab: ${(e as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    await folder.release();
  }
  const backend = await pool.backend.catch(() => undefined);
  if (results.length) {
    const order = new Map(runs.map((r, i) => [r.name, i]));
    results.sort((x, y) => (order.get(x.name) ?? 0) - (order.get(y.name) ?? 0));
    const out = a.json ? process.stderr : process.stdout;
    const dissim = await sessionDissimilarity(results, runs, folders, folder, progress);
    if (dissim && a.json) process.stdout.write(metricsJson(dissim, 0) + '\n');
    const scaling = scalingLines(results);
    const notes = dissim ? incomparableNotes(dissim) : [];
    out.write(`\n${summaryTable(results, dissim ? { dissimilarity: withinForTable(dissim) } : {})}\n${notes.map((l) => `${l}\n`).join('')}\n${scaling.length ? `${scaling.join('\n')}\n\n` : ''}`);
    const stoppedNote = stoppedRuns > 0 ? ` (${stoppedRuns} stopped early, marked * in the table)` : '';
    out.write(`${results.length} run${results.length > 1 ? 's' : ''}${stoppedNote} in ${duration((Date.now() - started) / 1000)} on ${backend ? `${backend.name} (${backend.reason})` : 'unknown backend'}; folders under ${shown(session)}\n`);
  }
  if (interrupted) return 130;
  return failures.length ? 1 : 0;
}

/**
 * Dissimilarity across the seeds of each row (docs/science.md §4.7), when some row has two
 * seeds or more: written to dissimilarity.json in the session folder. A failure here
 * costs the column, not the runs.
 */
async function sessionDissimilarity(
  results: readonly TableRun[],
  runs: readonly RunConfig[],
  folders: ReadonlyMap<string, string>,
  session: Session,
  progress: ProgressView,
): Promise<DissimilarityResult | undefined> {
  const byName = new Map(runs.map((r) => [r.name, r]));
  const compared = results.flatMap((m) => {
    const dir = folders.get(m.name);
    const run = byName.get(m.name);
    return dir && run ? [{ dir, name: m.name, group: rowLabel(m.variant, m.coordinates), run }] : [];
  });
  if (!hasSeedPairs(compared.map((c) => c.group))) return undefined;
  try {
    const d = await dissimilarityOfRuns(compared, (done, total) =>
      progress.update({ name: 'dissimilarity', step: done, steps: total, loss: NaN, rate: 0, startedAt: Date.now(), phase: 'pairs of runs' }),
    );
    progress.finish('dissimilarity');
    const file = await session.writeFile(DISSIMILARITY_FILE, metricsJson(d) + '\n');
    progress.log(`dissimilarity of ${compared.length} runs -> ${shown(file)}`);
    return d;
  } catch (e) {
    progress.finish('dissimilarity');
    progress.log(`dissimilarity not computed: ${(e as Error).message}`);
    return undefined;
  }
}

/** Specs larger than this are refused before they are read (the spec layer's own limit is lower still). */
const MAX_SPEC_FILE = 64 * 2 ** 20;

/** The text of a spec file, or undefined after saying on stderr why it cannot be read. */
export async function readSpecFile(file: string): Promise<string | undefined> {
  const fail = (why: string) => {
    process.stderr.write(`rnnlab: cannot read ${file}: ${why}\n`);
    return undefined;
  };
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => e);
  if (st instanceof Error) return fail(st.code === 'ENOENT' ? 'no such file' : st.code === 'EACCES' ? 'permission denied' : st.message);
  if (st.isDirectory()) return fail('it is a folder; give a *.rnn.yaml file');
  if (!st.isFile()) return fail('it is not a regular file');
  if (st.size > MAX_SPEC_FILE) return fail(`it is ${Math.round(st.size / 2 ** 20)} MiB, too large for a spec`);
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    return fail((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
}

/** A path as the user can use it: relative below the working directory, absolute elsewhere. */
function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

export function printDiagnostics(file: string, ds: readonly Diagnostic[]): void {
  for (const d of ds) process.stderr.write(`${file}:${d.line + 1}:${d.column + 1}: ${d.severity}: ${d.message}\n`);
}
