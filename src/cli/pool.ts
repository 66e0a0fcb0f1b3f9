/**
 * Runs of a spec trained on a pool of worker threads, one run per worker at a time.
 * tfjs-wasm is single-threaded in Node, so on a 2-core machine two workers train two
 * runs in about the time of one. Results are identical to a serial run: each run has
 * its own random streams.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { BackendChoice, RunConfig } from '../core/types';
import type { BackendInfo } from '../core/backend';
import { fromEnvelope } from '../core/pack';
import type { RunResult } from '../core/train';
import { PROTOCOL_VERSION, type FromTrainer, type ToTrainer } from '../protocol';

export interface PoolCallbacks {
  /** every message of a run (step, evaluation, ...) */
  onMessage(run: RunConfig, msg: FromTrainer): void;
  onResult(run: RunConfig, result: RunResult): Promise<void> | void;
  onFailure(run: RunConfig, message: string, step?: number): void;
}

export interface PoolHandle {
  done: Promise<void>;
  /** stop every run between steps */
  stop(): void;
  /** terminate the workers at once */
  kill(): Promise<void>;
  backend: Promise<BackendInfo>;
}

export function trainOnPool(runs: readonly RunConfig[], jobs: number, backend: BackendChoice, cb: PoolCallbacks): PoolHandle {
  const distDir = __dirname;
  const queue = [...runs];
  const workers: Worker[] = [];
  let resolveBackend!: (b: BackendInfo) => void;
  let rejectBackend!: (e: Error) => void;
  const backendInfo = new Promise<BackendInfo>((res, rej) => {
    resolveBackend = res;
    rejectBackend = rej;
  });
  backendInfo.catch(() => undefined);

  const startWorker = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(join(distDir, 'cli-worker.js'));
      workers.push(w);
      const send = (m: ToTrainer) => w.postMessage(m);
      let current: RunConfig | undefined;
      let settled = false;
      const next = () => {
        current = queue.shift();
        if (!current) {
          settled = true;
          void w.terminate();
          resolve();
          return;
        }
        send({ type: 'train', runId: current.name, run: current });
      };
      w.on('message', (msg: FromTrainer) => {
        if (msg.type === 'ready') {
          resolveBackend(msg.backend);
          next();
        } else if (msg.type === 'initFailed') {
          rejectBackend(new Error(msg.message));
          settled = true;
          void w.terminate();
          reject(new Error(msg.message));
        } else if (current) {
          const run = current;
          if (msg.type === 'finished') {
            Promise.resolve(cb.onResult(run, fromEnvelope<RunResult>(msg.result))).then(next, (e: Error) => {
              cb.onFailure(run, e.message);
              next();
            });
          } else if (msg.type === 'failed') {
            cb.onFailure(run, msg.message, msg.step);
            next();
          } else {
            cb.onMessage(run, msg);
          }
        }
      });
      w.on('error', (err) => {
        if (current) cb.onFailure(current, `worker crashed: ${err.message}`);
        settled = true;
        reject(err);
      });
      // A thread that dies without an error (out of memory, killed) must not leave the pool waiting.
      w.on('exit', (code) => {
        if (settled || (!current && queue.length === 0)) return;
        settled = true;
        if (current) cb.onFailure(current, `the worker thread exited (code ${code}) before the run finished`);
        reject(new Error(`A training worker exited with code ${code}.`));
      });
      send({ type: 'init', version: PROTOCOL_VERSION, backend, wasm: { kind: 'path', dir: distDir } });
    });

  const n = Math.max(1, Math.min(jobs, runs.length));
  const done = Promise.all(Array.from({ length: n }, startWorker)).then(() => undefined);
  return {
    done,
    backend: backendInfo,
    stop: () => {
      queue.length = 0;
      for (const w of workers) w.postMessage({ type: 'stop' } satisfies ToTrainer);
    },
    kill: async () => {
      queue.length = 0;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
