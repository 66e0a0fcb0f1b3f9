/**
 * The dissimilarity heat map's content (docs/science.md §4.7, the paper's Fig 4), apart
 * from drawing: the runs ordered by variant (the spec's order) then seed, the matrix in
 * that order for the metric shown, the top of the colour scale, and the within-variant and
 * between-variant summaries of that matrix. Pure: the browser draws it
 * (heatmap-svg.ts), the unit tests check it.
 */
import { pairSummaries, type PairSummary } from '../../../src/core/analysis/pair-summaries';
import type { DissimilarityResult } from '../../../src/protocol';
import { fmt } from '../format';
import type { Session } from '../session';
import type { TableData } from './table-data';

export type HeatmapMetric = 'angular' | 'euclidean';

export const METRIC_TEXT: Record<HeatmapMetric, { name: string; unit: string; title: string }> = {
  angular: { name: 'angular', unit: 'rad', title: 'angular Procrustes distance (rad)' },
  euclidean: { name: 'Euclidean', unit: 'state units', title: 'Procrustes distance (state units)' },
};

export interface HeatmapRun {
  name: string;
  /** its row of the table: the variant, with the grid point in a sweep */
  group: string;
  /** the colour index of its variant (or of the run, in a comparison of runs) */
  colour: number;
  /** its seed when known */
  seed: number | undefined;
  /** short label for a column: the seed, else (or when every row has one run) the name */
  short: string;
  /** why its network has not learned the task (docs/science.md §6), when it has not: its distances show no regime */
  notLearned?: string;
}

export interface HeatmapModel {
  metric: HeatmapMetric;
  runs: HeatmapRun[];
  /** values[i][j] for runs i, j in display order; null: the pair was not compared */
  values: (number | null)[][];
  /** why pairs were not compared, by "i|j" (display indices, i < j) */
  notCompared: Map<string, string>;
  /** the top of the colour scale: the largest value off the diagonal (1 when none) */
  max: number;
  within: { group: string; summary: PairSummary }[];
  between: { a: string; b: string; summary: PairSummary }[];
}

/** The run's seed from its entry in the page, else from a name that ends in -s<seed>. */
function seedOf(session: Session, name: string): number | undefined {
  const entry = session.byName(name);
  if (entry) return entry.run.training.seed;
  const m = /-s(\d+)$/.exec(name);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** A row label without its grid point: "aligned [N=128]" is of variant "aligned". */
function variantOf(session: Session, name: string, group: string): string {
  return session.byName(name)?.run.variant ?? group.replace(/ \[.*\]$/, '');
}

export function heatmapModel(result: DissimilarityResult, metric: HeatmapMetric, session: Session): HeatmapModel {
  const source = metric === 'angular' ? result.matrix : result.euclidean;
  const runs = result.runs.map((name, index) => {
    const group = result.groups[index] ?? name;
    const variant = variantOf(session, name, group);
    const seed = seedOf(session, name);
    const learned = session.byName(name)?.learned;
    return {
      index, name, group, colour: session.colourIndex(session.kind === 'compare' ? name : variant), seed, short: seed !== undefined ? `s${seed}` : name,
      ...(learned?.ok === false ? { notLearned: learned.reason } : {}),
    };
  });
  // Variants in the spec's order (their colours), groups in order of first appearance, then seeds.
  const firstOfGroup = new Map<string, number>();
  for (const r of runs) if (!firstOfGroup.has(r.group)) firstOfGroup.set(r.group, r.index);
  const order = [...runs].sort(
    (a, b) => a.colour - b.colour || (firstOfGroup.get(a.group) ?? 0) - (firstOfGroup.get(b.group) ?? 0) || (a.seed ?? a.index) - (b.seed ?? b.index) || a.index - b.index,
  );
  // Runs each of its own row (a comparison of single runs): a column is named by its run, not by a seed.
  if (!order.some((r, i) => order.findIndex((x) => x.group === r.group) !== i)) for (const r of order) r.short = r.name;
  const values = order.map((a) => order.map((b) => (a.index === b.index ? 0 : (source[a.index]?.[b.index] ?? null))));
  const reasons = new Map(result.incomparable.map((p) => [`${p.runs[0]}|${p.runs[1]}`, p.reason]));
  const notCompared = new Map<string, string>();
  order.forEach((a, i) =>
    order.forEach((b, j) => {
      if (j <= i || values[i]?.[j] !== null) return;
      notCompared.set(`${i}|${j}`, reasons.get(`${a.name}|${b.name}`) ?? reasons.get(`${b.name}|${a.name}`) ?? 'not compared');
    }),
  );
  let max = 0;
  values.forEach((row, i) => row.forEach((v, j) => i !== j && v !== null && Number.isFinite(v) && (max = Math.max(max, v))));
  const groups = order.map((r) => r.group);
  const { within, between } = pairSummaries(groups, values);
  return {
    metric,
    runs: order.map(({ index: _index, ...r }) => r),
    values,
    notCompared,
    max: max > 0 ? max : 1,
    within: Object.entries(within).map(([group, summary]) => ({ group, summary })),
    between: Object.entries(between).map(([key, summary]) => {
      const [a = '', b = ''] = key.split('|');
      return { a, b, summary };
    }),
  };
}

/** "0.412 ± 0.031 (3 pairs)" */
export function summaryText(s: PairSummary): string {
  return `${fmt(s.mean)}${s.sd !== null ? ` ± ${fmt(s.sd)}` : ''} (${s.pairs} pair${s.pairs === 1 ? '' : 's'})`;
}

/** The matrix as shown (display order), for Copy as CSV / Markdown. */
export function heatmapTable(m: HeatmapModel): TableData {
  return {
    title: `Dissimilarity, ${METRIC_TEXT[m.metric].title}`,
    columns: ['run', ...m.runs.map((r) => r.name)],
    rows: m.runs.map((r, i) => [r.name, ...m.runs.map((_, j) => fmt(m.values[i]?.[j] ?? null, 4))]),
  };
}
