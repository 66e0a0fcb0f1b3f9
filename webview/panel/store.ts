/**
 * The page's one state (docs/architecture.md, The panel and the host): the live session and the session shown,
 * what the header says, and the user's view choices. The router writes it and says what
 * changed; every view subscribes and redraws what concerns it. Nothing here touches the
 * DOM.
 */
import type { PanelState } from '../../src/protocol';
import type { Basis } from './scene/trajectory-view';
import type { MeasureKey, RunEntry, Session } from './session';

/** Choices the user made in the page; kept across a window reload (restore-state.ts). */
export interface Prefs {
  basis: Basis;
  /** time scrubber, 0..1 of the trial (1: whole trajectories) */
  time: number;
  finalMeasure: MeasureKey;
}

export const DEFAULT_PREFS: Prefs = { basis: 'pca', time: 1, finalMeasure: 'rho' };

export type Change =
  /** the shown session was replaced: views rebuild */
  | { topic: 'session' }
  /** one run changed: `what` says how much (a step is cheap, an evaluation brings new data) */
  | { topic: 'run'; entry: RunEntry; what: 'status' | 'step' | 'evaluation' | 'final' }
  /** header facts (state, backend, banners) */
  | { topic: 'header' }
  | { topic: 'prefs'; key: keyof Prefs }
  /** the dissimilarity of a session changed (Session.dissimilarity) */
  | { topic: 'dissimilarity'; session: Session };

/** A run a worker is training now, and whether it is paused or stopping. */
export interface RunActivity {
  entry: RunEntry;
  paused: boolean;
  stopping: boolean;
}

export interface BackendShown {
  label: string;
  reason: string;
}

export class PanelStore {
  /** the runs of the last init/train: they go on training while another session is shown */
  live: Session | undefined;
  shown: Session;
  specName: string;
  queueState: PanelState;
  /** the runs the workers are training now, in the order they started (several at once on the pool) */
  running: readonly RunActivity[] = [];
  /** how many workers the pool uses, and why */
  poolNote = '';
  /** the run that started last: the header names it when none is training */
  lastActive: RunEntry | undefined;
  backend: BackendShown | { error: string } | undefined;
  backendName: string | undefined;
  specChanged: { changed: boolean; valid: boolean } | undefined;
  error: string | undefined;
  note: string | undefined;
  prefs: Prefs;
  private readonly listeners = new Set<(c: Change) => void>();

  constructor(shown: Session, specName: string, queueState: PanelState, prefs: Partial<Prefs> = {}) {
    this.shown = shown;
    this.specName = specName;
    this.queueState = queueState;
    this.prefs = { ...DEFAULT_PREFS, ...prefs };
  }

  subscribe(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(change: Change): void {
    for (const fn of [...this.listeners]) fn(change);
  }

  setPref<K extends keyof Prefs>(key: K, value: Prefs[K]): void {
    if (this.prefs[key] === value) return;
    this.prefs = { ...this.prefs, [key]: value };
    this.emit({ topic: 'prefs', key });
  }

  isShown(entry: RunEntry): boolean {
    return this.shown.runs.includes(entry);
  }

  /** Whether the live session has begun training (a stored-run panel's init never does). */
  liveStarted(): boolean {
    return this.live?.runs.some((r) => r.status !== 'queued') ?? false;
  }

  clear(): void {
    this.listeners.clear();
  }
}
