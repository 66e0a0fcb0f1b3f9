/**
 * The panel's runs on the shared worker pool (src/trainer/pool.ts), one Web Worker per
 * run at a time, as many at once as poolSize allows: one per run, at most the hardware
 * threads but one (the page's own thread draws the 3D views), the user's
 * rnnlab.maxWorkers, and what fits in pageMemoryBudget. A new queue replaces the
 * old one: runs in progress are stopped (they still report their result).
 */
import type { Envelope } from '../../src/core/pack';
import type { RunConfig } from '../../src/core/types';
import type { FromTrainer, PanelAssets, PanelState } from '../../src/protocol';
import type { TrainerClient } from '../../src/trainer/client';
import { TrainerPool, type ActiveRun } from '../../src/trainer/pool';
import { pageMemoryBudget, poolSize, type PoolSize } from '../../src/trainer/pool-size';
import type { RunEntry } from './session';
import { webPlatform, WorkerSource } from './trainer-boot';

type Msg<T extends FromTrainer['type']> = Extract<FromTrainer, { type: T }>;

export interface QueueListener {
  /** a worker is ready (or none could start: `error`) */
  backend(client: TrainerClient | null, error?: string): void;
  started(entry: RunEntry, msg: Msg<'started'>): void;
  step(entry: RunEntry, msg: Msg<'step'>): void;
  evaluation(entry: RunEntry, msg: Msg<'evaluation'>): void;
  /** the run's GPU was lost and it goes on on another backend */
  backendChanged(entry: RunEntry, msg: Msg<'backendChanged'>): void;
  /** the worker's RunResult envelope; its buffer is the listener's to transfer */
  finished(entry: RunEntry, result: Envelope): void;
  failed(entry: RunEntry, message: string, step?: number): void;
  /** queued runs that will not train: replaced by a new queue, or stopped before their turn */
  dropped(entries: readonly RunEntry[]): void;
  state(state: PanelState): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export class RunQueue {
  private readonly pool: TrainerPool<RunEntry>;
  private readonly source: WorkerSource;
  private disposed = false;
  /** the size of the pool for the last queue, and why */
  size: PoolSize | undefined;

  constructor(
    assets: PanelAssets,
    listener: QueueListener,
    /** A page that starts its worker only with the first run (a stored-run panel) is idle, not starting, until then. */
    lazy = false,
  ) {
    this.source = new WorkerSource(assets.workerUrl);
    this.pool = new TrainerPool<RunEntry>(
      { platform: webPlatform(assets, this.source, () => this.disposed), size: 1, lazy },
      {
        message(entry, m) {
          if (m.type === 'started') listener.started(entry, m);
          else if (m.type === 'step') listener.step(entry, m);
          else if (m.type === 'evaluation') listener.evaluation(entry, m);
          else if (m.type === 'backendChanged') listener.backendChanged(entry, m);
        },
        finished: (entry, result) => listener.finished(entry, result),
        failed: (entry, message, step) => listener.failed(entry, message, step),
        dropped: (entries) => listener.dropped(entries),
        worker: (client, error) => listener.backend(client, error),
        state: (s) => listener.state(s),
        log: (level, message) => listener.log(level, message),
      },
    );
  }

  get state(): PanelState {
    return this.pool.state;
  }

  /** Runs handed to a worker, in the order they started, with whether each is paused or stopping. */
  get running(): readonly ActiveRun<RunEntry>[] {
    return this.pool.running;
  }

  /** Workers alive or starting, and the most the last queue may use. */
  get workers(): { alive: number; capacity: number } {
    return { alive: this.pool.workers, capacity: this.pool.capacity };
  }

  /** Start one worker now, so the first Train does not wait for it. */
  warmUp(): void {
    this.pool.warmUp('auto');
  }

  /** Replace the queue with `entries` and train them; `maxWorkers` is the user's cap (0: none). */
  start(entries: RunEntry[], maxWorkers = 0): void {
    const runs: RunConfig[] = entries.map((e) => e.run);
    const threads = globalThis.navigator?.hardwareConcurrency ?? 2;
    const deviceMemory = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
    this.size = poolSize({ runs, threads, reserve: 1, max: maxWorkers, budget: pageMemoryBudget(deviceMemory) });
    this.pool.start(entries, this.size.workers);
  }

  pause(entry?: RunEntry): void {
    this.pool.pause(entry);
  }

  resume(entry?: RunEntry): void {
    this.pool.resume(entry);
  }

  /** Stop every run in progress (each still reports its result) and drop the queue; or stop one run. */
  stop(entry?: RunEntry): void {
    this.pool.stop(entry);
  }

  dispose(): void {
    this.disposed = true;
    this.pool.dispose();
    this.source.dispose();
  }
}
