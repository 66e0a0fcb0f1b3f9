// The compare panel's page (RNN Lab: Compare runs…): stored runs side by side, as the
// host's ComparePanel sends them. One column per run in the measures table, headed by the
// runs in order, the not-learned mark kept, copied by run; one 3D view per run with one
// camera pose; no worker, no final table; the compared folders kept for a window reload.
import assert from 'node:assert/strict';
import { countChromatic } from './png.mjs';
import { frames, openPanel, runsOf, shot } from './harness.mjs';
import { MIN_TRAJECTORY_PIXELS, TINY, canvasOf, constructedView, workerFetches } from './fixtures.mjs';
import { PROTOCOL_VERSION } from '../../src/protocol/version.ts';

const LOSSES = Float32Array.from({ length: 20 }, (_, i) => 0.5 * Math.exp(-i / 6) + 0.01);
const metrics = (rho, extra = {}) => ({ rho, rho_sqrtN: rho * 4, w_out_norm: 0.25, x_norm: 3.1, dx90: 3, dfit90: 2, noise_ratio: 0.42, eval_loss: 0.012, train_loss: 0.014, stopped: false, ...extra });
const FOLDERS = ['/ws/.rnnlab/runs/tiny-20260101-000000/oblique-s0', '/ws/.rnnlab/runs/tiny-20260101-000000/aligned-s0', '/ws/.rnnlab/runs/other-20260101-000000/aligned-s0'];
/** As the host names runs of several sessions (compareLabels), in the order picked: not sorted. */
const LABELS = ['tiny/oblique-s0', 'tiny/aligned-s0', 'other/aligned-s0'];
const RHOS = [0.11, 0.93, 0.5];

const compareInit = { type: 'init', version: PROTOCOL_VERSION, specName: 'comparison', specFile: '', runs: [], autoStart: false, maxWorkers: 0 };

export function compareTests({ context, baseUrl, helpers, results }) {
  const [aligned, oblique] = runsOf(helpers, TINY);
  const base = [oblique, aligned, aligned];
  const compared = () => ({
    type: 'showRuns',
    purpose: 'compare',
    runs: base.map((run, i) => ({
      run: { ...run, name: LABELS[i] },
      // the third run has not learned its task
      metrics: metrics(RHOS[i], i === 2 ? { learned: false, eval_loss: 0.3, learned_threshold: 0.05 } : { learned: true }),
      view: helpers.toEnvelope(constructedView(0.9 - 0.3 * i, 25 + 20 * i)),
      losses: LOSSES,
      folder: FOLDERS[i],
    })),
  });
  const openCompare = async () => {
    const p = await openPanel(context, baseUrl, `mode=compare&spec=comparison&folders=${FOLDERS.join(',')}`);
    await p.host.send(compareInit);
    await p.host.send(compared());
    await frames(p.page, 3);
    return p;
  };

  return [
    {
      name: 'the compare panel shows one column per run, headed by the runs in order, the not-learned mark kept, copied by run',
      fn: async () => {
        const p = await openCompare();
        const table = p.page.locator('.measures-table');
        assert.equal(await table.getAttribute('data-layout'), 'by-run');
        assert.equal(await p.page.locator('#measures-title').textContent(), 'Measures, one column per run');
        const heads = await table.locator('thead th[data-run]').evaluateAll((els) => els.map((e) => ({ run: e.dataset.run, text: e.textContent, learned: e.dataset.learned ?? null, title: e.title })));
        assert.deepEqual(heads.map((h) => h.run), LABELS);
        assert.deepEqual(heads.map((h) => h.text), ['tiny/oblique-s0', 'tiny/aligned-s0', 'other/aligned-s0 †']);
        assert.deepEqual(heads.map((h) => h.learned), [null, null, 'false']);
        assert.match(heads[2].title, /not learned: evaluation loss 0\.300 > 0\.05/);
        // Rows are the measures; each has one cell per run, in the columns' order.
        const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ row: tr.dataset.row, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })));
        assert.ok(rows.length >= 10, `${rows.length} rows`);
        for (const r of rows) assert.equal(r.cells.length, 3, `row ${r.row} has ${r.cells.length} cells`);
        assert.deepEqual(rows.find((r) => r.row === 'rho').cells, ['0.11', '0.93', '0.5']);
        assert.deepEqual(rows.find((r) => r.row === 'status').cells, ['done', 'done', 'done · not learned']);
        assert.deepEqual(rows.find((r) => r.row === 'step').cells, ['20', '20', '20']);
        for (const key of ['rho_sqrtN', 'noise_ratio', 'dx90', 'dfit90', 'rel_susceptibility', 'eval_loss']) assert.ok(rows.some((r) => r.row === key), `no ${key} row`);
        assert.equal(await table.locator('td[data-run="other/aligned-s0"][data-learned="false"]').count(), rows.length);
        // A comparison is no variant x seed grid: no final table.
        assert.equal(await p.page.locator('.final-card').isVisible(), false);
        await p.page.locator('.measures-card').getByRole('button', { name: 'Copy the table as CSV' }).click();
        const copied = (await p.host.posted('copyText')).at(-1);
        const lines = copied.text.trim().split('\r\n');
        assert.equal(lines[0], 'measure,tiny/oblique-s0,tiny/aligned-s0,other/aligned-s0');
        assert.ok(lines.includes('ρ,0.11,0.93,0.5'), lines.join('\n'));
        assert.ok(lines.includes('status,done,done,done (not learned)'), lines.join('\n'));
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'the compare panel draws one 3D view per run with one camera pose: orbiting one moves the others; it starts no worker',
      fn: async () => {
        const p = await openCompare();
        await p.page.setViewportSize({ width: 1000, height: 1400 });
        await frames(p.page, 3);
        await p.page.screenshot({ path: `${results}/compare-panel.png`, fullPage: true });
        const views = await p.page.locator('figure.view').evaluateAll((els) => els.map((e) => e.dataset.variant));
        assert.deepEqual(views, LABELS);
        for (const name of LABELS) assert.ok(countChromatic(await shot(p.page, canvasOf(p.page, name))) > MIN_TRAJECTORY_PIXELS, `${name} is not drawn`);
        const cams = async () => (await p.host.diagnostics()).cameras;
        const home = await cams();
        assert.equal(home.length, 3);
        for (const c of home) assert.deepEqual(c.position, home[0].position);
        await canvasOf(p.page, LABELS[2]).focus();
        for (const key of ['ArrowLeft', 'ArrowLeft', 'ArrowUp']) await p.page.keyboard.press(key);
        const moved = await cams();
        const orbited = moved.find((c) => c.variant === LABELS[2]).position;
        assert.ok(orbited.some((x, i) => Math.abs(x - home[2].position[i]) > 1e-3), `orbiting did not move ${LABELS[2]}`);
        for (const c of moved) c.position.forEach((x, i) => assert.ok(Math.abs(x - orbited[i]) < 1e-9, `${c.variant} at ${c.position}, the orbited view at ${orbited}`));
        // The basis is one choice for all views.
        await p.page.locator('.seg', { hasText: 'Readout + PCs' }).click();
        await frames(p.page, 2);
        assert.equal((await p.host.diagnostics()).prefs.basis, 'readout');
        // A comparison trains nothing: no worker, no Train button, and the header says what it is.
        assert.deepEqual(await workerFetches(p.page), []);
        assert.equal(p.workers.length, 0);
        assert.equal(await p.page.getByRole('button', { name: /^Train/ }).isVisible(), false);
        assert.equal(await p.page.locator('.mode-tag').textContent(), 'comparison');
        assert.equal(await p.page.locator('.state-badge').textContent(), 'idle');
        // What a window reload reopens: the compared folders, in order.
        const saved = (await p.host.states()).at(-1);
        assert.equal(saved.mode, 'compare');
        assert.deepEqual(saved.folders, FOLDERS);
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'the compare panel shows the dissimilarity heat map of the compared runs: one cell per pair, a pair evaluated on other trials crossed out',
      fn: async () => {
        const p = await openCompare();
        const card = p.page.locator('[data-card="dissimilarity"]');
        await p.host.send({ type: 'dissimilarity', state: 'computing', done: 1, total: 3 });
        await frames(p.page, 1);
        assert.match(await card.locator('.heatmap-status').textContent(), /1 of 3 pairs/);
        // As rnnlab compare --json gives it for these runs (the host's labels): the third was evaluated on other trials.
        const result = {
          kind: 'dissimilarity', metric: 'angular_procrustes', runs: LABELS, groups: ['tiny/oblique', 'tiny/aligned', 'other/aligned'],
          matrix: [[0, 0.8, null], [0.8, 0, null], [null, null, 0]], euclidean: [[0, 4, null], [4, 0, null], [null, null, 0]],
          within: {}, between: { 'tiny/oblique|tiny/aligned': { mean: 0.8, sd: null, pairs: 1 } },
          incomparable: [{ runs: [LABELS[0], LABELS[2]], reason: 'evaluated on other trials' }, { runs: [LABELS[1], LABELS[2]], reason: 'evaluated on other trials' }],
        };
        await p.host.send({ type: 'dissimilarity', state: 'ready', result });
        await frames(p.page, 2);
        assert.equal(await card.isVisible(), true);
        assert.equal(await card.locator('rect.cell').count(), 9, 'n x n cells for n = 3 runs');
        // the run that has not learned is marked there too
        assert.deepEqual((await card.locator('text.row-label').allTextContents()).sort(), [LABELS[0], LABELS[1], `${LABELS[2]} †`].sort());
        assert.match(await card.locator('.heatmap-note').textContent(), /2 pairs were not compared/);
        await card.screenshot({ path: `${results}/compare-dissimilarity.png` });
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
  ];
}
