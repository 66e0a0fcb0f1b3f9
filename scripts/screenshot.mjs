#!/usr/bin/env node
// Regenerates docs/images/panel.png: the cycling example trained in the real panel of a
// real VS Code (code-server + Chromium, as in the UI test), dark theme, both variants.
// With --compare, docs/images/compare.png instead: the two runs compared side by side
// (RNN Lab: Compare Runs… from the palette), with their dissimilarity.
// With --heatmap, docs/images/dissimilarity.png instead: the dissimilarity heat map of the
// same example trained with three seeds per variant (the paper's Fig 4).
//   node esbuild.mjs && node scripts/screenshot.mjs [--steps N] [--compare | --heatmap]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCodeServer } from './e2e/code-server.mjs';
import { ensureAll } from './e2e/tools.mjs';
import { REPO_ROOT, openFile, openWorkbench, runCommand, webviewFrame } from '../test/e2e/harness/ui.mjs';
import { compareFromPalette } from '../test/e2e/ui/compare.mjs';

const stepsAt = process.argv.indexOf('--steps');
const steps = stepsAt > 0 ? Number(process.argv[stepsAt + 1]) : undefined;
const compare = process.argv.includes('--compare');
const heatmap = process.argv.includes('--heatmap');
const SEEDS = 3;
const workspace = mkdtempSync(path.join(tmpdir(), 'rnnlab-shot-'));
const spec = readFileSync(path.join(REPO_ROOT, 'examples/cycling.rnn.yaml'), 'utf8');
const trained = steps ? spec.replace(/steps: \d+/, `steps: ${steps}`) : spec;
writeFileSync(path.join(workspace, 'cycling.rnn.yaml'), heatmap ? trained.replace(/^variants:/m, `seeds: ${SEEDS}\nvariants:`) : trained);
cpSync(path.join(REPO_ROOT, 'examples/flipflop.rnn.yaml'), path.join(workspace, 'flipflop.rnn.yaml'));

const tools = await ensureAll();
const server = await startCodeServer({
  tools, workspace, extensionDevelopmentPath: REPO_ROOT,
  userSettings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false },
});
const browser = await openWorkbench(server.url, { env: server.env, timeoutMs: 90_000, viewport: { width: 1680, height: 1050 } });
try {
  const { page } = browser;
  await openFile(page, 'cycling.rnn.yaml');
  await runCommand(page, 'RNN Lab: Train');
  const frame = await webviewFrame(page, '.view canvas', { timeoutMs: 60_000 });
  await page.keyboard.press('Control+B'); // hide the side bar: room for the panel
  if (heatmap) {
    // the heat map appears once the runs are stored and the host has compared them
    await frame.waitForSelector('[data-card="dissimilarity"][data-state="ready"] rect.cell', { timeout: 1_200_000 });
    await page.mouse.move(5, 500);
    await page.waitForTimeout(1000);
    const out = path.join(REPO_ROOT, 'docs/images/dissimilarity.png');
    await frame.locator('[data-card="dissimilarity"]').screenshot({ path: out });
    console.log(`wrote ${path.relative(REPO_ROOT, out)}`);
  } else {
    await frame.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('.measures-table tr[data-run]')];
        return rows.length === 2 && rows.every((tr) => /done/.test(tr.textContent ?? ''));
      },
      null,
      { timeout: 600_000, polling: 1000 },
    );
    if (compare) {
      const cmp = await compareFromPalette(page, ['aligned-s0', 'oblique-s0']);
      await cmp.waitForFunction(() => document.querySelectorAll('[data-card="dissimilarity"] rect.cell').length === 4, null, { timeout: 300_000, polling: 1000 });
      // the measures by run and the heat map in view, under the two 3D views
      await cmp.evaluate(() => document.querySelector('.measures-card')?.scrollIntoView({ block: 'start' }));
    }
    await page.mouse.move(5, 500); // no hover tooltip in the picture
    await page.waitForTimeout(1500);
    const out = path.join(REPO_ROOT, `docs/images/${compare ? 'compare' : 'panel'}.png`);
    await page.screenshot({ path: out });
    console.log(`wrote ${path.relative(REPO_ROOT, out)}`);
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(workspace, { recursive: true, force: true });
}
