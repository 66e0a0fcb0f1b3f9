// Playwright helpers for UI tests against code-server, driven through the Debian chromium.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { findChromium } from '../../../scripts/e2e/tools.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/** Flags from test/e2e/harness/README.md (SwiftShader WebGL2, nothing that phones home). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-dev-shm-usage'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Headless Debian chromium with a fresh profile dir (deleted by close()).
 * @param {{env?: object, headless?: boolean, viewport?: {width:number,height:number}}} [o]
 *   env: extra env (e.g. server.env). XDG_CONFIG_HOME/XDG_CACHE_HOME default to dirs under the temp root,
 *   so chromium writes nothing into ~/.config or ~/.cache.
 * @returns {Promise<{context: import('playwright-core').BrowserContext, page: import('playwright-core').Page,
 *   close: () => Promise<void>}>}
 */
export async function launchBrowser(o = {}) {
  const executablePath = findChromium();
  const root = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-chromium-'));
  const userDataDir = path.join(root, 'profile');
  // Chromium writes ~/.config/chromium (crash reports) and ~/.cache/dconf unless XDG_* point elsewhere.
  const xdg = { XDG_CONFIG_HOME: path.join(root, 'config'), XDG_CACHE_HOME: path.join(root, 'cache') };
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath, headless: o.headless ?? true, args: CHROMIUM_ARGS, timeout: 60_000,
      viewport: o.viewport || { width: 1400, height: 900 }, env: { ...process.env, ...xdg, ...o.env },
    });
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] || await context.newPage();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.race([context.close().catch(() => {}), sleep(10_000)]);
    rmSync(root, { recursive: true, force: true });
  };
  return { context, page, close };
}

/**
 * Opens the workbench at `url` and waits until it has rendered.
 * @param {string} url e.g. server.url
 * @param {{timeoutMs?: number, env?: object, viewport?: {width:number,height:number}, beforeGoto?: (page) => Promise<void>}} [o]
 *   beforeGoto: e.g. page.exposeFunction(...) calls, which must precede navigation
 * @returns {Promise<{context, page, close: () => Promise<void>}>}
 */
export async function openWorkbench(url, o = {}) {
  const b = await launchBrowser({ env: o.env, ...(o.viewport ? { viewport: o.viewport } : {}) });
  try {
    if (o.beforeGoto) await o.beforeGoto(b.page);
    await b.page.goto(url, { timeout: o.timeoutMs ?? 60_000 });
    await b.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: o.timeoutMs ?? 60_000 });
  } catch (e) {
    await screenshot(b.page, 'open-workbench-failed').catch(() => {});
    await b.close();
    throw new Error(`workbench did not render at ${url}: ${e.message}`);
  }
  return b;
}

async function quickInputRow(page, prefixKey, text, match, tries, tryMs) {
  const input = page.locator('.quick-input-widget input.input, .quick-input-widget input[type="text"]').first();
  let lastLabels = [];
  for (let i = 0; i < tries; i++) {
    await page.keyboard.press(prefixKey);
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(text);
      const rows = page.locator('.quick-input-list .monaco-list-row');
      const t0 = Date.now();
      while (Date.now() - t0 < tryMs) {
        const labels = await rows.evaluateAll((els) => els.map((e) =>
          (e.querySelector('.label-name')?.textContent || e.getAttribute('aria-label') || '').trim()));
        lastLabels = labels;
        const idx = labels.findIndex(match);
        if (idx >= 0) return rows.nth(idx);
        await sleep(150);
      }
    } catch { /* palette not ready yet; retry */ }
    await page.keyboard.press('Escape');
    await sleep(1_000);
  }
  throw new Error(`"${text}" not found after ${tries} tries; last rows: ${JSON.stringify(lastLabels.slice(0, 8))}`);
}

/**
 * Runs a command by its palette title (e.g. 'RNN Lab: Open Panel'): F1, '>title', wait for the exact row,
 * Enter (or a click when the row is not the focused one). Retries (Escape, 1 s pause) because extension contributions arrive seconds after the workbench.
 * @param {import('playwright-core').Page} page
 * @param {string} title the full palette label, "Category: Title"
 * @param {{tries?: number, tryMs?: number}} [o] default 20 tries of 1.5 s
 */
export async function runCommand(page, title, o = {}) {
  // An editor that opens late (the previous command's result) takes focus and closes the palette
  // between finding the row and clicking it; the row then stays in the DOM, hidden. Open it again.
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await quickInputRow(page, 'F1', `>${title}`, (l) => l === title, o.tries ?? 20, o.tryMs ?? 1_500);
    try {
      // As a keyboard user does: Enter on the focused row, while the palette still has the focus
      // (a click waits for the row to be stable over animation frames, which a loaded machine's
      // software compositor may not give within seconds). Otherwise a click.
      if (await paletteOwnsFocus(page) && await row.evaluate((e) => e.classList.contains('focused'))) await page.keyboard.press('Enter');
      else await row.click({ timeout: 10_000 });
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
      return;
    } catch (e) {
      lastError = e;
      await page.keyboard.press('Escape');
      await sleep(500);
    }
  }
  throw new Error(`"${title}": the palette row could not be clicked (${lastError?.message ?? 'unknown'})`);
}

/** Whether the keyboard focus is in the quick input (the palette), so that Enter goes to it. */
async function paletteOwnsFocus(page) {
  return page.evaluate(() => Boolean(document.activeElement?.closest('.quick-input-widget'))).catch(() => false);
}

/**
 * Clicks the row labelled `label` in the quick pick a command has opened (e.g. RNN Lab: Open Run…).
 * @param {import('playwright-core').Page} page
 * @param {string} label the row's label, exactly
 */
export async function pickItem(page, label, o = {}) {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const t0 = Date.now();
  let labels = [];
  while (Date.now() - t0 < (o.timeoutMs ?? 15_000)) {
    labels = await rows.evaluateAll((els) => els.map((e) => (e.querySelector('.label-name')?.textContent || '').trim())).catch(() => []);
    const idx = labels.indexOf(label);
    if (idx >= 0) {
      await rows.nth(idx).click();
      return;
    }
    await sleep(200);
  }
  throw new Error(`no quick pick row "${label}"; rows: ${JSON.stringify(labels.slice(0, 8))}`);
}

/**
 * Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab.
 * @param {import('playwright-core').Page} page
 * @param {string} relPath path relative to the workspace folder
 */
export async function openFile(page, relPath, o = {}) {
  const base = path.basename(relPath);
  // Quick Open re-renders its list while the file search and the recent files arrive: a row
  // found by index may be gone when clicked. Look it up again, as runCommand does.
  for (let attempt = 0; ; attempt++) {
    const row = await quickInputRow(page, 'Control+P', relPath, (l) => l === base, o.tries ?? 20, o.tryMs ?? 1_500);
    try {
      await row.click({ timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt >= 2) throw new Error(`"${relPath}": the Quick Open row could not be clicked (${e.message})`);
      await page.keyboard.press('Escape');
      await sleep(500);
    }
  }
  await page.locator(`.tabs-container .tab[data-resource-name="${base}"], .tabs-container .tab[aria-label^="${base}"]`)
    .first().waitFor({ state: 'visible', timeout: o.timeoutMs ?? 15_000 });
}

/**
 * The inner frame (outer iframe.webview -> inner iframe#active-frame) of the first webview whose frame
 * satisfies `predicate`: a CSS selector that must exist in it, or (frame) => boolean|Promise<boolean>,
 * or nothing (the first webview). Waits up to timeoutMs (default 30 s).
 * @returns {Promise<import('playwright-core').Frame>}
 */
export async function webviewFrame(page, predicate, o = {}) {
  const test = typeof predicate === 'string' ? async (f) => (await f.$(predicate)) !== null
    : predicate || (async () => true);
  const timeoutMs = o.timeoutMs ?? 30_000;
  const t0 = Date.now();
  let seen = 0;
  while (Date.now() - t0 < timeoutMs) {
    const outers = await page.$$('iframe.webview');
    seen = outers.length;
    for (const h of outers) {
      try {
        const outer = await h.contentFrame();
        const innerEl = outer && await outer.$('iframe#active-frame');
        const inner = innerEl && await innerEl.contentFrame();
        if (inner && await test(inner)) return inner;
      } catch { /* frame navigating or detached; retry */ }
    }
    await sleep(250);
  }
  throw new Error(`no webview frame matched within ${timeoutMs} ms (${seen} iframe.webview present)`);
}

/** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${String(name).replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, timeout: 15_000 });
  return file;
}
