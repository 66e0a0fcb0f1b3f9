/**
 * Where training runs (docs/architecture.md, Choosing the backend; docs/performance.md).
 * The same code runs in Node (CLI, tests) and in the panel's Web Worker.
 *
 * initBackend prepares a worker once for the spec's choice: it starts tfjs on wasm (cpu if
 * wasm fails), which evaluation and the tfjs engines use, starts a GPU backend when asked
 * for one by name, and records which training backends can run here and why the others
 * cannot. A run then trains on its spec's backend, or with `auto` on the fastest of a few
 * timed steps of its own shape (calibrate.ts). The host registers what Node lacks (the
 * GPU backends, through `gpu`) and hands over the wasm binaries before calling it.
 */
import * as tf from '@tensorflow/tfjs-core';
// Named imports, used below: a bare import of the cpu backend is dropped by bundlers,
// because its package.json does not list its Node build among its side effects.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendName } from './types';
import { kernelProblem, kernelProvided } from '../kernel/fused';

/** The backends this module registers by importing them. */
export const REGISTERED_BACKENDS = [MathBackendCPU.name, BackendWasm.name];

export type GpuBackend = 'webgl' | 'webgpu';

export interface BackendInfo {
  name: BackendName;
  /** one sentence for the user: why this backend runs */
  reason: string;
  /** wasm only */
  simd?: boolean;
  threads?: number;
}

/** What a host found out about a GPU backend (the panel's worker probes; Node has none). */
export interface GpuReport {
  /** tfjs can train on it here (a context or adapter exists, with float32 render targets) */
  usable: boolean;
  /** the device is emulated on the CPU (SwiftShader, llvmpipe, WARP, a fallback adapter) */
  software: boolean;
  /** the renderer or adapter, as the browser names it */
  device: string;
  /** when not usable: why, in words a user can act on */
  problem?: string;
}

export interface BackendOptions {
  /** give up on a backend whose initialisation does not settle (a failed wasm compile never does) */
  timeoutMs?: number;
  /** probes a registered GPU backend; absent where there is none (Node) */
  gpu?: (name: GpuBackend) => Promise<GpuReport>;
  /** why the GPU backend's context or device is gone (lost mid-run), or undefined while it works */
  gpuLost?: (name: GpuBackend) => string | undefined;
}

type Availability = { ok: true; note?: string } | { ok: false; why: string };

/** Which backends were prepared in this thread, and whether they can run (fused is checked live). */
const availability = new Map<BackendName, Availability>();
/** GPU backends that run on a software renderer: usable when named, never tried by auto. */
const softwareGpus = new Set<BackendName>();
/** the tfjs backend that evaluation and the fused engine's evaluation copies use */
let hostBackend: 'wasm' | 'cpu' | undefined;
let options: BackendOptions = {};

/**
 * Starts `name` and checks that tfjs really runs on it: setBackend resolving false is
 * silent in tfjs, which then quietly uses another registered backend.
 */
export async function startBackend(name: string, timeoutMs = 20000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const ok = await Promise.race([tf.setBackend(name), timeout]);
  clearTimeout(timer);
  if (ok === 'timeout') throw new Error(`The ${name} backend did not initialise within ${Math.round(timeoutMs / 1000)} s.`);
  if (!ok || tf.getBackend() !== name) throw new Error(`The ${name} backend failed to initialise.`);
  await tf.ready();
}

/** Prepares this thread for a spec's `backend` choice; throws, saying why, when a backend asked for by name cannot run. */
export async function initBackend(choice: BackendChoice, opts: BackendOptions = {}): Promise<BackendInfo> {
  options = opts;
  availability.clear();
  softwareGpus.clear();
  lostBackends.clear();
  hostBackend = undefined;
  if (choice === 'cpu') {
    await prepare('cpu');
    hostBackend = 'cpu';
    await activate('cpu');
    return { name: 'cpu', reason: 'requested in the spec (20-30x slower than wasm)' };
  }
  await prepareHost(choice === 'wasm');
  const wasmInfo = hostBackend === 'wasm' ? { simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? undefined : 1 } : {};
  if (choice !== 'auto') {
    await prepare(choice);
    const why = unavailable(choice);
    if (why) throw new Error(`backend: ${choice} cannot run here: ${why}.`);
    await activate(choice);
    const a = availability.get(choice);
    const note = a?.ok ? a.note : undefined;
    return { name: choice, reason: `requested in the spec${note ? ` (${note})` : ''}`, ...(choice === 'fused' || choice === 'wasm' ? wasmInfo : {}) };
  }
  // auto: every candidate is prepared now; each run then measures them at its own shape (calibrate.ts).
  for (const name of ['fused', 'webgl', 'webgpu'] as const) await prepare(name);
  const cpuBest: BackendName = unavailable('fused') === undefined ? 'fused' : (hostBackend ?? 'cpu');
  // Without a GPU host (Node) the GPU backends are no candidates by design: one clause, not a failure each.
  const looked = options.gpu ? (['fused', 'wasm', 'webgl', 'webgpu'] as const) : (['fused', 'wasm'] as const);
  const excluded = looked.flatMap((n) => {
    const why = notCandidate(n);
    return why ? [`${n}: ${why}`] : [];
  });
  return {
    name: cpuBest,
    reason: `auto: each run times its candidates (${candidates().join(', ')})${excluded.length ? `; not tried: ${excluded.join('; ')}` : ''}${options.gpu ? '' : `; ${NO_GPU_HOST}`}`,
    ...(cpuBest !== 'cpu' ? wasmInfo : {}),
  };
}

/** Makes sure tfjs runs on wasm, else cpu (unless wasm is required): evaluation and the fused engine's copies run there. */
async function prepareHost(requireWasm: boolean): Promise<void> {
  if (hostBackend) return;
  await prepare('wasm');
  const why = unavailable('wasm');
  if (why === undefined) {
    hostBackend = 'wasm';
  } else {
    if (requireWasm) throw new Error(why);
    await startBackend('cpu', options.timeoutMs);
    hostBackend = 'cpu';
  }
  availability.set('cpu', { ok: true });
}

/** Finds out once whether `name` can run here (a run may name a backend the worker was not started for). */
async function prepare(name: BackendName): Promise<void> {
  if (name === 'fused') return prepareHost(false);
  if (availability.has(name)) return;
  if (name === 'cpu') {
    availability.set('cpu', { ok: true });
  } else if (name === 'wasm') {
    try {
      await startBackend('wasm', options.timeoutMs);
      availability.set('wasm', { ok: true });
    } catch (err) {
      availability.set('wasm', { ok: false, why: `wasm failed (${(err as Error).message})` });
    }
  } else {
    await probeGpu(name);
  }
}

/** Where there is no GPU host (Node: the command line, its tests). */
const NO_GPU_HOST = 'webgl and webgpu train only in a browser, in the panel\'s worker';

/** Records whether a GPU backend may train here; a software renderer only when the spec names it. */
async function probeGpu(name: GpuBackend): Promise<void> {
  if (!options.gpu) {
    availability.set(name, { ok: false, why: `${NO_GPU_HOST}: train this spec in the panel, or with backend auto, fused or wasm here; rnnlab bench --browser times ${name} on this machine's browser` });
    return;
  }
  let report: GpuReport;
  try {
    report = await options.gpu(name);
  } catch (err) {
    report = { usable: false, software: false, device: 'unknown', problem: (err as Error).message };
  }
  if (!report.usable) availability.set(name, { ok: false, why: report.problem ?? 'unusable' });
  else availability.set(name, { ok: true, note: report.software ? `software renderer ${report.device}, slower than the CPU backends` : report.device });
  if (report.usable && report.software) softwareGpus.add(name);
}


/** Backends `auto` times, in order of preference on a tie. */
export function candidates(): BackendName[] {
  return (['fused', 'webgpu', 'webgl', 'wasm'] as const).filter((n) => unavailable(n) === undefined && !softwareGpus.has(n));
}

/** Why auto does not try `name`, or why it cannot run at all; undefined when auto may use it. */
export function notCandidate(name: BackendName): string | undefined {
  if (softwareGpus.has(name)) {
    const a = availability.get(name);
    return a?.ok ? a.note : undefined;
  }
  return unavailable(name);
}

/** Why `name` cannot run here, or undefined when it can. */
export function unavailable(name: BackendName): string | undefined {
  if (name === 'fused') {
    if (!hostBackend) return 'the thread was not prepared (initBackend)';
    return kernelProvided() ? undefined : `the fused kernel did not load (${kernelProblem() ?? 'rnn-kernel.wasm was not given to this thread'})`;
  }
  const a = availability.get(name);
  if (!a) return `${name} was not prepared`;
  return a.ok ? undefined : a.why;
}

/** Makes sure `name` was looked at in this thread (lazily, for a run that names a backend the worker was not started for). */
export async function ensurePrepared(name: BackendChoice): Promise<void> {
  if (!hostBackend) await prepareHost(false);
  if (name === 'auto') {
    for (const n of ['fused', 'webgl', 'webgpu'] as const) await prepare(n);
  } else {
    await prepare(name);
  }
}

/** Why a GPU backend stopped working (its context or device was lost), or undefined. */
export function gpuLost(name: BackendName): string | undefined {
  return name === 'webgl' || name === 'webgpu' ? options.gpuLost?.(name) : undefined;
}

/** Backends lost mid-run in this thread (a GPU context or device that went away). */
const lostBackends = new Set<BackendName>();

/** Marks a backend as gone for the rest of this thread (a lost GPU context). */
export function markLost(name: BackendName, why: string): void {
  availability.set(name, { ok: false, why });
  lostBackends.add(name);
}

/** `name` worked in this thread until its context or device was lost. */
export function wasLost(name: BackendName): boolean {
  return lostBackends.has(name);
}

/** Makes tfjs run where `name` needs it: its own backend, or the host backend for the fused kernel (its evaluation). */
export async function activate(name: BackendName): Promise<void> {
  const target = name === 'fused' ? (hostBackend ?? 'wasm') : name;
  if (tf.getBackend() === target) return;
  await startBackend(target, options.timeoutMs);
  // tfjs falls back to float16 textures without a word where float32 cannot be rendered to.
  if (target === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
    markLost('webgl', 'no float32 render targets: tfjs would compute in float16, which ruins backpropagation through hundreds of steps');
    throw new Error(`backend: webgl cannot run here: ${unavailable('webgl')}.`);
  }
}
