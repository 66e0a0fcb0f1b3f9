#!/usr/bin/env node
// Regenerates the README's pictures of the panel, each taken in a real VS Code (code-server +
// Chromium, as in the UI tests), dark theme, as a user gets there:
//   (default)    docs/images/panel.png: the cycling example trained in its panel, both variants.
//   --compare    docs/images/compare.png: its two runs compared (RNN Lab: Compare Runs…), with their dissimilarity.
//   --explorer   docs/images/explorer.png: the perturbation explorer, an oblique network kicked along w_out.
//   --seeds      docs/images/seeds.png: Seeds (2) of the oblique variant, aligned to the first seed.
//   --heatmap    docs/images/dissimilarity.png: the dissimilarity heat map card of the example
//                trained with three seeds per variant (the paper's Fig 4).
//   --recording  docs/images/recording.png: RNN Lab: Analyse Recording on the synthetic
//                recording of scripts/recording-fixture.ts (right-click in the explorer).
// --explorer and --seeds train a quick variant of the example (2 seeds, --steps, default
// 200) and show its panel alone (editor group maximised); the flags combine (one
// code-server, one training), and --recording combines with any.
//   node esbuild.mjs && node scripts/screenshot.mjs [--steps N] [--compare | --explorer --seeds --heatmap --recording]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCodeServer } from './e2e/code-server.mjs';
import { ensureAll } from './e2e/tools.mjs';
import { REPO_ROOT, openFile, openWorkbench, runCommand, webviewFrame } from '../test/e2e/harness/ui.mjs';
import { compareFromPalette } from '../test/e2e/ui/compare.mjs';

const has = (flag) => process.argv.includes(flag);
const stepsAt = process.argv.indexOf('--steps');
const steps = stepsAt > 0 ? Number(process.argv[stepsAt + 1]) : undefined;
const quick = has('--explorer') || has('--seeds');
const compare = has('--compare');
const heatmap = has('--heatmap');
if ([quick, compare, heatmap].filter(Boolean).length > 1) throw new Error('--compare, --heatmap and --explorer/--seeds each train their own spec; take them in runs of their own');
const recording = has('--recording');
const trains = quick || compare || heatmap || !recording;

const workspace = mkdtempSync(path.join(tmpdir(), 'rnnlab-shot-'));
const example = readFileSync(path.join(REPO_ROOT, 'examples/cycling.rnn.yaml'), 'utf8');
// The quick spec: the example over two seeds, fewer steps (enough to show the layouts).
const withSteps = (text, n) => (n ? text.replace(/(training: \{ steps: )\d+/, `$1${n}`) : text);
const spec = quick
  ? withSteps(example, steps ?? 200).replace(/^name: cycling$/m, 'name: cycling quick\nseeds: 2')
  : heatmap ? withSteps(example, steps).replace(/^variants:/m, 'seeds: 3\nvariants:') : withSteps(example, steps);
writeFileSync(path.join(workspace, 'cycling.rnn.yaml'), spec);
cpSync(path.join(REPO_ROOT, 'examples/flipflop.rnn.yaml'), path.join(workspace, 'flipflop.rnn.yaml'));
if (recording) execFileSync(process.execPath, ['--import', 'tsx', 'scripts/recording-fixture.ts', path.join(workspace, 'recording-demo.npz')], { cwd: REPO_ROOT, stdio: 'inherit' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Polls pageFn in the frame until it returns something truthy. */
const until = (frame, pageFn, arg, timeout = 120_000) => frame.waitForFunction(pageFn, arg, { timeout, polling: 500 });

const tools = await ensureAll();
const server = await startCodeServer({
  tools, workspace, extensionDevelopmentPath: REPO_ROOT,
  userSettings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false },
});
const browser = await openWorkbench(server.url, { env: server.env, timeoutMs: 90_000, viewport: { width: 1680, height: 1050 } });
const { page } = browser;

async function shoot(name) {
  await page.mouse.move(5, 500); // no hover tooltip in the picture
  await sleep(1500);
  const out = path.join(REPO_ROOT, `docs/images/${name}.png`);
  await page.screenshot({ path: out });
  console.log(`wrote ${path.relative(REPO_ROOT, out)}`);
}

/** Trains cycling.rnn.yaml in its panel (side bar hidden) and returns the panel's frame once every run is done. */
async function trainPanel() {
  await openFile(page, 'cycling.rnn.yaml');
  await runCommand(page, 'RNN Lab: Train');
  const frame = await webviewFrame(page, '.view canvas', { timeoutMs: 60_000 });
  await page.keyboard.press('Control+B'); // hide the side bar: room for the panel
  // the heat map appears once the runs are stored and the host has compared them
  if (heatmap) await frame.waitForSelector('[data-card="dissimilarity"][data-state="ready"] rect.cell', { timeout: 1_200_000 });
  else await until(frame, (n) => {
    const rows = [...document.querySelectorAll('.measures-table tr[data-run]')];
    return rows.length === n && rows.every((tr) => tr.getAttribute('data-status') === 'finished');
  }, quick ? 4 : 2, 900_000);
  if (quick) {
    // The panel alone: its editor group maximised (the spec's group folds away).
    await page.locator('.tabs-container .tab[aria-label^="RNN Lab"]').first().click();
    await runCommand(page, 'View: Toggle Maximize Editor Group');
    await sleep(1500);
  }
  return frame;
}

/** Drags a variant view's kick amplitude to `at` of its track with the mouse and waits for the kicked trial. */
async function kick(frame, variant, at) {
  const view = frame.locator(`figure.view[data-variant="${variant}"]`);
  const slider = view.getByRole('slider', { name: /Kick amplitude/ });
  await slider.scrollIntoViewIfNeeded();
  await until(frame, (v) => !document.querySelector(`figure.view[data-variant="${v}"] input[aria-label^="Kick amplitude"]`)?.disabled, variant);
  const box = await slider.boundingBox();
  if (!box) throw new Error('the amplitude slider has no box');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + 3, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 3 + ((box.width * at - 3) * i) / 10, y);
  await page.mouse.up();
  const amplitude = Number(await slider.inputValue()) / 20;
  await until(frame, ([v, a]) => {
    const s = window.rnnlabPanel?.diagnostics().explorers.find((e) => e.variant === v)?.stats;
    if (s?.problem) throw new Error(s.problem);
    return s?.drawn?.request.amplitude === a;
  }, [variant, amplitude]);
  await view.evaluate((el) => el.scrollIntoView({ block: 'start' }));
}

/** Opens Seeds (2) of the oblique variant, aligned to the first seed. */
async function seeds(frame) {
  await frame.locator('figure.view[data-variant="oblique"] .seeds-open').click();
  await frame.getByRole('button', { name: 'Aligned to first seed' }).click();
  await until(frame, () => {
    const d = window.rnnlabPanel?.diagnostics().seeds;
    return d?.align === 'first' && d.views.length === 2 && d.views.every((v) => v.drawn);
  });
  await frame.evaluate(() => document.querySelector('.seeds-layout')?.scrollIntoView({ block: 'start' }));
}

/** Right-click on recording-demo.npz in the explorer, Analyse Recording…; returns once analysed. */
async function analyseRecording() {
  const sideBar = page.locator('.part.sidebar');
  if (!(await sideBar.isVisible())) await page.keyboard.press('Control+Shift+E');
  const row = page.locator('.explorer-folders-view .monaco-list-row[aria-label^="recording-demo.npz"]');
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click({ button: 'right' });
  await page.locator('.monaco-menu .action-item', { hasText: 'Analyse Recording…' }).click();
  const frame = await webviewFrame(page, async (f) => (await f.evaluate(() => window.rnnlabRecording?.diagnostics().state ?? null)) !== null, { timeoutMs: 60_000 });
  await until(frame, () => {
    const s = window.rnnlabRecording?.diagnostics().state;
    if (s === 'failed') throw new Error('the recording analysis failed');
    return s === 'done';
  }, null, 300_000);
  if (await sideBar.isVisible()) await page.keyboard.press('Control+B');
}

try {
  const frame = trains ? await trainPanel() : undefined;
  if (frame && compare) {
    const cmp = await compareFromPalette(page, ['aligned-s0', 'oblique-s0']);
    await cmp.waitForFunction(() => document.querySelectorAll('[data-card="dissimilarity"] rect.cell').length === 4, null, { timeout: 300_000, polling: 1000 });
    // the measures by run and the heat map in view, under the two 3D views
    await cmp.evaluate(() => document.querySelector('.measures-card')?.scrollIntoView({ block: 'start' }));
    await shoot('compare');
  } else if (frame && !quick && !heatmap) await shoot('panel');
  if (frame && has('--explorer')) {
    await kick(frame, 'aligned', 0.6);
    await kick(frame, 'oblique', 0.6);
    await shoot('explorer');
  }
  if (frame && heatmap) {
    await page.mouse.move(5, 500);
    await sleep(1000);
    const out = path.join(REPO_ROOT, 'docs/images/dissimilarity.png');
    await frame.locator('[data-card="dissimilarity"]').screenshot({ path: out });
    console.log(`wrote ${path.relative(REPO_ROOT, out)}`);
  }
  if (frame && has('--seeds')) {
    await seeds(frame);
    await shoot('seeds');
  }
  if (recording) {
    await analyseRecording();
    await shoot('recording');
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(workspace, { recursive: true, force: true });
}
