/**
 * `rnnlab plan SPEC`: the runs of a spec before anything trains: id, variant, grid
 * point, seed, the memory a process needs and the time it takes on this machine, and,
 * when the sweep folder exists already, which runs are complete, stopped or failed.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { metricsJson } from '../core/metrics';
import { taskSteps } from '../core/tasks/registry';
import type { RunConfig } from '../core/types';
import { coordinateLabels } from '../spec/sweep';
import { runStatus, sweepDir, type RunStatus } from '../store/sweep';
import { positiveInt, UsageError } from './args';
import { calibrationText, estimateRuns, type CalibrationReport, type RunEstimate } from './estimate';
import { duration } from './progress';
import { parseShard, selectRuns } from './select';
import { readSpecFile } from './spec-file';
import { specStore } from '../store/location';
import { coordinateText } from './table';

export const PLAN_HELP = `  rnnlab plan SPEC [--json] [--out DIR] [--variant NAME]... [--run ID]... [--shard I/N]
             [--steps N] [--jobs N] [--calibrate] [--budget SECONDS]
      List the runs of SPEC: id, grid point, seed, memory and time on this machine, and
      their state in DIR/<spec-name>/ (complete, stopped, failed, missing; DIR defaults to
      .rnnlab/runs in SPEC's folder, as for train). Times come from
      a short measurement of each run shape (stored per machine and reused; --calibrate
      measures again; shapes beyond --budget seconds, default 30, are scaled).`;

export async function planMain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      variant: { type: 'string', multiple: true },
      run: { type: 'string', multiple: true },
      shard: { type: 'string' },
      steps: { type: 'string' },
      jobs: { type: 'string' },
      calibrate: { type: 'boolean', default: false },
      budget: { type: 'string', default: '30' },
    },
  });
  const [specPath] = positionals;
  if (specPath === undefined || positionals.length !== 1) throw new UsageError('plan takes exactly one SPEC file.');
  const budget = Number(values.budget);
  if (!(budget >= 0)) throw new UsageError(`--budget takes a number of seconds, not "${values.budget}".`);
  const spec = await readSpecFile(specPath);
  if (spec === undefined) return 2;
  let runs = selectRuns(spec.loaded.runs, { variants: values.variant ?? [], ids: values.run ?? [], ...(values.shard !== undefined ? { shard: parseShard(values.shard) } : {}) }, specPath);
  if (values.steps !== undefined) {
    const steps = positiveInt('--steps', values.steps);
    runs = runs.map((r) => ({ ...r, training: { ...r.training, steps } }));
  }
  const jobs = values.jobs !== undefined ? positiveInt('--jobs', values.jobs) : availableParallelism();
  if (runs.length === 0) {
    process.stderr.write('No runs in this selection.\n');
    return 0;
  }
  const { estimates, report } = await estimateRuns(runs, { fresh: values.calibrate === true, budgetSeconds: budget, log: (l) => process.stderr.write(`${l}\n`) });
  const dir = sweepDir(values.out !== undefined ? resolve(values.out) : specStore(spec.file), spec.loaded.name);
  const planned = await Promise.all(estimates.map(async (e) => ({ e, status: await runStatus(dir, e.run) })));
  const statuses = planned.map((p) => p.status);
  const summary = planSummary(estimates, jobs, report);
  if (values.json) {
    for (const { e, status } of planned) process.stdout.write(metricsJson(planRecord(e, status), 0) + '\n');
    process.stdout.write(metricsJson({ kind: 'summary', ...summary, folder: dir }, 0) + '\n');
  } else {
    process.stdout.write(`${planTable(planned)}\n\n${summaryText(summary, statuses, dir)}\n${calibrationText(report)}\n`);
  }
  return 0;
}

export function statusText(s: RunStatus): string {
  switch (s.kind) {
    case 'complete':
      return `complete (${duration(s.metrics.seconds)})`;
    case 'missing':
      return s.failure !== undefined ? `failed${s.failure.step !== undefined ? ` at step ${s.failure.step}` : ''}` : 'missing';
    case 'stopped':
      return `stopped at step ${s.stepsDone}`;
    case 'different':
      return 'other config';
    case 'unreadable':
      return 'damaged';
  }
}

function planRecord(e: RunEstimate, s: RunStatus): Record<string, unknown> {
  const r = e.run;
  return {
    kind: 'planned',
    id: r.name,
    variant: r.variant,
    seed: r.training.seed,
    N: r.network.N,
    ...r.coordinates,
    steps: r.training.steps,
    T: taskSteps(r.task, r.network.dt),
    batch: r.training.batch,
    memory_bytes: e.processBytes,
    tensor_bytes: e.tensorBytes,
    // milliseconds: a small run on the fused kernel takes well under 0.1 s
    seconds: Math.round(e.seconds * 1000) / 1000,
    time_source: e.source.kind,
    status: s.kind === 'missing' && s.failure !== undefined ? 'failed' : s.kind,
  };
}

export interface PlanSummary {
  runs: number;
  cpu_seconds: number;
  /** on this machine with `jobs` runs at a time */
  wall_seconds: number;
  jobs: number;
  max_memory_bytes: number;
  max_seconds: number;
  calibration: CalibrationReport;
}

/** How long a pool of `jobs` workers takes for runs in this order: each next run goes to the worker that is free first. */
export function wallSeconds(seconds: readonly number[], jobs: number): number {
  const load = new Array<number>(Math.max(1, jobs)).fill(0);
  for (const s of seconds) {
    const i = load.indexOf(Math.min(...load));
    load[i] = (load[i] ?? 0) + s;
  }
  return Math.max(...load);
}

function planSummary(estimates: readonly RunEstimate[], jobs: number, calibration: CalibrationReport): PlanSummary {
  const secs = estimates.map((e) => e.seconds);
  return {
    runs: estimates.length,
    cpu_seconds: Math.round(secs.reduce((a, b) => a + b, 0)),
    wall_seconds: Math.round(wallSeconds(secs, jobs)),
    jobs,
    max_memory_bytes: Math.max(...estimates.map((e) => e.processBytes)),
    max_seconds: Math.round(Math.max(...secs)),
    calibration,
  };
}

export function mb(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.ceil(bytes / 2 ** 20)} MB`;
}

function summaryText(s: PlanSummary, statuses: readonly RunStatus[], dir: string): string {
  const count = (k: string) => statuses.filter((x) => (k === 'failed' ? x.kind === 'missing' && x.failure !== undefined : x.kind === k)).length;
  const lines = [
    `${s.runs} run${s.runs === 1 ? '' : 's'}: ${duration(s.cpu_seconds)} of CPU time, about ${duration(s.wall_seconds)} here with ${s.jobs} at a time; the largest needs ${mb(s.max_memory_bytes)} and the longest ${duration(s.max_seconds)}.`,
  ];
  const complete = count('complete');
  if (statuses.some((x) => x.kind !== 'missing' || x.failure !== undefined)) {
    const parts = [`${complete} complete`, `${count('missing') - count('failed')} missing`, count('failed') ? `${count('failed')} failed` : '', count('stopped') ? `${count('stopped')} stopped` : '', count('different') ? `${count('different')} trained from another config` : ''].filter(Boolean);
    lines.push(`In ${dir}: ${parts.join(', ')}.`);
  }
  return lines.join('\n');
}

function planTable(planned: readonly { e: RunEstimate; status: RunStatus }[]): string {
  const keys = [...new Set(planned.flatMap(({ e }) => Object.keys(e.run.coordinates ?? {})))];
  const labels = coordinateLabels(keys);
  const head = ['id', 'variant', ...keys.map((k) => labels.get(k) ?? k), 'seed', 'steps', 'memory', 'time', 'state'];
  const rows = planned.map(({ e, status }) => {
    const r: RunConfig = e.run;
    return [
      r.name,
      r.variant,
      ...keys.map((k) => coordinateText(r.coordinates?.[k])),
      String(r.training.seed),
      String(r.training.steps),
      mb(e.processBytes),
      `${duration(e.seconds)}${e.source.kind === 'scaled' ? '*' : ''}`,
      statusText(status),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const right = new Set(head.map((h, i) => (['seed', 'steps', 'memory', 'time'].includes(h) || (i >= 2 && i < 2 + keys.length) ? i : -1)));
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const scaled = planned.some(({ e }) => e.source.kind === 'scaled') ? '\n* not measured: estimated from the measured shapes' : '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + scaled;
}
