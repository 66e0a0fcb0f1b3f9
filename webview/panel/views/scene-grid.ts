/**
 * The 3D views, one per variant, side by side (wrapping when narrow), with their shared
 * controls: the basis (top PCs, or the readout direction plus the PCs orthogonal to
 * it), the time scrubber, the condition legend, and linked cameras.
 */
import type { ViewData } from '../../../src/protocol';
import { conditionPalette, css } from '../colour';
import { h, setText } from '../dom';
import { CameraLink } from '../scene/camera-link';
import type { RenderScheduler } from '../scene/render-scheduler';
import { TrajectoryView, type Basis, type GpuMemory, type ViewMeta } from '../scene/trajectory-view';
import type { Theme } from '../theme';
import { at } from '../../../src/core/checked';

const LEGEND_MAX = 12;

export class SceneGrid {
  readonly element: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly timeInput: HTMLInputElement;
  private readonly timeOutput: HTMLOutputElement;
  private readonly basisButtons: Record<Basis, HTMLButtonElement>;
  private readonly views = new Map<string, TrajectoryView>();
  private readonly link = new CameraLink();
  private basis: Basis = 'pca';
  private time = 1;
  private legendKey = '';
  /** renderer.info of views already disposed, read after they freed their objects (tests check it is zero) */
  readonly retired: { variant: string; memory: GpuMemory }[] = [];

  constructor(
    private readonly scheduler: RenderScheduler,
    private theme: Theme,
  ) {
    this.basisButtons = {
      pca: h('button', { class: 'seg', text: 'Top PCs', attrs: { type: 'button', 'aria-pressed': 'true', title: 'Axes: the top three principal components of the noise-free activity' } }),
      readout: h('button', { class: 'seg', text: 'Readout + PCs', attrs: { type: 'button', 'aria-pressed': 'false', title: 'Axes: the direction of w_out,1, then the top two PCs of the activity orthogonal to it' } }),
    };
    for (const b of ['pca', 'readout'] as const) this.basisButtons[b].addEventListener('click', () => this.setBasis(b));
    this.timeInput = h('input', { class: 'range', attrs: { type: 'range', min: 0, max: 1000, value: 1000, id: 'time-scrubber', 'aria-label': 'Time along the trajectories' } });
    this.timeOutput = h('output', { class: 'time-out', text: 'all', attrs: { for: 'time-scrubber' } });
    this.timeInput.addEventListener('input', () => this.setTime(Number(this.timeInput.value) / 1000));
    this.legend = h('ul', { class: 'legend condition-legend', attrs: { 'aria-label': 'Conditions' } });
    this.grid = h('div', { class: 'view-grid' });
    this.element = h('section', { class: 'card scenes-card', attrs: { 'aria-labelledby': 'scenes-title' } },
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title', text: 'State space', attrs: { id: 'scenes-title' } }),
        h('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': 'Basis of the 3D views' } }, this.basisButtons.pca, this.basisButtons.readout),
        h('label', { class: 'inline-label', attrs: { for: 'time-scrubber' } }, 'time'),
        this.timeInput,
        this.timeOutput,
      ),
      this.legend,
      this.grid,
    );
  }

  /** One view per variant, in this order; views of variants no longer present are disposed. */
  setVariants(variants: readonly string[]): void {
    for (const [name, view] of this.views) {
      if (!variants.includes(name)) {
        this.retire(name, view);
        this.views.delete(name);
      }
    }
    for (const name of variants) {
      if (this.views.has(name)) continue;
      const view = new TrajectoryView(name, {
        scheduler: this.scheduler,
        link: this.link,
        theme: this.theme,
        onResetRequest: () => this.resetCameras(),
        onDataFramed: () => this.frameAll(),
      });
      // The scrubber applies to views made after it moved too; the others follow setTime.
      if (this.time < 1) view.setTime(this.time);
      this.views.set(name, view);
    }
    this.grid.replaceChildren(...variants.flatMap((v) => this.views.get(v)?.element ?? []));
    this.grid.dataset.count = String(variants.length);
    // New cameras start at the origin; give them the home pose before any data arrives.
    if (!this.link.userMoved) this.frameAll();
  }

  show(variant: string, view: ViewData, meta: ViewMeta): void {
    const v = this.views.get(variant);
    if (!v) return;
    v.show(view, this.basis, meta);
    this.updateLegend(view);
  }

  resetCameras(): void {
    this.link.userMoved = false;
    this.frameAll();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    for (const v of this.views.values()) v.setTheme(theme);
    this.colourLegend();
  }

  gpuMemory(): { variant: string; memory: GpuMemory }[] {
    return [...this.views].map(([variant, v]) => ({ variant, memory: v.gpuMemory() }));
  }

  cameraPositions(): { variant: string; position: [number, number, number] }[] {
    return [...this.views].map(([variant, v]) => ({ variant, position: v.camera.position.toArray() }));
  }

  dispose(): void {
    for (const [name, view] of this.views) this.retire(name, view);
    this.views.clear();
    this.element.remove();
  }

  private retire(name: string, view: TrajectoryView): void {
    view.dispose();
    this.retired.push({ variant: name, memory: view.memoryAtDispose ?? view.gpuMemory() });
    if (this.retired.length > 32) this.retired.shift();
    view.releaseContext();
  }

  private setBasis(basis: Basis): void {
    this.basis = basis;
    for (const b of ['pca', 'readout'] as const) this.basisButtons[b].setAttribute('aria-pressed', String(b === basis));
    for (const v of this.views.values()) v.setBasis(basis);
    if (!this.link.userMoved) this.frameAll();
  }

  private setTime(fraction: number): void {
    this.time = fraction;
    setText(this.timeOutput, fraction >= 1 ? 'all' : `${Math.round(fraction * 100)}%`);
    for (const v of this.views.values()) v.setTime(fraction);
  }

  private frameAll(): void {
    const r = Math.max(0, ...[...this.views.values()].map((v) => v.radius()));
    this.link.frame(r > 0 ? r : 1.5);
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
