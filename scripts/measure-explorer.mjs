#!/usr/bin/env node
// How live the perturbation explorer is (docs/science.md §4.6; issue: well under 100 ms
// from drag to picture at N = 128). Median of 20 for each:
//   1. in Node, one kicked trial in plain JavaScript (core/analysis/perturbation/kick.ts)
//      against the same trial through tfjs (core/simulate.ts, one dispatch per kernel and
//      step) on wasm and cpu: why the explorer steps in JavaScript;
//   2. in real Chromium, the panel's worker started from its blob: a kick's round trip
//      (request to decoded answer, the worker's own time apart), and a drag (an amplitude
//      every 16 ms, a pointer at 60 Hz; per amplitude the wait for an answer at least
//      that new).
//
//   node --import tsx scripts/measure-explorer.mjs [--N 128] [--task cycling] [--repeat 20]
//
// Timings are the machine's at the time: quote them with its load (printed), and measure
// on an idle machine for numbers to keep.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { launch, openPanel } from '../test/browser/harness.mjs';
import { startServer } from '../test/browser/server.mjs';
import { explorerDriver, randomSetup } from '../test/browser/explorer-worker.mjs';
import { loadSpec } from '../src/spec/resolve.ts';
import { initWeights, Network } from '../src/core/model.ts';
import { makeRng } from '../src/core/rng.ts';
import { generateBatch, taskDims } from '../src/core/tasks/registry.ts';
import { simulate } from '../src/core/simulate.ts';
import { KickableTrial, kickDirection, trialInputs } from '../src/core/analysis/perturbation/kick.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const N = Number(arg('N', '128'));
const kind = arg('task', 'cycling');
const repeat = Number(arg('repeat', '20'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(2)} ms`;
const timed = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

async function inNode() {
  const run = loadSpec(`task: { kind: ${kind} }\nnetwork: { N: ${N}, g: 1.5 }`, 'measure.rnn.yaml').runs[0];
  const dt = run.network.dt;
  const batch = generateBatch(run.task, 8, dt, makeRng(run.evaluation.seed, 'eval'), true);
  const w = initWeights(run.network, taskDims(run.task), makeRng(1, 'weights'));
  const inputs = trialInputs(batch.inputs, batch.T, batch.B, batch.dIn, 0);
  const net = { ...w, dt };
  const trial = new KickableTrial(net, inputs, batch.T, w.h0);
  const v = kickDirection('rand', { N, dIn: w.dIn, dOut: w.dOut, W_in: w.W_in, W_out: w.W_out, pcs: new Float64Array(0), seed: 1 });
  // the earliest kick of §4.6 (t_min = 5): the most steps left to simulate
  const step = Math.round(5 / dt);
  const steps = batch.T - step;
  for (let i = 0; i < 5; i++) trial.kick(step, v, 1);
  const js = median(Array.from({ length: repeat }, (_, i) => timed(() => trial.kick(step, v, i / 2))));
  const rest = { ...batch, B: 1, T: steps, inputs: inputs.slice(step * batch.dIn), targets: new Float32Array(steps * batch.dOut), mask: new Float32Array(steps * batch.dOut) };
  const x0 = trial.kick(step, v, 1).states.slice(0, N);
  const out = { T: batch.T, steps, js };
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    await tf.ready();
    const network = new Network(w, ['recurrent']);
    const once = () => simulate(network, dt, rest, { x0, noiseStd: 0, rng: null });
    for (let i = 0; i < 3; i++) once();
    out[backend] = median(Array.from({ length: repeat }, () => timed(once)));
    network.dispose();
  }
  return out;
}

async function inChromium() {
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--only', 'webview,worker'], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const [driver, setup] = await Promise.all([explorerDriver(repo), randomSetup(repo, { N, kind })]);
  const server = await startServer(repo);
  const browser = await launch();
  try {
    const p = await openPanel(browser.context, server.url);
    await p.page.evaluate(driver);
    await p.page.evaluate((s) => window.__explorer.start(s), setup.packed);
    const step = Math.round(5 / setup.dt);
    const base = { trial: 0, step, direction: 'rand' };
    for (let i = 0; i < 5; i++) await p.page.evaluate((r) => window.__explorer.kick(r), { ...base, amplitude: i });
    const round = [];
    const worker = [];
    for (let i = 0; i < repeat; i++) {
      const { answer, latencyMs } = await p.page.evaluate((r) => window.__explorer.kick(r), { ...base, amplitude: i / 2 });
      round.push(latencyMs);
      worker.push(answer.ms);
    }
    const amplitudes = Array.from({ length: repeat }, (_, i) => (10 * i) / (repeat - 1));
    const drag = await p.page.evaluate(([b, a]) => window.__explorer.drag(b, a, 16), [base, amplitudes]);
    await p.page.evaluate(() => window.__explorer.stop());
    return { round: median(round), worker: median(worker), drag: median(drag.latencies), dragMax: Math.max(...drag.latencies), answered: drag.answered, T: setup.T, steps: setup.T - step };
  } finally {
    await browser.close();
    await server.close();
  }
}

const node = await inNode();
const web = await inChromium();
console.log(`perturbation explorer, N = ${N}, ${kind} (T = ${node.T}; a kick at t = 5 simulates ${node.steps} steps); load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores; median of ${repeat}`);
console.log(`  Node, one kicked trial:  plain JS ${ms(node.js)}   tfjs wasm ${ms(node.wasm)} (${(node.wasm / node.js).toFixed(1)}x)   tfjs cpu ${ms(node.cpu)} (${(node.cpu / node.js).toFixed(1)}x)`);
console.log(`  Chromium worker:         kick round trip ${ms(web.round)} (worker ${ms(web.worker)})`);
console.log(`  drag at 60 Hz:           ${ms(web.drag)} from an amplitude to an answer at least that new (max ${ms(web.dragMax)}; ${web.answered} answers for ${repeat} amplitudes)`);
