/**
 * A card of one or more 2D charts (small multiples) that follow the store: each chart
 * redraws when its runs change, in the theme's colours, with Save as PNG / SVG. Which
 * changes matter is the card's `redrawOn`: the loss moves every step, the measures only
 * with an evaluation.
 */
import { h } from '../dom';
import type { RenderScheduler } from '../scene/render-scheduler';
import type { Change, PanelStore } from '../store';
import type { Theme } from '../theme';
import type { ChartModel } from './charts/chart-model';
import { chartSvg, svgToPng } from './charts/chart-svg';
import { LineChart } from './charts/line-chart';
import { imageButtons, type ExportSink } from './export';

export interface ChartSpec {
  id: string;
  /** the chart's accessible description */
  label: string;
  build: () => ChartModel;
  height?: number;
}

export class ChartCard {
  readonly element: HTMLElement;
  readonly charts: { spec: ChartSpec; chart: LineChart }[];
  private readonly unsubscribe: () => void;

  constructor(
    store: PanelStore,
    scheduler: RenderScheduler,
    private theme: Theme,
    opts: { id: string; title: string; specs: ChartSpec[]; sink: ExportSink; redrawOn: (c: Change) => boolean; className?: string },
  ) {
    this.charts = opts.specs.map((spec) => ({ spec, chart: new LineChart(scheduler, theme, spec.build, { label: spec.label, ...(spec.height ? { height: spec.height } : {}) }) }));
    const figures = this.charts.map(({ spec, chart }) => {
      const title = h('h3', { class: 'chart-title', attrs: { id: `${spec.id}-title` } });
      const svg = () => chartSvg(chart.model ?? spec.build(), this.theme).svg;
      const png = () => svgToPng(chartSvg(chart.model ?? spec.build(), this.theme), 2);
      const fig = h('figure', { class: 'chart-figure', attrs: { 'data-chart': spec.id, 'aria-labelledby': `${spec.id}-title` } },
        h('figcaption', { class: 'chart-head' }, title, imageButtons(opts.sink, () => spec.id, png, svg)),
        chart.element,
      );
      // The title comes from the model (it names the measure); set it whenever the chart draws.
      const render = chart.render.bind(chart);
      chart.render = () => {
        render();
        if (chart.model && title.textContent !== chart.model.title) title.textContent = chart.model.title;
      };
      return fig;
    });
    this.element = h('section', { class: `card chart-card ${opts.className ?? ''}`.trim(), attrs: { 'aria-labelledby': `${opts.id}-title`, 'data-card': opts.id } },
      h('h2', { class: 'card-title', text: opts.title, attrs: { id: `${opts.id}-title` } }),
      h('div', { class: 'chart-grid', attrs: { 'data-count': this.charts.length } }, ...figures),
    );
    this.unsubscribe = store.subscribe((c) => {
      if (c.topic === 'session' || opts.redrawOn(c)) this.invalidate();
    });
    this.invalidate();
  }

  invalidate(): void {
    for (const { chart } of this.charts) chart.invalidate();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    for (const { chart } of this.charts) chart.setTheme(theme);
  }

  dispose(): void {
    this.unsubscribe();
    for (const { chart } of this.charts) chart.dispose();
    this.element.remove();
  }
}
