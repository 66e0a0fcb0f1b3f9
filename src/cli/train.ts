/** `rnnlab train SPEC`: train the runs of a spec (all, or a selection), write run folders, print the table. */
import { resolve, join } from 'node:path';
import type { RunConfig } from '../core/types';
import type { BackendInfo } from '../core/backend';
import { backendCounts } from '../core/backend-counts';
import { runMetrics, metricsJson } from '../core/metrics';
import { runRecord } from './records';
import { specStore, specStoreBase } from '../store/location';
import { Session } from '../store/session';
import { fieldProblem } from '../spec/run-config';
import { ProgressView, duration, shown } from './progress';
import { rowLabel, summaryTable, type TableRun } from './table';
import { DISSIMILARITY_FILE, dissimilarityBeside, incomparableNotes, withinForTable } from './dissimilarity';
import type { DissimilarityResult } from '../core/analysis/dissimilarity-matrix';
import { scalingLines } from './scaling';
import { trainOnPool } from './pool';
import { readSpecFile } from './spec-file';
import { selectRuns, type Shard } from './select';
import { planAddressed } from './addressed';
import { clearFailure, prepareSweepDir, recordFailure } from '../store/sweep';
import { availableParallelism, freemem } from 'node:os';
import { describePool, poolSize } from '../trainer/pool-size';

export interface TrainArgs {
  spec: string;
  /** the run store; default: .rnnlab/runs in the spec's own folder (src/store/location.ts) */
  out?: string;
  json: boolean;
  jobs?: number;
  variants: string[];
  /** override training.steps (quick what-ifs) */
  steps?: number;
  /** train only these run ids */
  ids?: string[];
  shard?: Shard;
  /** skip runs whose folder in the sweep folder is complete */
  resume?: boolean;
}

/** Exit codes: 0 all runs written; 1 a run failed; 2 bad spec or arguments; 130 interrupted. */
export async function trainCommand(a: TrainArgs): Promise<number> {
  const spec = await readSpecFile(a.spec);
  if (spec === undefined) return 2;
  const { text, loaded } = spec;
  if (a.steps !== undefined) {
    const problem = fieldProblem('training', 'steps', a.steps);
    if (problem !== undefined) {
      process.stderr.write(`rnnlab: --steps ${problem}\n`);
      return 2;
    }
  }
  let runs = selectRuns(loaded.runs, { variants: a.variants, ids: a.ids ?? [], ...(a.shard ? { shard: a.shard } : {}) }, a.spec);
  const steps = a.steps;
  if (steps !== undefined) runs = runs.map((r) => ({ ...r, training: { ...r.training, steps } }));
  const selected = runs;

  // The folder is claimed before the first step: a bad --out fails now, not after training.
  // --resume, --run and --shard train into the spec's sweep folder, <out>/<spec-name>, the
  // same for every process and machine; a plain train claims a new session folder.
  const addressed = a.resume === true || (a.ids ?? []).length > 0 || a.shard !== undefined;
  const place = a.out !== undefined ? { base: resolve(a.out), store: resolve(a.out) } : { base: specStoreBase(spec.file), store: specStore(spec.file) };
  let folder: Session;
  try {
    folder = addressed ? await Session.open(place, loaded.name) : await Session.create(place, loaded.name);
  } catch (e) {
    process.stderr.write(`rnnlab: ${(e as Error).message} Choose another folder with --out.\n`);
    return 2;
  }
  const session = folder.dir;
  const skipped: TableRun[] = [];
  const folders = new Map<string, string>();
  if (addressed) {
    const plan = await planAddressed(session, runs, a.resume === true);
    if (plan.problems.length > 0) {
      for (const p of plan.problems) process.stderr.write(`rnnlab: ${p}\n`);
      return 2;
    }
    runs = plan.todo;
    await prepareSweepDir(session, spec.file, text);
    if (a.shard !== undefined) process.stderr.write(`Shard ${a.shard.index}/${a.shard.count}: ${selected.length} run${selected.length === 1 ? '' : 's'} of ${loaded.runs.length}.\n`);
    if (plan.done.length > 0) process.stderr.write(`${plan.done.length} run${plan.done.length === 1 ? ' is' : 's are'} complete in ${shown(session)} already; skipped.\n`);
    for (const d of plan.done) {
      skipped.push(d.row);
      folders.set(d.run.name, join(session, d.run.name));
      if (a.json) process.stdout.write(metricsJson(runRecord(d.metrics, d.run, join(session, d.run.name)), 0) + '\n');
    }
  }
  const first = runs[0];
  if (first === undefined) {
    if (!addressed) {
      process.stderr.write(`rnnlab: ${a.spec} has no runs to train.\n`);
      return 2;
    }
    const report = a.json ? process.stderr : process.stdout;
    if (skipped.length) report.write(`\n${summaryTable(skipped)}\n\n`);
    report.write(`Nothing to train: every selected run is complete in ${shown(session)}.\n`);
    return 0;
  }

  // --jobs decides the count; without it, one worker per hardware thread. Either way the runs must fit in memory.
  const size = poolSize({ runs, threads: a.jobs ?? availableParallelism(), reserve: 0, budget: cliMemoryBudget() });
  const progress = new ProgressView(process.stderr);
  const results: TableRun[] = [...skipped];
  let stoppedRuns = 0;
  const failures: string[] = [];
  const rates = new Map<string, { step: number; at: number; rate: number; rho?: number }>();
  const started = Date.now();
  progress.log(`Training ${runs.length} run${runs.length > 1 ? 's' : ''} of ${a.spec} on ${describePool(size, a.jobs !== undefined ? '--jobs' : undefined)}.`);

  // runs being trained and their last step, for what a SIGTERM records
  const inProgress = new Map<string, number>();
  const records: Promise<void>[] = [];
  const record = (name: string, message: string, step?: number) =>
    records.push(recordFailure(session, name, message, step).catch((e: Error) => progress.log(`${name}: the failure could not be recorded: ${e.message}`)));
  const pool = trainOnPool(runs, size.workers, {
    onMessage(run, msg) {
      if (msg.type === 'started') {
        rates.set(run.name, { step: 0, at: Date.now(), rate: 0 });
        inProgress.set(run.name, 0);
      } else if (msg.type === 'step') {
        inProgress.set(run.name, msg.step);
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
      inProgress.delete(run.name);
      const dir = await folder.write(run.name, result, text);
      if (addressed) await clearFailure(session, run.name);
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
      inProgress.delete(run.name);
      progress.finish(run.name);
      failures.push(run.name);
      if (addressed) record(run.name, message, step);
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
  // A Slurm time limit or scancel sends SIGTERM (and SIGKILL soon after): say in the
  // sweep folder which runs it ended, so collect reports them as failed, not just missing.
  let terminated = false;
  const onSigterm = () => {
    if (terminated) return; // Slurm may signal both the batch shell, which passes it on, and this process
    terminated = true;
    for (const [name, step] of inProgress) record(name, `stopped by SIGTERM at step ${step} (a Slurm time limit, scancel or a shutdown)`, step || undefined);
    progress.log(`SIGTERM: ${inProgress.size ? `recorded ${[...inProgress.keys()].join(', ')} as failed; ` : ''}quitting.`);
    void Promise.all(records).then(() => pool.kill()).then(() => process.exit(143));
  };
  process.on('SIGINT', onSigint);
  if (addressed) process.on('SIGTERM', onSigterm);
  try {
    await pool.done;
  } catch (e) {
    // A bug, not a run's failure (those are reported per run): stop the others rather than let them train on after we return.
    await pool.kill();
    process.stderr.write(`rnnlab: ${(e as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    await Promise.all(records);
    await folder.release();
  }
  const backend = await pool.backend.catch(() => undefined);
  if (results.length) {
    const order = new Map(selected.map((r, i) => [r.name, i]));
    results.sort((x, y) => (order.get(x.name) ?? 0) - (order.get(y.name) ?? 0));
    const out = a.json ? process.stderr : process.stdout;
    const dissim = await sessionDissimilarity(results, selected, folders, folder, progress);
    if (dissim && a.json) process.stdout.write(metricsJson(dissim, 0) + '\n');
    const scaling = scalingLines(results);
    const notes = dissim ? incomparableNotes(dissim) : [];
    out.write(`\n${summaryTable(results, dissim ? { dissimilarity: withinForTable(dissim) } : {})}\n${notes.map((l) => `${l}\n`).join('')}\n${scaling.length ? `${scaling.join('\n')}\n\n` : ''}`);
    const stoppedNote = stoppedRuns > 0 ? ` (${stoppedRuns} stopped early, marked * in the table)` : '';
    const fresh = results.length - skipped.length;
    const failedNote = failures.length ? `; ${failures.length} failed (above)` : '';
    out.write(`${fresh} run${fresh > 1 ? 's' : ''}${skipped.length ? ` (and ${skipped.length} complete before)` : ''}${stoppedNote} in ${duration((Date.now() - started) / 1000)} on ${trainedOn(results.filter((r) => !skipped.includes(r)), selected, backend)}${failedNote}; folders under ${shown(session)}\n`);
  } else if (failures.length) {
    process.stderr.write(`\nNo run trained: ${failures.length === 1 ? 'it' : `all ${failures.length}`} failed (above).\n`);
  }
  if (interrupted) return 130;
  return failures.length ? 1 : 0;
}

/**
 * Where the runs trained: one backend and why (the first worker's reason, when every run
 * made the same spec choice), else each backend with its count (runs of a spec can name
 * different backends, and auto measures per run).
 */
export function trainedOn(trained: readonly { name: string; backend: string }[], runs: readonly RunConfig[], worker: BackendInfo | undefined): string {
  const backends = new Set(trained.map((r) => r.backend));
  const choices = new Set(runs.filter((r) => trained.some((t) => t.name === r.name)).map((r) => r.training.backend));
  const [only] = backends;
  if (backends.size === 1 && only !== undefined && choices.size === 1) return worker?.name === only ? `${only} (${worker.reason})` : only;
  return backendCounts(trained.map((r) => r.backend));
}

/** The dissimilarity across the seeds of each row, written to the session's dissimilarity.json. */
function sessionDissimilarity(
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
  return dissimilarityBeside(compared, progress, (text) => session.writeFile(DISSIMILARITY_FILE, text));
}

/**
 * Three quarters of the memory free when training starts (the kernel's MemAvailable):
 * the workers' wasm heaps grow to their peak and stay there, and the machine has other work.
 */
function cliMemoryBudget(): number {
  return 0.75 * freemem();
}

