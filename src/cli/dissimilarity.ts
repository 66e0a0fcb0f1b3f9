/**
 * Dissimilarity across stored runs (docs/science.md §4.7), shared by `rnnlab train` (the
 * runs of a session, when some row has two seeds or more), `rnnlab collect` (the runs of
 * a sweep, from every folder they were trained into) and `rnnlab compare DIR...` (any run
 * folders): reads each run's noise-free evaluation states from its
 * trajectories.safetensors and compares every pair evaluated on the same trials.
 */
import { join } from 'node:path';
import { dissimilarityMatrix, evaluationBatchKey, type DissimilarityResult, type RunStates } from '../core/analysis/dissimilarity-matrix';
import { readArrays } from '../store/runFolder';
import type { RunConfig } from '../core/types';
import type { PairSummary } from './table';
import { cliBackend } from './backend';
import { metricsJson } from '../core/metrics';
import { shown, type ProgressView } from './progress';
import { at } from '../core/checked';

export { DISSIMILARITY_FILE } from '../store/sessionFile';

/** A stored run as the comparison needs it. */
export interface ComparedRun {
  dir: string;
  /** how the run is named in the result (unique among the compared runs) */
  name: string;
  /** its row: the variant, and the grid point in a sweep */
  group: string;
  run: Pick<RunConfig, 'task' | 'network' | 'evaluation'>;
}

/** Reads the states of the runs and computes the matrix; progress through onPair. */
export async function dissimilarityOfRuns(runs: readonly ComparedRun[], onPair?: (done: number, total: number) => void): Promise<DissimilarityResult> {
  await cliBackend();
  const states: RunStates[] = [];
  for (const r of runs) {
    const file = join(r.dir, 'trajectories.safetensors');
    const arrays = await readArrays(file).catch((e: unknown) => {
      throw new Error(`${file}: ${(e as Error).message}`);
    });
    const s = arrays.states;
    if (s?.shape.length !== 3 || !(s.data instanceof Float32Array)) throw new Error(`${file} has no states array [T, B, N].`);
    const [T, B, N] = s.shape as [number, number, number];
    states.push({
      name: r.name,
      group: r.group,
      batchKey: evaluationBatchKey(r.run),
      states: s.data,
      T,
      B,
      N,
      kMin: Math.min(Math.round(r.run.evaluation.t_min / r.run.network.dt), T - 1),
    });
  }
  return dissimilarityMatrix(states, onPair);
}

/** dissimilarityOfRuns with a progress line for the pairs. */
export async function dissimilarityShown(runs: readonly ComparedRun[], progress: ProgressView): Promise<DissimilarityResult> {
  try {
    return await dissimilarityOfRuns(runs, (done, total) =>
      progress.update({ name: 'dissimilarity', step: done, steps: total, loss: NaN, rate: 0, startedAt: Date.now(), phase: 'pairs of runs' }),
    );
  } finally {
    progress.finish('dissimilarity');
  }
}

/**
 * The dissimilarity beside a table of runs (train, collect): computed when some row has two
 * seeds or more and saved through `save` (which returns the file written). A failure is
 * logged and costs the column, never the runs or the table.
 */
export async function dissimilarityBeside(
  runs: readonly ComparedRun[],
  progress: ProgressView,
  save: (text: string) => Promise<string>,
): Promise<DissimilarityResult | undefined> {
  if (!hasSeedPairs(runs.map((r) => r.group))) return undefined;
  try {
    const d = await dissimilarityShown(runs, progress);
    const file = await save(metricsJson(d) + '\n');
    progress.log(`dissimilarity of ${runs.length} runs -> ${shown(file)}`);
    return d;
  } catch (e) {
    progress.log(`dissimilarity not computed: ${(e as Error).message}`);
    return undefined;
  }
}

/** The "dissim." column of the table: the within-row summaries. */
export function withinForTable(d: DissimilarityResult): Record<string, PairSummary> {
  const out: Record<string, PairSummary> = {};
  for (const [g, s] of Object.entries(d.within)) out[g] = { mean: s.mean, sd: s.sd ?? Number.NaN, pairs: s.pairs };
  return out;
}

/** Whether some row has two runs or more (the dissimilarity needs pairs of seeds). */
export function hasSeedPairs(groups: readonly string[]): boolean {
  return groups.some((g, i) => groups.indexOf(g) !== i);
}

/** The lines under the table about pairs that could not be compared. */
export function incomparableNotes(d: DissimilarityResult): string[] {
  if (!d.incomparable.length) return [];
  const first = at(d.incomparable, 0);
  return [`dissim.: ${d.incomparable.length} pair${d.incomparable.length > 1 ? 's' : ''} not compared, e.g. ${first.runs.join(' and ')}: ${first.reason}.`];
}
