/**
 * The 3D views, one per variant (one per run when comparing), side by side as long as
 * each gets a useful width, with their shared controls: the basis (top PCs, or the
 * readout direction plus the PCs orthogonal to it), the time scrubber, the condition
 * legend, and linked cameras. It follows the store: a new session rebuilds the views,
 * an evaluation redraws the view of its run, a view without data says why. A variant with
 * two seeds or more offers "Seeds (n)": the grid then shows that variant's seeds as small
 * multiples (seed-grid.ts) under the same shared controls, until Back.
 */
import type { ViewData } from '../../../src/protocol';
import { conditionPalette, css, type Rgb } from '../colour';
import { h, setText } from '../dom';
import { fmt } from '../format';
import { CameraLink } from '../scene/camera-link';
import type { RenderScheduler } from '../scene/render-scheduler';
import { TrajectoryView, type Basis, type GpuMemory } from '../scene/trajectory-view';
import type { RunEntry } from '../session';
import type { Change, PanelStore } from '../store';
import type { Theme } from '../theme';
import { KickExplorer, type ExplorerStats, type NetworkOnRequest } from '../explorer/kick-explorer';
import { maxAmplitude } from '../../../src/core/analysis/perturbation/protocol';
import type { PictureLegendItem } from '../scene/view-png';
import { imageButtons, type ExportSink } from './export';
import type { ExplorerWorker } from '../explorer/explorer-worker';
import { at } from '../../../src/core/checked';
import { emptyText, viewMeta } from './run-view-text';
import { SeedGrid, type SeedAlign } from './seed-grid';

const LEGEND_MAX = 12;
const SCRUB_STEPS = 1000;

export class SceneGrid {
  readonly element: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly timeInput: HTMLInputElement;
  private readonly timeOutput: HTMLOutputElement;
  private readonly basisButtons: Record<Basis, HTMLButtonElement>;
  private readonly views = new Map<string, TrajectoryView>();
  /** the perturbation explorer under each view */
  private readonly explorers = new Map<string, KickExplorer>();
  private readonly link = new CameraLink();
  /** "Seeds (n)" in each variant view's title line */
  private readonly seedButtons = new Map<string, HTMLButtonElement>();
  /** the variant whose seeds are shown as small multiples, and that layout */
  private seedsOf: string | undefined;
  private seeds: SeedGrid | undefined;
  private seedAlign: SeedAlign = 'own';
  private readonly unsubscribe: () => void;
  private legendKey = '';
  /** renderer.info of views already disposed, read after they freed their objects (tests check it is zero) */
  readonly retired: { variant: string; memory: GpuMemory }[] = [];

  constructor(
    private readonly store: PanelStore,
    private readonly scheduler: RenderScheduler,
    private theme: Theme,
    private readonly kicks: ExplorerWorker,
    /** a stored run's view was first kicked: get its network from the host */
    private readonly requestNetwork: (entry: RunEntry) => void,
    private readonly sink: ExportSink,
  ) {
    this.basisButtons = {
      pca: h('button', { class: 'seg', text: 'Top PCs', attrs: { type: 'button', 'aria-pressed': 'true', title: 'Axes: the top three principal components of the noise-free activity' } }),
      readout: h('button', { class: 'seg', text: 'Readout + PCs', attrs: { type: 'button', 'aria-pressed': 'false', title: 'Axes: the direction of w_out,1, then the top two PCs of the activity orthogonal to it' } }),
    };
    for (const b of ['pca', 'readout'] as const) this.basisButtons[b].addEventListener('click', () => store.setPref('basis', b));
    this.timeInput = h('input', { class: 'range', attrs: { type: 'range', min: 0, max: SCRUB_STEPS, value: SCRUB_STEPS, id: 'time-scrubber', 'aria-label': 'Time along the trajectories: each trajectory is drawn up to it' } });
    this.timeOutput = h('output', { class: 'time-out', text: 'all', attrs: { for: 'time-scrubber' } });
    this.timeInput.addEventListener('input', () => store.setPref('time', Number(this.timeInput.value) / SCRUB_STEPS));
    this.legend = h('ul', { class: 'legend condition-legend', attrs: { 'aria-label': 'Conditions' } });
    this.grid = h('div', { class: 'view-grid' });
    this.element = h('section', { class: 'card scenes-card', attrs: { 'aria-labelledby': 'scenes-title' } },
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title', text: 'State space', attrs: { id: 'scenes-title' } }),
        h('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': 'Basis of the 3D views' } }, this.basisButtons.pca, this.basisButtons.readout),
        // One unit, so the value never wraps away from its slider.
        h('span', { class: 'scrubber' }, h('label', { class: 'inline-label', attrs: { for: 'time-scrubber' } }, 'time'), this.timeInput, this.timeOutput),
      ),
      this.legend,
      this.grid,
    );
    this.unsubscribe = store.subscribe((c) => this.onChange(c));
    this.applyPrefs();
    this.rebuild();
  }

  resetCameras(): void {
    this.seeds?.resetCameras();
    this.link.userMoved = false;
    this.frameAll();
  }

  /** Shows the seeds of `variant` as small multiples (when it has two or more), or, with undefined, the variant views again. */
  showSeeds(variant: string | undefined): void {
    const from = this.seedsOf;
    this.seedsOf = variant;
    this.rebuild();
    if (this.seeds) this.seeds.focus();
    else if (from !== undefined) this.seedButtons.get(from)?.focus();
  }

  /** The seeds layout's state, for the panel's diagnostics. */
  seedsDiagnostics(): ReturnType<SeedGrid['diagnostics']> | undefined {
    return this.seeds?.diagnostics();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    for (const v of this.views.values()) v.setTheme(theme);
    for (const e of this.explorers.values()) e.setTheme(theme);
    if (this.seedsOf !== undefined) this.seeds?.setTheme(theme, this.colourOf(this.seedsOf));
    this.colourViews();
    this.colourLegend();
  }

  /** The view of a variant (a run, when comparing). */
  view(group: string): TrajectoryView | undefined {
    return this.views.get(group);
  }

  /** The live 3D views (the seeds' small views, by run name, while they are shown). */
  gpuMemory(): { variant: string; memory: GpuMemory }[] {
    return this.liveViews().map(([variant, v]) => ({ variant, memory: v.gpuMemory() }));
  }

  cameraPositions(): { variant: string; position: [number, number, number] }[] {
    return this.liveViews().map(([variant, v]) => ({ variant, position: v.camera.position.toArray() }));
  }

  private liveViews(): [string, TrajectoryView][] {
    return [...this.views, ...(this.seeds?.liveViews() ?? [])];
  }

  dispose(): void {
    this.unsubscribe();
    this.seeds?.dispose();
    this.seeds = undefined;
    for (const [name, view] of this.views) this.retire(name, view);
    this.views.clear();
    this.element.remove();
  }

  private onChange(c: Change): void {
    if (c.topic === 'session') return this.rebuild();
    if (c.topic === 'prefs') {
      if (c.key === 'basis' || c.key === 'time') this.applyPrefs();
      return;
    }
    if (c.topic !== 'run' || c.what === 'step' || !this.store.isShown(c.entry)) return;
    const group = this.store.shown.groupOf(c.entry);
    if (this.store.shown.shownRun(group) === c.entry) this.showGroup(group);
  }

  /**
   * One view per group, in order; views of groups no longer present are disposed, the others
   * cleared or redrawn. In the seeds layout there are no variant views (their GPU contexts
   * are given back), only the seeds' small views, rebuilt for every session shown.
   */
  private rebuild(): void {
    if (this.seedsOf !== undefined && this.seedCount(this.seedsOf) < 2) this.seedsOf = undefined;
    this.seeds?.dispose();
    this.seeds = undefined;
    const groups = this.seedsOf === undefined ? this.store.shown.variants() : [];
    for (const [name, view] of this.views) {
      if (!groups.includes(name)) {
        this.retire(name, view);
        this.views.delete(name);
      }
    }
    for (const name of groups) {
      if (this.views.has(name)) continue;
      const view = new TrajectoryView(name, {
        scheduler: this.scheduler,
        link: this.link,
        theme: this.theme,
        onResetRequest: () => this.resetCameras(),
        onDataFramed: () => this.frameAll(),
      });
      view.setTime(this.store.prefs.time);
      this.views.set(name, view);
      const explorer = new KickExplorer(name, view, this.kicks, this.scheduler, this.theme);
      explorer.setTime(this.store.prefs.time);
      view.appendControls(explorer.element);
      const seeds = h('button', { class: 'btn small seeds-open', attrs: { type: 'button', hidden: true } });
      seeds.addEventListener('click', () => this.showSeeds(name));
      view.appendHeadControls(seeds);
      this.seedButtons.set(name, seeds);
      view.appendHeadControls(imageButtons(this.sink, () => `${name}-3d`, () => view.toPng(this.pictureLegend(name))));
      this.explorers.set(name, explorer);
    }
    for (const name of this.seedButtons.keys()) if (!this.views.has(name)) this.seedButtons.delete(name);
    this.grid.replaceChildren(...groups.flatMap((v) => this.views.get(v)?.element ?? []));
    this.grid.dataset.count = String(groups.length);
    this.grid.hidden = this.seedsOf !== undefined;
    if (this.seedsOf !== undefined) this.seeds = this.seedGrid(this.seedsOf);
    this.colourViews();
    this.labelSeedButtons();
    for (const g of groups) this.showGroup(g);
    // New cameras start at the origin; give them the home pose before any data arrives.
    if (!this.link.userMoved) this.frameAll();
  }

  private seedGrid(variant: string): SeedGrid {
    const seeds = new SeedGrid({
      store: this.store,
      scheduler: this.scheduler,
      theme: this.theme,
      variant,
      align: this.seedAlign,
      colour: this.colourOf(variant),
      onAlign: (a) => (this.seedAlign = a),
      onBack: () => this.showSeeds(undefined),
      onView: (view) => this.updateLegend(view),
      savePng: (name, view, data) => imageButtons(this.sink, () => `${name}-3d`, () => view.toPng(this.conditionLegend(data()))),
      retire: (name, view) => this.retire(name, view),
    });
    this.grid.after(seeds.element);
    return seeds;
  }

  /** How many runs (seeds) a variant has in the shown session; a comparison's views are runs, without seeds. */
  private seedCount(variant: string): number {
    const s = this.store.shown;
    return s.kind === 'compare' ? 0 : s.runs.filter((r) => s.groupOf(r) === variant).length;
  }

  private labelSeedButtons(): void {
    for (const [variant, b] of this.seedButtons) {
      const n = this.seedCount(variant);
      b.hidden = n < 2;
      setText(b, `Seeds (${n})`);
      b.title = `Show the ${n} seeds of ${variant} side by side, with linked cameras`;
    }
  }

  /** Draws the group's shown run, or clears the view and says why it has nothing (a view never shows an older session's run). */
  private showGroup(group: string): void {
    const v = this.views.get(group);
    if (!v) return;
    const entry = this.store.shown.shownRun(group);
    const explorer = this.explorers.get(group);
    if (!entry?.view) {
      v.clear(entry ? emptyText(entry, this.store.running.length > 0) : '');
      explorer?.show(undefined, undefined, this.store.prefs.basis, 1);
      return;
    }
    explorer?.show(entry.explorer, entry.view, this.store.prefs.basis, entry.run.network.dt, this.networkOnRequest(entry));
    v.show(entry.view, this.store.prefs.basis, viewMeta(entry));
    this.updateLegend(entry.view);
    this.updateTimeText();
  }

  /** A finished run with a run folder but no network in the page (a stored or restored run): the host reads it on request. */
  private networkOnRequest(entry: RunEntry): NetworkOnRequest | undefined {
    if (entry.explorer || entry.folder === undefined || !entry.viewFinal || (entry.status !== 'finished' && entry.status !== 'stopped')) return undefined;
    return { load: () => this.requestNetwork(entry), aMax: maxAmplitude(entry.run.task), state: entry.explorerLoad ?? 'idle' };
  }

  /** A view's picture legend: the conditions it draws, then what its explorer draws over them. */
  private pictureLegend(group: string): PictureLegendItem[] {
    return [...this.conditionLegend(this.store.shown.shownRun(group)?.view), ...(this.explorers.get(group)?.pictureLegend() ?? [])];
  }

  /** The conditions a view draws, for its picture's legend. */
  private conditionLegend(view: ViewData | undefined): PictureLegendItem[] {
    const palette = conditionPalette(this.theme.background);
    const conditions = view ? [...new Set(view.projection.trials.map((b) => at(view.condition, b)))].sort((a, b) => a - b).slice(0, LEGEND_MAX) : [];
    return conditions.map((c) => ({ label: view?.conditionLabels[c] ?? `condition ${c}`, colour: at(palette, c % palette.length) }));
  }

  private applyPrefs(): void {
    const { basis, time } = this.store.prefs;
    for (const b of ['pca', 'readout'] as const) this.basisButtons[b].setAttribute('aria-pressed', String(b === basis));
    const value = String(Math.round(time * SCRUB_STEPS));
    if (this.timeInput.value !== value) this.timeInput.value = value;
    for (const v of this.views.values()) {
      v.setBasis(basis);
      v.setTime(time);
    }
    // The seeds' small views follow the same scrubber (they redraw for a new basis themselves: their turn depends on it).
    for (const [, v] of this.seeds?.liveViews() ?? []) v.setTime(time);
    for (const e of this.explorers.values()) {
      e.setBasis(basis);
      e.setTime(time);
    }
    this.updateTimeText();
    if (!this.link.userMoved) this.frameAll();
  }

  /** "all", or the time the trajectories are drawn up to, in the trial's own units. */
  private updateTimeText(): void {
    const time = this.store.prefs.time;
    const t = time >= 1 ? undefined : this.liveViews().map(([, v]) => v.scrubbedTime()).find((x) => x !== undefined);
    setText(this.timeOutput, time >= 1 ? 'all' : t !== undefined ? `t = ${fmt(t, 3)}` : `${Math.round(time * 100)}%`);
  }

  /** Each view's perturbation explorer: what it drew and how long pictures took (the panel's diagnostics). */
  explorerStats(): { variant: string; stats: ExplorerStats }[] {
    return [...this.explorers].map(([variant, e]) => ({ variant, stats: e.stats }));
  }

  private retire(name: string, view: TrajectoryView): void {
    // The explorer's lines go first: the view counts what is left on its GPU when it goes.
    this.explorers.get(name)?.dispose();
    this.explorers.delete(name);
    view.dispose();
    this.retired.push({ variant: name, memory: view.memoryAtDispose ?? view.gpuMemory() });
    if (this.retired.length > 32) this.retired.shift();
    view.releaseContext();
  }

  private frameAll(): void {
    const r = Math.max(0, ...[...this.views.values()].map((v) => v.radius()));
    this.link.frame(r > 0 ? r : 1.5);
  }

  /** Each view's title carries its variant's colour, the one its loss and measure lines have. */
  private colourViews(): void {
    for (const [group, v] of this.views) v.setSeriesColour(this.colourOf(group));
  }

  private colourOf(group: string): Rgb {
    const series = this.theme.series;
    return series[this.store.shown.colourIndex(group) % series.length] ?? [128, 128, 128];
  }

  /** The legend follows the conditions of the latest data (all variants share a task). */
  private updateLegend(view: ViewData): void {
    const used = [...new Set(view.projection.trials.map((b) => at(view.condition, b)))].sort((a, b) => a - b);
    const key = used.map((c) => `${c}:${view.conditionLabels[c] ?? c}`).join('|');
    if (key === this.legendKey) return;
    this.legendKey = key;
    const shown = used.slice(0, LEGEND_MAX);
    this.legend.replaceChildren(
      ...shown.map((c) => h('li', {}, h('span', { class: 'swatch line', attrs: { 'data-condition': c } }), view.conditionLabels[c] ?? `condition ${c}`)),
      ...(used.length > LEGEND_MAX ? [h('li', { class: 'legend-note', text: `+${used.length - LEGEND_MAX} more` })] : []),
      h('li', { class: 'legend-note' }, h('span', { class: 'swatch dot start' }), 'start of trial'),
    );
    this.colourLegend();
  }

  private colourLegend(): void {
    const palette = conditionPalette(this.theme.background);
    for (const s of this.legend.querySelectorAll<HTMLElement>('.swatch.line')) {
      s.style.backgroundColor = css(at(palette, Number(s.dataset.condition) % palette.length));
    }
  }
}
