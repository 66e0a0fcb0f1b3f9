/**
 * How many training workers a pool runs: one per run, but no more than the hardware
 * threads left free, the user's cap, and what fits in a memory budget. Each worker has
 * its own wasm instance, whose heap grows to the peak of the largest run it trains and
 * never shrinks, so every worker is counted at the largest run's estimate.
 */
import type { RunConfig } from '../core/types';
import { estimateRunBytes } from '../core/memory';

/**
 * A worker's own footprint besides its training buffers: the tfjs-wasm instance, its
 * JS heap and the bundle. Measured in Chromium as the renderer's resident memory per
 * extra idle worker (docs/performance.md), rounded up.
 */
export const WORKER_OVERHEAD_BYTES = 64 * 1024 ** 2;

export interface PoolSizeInput {
  runs: readonly RunConfig[];
  /** hardware threads of the machine */
  threads: number;
  /** threads kept for everything else: 1 in the panel (its page draws the 3D views), 0 in the CLI */
  reserve: number;
  /** the user's cap (rnnlab.maxWorkers, --jobs); 0 or undefined: none */
  max?: number;
  /** bytes all workers together may use */
  budget: number;
}

export type PoolLimit = 'runs' | 'threads' | 'setting' | 'memory';

export interface PoolSize {
  workers: number;
  /** what decided the count (the first of runs, setting, threads, memory that gives it) */
  limitedBy: PoolLimit;
  /** the largest run's estimated peak plus a worker's own footprint */
  bytesPerWorker: number;
  budget: number;
  threads: number;
  reserve: number;
}

export function poolSize(input: PoolSizeInput): PoolSize {
  const bytesPerWorker = Math.max(0, ...input.runs.map(estimateRunBytes)) + WORKER_OVERHEAD_BYTES;
  const limits: [PoolLimit, number][] = [
    ['runs', input.runs.length],
    ['setting', input.max && input.max > 0 ? Math.floor(input.max) : Infinity],
    ['threads', input.threads - input.reserve],
    // One run always trains: the spec check has refused runs too large for one worker.
    ['memory', Math.floor(input.budget / bytesPerWorker)],
  ];
  const [limitedBy, n] = limits.reduce((best, l) => (l[1] < best[1] ? l : best));
  return { workers: Math.max(1, n), limitedBy, bytesPerWorker, budget: input.budget, threads: input.threads, reserve: input.reserve };
}

/**
 * The panel's budget: half the device memory Chromium reports (navigator.deviceMemory:
 * the RAM rounded down to a power of two, at most 8 GB), or half of 4 GB when it reports
 * none. Half, because the editor, the extension host and the page's own 3D views share
 * the machine, and the estimate a run is planned with is within about 35 % of its
 * measured peak.
 */
export function pageMemoryBudget(deviceMemoryGb: number | undefined): number {
  const gb = typeof deviceMemoryGb === 'number' && deviceMemoryGb > 0 ? deviceMemoryGb : 4;
  return (gb / 2) * 1024 ** 3;
}

/** One clause for the log and the panel: how many workers and why not more. `cap` names what set `max` (or the thread count). */
export function describePool(p: PoolSize, cap?: string): string {
  const n = `${p.workers} worker${p.workers === 1 ? '' : 's'}`;
  switch (p.limitedBy) {
    case 'runs':
      return `${n}, one per run`;
    case 'setting':
      return `${n}, as ${cap ?? 'the setting'} allows`;
    case 'threads':
      if (cap) return `${n}, as ${cap} asks`;
      return `${n} for ${p.threads} hardware thread${p.threads === 1 ? '' : 's'}${p.reserve > 0 ? ` (${p.reserve} kept for the page)` : ''}`;
    case 'memory':
      return `${n}: each needs about ${gib(p.bytesPerWorker)} of a ${gib(p.budget)} memory budget`;
  }
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.ceil(bytes / 1024 ** 2)} MB`;
}
