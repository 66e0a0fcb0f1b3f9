// UI checks of New experiment, run by run.mjs in its code-server (or alone:
// `node test/e2e/ui/new-experiment.mjs`), driven with the keyboard as a user does.
// The workspace holds the cycling example, as the one `npm start` opens does: Enter on
// every default must create a new spec, never offer to replace the example; a name
// typed without .rnn.yaml is completed; the wizard stays open when focus moves away.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, runCommand } from '../harness/ui.mjs';

export const NEW_EXPERIMENT_CHECKS = 3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The quick input's title once it shows `re`, so each Enter goes to the step it is meant for. */
async function waitForStep(page, re, timeoutMs = 20_000) {
  const t0 = Date.now();
  for (;;) {
    const visible = await page.locator('.quick-input-widget').isVisible().catch(() => false);
    const title = visible ? ((await page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => '')) ?? '') : '';
    if (re.test(title)) return title;
    if (Date.now() - t0 > timeoutMs) throw new Error(`the wizard did not reach ${re} (quick input ${visible ? `"${title}"` : 'closed'})`);
    await sleep(150);
  }
}

async function waitForFile(file, timeoutMs = 20_000) {
  const t0 = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${path.basename(file)} was not created; the folder has ${readdirSync(path.dirname(file)).join(', ')}`);
    await sleep(200);
  }
}

/** True when `name` is the active tab of an editor group (the panels beside the spec may fill other groups). */
async function isOpenTab(page, name) {
  return page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).first().isVisible().catch(() => false);
}

async function dialogShown(page) {
  return page.locator('.monaco-dialog-box').isVisible().catch(() => false);
}

/** Runs the wizard: task and regime by their first (default) rows, then the file name. */
async function startWizard(page) {
  await runCommand(page, 'RNN Lab: New Experiment…');
  await waitForStep(page, /\(1\/3\): task/);
  await page.keyboard.press('Enter');
  await waitForStep(page, /\(2\/3\): regime/);
  await page.keyboard.press('Enter');
  await waitForStep(page, /\(3\/3\): file name/);
}

/**
 * @param {{page: import('playwright-core').Page, workspace: string, check: (name: string, fn: () => Promise<void>) => Promise<void>}} o
 */
export async function newExperimentChecks({ page, workspace, check }) {
  const example = path.join(workspace, 'cycling.rnn.yaml');
  copyFileSync(path.join(REPO_ROOT, 'examples', 'cycling.rnn.yaml'), example);
  const exampleText = readFileSync(example, 'utf8');

  await check('New experiment: Enter on every default creates a new spec beside the example, with no dialog', async () => {
    await startWizard(page);
    const value = await page.locator('.quick-input-widget input').inputValue();
    if (value !== 'cycling-2.rnn.yaml') throw new Error(`the suggested name is "${value}", expected the free name cycling-2.rnn.yaml`);
    await page.keyboard.press('Enter');
    await waitForFile(path.join(workspace, 'cycling-2.rnn.yaml'));
    if (await dialogShown(page)) throw new Error('a dialog asks something, though the name was free');
    for (let i = 0; i < 50 && !(await isOpenTab(page, 'cycling-2.rnn.yaml')); i++) await sleep(200);
    if (!(await isOpenTab(page, 'cycling-2.rnn.yaml'))) throw new Error('the new spec is not open in an editor');
    if (readFileSync(example, 'utf8') !== exampleText) throw new Error('the example was changed');
  });

  await check('New experiment: a name typed without .rnn.yaml is completed, not refused', async () => {
    await startWizard(page);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('quick-try');
    // the box says what it will create before Enter
    const t0 = Date.now();
    let message = '';
    while (!/quick-try\.rnn\.yaml/.test(message) && Date.now() - t0 < 10_000) {
      message = (await page.locator('.quick-input-widget .quick-input-message').textContent().catch(() => '')) ?? '';
      await sleep(150);
    }
    if (!/Creates quick-try\.rnn\.yaml/.test(message)) throw new Error(`the box says "${message}" while the name lacks .rnn.yaml`);
    await page.keyboard.press('Enter');
    await waitForFile(path.join(workspace, 'quick-try.rnn.yaml'));
    // the next check opens the palette; wait for this spec's editor, which would close it on opening
    for (let i = 0; i < 50 && !(await isOpenTab(page, 'quick-try.rnn.yaml')); i++) await sleep(200);
    if (!(await isOpenTab(page, 'quick-try.rnn.yaml'))) throw new Error('the new spec is not open in an editor');
  });

  await check('New experiment: the wizard stays open when focus moves to the editor, and Enter still creates the spec', async () => {
    await startWizard(page);
    await page.locator('.editor-group-container').first().click({ position: { x: 200, y: 200 } });
    await sleep(1000);
    await waitForStep(page, /\(3\/3\): file name/, 3000);
    await page.locator('.quick-input-widget input').click();
    await page.keyboard.press('Enter');
    await waitForFile(path.join(workspace, 'cycling-3.rnn.yaml'));
  });
}

// Alone: its own code-server and browser on a scratch workspace.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { startCodeServer } = await import('../../../scripts/e2e/code-server.mjs');
  const { ensureAll } = await import('../../../scripts/e2e/tools.mjs');
  const { openWorkbench, screenshot } = await import('../harness/ui.mjs');
  const workspace = mkdtempSync(path.join(tmpdir(), 'rnnlab-ui-new-'));
  const server = await startCodeServer({ tools: await ensureAll(), workspace, extensionDevelopmentPath: REPO_ROOT });
  const { page, close } = await openWorkbench(server.url, { env: server.env, timeoutMs: 90_000 });
  let passed = 0;
  const check = async (name, fn) => {
    try {
      await fn();
      passed++;
      console.log(`  ✔ ${name}`);
    } catch (e) {
      console.log(`  ✘ ${name}\n    ${e.message}`);
      await screenshot(page, 'ui-new-experiment-failure').catch(() => undefined);
    }
  };
  try {
    await newExperimentChecks({ page, workspace, check });
  } finally {
    await close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${NEW_EXPERIMENT_CHECKS - passed} failed`);
  process.exitCode = passed === NEW_EXPERIMENT_CHECKS ? 0 : 1;
}
