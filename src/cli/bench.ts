/**
 * `rnnlab bench`: milliseconds per training step of the hand-written BPTT on cycling
 * (all weights trained, batch 32), side by side with the PyTorch peer
 * (scripts/peer/torch_rnn_step.py, 1 thread) in the same run. Each configuration is
 * timed in a fresh child process, so its peak memory is its own; the peer runs right
 * after it on the same configuration, so both see the same machine load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../core/backend';
import { Network, initWeights, initialStates } from '../core/model';
import { Adam } from '../core/adam';
import { trainStep } from '../core/step';
import { makeRng } from '../core/rng';
import { generateBatch } from '../core/tasks/registry';
import type { BackendChoice, CyclingParams } from '../core/types';

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
  /** peak resident memory of the process that ran the configuration */
  peak_mb: number;
  peer_ms_per_step_median?: number;
  peer_ms_per_step_min?: number;
  peer_threads?: number;
  /** ours / PyTorch, medians */
  ratio?: number;
}

export const DEFAULT_CONFIGS = '128x160x32,128x360x32,256x160x32,256x360x32,512x160x32,512x360x32';

export function parseConfigs(s: string): BenchConfig[] {
  return s.split(',').map((c) => {
    const m = /^\s*(\d+)x(\d+)x(\d+)\s*$/i.exec(c);
    if (!m) throw new Error(`--cfg: "${c}" is not NxTxB, e.g. 256x360x32`);
    const [N, T, B] = [m[1], m[2], m[3]].map(Number);
    if (B % 2) throw new Error(`--cfg: batch ${B} is odd; cycling alternates two contexts, so use an even batch.`);
    if (T < 10) throw new Error(`--cfg: T = ${T} is shorter than the context pulse.`);
    return { N, T, B };
  });
}

/** Times one configuration in this process (the child side). */
export async function benchOne(cfg: BenchConfig, seconds: number, maxIters: number, backend: BackendChoice): Promise<BenchResult> {
  setWasmPaths(__dirname + '/');
  const info = await initBackend(backend, { webglAvailable: false });
  const dt = 0.2;
  // cycling with the response window that gives exactly T grid points: round((stim + response) / dt) = T
  const task: CyclingParams = { kind: 'cycling', stim: 1, response: cfg.T * dt - 1, freq: 0.1, mask_step: 5 };
  const w = initWeights({ N: cfg.N, g: 1.5, dt, output_scale: 'large', train: ['input', 'recurrent', 'output'], h0_std: 0 }, { dIn: 2, dOut: 2 }, makeRng(0, 'weights'));
  const net = new Network(w, ['input', 'recurrent', 'output']);
  const adam = new Adam({ lr: 0.02 / cfg.N });
  const trials = makeRng(0, 'trials');
  const noise = makeRng(0, 'noise');
  const step = () => {
    const batch = generateBatch(task, cfg.B, dt, trials);
    if (batch.T !== cfg.T) throw new Error(`bench: the cycling batch has T = ${batch.T}, expected ${cfg.T}`);
    const x0 = initialStates(net.h0, cfg.B, 1, noise);
    const t0 = performance.now();
    trainStep(net, adam, dt, { batch, x0, noiseStd: Math.sqrt(dt) * 0.2, rng: noise }, 1, 0.02);
    return performance.now() - t0;
  };
  step();
  step();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxIters && (times.length < 3 || performance.now() - start < seconds * 1000)) times.push(step());
  times.sort((a, b) => a - b);
  net.dispose();
  adam.dispose();
  return {
    ...cfg,
    backend: info.name,
    ms_per_step_median: round(times[Math.floor(times.length / 2)]),
    ms_per_step_min: round(times[0]),
    iters: times.length,
    peak_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

export function findPeer(explicit?: string): string | undefined {
  const candidates = [explicit, process.env.RNNLAB_PEER, resolve(__dirname, '../scripts/peer/torch_rnn_step.py')];
  return candidates.find((p): p is string => Boolean(p) && existsSync(p!));
}

/** Why the peer cannot run, or undefined when it can. */
export function peerProblem(python: string, peer: string | undefined): string | undefined {
  if (!peer) return 'the peer script torch_rnn_step.py was not found (pass --peer PATH or set RNNLAB_PEER)';
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${python} is missing`;
  if (r.status !== 0) return `${python} has no torch (apt-get install -y python3-torch libopenblas0-openmp)`;
  return undefined;
}

export function runPeer(python: string, peer: string, cfg: BenchConfig, seconds: number, maxIters: number): { median: number; min: number; threads: number } {
  const r = spawnSync(python, [peer, '--cfg', `${cfg.N}x${cfg.T}x${cfg.B}`, '--threads', '1', '--seconds', String(seconds), '--iters', String(maxIters)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (r.status !== 0) throw new Error(`the peer failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  const line = r.stdout.trim().split('\n').pop()!;
  const j = JSON.parse(line) as { ms_per_step_median: number; ms_per_step_min: number; threads: number };
  return { median: j.ms_per_step_median, min: j.ms_per_step_min, threads: j.threads };
}

/** Runs one configuration in a child process (fresh memory) and parses its JSON line. */
export function benchInChild(cfg: BenchConfig, seconds: number, maxIters: number, backend: BackendChoice): BenchResult {
  const r = spawnSync(process.execPath, [join(__dirname, 'cli.js'), 'bench', '--one', `${cfg.N}x${cfg.T}x${cfg.B}`, '--seconds', String(seconds), '--iters', String(maxIters), '--backend', backend], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bench ${cfg.N}x${cfg.T}x${cfg.B} failed: ${(r.stderr || '').trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as BenchResult;
}

export function benchTable(rows: readonly BenchResult[]): string {
  const head = ['N', 'T', 'B', 'backend', 'ms/step (median)', 'min', 'peak MB', 'PyTorch 1 thr', 'ratio'];
  const body = rows.map((r) => [
    String(r.N), String(r.T), String(r.B), r.backend,
    r.ms_per_step_median.toFixed(1), r.ms_per_step_min.toFixed(1), String(r.peak_mb),
    r.peer_ms_per_step_median !== undefined ? r.peer_ms_per_step_median.toFixed(1) : '-',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padStart(widths[i])).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const round = (x: number) => Math.round(x * 100) / 100;
