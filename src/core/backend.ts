/**
 * Choosing and starting the tfjs backend. The same code runs in Node (CLI, tests) and
 * in the panel's Web Worker; the caller registers any extra backend (webgl) and tells
 * tfjs-backend-wasm where its binary is (a path in Node, bytes from memory in a worker)
 * before calling initBackend.
 *
 * Order (docs/architecture.md, Choosing the backend; docs/performance.md): wasm is the default everywhere; webgl only on
 * request (an automatic GPU choice with calibration belongs to the panel); cpu only as
 * a last resort, since it is 20-30x slower than wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
// Named imports, used below: a bare import of the cpu backend is dropped by bundlers,
// because its package.json does not list its Node build among its side effects.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The backends this module registers by importing them. */
export const REGISTERED_BACKENDS = [MathBackendCPU.name, BackendWasm.name];
import type { BackendChoice, BackendName } from './types';

export interface BackendInfo {
  name: BackendName;
  /** one sentence for the user: why this backend runs */
  reason: string;
  /** wasm only */
  simd?: boolean;
  threads?: number;
}

export interface BackendOptions {
  /** give up on a backend whose initialisation does not settle (a failed wasm compile never does) */
  timeoutMs?: number;
  /** false where webgl cannot exist (Node) */
  webglAvailable?: boolean;
}

/**
 * Starts `name` and checks that tfjs really runs on it: setBackend resolving false is
 * silent in tfjs, which then quietly uses another registered backend.
 */
export async function startBackend(name: BackendName, timeoutMs = 20000): Promise<void> {
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

/** Resolves a spec's `backend` choice to a running backend, falling back from wasm to cpu. */
export async function initBackend(choice: BackendChoice, opts: BackendOptions = {}): Promise<BackendInfo> {
  const timeoutMs = opts.timeoutMs ?? 20000;
  if (choice === 'webgl') {
    if (opts.webglAvailable === false) {
      throw new Error('backend: webgl needs a browser (the panel); headless runs use wasm or cpu.');
    }
    await startBackend('webgl', timeoutMs);
    if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
      throw new Error('backend: webgl has no float32 render targets here; float16 would ruin BPTT. Use wasm.');
    }
    return { name: 'webgl', reason: 'requested in the spec' };
  }
  if (choice === 'cpu') {
    await startBackend('cpu', timeoutMs);
    return { name: 'cpu', reason: 'requested in the spec (20-30x slower than wasm)' };
  }
  try {
    await startBackend('wasm', timeoutMs);
    return {
      name: 'wasm',
      reason: choice === 'wasm' ? 'requested in the spec' : 'default: fastest measured backend without a GPU',
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? undefined : 1,
    };
  } catch (err) {
    if (choice === 'wasm') throw err;
    await startBackend('cpu', timeoutMs);
    return { name: 'cpu', reason: `wasm failed (${(err as Error).message}); cpu is 20-30x slower` };
  }
}
