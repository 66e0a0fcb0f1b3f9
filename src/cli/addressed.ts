/**
 * Training runs into their sweep folder (store/sweep.ts): which of the selected runs are
 * left to train, which are complete already, and what stands in the way. Used by
 * `rnnlab train` with --resume, --run or --shard, and so by every Slurm array task.
 */
import type { RunMetrics } from '../core/metrics';
import type { RunConfig } from '../core/types';
import { runStatus, setAside, type RunStatus } from '../store/sweep';
import type { TableRun } from './table';

export interface AddressedPlan {
  /** runs to train, in the spec's order */
  todo: RunConfig[];
  /** complete runs, skipped, with their stored measures */
  done: { run: RunConfig; metrics: RunMetrics; row: TableRun }[];
  /** one line per run that blocks the session; nothing is trained while there are any */
  problems: string[];
}

export function statusProblem(run: RunConfig, s: RunStatus, dir: string, resume: boolean): string | undefined {
  switch (s.kind) {
    case 'different':
      return `${run.name}: the folder in ${dir} was trained from another configuration (${s.differences.slice(0, 3).join('; ')}${s.differences.length > 3 ? '; …' : ''}). Train into another --out, or move that folder away.`;
    case 'unreadable':
      return `${run.name}: the folder in ${dir} is damaged (${s.reason}). Move it away to train the run again.`;
    case 'complete':
      return resume ? undefined : `${run.name} is already trained in ${dir}; add --resume to skip complete runs.`;
    case 'stopped':
      return resume ? undefined : `${run.name} in ${dir} was stopped after ${s.stepsDone} steps; add --resume to train it again.`;
    case 'missing':
      return undefined;
  }
}

export async function planAddressed(dir: string, runs: readonly RunConfig[], resume: boolean): Promise<AddressedPlan> {
  const statuses = await Promise.all(runs.map(async (run) => ({ run, s: await runStatus(dir, run) })));
  const plan: AddressedPlan = { todo: [], done: [], problems: [] };
  for (const { run, s } of statuses) {
    const problem = statusProblem(run, s, dir, resume);
    if (problem !== undefined) plan.problems.push(problem);
    else if (s.kind === 'complete') plan.done.push({ run, metrics: s.metrics, row: { ...s.metrics, ...(run.coordinates !== undefined ? { coordinates: run.coordinates } : {}) } });
    else plan.todo.push(run);
  }
  if (plan.problems.length === 0) {
    // stopped runs are kept aside, not overwritten: a run folder is never replaced
    for (const { run, s } of statuses) if (s.kind === 'stopped') await setAside(dir, run.name);
  }
  return plan;
}
