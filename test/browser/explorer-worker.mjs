// The perturbation explorer's worker in a real panel page: a Web Worker started from the
// worker bundle's blob (as the page starts every worker), the page's KickClient bundled
// from webview/panel/explorer/kick-client.ts, and a network to kick. Shared by the browser
// test (explorer.test.mjs) and scripts/measure-explorer.mjs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';

/**
 * The KickClient and a small driver as one script for page.evaluate: a string evaluated
 * through the debugging protocol, which the page's CSP (no eval) does not apply to.
 * The driver sits at window.__explorer: start(setup) once, then kick(request) and drag(...).
 */
export async function explorerDriver(repo) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-explorer-'));
  const out = path.join(dir, 'driver.js');
  await esbuild.build({
    stdin: { contents: DRIVER, resolveDir: repo, loader: 'ts' },
    bundle: true, platform: 'browser', format: 'iife', outfile: out, logLevel: 'warning',
  });
  const code = readFileSync(out, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return code;
}

const DRIVER = `
import { KickClient } from './webview/panel/explorer/kick-client';
import { fromEnvelope } from './src/core/pack';

const flat = (a) => (a ? Array.from(a) : null);
const plain = (answer) => ({
  request: answer.request, finalDistance: answer.finalDistance, ms: answer.ms,
  unperturbed: { pca: flat(answer.unperturbed.pca), readout: flat(answer.unperturbed.readout), outputs: flat(answer.unperturbed.outputs) },
  perturbed: { pca: flat(answer.perturbed.pca), readout: flat(answer.perturbed.readout), outputs: flat(answer.perturbed.outputs) },
});
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;

window.__explorer = {
  async start(setupB64) {
    const boot = JSON.parse(document.getElementById('rnnlab-boot').textContent);
    const text = await (await fetch(boot.assets.workerUrl)).text();
    const url = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
    const worker = new Worker(url, { name: 'rnnlab-explorer' });
    URL.revokeObjectURL(url);
    this.worker = worker;
    this.answers = [];
    this.failures = [];
    this.waiting = [];
    this.client = new KickClient({
      key: 'view',
      send: (m, t) => worker.postMessage(m, t),
      answered: (answer, latencyMs) => {
        this.answers.push({ answer, latencyMs, at: performance.now() });
        this.waiting.splice(0).forEach((w) => w());
      },
      failed: (message) => {
        this.failures.push(message);
        this.waiting.splice(0).forEach((w) => w());
      },
      now: () => performance.now(),
    });
    worker.onmessage = (e) => this.client.receive(e.data);
    const setup = fromEnvelope({ meta: setupB64.meta, buffer: bytes(setupB64.buffer) });
    this.client.setup(setup);
  },
  /** One kick, answered: the answer as plain arrays and its latency. */
  async kick(request) {
    const n = this.answers.length + this.failures.length;
    this.client.request(request);
    while (this.answers.length + this.failures.length === n) await new Promise((r) => this.waiting.push(r));
    if (this.failures.length) throw new Error(this.failures.at(-1));
    const last = this.answers.at(-1);
    return { answer: plain(last.answer), latencyMs: last.latencyMs };
  },
  /**
   * A drag: amplitudes one every intervalMs (a pointer at 60 Hz), then waits for the
   * answer to the last. Returns, per amplitude asked for, the time until the first answer
   * to it or to a later one (what the user waits for a picture at least that new).
   */
  async drag(base, amplitudes, intervalMs) {
    const asked = [];
    const first = this.answers.length;
    for (const amplitude of amplitudes) {
      asked.push({ amplitude, at: performance.now() });
      this.client.request({ ...base, amplitude });
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    const last = amplitudes.at(-1);
    while (this.answers.at(-1)?.answer.request.amplitude !== last || this.client.busy) await new Promise((r) => this.waiting.push(r));
    const got = this.answers.slice(first);
    const index = (a) => amplitudes.indexOf(a);
    return {
      latencies: asked.map((q, i) => {
        const answer = got.find((g) => g.at >= q.at && index(g.answer.request.amplitude) >= i);
        return answer ? answer.at - q.at : null;
      }),
      answered: got.length,
      workerMs: got.map((g) => g.answer.ms),
    };
  },
  stop() {
    this.client.forget();
    this.worker.terminate();
  },
};
`;

/** An ExplorerSetup of a random network (weights as initWeights draws them) on a task's evaluation batch, packed for the page. */
export async function randomSetup(repo, { N, kind = 'cycling', B = 8, g = 1.5 }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-explorer-'));
  const out = path.join(dir, 'setup.cjs');
  await esbuild.build({
    stdin: {
      contents: `
        export { loadSpec } from './src/spec/resolve';
        export { initWeights } from './src/core/model';
        export { makeRng } from './src/core/rng';
        export { generateBatch, taskDims } from './src/core/tasks/registry';
        export { toEnvelope } from './src/core/pack';`,
      resolveDir: repo, loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning',
  });
  const m = await import(out);
  rmSync(dir, { recursive: true, force: true });
  const run = m.loadSpec(`task: { kind: ${kind} }\nnetwork: { N: ${N}, g: ${g} }`, 'explorer.rnn.yaml').runs[0];
  const dt = run.network.dt;
  const batch = m.generateBatch(run.task, B, dt, m.makeRng(run.evaluation.seed, 'eval'), true);
  const w = m.initWeights(run.network, m.taskDims(run.task), m.makeRng(1, 'weights'));
  const axes = (offset) => {
    const a = new Float64Array(3 * N);
    for (let j = 0; j < 3; j++) a[j * N + j + offset] = 1;
    return a;
  };
  const x0 = new Float32Array(B * N);
  for (let b = 0; b < B; b++) x0.set(w.h0, b * N);
  const setup = {
    N, dIn: batch.dIn, dOut: batch.dOut, T: batch.T, B, dt,
    W: w.W, W_in: w.W_in, W_out: w.W_out, x0, inputs: batch.inputs,
    bases: { pca: axes(0), readout: axes(3) }, seed: run.evaluation.seed,
  };
  const env = m.toEnvelope(setup);
  return { T: batch.T, dOut: batch.dOut, dt, packed: { meta: env.meta, buffer: Buffer.from(env.buffer).toString('base64') } };
}
