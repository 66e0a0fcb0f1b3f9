/**
 * The runs of a spec trained side by side on a pool of workers, one run per worker at a
 * time, the same for the CLI and the panel. Results do not depend on the pool: each run
 * has its own random streams.
 *
 * - start() replaces the queue: runs in progress are stopped (they still report their
 *   result) and the new runs start as workers come free.
 * - pause, resume and stop act on every run, or on one.
 * - A worker is kept for the next run of the same backend choice; a worker that dies
 *   fails the run it held, and the pool goes on with one worker fewer (the likeliest
 *   cause is memory).
 */
import type { Envelope } from '../core/pack';
import type { BackendChoice, RunConfig } from '../core/types';
import type { PanelState } from '../protocol';
import { TrainerClient, type RunMessage, type TrainerPlatform } from './client';

export interface PoolJob {
  readonly run: RunConfig;
}

export interface PoolEvents<J extends PoolJob> {
  /** started, step, evaluation, analysis: as the worker sent them */
  message(job: J, msg: RunMessage): void;
  /** the RunResult envelope; its buffer is the listener's to transfer */
  finished(job: J, result: Envelope): void;
  failed(job: J, message: string, step?: number): void;
  /** queued jobs that will not start: replaced by start(), or stopped before their turn */
  dropped?(jobs: readonly J[]): void;
  /** a worker is ready, or none could start (`error`) */
  worker?(client: TrainerClient | null, error?: string): void;
  state?(state: PanelState): void;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface PoolOptions {
  platform: TrainerPlatform;
  /** workers at most (start() may change it) */
  size: number;
  initTimeoutMs?: number;
  /** a pool that starts no worker before its first run (a stored-run page) is idle, not starting, until then */
  lazy?: boolean;
}

/** The state of one run the pool has handed (or is about to hand) to a worker. */
export interface ActiveRun<J extends PoolJob> {
  readonly job: J;
  readonly runId: string;
  paused: boolean;
  stopping: boolean;
}

interface Active<J extends PoolJob> extends ActiveRun<J> {
  slot: Slot<J>;
  /** its train message went to the worker: pause and stop now go there too */
  sent: boolean;
}

interface Slot<J extends PoolJob> {
  readonly choice: BackendChoice;
  readonly client: Promise<TrainerClient>;
  ready?: TrainerClient;
  active?: Active<J>;
}

export class TrainerPool<J extends PoolJob> {
  private slots: Slot<J>[] = [];
  private pending: J[] = [];
  private readonly active = new Map<J, Active<J>>();
  private size: number;
  private pausedAll = false;
  private warming = false;
  private bootError: string | undefined;
  private disposed = false;
  private current: PanelState;
  private runs = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: PoolOptions,
    private readonly events: PoolEvents<J>,
  ) {
    this.size = Math.max(1, options.size);
    this.current = options.lazy ? 'idle' : 'starting';
  }

  get state(): PanelState {
    return this.current;
  }

  /** Workers at most. */
  get capacity(): number {
    return this.size;
  }

  /** Runs handed to a worker (or waiting for theirs to start), in the order they started. */
  get running(): readonly ActiveRun<J>[] {
    return [...this.active.values()];
  }

  get queued(): readonly J[] {
    return this.pending;
  }

  /** Workers alive or starting. */
  get workers(): number {
    return this.slots.length;
  }

  /** Start one worker now, so the first run does not wait for it. */
  warmUp(choice: BackendChoice = 'auto'): void {
    if (this.disposed || this.slots.length > 0) return;
    this.warming = true;
    const slot = this.launch(choice);
    void slot.client.then(
      () => this.settleWarmUp(),
      () => this.settleWarmUp(),
    );
  }

  /** Replace the queue with `jobs` (stopping the runs in progress) and train them on up to `size` workers. */
  start(jobs: readonly J[], size = this.size): void {
    if (this.disposed) return;
    this.size = Math.max(1, size);
    const dropped = this.pending;
    this.pending = [...jobs];
    this.pausedAll = false;
    for (const a of [...this.active.values()]) this.stopActive(a);
    if (dropped.length) this.events.dropped?.(dropped);
    this.retireSurplus();
    this.pump();
    this.update();
  }

  /** Pause every run (`job` omitted) or one. Queued runs wait while all are paused. */
  pause(job?: J): void {
    if (job === undefined) {
      if (this.active.size === 0 && this.pending.length === 0) return;
      this.pausedAll = true;
      for (const a of [...this.active.values()]) this.setPaused(a, true);
    } else {
      const a = this.active.get(job);
      if (a) this.setPaused(a, true);
    }
    this.update();
  }

  resume(job?: J): void {
    if (job === undefined) {
      this.pausedAll = false;
      for (const a of [...this.active.values()]) this.setPaused(a, false);
      this.pump();
    } else {
      const a = this.active.get(job);
      if (a) this.setPaused(a, false);
    }
    this.update();
  }

  /** Stop every run (`job` omitted) or one: a run in progress stops after its step and still reports; a queued one is dropped. */
  stop(job?: J): void {
    if (job === undefined) {
      const dropped = this.pending;
      this.pending = [];
      this.pausedAll = false;
      for (const a of [...this.active.values()]) this.stopActive(a);
      if (dropped.length) this.events.dropped?.(dropped);
    } else {
      const a = this.active.get(job);
      if (a) this.stopActive(a);
      else if (this.pending.includes(job)) {
        this.pending = this.pending.filter((j) => j !== job);
        this.events.dropped?.([job]);
        this.pump();
      }
    }
    this.update();
  }

  /** Resolves when no run is in progress or queued. */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** End every worker now; nothing is reported after this. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pending = [];
    this.active.clear();
    for (const s of this.slots) void s.client.then((c) => c.terminate(), () => undefined);
    this.slots = [];
    this.wakeIdle();
  }

  private setPaused(a: Active<J>, paused: boolean): void {
    if (a.paused === paused || a.stopping) return;
    a.paused = paused;
    // Not sent yet: it is sent paused (assign).
    if (!a.sent) return;
    if (paused) a.slot.ready?.pause();
    else a.slot.ready?.resume();
  }

  private stopActive(a: Active<J>): void {
    if (a.stopping) return;
    a.stopping = true;
    a.paused = false;
    // Not yet handed to its worker (still starting): it is simply not sent.
    if (!a.sent) return this.release(a, () => this.events.dropped?.([a.job]));
    a.slot.ready?.stop();
  }

  /** Hand queued jobs to free workers, starting workers up to the pool's size. */
  private pump(): void {
    if (this.disposed) return;
    this.slots = this.slots.filter((s) => !s.ready || s.ready.alive);
    for (let job = this.pending[0]; job !== undefined && !this.pausedAll; job = this.pending[0]) {
      const choice = job.run.training.backend;
      let slot = this.slots.find((s) => !s.active && s.choice === choice);
      if (!slot) {
        if (this.slots.length >= this.size) {
          // A free worker started for another backend choice makes room for one of this choice.
          const other = this.slots.find((s) => !s.active);
          if (!other) break;
          this.retire(other);
        }
        slot = this.launch(choice);
      }
      this.pending.shift();
      this.assign(job, slot);
    }
  }

  private assign(job: J, slot: Slot<J>): void {
    const a: Active<J> = { job, runId: `${++this.runs}:${job.run.name}`, paused: false, stopping: false, slot, sent: false };
    this.active.set(job, a);
    slot.active = a;
    void slot.client.then(
      (client) => {
        if (this.disposed || slot.active !== a) return;
        a.sent = true;
        client.train(a.runId, job.run, {
          message: (m) => {
            if (!this.disposed) this.events.message(job, m);
          },
          finished: (result) => this.release(a, () => this.events.finished(job, result)),
          failed: (message, step) => this.release(a, () => this.events.failed(job, message, step)),
        });
        if (a.paused) client.pause();
      },
      (err: Error) => {
        if (this.disposed || slot.active !== a) return;
        // Every queued run of this choice would fail the same way: none starts, and each says so once.
        const same = this.pending.filter((j) => j.run.training.backend === slot.choice);
        this.pending = this.pending.filter((j) => j.run.training.backend !== slot.choice);
        this.release(a, () => {
          this.events.failed(job, err.message);
          for (const j of same) this.events.failed(j, 'not started: the training worker could not start');
        });
      },
    );
  }

  /** A run ended (or will never start): free its worker, start what can start, then tell the owner. */
  private release(a: Active<J>, report: () => void): void {
    if (this.active.get(a.job) !== a) return;
    this.active.delete(a.job);
    if (a.slot.active === a) a.slot.active = undefined;
    const died = a.slot.ready !== undefined && !a.slot.ready.alive;
    if (died) {
      this.slots = this.slots.filter((s) => s !== a.slot);
      if (this.size > 1) this.size--;
      this.events.log?.('error', `a training worker stopped (${a.slot.ready?.deathReason}); the other runs go on, on up to ${this.size} worker${this.size === 1 ? '' : 's'}`);
    }
    this.retireSurplus();
    this.pump();
    // The state after this run (idle, or training the next) goes out before the result,
    // whose transfer to the host can take a while: the page and the status bar agree meanwhile.
    this.update();
    if (!this.disposed) report();
    if (this.active.size === 0 && this.pending.length === 0) this.wakeIdle();
  }

  private launch(choice: BackendChoice): Slot<J> {
    const client = TrainerClient.start(this.options.platform, choice, {
      ...(this.options.initTimeoutMs !== undefined ? { initTimeoutMs: this.options.initTimeoutMs } : {}),
      log: (message) => {
        if (!this.disposed) this.events.log?.('warn', message);
      },
    });
    const slot: Slot<J> = { choice, client };
    this.slots.push(slot);
    client.then(
      (c) => {
        if (this.disposed || !this.slots.includes(slot)) return c.terminate();
        slot.ready = c;
        this.bootError = undefined;
        this.events.log?.('info', `training worker ready: ${c.backend.name}${c.backend.simd ? ' (SIMD)' : ''} in ${Math.round(c.startupMs)} ms`);
        this.events.worker?.(c);
      },
      (err: Error) => {
        this.slots = this.slots.filter((s) => s !== slot);
        if (this.disposed) return;
        this.bootError = err.message;
        this.events.worker?.(null, err.message);
        this.update();
      },
    );
    return slot;
  }

  private retire(slot: Slot<J>): void {
    this.slots = this.slots.filter((s) => s !== slot);
    void slot.client.then((c) => c.terminate(), () => undefined);
  }

  /** Idle workers beyond the pool's size (it shrank) end. */
  private retireSurplus(): void {
    for (const s of this.slots.filter((x) => !x.active)) if (this.slots.length > this.size) this.retire(s);
  }

  private settleWarmUp(): void {
    this.warming = false;
    this.update();
  }

  private update(): void {
    if (this.disposed) return;
    const next = this.computeState();
    if (next === this.current) return;
    this.current = next;
    this.events.state?.(next);
  }

  private computeState(): PanelState {
    const runs = [...this.active.values()];
    if (runs.length === 0 && this.pending.length === 0) return this.bootError !== undefined ? 'failed' : this.warming ? 'starting' : 'idle';
    if (runs.some((a) => !a.paused && !a.stopping)) return 'training';
    if (runs.some((a) => a.stopping)) return 'stopping';
    return runs.length > 0 || this.pausedAll ? 'paused' : 'training';
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
