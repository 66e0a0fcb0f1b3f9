/**
 * The dissimilarity across the runs shown (docs/science.md §4.7, the paper's Fig 4) as a
 * heat map: one cell per pair of runs, ordered by variant then seed, with the colour bar
 * and the within-variant and between-variant means; angular or Euclidean. Hover or the
 * arrow keys (the map is focusable) read a cell out. The card shows while the host
 * computes it (pairs done of total), the map once it has it, or why there is none; it is
 * hidden when the session has no dissimilarity (fewer than two runs). Saved as PNG (2x) or
 * SVG with its title, colour bar and means; copied as CSV or Markdown. Drawn on demand:
 * when the host says something new, the metric or the theme changes.
 */
import { at } from '../../../src/core/checked';
import { button, h, setText } from '../dom';
import { fmt } from '../format';
import type { PanelStore } from '../store';
import type { Theme } from '../theme';
import { svgToPng } from './charts/chart-svg';
import { imageButtons, tableButtons, type ExportSink } from './export';
import { heatmapModel, heatmapTable, METRIC_TEXT, type HeatmapMetric, type HeatmapModel } from './heatmap-model';
import { heatmapSvg, type HeatmapFigure } from './heatmap-svg';
import type { TableData } from './table-data';

const SVG_NS = 'http://www.w3.org/2000/svg';

export class DissimilarityCard {
  readonly element: HTMLElement;
  private readonly status: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly map: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly note: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly metricButtons: Record<HeatmapMetric, HTMLButtonElement>;
  private readonly unsubscribe: () => void;
  private metric: HeatmapMetric = 'angular';
  private model: HeatmapModel | undefined;
  private figure: HeatmapFigure | undefined;
  private focusCell: SVGRectElement | undefined;
  /** the cell the keyboard is on: row, column */
  private cursor: [number, number] = [0, 1];
  /** times the map was drawn (the browser tests check it is drawn on demand) */
  draws = 0;

  constructor(
    private readonly store: PanelStore,
    private theme: Theme,
    sink: ExportSink,
  ) {
    this.metricButtons = {
      angular: button('angular', { class: 'btn small', title: 'Angular Procrustes distance (rad), the paper\'s measure', ariaLabel: 'Show the angular distance' }),
      euclidean: button('Euclidean', { class: 'btn small', title: 'Procrustes distance (state units)', ariaLabel: 'Show the Euclidean distance' }),
    };
    for (const [metric, b] of Object.entries(this.metricButtons) as [HeatmapMetric, HTMLButtonElement][]) b.addEventListener('click', () => this.setMetric(metric));
    this.actions = h('span', { class: 'heatmap-actions' },
      h('span', { class: 'export-actions', attrs: { role: 'group', 'aria-label': 'Distance shown' } }, this.metricButtons.angular, this.metricButtons.euclidean),
      tableButtons(sink, () => this.data()),
      imageButtons(sink, () => `dissimilarity-${this.metric}`, () => Promise.resolve().then(() => svgToPng(this.exportFigure(), 2)), () => this.exportFigure().svg),
    );
    this.status = h('p', { class: 'heatmap-status', attrs: { role: 'status' } });
    this.progress = h('progress', { class: 'heatmap-progress', attrs: { 'aria-label': 'Pairs of runs compared' } });
    this.map = h('div', { class: 'heatmap', attrs: { tabindex: 0, role: 'group', 'aria-roledescription': 'heat map', 'aria-describedby': 'heatmap-readout' } });
    this.readout = h('p', { class: 'heatmap-readout', attrs: { id: 'heatmap-readout', 'aria-live': 'polite' } });
    this.note = h('p', { class: 'heatmap-note' });
    this.element = h('section', { class: 'card dissimilarity-card', attrs: { 'aria-labelledby': 'dissimilarity-title', 'data-card': 'dissimilarity', hidden: true } },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: 'Dissimilarity across runs', attrs: { id: 'dissimilarity-title' } }), this.actions),
      this.status,
      this.progress,
      this.map,
      this.readout,
      this.note,
    );
    this.map.addEventListener('keydown', (e) => this.onKey(e));
    this.map.addEventListener('focus', () => this.say(...this.cursor));
    this.map.addEventListener('pointermove', (e) => {
      const cell = (e.target as Element | null)?.closest?.('rect.cell');
      if (cell) this.say(Number(cell.getAttribute('data-i')), Number(cell.getAttribute('data-j')));
    });
    this.map.addEventListener('pointerleave', () => (document.activeElement === this.map ? this.say(...this.cursor) : setText(this.readout, '')));
    this.unsubscribe = store.subscribe((c) => {
      if (c.topic === 'session' || (c.topic === 'dissimilarity' && c.session === store.shown)) this.render();
    });
    this.render();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    if (this.model) this.draw();
  }

  /** The matrix as shown, for Copy as CSV / Markdown. */
  data(): TableData {
    return this.model ? heatmapTable(this.model) : { title: 'Dissimilarity', columns: ['run'], rows: [] };
  }

  dispose(): void {
    this.unsubscribe();
    this.element.remove();
  }

  private setMetric(metric: HeatmapMetric): void {
    if (metric === this.metric) return;
    this.metric = metric;
    this.render();
  }

  /** The card for the shown session's dissimilarity state. */
  private render(): void {
    const d = this.store.shown.dissimilarity;
    this.element.hidden = d === undefined;
    for (const [metric, b] of Object.entries(this.metricButtons)) b.setAttribute('aria-pressed', String(metric === this.metric));
    this.element.dataset.state = d?.state ?? 'none';
    const ready = d?.state === 'ready';
    this.map.hidden = !ready;
    this.actions.hidden = !ready;
    this.readout.hidden = !ready;
    this.progress.hidden = d?.state !== 'computing';
    if (d === undefined) {
      this.model = undefined;
      this.map.replaceChildren();
      return;
    }
    if (d.state === 'computing') {
      this.progress.max = Math.max(1, d.total);
      this.progress.value = d.done;
      setText(this.status, `Computing the dissimilarity of every pair of runs: ${d.done} of ${d.total} pairs…`);
      setText(this.note, '');
      return;
    }
    if (d.state === 'failed') {
      this.model = undefined;
      this.map.replaceChildren();
      setText(this.status, d.message);
      setText(this.note, '');
      return;
    }
    this.model = heatmapModel(d.result, this.metric, this.store.shown);
    const n = this.model.runs.length;
    this.cursor = [Math.min(this.cursor[0], n - 1), Math.min(this.cursor[1], n - 1)];
    setText(this.status, '');
    const notCompared = this.model.notCompared.size;
    setText(
      this.note,
      `${METRIC_TEXT[this.metric].title[0]?.toUpperCase()}${METRIC_TEXT[this.metric].title.slice(1)} between the noise-free evaluation states of each pair of runs (docs/science.md §4.7): 0 for the same solution up to a rotation. ` +
        (notCompared ? `${notCompared} pair${notCompared > 1 ? 's were' : ' was'} not compared (×). ` : '') +
        (d.file ? `Stored in ${d.file}.` : ''),
    );
    this.map.setAttribute('aria-label', `Dissimilarity of ${n} runs, ${METRIC_TEXT[this.metric].title}; arrow keys move between cells`);
    this.draw();
  }

  private draw(): void {
    const m = this.model;
    if (!m) return;
    this.figure = heatmapSvg(m, this.theme);
    const doc = new DOMParser().parseFromString(this.figure.svg, 'image/svg+xml');
    const svg = document.importNode(doc.documentElement, true) as unknown as SVGSVGElement;
    svg.setAttribute('class', 'heatmap-svg');
    svg.setAttribute('aria-hidden', 'true');
    svg.style.maxWidth = `${this.figure.width}px`;
    const { cell } = this.figure.matrix;
    this.focusCell = document.createElementNS(SVG_NS, 'rect');
    this.focusCell.setAttribute('class', 'focus-cell');
    this.focusCell.setAttribute('width', String(cell));
    this.focusCell.setAttribute('height', String(cell));
    this.focusCell.setAttribute('fill', 'none');
    this.focusCell.setAttribute('stroke', `rgb(${this.theme.foreground.join(',')})`);
    this.focusCell.setAttribute('stroke-width', '2');
    svg.append(this.focusCell);
    this.map.replaceChildren(svg);
    this.placeFocus();
    this.draws++;
  }

  private placeFocus(): void {
    if (!this.figure || !this.focusCell) return;
    const { x, y, cell } = this.figure.matrix;
    const [i, j] = this.cursor;
    this.focusCell.setAttribute('x', String(x + j * cell));
    this.focusCell.setAttribute('y', String(y + i * cell));
    this.map.dataset.focus = `${i},${j}`;
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.model?.runs.length ?? 0;
    if (n === 0) return;
    let [i, j] = this.cursor;
    if (e.key === 'ArrowUp') i = Math.max(0, i - 1);
    else if (e.key === 'ArrowDown') i = Math.min(n - 1, i + 1);
    else if (e.key === 'ArrowLeft') j = Math.max(0, j - 1);
    else if (e.key === 'ArrowRight') j = Math.min(n - 1, j + 1);
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = n - 1;
    else return;
    e.preventDefault();
    this.cursor = [i, j];
    this.placeFocus();
    this.say(i, j);
  }

  /** The readout of cell (i, j), for hover and the keyboard alike. */
  private say(i: number, j: number): void {
    const m = this.model;
    if (!m || i < 0 || j < 0 || i >= m.runs.length || j >= m.runs.length) return;
    const label = (k: number) => `${at(m.runs, k).name}${at(m.runs, k).notLearned ? ' (not learned)' : ''}`;
    const a = label(i);
    const b = label(j);
    const v = m.values[i]?.[j] ?? null;
    const unit = METRIC_TEXT[m.metric].unit;
    const text =
      i === j ? `${a}: the same run (0 on the diagonal)` :
      v === null ? `${a} × ${b}: not compared, ${m.notCompared.get(`${Math.min(i, j)}|${Math.max(i, j)}`) ?? 'no value'}` :
      `${a} × ${b}: ${fmt(v, 3)} ${unit}`;
    setText(this.readout, text);
  }

  /** The figure as saved: the map with its title, colour bar and means. */
  private exportFigure(): HeatmapFigure {
    const m = this.model;
    if (!m) throw new Error('there is no dissimilarity to save');
    const name = this.store.specName ? `${this.store.specName}: ` : '';
    return heatmapSvg(m, this.theme, { title: `${name}dissimilarity across runs, ${METRIC_TEXT[m.metric].title}` });
  }
}
