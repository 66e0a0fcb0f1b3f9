/**
 * The panel's header: what is being trained, how far, how fast, on which backend and
 * why, the controls, and the banners (spec changed, errors). A stored run or a
 * comparison trains nothing here: no Train, Pause or Stop, but the way to its spec.
 */
import type { PanelState } from '../../../src/protocol';
import { button, h, setText } from '../dom';
import { bytes, fmt } from '../format';
import type { Renderable, RenderScheduler } from '../scene/render-scheduler';
import type { RunEntry } from '../session';
import type { PanelStore } from '../store';

export interface HeaderModel {
  title: string;
  mode: 'live' | 'stored' | 'compare';
  state: PanelState;
  /** the run in progress (or the last one) */
  run?: { name: string; index: number; total: number; step: number; steps: number };
  /** several runs in progress at once: how many, how many of the session have ended, and its steps */
  several?: { running: number; ended: number; steps: { done: number; total: number } };
  stepsPerSecond?: number;
  /** the current run's estimated peak memory per training step and its trainable parameters */
  memory?: { bytes: number; parameters: number };
  backend?: { label: string; reason: string } | { error: string };
  specChanged?: { changed: boolean; valid: boolean };
  /** shown under the header until the next Train */
  error?: string;
  /** the run store's answer for the last finished run */
  note?: string;
  /** a stored run is shown while live runs exist: offer the way back */
  canShowLive?: boolean;
  /** some shown run is in a run folder: its Python snippet can be copied */
  canCopyPython?: boolean;
}

export interface HeaderActions {
  train(): void;
  pauseOrResume(): void;
  stop(): void;
  resetView(): void;
  showLive(): void;
  openSpec(): void;
  copyPython(): void;
}

/** What the badge says: a state that is on its way somewhere ends in an ellipsis, as the status bar's does. */
const STATE_TEXT: Record<PanelState, string> = {
  starting: 'starting…',
  idle: 'idle',
  training: 'training',
  paused: 'paused',
  stopping: 'stopping…',
  failed: 'failed',
};

export class Header implements Renderable {
  readonly element: HTMLElement;
  private readonly title = h('h1', { class: 'spec-name' });
  private readonly mode = h('span', { class: 'mode-tag' });
  private readonly badge = h('span', { class: 'state-badge', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly runText = h('span', { class: 'run-text' });
  private readonly progress = h('progress', { class: 'progress', attrs: { max: 1, value: 0, 'aria-label': 'Progress of the current run' } });
  private readonly rate = h('span', { class: 'rate' });
  private readonly memory = h('span', { class: 'memory', attrs: { title: 'Estimated peak memory of one training step (BPTT over the whole trial) and trainable parameters' } });
  private readonly backend = h('span', { class: 'backend' });
  private readonly banner = h('div', { class: 'banner warn', attrs: { role: 'status' } });
  private readonly error = h('div', { class: 'banner error', attrs: { role: 'alert' } });
  private readonly note = h('div', { class: 'banner note', attrs: { role: 'status' } });
  private readonly trainBtn = button('Train', { class: 'btn primary', title: 'Re-read the spec and train all its runs (replaces the runs in progress)' });
  private readonly pauseBtn = button('Pause', { class: 'btn' });
  private readonly stopBtn = button('Stop', { class: 'btn', title: 'Stop after the current step; the run is evaluated and kept' });
  private readonly resetBtn = button('Reset view', { class: 'btn', title: 'Reset the 3D cameras (Home in a view)' });
  private readonly liveBtn = button('Back to live runs', { class: 'btn', title: 'Show the runs of the last Train again' });
  private readonly specBtn = button('Open spec', { class: 'btn', title: 'Open the spec this run was trained from; train it there' });
  private readonly pythonBtn = button('Copy Python', {
    class: 'btn',
    title: 'Copy a Python snippet that loads the stored runs shown here with numpy (and safetensors) and recomputes rho',
    ariaLabel: 'Copy Python snippet',
  });
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: PanelStore,
    private readonly scheduler: RenderScheduler,
    actions: HeaderActions,
  ) {
    this.trainBtn.addEventListener('click', () => actions.train());
    this.pauseBtn.addEventListener('click', () => actions.pauseOrResume());
    this.stopBtn.addEventListener('click', () => actions.stop());
    this.resetBtn.addEventListener('click', () => actions.resetView());
    this.liveBtn.addEventListener('click', () => actions.showLive());
    this.specBtn.addEventListener('click', () => actions.openSpec());
    this.pythonBtn.addEventListener('click', () => actions.copyPython());
    this.element = h('header', { class: 'panel-header' },
      h('div', { class: 'header-row' },
        h('div', { class: 'title-block' }, h('span', { class: 'product', text: 'RNN Dynamics Lab' }), this.title, this.mode, this.badge),
        h('div', { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Training' } }, this.liveBtn, this.specBtn, this.pythonBtn, this.trainBtn, this.pauseBtn, this.stopBtn, this.resetBtn),
      ),
      h('div', { class: 'status-row' }, this.runText, this.progress, this.rate, this.memory, this.backend),
      this.banner,
      this.error,
      this.note,
    );
    // Coalesced into the next frame: step messages arrive far faster than anyone reads.
    this.unsubscribe = store.subscribe((c) => {
      if (c.topic === 'header' || c.topic === 'session') scheduler.request(this);
    });
  }

  render(): void {
    this.update(this.model());
  }

  dispose(): void {
    this.unsubscribe();
    this.scheduler.forget(this);
  }

  private model(): HeaderModel {
    const s = this.store;
    const running = s.running.map((r) => r.entry);
    const active = running[0] ?? s.lastActive;
    const runs = s.live?.runs ?? [];
    const mode = s.shown.kind === 'live' ? 'live' : s.shown.kind;
    const stored = mode !== 'live';
    const first = s.shown.runs[0];
    const shownEntry = stored ? (mode === 'stored' ? first : undefined) : active;
    return {
      title: mode === 'stored' ? (first?.run.name ?? '') : mode === 'compare' ? `Comparing ${s.shown.runs.length} runs` : s.specName,
      mode,
      state: s.queueState,
      ...(shownEntry
        ? { run: { name: shownEntry.run.name, index: stored ? 1 : runs.indexOf(shownEntry) + 1, total: stored ? 1 : runs.length, step: shownEntry.step, steps: shownEntry.steps } }
        : {}),
      ...(active && !stored ? { stepsPerSecond: running.length > 1 ? running.reduce((r, e) => r + e.stepsPerSecond, 0) : active.stepsPerSecond } : {}),
      ...(running.length > 1 && !stored ? { several: { running: running.length, ended: runs.filter((r) => r.status === 'finished' || r.status === 'stopped' || r.status === 'failed').length, steps: sumSteps(runs) } } : {}),
      ...(active?.memoryBytes !== undefined && !stored ? { memory: { bytes: active.memoryBytes, parameters: active.parameters ?? 0 } } : {}),
      // A stored-run panel trains nothing: its backend would only distract.
      ...(s.backend && (!stored || s.liveStarted()) ? { backend: s.backend } : {}),
      ...(s.specChanged ? { specChanged: s.specChanged } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(s.note ? { note: s.note } : mode === 'stored' ? { note: first?.note ?? '' } : {}),
      canShowLive: stored && s.liveStarted(),
      canCopyPython: s.shown.runs.some((r) => r.folder !== undefined),
    };
  }

  update(m: HeaderModel): void {
    setText(this.title, m.title || 'untitled spec');
    setText(this.mode, m.mode === 'stored' ? 'stored run' : m.mode === 'compare' ? 'comparison' : '');
    this.mode.hidden = m.mode === 'live';
    this.liveBtn.hidden = !m.canShowLive;
    // What trains is the live session; a page showing stored runs offers their spec instead.
    const trains = m.mode === 'live' || m.canShowLive === true;
    this.trainBtn.hidden = !trains;
    this.pauseBtn.hidden = !trains;
    this.stopBtn.hidden = !trains;
    this.specBtn.hidden = m.mode !== 'stored';
    this.pythonBtn.hidden = m.canCopyPython !== true;
    setText(this.badge, STATE_TEXT[m.state]);
    this.badge.dataset.state = m.state;
    this.badge.hidden = !trains && m.state === 'idle';

    const active = m.state === 'training' || m.state === 'paused';
    this.pauseBtn.disabled = !active;
    setText(this.pauseBtn, m.state === 'paused' ? 'Resume' : 'Pause');
    this.pauseBtn.setAttribute('aria-label', m.state === 'paused' ? 'Resume training' : 'Pause training');
    // Pressed once is enough: while the run stops, the button says so.
    this.stopBtn.disabled = !active;
    setText(this.stopBtn, m.state === 'stopping' ? 'Stopping…' : 'Stop');

    if (m.run && m.mode !== 'live') {
      setText(this.runText, `${m.run.name} · trained ${m.run.step} steps`);
      this.progress.hidden = true;
    } else if (m.several && m.run) {
      setText(this.runText, `${m.several.running} runs training · ${m.several.ended} of ${m.run.total} done`);
      this.progress.setAttribute('aria-label', 'Progress of the runs of this Train');
      this.progress.max = Math.max(1, m.several.steps.total);
      this.progress.value = m.several.steps.done;
      this.progress.hidden = false;
    } else if (m.run) {
      setText(this.runText, `run ${m.run.index}/${m.run.total} · ${m.run.name} · step ${m.run.step}/${m.run.steps}`);
      this.progress.setAttribute('aria-label', 'Progress of the current run');
      this.progress.max = Math.max(1, m.run.steps);
      this.progress.value = m.run.step;
      this.progress.hidden = false;
    } else {
      setText(this.runText, m.mode !== 'live' ? '' : 'no run yet');
      this.progress.hidden = true;
    }
    setText(this.rate, m.stepsPerSecond && m.state === 'training' ? `${fmt(m.stepsPerSecond, 3)} steps/s` : '');
    this.rate.hidden = this.rate.textContent === '';
    setText(this.memory, m.memory ? `~${bytes(m.memory.bytes)} per step · ${m.memory.parameters.toLocaleString('en-US')} parameters` : '');
    this.memory.hidden = !m.memory;

    if (!m.backend) {
      setText(this.backend, m.mode !== 'live' ? '' : 'backend: starting…');
      this.backend.hidden = m.mode !== 'live';
      this.backend.title = '';
    } else if ('error' in m.backend) {
      this.backend.hidden = false;
      setText(this.backend, 'backend: none');
      this.backend.title = m.backend.error;
    } else {
      this.backend.hidden = false;
      setText(this.backend, `backend: ${m.backend.label} — ${m.backend.reason}`);
      this.backend.title = m.backend.reason;
    }

    const sc = m.specChanged;
    const bannerText = !sc?.changed ? '' : sc.valid ? 'Spec changed — press Train to apply.' : 'Spec changed and has errors — fix them, then press Train.';
    setText(this.banner, bannerText);
    this.banner.hidden = bannerText === '';
    setText(this.error, m.error ?? '');
    this.error.hidden = !m.error;
    setText(this.note, m.note ?? '');
    this.note.hidden = !m.note;
  }
}

/** Steps done and to do over a session's runs (a stopped or failed run counts as done). */
function sumSteps(runs: readonly RunEntry[]): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const r of runs) {
    total += r.steps;
    done += r.status === 'queued' || r.status === 'training' ? r.step : r.steps;
  }
  return { done, total };
}
