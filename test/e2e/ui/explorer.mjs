// UI checks of the perturbation explorer (issue 9 §6), run by run.mjs in its code-server,
// driven as a user does: train a 2-seed spec, drag a view's kick amplitude with the mouse
// (real pointer events), see the kicked trajectory drawn, then Save as PNG on the view and
// answer VS Code's own save dialog. In code-server the workspace is remote
// (vscode-remote:), so VS Code's web workbench shows its simple file dialog, a quick input
// holding the target path, whatever files.simpleDialog.enable says (that setting is for
// the desktop's native dialogs); the test types the path and presses Enter.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openFile, runCommand, screenshot, webviewFrame } from '../harness/ui.mjs';
import { countNear, decodePng } from '../../browser/png.mjs';

export const EXPLORER_CHECKS = 3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Evaluates pageFn(arg) in the frame until ok(its value) holds; returns the value. */
async function until(frame, what, pageFn, arg, ok, timeoutMs) {
  const t0 = Date.now();
  let last;
  for (;;) {
    let failed = false;
    last = await frame.evaluate(pageFn, arg).catch((e) => ((failed = true), `evaluate failed: ${e.message}`));
    if (!failed && ok(last)) return last;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(300);
  }
}

const explorerOf = (variant) => window.rnnlabPanel?.diagnostics().explorers.find((e) => e.variant === variant)?.stats ?? null;

/** The kick colour (--vscode-charts-orange of the dark theme): the kicked trial's lines. */
const KICK = [0xd1, 0x86, 0x16];

/**
 * @param {{page: import('playwright-core').Page, workspace: string, check: (name: string, fn: () => Promise<void>) => Promise<void>}} o
 */
export async function explorerChecks({ page, workspace, check }) {
  let frame;
  let view;
  const target = path.join(workspace, 'pictures', 'kicked-view.png');

  await check('a 2-seed spec trains in its panel: both seeds finish', async () => {
    await openFile(page, 'explorer.rnn.yaml');
    await runCommand(page, 'RNN Lab: Train');
    frame = await webviewFrame(page, async (f) => (await f.evaluate(() => document.querySelector('.spec-name')?.textContent ?? null)) === 'ui explorer (explorer.rnn.yaml)', { timeoutMs: 90_000 });
    await until(frame, 'both seeds finished', () => {
      const rows = [...document.querySelectorAll('.measures-table tr[data-run]')];
      return rows.map((r) => `${r.getAttribute('data-run')}:${r.getAttribute('data-status')}`);
    }, null, (rows) => Array.isArray(rows) && rows.length === 2 && rows.every((r) => r.endsWith(':finished')), 240_000);
  });

  await check('dragging the amplitude slider with the mouse draws the kicked trajectory over the unperturbed one', async () => {
    view = frame.locator('figure.view[data-variant="default"]');
    const slider = view.getByRole('slider', { name: /Kick amplitude of default/ });
    await slider.scrollIntoViewIfNeeded();
    await until(frame, 'the explorer enabled', (v) => {
      const el = document.querySelector(`figure.view[data-variant="${v}"] input[aria-label^="Kick amplitude"]`);
      return el ? !el.disabled : null;
    }, 'default', (x) => x === true, 60_000);
    const before = await frame.evaluate(explorerOf, 'default');
    if (before?.requests !== 0) throw new Error(`the explorer kicked before the drag: ${JSON.stringify(before)}`);
    const box = await slider.boundingBox();
    if (!box) throw new Error('the amplitude slider has no box');
    // From the thumb at 0 (the left end) to 60 % of the track, as a hand drags.
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + 3, y);
    await page.mouse.down();
    for (let i = 1; i <= 15; i++) await page.mouse.move(box.x + 3 + ((box.width * 0.6 - 3) * i) / 15, y);
    await page.mouse.up();
    const amplitude = Number(await slider.inputValue()) / 20;
    if (!(amplitude > 0)) throw new Error(`the drag left the slider at ${amplitude}`);
    const s = await until(frame, `the kick at amplitude ${amplitude} drawn`, explorerOf, 'default', (x) => x?.problem || x?.drawn?.request.amplitude === amplitude, 60_000);
    if (s.problem) throw new Error(s.problem);
    console.log(`    amplitude ${amplitude} √N: ${s.requests} kicks asked during the drag, ${s.answers} answered; deviation ${s.drawn.deviation.toFixed(2)} (view units); picture ms ${JSON.stringify(s.pictureMs.map((m) => Math.round(m)))}`);
    if (!(s.requests > 1)) throw new Error(`the drag asked for ${s.requests} kick(s): the slider did not follow the pointer`);
    if (!(s.drawn.deviation > 0.1)) throw new Error(`the kicked trajectory does not leave the unperturbed one (${s.drawn.deviation})`);
    const kicked = countNear(decodePng(await view.locator('canvas.view-canvas').screenshot()), KICK, 40);
    if (kicked < 30) throw new Error(`only ${kicked} pixels in the kick colour`);
    await screenshot(page, 'ui-explorer');
  });

  await check('Save as PNG on the view, answered in VS Code\'s save dialog, writes a PNG of twice the canvas size', async () => {
    const canvas = await view.locator('canvas.view-canvas').evaluate((c) => [c.clientWidth, c.clientHeight]);
    await view.getByRole('button', { name: 'Save as PNG' }).click();
    const dialog = page.locator('.quick-input-widget');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const title = (await dialog.locator('.quick-input-title').textContent()) ?? '';
    if (!/Save PNG image/.test(title)) throw new Error(`the dialog is "${title}", not the PNG's save dialog`);
    const input = dialog.locator('input.input').first();
    // The dialog fills in the suggested path while it lists the folder.
    let suggested = '';
    for (const t0 = Date.now(); !suggested.endsWith('-default-3d.png'); await sleep(200)) {
      if (Date.now() - t0 > 30_000) throw new Error(`the dialog suggests ${suggested}`);
      suggested = await input.inputValue();
    }
    console.log(`    the dialog suggested ${suggested}`);
    // Into a folder that does not exist yet: the dialog asks to create it, and OK (Enter) does.
    await input.fill(target);
    await input.press('Enter');
    const t1 = Date.now();
    for (let asked = false; await dialog.isVisible(); ) {
      const now = (await dialog.locator('.quick-input-title').textContent().catch(() => '')) ?? '';
      if (!asked && /folder pictures does not exist/i.test(now)) {
        asked = true;
        console.log(`    the dialog asks: ${now}`);
        await input.press('Enter');
      }
      if (Date.now() - t1 > 30_000) throw new Error(`the save dialog is still open: "${now}"`);
      await sleep(200);
    }
    const t0 = Date.now();
    while (!existsSync(target)) {
      if (Date.now() - t0 > 30_000) throw new Error(`${target} was not written`);
      await sleep(200);
    }
    const note = await until(frame, 'the saved note', () => document.querySelector('.banner.note:not([hidden])')?.textContent ?? '', null, (t) => t.startsWith('Saved PNG image'), 30_000);
    if (note !== `Saved PNG image in ${target}.`) throw new Error(`the panel says "${note}"`);
    const png = decodePng(readFileSync(target));
    if (png.width !== 2 * canvas[0] || png.height !== 2 * canvas[1]) throw new Error(`the PNG is ${png.width} x ${png.height}, the canvas ${canvas[0]} x ${canvas[1]}`);
    const kicked = countNear(png, KICK, 40);
    console.log(`    ${target}: ${png.width} x ${png.height}, ${kicked} pixels in the kick colour`);
    if (kicked < 4 * 30) throw new Error(`the saved picture shows ${kicked} pixels of the kicked trial`);
  });
}
