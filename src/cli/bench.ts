/**
 * `rnnlab bench`: milliseconds per training step of each backend's real step (the engine
 * training runs, engine.ts) on cycling (all weights trained), side by side with the
 * PyTorch peer (scripts/peer/torch_rnn_step.py, 1 thread) in the same run. In Node each
 * configuration and backend is timed in a fresh child process, so its peak memory is its
 * own; with --browser, in the panel's training worker in headless Chromium
 * (bench-browser.ts). The peer runs right after the backends of a configuration, so all
 * see about the same machine load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../core/backend';
import { benchSteps, type StepTimes } from '../core/steptimer';
import { provideKernelFromDir } from '../kernel/node';
import type { BackendName } from '../core/types';

export interface BenchConfig {
  N: number;
  T: number;
  B: number;
}

export interface BenchResult extends BenchConfig {
  backend: string;
  ms_per_step_median: number;
  ms_per_step_min: number;
  iters: number;
  /** 6 B N^2 T (forward, backward and weight-gradient products) per median step; NaN (null in JSON) when the step was shorter than the clock tick */
  gflops: number;
  /** peak resident memory of the process that ran the configuration (Node only: a browser does not tell a page) */
  peak_mb?: number;
  peer_ms_per_step_median?: number;
  peer_ms_per_step_min?: number;
  peer_peak_mb?: number;
  peer_threads?: number;
  /** ours / PyTorch, medians */
  ratio?: number;
}

/** The quick demo's shape, the paper's N = 256 at the cycling task's T, and the largest N of the sweep. */
export const DEFAULT_CONFIGS = '128x160x32,256x360x32,512x360x32';
/** Every backend Node has (webgl and webgpu need a browser); cpu, plain JavaScript, takes about a minute at N = 512. */
export const DEFAULT_BACKENDS = 'fused,wasm,cpu';
/** In the browser: the CPU backends and the GPU ones (those on a software renderer only when named, as auto does). */
export const DEFAULT_BROWSER_BACKENDS = 'fused,wasm,webgl,webgpu';
const NODE_BACKENDS: readonly BackendName[] = ['fused', 'wasm', 'cpu'];
const BROWSER_BACKENDS: readonly BackendName[] = ['fused', 'wasm', 'webgl', 'webgpu', 'cpu'];

export function parseConfigs(s: string): BenchConfig[] {
  return s.split(',').map((c) => {
    const m = /^\s*(\d+)x(\d+)x(\d+)\s*$/i.exec(c);
    if (!m) throw new Error(`--cfg: "${c}" is not NxTxB, e.g. 256x360x32`);
    const [N, T, B] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
    if (B % 2) throw new Error(`--cfg: batch ${B} is odd; cycling alternates two contexts, so use an even batch.`);
    if (T < 10) throw new Error(`--cfg: T = ${T} is shorter than the context pulse.`);
    return { N, T, B };
  });
}

export function parseBackends(s: string, browser = false): BackendName[] {
  const names = s.split(',').map((x) => x.trim()).filter(Boolean);
  const known = browser ? BROWSER_BACKENDS : NODE_BACKENDS;
  for (const n of names) {
    if (known.includes(n as BackendName)) continue;
    if (!browser && BROWSER_BACKENDS.includes(n as BackendName)) {
      throw new Error(`--backends: ${n} trains only in a browser (the panel's worker); time it with rnnlab bench --browser --backends ${n}.`);
    }
    throw new Error(`--backends: "${n}" is not one of ${known.join(', ')}.`);
  }
  if (!names.length) throw new Error('--backends: name at least one backend.');
  return names as BackendName[];
}

/** Times one configuration on one backend in this process (the child side). */
export async function benchOne(cfg: BenchConfig, seconds: number, maxIters: number, backend: BackendName): Promise<BenchResult> {
  setWasmPaths(__dirname + '/');
  provideKernelFromDir(__dirname);
  const info = await initBackend(backend);
  const t = benchSteps(info.name, cfg, { warmup: 2, minIters: 3, maxIters, seconds });
  return { ...cfg, ...benchNumbers(cfg, t), backend: info.name, peak_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

/** ms per step, rounded, and the rate of the three products that dominate a step. */
export function benchNumbers(cfg: BenchConfig, t: StepTimes): Pick<BenchResult, 'ms_per_step_median' | 'ms_per_step_min' | 'iters' | 'gflops'> {
  // A step shorter than the clock's tick reads as 0 ms (a browser's clock ticks every 0.1 ms): no rate then, rather than Infinity.
  const gflops = t.median > 0 ? round((6 * cfg.B * cfg.N * cfg.N * cfg.T) / t.median / 1e6) : Number.NaN;
  return { ms_per_step_median: round(t.median), ms_per_step_min: round(t.min), iters: t.iters, gflops };
}

export function findPeer(explicit?: string): string | undefined {
  const candidates = [explicit, process.env.RNNLAB_PEER, resolve(__dirname, '../scripts/peer/torch_rnn_step.py')];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}

/** Why the peer cannot run, or undefined when it can. */
export function peerProblem(python: string, peer: string | undefined): string | undefined {
  if (!peer) return 'the peer script torch_rnn_step.py was not found (pass --peer PATH or set RNNLAB_PEER)';
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${python} is missing`;
  if (r.status !== 0) return `${python} has no torch (apt-get install -y python3-torch libopenblas0-openmp)`;
  return undefined;
}

export interface PeerResult {
  median: number;
  min: number;
  threads: number;
  peakMb: number;
}

export function runPeer(python: string, peer: string, cfg: BenchConfig, seconds: number, maxIters: number): PeerResult {
  const r = spawnSync(python, [peer, '--cfg', `${cfg.N}x${cfg.T}x${cfg.B}`, '--threads', '1', '--seconds', String(seconds), '--iters', String(maxIters)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (r.status !== 0) throw new Error(`the peer failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const j = JSON.parse(line) as { ms_per_step_median: number; ms_per_step_min: number; threads: number; max_rss_mb: number };
  return { median: j.ms_per_step_median, min: j.ms_per_step_min, threads: j.threads, peakMb: j.max_rss_mb };
}

/** Runs one configuration on one backend in a child process (fresh memory) and parses its JSON line. */
export function benchInChild(cfg: BenchConfig, seconds: number, maxIters: number, backend: BackendName): BenchResult {
  const r = spawnSync(process.execPath, [join(__dirname, 'cli.js'), 'bench', '--one', `${cfg.N}x${cfg.T}x${cfg.B}`, '--seconds', String(seconds), '--iters', String(maxIters), '--backends', backend], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bench ${cfg.N}x${cfg.T}x${cfg.B} on ${backend} failed: ${(r.stderr || '').trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as BenchResult;
}

export interface PeerSetup {
  python: string;
  /** the peer script, when it can run */
  script?: string;
}

/**
 * Times every configuration on every backend (`time`), then the peer at the same
 * configuration; progress on stderr, one JSON line per row on stdout with `json`.
 * A backend `time` returns undefined for was not timed (it said why).
 */
export async function runBench(
  configs: readonly BenchConfig[],
  backends: readonly BackendName[],
  time: (cfg: BenchConfig, backend: BackendName) => Promise<BenchResult | undefined>,
  opts: { peer: PeerSetup; seconds: number; iters: number; json: boolean },
): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  for (const cfg of configs) {
    process.stderr.write(`bench ${cfg.N}x${cfg.T}x${cfg.B}:`);
    const mine: BenchResult[] = [];
    for (const backend of backends) {
      process.stderr.write(` ${backend}...`);
      const row = await time(cfg, backend);
      if (row) mine.push(row);
    }
    let done = mine;
    if (opts.peer.script !== undefined && mine.length) {
      process.stderr.write(' PyTorch...');
      const p = runPeer(opts.peer.python, opts.peer.script, cfg, opts.seconds, opts.iters);
      done = mine.map((r) => withPeer(r, p));
    }
    process.stderr.write(` ${done.map((r) => `${r.backend} ${r.ms_per_step_median} ms${r.ratio !== undefined ? ` (${r.ratio}x)` : ''}`).join(', ')}\n`);
    rows.push(...done);
    if (opts.json) for (const r of done) process.stdout.write(JSON.stringify(r) + '\n');
  }
  return rows;
}

/** Adds the peer's numbers (and the ratio) to a row. */
export function withPeer(row: BenchResult, p: PeerResult): BenchResult {
  return { ...row, peer_ms_per_step_median: p.median, peer_ms_per_step_min: p.min, peer_peak_mb: p.peakMb, peer_threads: p.threads, ratio: round(row.ms_per_step_median / p.median) };
}

/** One line per configuration: each backend's median ms/step, ratio to PyTorch, GFLOP/s and peak memory (when known) side by side. */
export function benchTable(rows: readonly BenchResult[]): string {
  const backends = [...new Set(rows.map((r) => r.backend))];
  const configs = [...new Map(rows.map((r) => [`${r.N}x${r.T}x${r.B}`, r] as const)).values()];
  const memory = rows.some((r) => r.peak_mb !== undefined);
  const head = ['N', 'T', 'B', ...backends.flatMap((b) => [`${b} ms`, `${b}/PyTorch`, `${b} GFLOP/s`, ...(memory ? [`${b} MB`] : [])]), 'PyTorch 1 thr ms', ...(memory ? ['PyTorch MB'] : [])];
  const body = configs.map((c) => {
    const of = (b: string) => rows.find((r) => r.backend === b && r.N === c.N && r.T === c.T && r.B === c.B);
    const peer = rows.find((r) => r.N === c.N && r.T === c.T && r.B === c.B && r.peer_ms_per_step_median !== undefined);
    return [
      String(c.N), String(c.T), String(c.B),
      ...backends.flatMap((b) => {
        const r = of(b);
        const cells = r ? [r.ms_per_step_median.toFixed(1), r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '-', Number.isFinite(r.gflops) ? r.gflops.toFixed(1) : '-'] : ['-', '-', '-'];
        return memory ? [...cells, r?.peak_mb !== undefined ? String(r.peak_mb) : '-'] : cells;
      }),
      peer?.peer_ms_per_step_median !== undefined ? peer.peer_ms_per_step_median.toFixed(1) : '-',
      ...(memory ? [peer?.peer_peak_mb !== undefined ? String(peer.peer_peak_mb) : '-'] : []),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (c: string[]) => c.map((x, i) => x.padStart(widths[i] ?? 0)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const round = (x: number) => Math.round(x * 100) / 100;
