/**
 * `rnnlab bench --browser`: the bench in headless Chromium, in the panel's own training
 * worker (dist/webview/worker.js, started by the page dist/webview/bench.js the way the
 * panel starts it), on every backend a browser has: fused, wasm, and webgl and webgpu
 * where the browser has a GPU for them. A software renderer (SwiftShader, llvmpipe, a
 * fallback WebGPU adapter) is timed only when named in --backends, as `auto` tries it only
 * when named. Chromium is driven through playwright-core (the repository's dev
 * dependency), never downloaded: Debian's /usr/bin/chromium, or --chromium PATH.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendInfo } from '../core/backend';
import type { StepTimes } from '../core/steptimer';
import type { BackendName } from '../core/types';
import { KERNEL_FILE } from '../kernel/fused';
import { benchNumbers, type BenchConfig, type BenchResult } from './bench';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Why the browser bench cannot start, in words that say what to do (not a usage error, not a bug). */
export class BrowserUnavailable extends Error {}

/** What the training worker answers (webview/worker/diagnostics.ts, the part used here). */
interface WorkerScope {
  rnnlabWorker: {
    bench(backend: BackendName, shape: BenchConfig, seconds: number, maxIters: number): Promise<StepTimes>;
    unavailable(backend: BackendName): Promise<string | null>;
    notCandidate(backend: BackendName): Promise<string | null>;
  };
}

/** What the bench page answers (webview/bench/main.ts). */
interface PageScope {
  rnnlabBench: { start(assets: { workerUrl: string; wasmUrls: Record<string, string> }): Promise<BackendInfo> };
}

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', KERNEL_FILE];
const BUNDLES = ['webview/bench.js', 'webview/worker.js'];

export interface BrowserBench {
  /** Chromium's version, and how the worker started */
  about: string;
  /** The backends to time, and a line for each one left out (why). */
  plan(backends: readonly BackendName[], named: boolean): Promise<{ timed: BackendName[]; notes: string[] }>;
  /** One configuration on one backend; undefined (with the reason on stderr) when it failed there. */
  time(cfg: BenchConfig, backend: BackendName, seconds: number, maxIters: number): Promise<BenchResult | undefined>;
  close(): Promise<void>;
}

/** Why Chromium cannot be used at `path`, or undefined. */
export function chromiumMissing(path: string): string | undefined {
  if (existsSync(path)) return undefined;
  return path === DEFAULT_CHROMIUM
    ? `Chromium was not found at ${path}. Install it with: sudo apt-get install -y chromium (Debian), or pass --chromium PATH to a Chromium or Chrome binary.`
    : `Chromium was not found at ${path} (--chromium). Debian's is installed with: sudo apt-get install -y chromium`;
}

/** Starts Chromium on a page served from `dist` (this bundle's folder) with one training worker, ready on every backend it has. */
export async function openBrowserBench(dist: string, chromium: string, opts: { headed?: boolean } = {}): Promise<BrowserBench> {
  const missing = chromiumMissing(chromium);
  if (missing) throw new BrowserUnavailable(missing);
  for (const f of BUNDLES) {
    if (!existsSync(join(dist, f))) throw new BrowserUnavailable(`${join(dist, f)} is missing: build it with node esbuild.mjs --only cli,worker,bench (or npm run build).`);
  }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new BrowserUnavailable('playwright-core is not installed (a dev dependency of the repository): run npm ci in the repository.');
  }
  const server = await serveDist(dist);
  // Chromium's own files (NSS database, caches) in a throwaway folder, not in the user's home.
  const root = mkdtempSync(join(tmpdir(), 'rnnlab-bench-'));
  const env: Record<string, string> = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  for (const k of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME']) {
    env[k] = join(root, k.toLowerCase());
    mkdirSync(env[k], { recursive: true });
  }
  const cleanup = async (browser?: { close(): Promise<void> }) => {
    await browser?.close().catch(() => undefined);
    await server.close();
    rmSync(root, { recursive: true, force: true });
  };
  let browser: Awaited<ReturnType<typeof playwright.chromium.launch>> | undefined;
  try {
    browser = await playwright.chromium.launch({
      executablePath: chromium,
      headless: opts.headed !== true,
      env,
      timeout: 60_000,
      // WebGPU is behind this switch on Linux; where the browser has no adapter the worker says so.
      args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/bench.html`);
    const assets = { workerUrl: '/dist/webview/worker.js', wasmUrls: Object.fromEntries(WASM_FILES.map((f) => [f, `/dist/${f}`])) };
    let latest: Worker | undefined;
    page.on('worker', (w) => (latest = w));
    /** A fresh training worker (the page ends the one before): each configuration and backend starts clean, as a fresh process does in Node. */
    const fresh = async () => {
      const info = await page.evaluate((a) => (globalThis as unknown as PageScope).rnnlabBench.start(a), assets).catch((e: Error) => {
        throw new Error(`the training worker did not start in Chromium: ${e.message}${errors.length ? ` (${errors.join('; ')})` : ''}`);
      });
      if (!latest) throw new Error('the bench page started no worker');
      return { info, worker: latest };
    };
    const { info, worker } = await fresh();
    const b = browser;
    return {
      about: `Chromium ${b.version()}${opts.headed ? '' : ' (headless)'}, the panel's training worker${info.name === 'cpu' ? `: ${info.reason}` : ''}`,
      async plan(backends, named) {
        const timed: BackendName[] = [];
        const notes: string[] = [];
        for (const backend of backends) {
          const why = await worker.evaluate((n) => (globalThis as unknown as WorkerScope).rnnlabWorker.unavailable(n), backend);
          const skip = why ?? (named ? null : await worker.evaluate((n) => (globalThis as unknown as WorkerScope).rnnlabWorker.notCandidate(n), backend));
          if (why !== null) notes.push(`${backend}: cannot run here: ${why}`);
          else if (skip !== null) notes.push(`${backend}: not timed: ${skip} (auto never picks it; --backends ${backend} times it anyway)`);
          else timed.push(backend);
        }
        return { timed, notes };
      },
      async time(cfg, backend, seconds, maxIters) {
        try {
          // GPU memory is per worker: a GPU backend after another one in the same worker ran out of it on SwiftShader.
          const { worker } = await fresh();
          const t = await worker.evaluate(
            ([n, shape, s, i]) => (globalThis as unknown as WorkerScope).rnnlabWorker.bench(n, shape, s, i),
            [backend, { N: cfg.N, T: cfg.T, B: cfg.B }, seconds, maxIters] as const,
          );
          return { ...cfg, ...benchNumbers(cfg, t), backend };
        } catch (e) {
          process.stderr.write(`\n${backend} failed at ${cfg.N}x${cfg.T}x${cfg.B}: ${(e as Error).message.split('\n')[0]}\n`);
          return undefined;
        }
      },
      close: () => cleanup(b),
    };
  } catch (e) {
    await cleanup(browser);
    throw e;
  }
}

/** dist/'s bundles and wasm binaries and a blank page, on 127.0.0.1 (a secure context, which WebGPU needs). */
async function serveDist(dist: string): Promise<{ url: string; close(): Promise<void> }> {
  const files = new Map<string, { path: string; type: string }>([
    ...BUNDLES.map((f) => [`/dist/${f}`, { path: join(dist, f), type: 'text/javascript' }] as const),
    ...WASM_FILES.map((f) => [`/dist/${f}`, { path: join(dist, f), type: 'application/wasm' }] as const),
  ]);
  const page = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>rnnlab bench</title></head><body><script src="/dist/webview/bench.js"></script></body></html>';
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files.get(path);
    if (path === '/bench.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    } else if (file && existsSync(file.path)) {
      res.writeHead(200, { 'content-type': file.type });
      res.end(readFileSync(file.path));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
