// The dissimilarity heat map (docs/science.md §4.7, the paper's Fig 4) in the panel page:
// progress while the host computes, one cell per pair in variant-then-seed order, the
// means the fixture's numbers give, the metric toggle, the keyboard, the theme, export
// (PNG at 2x, SVG, CSV), a failure in words, and a message of another session ignored.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { countNear, decodePng } from './png.mjs';
import { frames, openPanel, runsOf, waitFor } from './harness.mjs';
import { SESSION, TINY, constructedView, init } from './fixtures.mjs';

const LOSSES = Float32Array.from({ length: 20 }, (_, i) => 0.5 * Math.exp(-i / 6) + 0.01);
const METRICS = { rho: 0.81, eval_loss: 0.012, learned: true, stopped: false };

const SEEDS = TINY.replace('variants:', 'seeds: 2\nvariants:');
/** The order the host may send (any), and the order the map must show (variant, then seed). */
const SENT = ['oblique-s1', 'aligned-s0', 'oblique-s0', 'aligned-s1'];
const SHOWN = ['aligned-s0', 'aligned-s1', 'oblique-s0', 'oblique-s1'];
/** Angular distances by pair, and Euclidean ones (another set, so the toggle shows). */
const ANG = { 'aligned-s0|aligned-s1': 0.31, 'oblique-s0|oblique-s1': 0.62, 'aligned-s0|oblique-s0': 0.9, 'aligned-s0|oblique-s1': 1.0, 'aligned-s1|oblique-s0': 1.1, 'aligned-s1|oblique-s1': 1.2 };
const EUC = Object.fromEntries(Object.entries(ANG).map(([k, v]) => [k, 10 * v + 1]));
const pair = (table, a, b) => (a === b ? 0 : (table[`${a}|${b}`] ?? table[`${b}|${a}`]));
const square = (table) => SENT.map((a) => SENT.map((b) => pair(table, a, b)));
/** Worked out by hand from ANG: within each variant one pair; between, the mean of four. */
const MEANS = { within: { aligned: 0.31, oblique: 0.62 }, between: { 'aligned|oblique': (0.9 + 1.0 + 1.1 + 1.2) / 4 } };
const EUC_MEANS = { within: { aligned: 4.1, oblique: 7.2 }, between: { 'aligned|oblique': (10 + 11 + 12 + 13) / 4 } };
const RESULT = {
  kind: 'dissimilarity', metric: 'angular_procrustes', runs: SENT, groups: SENT.map((n) => n.replace(/-s\d$/, '')),
  matrix: square(ANG), euclidean: square(EUC),
  within: { oblique: { mean: 0.62, sd: null, pairs: 1 }, aligned: { mean: 0.31, sd: null, pairs: 1 } },
  between: { 'oblique|aligned': { mean: 1.05, sd: 0.129, pairs: 4 } },
  incomparable: [],
};
const VIRIDIS_TOP = [253, 231, 37];

const card = (page) => page.locator('[data-card="dissimilarity"]');
const means = (page) => card(page).locator('text.mean').evaluateAll((els) => els.map((e) => ({ kind: e.dataset.kind, group: e.dataset.group, mean: Number(e.dataset.mean) })));

function assertMeans(shown, expected) {
  const want = [...Object.entries(expected.within).map(([group, mean]) => ({ kind: 'within', group, mean })), ...Object.entries(expected.between).map(([group, mean]) => ({ kind: 'between', group, mean }))];
  assert.equal(shown.length, want.length, JSON.stringify(shown));
  for (const w of want) {
    const s = shown.find((x) => x.kind === w.kind && x.group === w.group);
    assert.ok(s && Math.abs(s.mean - w.mean) < 1e-9, `${w.kind} ${w.group}: shown ${JSON.stringify(s)}, expected ${w.mean}`);
  }
}

export function dissimilarityTests({ context, baseUrl, helpers, results }) {
  const runs = runsOf(helpers, SEEDS);
  return [
    {
      name: 'dissimilarity heat map: progress, one cell per pair in variant-then-seed order, the means, the metric toggle, keyboard, theme and export',
      timeoutMs: 120_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(runs, false));
        await frames(p.page, 2);
        assert.equal(await card(p.page).isVisible(), false, 'a session without a dissimilarity shows no card');
        await p.host.send({ type: 'dissimilarity', state: 'computing', done: 2, total: 6 });
        await frames(p.page, 1);
        assert.match(await card(p.page).locator('.heatmap-status').textContent(), /2 of 6 pairs/);
        assert.equal(await card(p.page).locator('progress').evaluate((e) => e.value), 2);

        // the session's runs as a reloaded panel gets them: oblique-s1 has not learned
        const notLearned = { ...METRICS, learned: false, eval_loss: 0.3, learned_threshold: 0.05 };
        await p.host.send({ type: 'showRuns', purpose: 'restored', runs: runs.map((run) => ({ run, metrics: run.name === 'oblique-s1' ? notLearned : METRICS, view: helpers.toEnvelope(constructedView(0.9, 25)), losses: LOSSES, folder: `/ws/.rnnlab/runs/tiny-1/${run.name}` })) });
        await p.host.send({ type: 'dissimilarity', state: 'ready', result: RESULT, file: '/ws/.rnnlab/runs/tiny-1/dissimilarity.json' });
        await frames(p.page, 2);
        assert.equal(await card(p.page).locator('progress').isVisible(), false);
        const cells = card(p.page).locator('rect.cell');
        assert.equal(await cells.count(), 16, 'n x n cells for n = 4 runs');
        assert.equal(await card(p.page).locator('rect.cell[data-diagonal]').count(), 4);
        assert.deepEqual(await card(p.page).locator('text.row-label').allTextContents(), [...SHOWN.slice(0, 3), 'oblique-s1 †']);
        assert.match(await card(p.page).locator('text.row-label[data-learned="false"]').evaluate((e) => e.parentElement.querySelector('title').textContent), /^not learned: evaluation loss 0\.3/);
        assert.equal(await card(p.page).locator('text.not-learned-note').textContent(), '† not learned: its distances show no regime');
        assert.deepEqual(await card(p.page).locator('text.col-label').allTextContents(), ['s0', 's1', 's0', 's1']);
        assert.deepEqual(await card(p.page).locator('text.group-label').allTextContents(), ['aligned', 'oblique']);
        const valueAt = (i, j) => card(p.page).locator(`rect.cell[data-i="${i}"][data-j="${j}"]`).getAttribute('data-value');
        for (const [i, j] of [[0, 1], [1, 3], [3, 0], [2, 3]]) assert.equal(Number(await valueAt(i, j)), pair(ANG, SHOWN[i], SHOWN[j]), `cell ${i},${j}`);
        assertMeans(await means(p.page), MEANS);
        assert.match(await card(p.page).locator('.heatmap-note').textContent(), /tiny-1\/dissimilarity\.json/);
        await card(p.page).screenshot({ path: `${results}/panel-dissimilarity.png` });

        // keyboard: the map takes the focus; arrows move the focus cell and read it out
        await card(p.page).locator('.heatmap').focus();
        for (const k of ['ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowLeft']) await p.page.keyboard.press(k);
        assert.equal(await card(p.page).locator('.heatmap').getAttribute('data-focus'), '2,2');
        assert.match(await card(p.page).locator('.heatmap-readout').textContent(), /^oblique-s0: the same run/);
        await p.page.keyboard.press('ArrowUp');
        assert.equal(await card(p.page).locator('.heatmap').getAttribute('data-focus'), '1,2');
        assert.equal(await card(p.page).locator('.heatmap-readout').textContent(), 'aligned-s1 × oblique-s0: 1.1 rad');
        await p.page.keyboard.press('End');
        assert.equal(await card(p.page).locator('.heatmap-readout').textContent(), 'aligned-s1 × oblique-s1 (not learned): 1.2 rad');
        await p.page.keyboard.press('ArrowLeft');
        assert.equal(await card(p.page).locator('.heatmap-readout').getAttribute('aria-live'), 'polite');
        assert.ok(await card(p.page).locator('rect.focus-cell').isVisible(), 'the focus cell is drawn while the map has the focus');

        // Euclidean: the other matrix, and its own means
        await card(p.page).getByRole('button', { name: 'Show the Euclidean distance' }).click();
        await frames(p.page, 1);
        assert.equal(Number(await valueAt(0, 1)), pair(EUC, 'aligned-s0', 'aligned-s1'));
        assertMeans(await means(p.page), EUC_MEANS);
        await card(p.page).getByRole('button', { name: 'Show the angular distance' }).click();

        // the theme: labels follow it
        const fill = () => card(p.page).locator('text.row-label').first().getAttribute('fill');
        const dark = await fill();
        await p.host.setTheme('light');
        await waitFor('the map redrawn in the light theme', async () => (await fill()) !== dark);

        // export: the matrix as CSV, the figure as SVG and as a PNG at 2x with the colour scale in it
        await card(p.page).getByRole('button', { name: 'Copy the table as CSV' }).click();
        await card(p.page).getByRole('button', { name: 'Save as SVG' }).click();
        await card(p.page).getByRole('button', { name: 'Save as PNG' }).click();
        const [copy] = await waitFor('the CSV', async () => {
          const c = await p.host.posted('copyText');
          return c.length ? c : null;
        });
        const lines = copy.text.trim().split('\r\n');
        assert.equal(lines[0], `run,${SHOWN.join(',')}`);
        assert.equal(lines[2], 'aligned-s1,0.31,0,1.1,1.2');
        const saved = await waitFor('two saved files', async () => {
          const s = await p.host.posted('saveFile');
          return s.length >= 2 ? s : null;
        });
        const svg = Buffer.from(saved.find((m) => m.name.endsWith('.svg')).data).toString('utf8');
        const pngMsg = saved.find((m) => m.name.endsWith('.png'));
        writeFileSync(`${results}/panel-dissimilarity-export.png`, Buffer.from(pngMsg.data));
        assert.match(pngMsg.name, /^tiny-dissimilarity-angular\.png$/);
        assert.match(svg, /tiny: dissimilarity across runs, angular Procrustes distance \(rad\)/);
        const [, w, hgt] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
        const png = decodePng(Buffer.from(pngMsg.data));
        assert.deepEqual([png.width, png.height], [2 * Number(w), 2 * Number(hgt)], 'the PNG is the figure at 2x');
        // the largest distance's cell and the top of the colour bar are viridis' yellow
        assert.ok(countNear(png, VIRIDIS_TOP, 12) > 2 * 2 * 20 * 20, `too few pixels of the scale's top colour: ${countNear(png, VIRIDIS_TOP, 12)}`);
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'dissimilarity heat map: a failure in words, and a result of a session the page has left ignored',
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await p.host.send(init(runs, true));
        await p.host.send({ type: 'stop' });
        await p.host.send({ type: 'dissimilarity', state: 'failed', message: 'The dissimilarity could not be computed: no states.', session: SESSION.id });
        await frames(p.page, 1);
        assert.equal(await card(p.page).locator('.heatmap-status').textContent(), 'The dissimilarity could not be computed: no states.');
        assert.equal(await card(p.page).locator('rect.cell').count(), 0);
        assert.equal(await card(p.page).locator('.heatmap').isVisible(), false);
        await p.host.send({ type: 'dissimilarity', state: 'ready', result: RESULT, session: 'an-older-session' });
        await frames(p.page, 1);
        assert.equal(await card(p.page).locator('rect.cell').count(), 0, 'a result of another session was drawn');
        await p.host.send({ type: 'dissimilarity', state: 'ready', result: RESULT, session: SESSION.id });
        await frames(p.page, 1);
        assert.equal(await card(p.page).locator('rect.cell').count(), 16);
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
  ];
}
