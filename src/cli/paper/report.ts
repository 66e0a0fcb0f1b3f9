/**
 * The paper's table from stored runs: per task and regime, each measure of
 * docs/science.md §5.1 as mean ± sd over the seeds that learned the task, beside the
 * paper's published value; written as table.csv and report.md.
 */
import type { RunMetrics } from '../../core/metrics';
import type { DissimilarityResult } from '../../core/analysis/dissimilarity-matrix';
import { duration } from '../progress';
import { learnedLoss } from '../../core/evaluate';
import { offStartNote } from '../table';
import { MEASURE_LABELS, MEASURE_SECTIONS, PAPER_MEASURES, TASK_LABELS, paperValue, type PaperMeasure, type PaperTask, type Regime } from './reference';

export interface TaskRuns {
  task: PaperTask;
  /** what the runs were trained with, in words (N, steps, weights trained, ...) */
  settings: string;
  runs: { name: string; regime: Regime; metrics: RunMetrics }[];
  /** over the learned runs of the task */
  dissimilarity?: DissimilarityResult;
  /** runs of the spec without a complete folder */
  missing: string[];
}

export interface Cell {
  task: PaperTask;
  regime: Regime;
  measure: PaperMeasure;
  mean: number | null;
  sd: number | null;
  /** values averaged (learned seeds; pairs for the dissimilarity) */
  n: number;
  paper: number;
}

const REGIMES: readonly Regime[] = ['aligned', 'oblique'];

function stats(xs: number[]): { mean: number | null; sd: number | null; n: number } {
  const v = xs.filter((x) => Number.isFinite(x));
  if (!v.length) return { mean: null, sd: null, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : null;
  return { mean, sd, n: v.length };
}

/** One cell per task, regime and measure. Runs that have not learned their task are left out. */
export function paperCells(tasks: readonly TaskRuns[]): Cell[] {
  const cells: Cell[] = [];
  for (const t of tasks) {
    for (const regime of REGIMES) {
      const learned = t.runs.filter((r) => r.regime === regime && r.metrics.learned !== false).map((r) => r.metrics);
      for (const measure of PAPER_MEASURES) {
        let s: { mean: number | null; sd: number | null; n: number };
        if (measure === 'dissim') {
          const w = t.dissimilarity?.within[regime];
          s = w ? { mean: w.mean, sd: w.sd, n: w.pairs } : { mean: null, sd: null, n: 0 };
        } else {
          s = stats(learned.map((m) => (m[measure] ?? Number.NaN) as number));
        }
        cells.push({ task: t.task, regime, measure, ...s, paper: paperValue(t.task, regime, measure) });
      }
    }
  }
  return cells;
}

export function tableCsv(cells: readonly Cell[]): string {
  const num = (x: number | null) => (x === null ? '' : String(+x.toPrecision(6)));
  const lines = ['task,regime,measure,mean,sd,n,paper,ratio_to_paper'];
  for (const c of cells) lines.push([c.task, c.regime, c.measure, num(c.mean), num(c.sd), c.n, num(c.paper), num(c.mean === null ? null : c.mean / c.paper)].join(','));
  return lines.join('\n') + '\n';
}

function fmt(x: number | null, digits = 3): string {
  if (x === null) return '–';
  const a = Math.abs(x);
  // toPrecision's trailing zeros go (0.650 -> 0.65): the digits shown are the digits known
  return a !== 0 && (a < 0.01 || a >= 1000) ? x.toExponential(1) : String(Number(x.toPrecision(digits)));
}

function cellText(c: Cell | undefined): string {
  if (!c || c.mean === null) return '–';
  return `${fmt(c.mean)}${c.sd !== null ? ` ± ${fmt(c.sd, 2)}` : ''} (${c.n})`;
}

export interface ReportInput {
  scale: string;
  tasks: readonly TaskRuns[];
  cells: readonly Cell[];
  figures: readonly { file: string; title: string }[];
  /** wall time of the command that wrote the report, seconds (training included) */
  seconds: number;
  command: string;
}

export function reportMarkdown(r: ReportInput): string {
  const out: string[] = [];
  out.push(`# The paper's main experiment, scale \`${r.scale}\``, '');
  out.push(
    'Schuessler, Mastrogiuseppe, Ostojic & Barak (eLife 2024), the five tasks × small (aligned) and large (oblique) initial output weights',
    '(docs/science.md §5.1). Each cell: mean ± sd over the seeds that learned the task (noise-free evaluation loss ≤ `evaluation.learned_threshold`),',
    'with the number of seeds (pairs of seeds for the dissimilarity) in parentheses, beside the paper\'s value at N = 512 (5 seeds, read off its',
    'figures to about ±10 %). ρ falls like 1/√N in the oblique regime, so at another N compare ρ√N; ‖x‖ grows like √N.',
    '',
    `Made by \`${r.command}\`, which took ${duration(r.seconds)} (training the runs not stored before). Data: \`table.csv\` (one row per task, regime and measure).`,
    '',
  );
  for (const t of r.tasks) {
    out.push(`## ${TASK_LABELS[t.task]}`, '', t.settings, '');
    const by = (regime: Regime, m: PaperMeasure) => r.cells.find((c) => c.task === t.task && c.regime === regime && c.measure === m);
    out.push('| measure | aligned | paper | oblique | paper |', '|---|---|---|---|---|');
    for (const m of PAPER_MEASURES) {
      out.push(`| ${MEASURE_LABELS[m]} (§${MEASURE_SECTIONS[m]}) | ${cellText(by('aligned', m))} | ${fmt(by('aligned', m)?.paper ?? null)} | ${cellText(by('oblique', m))} | ${fmt(by('oblique', m)?.paper ?? null)} |`);
    }
    out.push('');
    const notes: string[] = [];
    for (const run of t.runs) {
      const m = run.metrics;
      if (m.learned === false) notes.push(`- ${run.name} has not learned the task (eval loss ${fmt(learnedLoss(m), 2)} > ${m.learned_threshold}); left out of the means.`);
      else if (m.perturbation_skipped) notes.push(`- ${run.name}: no relative susceptibility (${m.perturbation_skipped}).`);
      const offStart = offStartNote(m);
      if (offStart) notes.push(`- ${offStart}`);
      if (m.stopped) notes.push(`- ${run.name} was stopped after ${m.steps} steps.`);
    }
    if (t.missing.length) notes.push(`- Not trained (yet): ${t.missing.join(', ')}. Run the same command again to train them; finished runs are kept.`);
    if (notes.length) out.push(...notes, '');
  }
  if (r.figures.length) {
    out.push('## Figures', '');
    for (const f of r.figures) out.push(`### ${f.title}`, '', `![${f.title}](${f.file})`, '');
  }
  return out.join('\n');
}
