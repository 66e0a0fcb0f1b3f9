/**
 * Trains the runs of a session one after another on one worker. The worker trains one
 * run at a time and reports `finished` only once it is free again, so the next run is
 * sent from that message. A new queue replaces the old one: the run in progress is
 * stopped (it still reports its result) and the new queue starts after it.
 */
import type { BackendChoice } from '../../src/core/types';
import type { Envelope } from '../../src/core/pack';
import type { FromTrainer, PanelAssets, PanelState } from '../../src/protocol';
import type { RunEntry } from './session';
import { startTrainer, WorkerSource, type Trainer } from './trainer-boot';

type Msg<T extends FromTrainer['type']> = Extract<FromTrainer, { type: T }>;

export interface QueueListener {
  /** a worker is ready (or none could start: `error`) */
  backend(trainer: Trainer | null, error?: string): void;
  started(entry: RunEntry, msg: Msg<'started'>): void;
  step(entry: RunEntry, msg: Msg<'step'>): void;
  evaluation(entry: RunEntry, msg: Msg<'evaluation'>): void;
  /** the run's GPU was lost and it goes on on another backend */
  backendChanged(entry: RunEntry, msg: Msg<'backendChanged'>): void;
  /** the worker's RunResult envelope; its buffer is the listener's to transfer */
  finished(entry: RunEntry, result: Envelope): void;
  failed(entry: RunEntry, message: string, step?: number): void;
  state(state: PanelState): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export class RunQueue {
  private trainer: Promise<Trainer> | undefined;
  private pending: RunEntry[] = [];
  private active: { entry: RunEntry; runId: string; off: () => void } | undefined;
  /** bumped by start() and stop(): a run whose worker was still starting then is not sent */
  private generation = 0;
  /** next() is waiting for a worker; a second next() must not start another run meanwhile */
  private launching = false;
  private paused = false;
  private current: PanelState;
  private disposed = false;
  /** why the last worker start failed; cleared by the next successful one */
  private bootError: string | undefined;
  private readonly source: WorkerSource;

  constructor(
    private readonly assets: PanelAssets,
    private readonly listener: QueueListener,
    /** A page that starts its worker only with the first run (a stored-run panel) is idle, not starting, until then. */
    lazy = false,
  ) {
    this.source = new WorkerSource(assets.workerUrl);
    this.current = lazy ? 'idle' : 'starting';
  }

  get state(): PanelState {
    return this.current;
  }

  get activeEntry(): RunEntry | undefined {
    return this.active?.entry;
  }

  /** Start the default worker now, so the first Train does not wait for it. Without it, next() starts one on demand. */
  warmUp(): void {
    void this.ensureTrainer('auto').then(
      () => this.current === 'starting' && this.setState('idle'),
      () => this.current === 'starting' && this.setState('failed'),
    );
  }

  /** Replace the queue with `entries` and train them. */
  start(entries: RunEntry[]): void {
    this.generation++;
    this.pending = [...entries];
    this.paused = false;
    if (this.active) {
      this.setState('stopping');
      this.sendToActive({ type: 'stop' });
      return; // next() runs when the stopped run reports
    }
    void this.next();
  }

  pause(): void {
    if (!this.active || this.paused) return;
    this.paused = true;
    this.sendToActive({ type: 'pause' });
    this.setState('paused');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.sendToActive({ type: 'resume' });
    if (this.active) this.setState('training');
  }

  /** Stop the run in progress (it still reports its result) and drop the rest. */
  stop(): void {
    this.generation++;
    this.pending = [];
    this.paused = false;
    if (this.active) {
      this.setState('stopping');
      this.sendToActive({ type: 'stop' });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.pending = [];
    this.active?.off();
    this.active = undefined;
    void this.trainer?.then((t) => t.client.terminate(), () => undefined);
    this.trainer = undefined;
    this.source.dispose();
  }

  private sendToActive(msg: { type: 'pause' | 'resume' | 'stop' }): void {
    void this.trainer?.then((t) => t.client.send(msg), () => undefined);
  }

  private setState(s: PanelState): void {
    if (this.disposed || s === this.current) return;
    this.current = s;
    this.listener.state(s);
  }

  private async next(): Promise<void> {
    if (this.disposed || this.active || this.launching) return;
    const entry = this.pending.shift();
    if (!entry) {
      this.paused = false;
      this.setState(this.bootError ? 'failed' : 'idle');
      return;
    }
    this.setState(this.paused ? 'paused' : 'training');
    const generation = this.generation;
    let trainer: Trainer;
    this.launching = true;
    try {
      trainer = await this.ensureTrainer(entry.run.training.backend);
    } catch (err) {
      this.launching = false;
      if (this.disposed) return;
      if (generation !== this.generation) return void this.next();
      this.listener.failed(entry, (err as Error).message);
      this.setState('failed');
      // Every other run would fail the same way; say so once.
      for (const e of this.pending) this.listener.failed(e, 'not started: the training worker could not start');
      this.pending = [];
      return;
    }
    this.launching = false;
    if (this.disposed) return;
    // Replaced or stopped while the worker was starting: this run is no longer wanted.
    if (generation !== this.generation) return void this.next();
    const runId = `${this.generation}/${entry.run.name}`;
    const offMsg = trainer.client.onMessage((m) => this.onWorkerMessage(runId, m));
    const offCrash = trainer.client.onCrash((message) => this.onCrash(runId, message));
    this.active = { entry, runId, off: () => (offMsg(), offCrash()) };
    trainer.client.send({ type: 'train', runId, run: entry.run });
    if (this.paused) trainer.client.send({ type: 'pause' });
  }

  private onWorkerMessage(runId: string, m: FromTrainer): void {
    const a = this.active;
    if (!a || !('runId' in m) || m.runId !== runId) return;
    switch (m.type) {
      case 'started':
        this.listener.started(a.entry, m);
        return;
      case 'step':
        this.listener.step(a.entry, m);
        return;
      case 'evaluation':
        this.listener.evaluation(a.entry, m);
        return;
      case 'backendChanged':
        this.listener.backendChanged(a.entry, m);
        return;
      case 'finished':
        this.endActive();
        this.listener.finished(a.entry, m.result);
        void this.next();
        return;
      case 'failed':
        this.endActive();
        this.listener.failed(a.entry, m.message, m.step);
        void this.next();
        return;
    }
  }

  private onCrash(runId: string, message: string): void {
    const a = this.active;
    if (!a || a.runId !== runId) return;
    this.endActive();
    this.listener.log('error', `training worker crashed: ${message}`);
    void this.trainer?.then((t) => t.client.terminate(), () => undefined);
    this.trainer = undefined;
    this.listener.failed(a.entry, `The training worker crashed: ${message}`);
    void this.next();
  }

  private endActive(): void {
    this.active?.off();
    this.active = undefined;
  }

  /** The running worker if it suits `choice`, else a fresh one (and the old one ends). */
  private async ensureTrainer(choice: BackendChoice): Promise<Trainer> {
    if (this.trainer) {
      const t = await this.trainer.catch(() => undefined);
      // A worker started for the same choice serves it (one that fell back to cpu too: retrying would fail again).
      if (t?.client.alive && t.choice === choice) return t;
      t?.client.terminate();
    }
    // dispose() ends only the worker it saw: start none after it.
    if (this.disposed) throw new Error('the panel was closed');
    const starting = startTrainer(this.assets, this.source, choice, {
      log: (msg) => {
        if (!this.disposed) this.listener.log('warn', msg);
      },
      cancelled: () => this.disposed,
    });
    this.trainer = starting;
    try {
      const t = await starting;
      this.bootError = undefined;
      // Disposed while the worker started (the page went away): dispose() terminates it; nobody is listening.
      if (!this.disposed) {
        this.listener.log('info', `training worker ready: ${t.backend.name}${t.backend.simd ? ' (SIMD)' : ''} in ${Math.round(t.startupMs)} ms`);
        this.listener.backend(t);
      }
      return t;
    } catch (err) {
      if (this.trainer === starting) this.trainer = undefined;
      this.bootError = (err as Error).message;
      if (!this.disposed) this.listener.backend(null, (err as Error).message);
      throw err;
    }
  }
}
