// The perturbation explorer's worker in Chromium: the worker bundle, started from its blob
// by a panel page under the panel's CSP, answers kicks without starting a tfjs backend;
// amplitude 0 coincides with the unperturbed run and a positive amplitude leaves it; a
// fast drag is coalesced and ends on the last amplitude. Correctness only: the latency
// is measured by scripts/measure-explorer.mjs, never asserted.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPanel } from './harness.mjs';
import { explorerDriver, randomSetup } from './explorer-worker.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function explorerTests({ context, baseUrl }) {
  return [
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
