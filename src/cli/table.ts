/**
 * The summary printed after `rnnlab train`: one row per variant, each measure as the
 * mean over seeds with the spread (sample standard deviation) when there are several.
 */
import type { RunMetrics } from '../core/metrics';

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

export function summaryTable(runs: readonly RunMetrics[]): string {
  const byVariant = new Map<string, RunMetrics[]>();
  for (const r of runs) byVariant.set(r.variant, [...(byVariant.get(r.variant) ?? []), r]);
  const header = ['variant', 'seeds', ...COLUMNS.map((c) => c.head)];
  const rows = [...byVariant].map(([variant, ms]) => [variant, String(ms.length), ...COLUMNS.map((c) => cell(ms.map(c.get), c.digits))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function cell(values: (number | null)[], digits: number): string {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!xs.length) return '-';
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return mean.toFixed(digits);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return `${mean.toFixed(digits)}±${sd.toFixed(digits)}`;
}
