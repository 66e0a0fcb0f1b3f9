/**
 * The dissimilarity across runs (docs/science.md §4.7) as it crosses a process boundary:
 * the lines `rnnlab compare --json --progress` prints (the extension host forks it and
 * reads them, src/extension/panel/dissimilarity.ts), a session's dissimilarity.json read
 * back, and the matrix the host sends the panel's page. The shape is
 * core/analysis/dissimilarity-matrix.ts's DissimilarityResult.
 */
import type { DissimilarityResult, PairSummary } from '../core/analysis/dissimilarity-matrix';
import { type Check, validator } from './check';

export type { DissimilarityResult, PairSummary };

/** A progress line of `compare --json --progress`: pairs of runs done of total. */
export interface DissimilarityProgressLine {
  kind: 'progress';
  done: number;
  total: number;
}

/** The lines of `compare --json` the host reads: the rest (one line per run) it skips. */
export type CompareLine = DissimilarityProgressLine | DissimilarityResult;

function checkSummaries(c: Check, x: unknown, at: string): void {
  const r = c.rec(x, at);
  if (r === undefined) return;
  for (const [k, v] of Object.entries(r)) {
    const s = c.rec(v, `${at}.${k}`);
    if (s === undefined) continue;
    c.num(s.mean, `${at}.${k}.mean`);
    c.num(s.sd, `${at}.${k}.sd`, true);
    c.count(s.pairs, `${at}.${k}.pairs`);
  }
}

/** n x n numbers or nulls (a pair not compared). */
function checkSquare(c: Check, x: unknown, n: number, at: string): void {
  if (!Array.isArray(x) || x.length !== n) return void c.fail(at, `is not ${n} rows`);
  x.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== n || !row.every((v) => typeof v === 'number' || v === null)) c.fail(`${at}[${i}]`, `is not ${n} numbers or nulls`);
  });
}

/** A whole DissimilarityResult: names, groups and both n x n matrices agree in size. */
export function checkDissimilarity(c: Check, x: unknown, at: string): DissimilarityResult | undefined {
  const d = c.rec(x, at);
  if (d === undefined) return undefined;
  const before = c.problems.length;
  c.literal(d.kind, 'dissimilarity', `${at}.kind`);
  c.literal(d.metric, 'angular_procrustes', `${at}.metric`);
  const runs = c.strings(d.runs, `${at}.runs`);
  const n = runs?.length ?? 0;
  c.strings(d.groups, `${at}.groups`, n);
  checkSquare(c, d.matrix, n, `${at}.matrix`);
  checkSquare(c, d.euclidean, n, `${at}.euclidean`);
  checkSummaries(c, d.within, `${at}.within`);
  checkSummaries(c, d.between, `${at}.between`);
  if (!Array.isArray(d.incomparable)) c.fail(`${at}.incomparable`, 'is not a list');
  else
    d.incomparable.forEach((p: unknown, i) => {
      const r = c.rec(p, `${at}.incomparable[${i}]`);
      if (r === undefined) return;
      c.strings(r.runs, `${at}.incomparable[${i}].runs`, 2);
      c.str(r.reason, `${at}.incomparable[${i}].reason`);
    });
  return c.problems.length === before ? (x as DissimilarityResult) : undefined;
}

export const dissimilarityResult = validator<DissimilarityResult>((c, x) => checkDissimilarity(c, x, 'dissimilarity'));

/** A line of `compare --json --progress` the host acts on (progress or the result). */
export const compareLine = validator<CompareLine>((c, x) => {
  const r = c.rec(x, 'the line');
  if (r === undefined) return;
  if (r.kind === 'progress') {
    c.count(r.done, 'done');
    c.count(r.total, 'total');
  } else checkDissimilarity(c, x, 'the line');
});
