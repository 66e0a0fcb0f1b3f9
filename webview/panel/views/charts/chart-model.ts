/**
 * What a 2D chart shows, independent of how it is drawn: the uPlot chart on screen and
 * the SVG (and PNG) export draw the same model, so an exported figure is the chart.
 */
import type { Rgb } from '../../colour';

export interface ChartSeries {
  label: string;
  colour: Rgb;
  /** line drawn (default), or points only (evaluations on the loss chart) */
  style: 'line' | 'points' | 'line+points';
  /** dashed line: a second quantity of the same run (e.g. R² beside explained variance) */
  dash?: readonly number[];
  /** lighter: a later seed of the same variant */
  faded?: boolean;
}

/** A vertical marker at x (D_x90, D_fit90) with a short label. */
export interface ChartMark {
  x: number;
  label: string;
  colour: Rgb;
  dash?: readonly number[];
}

export interface ChartModel {
  title: string;
  /** shared x values, ascending */
  x: number[];
  /** one array per series, aligned with x; null where a series has no value */
  ys: (number | null)[][];
  series: ChartSeries[];
  xLabel: string;
  yLabel: string;
  yLog?: boolean;
  /** log x axis (positive x only), e.g. neurons kept in the subsampling curve */
  xLog?: boolean;
  /** fixed y range (e.g. 0..1 for a fraction); else fitted */
  yRange?: [number, number];
  /** integer x values only (k of the PCs) */
  xIntegers?: boolean;
  marks?: ChartMark[];
  /** horizontal reference lines, e.g. the 0.9 threshold */
  hLines?: { y: number; label: string }[];
  /** legend entries (colour, label), e.g. one per variant */
  legend: { label: string; colour: Rgb; style: ChartSeries['style']; dash?: readonly number[] }[];
  /** said in place of the plot when there is nothing to draw */
  empty: string;
}

export function hasData(m: ChartModel): boolean {
  return m.ys.some((y) => y.some((v) => v !== null && Number.isFinite(v) && (!m.yLog || v > 0)));
}

/** Merges per-series (x, y) points onto one ascending x axis, null elsewhere. */
export function alignSeries(points: { x: number; y: number | null }[][]): { x: number[]; ys: (number | null)[][] } {
  const xs = [...new Set(points.flatMap((p) => p.map((q) => q.x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = points.map((p) => {
    const y: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const q of p) {
      const i = index.get(q.x);
      if (i !== undefined) y[i] = q.y !== null && Number.isFinite(q.y) ? q.y : null;
    }
    return y;
  });
  return { x: xs, ys };
}

/** The y range of the data (positive values only on a log axis), with a little room. */
export function dataRange(m: ChartModel): [number, number] {
  if (m.yRange) return m.yRange;
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of m.ys) {
    for (const v of y) {
      if (v === null || !Number.isFinite(v) || (m.yLog && v <= 0)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  for (const h of m.hLines ?? []) {
    lo = Math.min(lo, h.y);
    hi = Math.max(hi, h.y);
  }
  if (!Number.isFinite(lo)) return m.yLog ? [0.01, 1] : [0, 1];
  if (m.yLog) {
    const span = Math.max(0.3, Math.log10(hi) - Math.log10(lo));
    return [10 ** (Math.log10(lo) - 0.06 * span), 10 ** (Math.log10(hi) + 0.06 * span)];
  }
  if (hi === lo) return [lo - (Math.abs(lo) || 1) * 0.5, hi + (Math.abs(hi) || 1) * 0.5];
  const pad = (hi - lo) * 0.06;
  return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
}

/** Round tick values: 1, 2 or 5 times a power of ten apart (linear), or the decades and 2, 5 (log). */
export function ticks(lo: number, hi: number, count: number, log: boolean): number[] {
  if (!(hi > lo)) return [lo];
  if (log) {
    const out: number[] = [];
    const span = Math.log10(hi) - Math.log10(lo);
    const digits = span >= 2.5 ? [1] : span >= 0.7 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
    for (let d = Math.floor(Math.log10(lo)); d <= Math.ceil(Math.log10(hi)); d++) {
      for (const m of digits) {
        const v = m * 10 ** d;
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}
