#!/usr/bin/env node
// UI test: a user in a real VS Code (code-server) with the real extension, driven by
// Playwright in Debian's Chromium. Opens a spec, runs "RNN Lab: Train" from the command
// palette, waits for both variants to finish in the panel, and checks that every 3D view
// has drawn trajectories (pixels other than its background) and labelled readout arrows.
// Then Compare runs on the two stored runs (compare.mjs), the window-reload checks of
// reload.mjs, the New experiment checks of new-experiment.mjs and the perturbation
// explorer's of explorer.mjs (drag, Save as PNG through the real save dialog) in the same code-server.
// Saves screenshots to test-results/. Ends with `N passed, M failed`.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCodeServer } from '../../../scripts/e2e/code-server.mjs';
import { ensureAll } from '../../../scripts/e2e/tools.mjs';
import { REPO_ROOT, openFile, openWorkbench, runCommand, screenshot, webviewFrame } from '../harness/ui.mjs';
import { decodePng } from '../../browser/png.mjs';
import { RELOAD_CHECKS, reloadChecks } from './reload.mjs';
import { NEW_EXPERIMENT_CHECKS, newExperimentChecks } from './new-experiment.mjs';
import { COMPARE_CHECKS, compareChecks } from './compare.mjs';
import { EXPLORER_CHECKS, explorerChecks } from './explorer.mjs';

const results = [];
// A stray rejection (a Playwright wait on a page that went away) fails the check it came from;
// it must not end the process before the closing `N passed, M failed` line.
process.on('unhandledRejection', (e) => console.log(`ui: unhandled rejection: ${e?.message ?? e}`));
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`  ✘ ${name}\n    ${String(e.stack ?? e).split('\n').join('\n    ')}`);
    throw e;
  }
}

/** Pixels that differ from the image's corner colour (the scene background) by more than `tol`. */
function drawnPixels(png, tol = 40) {
  const { width, height, rgba } = decodePng(png);
  const bg = rgba.subarray(0, 3);
  let n = 0;
  for (let i = 0; i < width * height; i++) {
    const o = i * 4;
    if (Math.abs(rgba[o] - bg[0]) > tol || Math.abs(rgba[o + 1] - bg[1]) > tol || Math.abs(rgba[o + 2] - bg[2]) > tol) n++;
  }
  return n;
}

async function main() {
  const tools = await ensureAll();
  const workspace = mkdtempSync(path.join(tmpdir(), 'rnnlab-ui-'));
  cpSync(path.join(REPO_ROOT, 'test/e2e/ui/workspace'), workspace, { recursive: true });
  const server = await startCodeServer({ tools, workspace, extensionDevelopmentPath: REPO_ROOT });
  const browser = await openWorkbench(server.url, { env: server.env, timeoutMs: 90_000 });
  const { page } = browser;
  let frame;
  try {
    console.log('ui: spec -> Train -> panel');
    await check('opens the spec and runs "RNN Lab: Train" from the command palette', async () => {
      await openFile(page, 'ui.rnn.yaml');
      await runCommand(page, 'RNN Lab: Train');
    });
    await check('the panel opens beside the editor, its worker trains on the CPU backend auto measured, and the header says why', async () => {
      frame = await webviewFrame(page, '.view canvas', { timeoutMs: 60_000 });
      // auto times the CPU candidates at each run's shape; SwiftShader's WebGL is never a candidate.
      // Each variant's run calibrates on its own worker, so on a busy machine the two may choose
      // differently: the header then counts them. Read diagnostics and header at one moment.
      const agree = () => {
        const backend = window.rnnlabPanel?.diagnostics().backend;
        const header = document.querySelector('.backend')?.textContent ?? '';
        if (backend !== 'fused' && backend !== 'wasm') return false;
        // one backend: named with the ms per step that chose it; two: counted, each named in the run strip
        return new RegExp(`^backend: ${backend} — .*\\d ms`).test(header) || /^backend: (fused|wasm) ×\d+, (fused|wasm) ×\d+ — each run on its own backend/.test(header);
      };
      await frame.waitForFunction(agree, null, { timeout: 120_000, polling: 250 }).catch(async () => {
        const d = await frame.evaluate(() => window.rnnlabPanel?.diagnostics().backend);
        throw new Error(`header shows "${await frame.$eval('.backend', (el) => el.textContent)}" for backend ${d}`);
      });
    });
    await check('both variants finish training', async () => {
      await frame.waitForFunction(() => document.querySelectorAll('.measures-table tr[data-run]').length === 2, null, { timeout: 180_000 });
      await frame.waitForFunction(
        () => [...document.querySelectorAll('.measures-table tr[data-run]')].every((tr) => /done/.test(tr.textContent ?? '')),
        null,
        { timeout: 180_000, polling: 500 },
      );
    });
    await check('every 3D view has drawn its trajectories', async () => {
      const views = await frame.$$('.view[data-variant]');
      if (views.length !== 2) throw new Error(`${views.length} views, expected 2`);
      for (const v of views) {
        const variant = await v.getAttribute('data-variant');
        const canvas = await v.$('canvas');
        const drawn = drawnPixels(await canvas.screenshot());
        console.log(`    ${variant}: ${drawn} drawn pixels`);
        if (drawn < 400) throw new Error(`${variant}: only ${drawn} pixels differ from the background`);
      }
    });
    await check('readout arrows are labelled with the fraction in view; the oblique one is smaller', async () => {
      const fractions = await frame.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('.view[data-variant]')].map((v) => [
            v.getAttribute('data-variant'),
            [...v.querySelectorAll('[data-fraction]')].map((li) => Number(li.getAttribute('data-fraction'))),
          ]),
        ),
      );
      console.log(`    fractions in view: ${JSON.stringify(fractions)}`);
      const first = (k) => (fractions[k] ?? [])[0];
      if (!(first('aligned') > 0 && first('oblique') > 0)) throw new Error('missing readout labels');
      if (!(first('oblique') < first('aligned'))) throw new Error('the oblique readout is not shorter than the aligned one');
    });
    await screenshot(page, 'ui-panel');
    const panel = await frame.$('body');
    if (panel) await panel.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'ui-panel-only.png') });
    console.log('ui: Compare runs');
    await compareChecks({ page, check });
    console.log('ui: window reload');
    await reloadChecks({ page, workspace, check });
    await screenshot(page, 'ui-after-reloads');
    console.log('ui: New experiment');
    await newExperimentChecks({ page, workspace, check });
    console.log('ui: perturbation explorer and Save as PNG');
    await explorerChecks({ page, workspace, check });
  } catch {
    await screenshot(page, 'ui-failure').catch(() => undefined);
    console.log('--- code-server (last lines) ---\n' + server.outputTail());
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

const expected = 5 + COMPARE_CHECKS + RELOAD_CHECKS + NEW_EXPERIMENT_CHECKS + EXPLORER_CHECKS;
try {
  await main();
} catch (e) {
  console.log(`ui: ${e.message}`);
}
const passed = results.filter((r) => r.ok).length;
const failed = expected - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
