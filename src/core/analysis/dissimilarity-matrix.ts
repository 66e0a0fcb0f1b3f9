/**
 * Dissimilarity across seeds and variants (docs/science.md §4.7): the shape distance of
 * every pair of runs that were evaluated on the same trials, summarised within each
 * group (the seeds of one variant, or of one grid point of a sweep) and between groups.
 *
 * The result is what `rnnlab train` writes as dissimilarity.json next to the run
 * folders and prints as the last --json line, and what `rnnlab compare` prints:
 *
 *   { "kind": "dissimilarity", "metric": "angular_procrustes",
 *     "runs": [names], "groups": [group of each run],
 *     "matrix": [[angular distance, rad]], "euclidean": [[Procrustes distance]],
 *     "within": { "<group>": { "mean", "sd", "pairs" } },
 *     "between": { "<group a>|<group b>": { "mean", "sd", "pairs" } },
 *     "incomparable": [ { "runs": [a, b], "reason" } ] }
 *
 * A pair evaluated on different trials (another evaluation seed, batch, task or t_min)
 * has null in the matrices and is listed under "incomparable". sd is null with one pair.
 */
import { centreColumns, shapeDistance, type CentredStates } from './dissimilarity';
import { at } from '../checked';
import { pairSummaries, type PairSummary } from './pair-summaries';

export interface RunStates {
  name: string;
  /** the row of the table the run belongs to (its variant, plus the grid point in a sweep) */
  group: string;
  /** identifies the evaluation trials: runs with different keys are not compared */
  batchKey: string;
  /** noise-free evaluation states [T][B][N] (time-major) */
  states: Float32Array;
  T: number;
  B: number;
  N: number;
  /** first grid index of the measures, round(t_min / dt) */
  kMin: number;
}

export type { PairSummary };

export interface DissimilarityResult {
  kind: 'dissimilarity';
  metric: 'angular_procrustes';
  runs: string[];
  groups: string[];
  matrix: (number | null)[][];
  euclidean: (number | null)[][];
  within: Record<string, PairSummary>;
  between: Record<string, PairSummary>;
  incomparable: { runs: [string, string]; reason: string }[];
}

/**
 * All pairwise distances. Time-major states make the rows k >= kMin one contiguous tail,
 * and the row order (time, trial) is the same for every run of a batch.
 * @param onPair progress: pairs done of total
 */
export async function dissimilarityMatrix(runs: readonly RunStates[], onPair?: (done: number, total: number) => void): Promise<DissimilarityResult> {
  const n = runs.length;
  const centred: (CentredStates | undefined)[] = runs.map((r) => {
    const S = (r.T - r.kMin) * r.B;
    if (r.states.length !== r.T * r.B * r.N) throw new Error(`${r.name}: ${r.states.length} state values, expected ${r.T} x ${r.B} x ${r.N}`);
    return S > 0 ? centreColumns(r.states.subarray(r.kMin * r.B * r.N), S, r.N) : undefined;
  });
  const matrix: (number | null)[][] = runs.map((_, i) => runs.map((__, j) => (i === j ? 0 : null)));
  const euclidean: (number | null)[][] = runs.map((_, i) => runs.map((__, j) => (i === j ? 0 : null)));
  const incomparable: DissimilarityResult['incomparable'] = [];
  const total = (n * (n - 1)) / 2;
  let done = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = at(runs, i);
      const b = at(runs, j);
      const ca = centred[i];
      const cb = centred[j];
      if (a.batchKey !== b.batchKey || !ca || !cb) {
        const reason = a.batchKey !== b.batchKey ? 'evaluated on different trials (evaluation seed, batch, task or t_min differ)' : 'no time points after t_min';
        incomparable.push({ runs: [a.name, b.name], reason });
      } else {
        const d = await shapeDistance(ca, cb);
        at(matrix, i)[j] = at(matrix, j)[i] = finite(d.angular);
        at(euclidean, i)[j] = at(euclidean, j)[i] = finite(d.euclidean);
      }
      onPair?.(++done, total);
    }
  }
  const { within, between } = pairSummaries(runs.map((r) => r.group), matrix);
  return { kind: 'dissimilarity', metric: 'angular_procrustes', runs: runs.map((r) => r.name), groups: runs.map((r) => r.group), matrix, euclidean, within, between, incomparable };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The key that says two runs were evaluated on the same trials. */
export function evaluationBatchKey(run: { task: unknown; network: { dt: number }; evaluation: { batch: number; seed: number; t_min: number } }): string {
  return JSON.stringify([run.task, run.network.dt, run.evaluation.batch, run.evaluation.seed, run.evaluation.t_min]);
}
