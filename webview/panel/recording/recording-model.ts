/**
 * What the recordings page says, independent of the DOM: the measures table, the
 * subsampling chart, the caption under the 3D view and the sentence that places the
 * recording between aligned and oblique (docs/science.md §4.9). The placement reads two
 * signatures the paper compares across datasets; it never claims more than they show.
 */
import type { RecordingMeasures } from '../../../src/protocol';
import type { RecordingView } from '../../../src/core/recording/view';
import { fmt, percent } from '../format';
import type { Rgb } from '../colour';
import type { ChartModel } from '../views/charts/chart-model';
import type { TableData } from '../views/table-data';

const num = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : fmt(x, digits));

/** Readout names as the 3D view labels them. */
export const readoutName = (i: number, n: number) => (n === 1 ? 'w_out' : `w_out${i + 1}`);

export function measuresTable(m: RecordingMeasures, view: RecordingView | undefined): TableData {
  const rows: string[][] = [
    ['ρ', num(m.rho), 'cycling 0.04–0.07 · NLB ≈ 0.14 · BCI 0.17–0.23'],
    ['ρ√N', num(m.rho_sqrtN), ''],
    ['D_var (D_x,90: PCs for 90 % of the variance)', String(m.d_var), ''],
    ['D_fit (PCs for 0.9 of the decoder’s R²)', m.d_fit === null ? '–' : String(m.d_fit), ''],
    ['relative fitting dimension D_fit / D_var', num(m.rel_fit_dim, 2), 'cycling ≈ 0.75 · NLB 0.45–0.5 · BCI 0.03–0.35'],
    ['participation ratio', num(m.participation_ratio, 3), ''],
    ['decoder R² (in-sample)', num(m.r2), ''],
    ['subsampling slope of log ρ√n on log n', num(m.subsample_slope, 2), 'cycling ≈ 0 (flat) · NLB, BCI ≈ 1/4'],
    ...(view ? view.readouts.map((r, i) => [`projected fraction of ${readoutName(i, view.readouts.length)} on PC1–3`, percent(r.fraction), '']) : []),
    ['neurons N · samples · outputs', `${m.N} · ${m.samples} · ${m.outputs}`, ''],
    ['ridge α (leave-one-out)', num(m.alpha, 2), ''],
  ];
  return { title: 'Recording measures', columns: ['measure', 'value', 'the paper’s data (Figs 7, 8)'], rows };
}

/** ρ√n against n, log-log, with the fitted power law n^slope through the points' centre. */
/** The theme's colours the chart uses (a Theme fits). */
export interface ChartColours {
  series: readonly Rgb[];
  foreground: Rgb;
  muted: Rgb;
}

export function subsamplingModel(m: RecordingMeasures, theme: ChartColours): ChartModel {
  const pts = m.subsample.filter((p) => p.n > 0 && Number.isFinite(p.mean) && p.mean > 0);
  const colour = theme.series[0] ?? theme.foreground;
  const fitColour = theme.series[1] ?? theme.muted;
  let fit: (number | null)[] = pts.map(() => null);
  if (m.subsample_slope !== null && pts.length >= 2) {
    // the least-squares line passes through (mean log n, mean log ρ√n)
    const mx = pts.reduce((s, p) => s + Math.log(p.n), 0) / pts.length;
    const my = pts.reduce((s, p) => s + Math.log(p.mean), 0) / pts.length;
    const slope = m.subsample_slope;
    fit = pts.map((p) => Math.exp(my + slope * (Math.log(p.n) - mx)));
  }
  const slopeText = m.subsample_slope === null ? '' : `, fitted slope ${fmt(m.subsample_slope, 2)}`;
  return {
    title: `ρ√n over neuron subsets (log-log${slopeText})`,
    x: pts.map((p) => p.n),
    ys: [pts.map((p) => p.mean), fit],
    series: [
      { label: 'mean ρ√n', colour, style: 'line+points' },
      { label: 'fit', colour: fitColour, style: 'line', dash: [5, 4] },
    ],
    xLabel: 'neurons kept n',
    yLabel: 'ρ√n',
    xLog: true,
    yLog: true,
    legend: [
      { label: `mean ρ√n over ${pts[0]?.draws ?? 0} draws`, colour, style: 'line+points' },
      { label: m.subsample_slope === null ? 'no fit' : `n^${fmt(m.subsample_slope, 2)} (least squares)`, colour: fitColour, style: 'line', dash: [5, 4] },
    ],
    empty: 'No subsampling points.',
  };
}

/** Under the 3D view: how much of each readout lies in the top-3 PC space, and what the PCs explain. */
export function caption(view: RecordingView): string {
  const n = view.readouts.length;
  const parts = view.readouts.map((r, i) => `${readoutName(i, n)} ${percent(r.fraction)}`);
  const ev = view.explained_variance.map((v, j) => `PC${j + 1} ${percent(v)}`).join(', ');
  const drawn = view.trials > 1 ? `${view.projection.trials.length} of ${view.trials} trials` : 'the samples in order';
  return `Projected fraction of the decoder's readout on PC1–3: ${parts.join(', ')} of its length (1 = inside the view). Variance explained: ${ev}. Drawn: ${drawn}.`;
}

type Lean = 'aligned' | 'oblique' | 'between' | 'unknown';

/**
 * The two signatures of docs/science.md §4.9 read with the paper's datasets as the
 * yardstick (BCI and NLB aligned-like, cycling oblique-like): a relative fitting
 * dimension up to 0.5 or a growing ρ√n (slope ≥ 0.15) lean aligned; 0.7 or more, or a
 * flat ρ√n (slope < 0.1), lean oblique.
 */
export function placement(m: RecordingMeasures): { lean: Lean; text: string } {
  const rel = m.rel_fit_dim;
  const slope = m.subsample_slope;
  const fitLean: Lean = rel === null ? 'unknown' : rel <= 0.5 ? 'aligned' : rel >= 0.7 ? 'oblique' : 'between';
  const slopeLean: Lean = slope === null ? 'unknown' : slope >= 0.15 ? 'aligned' : slope < 0.1 ? 'oblique' : 'between';
  const fitText =
    rel === null
      ? 'no number of PCs reaches 0.9 of the decoder’s R²'
      : `the decoder needs ${m.d_fit} PC${m.d_fit === 1 ? '' : 's'} for 0.9 of its R², where ${m.d_var} hold 90 % of the variance (D_fit/D_var ${fmt(rel, 2)}: ${fitLean === 'aligned' ? 'fewer, aligned-like' : fitLean === 'oblique' ? 'as many or more, oblique-like' : 'in between'})`;
  const slopeText =
    slope === null
      ? 'the subsampling gives no slope'
      : `ρ√n ${slopeLean === 'aligned' ? 'grows' : slopeLean === 'oblique' ? 'stays flat' : 'grows slightly'} with the neurons kept (slope ${fmt(slope, 2)}: ${slopeLean === 'aligned' ? 'aligned-like' : slopeLean === 'oblique' ? 'oblique-like' : 'in between'})`;
  const lean: Lean = fitLean === slopeLean ? fitLean : fitLean === 'unknown' ? slopeLean : slopeLean === 'unknown' ? fitLean : 'between';
  const head = lean === 'aligned' ? 'Leans aligned' : lean === 'oblique' ? 'Leans oblique' : lean === 'between' ? 'Mixed signatures' : 'Not placed';
  return {
    lean,
    text: `${head}: ${fitText}; ${slopeText}. These are the paper's two signatures for comparing datasets (docs/science.md §4.9), not a classification; ρ itself depends on N and has no threshold.`,
  };
}
