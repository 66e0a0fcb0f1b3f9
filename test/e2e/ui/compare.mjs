// UI checks of Compare runs, run by run.mjs in its code-server once the spec's two runs are
// stored: "RNN Lab: Compare Runs…" from the palette lists them under their session, the
// session's item checks both, Enter opens them side by side (one column and one 3D view
// per run), and the heat map of their dissimilarity follows.
import { REPO_ROOT, runCommand, screenshot, webviewFrame } from '../harness/ui.mjs';
import path from 'node:path';

export const COMPARE_CHECKS = 2;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The rows of the open quick pick: their label text (codicons render as empty spans) and aria-checked. */
const rowsOf = (page) =>
  page.locator('.quick-input-widget .quick-input-list .monaco-list-row').evaluateAll((els) =>
    els.map((e) => ({ label: (e.querySelector('.label-name')?.textContent || '').trim(), checked: e.getAttribute('aria-checked') })),
  );

/**
 * Compares the runs of one session through the palette as a user does: "RNN Lab: Compare
 * Runs…", a click on the session's "All n runs of <session>" item, Enter. Returns the
 * compare panel's frame. Also used by scripts/screenshot.mjs.
 * @param {import('playwright-core').Page} page
 * @param {string[]} names the session's runs, in name order
 */
export async function compareFromPalette(page, names) {
  await runCommand(page, 'RNN Lab: Compare Runs…');
  const t0 = Date.now();
  let rows = [];
  while (Date.now() - t0 < 20_000) {
    rows = await rowsOf(page).catch(() => []);
    if (rows.some((r) => r.label.startsWith(`All ${names.length} runs of `))) break;
    await sleep(200);
  }
  const session = rows.findIndex((r) => r.label.startsWith(`All ${names.length} runs of `));
  if (session < 0) throw new Error(`no whole-session item; rows: ${JSON.stringify(rows)}`);
  if (!names.every((n) => rows.some((r) => r.label === n))) throw new Error(`the runs are not listed: ${JSON.stringify(rows)}`);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').nth(session).click();
  // Checking the session checks its runs (the extension sets them): wait for the list to say so.
  const t1 = Date.now();
  while (Date.now() - t1 < 10_000) {
    rows = await rowsOf(page);
    if (rows.filter((r) => r.checked === 'true').length === names.length + 1) break;
    await sleep(200);
  }
  if (rows.filter((r) => r.checked === 'true').length !== names.length + 1) throw new Error(`after checking the session: ${JSON.stringify(rows)}`);
  await page.keyboard.press('Enter');
  return webviewFrame(page, '.measures-table[data-layout="by-run"]', { timeoutMs: 60_000 });
}

/**
 * @param {{page: import('playwright-core').Page, check: (name: string, fn: () => Promise<void>) => Promise<void>}} o
 */
export async function compareChecks({ page, check }) {
  let frame;
  await check('"RNN Lab: Compare Runs…" lists the runs by session; the session\'s item checks both and Enter opens them side by side', async () => {
    frame = await compareFromPalette(page, ['aligned-s0', 'oblique-s0']);
    const heads = await frame.$$eval('.measures-table thead th[data-run]', (els) => els.map((e) => e.dataset.run));
    if (JSON.stringify(heads) !== JSON.stringify(['aligned-s0', 'oblique-s0'])) throw new Error(`columns ${JSON.stringify(heads)}`);
    const views = await frame.$$eval('figure.view', (els) => els.map((e) => e.dataset.variant));
    if (JSON.stringify(views) !== JSON.stringify(['aligned-s0', 'oblique-s0'])) throw new Error(`views ${JSON.stringify(views)}`);
  });
  await check('the compare panel shows the heat map of the two runs\' dissimilarity (computed by rnnlab compare in the host)', async () => {
    await frame.waitForFunction(() => document.querySelectorAll('[data-card="dissimilarity"] rect.cell').length === 4, null, { timeout: 180_000, polling: 500 });
    await page.mouse.move(5, 500);
    await screenshot(page, 'ui-compare');
    const body = await frame.$('body');
    if (body) await body.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'ui-compare-panel-only.png') });
  });
}
