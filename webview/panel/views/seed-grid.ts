/**
 * The seeds layout: the seeds of one variant as small multiples, one compact 3D view per
 * seed, labelled with its seed, ρ and whether it learned (the paper's Fig 4: aligned seeds
 * look alike, oblique seeds find different solutions). Their cameras are linked among
 * themselves; the basis and the time scrubber are the main view's. Each seed is drawn in its
 * own basis, or turned onto the first seed with data ("Aligned to first seed",
 * seed-alignment.ts): a picture aid, not a measure (docs/science.md §4.7). Live seeds fill in
 * as their evaluations arrive; the views render on demand through the panel's one scheduler,
 * and dispose() hands every view to the owner, which frees it and counts what is left.
 */
import type { ViewData } from '../../../src/protocol';
import type { Rgb } from '../colour';
import { button, h, setText } from '../dom';
import { fmt } from '../format';
import { CameraLink } from '../scene/camera-link';
import type { RenderScheduler } from '../scene/render-scheduler';
import { alignView, type BasisFit } from '../scene/seed-alignment';
import { TrajectoryView } from '../scene/trajectory-view';
import type { RunEntry } from '../session';
import type { Change, PanelStore } from '../store';
import type { Theme } from '../theme';
import { emptyText, viewMeta } from './run-view-text';

export type SeedAlign = 'own' | 'first';

/** Small multiples beyond this many would each be too small to read (and browsers cap live WebGL contexts at 16). */
export const MAX_SEED_VIEWS = 12;

export interface SeedGridDeps {
  store: PanelStore;
  scheduler: RenderScheduler;
  theme: Theme;
  variant: string;
  align: SeedAlign;
  /** the variant's colour, on every seed's title */
  colour: Rgb;
  /** the user picked another alignment: the owner keeps it for the next time */
  onAlign(align: SeedAlign): void;
  /** Back (or Escape): the owner shows the variant views again */
  onBack(): void;
  /** a view's data arrived: the owner's legend follows it */
  onView(view: ViewData): void;
  /** the Save as PNG control of a small view (its run's name, the view, and the data it draws) */
  savePng(name: string, view: TrajectoryView, data: () => ViewData | undefined): HTMLElement;
  /** a view goes: the owner frees it and records what it left on the GPU */
  retire(name: string, view: TrajectoryView): void;
}

export interface SeedViewStats {
  run: string;
  seed: number;
  /** the angle of the 3-D pictures after the fit, when turned onto the reference */
  fitDeg?: number;
  reference: boolean;
}

export class SeedGrid {
  readonly element: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly back: HTMLButtonElement;
  private readonly note: HTMLElement;
  private readonly alignButtons: Record<SeedAlign, HTMLButtonElement>;
  private readonly views = new Map<RunEntry, TrajectoryView>();
  private readonly stats = new Map<RunEntry, SeedViewStats>();
  private readonly link = new CameraLink();
  private readonly unsubscribe: () => void;
  private align: SeedAlign;
  private reference: RunEntry | undefined;
  private disposed = false;

  constructor(private readonly d: SeedGridDeps) {
    this.align = d.align;
    const all = this.entries();
    const shown = all.slice(0, MAX_SEED_VIEWS);
    this.back = button('← All variants', { class: 'btn seeds-back', title: 'Back to one view per variant (Escape)' });
    this.back.addEventListener('click', () => d.onBack());
    this.alignButtons = {
      own: h('button', { class: 'seg', text: 'Own basis', attrs: { type: 'button', 'aria-pressed': 'false', title: "Each seed in its own basis (the PCs, or the readout and PCs, as chosen above): the sign and order of a seed's axes are its own" } }),
      first: h('button', { class: 'seg', text: 'Aligned to first seed', attrs: { type: 'button', 'aria-pressed': 'false', title: "Each seed's picture turned (rotations and reflections) to best match the first seed's, fitted on the shared evaluation trials from t_min on: similar solutions then look alike. A picture aid; the Procrustes distance (docs/science.md §4.7) is the measure" } }),
    };
    for (const a of ['own', 'first'] as const) {
      this.alignButtons[a].addEventListener('click', () => {
        if (this.align === a) return;
        this.align = a;
        d.onAlign(a);
        this.applyAlign();
      });
    }
    this.note = h('p', { class: 'seeds-note', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.grid = h('div', { class: 'seed-grid', attrs: { 'data-count': shown.length } });
    const more = all.length > shown.length ? h('p', { class: 'seeds-note', text: `Showing the first ${shown.length} of ${all.length} seeds.` }) : null;
    this.element = h('section', { class: 'seeds-layout', attrs: { 'aria-label': `Seeds of ${d.variant}`, 'data-variant': d.variant } },
      h('div', { class: 'seeds-bar' },
        this.back,
        h('span', { class: 'seeds-title', text: `${d.variant}: ${all.length} seeds` }),
        h('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': 'Orientation of the seed views' } }, this.alignButtons.own, this.alignButtons.first),
      ),
      this.note,
      more,
      this.grid,
    );
    this.element.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      d.onBack();
    });

    for (const entry of shown) {
      const seed = entry.run.training.seed;
      const view = new TrajectoryView(entry.run.name, {
        scheduler: d.scheduler,
        link: this.link,
        theme: d.theme,
        title: `seed ${seed}`,
        onResetRequest: () => this.resetCameras(),
        onDataFramed: () => this.frameAll(),
      });
      view.element.classList.add('seed-view');
      view.element.dataset.seed = String(seed);
      view.setSeriesColour(d.colour);
      view.setTime(d.store.prefs.time);
      view.appendHeadControls(d.savePng(entry.run.name, view, () => entry.view));
      this.views.set(entry, view);
    }
    this.grid.replaceChildren(...[...this.views.values()].map((v) => v.element));
    this.unsubscribe = d.store.subscribe((c) => this.onChange(c));
    this.applyAlign();
    this.frameAll();
  }

  focus(): void {
    this.back.focus();
  }

  resetCameras(): void {
    this.link.userMoved = false;
    this.frameAll();
  }

  setTheme(theme: Theme, colour: Rgb): void {
    for (const v of this.views.values()) {
      v.setTheme(theme);
      v.setSeriesColour(colour);
    }
  }

  /** The live small views, by run name. */
  liveViews(): [string, TrajectoryView][] {
    return [...this.views].map(([e, v]) => [e.run.name, v]);
  }

  /** The panel's diagnostics: the alignment, and per seed what it shows. */
  diagnostics(): { variant: string; align: SeedAlign; reference?: string; views: (SeedViewStats & { drawn?: ReturnType<TrajectoryView['drawn']> })[] } {
    return {
      variant: this.d.variant,
      align: this.align,
      ...(this.reference ? { reference: this.reference.run.name } : {}),
      views: [...this.views].map(([e, v]) => ({ ...(this.stats.get(e) ?? { run: e.run.name, seed: e.run.training.seed, reference: false }), drawn: v.drawn() })),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    for (const [entry, view] of this.views) this.d.retire(entry.run.name, view);
    this.views.clear();
    this.element.remove();
  }

  /** The variant's runs in the shown session, in seed order. */
  private entries(): RunEntry[] {
    const s = this.d.store.shown;
    return s.runs.filter((r) => s.groupOf(r) === this.d.variant).sort((a, b) => a.run.training.seed - b.run.training.seed);
  }

  private onChange(c: Change): void {
    if (this.disposed) return;
    if (c.topic === 'prefs') {
      // The scrubber's time is set by the owner, with its own views'.
      if (c.key === 'basis') this.showAll();
      return;
    }
    if (c.topic !== 'run' || c.what === 'step' || !this.views.has(c.entry)) return;
    // A new reference (the first seed with data) turns every other picture: redraw them all.
    if (this.align === 'first' && (this.findReference() !== this.reference || c.entry === this.reference)) return this.showAll();
    this.show(c.entry);
  }

  private applyAlign(): void {
    for (const a of ['own', 'first'] as const) this.alignButtons[a].setAttribute('aria-pressed', String(a === this.align));
    this.showAll();
  }

  private findReference(): RunEntry | undefined {
    return [...this.views.keys()].find((e) => e.view !== undefined);
  }

  private showAll(): void {
    this.reference = this.align === 'first' ? this.findReference() : undefined;
    for (const entry of this.views.keys()) this.show(entry);
    this.updateNote();
  }

  private show(entry: RunEntry): void {
    const v = this.views.get(entry);
    if (!v) return;
    const seed = entry.run.training.seed;
    const stats: SeedViewStats = { run: entry.run.name, seed, reference: entry === this.reference };
    this.stats.set(entry, stats);
    v.element.dataset.learned = entry.learned ? String(entry.learned.ok) : '';
    if (!entry.view) {
      v.clear(emptyText(entry, this.d.store.running.length > 0));
      return;
    }
    const basis = this.d.store.prefs.basis;
    let data = entry.view;
    let fit: BasisFit | undefined;
    const ref = this.reference;
    if (ref?.view && ref !== entry) {
      const aligned = alignView(entry.view, ref.view, { dt: entry.run.network.dt, tMin: entry.run.evaluation.t_min, tag: `s${ref.run.training.seed}` });
      data = aligned.view;
      fit = basis === 'readout' && aligned.readout ? aligned.readout : aligned.pca;
      if ('angleDeg' in fit) stats.fitDeg = fit.angleDeg;
    }
    const meta = { ...viewMeta(entry), ...this.subtitle(entry, fit) };
    // A turned picture's axes are no longer its own PCs: their explained variance would mislead.
    if (fit !== undefined && 'rotation' in fit) delete meta.explained;
    v.show(data, basis, meta);
    this.d.onView(entry.view);
  }

  /** "ρ 0.81 · learned · fit 12°": what a small view says beside its seed, and its hover text. */
  private subtitle(entry: RunEntry, fit: BasisFit | undefined): { subtitle: string; subtitleHint: string } {
    const rho = entry.final?.rho ?? entry.evaluations[entry.evaluations.length - 1]?.rho;
    const parts = [`ρ ${fmt(rho)}`];
    const hints = [`${entry.run.name}: ${entry.viewFinal ? 'final evaluation' : `evaluation at step ${entry.viewStep} of ${entry.steps}`}`];
    if (!entry.viewFinal) parts.push(`step ${entry.viewStep}/${entry.steps}`);
    else if (entry.learned) parts.push(entry.learned.ok ? 'learned' : 'not learned');
    if (entry.learned?.reason) hints.push(entry.learned.reason);
    if (entry === this.reference) {
      parts.push('reference');
      hints.push('the other seeds are turned to match this one');
    } else if (fit && 'angleDeg' in fit) {
      parts.push(`fit ${Math.round(fit.angleDeg)}°`);
      hints.push(`turned onto seed ${this.reference?.run.training.seed ?? ''}${fit.reflected ? ' (with a reflection)' : ''}; after the fit the two 3-D pictures still differ by a Procrustes angle of ${fmt(fit.angleDeg)}° (of the pictures only: the networks' own distance is in dissimilarity.json, docs/science.md §4.7)`);
    } else if (fit && 'reason' in fit) {
      parts.push('not aligned');
      hints.push(fit.reason);
    }
    return { subtitle: parts.join(' · '), subtitleHint: hints.join('. ') };
  }

  private updateNote(): void {
    const ref = this.reference;
    const text =
      this.align === 'own'
        ? "Each seed in its own basis: a flipped or swapped axis is not a different solution. Orbit one view and all of them turn."
        : ref
          ? `Turned to match seed ${ref.run.training.seed} (rotations and reflections, fitted from t_min on): similar solutions look alike. A picture aid, not a measure.`
          : 'Aligned to the first seed that has data: none has yet.';
    setText(this.note, text);
  }

  private frameAll(): void {
    const r = Math.max(0, ...[...this.views.values()].map((v) => v.radius()));
    this.link.frame(r > 0 ? r : 1.5);
  }
}
