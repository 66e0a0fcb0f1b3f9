// The rough edges a newcomer met in the panel, one test each: the measures table and the
// views at the default panel width, a reloaded panel that shows what had finished and
// keeps the basis, retraining that clears old results, Stop said the same way as the
// status bar, readout arrows (colours, end-on, labels), the scrubber, and a stored-run
// page that trains nothing and looks like the live one.
import assert from 'node:assert/strict';
import { countChromatic, countNear } from './png.mjs';
import { frames, openPanel, runsOf, shot, waitFor } from './harness.mjs';
import { FG_DARK, LONG, MIN_TRAJECTORY_PIXELS, TINY, canvasOf, constructedView, finishedRuns, init, lastStatus, stored, train } from './fixtures.mjs';

/** The default width of a panel opened beside an editor. */
const PANEL_WIDTH = 620;
const LOSSES = Float32Array.from({ length: 20 }, (_, i) => 0.5 * Math.exp(-i / 6) + 0.01);
const METRICS = { rho: 0.81, rho_sqrtN: 3.24, w_out_norm: 0.25, x_norm: 3.1, dx90: 3, dfit90: 2, noise_ratio: 0.42, eval_loss: 0.012, train_loss: 0.014, stopped: false, explained_variance: [0.5, 0.3, 0.1, 0.05], r2_curve: [0.5, 0.95, 0.97, 0.99] };
/** Looking down the camera's home direction (camera-link.ts): an arrow along it points at the viewer. */
const TOWARDS_CAMERA = (() => {
  const v = [0.55, 0.45, 1];
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
})();

/** Perpendicular to TOWARDS_CAMERA: seen side-on. */
const SIDEWAYS = [1, 0, -0.55].map((x) => x / Math.hypot(1, 0.55));

const boxOf = (page, selector) => page.locator(selector).first().boundingBox();

export function polishTests({ context, baseUrl, helpers, results }) {
  const tinyRuns = runsOf(helpers, TINY);
  const storedRun = (run, view = constructedView(0.9, 25), metrics = METRICS) => ({ run, metrics, view: helpers.toEnvelope(view), losses: LOSSES, folder: `/ws/.rnnlab/runs/tiny-20260101-000000/${run.name}` });

  return [
    {
      name: 'at the default panel width the noise ratio is in view, a wider table scrolls with a visible bar, and two views sit side by side',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.page.setViewportSize({ width: PANEL_WIDTH, height: 900 });
        await p.host.send(init(tinyRuns, false));
        // aligned has not learned: the longest subtitle a view has, beside its name.
        const notLearned = { ...METRICS, learned: false, eval_loss: 0.3, learned_threshold: 0.05 };
        await p.host.send({ type: 'showRuns', purpose: 'restored', runs: tinyRuns.map((r) => (r.variant === 'aligned' ? storedRun(r, undefined, notLearned) : storedRun(r))) });
        await frames(p.page, 3);
        const wrap = await boxOf(p.page, '.measures-card .table-wrap');
        const noise = await boxOf(p.page, '.measures-table th[data-measure="noise_ratio"]');
        assert.ok(noise.x + noise.width <= wrap.x + wrap.width, `the noise ratio column ends at ${noise.x + noise.width}, the table's box at ${wrap.x + wrap.width}`);
        const cell = await p.page.locator('.measures-table tr[data-run="oblique-s0"] td').nth(6).textContent();
        assert.equal(cell, '0.42');
        const scroll = await p.page.locator('.measures-card .table-wrap').evaluate((el) => ({ wider: el.scrollWidth > el.clientWidth, bar: el.offsetHeight - el.clientHeight }));
        if (scroll.wider) assert.ok(scroll.bar >= 8, `the table is wider than the panel but its scrollbar is ${scroll.bar} px high`);
        const [a, b] = await Promise.all(['aligned', 'oblique'].map((v) => boxOf(p.page, `figure.view[data-variant="${v}"]`)));
        assert.ok(Math.abs(a.y - b.y) < 1 && b.x >= a.x + a.width - 1, `views not side by side at ${PANEL_WIDTH} px: ${JSON.stringify([a, b])}`);
        // A variant's name stays on its line however long the run's text beside it: the two pictures start level.
        assert.match(await p.page.locator('figure.view[data-variant="aligned"] .view-sub').textContent(), /not learned/);
        const [ca, cb] = await Promise.all(['aligned', 'oblique'].map((v) => canvasOf(p.page, v).boundingBox()));
        assert.ok(Math.abs(ca.y - cb.y) < 1, `the views' pictures start at y ${ca.y} and ${cb.y}: a title wrapped`);
        // The loss axis (log, about a decade here) names each tick, not only the decades.
        const yTicks = (await p.page.locator('[data-chart="loss"] .chart-plot').getAttribute('data-y-ticks')).split(' ');
        assert.ok(yTicks.length >= 3 && !yTicks.includes('–'), `loss axis ticks: ${yTicks.join(' ')}`);
        // The scrubber's value stays on the slider's line.
        const [range, out] = await Promise.all([boxOf(p.page, '#time-scrubber'), boxOf(p.page, '.time-out')]);
        assert.ok(Math.abs(range.y + range.height / 2 - (out.y + out.height / 2)) < 6, `scrubber at y ${range.y}, its value at y ${out.y}`);
        await p.page.close();
      },
    },
    {
      name: 'a panel reloaded mid-training shows the runs that had finished, says the others are not trained, and keeps the basis',
      fn: async () => {
        const saved = { version: 3, mode: 'live', resource: 'file:///ws/tiny.rnn.yaml', prefs: { basis: 'readout', time: 1, finalMeasure: 'noise_ratio' } };
        const p = await openPanel(context, baseUrl, `state=${encodeURIComponent(JSON.stringify(saved))}`);
        await p.host.send(init(tinyRuns, false));
        await p.host.send({ type: 'notice', level: 'info', message: 'The window was reloaded: training stopped at oblique-s0 step 12.' });
        await p.host.send({ type: 'showRuns', purpose: 'restored', runs: [storedRun(tinyRuns[0])], variants: ['aligned', 'oblique'] });
        await frames(p.page, 3);
        const aligned = p.page.locator('figure.view[data-variant="aligned"]');
        assert.equal(await aligned.locator('.view-overlay').isVisible(), false, 'the finished run\'s view still waits');
        assert.ok(countChromatic(await shot(p.page, canvasOf(p.page, 'aligned'))) > MIN_TRAJECTORY_PIXELS, 'the finished run is not drawn');
        assert.equal(await p.page.locator('.measures-table tr[data-run="aligned-s0"]').getAttribute('data-status'), 'finished');
        const overlay = p.page.locator('figure.view[data-variant="oblique"] .view-overlay');
        assert.equal(await overlay.textContent(), 'Not trained yet: press Train.');
        // A live page warms a worker up (the badge says starting… while it boots, longer on a
        // loaded machine), then rests: idle, and nothing trains by itself.
        await waitFor('the badge to say idle', async () => (await p.page.locator('.state-badge').textContent()) === 'idle');
        assert.ok((await p.host.posted('status')).every((s) => s.state !== 'training'), 'the restored panel trained by itself');
        // The basis and the final table's measure the user had chosen.
        assert.equal(await p.page.locator('.seg', { hasText: 'Readout + PCs' }).getAttribute('aria-pressed'), 'true');
        assert.ok((await aligned.locator('.axis-label').allTextContents()).includes('w_out,1'));
        assert.equal(await p.page.locator('#final-measure').inputValue(), 'noise_ratio');
        assert.deepEqual((await p.host.diagnostics()).prefs, saved.prefs);
        await p.page.close();
      },
    },
    {
      name: 'retraining clears the old result of every variant until it has a new one',
      timeoutMs: 120_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(tinyRuns, true));
        await finishedRuns(p.host, 2);
        await frames(p.page, 2);
        assert.match(await p.page.locator('figure.view[data-variant="oblique"] .view-sub').textContent(), /final 20\/20/);
        await p.host.send(train(runsOf(helpers, LONG), { id: 'second', dir: '/ws/.rnnlab/runs/tiny-2' }));
        await waitFor('the first run training', async () => (await lastStatus(p.host))?.state === 'training' && (await lastStatus(p.host))?.runName === 'aligned-s0');
        await frames(p.page, 3);
        const oblique = p.page.locator('figure.view[data-variant="oblique"]');
        assert.equal(await oblique.locator('.view-sub').textContent(), '', 'the old run is still named');
        assert.equal(await oblique.locator('.view-overlay').textContent(), 'Queued: trains after the runs before it.');
        assert.equal(countChromatic(await shot(p.page, canvasOf(p.page, 'oblique'))), 0, 'the old trajectories are still drawn');
        assert.equal(await p.page.locator('.final-table').isVisible(), false, 'the old final values are still shown');
        await p.host.send({ type: 'stop' });
        await finishedRuns(p.host, 3);
        await p.page.close();
      },
    },
    {
      name: 'after Stop the page says stopping… as the status does, the buttons follow, and the idle state goes out before the result',
      timeoutMs: 120_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(runsOf(helpers, LONG.replace('N: 16', 'N: 256')), true));
        await waitFor('10 steps', async () => ((await lastStatus(p.host))?.step ?? 0) >= 10, 60_000);
        // Clicked in the page, then read one frame later (the header draws in the frame the
        // click asked for, before this callback): a stopped run of N = 256 ends its step and
        // runs its final evaluation first, far longer than a frame, so it is still stopping.
        const during = await p.page.evaluate(async () => {
          [...document.querySelectorAll('.actions button')].find((b) => b.textContent === 'Stop').click();
          await new Promise(requestAnimationFrame);
          const buttons = [...document.querySelectorAll('.actions button')];
          return {
            state: window.rnnlabPanel.diagnostics().state,
            badge: document.querySelector('.state-badge').textContent,
            stopText: buttons.find((b) => /^Stop/.test(b.textContent)).textContent,
            stopDisabled: buttons.find((b) => /^Stop/.test(b.textContent)).disabled,
            pauseDisabled: buttons.find((b) => /^(Pause|Resume)$/.test(b.textContent)).disabled,
          };
        });
        assert.equal(during.state, 'stopping', 'the run ended within a frame of Stop: nothing to check');
        assert.deepEqual(during, { state: 'stopping', badge: 'stopping…', stopText: 'Stopping…', stopDisabled: true, pauseDisabled: true });
        await waitFor('the stopping status', async () => (await p.host.posted('status')).some((m) => m.state === 'stopping'));
        await finishedRuns(p.host, 1);
        await waitFor('idle', async () => (await lastStatus(p.host))?.state === 'idle');
        const posted = await p.page.evaluate(() => window.__host.posted().map((m) => (m.type === 'status' ? `status:${m.state}` : m.type)));
        const result = posted.indexOf('runFinished');
        const idle = posted.indexOf('status:idle');
        assert.ok(idle >= 0 && idle < result, `the idle status went out after the result: ${posted.slice(-6).join(', ')}`);
        await frames(p.page, 2);
        assert.equal(await p.page.locator('.state-badge').textContent(), 'idle');
        await p.page.close();
      },
    },
    {
      name: 'readout arrows: one colour each, a small dot end-on, labels clear of the axis names',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init([tinyRuns[0]], false));
        // Two readouts (as cycling has), in the PC1-PC2 plane.
        await p.host.send(stored(storedRun(tinyRuns[0], constructedView(0.9, 25, [[0.6, 0.8, 0], [-0.8, 0.6, 0]]))));
        await frames(p.page, 3);
        const colours = await p.page.locator('.readout-list .swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
        assert.equal(colours.length, 2);
        assert.notEqual(colours[0], colours[1], 'both readouts have one colour');
        const borders = await p.page.locator('.readout-label').evaluateAll((els) => els.map((e) => e.style.borderColor));
        assert.notEqual(borders[0], borders[1]);
        // End-on vs side-on, one readout of the same length: the end-on one is a dot, not a disc.
        const arrowPixels = async (dir) => {
          await p.host.send(stored(storedRun(tinyRuns[0], constructedView(0.9, 25, [dir]))));
          await frames(p.page, 3);
          return countNear(await shot(p.page, canvasOf(p.page, 'aligned')), FG_DARK, 28);
        };
        const side = await arrowPixels(SIDEWAYS);
        const endOn = await arrowPixels(TOWARDS_CAMERA);
        assert.ok(side > 60, `the side-on arrow has ${side} pixels`);
        assert.ok(endOn < 0.15 * side, `end-on the arrow covers ${endOn} pixels, side-on ${side}`);
        // In the readout basis the arrow lies on the first axis: its label must not cover the axis name.
        // As narrow as a view gets side by side in a default-width panel.
        await p.page.setViewportSize({ width: 340, height: 900 });
        await p.host.send(stored(storedRun(tinyRuns[0], constructedView(1, 0, [[1, 0, 0], [0.96, 0.28, 0]]))));
        await p.page.locator('.seg', { hasText: 'Readout + PCs' }).click();
        await frames(p.page, 3);
        await p.page.locator('figure.view').screenshot({ path: `${results}/polish-readout-labels.png` });
        const boxes = await p.page.locator('figure.view .scene-label:not([hidden])').evaluateAll((els) => els.filter((e) => e.textContent).map((e) => {
          const r = e.getBoundingClientRect();
          return { text: e.textContent, x: r.x, y: r.y, w: r.width, h: r.height };
        }));
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i];
            const b = boxes[j];
            const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
            assert.ok(!overlap, `"${a.text}" overlaps "${b.text}"`);
          }
        }
        await p.page.close();
      },
    },
    {
      name: 'the scrubber draws each trajectory up to the scrubbed time, and says that time',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init([tinyRuns[0]], false));
        await p.host.send(stored(storedRun(tinyRuns[0], constructedView(0.3, 70))));
        await frames(p.page, 3);
        const all = countChromatic(await shot(p.page, canvasOf(p.page, 'aligned')));
        await p.page.locator('#time-scrubber').fill('300');
        await frames(p.page, 3);
        const part = countChromatic(await shot(p.page, canvasOf(p.page, 'aligned')));
        assert.ok(part < 0.6 * all, `at 30% of the trial ${part} trajectory pixels, at the end ${all}`);
        assert.ok(part > 0.1 * all, `at 30% of the trial only ${part} trajectory pixels`);
        assert.match(await p.page.locator('.time-out').textContent(), /^t = [\d.]+$/);
        await p.page.locator('#time-scrubber').fill('1000');
        await frames(p.page, 2);
        assert.equal(await p.page.locator('.time-out').textContent(), 'all');
        await p.page.close();
      },
    },
    {
      name: 'a network that has not learned is marked in the tables and its view, and left out of the mean; rel. susceptibility is shown',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const runs = runsOf(helpers, `${TINY}seeds: 2\n`);
        assert.deepEqual(runs.map((r) => r.name).sort(), ['aligned-s0', 'aligned-s1', 'oblique-s0', 'oblique-s1']);
        await p.host.send(init(runs, false));
        const learned = { ...METRICS, learned: true, learned_threshold: 0.05, rel_susceptibility: 0.37 };
        const failed = { ...METRICS, rho: 0.5, learned: false, eval_loss: 0.31, learned_threshold: 0.05, rel_susceptibility: null };
        await p.host.send({ type: 'showRuns', purpose: 'restored', runs: runs.map((r) => storedRun(r, undefined, r.name === 'oblique-s1' ? failed : learned)) });
        await frames(p.page, 3);
        const row = (name) => p.page.locator(`.measures-table tr[data-run="${name}"]`);
        assert.equal(await row('oblique-s0').getAttribute('data-learned'), null);
        assert.equal(await row('oblique-s1').getAttribute('data-learned'), 'false');
        const status = row('oblique-s1').locator('td').nth(1);
        assert.equal(await status.textContent(), 'done · not learned');
        assert.match(await status.getAttribute('title'), /evaluation loss 0\.310 > 0\.05/);
        const col = await p.page.locator('.measures-table th[data-measure]').evaluateAll((ths) => ths.map((t) => t.dataset.measure).indexOf('rel_susceptibility'));
        assert.ok(col >= 0, 'no rel. susceptibility column');
        assert.equal(await row('aligned-s0').locator('td').nth(3 + col).textContent(), '0.37');
        // A variant's view shows its latest seed with data: oblique-s1 here.
        assert.match(await p.page.locator('figure.view[data-variant="oblique"] .view-sub').textContent(), /^oblique-s1 · final \d+\/\d+ · not learned$/);
        assert.doesNotMatch(await p.page.locator('figure.view[data-variant="aligned"] .view-sub').textContent(), /not learned/);
        const cells = await p.page.locator('.final-table tr[data-variant="oblique"] td').allTextContents();
        assert.deepEqual(cells, ['0.81', '0.5 †', '0.81'], 'the mean must leave out the network that has not learned');
        assert.match(await p.page.locator('.final-table tr[data-variant="oblique"] td.not-learned').getAttribute('title'), /not learned/);
        assert.deepEqual(await p.page.locator('.final-table tr[data-variant="aligned"] td').allTextContents(), ['0.81', '0.81', '0.81']);
        await p.page.close();
      },
    },
    {
      name: 'the perturbation chart draws each direction of a stored run, says why it is empty without one, and saves as a 2x PNG and an SVG',
      timeoutMs: 180_000,
      fn: async () => {
        const amplitudes = Array.from({ length: 21 }, (_, i) => i / 2);
        // An aligned-like run: kicks along w_out cost much more than along the PCs.
        const perturbation = { directions: ['w_out', 'pc', 'rand'], amplitudes, loss: [amplitudes.map((a) => 0.01 + 0.02 * a * a), amplitudes.map((a) => 0.01 + 0.002 * a * a), amplitudes.map(() => 0.011)], rel_susceptibility: 9.6 };
        const p = await openPanel(context, baseUrl, 'mode=stored');
        await p.host.send(init([tinyRuns[0]], false));
        await p.host.send(stored(storedRun(tinyRuns[0])));
        await frames(p.page, 3);
        const fig = p.page.locator('[data-chart="perturbation"]');
        assert.match(await fig.locator('.chart-empty').textContent(), /perturbation in its analysis list/);
        await p.host.send(stored({ ...storedRun(tinyRuns[0]), perturbation }));
        await frames(p.page, 3);
        assert.equal(await fig.locator('.chart-empty').isVisible(), false, 'the chart still says it is empty');
        assert.ok(countChromatic(await shot(p.page, fig.locator('.chart-plot'), { hideOverlays: false })) > 200, 'no curves drawn');
        const legend = await fig.locator('.chart-legend li').allTextContents();
        for (const l of ['aligned', 'along w_out', 'along top PCs', 'random']) assert.ok(legend.includes(l), `legend ${JSON.stringify(legend)} lacks ${l}`);
        await p.page.locator('[data-card="perturbation"]').screenshot({ path: `${results}/panel-perturbation.png` });
        await fig.getByRole('button', { name: 'Save as SVG' }).click();
        await fig.getByRole('button', { name: 'Save as PNG' }).click();
        const saved = await waitFor('two saved files', async () => {
          const s = await p.host.posted('saveFile');
          return s.length >= 2 ? s : null;
        });
        const svgMsg = saved.find((m) => m.name.endsWith('.svg'));
        const pngMsg = saved.find((m) => m.name.endsWith('.png'));
        assert.match(pngMsg.name, /-perturbation\.png$/);
        const svg = Buffer.from(svgMsg.data).toString('utf8');
        const [, w, hgt] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
        assert.ok(svg.includes('stroke-dasharray="6 3"'), 'the PCs curve is not dashed in the SVG');
        const png = Buffer.from(pngMsg.data);
        assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'not a PNG');
        assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2 * Number(w), 2 * Number(hgt)], 'the PNG is not the chart at 2x');
        await p.page.close();
      },
    },
    {
      name: 'a stored run has the colours and PC labels the live panel gives the same run',
      fn: async () => {
        const live = await openPanel(context, baseUrl);
        await live.host.send(init(tinyRuns, false));
        await live.host.send({ type: 'showRuns', purpose: 'restored', runs: tinyRuns.map((r) => storedRun(r)) });
        const p = await openPanel(context, baseUrl, 'mode=stored');
        await p.host.send(init([tinyRuns[1]], false));
        await p.host.send({ ...stored(storedRun(tinyRuns[1])), variants: ['aligned', 'oblique'] });
        await Promise.all([frames(live.page, 3), frames(p.page, 3)]);
        const look = (page) => page.locator('figure.view[data-variant="oblique"]').evaluate((fig) => ({
          swatch: getComputedStyle(fig.querySelector('.view-title .swatch')).backgroundColor,
          axes: [...fig.querySelectorAll('.axis-label')].map((e) => e.textContent),
        }));
        const [a, b] = await Promise.all([look(live.page), look(p.page)]);
        assert.deepEqual(b, a);
        assert.deepEqual(a.axes, ['PC1 50%', 'PC2 30%', 'PC3 10%']);
        assert.notEqual(a.swatch, await live.page.locator('figure.view[data-variant="aligned"] .view-title .swatch').evaluate((e) => getComputedStyle(e).backgroundColor));
        // Copy Python snippet: the run's folder, loaded as the snippet's own load_run does.
        await p.page.getByRole('button', { name: 'Copy Python snippet' }).click();
        const [copy] = await waitFor('the snippet', async () => {
          const c = await p.host.posted('copyText');
          return c.length ? c : null;
        });
        assert.equal(copy.what, 'a Python snippet');
        assert.ok(copy.text.includes('"oblique-s0": load_run("/ws/.rnnlab/runs/tiny-20260101-000000/oblique-s0"),'), copy.text);
        // A live page whose runs are not stored yet has nothing to load.
        const fresh = await openPanel(context, baseUrl);
        await fresh.host.send(init(tinyRuns, false));
        await frames(fresh.page, 2);
        assert.equal(await fresh.page.getByRole('button', { name: 'Copy Python snippet' }).isVisible(), false);
        await fresh.page.close();
        await live.page.close();
        await p.page.close();
      },
    },
  ];
}
