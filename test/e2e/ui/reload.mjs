// UI checks of a window reload (docs/architecture.md, The panel and the host), run by
// run.mjs in its code-server: a spec panel reloaded while a run trains comes back with a
// notice and trains again only when asked; a stored-run panel comes back showing its run
// without starting a worker; a panel whose spec was deleted says so.
import { renameSync } from 'node:fs';
import path from 'node:path';
import { pickItem, runCommand, openFile, webviewFrame } from '../harness/ui.mjs';

export const RELOAD_CHECKS = 5;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The frame of the panel whose header shows `title` (after a reload the frames are new). */
function panelFrame(page, title, timeoutMs = 90_000) {
  return webviewFrame(page, async (f) => (await f.evaluate(() => document.querySelector('.spec-name')?.textContent ?? null)) === title, { timeoutMs });
}

/** Evaluates the self-contained pageFn in the frame until ok(its value) holds; returns the value. */
async function until(frame, what, pageFn, ok, timeoutMs) {
  const t0 = Date.now();
  let last;
  for (;;) {
    let failed = false;
    last = await frame.evaluate(pageFn).catch((e) => ((failed = true), `evaluate failed: ${e.message}`));
    if (!failed && ok(last)) return last;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(400);
  }
}

const note = () => document.querySelector('.banner.note:not([hidden])')?.textContent ?? '';
/** the run folder of the last "Saved first-s0 in <folder>." note */
const savedFirst = (t) => /^Saved first-s0 in (.+)\.$/.exec(t)?.[1];
/** { name, step } of the run the header shows in progress, or null */
const runInHeader = () => {
  const m = /· (\S+) · step (\d+)\//.exec(document.querySelector('.run-text')?.textContent ?? '');
  return m ? { name: m[1], step: Number(m[2]) } : null;
};
/** Resources the page fetched to start a training worker: the worker bundle and the wasm binary. */
const workerFetches = () => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /worker\.js|\.wasm/.test(n));

/**
 * Developer: Reload Window, not page.reload(): the command waits until the workbench has
 * saved its layout (with the panels' states), while a browser reload keeps only what the
 * workbench saved last, up to a minute earlier (VS Code web flushes its storage that often).
 */
async function reloadWindow(page) {
  const loaded = page.waitForEvent('load', { timeout: 90_000 });
  // handled even when the command fails first (else its rejection would end the whole suite)
  loaded.catch(() => {});
  await runCommand(page, 'Developer: Reload Window');
  await loaded;
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
}

/**
 * @param {{page: import('playwright-core').Page, workspace: string, check: (name: string, fn: () => Promise<void>) => Promise<void>}} o
 */
export async function reloadChecks({ page, workspace, check }) {
  const specPath = path.join(workspace, 'reload.rnn.yaml');
  let frame;
  let sessionDir;
  let stepBefore = 0;

  await check('a second spec trains in its own panel: the first run is stored, the second is training', async () => {
    await openFile(page, 'reload.rnn.yaml');
    await runCommand(page, 'RNN Lab: Train');
    frame = await panelFrame(page, 'ui reload (reload.rnn.yaml)', 60_000);
    sessionDir = path.dirname(savedFirst(await until(frame, 'first-s0 stored', note, savedFirst, 180_000)));
    const run = await until(frame, 'second-s0 past step 20', runInHeader, (r) => r?.name === 'second-s0' && r.step >= 20, 120_000);
    stepBefore = run.step;
    // The negative check on the stored panel below means something only if this one sees the fetches.
    const fetched = await frame.evaluate(workerFetches);
    if (!fetched.some((n) => /worker\.js/.test(n))) throw new Error(`the training panel's resource entries show no worker fetch: ${JSON.stringify(fetched)}`);
  });

  await check('after a window reload the panel is back, says where training stopped, and does not train by itself', async () => {
    await reloadWindow(page);
    frame = await panelFrame(page, 'ui reload (reload.rnn.yaml)');
    const text = await until(frame, 'the reload notice', note, (t) => t.startsWith('The window was reloaded'), 60_000);
    console.log(`    notice: ${text}`);
    const m = new RegExp(`^The window was reloaded: training stopped at second-s0 step (\\d+); runs finished before are in ${escapeRe(sessionDir)}\\. Press Train to start again\\.$`).exec(text);
    if (!m) throw new Error(`unexpected notice: ${text}`);
    if (Number(m[1]) < stepBefore) throw new Error(`the notice says step ${m[1]}, but training had reached ${stepBefore} before the reload`);
    await sleep(3000);
    const state = await frame.evaluate(() => ({ state: window.rnnlabPanel.diagnostics().state, header: document.querySelector('.run-text')?.textContent, note: document.querySelector('.banner.note')?.textContent }));
    if (!['idle', 'starting'].includes(state.state) || state.header !== 'no run yet' || state.note !== text) throw new Error(`the panel trains or lost its notice: ${JSON.stringify(state)}`);
  });

  await check('Train in the restored panel trains again, into a new session folder', async () => {
    await frame.getByRole('button', { name: 'Train', exact: true }).click();
    const saved = savedFirst(await until(frame, 'first-s0 stored again', note, savedFirst, 180_000));
    if (path.dirname(saved) === sessionDir) throw new Error(`the new session wrote into the old folder ${sessionDir}`);
    await until(frame, 'second-s0 training', runInHeader, (r) => r?.name === 'second-s0' && r.step >= 5, 120_000);
    await frame.getByRole('button', { name: 'Stop', exact: true }).click();
    await until(frame, 'idle after Stop', () => window.rnnlabPanel.diagnostics().state, (s) => s === 'idle', 60_000);
  });

  await check('a stored-run panel comes back after a reload showing its run, and starts no worker', async () => {
    await runCommand(page, 'RNN Lab: Open Run…');
    await pickItem(page, 'first-s0');
    const storedFrame = async () => webviewFrame(page, async (f) => (await f.evaluate(() => document.querySelector('.mode-tag:not([hidden])')?.textContent ?? null)) === 'stored run', { timeoutMs: 90_000 });
    const shows = async (f) => {
      const s = await until(f, 'the stored run', () => {
        const row = document.querySelector('.measures-table tr[data-run="first-s0"]');
        return row && document.querySelector('.spec-name')?.textContent === 'first-s0'
          ? { status: row.getAttribute('data-status'), backendShown: !document.querySelector('.backend')?.hidden, state: window.rnnlabPanel.diagnostics().state }
          : null;
      }, Boolean, 60_000);
      await sleep(2000);
      const fetched = await f.evaluate(workerFetches);
      if (s.status !== 'finished' || s.backendShown || s.state !== 'idle' || fetched.length) throw new Error(`stored panel: ${JSON.stringify({ ...s, fetched })}`);
    };
    await shows(await storedFrame());
    await reloadWindow(page);
    await shows(await storedFrame());
  });

  await check('a panel whose spec was deleted before the reload says so instead of training', async () => {
    renameSync(specPath, `${specPath}.gone`);
    try {
      await reloadWindow(page);
      const f = await webviewFrame(page, async (x) => /no longer exists/.test(await x.evaluate(() => document.querySelector('.banner.error:not([hidden])')?.textContent ?? '')), { timeoutMs: 90_000 });
      const text = await f.evaluate(() => document.querySelector('.banner.error').textContent);
      const want = `The spec ${specPath} no longer exists, so this panel cannot train. Restore the file and press Train, or close this panel.`;
      if (text !== want) throw new Error(`error banner: ${text}`);
    } finally {
      renameSync(`${specPath}.gone`, specPath);
    }
  });
}
