/**
 * The runs in progress, one row each, when a session has several runs: where each is,
 * how fast it goes, and its own Pause/Resume and Stop (the header's act on all). A row
 * keeps its elements while its run trains, so a focused button stays focused as the
 * numbers change.
 */
import { button, h, setText } from '../dom';
import { fmt } from '../format';
import type { Renderable, RenderScheduler } from '../scene/render-scheduler';
import type { RunEntry } from '../session';
import type { PanelStore, RunActivity } from '../store';

export interface RunStripActions {
  pauseOrResume(entry: RunEntry, paused: boolean): void;
  stop(entry: RunEntry): void;
}

interface RowElements {
  row: HTMLElement;
  text: HTMLElement;
  progress: HTMLProgressElement;
  pause: HTMLButtonElement;
  stop: HTMLButtonElement;
  paused: boolean;
}

export class RunStrip implements Renderable {
  readonly element = h('section', { class: 'run-strip', attrs: { 'aria-label': 'Runs in progress' } });
  private readonly caption = h('div', { class: 'run-strip-caption' });
  private readonly list = h('ul', { class: 'run-strip-list' });
  private readonly rows = new Map<RunEntry, RowElements>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: PanelStore,
    private readonly scheduler: RenderScheduler,
    private readonly actions: RunStripActions,
  ) {
    this.element.append(this.caption, this.list);
    this.element.hidden = true;
    // With the header, once a frame: steps arrive far faster than anyone reads.
    this.unsubscribe = store.subscribe((c) => {
      if (c.topic === 'header' || c.topic === 'session') scheduler.request(this);
    });
  }

  /** The runs in progress when the live session, with more than one run, is shown. */
  render(): void {
    const s = this.store;
    const several = (s.live?.runs.length ?? 0) > 1 && s.shown === s.live;
    this.update(several ? s.running : [], s.poolNote);
  }

  dispose(): void {
    this.unsubscribe();
    this.scheduler.forget(this);
  }

  /** `caption` says how many workers and why (poolSize). */
  private update(running: readonly RunActivity[], caption: string): void {
    this.element.hidden = running.length === 0;
    setText(this.caption, caption);
    const keep = new Set(running.map((r) => r.entry));
    for (const [entry, els] of this.rows) {
      if (!keep.has(entry)) {
        els.row.remove();
        this.rows.delete(entry);
      }
    }
    running.forEach((r, i) => {
      const els = this.rows.get(r.entry) ?? this.add(r.entry);
      if (this.list.children[i] !== els.row) this.list.insertBefore(els.row, this.list.children[i] ?? null);
      this.renderRow(r, els);
    });
  }

  private add(entry: RunEntry): RowElements {
    const name = entry.run.name;
    const els: RowElements = {
      row: h('li', { class: 'run-strip-row' }),
      text: h('span', { class: 'run-strip-text' }),
      progress: h('progress', { class: 'progress', attrs: { max: 1, value: 0, 'aria-label': `Progress of ${name}` } }),
      pause: button('Pause', { class: 'btn small' }),
      stop: button('Stop', { class: 'btn small', title: `Stop ${name} after its current step; it is evaluated and kept, and the next queued run starts`, ariaLabel: `Stop ${name}` }),
      paused: false,
    };
    els.pause.addEventListener('click', () => this.actions.pauseOrResume(entry, els.paused));
    els.stop.addEventListener('click', () => this.actions.stop(entry));
    els.row.append(h('span', { class: 'run-strip-name', text: name }), els.progress, els.text, els.pause, els.stop);
    this.rows.set(entry, els);
    return els;
  }

  private renderRow(r: RunActivity, els: RowElements): void {
    const { entry } = r;
    els.paused = r.paused;
    els.progress.max = Math.max(1, entry.steps);
    els.progress.value = entry.step;
    const state = r.stopping ? ' · stopping' : r.paused ? ' · paused' : entry.stepsPerSecond > 0 ? ` · ${fmt(entry.stepsPerSecond, 3)} steps/s` : '';
    setText(els.text, `${entry.step}/${entry.steps}${entry.backend !== undefined ? ` · ${entry.backend}` : ''}${state}`);
    setText(els.pause, r.paused ? 'Resume' : 'Pause');
    els.pause.setAttribute('aria-label', `${r.paused ? 'Resume' : 'Pause'} ${entry.run.name}`);
    els.pause.disabled = r.stopping;
    els.stop.disabled = r.stopping;
    els.row.dataset.state = r.stopping ? 'stopping' : r.paused ? 'paused' : 'training';
  }
}
