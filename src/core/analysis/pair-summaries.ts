/**
 * The within- and between-group summaries of a dissimilarity matrix (docs/science.md §4.7,
 * the paper's Fig 4): the mean and sd over the pairs of runs of one group (the seeds of a
 * variant) and over the pairs that take one run from each of two groups. A leaf module:
 * the panel's heat map summarises the matrix it shows (angular or Euclidean) with it,
 * without loading tfjs.
 */
import { at } from '../checked';

export interface PairSummary {
  mean: number;
  /** sample sd over pairs; null with a single pair */
  sd: number | null;
  pairs: number;
}

/**
 * Summaries of the symmetric matrix over the runs' groups, groups in order of first
 * appearance: `within[g]` over the pairs i < j of g, `between["g|h"]` (g before h) over
 * every pair of one run of g and one of h. A null entry (a pair not compared) is left
 * out; a group or pair of groups with no value has no entry.
 */
export function pairSummaries(groups: readonly string[], matrix: readonly (readonly (number | null)[])[]): { within: Record<string, PairSummary>; between: Record<string, PairSummary> } {
  const n = groups.length;
  const names = [...new Set(groups)];
  const within: Record<string, PairSummary> = {};
  const between: Record<string, PairSummary> = {};
  names.forEach((ga, ia) => {
    names.forEach((gb, ib) => {
      if (ib < ia) return;
      const values: number[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (at(groups, i) !== ga || at(groups, j) !== gb || (ia === ib && j <= i)) continue;
          const v = matrix[i]?.[j];
          if (v !== null && v !== undefined) values.push(v);
        }
      }
      if (!values.length) return;
      if (ia === ib) within[ga] = summarise(values);
      else between[`${ga}|${gb}`] = summarise(values);
    });
  });
  return { within, between };
}

function summarise(values: number[]): PairSummary {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : null;
  return { mean, sd, pairs: values.length };
}
