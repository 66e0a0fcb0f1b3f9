/**
 * The charts of a session, as ChartModels: the training loss (with the evaluation losses),
 * the measures over training (ρ, ρ√N, noise ratio, eval loss: one point per evaluation),
 * and the curves behind the dimensions (cumulative explained variance, R² of the output
 * fit on k PCs) with D_x,90 and D_fit,90 marked (docs/science.md §4.3, 4.4). One colour
 * per variant, the same as its 3D view's; later seeds lighter.
 */
import type { Rgb } from '../colour';
import { lossCount, type MeasureKey, type RunEntry, type Session } from '../session';
import type { PanelStore } from '../store';
import type { Theme } from '../theme';
import { alignSeries, type ChartMark, type ChartModel, type ChartSeries } from './charts/chart-model';

const GREY: Rgb = [128, 128, 128];

function colourOf(session: Session, theme: Theme, entry: RunEntry): Rgb {
  return theme.series[session.colourIndex(session.groupOf(entry)) % theme.series.length] ?? GREY;
}

function variantLegend(session: Session, theme: Theme): ChartModel['legend'] {
  return session.variants().map((g) => ({ label: g, colour: theme.series[session.colourIndex(g) % theme.series.length] ?? GREY, style: 'line' as const }));
}

/** A run's label in a chart: its variant, and its seed when the session has several. */
function runLabel(session: Session, e: RunEntry): string {
  return session.seeds().length > 1 && session.kind !== 'compare' ? `${session.groupOf(e)} seed ${e.run.training.seed}` : session.groupOf(e);
}

export function lossModel(store: PanelStore, theme: Theme): ChartModel {
  const s = store.shown;
  const series: ChartSeries[] = [];
  const points: { x: number; y: number | null }[][] = [];
  for (const e of s.runs) {
    const colour = colourOf(s, theme, e);
    const faded = e.run.seed_index > 0;
    const line: { x: number; y: number | null }[] = [];
    for (let i = 0, n = lossCount(e); i < n; i++) line.push({ x: i + 1, y: e.losses[i] ?? null });
    series.push({ label: `${runLabel(s, e)} train`, colour, style: 'line', faded });
    points.push(line);
    series.push({ label: `${runLabel(s, e)} eval`, colour, style: 'points', faded });
    points.push(e.evaluations.map((p) => ({ x: p.step, y: p.eval_loss ?? null })));
  }
  const { x, ys } = alignSeries(points);
  return {
    title: 'Loss',
    x,
    ys,
    series,
    xLabel: 'step',
    yLabel: 'loss (log)',
    yLog: true,
    legend: [...variantLegend(s, theme), { label: 'eval loss', colour: theme.muted, style: 'points' }],
    empty: 'The loss appears here once training starts.',
  };
}

export const OVER_TRAINING: readonly { key: MeasureKey; title: string; yLabel: string; log?: boolean }[] = [
  { key: 'rho', title: 'ρ over training', yLabel: 'ρ' },
  { key: 'rho_sqrtN', title: 'ρ√N over training', yLabel: 'ρ√N' },
  { key: 'noise_ratio', title: 'Noise ratio over training', yLabel: 'var along w_out / random' },
  { key: 'eval_loss', title: 'Eval loss over training', yLabel: 'eval loss (log)', log: true },
];

export function measureModel(store: PanelStore, theme: Theme, key: MeasureKey, title: string, yLabel: string, log = false): ChartModel {
  const s = store.shown;
  const series: ChartSeries[] = s.runs.map((e) => ({ label: runLabel(s, e), colour: colourOf(s, theme, e), style: 'line+points', faded: e.run.seed_index > 0 }));
  const { x, ys } = alignSeries(s.runs.map((e) => e.evaluations.map((p) => ({ x: p.step, y: p[key] ?? null }))));
  return {
    title,
    x,
    ys,
    series,
    xLabel: 'step',
    yLabel,
    ...(log ? { yLog: true } : {}),
    ...(key === 'noise_ratio' ? { hLines: [{ y: 1, label: '1: no compression' }] } : {}),
    legend: variantLegend(s, theme),
    empty: key === 'noise_ratio' ? 'Appears with each evaluation when the spec analyses noise.' : 'Appears with the first evaluation.',
  };
}

/** Cumulative explained variance (solid) and R² of the output fit on the top k PCs (dashed), per run. */
export function dimensionModels(store: PanelStore, theme: Theme): { variance: ChartModel; fit: ChartModel } {
  const s = store.shown;
  const runs = s.runs.filter((e) => e.explained?.length || e.r2Curve?.length);
  const mk = (which: 'variance' | 'fit'): ChartModel => {
    const series: ChartSeries[] = [];
    const points: { x: number; y: number | null }[][] = [];
    const marks: ChartMark[] = [];
    for (const e of runs) {
      const colour = colourOf(s, theme, e);
      const faded = e.run.seed_index > 0;
      const values = which === 'variance' ? cumulative(e.explained ?? []) : [...(e.r2Curve ?? [])];
      series.push({ label: runLabel(s, e), colour, style: 'line+points', faded });
      points.push(values.map((y, k) => ({ x: k + 1, y: Number.isFinite(y) ? y : null })));
      const d = e.final?.[which === 'variance' ? 'dx90' : 'dfit90'] ?? (e.summary?.[which === 'variance' ? 'dx90' : 'dfit90'] as number | null | undefined);
      if (typeof d === 'number' && Number.isFinite(d)) marks.push({ x: d, label: `${which === 'variance' ? 'D_x,90' : 'D_fit,90'} = ${d} (${runLabel(s, e)})`, colour });
    }
    const { x, ys } = alignSeries(points);
    return {
      title: which === 'variance' ? 'Cumulative explained variance' : 'R² of the output fit on k PCs',
      x,
      ys,
      series,
      xLabel: 'k (PCs)',
      yLabel: which === 'variance' ? 'variance explained' : 'R²',
      yRange: [0, 1],
      xIntegers: true,
      marks,
      hLines: [{ y: 0.9, label: '0.9' }],
      legend: variantLegend(s, theme),
      empty: which === 'variance' ? 'Appears with the first evaluation when the spec analyses dimensions.' : 'Appears with the first evaluation when the spec analyses dimensions.',
    };
  };
  return { variance: mk('variance'), fit: mk('fit') };
}

function cumulative(ratios: readonly number[]): number[] {
  let sum = 0;
  return ratios.map((r) => (sum += r));
}

/** One dash per direction family: the readout solid, as in the paper's Fig 5. */
const DIRECTION_DASH: Record<string, readonly number[] | undefined> = { w_out: undefined, pc: [6, 3], rand: [2, 3], w_in: [8, 3, 2, 3] };
const DIRECTION_LABEL: Record<string, string> = { w_out: 'along w_out', pc: 'along top PCs', rand: 'random', w_in: 'along w_in' };

/**
 * Loss after a kick of amplitude A (in units of √N) along each direction family, averaged
 * over the perturbation times (docs/science.md §4.6): an oblique network shrugs off kicks
 * along w_out that move an aligned one's output.
 */
export function perturbationModel(store: PanelStore, theme: Theme): ChartModel {
  const s = store.shown;
  const runs = s.runs.filter((e) => e.perturbation);
  const series: ChartSeries[] = [];
  const points: { x: number; y: number | null }[][] = [];
  const families = new Set<string>();
  for (const e of runs) {
    const p = e.perturbation;
    if (!p) continue;
    const colour = colourOf(s, theme, e);
    p.directions.forEach((d, i) => {
      families.add(d);
      const dash = DIRECTION_DASH[d];
      series.push({ label: `${runLabel(s, e)} ${DIRECTION_LABEL[d] ?? d}`, colour, style: 'line', faded: e.run.seed_index > 0, ...(dash ? { dash } : {}) });
      points.push(p.amplitudes.map((a, k) => ({ x: a, y: p.loss[i]?.[k] ?? null })));
    });
  }
  const { x, ys } = alignSeries(points);
  return {
    title: 'Loss after a kick, by direction',
    x,
    ys,
    series,
    xLabel: 'amplitude A / √N',
    yLabel: 'loss (log)',
    yLog: true,
    legend: [
      ...variantLegend(s, theme).filter((l) => runs.some((e) => s.groupOf(e) === l.label)),
      ...[...families].map((d) => {
        const dash = DIRECTION_DASH[d];
        return { label: DIRECTION_LABEL[d] ?? d, colour: theme.muted, style: 'line' as const, ...(dash ? { dash } : {}) };
      }),
    ],
    empty: 'Appears when a run that learned its task finishes with perturbation in its analysis list (docs/science.md §4.6).',
  };
}
