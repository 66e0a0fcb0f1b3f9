// The perturbation explorer's worker in Chromium: the worker bundle, started from its blob
// by a panel page under the panel's CSP, answers kicks without starting a tfjs backend;
// amplitude 0 coincides with the unperturbed run and a positive amplitude leaves it; a
// fast drag is coalesced and ends on the last amplitude. Correctness only: the latency
// is measured by scripts/measure-explorer.mjs, never asserted.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPanel, runsOf, shot, waitFor } from './harness.mjs';
import { countNear, decodePng } from './png.mjs';
import { explorerDriver, randomSetup } from './explorer-worker.mjs';
import { TINY, finishedRuns, init, stored } from './fixtures.mjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { readRunFolder, writeRunFolder } from '../../src/store/runFolder.ts';
import { explorerNetworkMessage, storedRunData } from '../../src/extension/panel/storedRuns.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The page's view explorer of `variant`, as its diagnostics report it. */
async function explorerOf(p, variant) {
  return (await p.host.diagnostics()).explorers.find((e) => e.variant === variant)?.stats;
}

/** Waits until the view has drawn the kick the controls ask for; returns what it drew. */
async function drawn(p, variant, want) {
  return waitFor(`the kick ${JSON.stringify(want)} drawn`, async () => {
    const s = await explorerOf(p, variant);
    if (s?.problem) throw new Error(s.problem);
    const r = s?.drawn?.request;
    return r && Object.entries(want).every(([k, v]) => r[k] === v) ? s : null;
  }, 60_000);
}

export function explorerTests({ context, baseUrl, helpers }) {
  return [
    {
      name: 'explorer view: after training, dragging the amplitude draws the kicked trial over the unperturbed one (the same at 0), z(t) beside it; closing ends its worker',
      timeoutMs: 180_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(runsOf(helpers, TINY), true));
        await finishedRuns(p.host, 2);
        const view = p.page.locator('figure.view[data-variant="oblique"]');
        const amplitude = view.getByRole('slider', { name: /Kick amplitude of oblique/ });
        await waitFor('the explorer enabled', async () => !(await amplitude.isDisabled()));
        const trainingWorkers = p.page.workers().length;
        assert.equal((await explorerOf(p, 'oblique')).requests, 0, 'nothing is kicked before the user asks');
        assert.equal(p.page.workers().length, trainingWorkers, 'no explorer worker before the first kick');

        // Keyboard only: the amplitude slider is reachable and End takes it to A_max = 10.
        await amplitude.focus();
        await p.page.keyboard.press('End');
        const far = await drawn(p, 'oblique', { amplitude: 10, direction: 'w_out' });
        assert.ok(far.drawn.deviation > 0.5, `the kicked trajectory leaves the unperturbed one (by ${far.drawn.deviation})`);
        assert.equal(p.page.workers().length, trainingWorkers + 1, 'one explorer worker');
        const kickPixels = countNear(await shot(p.page, view.locator('canvas.view-canvas')), [0xd1, 0x86, 0x16], 40);
        assert.ok(kickPixels > 30, `the kicked trajectory is drawn in the kick colour (${kickPixels} px)`);
        const chart = view.locator('.kick-chart');
        assert.deepEqual(await chart.locator('.chart-legend li').allTextContents(), ['target', 'z', 'z kicked']);
        assert.equal(await chart.locator('.chart-empty').isVisible(), false);

        await view.getByRole('combobox', { name: 'kick along' }).selectOption('pc1');
        const pc = await drawn(p, 'oblique', { amplitude: 10, direction: 'pc1' });
        assert.ok(pc.drawn.deviation > 0.5);
        // the time scrubber sets t_p
        await p.page.locator('#time-scrubber').fill('400');
        const later = await waitFor('a later kick time', async () => {
          const s = await explorerOf(p, 'oblique');
          return s?.drawn && s.drawn.request.step !== pc.drawn.request.step && s.drawn.request.direction === 'pc1' ? s : null;
        });
        assert.ok(later.drawn.request.step > 0);
        await amplitude.focus();
        await p.page.keyboard.press('Home');
        const zero = await drawn(p, 'oblique', { amplitude: 0, direction: 'pc1' });
        assert.equal(zero.drawn.deviation, 0, 'at amplitude 0 the kicked trajectory is the unperturbed one');
        assert.ok(zero.pictureMs.length > 0 && zero.pictureMs.every((ms) => ms >= 0));
        // the other view was never kicked
        assert.equal((await explorerOf(p, 'aligned')).requests, 0);

        // A mouse drag changes only the canvases until the pointer is released (a text change
        // costs a page composite); then the value and the note show the last kick.
        const texts = view.locator('.kick-out, .kick-note');
        await view.evaluate((fig) => {
          window.__kickTextChanges = 0;
          const watch = new MutationObserver((records) => (window.__kickTextChanges += records.length));
          for (const el of fig.querySelectorAll('.kick-out, .kick-note')) watch.observe(el, { childList: true, characterData: true, subtree: true });
        });
        const box = await amplitude.boundingBox();
        const y = box.y + box.height / 2;
        await p.page.mouse.move(box.x + 3, y);
        await p.page.mouse.down();
        for (let i = 1; i <= 10; i++) await p.page.mouse.move(box.x + 3 + (box.width * 0.5 * i) / 10, y);
        const held = Number(await amplitude.inputValue()) / 20;
        const during = await drawn(p, 'oblique', { amplitude: held, direction: 'pc1' });
        assert.ok(held > 0 && during.drawn.deviation > 0, 'the drag kicks');
        assert.equal(await p.page.evaluate(() => window.__kickTextChanges), 0, 'no text changed while the pointer was down');
        await p.page.mouse.up();
        await waitFor('the value shown after release', async () => (await texts.first().textContent()) === `${held} √N`);
        assert.match(await texts.nth(1).textContent(), new RegExp(`\\(${held} √N\\)`));

        const workers = p.page.workers();
        const closed = Promise.all(workers.map((w) => new Promise((r) => w.once('close', r))));
        await p.page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
        await Promise.race([closed, new Promise((_, rej) => setTimeout(() => rej(new Error('a worker is still running after close')), 5000))]);
        const after = await p.host.diagnostics();
        for (const r of after.retiredGpu) assert.deepEqual({ geometries: r.memory.geometries, textures: r.memory.textures }, { geometries: 0, textures: 0 }, r.variant);
        assert.deepEqual(p.pageErrors, []);
        assert.deepEqual(await p.host.violations(), []);
      },
    },
    {
      name: 'explorer view of a stored run: the network is read from its run folder at the first kick, then the kicked trial is drawn (the same at 0)',
      timeoutMs: 180_000,
      fn: async () => {
        // A real run folder, written by the run store from a run trained in a page.
        const live = await openPanel(context, baseUrl);
        await live.host.send(init(runsOf(helpers, TINY), true));
        const done = await finishedRuns(live.host, 2);
        await live.page.close();
        const result = helpers.fromEnvelope(done.find((m) => m.runName === 'oblique-s0').result);
        const tmp = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-stored-explorer-'));
        try {
          const folder = await writeRunFolder(tmp, 'oblique-s0', result, TINY);
          const run = await readRunFolder(folder);
          // As the stored-run panel (src/extension/panel/storedPanel.ts) shows it.
          const p = await openPanel(context, baseUrl, 'mode=stored');
          await waitFor('ready', () => p.host.count('ready'));
          await p.host.send(init([run.run], false));
          await p.host.send(stored(storedRunData(run)));
          const view = p.page.locator('figure.view[data-variant="oblique"]');
          const amplitude = view.getByRole('slider', { name: /Kick amplitude of oblique/ });
          await waitFor('the explorer enabled', async () => !(await amplitude.isDisabled()));
          assert.match(await view.locator('.kick-note').textContent(), /read from the run folder at the first kick/);
          assert.equal(await p.host.count('explorerRequest'), 0, 'nothing is read before the user kicks');
          assert.equal(p.workers.length, 0, 'no worker before the first kick');

          await amplitude.focus();
          await p.page.keyboard.press('End');
          const [request] = await waitFor('the explorer to ask for the network', async () => {
            const r = await p.host.posted('explorerRequest');
            return r.length ? r : null;
          });
          assert.deepEqual(request.folder, folder);
          assert.match(await view.locator('.kick-note').textContent(), /Reading the trained network/);
          await p.host.send(await explorerNetworkMessage(request.folder));
          const far = await drawn(p, 'oblique', { amplitude: 10, direction: 'w_out' });
          assert.ok(far.drawn.deviation > 0.5, `the kicked trajectory leaves the unperturbed one (by ${far.drawn.deviation})`);
          const kickPixels = countNear(await shot(p.page, view.locator('canvas.view-canvas')), [0xd1, 0x86, 0x16], 40);
          assert.ok(kickPixels > 30, `the kicked trajectory is drawn in the kick colour (${kickPixels} px)`);

          // Save as PNG of the view: twice the canvas's size, the kicked trial in it, named after the run.
          await view.getByRole('button', { name: 'Save as PNG' }).click();
          const [save] = await waitFor('the view\'s PNG', async () => {
            const s = await p.host.posted('saveFile');
            return s.length ? s : null;
          });
          const box = await view.locator('canvas.view-canvas').evaluate((c) => [c.clientWidth, c.clientHeight]);
          const png = decodePng(Buffer.from(save.data));
          assert.deepEqual([png.width, png.height], [2 * box[0], 2 * box[1]]);
          assert.equal(save.name, 'oblique-s0-oblique-3d.png');
          const saved = countNear(png, [0xd1, 0x86, 0x16], 40);
          assert.ok(saved > 4 * 30, `the picture shows the kicked trial (${saved} px in the kick colour)`);
          writeFileSync(path.join(repo, 'test-results', 'explorer-stored-view.png'), Buffer.from(save.data));
          assert.equal(await view.locator('canvas.view-canvas').isVisible(), true);

          await amplitude.focus();
          await p.page.keyboard.press('Home');
          const zero = await drawn(p, 'oblique', { amplitude: 0, direction: 'w_out' });
          assert.equal(zero.drawn.deviation, 0, 'at amplitude 0 the kicked trajectory is the unperturbed one');
          await p.page.keyboard.press('End');
          await drawn(p, 'oblique', { amplitude: 10 });
          assert.equal(await p.host.count('explorerRequest'), 1, 'the network is read once');
          assert.deepEqual(p.pageErrors, []);
          assert.deepEqual(await p.host.violations(), []);
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      },
    },
    {
      name: 'explorer worker: kicks at amplitude 0 coincide with the unperturbed run, at 3 they differ; a drag ends on its last amplitude',
      fn: async () => {
        const [driver, setup] = await Promise.all([explorerDriver(repo), randomSetup(repo, { N: 32 })]);
        const p = await openPanel(context, baseUrl);
        await p.page.evaluate(driver);
        await p.page.evaluate((s) => window.__explorer.start(s), setup.packed);
        const step = Math.round(5 / setup.dt);
        const kick = (amplitude, direction = 'pc1') => p.page.evaluate((r) => window.__explorer.kick(r), { trial: 2, step, direction, amplitude });

        const zero = (await kick(0)).answer;
        assert.equal(zero.perturbed.pca.length, (setup.T - step) * 3);
        assert.deepEqual(zero.perturbed.pca, zero.unperturbed.pca.slice(step * 3));
        assert.deepEqual(zero.perturbed.readout, zero.unperturbed.readout.slice(step * 3));
        assert.deepEqual(zero.perturbed.outputs, zero.unperturbed.outputs.slice(step * setup.dOut));

        const three = (await kick(3)).answer;
        assert.deepEqual(three.unperturbed, zero.unperturbed, 'the same trial without a kick');
        // PC1 is unit 0 of this setup: the first point moves by 3 sqrt(N) along the first axis only
        assert.ok(Math.abs(three.perturbed.pca[0] - zero.perturbed.pca[0] - 3 * Math.sqrt(32)) < 1e-4);
        assert.equal(three.perturbed.pca[1], zero.perturbed.pca[1]);
        const moved = three.perturbed.pca.reduce((m, x, i) => Math.max(m, Math.abs(x - zero.perturbed.pca[i])), 0);
        assert.ok(moved > 1, `the kicked trajectory leaves the unperturbed one (max ${moved})`);
        assert.ok(three.perturbed.outputs.some((z, i) => z !== zero.perturbed.outputs[i]), 'the output traces differ');

        for (const direction of ['w_out', 'pc2', 'rand', 'w_in']) {
          const a = (await kick(1, direction)).answer;
          assert.equal(a.request.direction, direction);
          assert.ok(a.perturbed.pca.some((x, i) => x !== zero.perturbed.pca[i]), direction);
        }

        const amplitudes = Array.from({ length: 30 }, (_, i) => i / 5);
        const drag = await p.page.evaluate(([a, k]) => window.__explorer.drag({ trial: 0, step: k, direction: 'w_out' }, a, 2), [amplitudes, step]);
        assert.ok(drag.answered <= amplitudes.length && drag.answered >= 1);
        assert.ok(drag.latencies.every((l) => l !== null), 'every amplitude asked for was followed by an answer at least as new');
        const answers = await p.page.evaluate(() => window.__explorer.answers.map((a) => a.answer.request.amplitude));
        assert.equal(answers.at(-1), amplitudes.at(-1));

        const workerLog = p.workerConsole.join('\n');
        assert.doesNotMatch(workerLog, /error/i, workerLog);
        assert.equal(await p.page.evaluate(() => window.__explorer.failures.length), 0);
        await p.page.evaluate(() => window.__explorer.stop());
        assert.deepEqual(p.pageErrors, []);
        assert.deepEqual(await p.host.violations(), []);
      },
    },
  ];
}
