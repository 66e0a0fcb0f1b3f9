/**
 * Starting the training worker under the panel's strict CSP (docs/architecture.md):
 * the page fetches the worker bundle and starts it from a blob, fetches the one wasm
 * flavour tfjs will ask for and transfers the bytes, and races the backend start
 * against a timeout, since a failed wasm compile never settles. On any failure the
 * worker is thrown away and a fresh one starts once on cpu.
 */
import { PROTOCOL_VERSION, type PanelAssets } from '../../src/protocol';
import type { BackendChoice } from '../../src/core/types';
import type { BackendInfo } from '../../src/core/backend';
import { KERNEL_FILE } from '../../src/kernel/fused';
import { TrainerClient } from './trainer-client';

export interface Trainer {
  client: TrainerClient;
  backend: BackendInfo;
  /** the backend choice this worker was started for */
  choice: BackendChoice;
  /** one sentence for the header: why this backend runs */
  reason: string;
  /** from fetching the bundle to the worker's ready */
  startupMs: number;
}

export interface BootOptions {
  /** how long the worker may take from start to ready (fetches excluded) */
  initTimeoutMs?: number;
  /** progress lines for the host's log */
  log?: (message: string) => void;
  /** true once the page no longer wants a worker (it was closed): no worker is created after that */
  cancelled?: () => boolean;
}

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
      // Fetched after dispose(): nobody starts a worker from it (startTrainer is cancelled).
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

/** A ready worker prepared for `choice`, else a fresh one on cpu, else an Error with both reasons. */
export async function startTrainer(assets: PanelAssets, source: WorkerSource, choice: BackendChoice, opts: BootOptions = {}): Promise<Trainer> {
  const t0 = performance.now();
  try {
    const trainer = await startOnce(assets, source, choice, opts);
    return { ...trainer, choice, reason: trainer.backend.reason, startupMs: performance.now() - t0 };
  } catch (err) {
    const first = (err as Error).message;
    if (opts.cancelled?.()) throw err;
    if (choice === 'cpu') throw new Error(`The training worker did not start on cpu: ${first}`);
    // Every choice but cpu needs tfjs's wasm; when that is what failed, say so.
    const failed = err instanceof WasmFetchError ? 'wasm' : choice;
    opts.log?.(`the ${failed} backend failed, starting a fresh worker on cpu: ${first}`);
    try {
      const trainer = await startOnce(assets, source, 'cpu', opts);
      return { ...trainer, choice, reason: `${failed} failed (${first}); cpu is 20-30x slower`, startupMs: performance.now() - t0 };
    } catch (err2) {
      throw new Error(`The training worker did not start. ${failed}: ${first} cpu: ${(err2 as Error).message}`);
    }
  }
}

async function startOnce(assets: PanelAssets, source: WorkerSource, backend: BackendChoice, opts: BootOptions): Promise<{ client: TrainerClient; backend: BackendInfo }> {
  const url = await source.blobUrl();
  let wasm: { name: string; bytes: ArrayBuffer; kernel?: ArrayBuffer } | undefined;
  if (backend !== 'cpu') {
    // Every choice but cpu evaluates on tfjs's wasm and may train on the fused kernel.
    const name = wasmFlavour();
    const wasmUrl = assets.wasmUrls[name];
    if (!wasmUrl) throw new Error(`the page lists no URL for ${name}`);
    const kernelUrl = assets.wasmUrls[KERNEL_FILE];
    const [bytes, kernel] = await Promise.all([
      fetchOk(wasmUrl, name).then(
        (r) => r.arrayBuffer(),
        (e: Error) => Promise.reject(new WasmFetchError(e.message)),
      ),
      // Without it fused cannot run, and the worker says so; wasm still trains.
      kernelUrl ? fetchOk(kernelUrl, KERNEL_FILE).then((r) => r.arrayBuffer(), () => undefined) : undefined,
    ]);
    wasm = { name, bytes, ...(kernel ? { kernel } : {}) };
  }
  if (opts.cancelled?.()) throw new Error('cancelled: the panel was closed');
  const client = new TrainerClient(new Worker(url, { name: `rnnlab-trainer-${backend}` }));
  try {
    const info = await awaitReady(client, opts.initTimeoutMs ?? 25000, () => {
      client.send(
        { type: 'init', version: PROTOCOL_VERSION, backend, ...(wasm ? { wasm: { kind: 'bytes', ...wasm } } : {}) },
        wasm ? [wasm.bytes, ...(wasm.kernel ? [wasm.kernel] : [])] : [],
      );
    });
    return { client, backend: info };
  } catch (err) {
    // A worker whose backend start failed may be half-initialised: never reuse it.
    client.terminate();
    throw err;
  }
}

function awaitReady(client: TrainerClient, timeoutMs: number, start: () => void): Promise<BackendInfo> {
  return new Promise<BackendInfo>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const offMsg = client.onMessage((m) => {
      if (m.type === 'ready') finish(m.backend);
      else if (m.type === 'initFailed') finish(new Error(m.message));
    });
    const offCrash = client.onCrash((message) => finish(new Error(message)));
    function finish(r: BackendInfo | Error): void {
      clearTimeout(timer);
      offMsg();
      offCrash();
      if (r instanceof Error) reject(r);
      else resolve(r);
    }
    start();
  });
}

/** tfjs's wasm binary could not be fetched: no backend but cpu can start. */
class WasmFetchError extends Error {}

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
