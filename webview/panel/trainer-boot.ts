/**
 * The panel's platform for the shared worker pool (src/trainer): starting a training
 * Web Worker under the panel's strict CSP (docs/architecture.md). The page fetches the
 * worker bundle once and starts every worker from a blob of it, and fetches the one wasm
 * flavour tfjs will ask for and transfers the bytes: a worker in a webview may fetch
 * nothing itself. The client races the backend start against a timeout and falls back to
 * a fresh worker on cpu (src/trainer/client.ts).
 */
import type { PanelAssets } from '../../src/protocol';
import { KERNEL_FILE } from '../../src/kernel/fused';
import { BackendFailure, type TrainerPlatform, type TrainerWorker } from '../../src/trainer/client';
import { deathNotice } from '../../src/trainer/death';

/** A wasm module with one SIMD instruction: the probe tfjs-backend-wasm itself uses (flags_wasm.ts). */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]);

export function wasmFlavour(): string {
  let simd = false;
  try {
    simd = WebAssembly.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  // Threads need SharedArrayBuffer, which exists only in a cross-origin isolated page;
  // VS Code webviews are not isolated (docs/architecture.md), so this is the rare path.
  const threads = simd && globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
  return threads ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
}

/** Fetches the worker bundle once per page and keeps one blob URL for every worker. */
export class WorkerSource {
  private url: Promise<string> | undefined;
  private revoke: string | undefined;
  private disposed = false;

  constructor(private readonly workerUrl: string) {}

  blobUrl(): Promise<string> {
    this.url ??= fetchOk(this.workerUrl, 'the training worker').then(async (res) => {
      const text = await res.text();
      const url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
      // Fetched after dispose(): nobody starts a worker from it (the platform is cancelled).
      if (this.disposed) URL.revokeObjectURL(url);
      else this.revoke = url;
      return url;
    });
    // A failed fetch may succeed later (e.g. the first one raced a rebuild).
    this.url.catch(() => (this.url = undefined));
    return this.url;
  }

  dispose(): void {
    this.disposed = true;
    if (this.revoke) URL.revokeObjectURL(this.revoke);
    this.revoke = undefined;
    this.url = undefined;
  }
}

/** Web Workers from the bundle's blob, given the wasm bytes for their backend. */
export function webPlatform(assets: PanelAssets, source: WorkerSource, cancelled: () => boolean): TrainerPlatform {
  // One fetch per file; each worker gets its own copy, since the bytes are transferred.
  const fetched = new Map<string, Promise<ArrayBuffer>>();
  const bytesOf = (name: string, url: string) => {
    let p = fetched.get(name);
    if (!p) {
      p = fetchOk(url, name).then((r) => r.arrayBuffer());
      p.catch(() => fetched.delete(name));
      fetched.set(name, p);
    }
    return p.then((b) => b.slice(0));
  };
  return {
    async spawn(backend) {
      const url = await source.blobUrl();
      return webWorker(new Worker(url, { name: `rnnlab-trainer-${backend}` }));
    },
    async wasm(backend) {
      if (backend === 'cpu') return undefined;
      // Every choice but cpu evaluates on tfjs's wasm (when that is what failed, say so) and may train on the fused kernel.
      const name = wasmFlavour();
      const url = assets.wasmUrls[name];
      if (!url) throw new BackendFailure('wasm', `the page lists no URL for ${name}`);
      const kernelUrl = assets.wasmUrls[KERNEL_FILE];
      const [bytes, kernel] = await Promise.all([
        bytesOf(name, url).catch((e: Error) => Promise.reject(new BackendFailure('wasm', e.message))),
        // Without it fused cannot run, and the worker says so; wasm still trains.
        kernelUrl ? bytesOf(KERNEL_FILE, kernelUrl).catch(() => undefined) : undefined,
      ]);
      return { kind: 'bytes', name, bytes, ...(kernel ? { kernel } : {}) };
    },
    cancelled,
  };
}

/** A Web Worker as a TrainerWorker: an uncaught error in it (a bug, out of memory) or an unreadable message ends it. */
export function webWorker(w: Worker): TrainerWorker {
  const death = deathNotice();
  w.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    death.die(e.message || 'it failed to start or crashed');
  });
  w.addEventListener('messageerror', () => death.die('a message from it could not be read'));
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    listen(receive) {
      const onMessage = (e: MessageEvent<unknown>) => receive(e.data);
      w.addEventListener('message', onMessage);
      return () => w.removeEventListener('message', onMessage);
    },
    onDeath: death.onDeath,
    terminate() {
      death.end();
      w.terminate();
    },
  };
}

async function fetchOk(url: string, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`could not fetch ${what}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`could not fetch ${what}: HTTP ${res.status}`);
  return res;
}
