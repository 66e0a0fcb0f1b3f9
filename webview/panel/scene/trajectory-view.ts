/**
 * One variant's 3D view: the evaluation trajectories in a 3-D basis of state space (the
 * top PCs, or the readout direction plus the top PCs orthogonal to it), a start marker
 * per trial, each readout vector as an arrow from the activity centre with its projected
 * fraction and angle beside it, and the axes. It owns its renderer, and dispose() frees
 * every GPU object it made (checked through renderer.info in test/browser).
 */
import { Color, PerspectiveCamera, Scene, SRGBColorSpace, Vector3, WebGLRenderer, type Object3D } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { ProjectedView } from '../../../src/core/analysis/projection';
import type { ViewData } from '../../../src/protocol';
import { conditionPalette, css, readoutPalette, type Rgb } from '../colour';
import { h, setText } from '../dom';
import { degrees, fmt, percent } from '../format';
import type { Theme } from '../theme';
import { AxisLines } from './axis-lines';
import type { CameraLink, LinkedCamera } from './camera-link';
import { LabelLayer, type Label } from './label-layer';
import { markerTexture } from './marker-texture';
import { ReadoutArrow } from './readout-arrow';
import type { Renderable, RenderScheduler } from './render-scheduler';
import { TrajectoryLines } from './trajectory-lines';
import { viewPng, type PictureLegendItem } from './view-png';
import { at } from '../../../src/core/checked';

export type Basis = 'pca' | 'readout';

export interface ViewMeta {
  runName: string;
  /** training step of the evaluation shown, and the run's steps */
  step: number;
  steps: number;
  /** grid spacing, for the time of the scrubber */
  dt: number;
  /** explained-variance ratios of the PCs, when known */
  explained?: readonly number[];
  final: boolean;
  /** a final evaluation that has not learned the task: said beside the step */
  notLearned?: boolean;
  /** said beside the title instead of the run, step and learned mark (a seed's small view: its ρ and learned mark) */
  subtitle?: string;
  /** its hover text */
  subtitleHint?: string;
}

/** Something drawn over the trajectories (the perturbation explorer's kicked trial): its lines follow the view's size. */
export interface Overlay {
  readonly object: Object3D;
  setResolution(width: number, height: number, lineWidth: number): void;
}

export interface GpuMemory {
  geometries: number;
  textures: number;
  programs: number;
}

interface Deps {
  scheduler: RenderScheduler;
  link: CameraLink;
  theme: Theme;
  /** Home or 0 in a view: reset every linked camera */
  onResetRequest: () => void;
  /** new data arrived and the user has not moved the camera: the owner may refit */
  onDataFramed: () => void;
  /** the title shown and read out, when not the variant's name (a seed's small view: "seed 1") */
  title?: string;
}

/** trajectory width in CSS pixels */
const LINE_WIDTH = 2;
const ROTATE_STEP = Math.PI / 36;
const PAN_STEP = 24;
const ZOOM_STEP = 1.12;

export class TrajectoryView implements Renderable, LinkedCamera {
  readonly element: HTMLElement;
  readonly camera = new PerspectiveCamera(40, 1, 0.01, 1000);
  readonly controls: OrbitControls;
  private readonly renderer: WebGLRenderer;
  private readonly canvas: HTMLCanvasElement;
  private readonly scene = new Scene();
  private readonly labels = new LabelLayer();
  private readonly lines: TrajectoryLines;
  private readonly axes: AxisLines;
  private readonly marker = markerTexture();
  private readonly arrows: { arrow: ReadoutArrow; label: Label }[] = [];
  private readonly subtitle: HTMLElement;
  private readonly swatch: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly readoutList: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly head: HTMLElement;
  private readonly resize: ResizeObserver;
  private readonly cleanups: (() => void)[] = [];
  private readonly overlays = new Set<Overlay>();
  private readonly afterRenders = new Set<() => void>();
  private width = 0;
  private height = 0;
  private contextLost = false;
  private disposed = false;
  private theme: Theme;
  private data: { view: ViewData; basis: Basis; meta: ViewMeta } | undefined;
  /** renderer.info after this view freed its own objects, before the renderer itself went */
  private leftover: GpuMemory | undefined;

  constructor(
    readonly variant: string,
    private readonly deps: Deps,
  ) {
    this.theme = deps.theme;
    this.canvas = h('canvas', {
      class: 'view-canvas',
      attrs: {
        tabindex: 0,
        role: 'img',
        'aria-label': `3D state space of ${deps.title ?? `variant ${variant}`}. Drag to orbit, wheel to zoom, arrow keys rotate, Shift+arrows pan, + and − zoom, Home resets.`,
      },
    });
    this.overlay = h('div', { class: 'view-overlay', text: 'Waiting for the first evaluation…' });
    this.subtitle = h('span', { class: 'view-sub' });
    this.swatch = h('span', { class: 'swatch line', attrs: { 'aria-hidden': 'true' } });
    this.readoutList = h('ul', { class: 'readout-list', attrs: { 'aria-label': `Readout vectors of ${variant}` } });
    this.footer = h('div', { class: 'view-foot' });
    const wrap = h('div', { class: 'view-canvas-wrap' }, this.canvas, this.labels.element, this.overlay);
    this.head = h('figcaption', { class: 'view-head' }, h('span', { class: 'view-title' }, this.swatch, deps.title ?? variant), this.subtitle);
    this.element = h(
      'figure',
      { class: 'view', attrs: { 'data-variant': variant } },
      this.head,
      wrap,
      this.readoutList,
      this.footer,
    );

    this.renderer = new WebGLRenderer({ canvas: this.canvas, antialias: true, powerPreference: 'low-power' });
    this.renderer.setPixelRatio(1); // sizes are scaled by devicePixelRatio in onResize (three.js manual, "responsive")
    this.renderer.outputColorSpace = SRGBColorSpace;

    this.lines = new TrajectoryLines(this.marker);
    this.axes = new AxisLines(this.labels);
    this.scene.add(this.axes.object, this.lines.object);

    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.enableDamping = false; // damping needs a continuous rAF loop; this view renders on demand
    this.controls.zoomToCursor = true;
    this.controls.minDistance = 0.2;
    this.controls.maxDistance = 200;
    const onChange = () => {
      this.requestRender();
      this.deps.link.changed(this);
    };
    const onStart = () => (this.deps.link.userMoved = true);
    this.controls.addEventListener('change', onChange);
    this.controls.addEventListener('start', onStart);
    this.cleanups.push(() => {
      this.controls.removeEventListener('change', onChange);
      this.controls.removeEventListener('start', onStart);
    });

    this.listen(this.canvas, 'keydown', (e) => this.onKey(e as KeyboardEvent));
    // three.js does not restore a lost context by itself (mrdoob/three.js#5857): preventDefault
    // asks the browser to restore it, and the renderer re-uploads everything on the next frame.
    this.listen(this.canvas, 'webglcontextlost', (e) => {
      e.preventDefault();
      this.contextLost = true;
      this.showOverlay('The GPU context was lost; the view comes back when the browser restores it.');
    });
    this.listen(this.canvas, 'webglcontextrestored', () => {
      this.contextLost = false;
      this.showOverlay(this.data ? '' : 'Waiting for the first evaluation…');
      this.requestRender();
    });

    this.resize = new ResizeObserver((entries) => {
      const box = at(entries, entries.length - 1).contentRect;
      this.onResize(box.width, box.height);
    });
    this.resize.observe(wrap);
    deps.link.add(this);
    this.applyTheme();
  }

  requestRender(): void {
    if (!this.disposed) this.deps.scheduler.request(this);
  }

  show(view: ViewData, basis: Basis, meta: ViewMeta): void {
    this.data = { view, basis, meta };
    this.redraw();
    if (!this.deps.link.userMoved) this.deps.onDataFramed();
  }

  setBasis(basis: Basis): void {
    if (!this.data || this.data.basis === basis) return;
    this.data.basis = basis;
    this.redraw();
  }

  /** No data: the view is empty and says why (`text`), so it never shows an older run's result. */
  clear(text: string): void {
    this.data = undefined;
    this.lines.clear();
    for (const { arrow, label } of this.arrows) {
      arrow.object.visible = false;
      label.text = '';
    }
    this.axes.setNames(['', '', '']);
    this.readoutList.replaceChildren();
    setText(this.subtitle, '');
    setText(this.footer, '');
    this.showOverlay(text);
    this.requestRender();
  }

  /** The variant's colour (the loss chart's line), on the swatch of the view's title. */
  setSeriesColour(c: Rgb): void {
    this.swatch.style.backgroundColor = css(c);
  }

  /** The time the trajectories are drawn up to (trial time units), or undefined without data. */
  scrubbedTime(): number | undefined {
    if (!this.data) return undefined;
    return (this.data.view.projection.steps[this.lines.cutoffIndex] ?? 0) * this.data.meta.dt;
  }

  /** Show the first `fraction` of every trajectory. */
  setTime(fraction: number): void {
    this.lines.setCutoff(fraction);
    this.updateFooter();
    this.requestRender();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.labels.remeasure();
    this.applyTheme();
    if (this.data) this.redraw();
    this.requestRender();
  }

  /** How far most of the drawn activity reaches from the centre (90th percentile, world units; 0 without data). */
  radius(): number {
    return this.lines.hasData ? this.lines.radius() : 0;
  }

  render(): void {
    if (this.disposed || this.contextLost || this.width === 0 || this.height === 0) return;
    for (const { arrow } of this.arrows) arrow.faceCamera(this.camera.position);
    this.renderer.render(this.scene, this.camera);
    this.labels.place(this.camera, this.width, this.height);
    for (const fn of this.afterRenders) fn();
  }

  /** Draws `o` in this view's scene until the returned function removes it (the owner disposes it). */
  addOverlay(o: Overlay): () => void {
    this.overlays.add(o);
    this.scene.add(o.object);
    if (this.width > 0 && this.height > 0) this.applyResolution(o);
    this.requestRender();
    return () => {
      this.overlays.delete(o);
      this.scene.remove(o.object);
      this.requestRender();
    };
  }

  /** Calls fn after every frame this view draws, until the returned function is called. */
  afterRender(fn: () => void): () => void {
    this.afterRenders.add(fn);
    return () => this.afterRenders.delete(fn);
  }

  /**
   * What the view draws, in world units: every trajectory point (trials x steps x 3) and each
   * readout arrow's tip. The panel's diagnostics: tests compare views by it.
   */
  drawn(): { points: number[]; arrows: number[][] } | undefined {
    if (!this.data) return undefined;
    const pv = this.currentView();
    const scale = pv.scale > 0 && Number.isFinite(pv.scale) ? pv.scale : 1;
    return { points: this.lines.points(), arrows: pv.readouts.map((r) => r.arrow.map((v) => v / scale)) };
  }

  /** The element the view's own controls go below its readout list (the perturbation explorer). */
  appendControls(el: HTMLElement): void {
    this.footer.before(el);
  }

  /** Controls in the view's title row (Save as PNG). */
  appendHeadControls(el: HTMLElement): void {
    this.head.append(el);
  }

  /**
   * The view as PNG bytes at `scale` times its size, with its title, labels and `legend`
   * drawn in: the scene is rendered once at that size, copied, and the view put back.
   */
  async toPng(legend: PictureLegendItem[], scale = 2): Promise<ArrayBuffer> {
    if (this.disposed || this.contextLost || this.width === 0 || this.height === 0) throw new Error('the view is not drawn now (hidden, closed, or its GPU context is lost)');
    // The canvas's own box (the resize observer floors fractional sizes): the picture is exactly scale x what is on screen.
    const cw = this.canvas.clientWidth || this.width;
    const ch = this.canvas.clientHeight || this.height;
    const w = Math.round(cw * scale);
    const hgt = Math.round(ch * scale);
    const copy = h('canvas', { attrs: { width: w, height: hgt } });
    const ctx = copy.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas for the PNG export');
    try {
      this.renderer.setSize(w, hgt, false);
      this.lines.setResolution(w, hgt, LINE_WIDTH * scale);
      for (const o of this.overlays) o.setResolution(w, hgt, LINE_WIDTH * scale * 1.5);
      for (const { arrow } of this.arrows) arrow.faceCamera(this.camera.position);
      this.renderer.render(this.scene, this.camera);
      // in the same task as the render: the drawing buffer is not preserved after it is shown
      ctx.drawImage(this.canvas, 0, 0);
    } finally {
      this.onResize(this.width, this.height);
    }
    const labels = this.labels.shownLabels().map((l) => ({ x: l.x, y: l.y, text: l.text, ...(l.el.style.borderColor ? { border: l.el.style.borderColor } : {}) }));
    return viewPng(copy, { width: cw, height: ch, title: this.deps.title ?? this.variant, subtitle: this.subtitle.textContent ?? '', labels, legend, theme: this.theme }, scale);
  }

  /** What the view's own dispose() left on the GPU: all zero unless something leaked. */
  get memoryAtDispose(): GpuMemory | undefined {
    return this.leftover;
  }

  gpuMemory(): GpuMemory {
    const info = this.renderer.info;
    return { geometries: info.memory.geometries, textures: info.memory.textures, programs: info.programs?.length ?? 0 };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.deps.scheduler.forget(this);
    this.deps.link.remove(this);
    this.resize.disconnect();
    for (const c of this.cleanups.splice(0)) c();
    this.afterRenders.clear();
    for (const o of this.overlays) this.scene.remove(o.object);
    this.overlays.clear();
    this.controls.dispose();
    this.lines.dispose();
    this.axes.dispose();
    for (const { arrow } of this.arrows.splice(0)) arrow.dispose();
    this.marker.dispose();
    this.scene.clear();
    // Read before renderer.dispose(), which frees whatever is still tracked and would hide a leak here.
    this.leftover = this.gpuMemory();
    this.renderer.renderLists.dispose();
    this.renderer.dispose();
    this.labels.dispose();
    this.element.remove();
  }

  /** After dispose(): give the WebGL context back now instead of at garbage collection (browsers cap live contexts at 16). */
  releaseContext(): void {
    if (this.disposed) this.renderer.forceContextLoss();
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => void): void {
    target.addEventListener(type, fn);
    this.cleanups.push(() => target.removeEventListener(type, fn));
  }

  private redraw(): void {
    if (!this.data) return;
    const { view, meta } = this.data;
    const pv = this.currentView();
    const basis: Basis = pv === view.projection.readout ? 'readout' : 'pca';
    const trials = view.projection.trials.length;
    const steps = view.projection.steps.length;
    const palette = conditionPalette(this.theme.background);
    const colours: Rgb[] = view.projection.trials.map((b) => at(palette, (view.condition[b] ?? 0) % palette.length));
    const highContrast = this.theme.kind.startsWith('high-contrast');
    this.lines.set({
      coords: pv.trajectories,
      trials,
      steps,
      centre: pv.centre,
      scale: pv.scale,
      colours,
      background: this.theme.background,
      fadeFrom: highContrast ? 0.75 : 0.4,
    });

    const explained = basis === 'pca' ? meta.explained : undefined;
    this.axes.setNames(pv.axis_labels.map((name, j) => (explained?.[j] !== undefined ? `${name} ${percent(explained[j])}` : shortAxis(name))));

    this.syncArrows(pv);
    if (meta.subtitleHint) this.subtitle.title = meta.subtitleHint;
    else this.subtitle.removeAttribute('title');
    setText(this.subtitle, meta.subtitle ?? `${meta.runName} · ${meta.final ? 'final' : 'step'} ${meta.step}/${meta.steps}${meta.notLearned ? ' · not learned' : ''}`);
    this.showOverlay('');
    this.updateFooter();
    this.requestRender();
  }

  private currentView(): ProjectedView {
    if (!this.data) throw new Error('the trajectory view has no data yet');
    const { view, basis } = this.data;
    return basis === 'readout' && view.projection.readout ? view.projection.readout : view.projection.pca;
  }

  private syncArrows(pv: ProjectedView): void {
    const n = pv.readouts.length;
    for (const { arrow, label } of this.arrows.splice(n)) {
      this.scene.remove(arrow.object);
      arrow.dispose();
      this.labels.remove(label);
    }
    while (this.arrows.length < n) {
      const arrow = new ReadoutArrow();
      this.scene.add(arrow.object);
      this.arrows.push({ arrow, label: this.labels.add('readout-label', 0) });
    }
    const palette = readoutPalette(this.theme.foreground, this.theme.background);
    const scale = pv.scale > 0 && Number.isFinite(pv.scale) ? pv.scale : 1;
    this.readoutList.replaceChildren();
    pv.readouts.forEach((r, i) => {
      const { arrow, label } = at(this.arrows, i);
      // One colour per readout, on the arrow, its label and its line in the list below.
      const rgb = at(palette, i % palette.length);
      arrow.set(new Vector3(r.arrow[0] / scale, r.arrow[1] / scale, r.arrow[2] / scale), new Color().setRGB(rgb[0] / 255, rgb[1] / 255, rgb[2] / 255, SRGBColorSpace));
      label.anchor.copy(arrow.labelAnchor);
      const name = n === 1 ? 'w_out' : `w_out${i + 1}`;
      const text = `${name}: ${percent(r.fraction)} in view, ${degrees(r.angle_deg)} out`;
      label.text = text;
      label.el.dataset.fraction = String(r.fraction);
      label.el.style.borderColor = css(rgb);
      const swatch = h('span', { class: 'swatch arrow', attrs: { 'aria-hidden': 'true' } });
      swatch.style.backgroundColor = css(rgb);
      this.readoutList.append(h('li', { attrs: { 'data-fraction': r.fraction, title: `${name} points ${degrees(r.angle_deg)} out of the displayed 3-D space; ${percent(r.fraction)} of its length lies in it. The arrow is drawn that long, in units of the activity's RMS radius.` } }, swatch, text));
    });
  }

  private updateFooter(): void {
    if (!this.data) return setText(this.footer, '');
    const { view, meta } = this.data;
    const pv = this.currentView();
    const k = this.lines.cutoffIndex;
    const grid = view.projection.steps[k] ?? 0;
    const t = grid * meta.dt;
    const lastT = (view.projection.steps[view.projection.steps.length - 1] ?? 0) * meta.dt;
    const time = k < view.projection.steps.length - 1 ? `t = ${fmt(t)} of ${fmt(lastT)} · ` : '';
    setText(this.footer, `${time}axes = 1 RMS radius of the activity (${fmt(pv.scale)}); a readout fully in view reaches the axis length`);
  }

  private applyTheme(): void {
    const t = this.theme;
    const bg = new Color().setRGB(t.background[0] / 255, t.background[1] / 255, t.background[2] / 255, SRGBColorSpace);
    this.scene.background = bg;
    this.axes.setColour(new Color().setRGB(t.muted[0] / 255, t.muted[1] / 255, t.muted[2] / 255, SRGBColorSpace));
  }

  private showOverlay(text: string): void {
    setText(this.overlay, text);
    this.overlay.hidden = text === '';
  }

  private onResize(w: number, h: number): void {
    if (this.disposed) return;
    this.width = Math.floor(w);
    this.height = Math.floor(h);
    if (this.width === 0 || this.height === 0) return;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    this.renderer.setSize(Math.floor(this.width * dpr), Math.floor(this.height * dpr), false);
    this.lines.setResolution(Math.floor(this.width * dpr), Math.floor(this.height * dpr), LINE_WIDTH * dpr);
    for (const o of this.overlays) this.applyResolution(o);
    this.camera.aspect = this.width / this.height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  private applyResolution(o: Overlay): void {
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    o.setResolution(Math.floor(this.width * dpr), Math.floor(this.height * dpr), LINE_WIDTH * dpr * 1.5);
  }

  private onKey(e: KeyboardEvent): void {
    const c = this.controls;
    const moves: Record<string, () => void> = {
      ArrowLeft: () => (e.shiftKey ? c.pan(PAN_STEP, 0) : c.rotateLeft(ROTATE_STEP)),
      ArrowRight: () => (e.shiftKey ? c.pan(-PAN_STEP, 0) : c.rotateLeft(-ROTATE_STEP)),
      ArrowUp: () => (e.shiftKey ? c.pan(0, PAN_STEP) : c.rotateUp(ROTATE_STEP)),
      ArrowDown: () => (e.shiftKey ? c.pan(0, -PAN_STEP) : c.rotateUp(-ROTATE_STEP)),
      // OrbitControls' dolly methods scale the camera distance: dollyIn(s) multiplies it by s.
      '+': () => c.dollyIn(1 / ZOOM_STEP),
      '=': () => c.dollyIn(1 / ZOOM_STEP),
      '-': () => c.dollyIn(ZOOM_STEP),
    };
    if (e.key === 'Home' || e.key === '0') {
      e.preventDefault();
      this.deps.onResetRequest();
      return;
    }
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    // Keys move the camera without OrbitControls' 'start' event.
    this.deps.link.userMoved = true;
    move();
  }
}

/** 'PC1 without w_out,1' is long for a label at an axis end. */
function shortAxis(name: string): string {
  return name.replace(' without w_out,1', ' ⊥ w_out');
}
