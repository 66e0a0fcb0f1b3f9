/**
 * The 3D views, one per variant (one per run when comparing), side by side as long as
 * each gets a useful width, with their shared controls: the basis (top PCs, or the
 * readout direction plus the PCs orthogonal to it), the time scrubber, the condition
 * legend, and linked cameras. It follows the store: a new session rebuilds the views,
 * an evaluation redraws the view of its run, a view without data says why.
 */
import type { ViewData } from '../../../src/protocol';
import { conditionPalette, css } from '../colour';
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
    this.link.userMoved = false;
    this.frameAll();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    for (const v of this.views.values()) v.setTheme(theme);
    for (const e of this.explorers.values()) e.setTheme(theme);
    this.colourViews();
    this.colourLegend();
  }

  /** The view of a variant (a run, when comparing). */
  view(group: string): TrajectoryView | undefined {
    return this.views.get(group);
  }

  gpuMemory(): { variant: string; memory: GpuMemory }[] {
    return [...this.views].map(([variant, v]) => ({ variant, memory: v.gpuMemory() }));
  }

  cameraPositions(): { variant: string; position: [number, number, number] }[] {
    return [...this.views].map(([variant, v]) => ({ variant, position: v.camera.position.toArray() }));
  }

  dispose(): void {
    this.unsubscribe();
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

  /** One view per group, in order; views of groups no longer present are disposed, the others cleared or redrawn. */
  private rebuild(): void {
    const groups = this.store.shown.variants();
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
      view.appendHeadControls(imageButtons(this.sink, () => `${name}-3d`, () => view.toPng(this.pictureLegend(name))));
      this.explorers.set(name, explorer);
    }
    this.grid.replaceChildren(...groups.flatMap((v) => this.views.get(v)?.element ?? []));
    this.grid.dataset.count = String(groups.length);
    this.colourViews();
    for (const g of groups) this.showGroup(g);
    // New cameras start at the origin; give them the home pose before any data arrives.
    if (!this.link.userMoved) this.frameAll();
  }

  /** Draws the group's shown run, or clears the view and says why it has nothing (a view never shows an older session's run). */
  private showGroup(group: string): void {
    const v = this.views.get(group);
    if (!v) return;
    const entry = this.store.shown.shownRun(group);
    const explorer = this.explorers.get(group);
    if (!entry?.view) {
      v.clear(entry ? this.emptyText(entry) : '');
      explorer?.show(undefined, undefined, this.store.prefs.basis, 1);
      return;
    }
    explorer?.show(entry.explorer, entry.view, this.store.prefs.basis, entry.run.network.dt, this.networkOnRequest(entry));
    v.show(entry.view, this.store.prefs.basis, {
      runName: entry.run.name,
      step: entry.viewStep,
      steps: entry.steps,
      dt: entry.run.network.dt,
      final: entry.viewFinal,
      notLearned: entry.viewFinal && entry.learned?.ok === false,
      ...(entry.explained ? { explained: entry.explained } : {}),
    });
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
    const view = this.store.shown.shownRun(group)?.view;
    const palette = conditionPalette(this.theme.background);
    const conditions = view ? [...new Set(view.projection.trials.map((b) => at(view.condition, b)))].sort((a, b) => a - b).slice(0, LEGEND_MAX) : [];
    return [
      ...conditions.map((c) => ({ label: view?.conditionLabels[c] ?? `condition ${c}`, colour: at(palette, c % palette.length) })),
      ...(this.explorers.get(group)?.pictureLegend() ?? []),
    ];
  }

  private emptyText(entry: RunEntry): string {
    switch (entry.status) {
      case 'queued':
        // Queued behind runs in progress (a worker starting for them counts), or not asked to train at all.
        return this.store.running.length > 0 ? 'Queued: trains after the runs before it.' : 'Not trained yet: press Train.';
      case 'training':
        return 'Waiting for the first evaluation…';
      case 'stopped':
        return 'Stopped before its first evaluation.';
      case 'failed':
        return `Failed: ${entry.note ?? 'see the log'}`;
      case 'finished':
        return 'No trajectories to show.';
    }
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
    const t = time >= 1 ? undefined : [...this.views.values()].map((v) => v.scrubbedTime()).find((x) => x !== undefined);
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
    const series = this.theme.series;
    for (const [group, v] of this.views) v.setSeriesColour(series[this.store.shown.colourIndex(group) % series.length] ?? [128, 128, 128]);
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
