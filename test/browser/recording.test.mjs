// The recordings page (RNN Lab: Analyse recording…, docs/science.md §4.9) with real data:
// the synthetic population of test/fixtures/recording-population.ts analysed by the built
// CLI (dist/cli.js recording --json --view), its result sent as the host sends it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countChromatic } from './png.mjs';
import { frames, openPanel, shot, waitFor } from './harness.mjs';
import { MIN_TRAJECTORY_PIXELS } from './fixtures.mjs';
import { PROTOCOL_VERSION } from '../../src/protocol/version.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The fixture analysed by the product's CLI, as the host's RecordingJob runs it. */
function analysed(helpers) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-recording-page-'));
  try {
    writeFileSync(path.join(dir, 'pop.npz'), helpers.recordingPopulationNpz());
    const r = spawnSync(process.execPath, [path.join(repo, 'dist/cli.js'), 'recording', 'pop.npz', '--json', '--draws', '3', '--view', 'view.json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    return { measures: JSON.parse(r.stdout), view: helpers.recordingViewFromJson(JSON.parse(readFileSync(path.join(dir, 'view.json'), 'utf8'))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function recordingTests({ context, baseUrl, helpers, results }) {
  let data;
  const open = async () => {
    data ??= analysed(helpers);
    const p = await openPanel(context, baseUrl, 'mode=recording&spec=pop.npz');
    await p.host.send({ type: 'recordingInit', version: PROTOCOL_VERSION, file: '/ws/pop.npz', title: 'pop.npz' });
    return p;
  };
  return [
    {
      name: 'recording page: progress, then the top PCs in 3D with one arrow per readout, the caption\'s fraction, the measures, the subsampling curve and its 2x PNG',
      timeoutMs: 180_000,
      fn: async () => {
        const p = await open();
        await p.host.send({ type: 'recordingProgress', phase: 'subsampling', done: 3, total: 10 });
        await waitFor('the progress', async () => /3 of 10 refits/.test(await p.page.locator('.recording-status').textContent()));
        assert.equal(await p.page.locator('.recording-progress').getAttribute('aria-label'), 'Analysis progress');
        await p.host.send({ type: 'recordingResult', measures: data.measures, view: helpers.toEnvelope(data.view) });
        await waitFor('the result', async () => (await p.page.evaluate(() => window.rnnlabRecording.diagnostics().state)) === 'done');
        await frames(p.page, 3);
        assert.deepEqual(await p.page.evaluate(() => window.rnnlabPanel), undefined, 'a recording page builds no panel of runs');
        // one arrow per decoder output, labelled with its fraction
        const items = p.page.locator('.readout-list li');
        assert.equal(await items.count(), data.view.readouts.length);
        assert.equal(data.view.readouts.length, 2);
        const listed = (await items.evaluateAll((els) => els.map((e) => Number(e.dataset.fraction))));
        assert.deepEqual(listed, data.view.readouts.map((r) => r.fraction));
        // the caption's fractions are the fixture's, and say them in words
        const captionEl = p.page.locator('.recording-caption');
        assert.deepEqual((await captionEl.getAttribute('data-fractions')).split(' ').map(Number), data.view.readouts.map((r) => r.fraction));
        const caption = await captionEl.textContent();
        assert.match(caption, new RegExp(`w_out1 ${Math.round(100 * data.view.readouts[0].fraction)} ?%`));
        assert.match(caption, /PC1 \d+ ?%, PC2 \d+ ?%, PC3 \d+ ?%/);
        // the 3D view draws: trajectories on the canvas
        const canvas = p.page.locator('figure.view[data-variant="recording"] canvas.view-canvas');
        assert.ok(countChromatic(await shot(p.page, canvas)) > MIN_TRAJECTORY_PIXELS, 'no trajectories drawn');
        // the measures table and the placement line
        const rows = await p.page.locator('.recording-measures tbody tr').allTextContents();
        assert.ok(rows.some((r) => r.startsWith('ρ') && r.includes(data.measures.rho.toFixed(3).slice(0, 4))), `rows: ${rows.join(' | ')}`);
        assert.ok(rows.some((r) => r.startsWith('subsampling slope')));
        assert.match(await p.page.locator('.recording-placement').textContent(), /not a classification/);
        // the subsampling curve: drawn, log-log, and saved as a 2x PNG
        const fig = p.page.locator('[data-chart="subsampling"]');
        assert.ok(countChromatic(await shot(p.page, fig.locator('.chart-plot'), { hideOverlays: false })) > 200, 'no curve drawn');
        assert.match(await fig.locator('.chart-title').textContent(), /fitted slope/);
        await p.page.screenshot({ path: `${results}/recording-page.png`, fullPage: true });
        await fig.getByRole('button', { name: 'Save as SVG' }).click();
        await fig.getByRole('button', { name: 'Save as PNG' }).click();
        const saved = await waitFor('two saved files', async () => {
          const s = await p.host.posted('saveFile');
          return s.length >= 2 ? s : null;
        });
        const svg = Buffer.from(saved.find((m) => m.name.endsWith('.svg')).data).toString('utf8');
        const [, w, hgt] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
        const pngMsg = saved.find((m) => m.name.endsWith('.png'));
        assert.equal(pngMsg.name, 'pop-subsampling.png');
        const png = Buffer.from(pngMsg.data);
        assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'not a PNG');
        assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2 * Number(w), 2 * Number(hgt)], 'the PNG is not the chart at 2x');
        // the 3D view saves as a PNG at 2x its size
        const box = await canvas.boundingBox();
        await p.page.locator('figure.view[data-variant="recording"] .view-head').getByRole('button', { name: 'Save as PNG' }).click();
        const view3d = await waitFor('the 3D PNG', async () => (await p.host.posted('saveFile')).find((m) => m.name === 'pop-pcs-3d.png'));
        const png3d = Buffer.from(view3d.data);
        assert.deepEqual([png3d.readUInt32BE(16), png3d.readUInt32BE(20)], [2 * Math.floor(box.width), 2 * Math.floor(box.height)]);
        // keyboard: the basis buttons and the canvas are reachable
        await p.page.locator('.segmented button', { hasText: 'w_out + PCs' }).focus();
        await p.page.keyboard.press('Enter');
        assert.equal(await p.page.locator('.segmented button', { hasText: 'w_out + PCs' }).getAttribute('aria-pressed'), 'true');
        assert.equal(await canvas.getAttribute('tabindex'), '0');
        assert.equal(await p.page.locator('.banner.error').isVisible(), false, 'a refused message');
        assert.deepEqual(await p.host.violations(), []);
        assert.deepEqual(p.pageErrors, []);
      },
    },
    {
      name: 'recording page: a loader error is shown as the sentence the host sent, with no results',
      fn: async () => {
        const p = await open();
        const message = 'pop.npz: the .npz has no array activity for the activity; it has rates [16 x 80 x 60], behaviour [16 x 80 x 2]. Choose with --activity NAME.';
        await p.host.send({ type: 'recordingFailed', message });
        await waitFor('the error', async () => (await p.page.locator('.banner.error').textContent()) === message);
        assert.equal(await p.page.locator('.banner.error').getAttribute('role'), 'alert');
        assert.equal(await p.page.locator('.recording-body').isVisible(), false, 'results shown for a failed analysis');
        assert.equal(await p.page.locator('.recording-progress').isVisible(), false);
      },
    },
  ];
}
