/**
 * A set of stored runs shown side by side, without VS Code: the key of its panel (one per
 * set, whatever the order the runs were picked in), the names the runs go by, the panel's
 * title, and whether they were all evaluated on the same trials.
 */
import { resolve } from 'node:path';
import { evaluationBatchKey } from '../../core/analysis/dissimilarity-matrix';
import type { StoredRun } from '../../store/runFolder';
import { labelRuns } from '../../store/runSet';

/** One panel per set of runs, whatever the order they were picked in. */
export function compareKey(folders: readonly string[]): string {
  return `rnnlab-compare:${JSON.stringify([...new Set(folders.map((f) => resolve(f)))].sort())}`;
}

/** The runs' names side by side (compare.ts labelRuns), made unique: two stores may hold sessions of one name. */
export function compareLabels(runs: readonly StoredRun[]): string[] {
  const seen = new Map<string, number>();
  return labelRuns(runs).map(({ name }) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
}

export function compareTitle(labels: readonly string[]): string {
  const shown = labels.slice(0, 3).join(', ');
  return `RNN Lab: Compare ${shown}${labels.length > 3 ? ` and ${labels.length - 3} more` : ''}`;
}

/**
 * A sentence when the runs were not all evaluated on the same trials: their states then
 * cannot be compared point by point (docs/science.md §4.7), so those pairs have no
 * dissimilarity; everything else is shown. Undefined when all share one evaluation batch.
 */
export function batchNote(runs: readonly StoredRun[], labels: readonly string[]): string | undefined {
  const groups = new Map<string, string[]>();
  runs.forEach((r, i) => {
    const key = evaluationBatchKey(r.run);
    const label = labels[i] ?? r.run.name;
    const g = groups.get(key);
    if (g) g.push(label);
    else groups.set(key, [label]);
  });
  if (groups.size <= 1) return undefined;
  const sets = [...groups.values()].map((g) => g.join(', '));
  return `These runs were not evaluated on the same trials (the task, dt, or the evaluation's batch, seed or t_min differ: ${sets.join(' | ')}), so the dissimilarity between runs of different sets cannot be computed. Everything else is shown.`;
}
