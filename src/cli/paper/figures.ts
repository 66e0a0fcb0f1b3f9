/**
 * The report's figures as SVG, drawn with Vega-Lite and rendered by Vega in Node without
 * a browser (View.toSVG). One figure per measure (ours, mean ± sd over seeds, beside the
 * paper's value, per task and regime) and the perturbation curves (the paper's Fig 5:
 * loss against the kick's size along w_out and along the leading PCs).
 */
import type { Cell } from './report';
import { MEASURE_LABELS, PAPER_MEASURES, PAPER_TASKS, TASK_LABELS, type PaperMeasure, type PaperTask, type Regime } from './reference';

/** Tasks in the paper's order, not alphabetically. */
const TASK_ORDER = PAPER_TASKS.map((t) => TASK_LABELS[t]);

/** Mean loss over perturbation times and seeds against A/sqrt(N), per task, regime and direction. */
export interface PerturbationCurve {
  task: PaperTask;
  regime: Regime;
  direction: string;
  /** A / sqrt(N) */
  amplitude: number;
  loss: number;
}

const COLORS = { domain: ['aligned', 'oblique'], range: ['#1f77b4', '#d62728'] };
/** Measures whose values span decades: drawn on a log axis. */
const LOG: ReadonlySet<PaperMeasure> = new Set(['rho', 'rho_sqrtN', 'w_out_norm', 'noise_ratio']);

async function render(spec: object): Promise<string> {
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const compiled = vl.compile(spec as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One measure: ours (filled, with ±sd bars) and the paper (open diamonds) per task, coloured by regime. */
export function measureSpec(cells: readonly Cell[], measure: PaperMeasure): object {
  const log = LOG.has(measure);
  // a log axis cannot show mean - sd <= 0: the bar stops at a tenth of the mean
  const ours = cells.flatMap((c) => {
    if (c.measure !== measure || c.mean === null) return [];
    const sd = c.sd ?? 0;
    return [{ task: TASK_LABELS[c.task], regime: c.regime, value: c.mean, low: log ? Math.max(c.mean - sd, c.mean / 10) : c.mean - sd, high: c.mean + sd, n: c.n }];
  });
  const paper = cells.filter((c) => c.measure === measure).map((c) => ({ task: TASK_LABELS[c.task], regime: c.regime, value: c.paper }));
  const y = { field: 'value', type: 'quantitative', title: MEASURE_LABELS[measure], scale: log ? { type: 'log' } : { zero: measure === 'rel_susceptibility' } };
  const x = { field: 'task', type: 'nominal', title: null, sort: TASK_ORDER, axis: { labelAngle: 0 } };
  const xOffset = { field: 'regime', type: 'nominal' };
  const color = { field: 'regime', type: 'nominal', scale: COLORS, title: 'regime' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${MEASURE_LABELS[measure]}: this run (filled, ±sd) and the paper (open diamond)`,
    width: 420,
    height: 220,
    layer: [
      { data: { values: ours }, mark: { type: 'rule' }, encoding: { x, xOffset, y: { ...y, field: 'low' }, y2: { field: 'high' }, color } },
      { data: { values: ours }, mark: { type: 'point', filled: true, size: 70 }, encoding: { x, xOffset, y, color, tooltip: [{ field: 'value', format: '.3g' }, { field: 'n' }] } },
      { data: { values: paper }, mark: { type: 'point', shape: 'diamond', filled: false, size: 110, strokeWidth: 1.5 }, encoding: { x, xOffset, y, color } },
    ],
  };
}

/** Loss against A / sqrt(N): solid along w_out, dashed along the PCs; one panel per task. */
export function perturbationSpec(curves: readonly PerturbationCurve[]): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Perturbations: loss after a kick of size A along w_out (solid) and along the top-2 PCs (dashed)',
    data: { values: curves.filter((c) => c.direction === 'w_out' || c.direction === 'pc').map((c) => ({ ...c, task: TASK_LABELS[c.task] })) },
    facet: { field: 'task', type: 'nominal', title: null, sort: TASK_ORDER },
    columns: 3,
    spec: {
      width: 200,
      height: 150,
      mark: { type: 'line', point: false },
      encoding: {
        x: { field: 'amplitude', type: 'quantitative', title: 'A / √N' },
        y: { field: 'loss', type: 'quantitative', title: 'loss' },
        color: { field: 'regime', type: 'nominal', scale: COLORS },
        strokeDash: { field: 'direction', type: 'nominal', scale: { domain: ['w_out', 'pc'], range: [[1, 0], [5, 3]] } },
        detail: { field: 'regime' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Every figure of the report, as file name, title and SVG text. */
export async function paperFigures(cells: readonly Cell[], curves: readonly PerturbationCurve[]): Promise<{ file: string; title: string; svg: string }[]> {
  const out: { file: string; title: string; svg: string }[] = [];
  for (const m of PAPER_MEASURES) {
    if (!cells.some((c) => c.measure === m && c.mean !== null)) continue;
    out.push({ file: `figures/${m}.svg`, title: MEASURE_LABELS[m], svg: await render(measureSpec(cells, m)) });
  }
  if (curves.length) out.push({ file: 'figures/perturbation.svg', title: 'Perturbation curves (Fig 5)', svg: await render(perturbationSpec(curves)) });
  return out;
}
