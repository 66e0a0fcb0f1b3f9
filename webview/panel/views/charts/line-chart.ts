/**
 * A 2D chart on screen: a ChartModel drawn by uPlot (canvas, no eval; it styles its
 * elements through the CSSOM, which the panel's CSP allows), with the panel's own legend
 * and theme colours. Rendering on demand: invalidate() asks the render scheduler, and
 * only render() touches uPlot, so nothing is drawn while the panel is hidden. A new
 * theme or a new set of series rebuilds the plot (uPlot has no setOptions); new data
 * only calls setData.
 */
import uPlot from 'uplot';
import { css, mix } from '../../colour';
import { h } from '../../dom';
import { fmt } from '../../format';
import type { Renderable, RenderScheduler } from '../../scene/render-scheduler';
import type { Theme } from '../../theme';
import { dataRange, hasData, ticks, type ChartModel } from './chart-model';

/** How often charts were built and redrawn with new data (the panel's diagnostics: a step must not rebuild a chart). */
export const chartStats = { builds: 0, updates: 0 };

export class LineChart implements Renderable {
  readonly element: HTMLElement;
  private readonly plotBox: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly emptyNote: HTMLElement;
  private readonly resize: ResizeObserver;
  private plot: uPlot | undefined;
  private plotKey = '';
  private width = 0;
  private height = 0;
  private disposed = false;
  /** the model last drawn (the export draws the same) */
  model: ChartModel | undefined;

  constructor(
    private readonly scheduler: RenderScheduler,
    private theme: Theme,
    private readonly build: () => ChartModel,
    opts: { className?: string; height?: number; label: string },
  ) {
    this.plotBox = h('div', { class: 'chart-plot', attrs: { role: 'img', 'aria-label': opts.label } });
    this.emptyNote = h('p', { class: 'chart-empty muted' });
    this.legend = h('ul', { class: 'legend chart-legend' });
    this.element = h('div', { class: `chart ${opts.className ?? ''}`.trim() }, h('div', { class: 'chart-box' }, this.plotBox, this.emptyNote), this.legend);
    if (opts.height) this.plotBox.style.height = `${opts.height}px`;
    this.resize = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (!box) return;
      const w = Math.floor(box.width);
      const hgt = Math.floor(box.height);
      if (w === this.width && hgt === this.height) return;
      this.width = w;
      this.height = hgt;
      this.invalidate();
    });
    this.resize.observe(this.plotBox);
  }

  invalidate(): void {
    if (!this.disposed) this.scheduler.request(this);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.plotKey = '';
    this.invalidate();
  }

  render(): void {
    if (this.disposed) return;
    const m = this.build();
    this.model = m;
    this.renderLegend(m);
    const empty = !hasData(m);
    // Written only when they change: a DOM write per redraw (a kick drag redraws 60 times a second) costs a page composite.
    const note = empty ? m.empty : '';
    if (this.emptyNote.textContent !== note) this.emptyNote.textContent = note;
    if (this.emptyNote.hidden !== !empty) this.emptyNote.hidden = !empty;
    if (this.width === 0 || this.height === 0) return;
    const key = JSON.stringify([m.series, m.xLog, m.yLog, m.yRange, m.xLabel, m.yLabel, m.xIntegers, this.theme, this.width, this.height]);
    const data = [m.x, ...m.ys] as uPlot.AlignedData;
    if (this.plot && key === this.plotKey) {
      chartStats.updates++;
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.plotKey = key;
    chartStats.builds++;
    this.plot = new uPlot(this.options(m), data, this.plotBox);
  }

  dispose(): void {
    this.disposed = true;
    this.resize.disconnect();
    this.scheduler.forget(this);
    this.plot?.destroy();
    this.plot = undefined;
    this.element.remove();
  }

  private options(m: ChartModel): uPlot.Options {
    const t = this.theme;
    const font = `${Math.max(10, t.fontSize - 2)}px ${t.fontFamily}`;
    const axis = (label: string, log: boolean, integers: boolean): uPlot.Axis => ({
      stroke: css(t.muted),
      grid: { stroke: css(t.grid), width: 1 },
      ticks: { stroke: css(t.grid), width: 1, size: 4 },
      font,
      labelFont: font,
      label,
      labelSize: 16,
      size: 42,
      splits: (u, axisIdx, lo, hi) => {
        const all = ticks(lo, hi, axisIdx === 0 ? Math.max(2, Math.floor(u.width / 80)) : 5, log);
        return integers ? all.filter((v) => Number.isInteger(v)) : all;
      },
      // Our splits are already as dense as they should be; uPlot's own filter on a log
      // scale blanks every tick but the decades, which it would then ask us to label.
      filter: (_u, splits) => splits,
      values: (_u, splits, axisIdx) => {
        const labels = splits.map((v) => fmt(v, 2));
        // What the axis says, for anyone reading the page (and the tests) without the canvas.
        const key = axisIdx === 0 ? 'xTicks' : 'yTicks';
        const text = labels.join(' ');
        if (this.plotBox.dataset[key] !== text) this.plotBox.dataset[key] = text;
        return labels;
      },
    });
    return {
      width: this.width,
      height: this.height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: m.xLog
          ? { time: false, distr: 3, range: (_u, lo, hi) => (lo === hi ? [lo / 2, hi * 2] : [lo / 1.08, hi * 1.08]) }
          : { time: false, range: (_u, lo, hi) => (lo === hi ? [lo - 1, hi + 1] : [lo, hi]) },
        y: { distr: m.yLog ? 3 : 1, range: () => dataRange(m) },
      },
      axes: [axis(m.xLabel, m.xLog === true, m.xIntegers === true), axis(m.yLabel, m.yLog === true, false)],
      series: [
        {},
        ...m.series.map((s): uPlot.Series => {
          const colour = s.faded ? mix(s.colour, t.background, 0.4) : s.colour;
          return {
            label: s.label,
            stroke: css(colour),
            width: s.style === 'points' ? 0 : 1.5,
            ...(s.dash ? { dash: [...s.dash] } : {}),
            spanGaps: s.style !== 'points',
            ...(s.style === 'points' ? { paths: () => null } : {}),
            points: s.style === 'line' ? { show: false } : { show: true, size: 7, width: 1.5, stroke: css(t.background), fill: css(colour) },
          };
        }),
      ],
      hooks: {
        // D_x90 / D_fit90 and threshold lines: drawn on the plot's canvas, in its pixels.
        draw: [(u) => this.drawMarks(u, m)],
      },
    };
  }

  private drawMarks(u: uPlot, m: ChartModel): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const t = this.theme;
    const px = uPlot.pxRatio || 1;
    ctx.save();
    ctx.font = `${Math.round(Math.max(10, t.fontSize - 2) * px)}px ${t.fontFamily}`;
    ctx.lineWidth = px;
    for (const hl of m.hLines ?? []) {
      const y = u.valToPos(hl.y, 'y', true);
      if (y < top || y > top + height) continue;
      ctx.strokeStyle = css(t.muted);
      ctx.setLineDash([2 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      ctx.fillStyle = css(t.muted);
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText(hl.label, left + 4 * px, y - 2 * px);
    }
    m.marks?.forEach((mk, i) => {
      const x = u.valToPos(mk.x, 'x', true);
      if (x < left - 1 || x > left + width + 1) return;
      ctx.strokeStyle = css(mk.colour);
      ctx.setLineDash(mk.dash ? mk.dash.map((d) => d * px) : [4 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillStyle = css(mk.colour);
      ctx.textAlign = x > left + width * 0.7 ? 'right' : 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(mk.label, x + (ctx.textAlign === 'right' ? -3 : 3) * px, top + (2 + 14 * i) * px);
    });
    ctx.restore();
  }

  private legendKey = '';

  private renderLegend(m: ChartModel): void {
    const key = JSON.stringify([m.legend, this.theme.background]);
    if (key === this.legendKey) return;
    this.legendKey = key;
    this.legend.replaceChildren(
      ...m.legend.map((l) => {
        const swatch = h('span', { class: `swatch ${l.style === 'points' ? 'dot' : 'line'}${l.dash ? ' dashed' : ''}` });
        if (l.dash) swatch.style.borderTopColor = css(l.colour);
        else swatch.style.backgroundColor = css(l.colour);
        return h('li', {}, swatch, l.label);
      }),
    );
  }
}
