// The panel in a real Chromium under the panel's CSP: worker boot, training, the 3D
// views' pixels, the messages to the host, stop/pause, hidden panels, themes, context
// loss, disposal, the cpu fallback, the layout, a stored-run page without a worker,
// results bound to their session, and the state kept for a window reload.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { countChromatic, countNear, countNotBackground, pixelAt } from './png.mjs';
import { frames, keepOpen, openPanel, runsOf, saveJson, shot, waitFor } from './harness.mjs';
import { PROTOCOL_VERSION } from '../../src/protocol/version.ts';
import { TINY, LONG, LONG_STEPS, MEDIUM, DEFAULT_PREFS, BG, FG_DARK, MIN_TRAJECTORY_PIXELS, canvasOf, lastStatus, SESSION, init, train, stored, workerFetches, finishedRuns, constructedView } from './fixtures.mjs';


export function panelTests({ context, baseUrl, helpers, results }) {
  const timings = {};
  const tinyRuns = runsOf(helpers, TINY);
  const shotFile = (name) => path.join(results, name);

  /** One trained panel, shared by the tests that only look at it (training takes seconds). */
  let trained;
  const trainedPanel = async () => {
    if (trained) return trained;
    const p = await openPanel(context, baseUrl);
    await p.host.send(init(tinyRuns, true));
    const t0 = Date.now();
    const done = await finishedRuns(p.host, 2);
    timings.tinyTwoVariantsMs = Date.now() - t0;
    await frames(p.page, 3);
    keepOpen(p.page);
    trained = { ...p, done };
    return trained;
  };

  return [
    {
      name: 'the worker boots (auto: the fused kernel and wasm SIMD) under the strict CSP, from a blob, with no CSP violation',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await waitFor('ready', () => p.host.count('ready'));
        const d = await waitFor('a backend', async () => ((await p.host.diagnostics()).backend ? p.host.diagnostics() : null), 40_000);
        assert.equal(d.backend, 'fused');
        await frames(p.page, 2);
        const header = await p.page.locator('.backend').textContent();
        assert.match(header, /backend: fused — auto: each run times its candidates \(fused, wasm\)/);
        const workers = p.page.workers();
        assert.equal(workers.length, 1);
        assert.match(workers[0].url(), /^blob:/);
        const logs = await p.host.posted('log');
        const ready = logs.find((l) => /training worker ready: fused \(SIMD\) in (\d+) ms/.test(l.message));
        assert.ok(ready, `no ready log among ${JSON.stringify(logs)}`);
        timings.workerStartMs = Number(/in (\d+) ms/.exec(ready.message)[1]);
        assert.deepEqual(await p.host.violations(), []);
        assert.deepEqual(p.workerConsole.filter((l) => /CSP|Refused|Content Security/i.test(l)), []);
        assert.deepEqual(logs.filter((l) => /CSP/.test(l.message)), []);
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'a tiny two-variant run trains and each 3D view draws its trajectories (pixels)',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(tinyRuns, false));
        await frames(p.page, 3);
        for (const v of ['aligned', 'oblique']) {
          assert.equal(countChromatic(await shot(p.page, canvasOf(p.page, v))), 0, `${v} drew coloured pixels before any data`);
        }
        await p.host.send(train(tinyRuns));
        await finishedRuns(p.host, 2);
        await frames(p.page, 3);
        for (const v of ['aligned', 'oblique']) {
          const n = countChromatic(await shot(p.page, canvasOf(p.page, v)));
          assert.ok(n > MIN_TRAJECTORY_PIXELS, `${v}: only ${n} trajectory pixels`);
        }
        const chart = await shot(p.page, p.page.locator('[data-chart="loss"] .chart-plot'), { hideOverlays: false });
        assert.ok(countNotBackground(chart, BG.dark) > 500, 'the loss chart drew nothing');
        const rho = await p.page.locator('.measures-table tbody tr[data-run="aligned-s0"] td').nth(4).textContent();
        assert.match(rho, /^[0-9.e−-]+$/, `rho cell is ${rho}`);
        const finals = await p.page.locator('.final-table tbody tr').allTextContents();
        assert.equal(finals.length, 2);
        assert.ok(finals.every((t) => /\d/.test(t)), `final table: ${finals}`);
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'runFinished carries the RunResult envelope (transferred) and status is throttled',
      fn: async () => {
        const t = await trainedPanel();
        assert.deepEqual(t.done.map((m) => m.runName), ['aligned-s0', 'oblique-s0']);
        for (const m of t.done) {
          assert.equal(m.$transferred, 1, 'the result buffer was not transferred');
          assert.equal(m.session, SESSION.id, 'the result names the session that started the run');
          const r = helpers.fromEnvelope(m.result);
          assert.equal(r.run.name, m.runName);
          assert.equal(r.losses.length, 20);
          assert.equal(r.stopped, false);
          // auto, measured at the run's shape: the fused kernel wins by far at this size
          assert.equal(r.backend, 'fused');
          assert.ok(r.final.W instanceof Float32Array && r.final.W.length === 16 * 16);
        }
        const statuses = await t.host.posted('status');
        for (let i = 1; i < statuses.length; i++) {
          if (statuses[i].state === statuses[i - 1].state) {
            assert.ok(statuses[i].$at - statuses[i - 1].$at >= 90, `two '${statuses[i].state}' statuses ${Math.round(statuses[i].$at - statuses[i - 1].$at)} ms apart`);
          }
        }
        assert.equal(statuses.at(-1).state, 'idle');
        await t.page.screenshot({ path: shotFile('panel-dark.png'), fullPage: true });
      },
    },
    {
      name: 'readout labels give fraction and angle, and an oblique readout draws a shorter arrow',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const losses = Float32Array.from({ length: 20 }, (_, i) => 0.5 * Math.exp(-i / 6) + 0.01);
        const metrics = { rho: 0.81, rho_sqrtN: 3.24, w_out_norm: 0.25, x_norm: 3.1, dx90: 3, dfit90: 2, noise_ratio: 2.4, eval_loss: 0.012, train_loss: 0.014, stopped: false };
        // As the host's stored-run panel does: init with the run (no training), then showRuns.
        await p.host.send(init([tinyRuns[0]], false));
        const arrowPixels = {};
        for (const [kind, fraction, angle] of [['aligned', 0.9, 25.84], ['oblique', 0.12, 83.1]]) {
          await p.host.send(stored({ run: tinyRuns[0], metrics, view: helpers.toEnvelope(constructedView(fraction, angle)), losses, folder: `.rnnlab/runs/tiny/${kind}` }));
          await frames(p.page, 3);
          const label = p.page.locator('.readout-label');
          await waitFor('the readout label', async () => (await label.textContent())?.includes('in view'));
          const text = await label.textContent();
          assert.equal(text, kind === 'aligned' ? 'w_out: 90% in view, 26° out' : 'w_out: 12% in view, 83° out');
          assert.equal(Number(await label.getAttribute('data-fraction')), fraction);
          assert.equal(await p.page.locator('.readout-list li').first().textContent(), text);
          const img = await shot(p.page, canvasOf(p.page, 'aligned'));
          arrowPixels[kind] = countNear(img, FG_DARK, 28);
          assert.ok(countChromatic(img) > MIN_TRAJECTORY_PIXELS, `${kind}: the stored trajectories are not drawn`);
          if (kind === 'oblique') await p.page.screenshot({ path: shotFile('panel-stored-oblique.png'), fullPage: true });
        }
        assert.ok(arrowPixels.oblique > 20, `the oblique arrow is invisible (${arrowPixels.oblique} px)`);
        assert.ok(arrowPixels.aligned > 2.5 * arrowPixels.oblique, `arrow pixels aligned ${arrowPixels.aligned} vs oblique ${arrowPixels.oblique}`);
        assert.equal(await p.page.locator('.mode-tag').textContent(), 'stored run');
        assert.equal(await p.page.locator('.measures-table tbody tr td').nth(4).textContent(), '0.81');
        await p.page.locator('.seg', { hasText: 'Readout + PCs' }).click();
        await frames(p.page, 2);
        assert.ok((await p.page.locator('.axis-label').allTextContents()).includes('w_out,1'));
        await p.page.screenshot({ path: shotFile('panel-stored-readout-basis.png'), fullPage: true });
        assert.equal(await p.host.count('runFinished'), 0, 'a stored run must not be sent back to the store');
        const back = p.page.getByRole('button', { name: 'Back to live runs' });
        assert.equal(await back.isVisible(), false, 'nothing live to go back to');
        assert.equal(await p.page.locator('.backend').isVisible(), false, 'a stored run shows no training backend');
        // A spec panel that trained, then opened a stored run: the live runs are one click away.
        await p.host.send(train(tinyRuns));
        await finishedRuns(p.host, 2);
        await p.host.send(stored({ run: tinyRuns[0], metrics, view: helpers.toEnvelope(constructedView(0.5, 60)), losses, folder: '.rnnlab/runs/tiny/x' }));
        await frames(p.page);
        assert.equal(await p.page.locator('figure.view').count(), 1);
        await back.click();
        await frames(p.page);
        assert.equal(await p.page.locator('figure.view').count(), 2);
        assert.equal(await back.isVisible(), false);
        await p.page.close();
      },
    },
    {
      name: 'the cameras of the variant views are linked; keys orbit and zoom; Reset view restores the pose',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(tinyRuns, false));
        await frames(p.page, 2);
        const cams = async () => Object.fromEntries((await p.host.diagnostics()).cameras.map((c) => [c.variant, c.position]));
        const home = await cams();
        assert.ok(Math.hypot(...home.aligned) > 1, `the camera starts at ${home.aligned}`);
        assert.deepEqual(home.oblique, home.aligned);
        await canvasOf(p.page, 'oblique').focus();
        for (const key of ['ArrowLeft', 'ArrowLeft', 'ArrowUp', '+']) await p.page.keyboard.press(key);
        const moved = await cams();
        assert.notDeepEqual(moved.oblique, home.oblique);
        assert.ok(Math.hypot(...moved.oblique) < Math.hypot(...home.oblique), 'did not zoom in');
        moved.aligned.forEach((x, i) => assert.ok(Math.abs(x - moved.oblique[i]) < 1e-9, `aligned camera ${moved.aligned} vs oblique ${moved.oblique}`));
        await p.page.getByRole('button', { name: 'Reset view' }).click();
        const reset = await cams();
        reset.aligned.forEach((x, i) => assert.ok(Math.abs(x - home.aligned[i]) < 1e-9, `after reset ${reset.aligned} vs ${home.aligned}`));
        await p.page.close();
      },
    },
    {
      name: 'pause holds the run, resume continues, stop ends it early with a result and drops the queue',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(runsOf(helpers, LONG), true));
        await waitFor('20 steps', async () => ((await lastStatus(p.host))?.step ?? 0) >= 20, 40_000);
        const pause = p.page.getByRole('button', { name: 'Pause training' });
        await pause.focus();
        await p.page.keyboard.press('Enter');
        await waitFor('paused', async () => (await lastStatus(p.host))?.state === 'paused');
        // Steps the worker finished before it read the pause may still be on their way (many, on
        // a loaded machine): wait until the count settles, then it must hold. A worker that went
        // on training never settles.
        let s1 = -1;
        let settledSince = Date.now();
        await waitFor('the step count to settle after the pause', async () => {
          const s = (await lastStatus(p.host)).step;
          if (s !== s1) {
            s1 = s;
            settledSince = Date.now();
          }
          return Date.now() - settledSince >= 1_000;
        }, 30_000);
        await new Promise((r) => setTimeout(r, 2_000));
        const s2 = (await lastStatus(p.host)).step;
        assert.equal(s2, s1, `training went on while paused: ${s1} -> ${s2}`);
        await p.page.getByRole('button', { name: 'Resume training' }).click();
        await waitFor('steps after resume', async () => ((await lastStatus(p.host))?.step ?? 0) > s2 + 5);
        await p.page.getByRole('button', { name: 'Stop', exact: true }).click();
        const [done] = await finishedRuns(p.host, 1);
        const r = helpers.fromEnvelope(done.result);
        assert.equal(done.runName, 'aligned-s0');
        assert.equal(r.stopped, true);
        assert.ok(r.losses.length > 20 && r.losses.length < LONG_STEPS, `${r.losses.length} steps`);
        // Idle means the queue is empty: a second run would have gone from finished straight to training.
        await waitFor('idle', async () => (await lastStatus(p.host))?.state === 'idle');
        assert.equal(await p.host.count('runFinished'), 1, 'the second run started after Stop');
        assert.equal(await p.page.locator('.measures-table tr[data-run="aligned-s0"]').getAttribute('data-status'), 'stopped');
        await p.page.close();
      },
    },
    {
      name: 'a train that replaces the queue while the worker is still starting trains only the new runs',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const renamed = runsOf(helpers, TINY.replace('name: aligned', 'name: small').replace('name: oblique', 'name: large'));
        await p.host.send(init(tinyRuns, true));
        await p.host.send(train(renamed));
        const done = await finishedRuns(p.host, 2);
        await waitFor('idle', async () => (await lastStatus(p.host))?.state === 'idle');
        assert.deepEqual((await p.host.posted('runFinished')).map((m) => m.runName), ['small-s0', 'large-s0']);
        assert.deepEqual(await p.host.posted('runFailed'), []);
        assert.equal(done.length, 2);
        assert.deepEqual(await p.page.locator('figure.view').evaluateAll((els) => els.map((e) => e.dataset.variant)), ['small', 'large']);
        await p.page.close();
      },
    },
    {
      name: 'nothing is drawn while the host says the panel is hidden; it catches up on show',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(tinyRuns, false));
        await frames(p.page, 3);
        await p.host.send({ type: 'visibility', visible: false });
        const before = (await p.host.diagnostics()).frames;
        await p.host.send(train(tinyRuns));
        await finishedRuns(p.host, 2);
        await frames(p.page, 3);
        const hidden = (await p.host.diagnostics()).frames;
        assert.equal(hidden.frames, before.frames, 'frames were drawn while hidden');
        assert.ok(hidden.deferredWhileHidden > before.deferredWhileHidden);
        assert.equal(countChromatic(await shot(p.page, canvasOf(p.page, 'aligned'))), 0);
        await p.host.send({ type: 'visibility', visible: true });
        await frames(p.page, 3);
        assert.ok((await p.host.diagnostics()).frames.frames > hidden.frames);
        assert.ok(countChromatic(await shot(p.page, canvasOf(p.page, 'aligned'))) > MIN_TRAJECTORY_PIXELS);
        await p.page.close();
      },
    },
    {
      name: 'a theme switch changes the 3D background and the chart (dark, light, high contrast)',
      fn: async () => {
        const t = await trainedPanel();
        const corner = async () => pixelAt(await shot(t.page, canvasOf(t.page, 'oblique')), 4, 4);
        const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 3);
        assert.ok(near(await corner(), BG.dark), `dark corner ${await corner()}`);
        for (const theme of ['light', 'high-contrast']) {
          await t.host.setTheme(theme);
          await frames(t.page, 3);
          const c = await corner();
          assert.ok(near(c, BG[theme]), `${theme}: corner ${c}, want ${BG[theme]}`);
          assert.equal((await t.host.diagnostics()).theme, theme);
          assert.ok(countChromatic(await shot(t.page, canvasOf(t.page, 'oblique'))) > MIN_TRAJECTORY_PIXELS);
          const chart = await shot(t.page, t.page.locator('[data-chart="loss"] .chart-plot'), { hideOverlays: false });
          assert.ok(near(pixelAt(chart, 2, 2), BG[theme]), `${theme}: chart background ${pixelAt(chart, 2, 2)}`);
          await t.page.screenshot({ path: shotFile(`panel-${theme}.png`), fullPage: true });
        }
        await t.host.setTheme('dark');
        await frames(t.page, 3);
      },
    },
    {
      name: 'a lost WebGL context shows a notice and the view draws again once restored',
      fn: async () => {
        const t = await trainedPanel();
        await t.page.evaluate(() => {
          const c = document.querySelector('figure.view[data-variant="aligned"] canvas.view-canvas');
          window.__lose = c.getContext('webgl2').getExtension('WEBGL_lose_context');
          window.__lose.loseContext();
        });
        const overlay = t.page.locator('figure.view[data-variant="aligned"] .view-overlay');
        await waitFor('the context-lost notice', () => overlay.isVisible());
        assert.match(await overlay.textContent(), /GPU context was lost/);
        await t.page.evaluate(() => window.__lose.restoreContext());
        await waitFor('the notice to go', async () => !(await overlay.isVisible()));
        await frames(t.page, 3);
        assert.ok(countChromatic(await shot(t.page, canvasOf(t.page, 'aligned'))) > MIN_TRAJECTORY_PIXELS);
      },
    },
    {
      name: 'the UI thread keeps drawing while the worker trains (frame times, steps/s)',
      timeoutMs: 120_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(runsOf(helpers, MEDIUM), true));
        await waitFor('training', async () => ((await lastStatus(p.host))?.step ?? 0) >= 5, 40_000);
        const status0 = await lastStatus(p.host);
        // Orbit as a user dragging would, every rAF asking for a render, for 3 s and at least 10
        // frames: on a loaded machine frames come slowly, and how slowly is measured, not asserted.
        const raf = await p.page.evaluate(() => new Promise((resolve) => {
          const view = window.rnnlabPanel;
          const rendersBefore = view.diagnostics().frames.renders;
          const gaps = [];
          let last = performance.now();
          const t0 = last;
          const canvas = document.querySelector('figure.view canvas.view-canvas');
          const tick = (now) => {
            gaps.push(now - last);
            last = now;
            canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
            if (now - t0 < 3000 || gaps.length < 10) requestAnimationFrame(tick);
            else resolve({ gaps, rendersBefore, frames: view.diagnostics().frames, uiThreadHasTfjs: globalThis._tfengine !== undefined });
          };
          requestAnimationFrame(tick);
        }));
        const sorted = [...raf.gaps].sort((a, b) => a - b);
        const q = (f) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
        const status = await lastStatus(p.host);
        const rate = await p.page.locator('.rate').textContent();
        const ms = [...raf.frames.frameMs].sort((a, b) => a - b);
        timings.whileTraining = {
          spec: 'cycling N 64, batch 8, two variants',
          fps: +(1000 / (raf.gaps.reduce((a, b) => a + b, 0) / raf.gaps.length)).toFixed(1),
          rafGapP50Ms: +q(0.5).toFixed(1), rafGapP95Ms: +q(0.95).toFixed(1), rafGapMaxMs: +sorted.at(-1).toFixed(1),
          renderMsP50: +(ms[Math.floor(ms.length / 2)] ?? 0).toFixed(2), renderMsP95: +(ms[Math.floor(ms.length * 0.95)] ?? 0).toFixed(2),
          stepsPerSecondShown: rate, stepReached: status.step,
        };
        // The frame times above are a measurement (they follow the machine's load, so no bound on
        // them); what keeps the UI thread free is structural: tfjs (whose engine lives on
        // globalThis._tfengine) runs in the worker, never on the page, and the step count grows.
        assert.equal(raf.uiThreadHasTfjs, false, 'tfjs has an engine on the UI thread: training left the worker');
        assert.ok((await lastStatus(p.host)).step > status0.step, 'no step was trained while the view orbited');
        // Every tick orbits the camera, so (almost) every frame draws the linked views.
        const renders = raf.frames.renders - raf.rendersBefore;
        assert.ok(renders >= raf.gaps.length / 2, `${renders} view renders in ${raf.gaps.length} frames of orbiting`);
        const shown = Number(/^([\d.]+) steps\/s$/.exec(rate)?.[1]);
        assert.ok(shown > 0 && shown < 1000, `steps/s shown: ${rate}`);
        await p.page.screenshot({ path: shotFile('panel-training-medium.png'), fullPage: true });
        await p.host.send({ type: 'stop' });
        await finishedRuns(p.host, 1);
        await p.page.close();
      },
    },
    {
      name: 'the views sit side by side when wide and wrap when narrow',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(tinyRuns, false));
        const boxes = async () => Promise.all(['aligned', 'oblique'].map((v) => p.page.locator(`figure.view[data-variant="${v}"]`).boundingBox()));
        let [a, b] = await boxes();
        assert.ok(Math.abs(a.y - b.y) < 1 && b.x > a.x + a.width - 1, 'not side by side at 1400 px');
        await p.page.setViewportSize({ width: 420, height: 1000 });
        await frames(p.page, 2);
        [a, b] = await boxes();
        assert.ok(b.y >= a.y + a.height - 1, 'not stacked at 420 px');
        await p.host.send(train(tinyRuns));
        await finishedRuns(p.host, 2);
        await frames(p.page, 3);
        assert.ok(countChromatic(await shot(p.page, canvasOf(p.page, 'oblique'))) > MIN_TRAJECTORY_PIXELS / 2, 'the resized view did not draw');
        await p.page.screenshot({ path: shotFile('panel-narrow.png'), fullPage: true });
        await p.page.close();
      },
    },
    {
      name: 'Train asks the host; banners for spec changes; bad host messages are logged, not fatal',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const train = p.page.getByRole('button', { name: 'Train', exact: true });
        await train.focus();
        await p.page.keyboard.press('Enter');
        await waitFor('requestTrain', () => p.host.count('requestTrain'));
        await p.host.send({ type: 'specChanged', changed: true, valid: true });
        await frames(p.page);
        assert.equal(await p.page.locator('.banner.warn').textContent(), 'Spec changed — press Train to apply.');
        await p.host.send({ type: 'specChanged', changed: true, valid: false });
        await frames(p.page);
        assert.match(await p.page.locator('.banner.warn').textContent(), /has errors/);
        await p.host.send({ type: 'bogus' });
        await p.host.send({ ...init(tinyRuns, false), version: 99 });
        const logs = (await p.host.posted('log')).map((l) => l.message);
        assert.ok(logs.some((m) => /unknown message type "bogus"/.test(m)), logs.join('\n'));
        assert.ok(logs.some((m) => /protocol version 99/.test(m)), logs.join('\n'));
        await p.host.send({ type: 'storeFailed', runName: 'aligned-s0', message: 'disk full' });
        await frames(p.page);
        assert.equal(await p.page.locator('.banner.error').textContent(), 'Could not save aligned-s0: disk full');
        // Damaged data that the message checks let through, or that they catch: a sentence, never an uncaught error.
        const noReadouts = constructedView(0.5, 60);
        delete noReadouts.projection.pca.readouts;
        await p.host.send(stored({ run: tinyRuns[0], metrics: { rho: 0.5, stopped: false }, view: helpers.toEnvelope(noReadouts), losses: new Float32Array(20), folder: '/ws/x' }));
        await frames(p.page);
        assert.equal(await p.page.locator('.banner.error').textContent(), 'The stored run aligned-s0 cannot be shown: The view data is malformed: view.projection.pca.readouts is not a list.');
        await p.host.send({ type: 'train', runs: [{ ...tinyRuns[0], training: { ...tinyRuns[0].training, steps: -1 } }], session: SESSION, maxWorkers: 0 });
        await frames(p.page);
        assert.equal(await p.page.locator('.banner.error').textContent(), 'The panel ignored a message from the extension: train: runs[0].training.steps is not a whole number >= 0');
        assert.deepEqual(p.pageErrors, []);
        // A train the page could not store the results of (no session) is refused, not trained.
        await p.host.send({ type: 'train', runs: tinyRuns, maxWorkers: 0 });
        await p.host.send({ ...init(tinyRuns, true), session: undefined });
        const refused = (await p.host.posted('log')).map((l) => l.message);
        assert.ok(refused.some((m) => /train: session is not an object/.test(m)), refused.join('\n'));
        assert.ok(refused.some((m) => /init: session is not an object/.test(m)), refused.join('\n'));
        // The host's notices (a window reload): info as a note, error as an error, until the next Train.
        const reloaded = 'The window was reloaded: training stopped at aligned-s0 step 12; runs finished before are in /ws/x. Press Train to start again.';
        await p.host.send({ type: 'notice', level: 'info', message: reloaded });
        await frames(p.page);
        assert.equal(await p.page.locator('.banner.note').textContent(), reloaded);
        await p.host.send({ type: 'notice', level: 'error', message: 'The spec /ws/tiny.rnn.yaml no longer exists.' });
        await frames(p.page);
        assert.equal(await p.page.locator('.banner.error').textContent(), 'The spec /ws/tiny.rnn.yaml no longer exists.');
        await p.host.send(init(tinyRuns, false));
        await frames(p.page);
        assert.equal(await p.page.locator('.banner.note').isVisible(), false);
        assert.equal(await p.page.locator('.banner.error').isVisible(), false);
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'a stored-run page starts no worker (live pages do), and a train starts one on demand',
      fn: async () => {
        // A live page opened at the same time is the control: by its worker's start, a stored page would have one too.
        const live = await openPanel(context, baseUrl);
        const p = await openPanel(context, baseUrl, 'mode=stored');
        await waitFor('ready', () => p.host.count('ready'));
        await p.host.send(init([tinyRuns[0]], false));
        const losses = Float32Array.from({ length: 20 }, (_, i) => 0.5 * Math.exp(-i / 6));
        await p.host.send(stored({ run: tinyRuns[0], metrics: { rho: 0.5, eval_loss: 0.01, stopped: false }, view: helpers.toEnvelope(constructedView(0.5, 60)), losses, folder: '/ws/.rnnlab/runs/tiny-20260101-000000/aligned-s0' }));
        await waitFor('the live page to start its worker', async () => (await live.host.diagnostics()).backend, 40_000);
        assert.equal(live.workers.length, 1);
        await live.page.close();
        await new Promise((r) => setTimeout(r, 1000));
        await frames(p.page, 2);
        assert.equal(p.workers.length, 0, 'the stored-run page created a worker');
        assert.deepEqual(await workerFetches(p.page), [], 'the stored-run page fetched the worker bundle or wasm');
        const d = await p.host.diagnostics();
        assert.equal(d.state, 'idle');
        assert.equal(d.backend, undefined);
        // It trains nothing: no state badge, no Train, Pause or Stop, but the way to its spec.
        assert.equal(await p.page.locator('.state-badge').isVisible(), false);
        for (const name of ['Train', 'Pause training', 'Stop']) assert.equal(await p.page.getByRole('button', { name, exact: true }).isVisible(), false, `${name} is shown`);
        await p.page.getByRole('button', { name: 'Open spec' }).click();
        assert.deepEqual((await p.host.posted('openSpec')).map((m) => m.folder), ['/ws/.rnnlab/runs/tiny-20260101-000000/aligned-s0']);
        assert.equal(await p.page.locator('.mode-tag').textContent(), 'stored run');
        assert.deepEqual((await p.host.states()).at(-1), { version: PROTOCOL_VERSION, mode: 'stored', resource: 'file:///ws/.rnnlab/runs/tiny-20260101-000000/aligned-s0', prefs: DEFAULT_PREFS });
        // Trains on demand: the worker starts with the first run.
        await p.host.send(train(tinyRuns));
        const done = await finishedRuns(p.host, 2);
        assert.equal(p.workers.length, 1);
        assert.equal(helpers.fromEnvelope(done[0].result).backend, 'fused');
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'a run stopped by the next train reports under its own session; setState keeps what a reload needs',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const first = { id: 'first', dir: '/ws/.rnnlab/runs/tiny-20260101-000000' };
        const second = { id: 'second', dir: '/ws/.rnnlab/runs/tiny-20260101-000000-2' };
        await p.host.send(init(runsOf(helpers, LONG), true, first));
        await waitFor('10 steps', async () => ((await lastStatus(p.host))?.step ?? 0) >= 10, 40_000);
        const during = (await p.host.states()).at(-1);
        assert.deepEqual({ ...during, session: { ...during.session, training: during.session.training.map((t) => ({ ...t, step: 'n' })) } },
          { version: PROTOCOL_VERSION, mode: 'live', resource: 'file:///ws/tiny.rnn.yaml', prefs: DEFAULT_PREFS, session: { dir: first.dir, training: [{ runName: 'aligned-s0', step: 'n' }] } });
        assert.ok(during.session.training[0].step >= 1, JSON.stringify(during));
        await p.host.send(train(tinyRuns, second));
        const done = await finishedRuns(p.host, 3);
        assert.deepEqual(done.map((m) => [m.session, m.runName]), [['first', 'aligned-s0'], ['second', 'aligned-s0'], ['second', 'oblique-s0']]);
        assert.equal(helpers.fromEnvelope(done[0].result).stopped, true);
        // The page saves its state with each status it sends (StatusThrottle), so the idle one's is there already.
        await waitFor('idle', async () => (await lastStatus(p.host))?.state === 'idle');
        // Training over: the reload notice would name the folder, but no run in progress.
        assert.deepEqual((await p.host.states()).at(-1), { version: PROTOCOL_VERSION, mode: 'live', resource: 'file:///ws/tiny.rnn.yaml', prefs: DEFAULT_PREFS, session: { dir: second.dir } });
        await p.page.close();
      },
    },
    {
      name: 'when wasm cannot load, a fresh worker trains on cpu and the header says why',
      fn: async () => {
        const p = await openPanel(context, baseUrl, 'wasm=missing');
        const d = await waitFor('a backend', async () => ((await p.host.diagnostics()).backend ? p.host.diagnostics() : null), 40_000);
        assert.equal(d.backend, 'cpu');
        assert.match(await p.page.locator('.backend').textContent(), /backend: cpu — wasm failed \(could not fetch tfjs-backend-wasm[-a-z]*\.wasm: HTTP 404\); cpu is 20-30x slower/);
        assert.ok((await p.host.posted('log')).some((l) => l.level === 'warn' && /starting a fresh worker on cpu/.test(l.message)));
        await p.host.send(init(tinyRuns, true));
        const done = await finishedRuns(p.host, 2);
        assert.equal(helpers.fromEnvelope(done[0].result).backend, 'cpu');
        await p.page.close();
      },
    },
    {
      name: 'a page closed while its worker is still starting posts nothing afterwards and keeps no worker',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const before = await p.page.evaluate(() => {
          window.dispatchEvent(new Event('pagehide'));
          return window.__host.posted().length;
        });
        assert.equal((await p.host.diagnostics()).backend, undefined, 'the worker was ready before the page closed: nothing to test');
        // A page opened after it has its worker ready later than the closed page's would have been.
        const control = await openPanel(context, baseUrl);
        await waitFor('the control page to start its worker', async () => (await control.host.diagnostics()).backend, 40_000);
        await control.page.close();
        await waitFor('no worker left', () => p.page.workers().length === 0, 10_000);
        assert.deepEqual((await p.host.posted()).slice(before), [], 'the closed page posted to the host');
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'dispose terminates the worker and frees every geometry and texture (renderer.info)',
      fn: async () => {
        const t = await trainedPanel();
        const before = await t.host.diagnostics();
        assert.equal(before.gpu.length, 2);
        for (const g of before.gpu) assert.ok(g.memory.geometries > 0 && g.memory.textures > 0, `${g.variant}: ${JSON.stringify(g.memory)}`);
        assert.equal(t.page.workers().length, 1);
        const workerClosed = new Promise((resolve) => t.page.workers()[0].once('close', resolve));
        await t.page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
        const after = await t.host.diagnostics();
        assert.equal(after.disposed, true);
        assert.deepEqual(after.gpu, []);
        assert.deepEqual(after.retiredGpu.map((r) => r.variant).sort(), ['aligned', 'oblique']);
        for (const r of after.retiredGpu) assert.deepEqual({ geometries: r.memory.geometries, textures: r.memory.textures }, { geometries: 0, textures: 0 }, r.variant);
        await Promise.race([workerClosed, new Promise((_, rej) => setTimeout(() => rej(new Error('the worker is still running')), 5000))]);
        assert.equal(await t.page.locator('figure.view').count(), 0);
        await t.page.close();
        trained = undefined;
        saveJson(path.join(results, 'browser-timings.json'), timings);
        writeFileSync(path.join(results, 'browser-timings.txt'), `${JSON.stringify(timings)}\n`);
        console.log(`    timings: ${JSON.stringify(timings)}`);
      },
    },
  ];
}
