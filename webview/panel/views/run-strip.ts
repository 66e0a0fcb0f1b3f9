/**
 * The runs in progress, one row each, when a session has several runs: where each is,
 * how fast it goes, and its own Pause/Resume and Stop (the header's act on all). A row
 * keeps its elements while its run trains, so a focused button stays focused as the
 * numbers change.
 */
import { button, h, setText } from '../dom';
import { fmt } from '../format';
import type { RunEntry } from '../session';

export interface RunStripRow {
  entry: RunEntry;
  paused: boolean;
  stopping: boolean;
}

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

export class RunStrip {
  readonly element = h('section', { class: 'run-strip', attrs: { 'aria-label': 'Runs in progress' } });
  private readonly caption = h('div', { class: 'run-strip-caption' });
  private readonly list = h('ul', { class: 'run-strip-list' });
  private readonly rows = new Map<RunEntry, RowElements>();

  constructor(private readonly actions: RunStripActions) {
    this.element.append(this.caption, this.list);
    this.element.hidden = true;
  }

  /** `caption` says how many workers and why (poolSize). */
  update(running: readonly RunStripRow[], caption: string): void {
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
      this.render(r, els);
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

  private render(r: RunStripRow, els: RowElements): void {
    const { entry } = r;
    els.paused = r.paused;
    els.progress.max = Math.max(1, entry.steps);
    els.progress.value = entry.step;
    const state = r.stopping ? ' · stopping' : r.paused ? ' · paused' : entry.stepsPerSecond > 0 ? ` · ${fmt(entry.stepsPerSecond, 3)} steps/s` : '';
    setText(els.text, `${entry.step}/${entry.steps}${state}`);
    setText(els.pause, r.paused ? 'Resume' : 'Pause');
    els.pause.setAttribute('aria-label', `${r.paused ? 'Resume' : 'Pause'} ${entry.run.name}`);
    els.pause.disabled = r.stopping;
    els.stop.disabled = r.stopping;
    els.row.dataset.state = r.stopping ? 'stopping' : r.paused ? 'paused' : 'training';
  }
}
