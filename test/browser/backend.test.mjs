// The training backends in the panel's real worker, in Chromium on SwiftShader (WebGL 2
// emulated on the CPU; this machine has no GPU): the hand-written BPTT on webgl against
// wasm, auto refusing a software renderer and saying why, and a lost WebGL context in
// the middle of a run.
import assert from 'node:assert/strict';
import { openPanel, runsOf, waitFor } from './harness.mjs';
import { PROTOCOL_VERSION } from '../../src/protocol/version.ts';

const spec = (backend, steps) => `
name: gpu
task: { kind: cycling, response: 5 }
network: { N: 12, train: [input, recurrent, output] }
training: { steps: ${steps}, batch: 4, lr0: 0.05${backend ? `, backend: ${backend}` : ''} }
evaluation: { batch: 4, every: 0, t_min: 1 }
view: { trials: 4 }
`;

const SESSION = { id: 'gpu-session', dir: '/ws/.rnnlab/runs/gpu-20260101-000000' };
const init = (runs) => ({ type: 'init', version: PROTOCOL_VERSION, specName: 'gpu', specFile: '/ws/gpu.rnn.yaml', runs, autoStart: true, session: SESSION, maxWorkers: 0 });

/** The page's training worker, once it has said ready. */
async function readyWorker(p) {
  await waitFor('the worker ready', async () => (await p.host.diagnostics()).backend, 40_000);
  assert.equal(p.workers.length, 1);
  return p.workers[0];
}

function relError(a, b) {
  let num = 0;
  let den = 0;
  a.forEach((x, i) => {
    num += (x - b[i]) ** 2;
    den += b[i] ** 2;
  });
  return Math.sqrt(num / den);
}

async function finished(host, timeoutMs) {
  return waitFor('runFinished', async () => {
    const failed = await host.posted('runFailed');
    if (failed.length) throw new Error(`run failed: ${failed[0].message}`);
    const done = await host.posted('runFinished');
    return done.length ? done : null;
  }, timeoutMs);
}

export function backendTests({ context, baseUrl, helpers }) {
  return [
    {
      name: 'the hand-written BPTT on webgl (SwiftShader, asked for by name) gives the wasm gradients',
      timeoutMs: 180_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const worker = await readyWorker(p);
        assert.equal(await worker.evaluate(() => self.rnnlabWorker.unavailable('webgl')), null, 'webgl asked for by name runs even on a software renderer');
        const shape = { N: 12, T: 20, B: 4 };
        const on = (backend) => worker.evaluate(([b, s]) => self.rnnlabWorker.gradients(b, s), [backend, shape]);
        const wasm = await on('wasm');
        const webgl = await on('webgl');
        assert.ok(Math.abs(webgl.loss - wasm.loss) / wasm.loss < 1e-5, `loss ${webgl.loss} vs ${wasm.loss}`);
        assert.deepEqual(Object.keys(webgl.grads).sort(), ['W', 'W_in', 'W_out']);
        for (const name of ['W', 'W_in', 'W_out']) {
          assert.equal(webgl.grads[name].length, wasm.grads[name].length);
          const err = relError(webgl.grads[name], wasm.grads[name]);
          // float32 on both, different summation order: about 1e-6; a wrong term is of order 1
          assert.ok(err < 1e-4, `${name}: relative difference ${err}`);
          assert.ok(wasm.grads[name].some((x) => x !== 0), `${name} is all zero`);
        }
        await p.page.close();
      },
    },
    {
      name: "the worker's bench times the real step on each backend, a software renderer included when named",
      timeoutMs: 120_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const worker = await readyWorker(p);
        const shape = { N: 16, T: 20, B: 4 };
        for (const backend of ['fused', 'wasm', 'webgl']) {
          const t = await worker.evaluate(([b, s]) => self.rnnlabWorker.bench(b, s, 0.2, 4), [backend, shape]);
          assert.ok(t.iters >= 3 && t.iters <= 4, `${backend}: ${t.iters} timed steps`);
          assert.ok(Number.isFinite(t.median) && t.median > 0 && t.min <= t.median, `${backend}: ${JSON.stringify(t)}`);
        }
        await assert.rejects(worker.evaluate(() => self.rnnlabWorker.bench('webgpu', { N: 16, T: 20, B: 4 }, 0.2, 4)), /webgpu cannot run here: no WebGPU/);
        await p.page.close();
      },
    },
    {
      name: 'auto on a software renderer trains on a CPU backend and says why (each candidate timed)',
      timeoutMs: 120_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await readyWorker(p);
        const ready = await p.page.locator('.backend').textContent();
        assert.match(ready, /backend: fused — auto: each run times its candidates \(fused, wasm\); not tried: .*webgl: software renderer .*SwiftShader.*, slower than the CPU backends/);
        await p.host.send(init(runsOf(helpers, spec(null, 6))));
        const [done] = await finished(p.host, 60_000);
        const result = helpers.fromEnvelope(done.result);
        assert.ok(['fused', 'wasm'].includes(result.backend), result.backend);
        const header = await p.page.locator('.backend').textContent();
        assert.match(header, new RegExp(`backend: ${result.backend} — auto: fastest per step at N 12, T \\d+, batch 4 \\(fused [\\d.]+ ms, wasm [\\d.]+ ms\\)`));
        assert.doesNotMatch(header, /webgl [\d.]+ ms/, 'the software renderer was not timed');
        await p.page.close();
      },
    },
    {
      name: 'runs on different backends: the header counts them (fused ×1, wasm ×1) and each run strip row names its own',
      timeoutMs: 180_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl, '', { threads: 4 });
        await waitFor('the worker ready', async () => (await p.host.diagnostics()).backend, 40_000);
        const two = `${spec(null, 100000)}variants:\n  - { name: f, training: { backend: fused } }\n  - { name: w, training: { backend: wasm } }\n`;
        await p.host.send(init(runsOf(helpers, two)));
        const header = await waitFor('both runs started', async () => {
          const text = await p.page.locator('.backend').textContent();
          return /fused ×1, wasm ×1/.test(text) ? text : null;
        }, 120_000);
        assert.match(header, /^backend: fused ×1, wasm ×1 — each run on its own backend, named in the run strip; (f|w)-s0: requested in the spec/);
        await waitFor('the run strip names each backend', async () => {
          const rows = await p.page.locator('.run-strip-row').allTextContents();
          return rows.some((r) => /^f-s0.*· fused/.test(r)) && rows.some((r) => /^w-s0.*· wasm/.test(r));
        }, 60_000);
        await p.page.getByRole('button', { name: 'Stop', exact: true }).click();
        await waitFor('both reported', async () => (await p.host.count('runFinished')) === 2, 60_000);
        await p.page.close();
      },
    },
    {
      name: 'a WebGL context lost mid-run: the run goes on from its last step on the next-best backend, and the panel says so',
      timeoutMs: 240_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        await readyWorker(p);
        const steps = 40;
        await p.host.send(init(runsOf(helpers, spec('webgl', steps))));
        await waitFor('a few steps on webgl', async () => ((await p.host.posted('status')).at(-1)?.step ?? 0) >= 4, 150_000);
        assert.equal((await p.host.diagnostics()).backend, 'webgl');
        // The page started a worker for the spec's choice (webgl); the one it booted with (auto) is gone.
        const worker = p.workers.at(-1);
        assert.equal(await worker.evaluate(() => self.rnnlabWorker.loseWebglContext()), true);
        const [done] = await finished(p.host, 150_000);
        const result = helpers.fromEnvelope(done.result);
        assert.equal(result.backend, 'fused', 'the next-best backend finished the run');
        assert.equal(result.losses.length, steps, 'no step lost or repeated');
        assert.ok(result.losses.every((l) => Number.isFinite(l) && l > 0), `losses ${Array.from(result.losses)}`);
        const note = await p.page.locator('.banner.note').textContent();
        assert.match(note, /the webgl context was lost \(WebGL context lost\); the run goes on from step \d+ on fused/);
        assert.ok((await p.host.posted('log')).some((l) => l.level === 'warn' && /context was lost/.test(l.message)));
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
  ];
}
