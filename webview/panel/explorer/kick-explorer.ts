/**
 * The perturbation explorer of one 3D view (docs/science.md §4.6; the paper's Fig 5 and 20
 * on the user's own network): pick a trial, a direction and, with the time scrubber, the
 * kick time t_p; drag the amplitude, and the view draws the kicked trial over the
 * unperturbed one while the chart beside it shows the outputs z(t) of both against the
 * target. The worker simulates each kick (explorer-worker.ts); the newest answer is drawn
 * on the next frame. Nothing renders unless something changed, and dispose() frees the
 * lines, the chart and the worker's copy of the network.
 */
import type { ViewData, KickAnswer, KickDirection, KickRequest } from '../../../src/protocol';
import type { ProjectedView } from '../../../src/core/analysis/projection';
import { mix, type Rgb } from '../colour';
import { h, setText } from '../dom';
import { fmt } from '../format';
import { markerTexture } from '../scene/marker-texture';
import type { RenderScheduler } from '../scene/render-scheduler';
import type { Overlay } from '../scene/trajectory-view';
import type { PictureLegendItem } from '../scene/view-png';
import { TrajectoryLines } from '../scene/trajectory-lines';
import type { Theme } from '../theme';
import { LineChart } from '../views/charts/line-chart';
import type { ChartModel } from '../views/charts/chart-model';
import type { ExplorerData } from './explorer-data';
import type { ExplorerWorker } from './explorer-worker';
import type { KickClient } from './kick-client';
import { at } from '../../../src/core/checked';

/** What the explorer needs of its 3D view (TrajectoryView). */
export interface KickHost {
  addOverlay(o: Overlay): () => void;
  afterRender(fn: () => void): () => void;
  requestRender(): void;
}

const DIRECTIONS: readonly { value: KickDirection; label: string; title: string }[] = [
  { value: 'w_out', label: 'w_out', title: 'Along the first readout vector: an oblique network shrugs this off' },
  { value: 'pc1', label: 'PC1', title: 'Along the first principal component of the noise-free activity' },
  { value: 'pc2', label: 'PC2', title: 'Along the second principal component' },
  { value: 'rand', label: 'random', title: 'Along a random direction (the same one every time)' },
  { value: 'w_in', label: 'w_in', title: 'Along the first input vector' },
];

/**
 * A stored run's view before its network is here: the host reads it from the run folder
 * when the user first kicks (`load`), not with the run, since weights are MBs at N = 512.
 */
export interface NetworkOnRequest {
  load(): void;
  /** the slider's end for the run's task (§4.6's A_max), known before the network */
  aMax: number;
  state: 'idle' | 'loading' | { problem: string };
}

/** Slider positions per unit of sqrt(N). */
const AMPLITUDE_STEPS = 20;

export interface ExplorerStats {
  requests: number;
  answers: number;
  /** from the slider's input to the first frame that shows an answer at least as new, ms (the last 100) */
  pictureMs: number[];
  /** from a request to its answer (or a later one's) arriving, ms (the last 100) */
  answerMs: number[];
  /** the picture drawn: the request, and the largest distance between kicked and unperturbed points in view units */
  drawn?: { request: KickRequest; deviation: number };
  problem?: string;
}

export class KickExplorer {
  readonly element: HTMLElement;
  readonly stats: ExplorerStats = { requests: 0, answers: 0, pictureMs: [], answerMs: [] };
  private readonly directionSelect: HTMLSelectElement;
  private readonly trialSelect: HTMLSelectElement;
  private readonly amplitude: HTMLInputElement;
  private readonly amplitudeOut: HTMLOutputElement;
  private readonly note: HTMLElement;
  private readonly chart: LineChart;
  private readonly marker = markerTexture();
  private readonly lines = new TrajectoryLines(this.marker);
  private readonly client: KickClient;
  private readonly stopAfterRender: () => void;
  private readonly removeOverlay: () => void;
  private data: ExplorerData | undefined;
  /** without data: how to get it (a stored run), or nothing (a run still training, or never trained here) */
  private onRequest: NetworkOnRequest | undefined;
  private view: ViewData | undefined;
  private basis: 'pca' | 'readout' = 'pca';
  private time = 1;
  private dt = 1;
  private answer: KickAnswer | undefined;
  /** since when the user waits for the picture of the controls' kick */
  private pending: { since: number } | undefined;
  /** the data the worker has (a setup goes out with the first kick after new data) */
  private sent: ExplorerData | undefined;
  /**
   * A pointer drags the amplitude: until it is released, a kick changes only the two
   * canvases (the view's and the chart's), at most once a frame. Any text or layout change
   * makes the compositor redraw the page, which on a software GPU took 200 ms a picture
   * (docs/architecture.md); the value and the note catch up on release (settle).
   */
  private dragging = false;
  private frameQueued = 0;
  private readonly stopListening: () => void;
  /** the user has touched a control: until then no worker is started (a panel nobody kicks in costs nothing) */
  private engaged = false;
  private disposed = false;

  constructor(
    private readonly key: string,
    private readonly host: KickHost,
    private readonly worker: ExplorerWorker,
    scheduler: RenderScheduler,
    private theme: Theme,
  ) {
    const id = (what: string) => `kick-${what}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    this.directionSelect = h('select', { class: 'select', attrs: { id: id('direction'), title: 'Direction of the kick' } });
    for (const d of DIRECTIONS) this.directionSelect.append(h('option', { text: d.label, attrs: { value: d.value, title: d.title } }));
    this.trialSelect = h('select', { class: 'select', attrs: { id: id('trial'), title: 'The trial that is kicked' } });
    this.amplitude = h('input', {
      class: 'range',
      attrs: { type: 'range', min: 0, max: 10 * AMPLITUDE_STEPS, value: 0, step: 1, id: id('amplitude'), 'aria-label': `Kick amplitude of ${key}, in units of the square root of N` },
    });
    this.amplitudeOut = h('output', { class: 'kick-out', text: '0', attrs: { for: id('amplitude') } });
    this.note = h('p', { class: 'kick-note muted' });
    this.chart = new LineChart(scheduler, theme, () => this.model(), { className: 'kick-chart', height: 130, label: `Outputs of the kicked trial of ${key} against the target` });
    this.element = h(
      'div',
      { class: 'kick', attrs: { role: 'group', 'aria-label': `Perturbation explorer of ${key}` } },
      h(
        'div',
        { class: 'kick-controls' },
        h('label', { class: 'inline-label', attrs: { for: id('direction') } }, 'kick along'),
        this.directionSelect,
        h('label', { class: 'inline-label', attrs: { for: id('trial') } }, 'trial'),
        this.trialSelect,
        h('span', { class: 'scrubber' }, h('label', { class: 'inline-label', attrs: { for: id('amplitude') } }, 'a'), this.amplitude, this.amplitudeOut),
      ),
      this.note,
      this.chart.element,
    );
    this.lines.object.visible = false;
    this.removeOverlay = host.addOverlay(this.lines);
    this.client = worker.client(key, {
      answered: (a, ms) => this.onAnswer(a, ms),
      failed: (m) => this.onProblem(m),
    });
    const kick = () => {
      this.engaged = true;
      this.kick();
    };
    this.amplitude.addEventListener('input', () => {
      this.engaged = true;
      if (!this.dragging) return this.kick();
      // the user waits from this input on, even if the kick goes out on the next frame
      if (this.data) this.pending ??= { since: performance.now() };
      this.frameQueued ||= requestAnimationFrame(() => {
        this.frameQueued = 0;
        this.kick();
      });
    });
    this.amplitude.addEventListener('pointerdown', () => (this.dragging = true));
    // Released anywhere (the pointer leaves the slider while dragging): the texts catch up.
    const release = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.settle();
    };
    window.addEventListener('pointerup', release);
    window.addEventListener('pointercancel', release);
    this.stopListening = () => {
      window.removeEventListener('pointerup', release);
      window.removeEventListener('pointercancel', release);
      cancelAnimationFrame(this.frameQueued);
    };
    this.directionSelect.addEventListener('change', kick);
    this.trialSelect.addEventListener('change', kick);
    this.stopAfterRender = host.afterRender(() => this.onFrame());
    this.showNote();
  }

  /**
   * A finished run's network and the view's data: the explorer is live. A stored run's
   * network may come on request (`onRequest`): its controls work, and the first kick asks
   * for it. Without either it says why.
   */
  show(data: ExplorerData | undefined, view: ViewData | undefined, basis: 'pca' | 'readout', dt: number, onRequest?: NetworkOnRequest): void {
    this.view = view;
    this.basis = basis;
    this.dt = dt;
    this.onRequest = data ? undefined : onRequest;
    if (!data || !view) {
      this.data = undefined;
      this.answer = undefined;
      this.lines.object.visible = false;
      const waiting = view && this.onRequest;
      this.setEnabled(waiting !== undefined && typeof waiting.state === 'string');
      if (view && waiting) {
        this.amplitude.max = String(Math.round(waiting.aMax * AMPLITUDE_STEPS));
        this.fillTrials(view);
        // kicked before: ask now (a stored run shown again, or a failed read tried again)
        if (this.engaged && waiting.state === 'idle') waiting.load();
      }
      this.showNote();
      this.chart.invalidate();
      this.host.requestRender();
      return;
    }
    if (this.data !== data) this.answer = undefined;
    this.data = data;
    this.setEnabled(true);
    this.amplitude.max = String(Math.round(data.aMax * AMPLITUDE_STEPS));
    const noInput = data.setup.dIn === 0;
    for (const o of this.directionSelect.options) if (o.value === 'w_in') o.disabled = noInput;
    if (noInput && this.directionSelect.value === 'w_in') this.directionSelect.value = 'w_out';
    this.fillTrials(view);
    this.kick();
  }

  /** The legend of what the explorer draws in the view, for a picture of it (empty while it draws nothing). */
  pictureLegend(): PictureLegendItem[] {
    const a = this.answer;
    if (!a || !this.lines.object.visible || !this.data) return [];
    const t = this.theme;
    const along = DIRECTIONS.find((d) => d.value === a.request.direction)?.label ?? a.request.direction;
    return [
      { label: `trial ${a.request.trial}, unperturbed`, colour: mix(t.foreground, t.background, 0.25) },
      { label: `kicked along ${along} at t = ${fmt(a.request.step * this.dt)}, A = ${fmt(a.request.amplitude)} √N`, colour: at(t.series, 1 % t.series.length) },
    ];
  }

  setBasis(basis: 'pca' | 'readout'): void {
    if (basis === this.basis) return;
    this.basis = basis;
    this.redrawLines();
  }

  /** The time scrubber: t_p (at its end, the earliest kick time of §4.6, t = 5). */
  setTime(fraction: number): void {
    if (fraction === this.time) return;
    this.time = fraction;
    if (this.data) this.kick();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.chart.setTheme(theme);
    this.redrawLines();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopAfterRender();
    this.stopListening();
    this.worker.release(this.key);
    this.removeOverlay();
    this.lines.dispose();
    this.marker.dispose();
    this.chart.dispose();
    this.element.remove();
  }

  /** The kick the controls describe, or undefined without data. */
  request(): KickRequest | undefined {
    if (!this.data || !this.view) return undefined;
    const T = this.data.setup.T;
    const steps = this.view.projection.steps;
    const scrubbed = steps[Math.round(this.time * Math.max(0, steps.length - 1))] ?? 0;
    const step = this.time >= 1 ? Math.min(T - 1, Math.round(5 / this.dt)) : Math.min(T - 1, scrubbed);
    return {
      trial: Number(this.trialSelect.value) || 0,
      step,
      direction: this.directionSelect.value as KickDirection,
      amplitude: Number(this.amplitude.value) / AMPLITUDE_STEPS,
    };
  }

  /** The texts of the controls' kick (after a drag, which leaves them alone). */
  private settle(): void {
    cancelAnimationFrame(this.frameQueued);
    if (this.frameQueued) {
      this.frameQueued = 0;
      return this.kick();
    }
    setText(this.amplitudeOut, `${fmt(Number(this.amplitude.value) / AMPLITUDE_STEPS, 3)} √N`);
    this.showNote();
  }

  private kick(): void {
    const r = this.request();
    if (!this.dragging) setText(this.amplitudeOut, `${fmt(Number(this.amplitude.value) / AMPLITUDE_STEPS, 3)} √N`);
    if (this.engaged && !this.data && this.onRequest?.state === 'idle') this.onRequest.load();
    if (!r || !this.engaged || !this.data || !this.view) {
      this.redrawLines();
      this.showNote();
      return;
    }
    if (this.sent !== this.data) {
      const { pca, readout } = this.view.projection;
      this.client.setup({ ...this.data.setup, bases: { pca: pca.axes, readout: readout?.axes ?? null } });
      this.sent = this.data;
    }
    this.stats.requests++;
    this.pending ??= { since: performance.now() };
    this.client.request(r);
    if (!this.dragging) this.showNote();
  }

  private onAnswer(a: KickAnswer, latencyMs: number): void {
    if (this.disposed) return;
    this.stats.answers++;
    this.stats.answerMs.push(latencyMs);
    if (this.stats.answerMs.length > 100) this.stats.answerMs.shift();
    this.stats.problem = undefined;
    this.answer = a;
    this.redrawLines();
    this.chart.invalidate();
    if (!this.dragging) this.showNote();
  }

  private onProblem(message: string): void {
    this.stats.problem = message;
    this.pending = undefined;
    this.showNote();
  }

  /** A frame was drawn: if it shows the answer to the latest request, the user has the picture. */
  private onFrame(): void {
    if (!this.pending || !this.answer || !this.data) return;
    const wanted = this.request();
    if (!wanted || !sameKick(wanted, this.answer.request)) return;
    this.stats.pictureMs.push(performance.now() - this.pending.since);
    if (this.stats.pictureMs.length > 100) this.stats.pictureMs.shift();
    this.pending = undefined;
  }

  /** The unperturbed trial and the kicked one (the unperturbed part before t_p, then the kick) in the view's basis. */
  private redrawLines(): void {
    const a = this.answer;
    const pv = this.projected();
    if (!a || !pv || !this.data) {
      if (this.lines.object.visible) {
        this.lines.object.visible = false;
        this.host.requestRender();
      }
      return;
    }
    const T = this.data.setup.T;
    const key = this.basis === 'readout' && a.unperturbed.readout ? 'readout' : 'pca';
    const base = a.unperturbed[key];
    const kicked = a.perturbed[key];
    if (!base || !kicked) return;
    const coords = new Float32Array(2 * T * 3);
    coords.set(base, 0);
    coords.set(base.subarray(0, a.request.step * 3), T * 3);
    coords.set(kicked, (T + a.request.step) * 3);
    const t = this.theme;
    const kickColour: Rgb = at(t.series, 1 % t.series.length);
    this.lines.set({ coords, trials: 2, steps: T, centre: pv.centre, scale: pv.scale, colours: [mix(t.foreground, t.background, 0.25), kickColour], background: t.background, fadeFrom: 0 });
    this.lines.setCutoff(1);
    this.lines.object.visible = true;
    let deviation = 0;
    for (let i = 0; i < T * 3; i++) deviation = Math.max(deviation, Math.abs((coords[T * 3 + i] ?? 0) - (coords[i] ?? 0)));
    this.stats.drawn = { request: a.request, deviation };
    this.host.requestRender();
  }

  private projected(): ProjectedView | undefined {
    const p = this.view?.projection;
    if (!p) return undefined;
    return this.basis === 'readout' && p.readout ? p.readout : p.pca;
  }

  private fillTrials(view: ViewData): void {
    const key = view.projection.trials.join(',');
    if (this.trialSelect.dataset.key === key) return;
    const previous = this.trialSelect.value;
    this.trialSelect.dataset.key = key;
    this.trialSelect.replaceChildren(
      ...view.projection.trials.map((b) => h('option', { text: `${b}: ${view.conditionLabels[view.condition[b] ?? 0] ?? ''}`, attrs: { value: b } })),
    );
    if (view.projection.trials.map(String).includes(previous)) this.trialSelect.value = previous;
  }

  private setEnabled(on: boolean): void {
    for (const el of [this.directionSelect, this.trialSelect, this.amplitude]) el.disabled = !on;
  }

  private showNote(): void {
    if (this.stats.problem) return setText(this.note, this.stats.problem);
    const wait = this.onRequest;
    if (!this.data && wait && this.view) {
      if (typeof wait.state === 'object') return setText(this.note, `The explorer cannot kick this run: ${wait.state.problem}`);
      if (wait.state === 'loading') return setText(this.note, 'Reading the trained network from the run folder…');
      return setText(this.note, 'Drag the amplitude (or pick a direction) to kick the trial; the trained network is read from the run folder at the first kick.');
    }
    if (!this.data) return setText(this.note, 'Kicks need the trained network: available once the run has finished.');
    if (!this.engaged) return setText(this.note, 'Drag the amplitude (or pick a direction) to kick the trial; the time scrubber sets when.');
    const r = this.request();
    const a = this.answer;
    if (!r) return setText(this.note, '');
    const where = this.time >= 1 ? `t = ${fmt(r.step * this.dt)} (move the time scrubber to kick elsewhere)` : `t = ${fmt(r.step * this.dt)}`;
    const after = a && sameKick(a.request, r) ? `; ${fmt(a.finalDistance)} √N from the unperturbed state at the end` : '';
    setText(this.note, `Kick at ${where}, A = ${fmt(r.amplitude * Math.sqrt(this.data.setup.N))} (${fmt(r.amplitude)} √N)${after}.`);
  }

  /** z(t) unperturbed and kicked against the target, per output. */
  private model(): ChartModel {
    const t = this.theme;
    const empty: ChartModel = { title: 'Outputs', x: [], ys: [], series: [], xLabel: 'time', yLabel: 'z', legend: [], empty: this.data ? 'Drag the amplitude to kick.' : 'No trained network yet.' };
    const a = this.answer;
    const d = this.data;
    if (!a || !d) return empty;
    const { T, B, dOut } = d.setup;
    const b = a.request.trial;
    const k0 = a.request.step;
    const x = Array.from({ length: T }, (_, k) => k * this.dt);
    const kickColour: Rgb = at(t.series, 1 % t.series.length);
    const plain = mix(t.foreground, t.background, 0.25);
    const ys: (number | null)[][] = [];
    const series: ChartModel['series'] = [];
    for (let o = 0; o < dOut; o++) {
      const suffix = dOut > 1 ? ` ${o + 1}` : '';
      ys.push(x.map((_, k) => ((d.mask[(k * B + b) * dOut + o] ?? 0) > 0 ? (d.targets[(k * B + b) * dOut + o] ?? null) : null)));
      series.push({ label: `target${suffix}`, colour: t.muted, style: 'line', dash: [4, 3] });
      ys.push(x.map((_, k) => a.unperturbed.outputs[k * dOut + o] ?? null));
      series.push({ label: `z${suffix}`, colour: plain, style: 'line' });
      ys.push(x.map((_, k) => (k >= k0 ? (a.perturbed.outputs[(k - k0) * dOut + o] ?? null) : null)));
      series.push({ label: `z kicked${suffix}`, colour: kickColour, style: 'line' });
    }
    return {
      title: 'Outputs',
      x,
      ys,
      series,
      xLabel: 'time',
      yLabel: 'z',
      marks: [{ x: k0 * this.dt, label: 'kick', colour: kickColour }],
      legend: [
        { label: 'target', colour: t.muted, style: 'line', dash: [4, 3] },
        { label: 'z', colour: plain, style: 'line' },
        { label: 'z kicked', colour: kickColour, style: 'line' },
      ],
      empty: empty.empty,
    };
  }
}

function sameKick(a: KickRequest, b: KickRequest): boolean {
  return a.trial === b.trial && a.step === b.step && a.direction === b.direction && a.amplitude === b.amplitude;
}
