/**
 * The CLI's runs on the shared worker pool (src/trainer/pool.ts), each worker a
 * worker_thread running cli-worker.js. tfjs-wasm is single-threaded in Node, so on a
 * 2-core machine two workers train two runs in about the time of one.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { RunConfig } from '../core/types';
import type { BackendInfo } from '../core/backend';
import { fromEnvelope } from '../core/pack';
import type { RunResult } from '../core/train';
import type { RunMessage, TrainerPlatform, TrainerWorker } from '../trainer/client';
import { deathNotice } from '../trainer/death';
import { TrainerPool } from '../trainer/pool';

export interface PoolCallbacks {
  /** every message of a run (started, step, evaluation, analysis) */
  onMessage(run: RunConfig, msg: RunMessage): void;
  onResult(run: RunConfig, result: RunResult): Promise<void> | void;
  onFailure(run: RunConfig, message: string, step?: number): void;
}

export interface PoolHandle {
  /** every run reported, and every result handled */
  done: Promise<void>;
  /** stop every run between steps (each still reports what it has) */
  stop(): void;
  /** terminate the workers at once */
  kill(): Promise<void>;
  /** the backend of the first worker that started */
  backend: Promise<BackendInfo>;
}

/** Worker threads running `dir`/cli-worker.js, which load tfjs's wasm from `dir`. */
export function nodePlatform(dir: string = __dirname): TrainerPlatform {
  return {
    spawn: async () => workerThread(new Worker(join(dir, 'cli-worker.js'))),
    wasm: async () => ({ kind: 'path', dir }),
  };
}

/** A worker thread as a TrainerWorker: it dies on an uncaught error or an exit nobody asked for. */
export function workerThread(w: Worker): TrainerWorker {
  const death = deathNotice();
  w.on('error', (err) => death.die(`it crashed: ${err.message}`));
  // A thread that dies without an error (out of memory, killed) must not leave the pool waiting.
  w.on('exit', (code) => death.die(`it exited with code ${code}`));
  w.on('messageerror', (err) => death.die(`a message from it could not be read: ${err.message}`));
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    listen(receive) {
      w.on('message', receive);
      return () => w.off('message', receive);
    },
    onDeath: death.onDeath,
    terminate() {
      death.end();
      void w.terminate();
    },
  };
}

export function trainOnPool(runs: readonly RunConfig[], workers: number, cb: PoolCallbacks, platform: TrainerPlatform = nodePlatform()): PoolHandle {
  let resolveBackend!: (b: BackendInfo) => void;
  let rejectBackend!: (e: Error) => void;
  const backend = new Promise<BackendInfo>((resolve, reject) => {
    resolveBackend = resolve;
    rejectBackend = reject;
  });
  backend.catch(() => undefined);
  const handling: Promise<void>[] = [];
  const pool = new TrainerPool<{ run: RunConfig }>(
    { platform, size: workers, lazy: true },
    {
      message: (job, msg) => cb.onMessage(job.run, msg),
      finished(job, envelope) {
        handling.push(
          (async () => {
            try {
              await cb.onResult(job.run, fromEnvelope<RunResult>(envelope));
            } catch (e) {
              cb.onFailure(job.run, (e as Error).message);
            }
          })(),
        );
      },
      failed: (job, message, step) => cb.onFailure(job.run, message, step),
      worker(client, error) {
        if (client) resolveBackend(client.backend);
        else rejectBackend(new Error(error ?? 'the training worker did not start'));
      },
      log(level, message) {
        // The CLI says what matters about a run in its own lines; a dead worker is worth a line of its own.
        if (level === 'error') process.stderr.write(`rnnlab: ${message}\n`);
      },
    },
  );
  pool.start(runs.map((run) => ({ run })));
  const done = pool.idle().then(async () => {
    await Promise.all(handling);
    pool.dispose();
  });
  return {
    done,
    backend,
    stop: () => pool.stop(),
    kill: async () => pool.dispose(),
  };
}
