// Browser-test plumbing: Chromium with a throwaway profile, the panel page, the fake host,
// fixtures built with the project's own spec loader and envelope packer, and a tiny
// sequential test runner.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { decodePng } from './png.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Chromium with a fresh user-data-dir; XDG_* point into the same temp folder, so nothing lands in ~. */
export async function launch(viewport = { width: 1400, height: 1000 }) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-browser-'));
  const env = { ...process.env };
  for (const k of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_RUNTIME_DIR']) {
    env[k] = path.join(root, k.toLowerCase());
    mkdirSync(env[k], { recursive: true, mode: 0o700 });
  }
  const context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env, viewport, timeout: 60_000,
    // Headless Chromium hides scrollbars by default; VS Code's webviews show them, and the layout tests look for them.
    ignoreDefaultArgs: ['--hide-scrollbars'],
  });
  return {
    context,
    close: async () => {
      await Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** loadSpec, the envelope packer and the recordings fixture from src/ and test/fixtures/, bundled for Node once per run. */
export async function projectHelpers(repo) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-helpers-'));
  const out = path.join(dir, 'helpers.cjs');
  await esbuild.build({
    stdin: {
      contents: "export { loadSpec } from './src/spec/resolve'; export { toEnvelope, fromEnvelope } from './src/core/pack'; export { recordingViewFromJson } from './src/protocol/recording'; export { recordingPopulationNpz } from './test/fixtures/recording-population';",
      resolveDir: repo, loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning',
  });
  const mod = createRequire(import.meta.url)(out);
  rmSync(dir, { recursive: true, force: true });
  return mod;
}

export function runsOf(helpers, text) {
  const loaded = helpers.loadSpec(text, 'test.rnn.yaml');
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`fixture spec: ${errors.map((d) => d.message).join('; ')}`);
  return loaded.runs;
}

/** JSON with ArrayBuffers and Float32Arrays tagged as base64 (host-stub.js revives them). */
export function encodeForPage(v) {
  if (v instanceof ArrayBuffer) return { $ab: Buffer.from(v).toString('base64') };
  if (v instanceof Float32Array) return { $f32: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (ArrayBuffer.isView(v)) throw new Error('encodeForPage: only Float32Array views are supported');
  if (Array.isArray(v)) return v.map(encodeForPage);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeForPage(x)]));
  return v;
}

export function decodeFromPage(v) {
  if (Array.isArray(v)) return v.map(decodeFromPage);
  if (v && typeof v === 'object') {
    if (typeof v.$ab === 'string') {
      const b = Buffer.from(v.$ab, 'base64');
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeFromPage(x)]));
  }
  return v;
}

/**
 * Pages openPanel opened during the running test: runTests closes those still open when
 * the test ends, so a failed or timed-out test (whose body may still be running) leaves
 * no page or training worker behind for the tests after it. keepOpen exempts one.
 */
let testPages = new Set();
const keptPages = new WeakSet();

/** A page shared by later tests: runTests leaves it open. */
export function keepOpen(page) {
  keptPages.add(page);
}

/**
 * A panel page plus handles on the fake host and on what the page and its workers report.
 * `threads` makes the page see that many hardware threads (navigator.hardwareConcurrency),
 * to size its worker pool as on a larger machine; the workers themselves are real.
 */
export async function openPanel(context, baseUrl, query = '', { threads } = {}) {
  const page = await context.newPage();
  testPages.add(page);
  if (threads !== undefined) {
    await page.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n, configurable: true }), threads);
  }
  const consoleLines = [];
  const workerConsole = [];
  const pageErrors = [];
  /** every Worker the page created, closed or not */
  const workers = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('worker', (w) => {
    workers.push(w);
    w.on('console', (m) => workerConsole.push(`${m.type()}: ${m.text()}`));
  });
  await page.goto(`${baseUrl}/panel.html${query ? `?${query}` : ''}`);
  const host = {
    send: (msg) => page.evaluate((m) => window.__host.send(m), encodeForPage(msg)),
    posted: async (type) => decodeFromPage(await page.evaluate((t) => window.__host.posted(t), type)),
    count: (type) => page.evaluate((t) => window.__host.count(t), type),
    violations: () => page.evaluate(() => window.__host.violations),
    diagnostics: () => page.evaluate(() => window.rnnlabPanel.diagnostics()),
    setTheme: (name) => page.evaluate((n) => window.__host.setTheme(n), name),
    states: () => page.evaluate(() => window.__host.states()),
  };
  return { page, host, consoleLines, workerConsole, pageErrors, workers };
}

export async function waitFor(what, fn, timeoutMs = 30_000, everyMs = 50) {
  const t0 = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Two animation frames: whatever was requested has been drawn. */
export function frames(page, n = 2) {
  return page.evaluate((k) => new Promise((resolve) => {
    const step = (i) => (i === 0 ? resolve() : requestAnimationFrame(() => step(i - 1)));
    step(k);
  }), n);
}

/** A decoded screenshot of one element, with the DOM labels over the 3D views hidden so only WebGL pixels count. */
export async function shot(page, locator, { hideOverlays = true } = {}) {
  if (hideOverlays) await page.evaluate(() => document.querySelectorAll('.scene-labels, .view-overlay').forEach((e) => (e.style.visibility = 'hidden')));
  const png = await locator.screenshot();
  if (hideOverlays) await page.evaluate(() => document.querySelectorAll('.scene-labels, .view-overlay').forEach((e) => (e.style.visibility = '')));
  return decodePng(png);
}

export function hexRgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** Sequential tests, each with a timeout; prints one line per test and the summary line. */
export async function runTests(tests, { only } = {}) {
  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    if (only && !t.name.includes(only)) continue;
    const t0 = Date.now();
    let timer;
    const pages = (testPages = new Set());
    try {
      await Promise.race([
        t.fn(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs ?? 90_000} ms`)), t.timeoutMs ?? 90_000))),
      ]);
      passed++;
      console.log(`  ✓ ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`  ✗ ${t.name} (${Date.now() - t0} ms)\n      ${String(e?.stack || e).split('\n').slice(0, 6).join('\n      ')}`);
    } finally {
      clearTimeout(timer);
      await Promise.all([...pages].filter((p) => !p.isClosed() && !keptPages.has(p)).map((p) => p.close().catch(() => {})));
    }
  }
  return { passed, failed };
}

export function saveJson(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2));
}
