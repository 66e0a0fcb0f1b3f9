/**
 * The summary printed after `rnnlab train` and by `rnnlab collect`: one row per variant
 * and grid point (for an N sweep: one row per variant and N, so rho and rho*sqrtN can be
 * read down the column), each measure as the mean over seeds with the spread (sample
 * standard deviation) when there are several. A variant marked * has a run that was
 * stopped early (its measures are of a shorter training).
 */
import type { RunMetrics } from '../core/metrics';
import type { SweepValue } from '../core/types';
import { coordinateLabels } from '../spec/sweep';

/** A finished run as the table sees it: its measures and, in a sweep, its grid point. */
export type TableRun = RunMetrics & { coordinates?: Record<string, SweepValue> };

interface Column {
  head: string;
  get(m: RunMetrics): number | null;
  digits: number;
}

const COLUMNS: Column[] = [
  { head: 'rho', get: (m) => m.rho, digits: 3 },
  { head: 'rho*sqrtN', get: (m) => m.rho_sqrtN, digits: 2 },
  { head: '|w_out|', get: (m) => m.w_out_norm, digits: 3 },
  { head: '|x|', get: (m) => m.x_norm, digits: 1 },
  { head: 'D_x90', get: (m) => m.dx90, digits: 1 },
  { head: 'D_fit90', get: (m) => m.dfit90, digits: 1 },
  { head: 'noise ratio', get: (m) => m.noise_ratio, digits: 2 },
  { head: 'eval loss', get: (m) => m.eval_loss, digits: 4 },
  { head: 'ms/step', get: (m) => m.ms_per_step, digits: 0 },
];

/** The swept keys of these runs, in the order their first run has them. */
export function sweptKeys(runs: readonly TableRun[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.coordinates ?? {})))];
}

export function coordinateText(v: SweepValue | undefined): string {
  if (v === undefined) return '-';
  return Array.isArray(v) ? v.join('+') : String(v);
}

/** Runs grouped by variant and grid point, in the order of their first run. */
export function groupRuns(runs: readonly TableRun[]): { variant: string; coordinates: Record<string, SweepValue>; runs: TableRun[] }[] {
  const groups = new Map<string, { variant: string; coordinates: Record<string, SweepValue>; runs: TableRun[] }>();
  for (const r of runs) {
    const key = JSON.stringify([r.variant, r.coordinates ?? {}]);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { variant: r.variant, coordinates: r.coordinates ?? {}, runs: [r] });
    else g.runs.push(r);
  }
  return [...groups.values()];
}

export function summaryTable(runs: readonly TableRun[]): string {
  const keys = sweptKeys(runs);
  const labels = coordinateLabels(keys);
  const lead = ['variant', ...keys.map((k) => labels.get(k) ?? k), 'seeds'];
  const header = [...lead, ...COLUMNS.map((c) => c.head)];
  const rows = groupRuns(runs).map((g) => [
    `${g.variant}${g.runs.some((m) => m.stopped) ? '*' : ''}`,
    ...keys.map((k) => coordinateText(g.coordinates[k])),
    String(g.runs.length),
    ...COLUMNS.map((c) => cell(g.runs.map(c.get), c.digits)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Mean and sample standard deviation of the finite values, or undefined when there are none. */
export function meanSd(values: readonly (number | null)[]): { mean: number; sd: number | undefined; n: number } | undefined {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!xs.length) return undefined;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : undefined;
  return { mean, sd, n: xs.length };
}

function cell(values: (number | null)[], digits: number): string {
  const s = meanSd(values);
  if (s === undefined) return '-';
  return s.sd === undefined ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)}±${s.sd.toFixed(digits)}`;
}
