/**
 * The summary printed after `rnnlab train`, by `rnnlab collect` and by `rnnlab compare`:
 * one row per variant and grid point (for an N sweep: one row per variant and N, so rho
 * and rho*sqrtN can be read down the column), each measure as mean ± sample standard
 * deviation over the seeds, with marks and notes under the table for what a reader must
 * know before trusting a row: a run stopped early (*), a run that has not learned its
 * task (!, docs/science.md §6), a single seed (no spread), a measure that was skipped.
 */
import type { RunMetrics } from '../core/metrics';
import type { SweepValue } from '../core/types';
import { coordinateLabels } from '../spec/sweep';
import { at } from '../core/checked';
import { learnedLoss } from '../core/evaluate';

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
  // stored runs from before these measures existed have no such key
  { head: 'noise t>=t_min', get: (m) => m.noise_ratio_tmin ?? null, digits: 2 },
  { head: 'rel. susc.', get: (m) => m.rel_susceptibility ?? null, digits: 2 },
  { head: 'eval loss', get: (m) => m.eval_loss, digits: 4 },
  { head: 'ms/step', get: (m) => m.ms_per_step, digits: 0 },
];

/** Mean and spread of a measure over the pairs of seeds of one row (the dissimilarity). */
export interface PairSummary {
  mean: number;
  sd: number;
  /** pairs averaged */
  pairs: number;
}

export interface TableExtras {
  /** dissimilarity within each row, by rowLabel(variant, coordinates): the "dissim." column */
  dissimilarity?: Readonly<Record<string, PairSummary>>;
}

/** Marks after the variant's name, explained under the table. */
const STOPPED = '*';
const NOT_LEARNED = '!';
const ONE_SEED = '¹';

/** The swept keys of these runs, in the order their first run has them. */
export function sweptKeys(runs: readonly TableRun[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.coordinates ?? {})))];
}

export function coordinateText(v: SweepValue | undefined): string {
  if (v === undefined) return '-';
  return Array.isArray(v) ? v.join('+') : String(v);
}

/** A row's name: the variant, and its grid point in a sweep, e.g. "oblique [network.N=64]". */
export function rowLabel(variant: string, coordinates: Record<string, SweepValue> = {}): string {
  const at = Object.entries(coordinates).map(([k, v]) => `${k}=${coordinateText(v)}`);
  return at.length ? `${variant} [${at.join(', ')}]` : variant;
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

export function summaryTable(runs: readonly TableRun[], extras: TableExtras = {}): string {
  const keys = sweptKeys(runs);
  const labels = coordinateLabels(keys);
  const dissim = extras.dissimilarity;
  const lead = ['variant', ...keys.map((k) => labels.get(k) ?? k), 'seeds'];
  const header = [...lead, ...COLUMNS.map((c) => c.head), ...(dissim ? ['dissim.'] : [])];
  const groups = groupRuns(runs);
  const rows = groups.map((g) => {
    const marks = (g.runs.some((m) => m.stopped) ? STOPPED : '') + (g.runs.some((m) => m.learned === false) ? NOT_LEARNED : '') + (g.runs.length === 1 ? ONE_SEED : '');
    const d = dissim?.[rowLabel(g.variant, g.coordinates)];
    return [
      g.variant + (marks ? ` ${marks}` : ''),
      ...keys.map((k) => coordinateText(g.coordinates[k])),
      String(g.runs.length),
      ...COLUMNS.map((c) => cell(g.runs.map(c.get), g.runs.length, c.digits)),
      ...(dissim ? [d && d.pairs > 0 ? spread(d.mean, d.pairs > 1 ? d.sd : undefined, 3) : '-'] : []),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => at(r, i).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const table = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const notes = tableNotes(runs, groups.some((g) => g.runs.length === 1), Boolean(dissim));
  return [...table, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** The lines under the table. */
function tableNotes(runs: readonly TableRun[], oneSeed: boolean, withDissim: boolean): string[] {
  const notes: string[] = ['Values are mean±sd over seeds; "(n)" after a value: only n of the seeds have it.'];
  for (const m of runs) if (m.stopped) notes.push(`${STOPPED} ${m.name} was stopped after ${m.steps} steps: its measures are of a shorter training.`);
  if (oneSeed) notes.push(`${ONE_SEED} one seed: no spread to judge by; seeds: 3 or more show how much each measure varies.`);
  for (const m of runs) {
    if (m.learned !== false) continue;
    notes.push(`${NOT_LEARNED} ${m.name}: eval loss ${fmtLoss(learnedLoss(m))} > ${m.learned_threshold}: the measures of a network that has not learned the task do not show its regime.`);
  }
  for (const m of runs) {
    const note = offStartNote(m);
    if (note) notes.push(note);
  }
  for (const m of runs) {
    if (m.learned !== false && m.perturbation_skipped) notes.push(`rel. susc. of ${m.name} not computed: ${m.perturbation_skipped}`);
  }
  if (runs.some((m) => m.noise_ratio_tmin != null)) {
    notes.push(`noise t>=t_min: the noise ratio without the first t_min time units (ours; the paper's "noise ratio" pools all time points).`);
  }
  if (withDissim) notes.push('dissim.: angular Procrustes distance (rad) between the seeds of a row, mean±sd over pairs (docs/science.md §4.7).');
  return notes;
}

/**
 * A learned run whose loss from x_0 = h_0, where the measures are taken (docs/science.md §4.0),
 * is above the threshold: training never starts there when sigma_init > 0 (Romo, docs/analyses.md).
 */
export function offStartNote(m: Pick<RunMetrics, 'name' | 'learned' | 'eval_loss' | 'eval_loss_x0rand' | 'learned_threshold'>): string | undefined {
  const fromTrained = m.eval_loss_x0rand;
  if (m.learned === false || typeof fromTrained !== 'number' || !(m.eval_loss > m.learned_threshold)) return undefined;
  return `${m.name}: learned (eval loss ${fmtLoss(fromTrained)} from the initial states of training), but ${fmtLoss(m.eval_loss)} from x_0 = h_0, where the measures are taken as in the paper: a start training never visits.`;
}

function fmtLoss(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(2) : String(x);
}

/** Mean and sample standard deviation of the finite values, or undefined when there are none. */
export function meanSd(values: readonly (number | null)[]): { mean: number; sd: number | undefined; n: number } | undefined {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!xs.length) return undefined;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : undefined;
  return { mean, sd, n: xs.length };
}

/** mean±sd; "(n)" when fewer than the row's seeds have a value. */
function cell(values: (number | null)[], seeds: number, digits: number): string {
  const s = meanSd(values);
  if (s === undefined) return '-';
  return spread(s.mean, s.sd, digits) + (s.n < seeds ? ` (${s.n})` : '');
}

function spread(mean: number, sd: number | undefined, digits: number): string {
  return sd === undefined ? mean.toFixed(digits) : `${mean.toFixed(digits)}±${sd.toFixed(digits)}`;
}
