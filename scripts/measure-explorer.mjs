#!/usr/bin/env node
// How live the perturbation explorer is (docs/science.md §4.6; issue: well under 100 ms
// from drag to picture at N = 128). Median of 20 for each:
//   1. in Node, one kicked trial in plain JavaScript (core/analysis/perturbation/kick.ts)
//      against the same trial through tfjs (core/simulate.ts, one dispatch per kernel and
//      step) on wasm and cpu: why the explorer steps in JavaScript;
//   2. in real Chromium, the panel's worker started from its blob: a kick's round trip
//      (request to decoded answer, the worker's own time apart), and a drag (an amplitude
//      every 16 ms, a pointer at 60 Hz; per amplitude the wait for an answer at least
//      that new);
//   3. in the panel itself, after training a spec at that N: drag to picture, from the
//      slider's input event to the first frame the 3D view draws with that kick (one
//      amplitude at a time, then a drag at 60 Hz); a screenshot of the view goes to
//      test-results/explorer-view.png.
//
//   4. in the panel, a drag with the mouse (real pointer events at about 60 Hz, as a hand
//      drags): drag to picture per move.
//
//   node --import tsx scripts/measure-explorer.mjs [--N 128] [--task cycling] [--repeat 20]
//   node --import tsx scripts/measure-explorer.mjs --compare <git revision> [--rounds 2]
//
// --compare measures only the panel (3 and 4), of this checkout and of the page built from
// <revision> (git archive into a temporary folder), taking turns in one browser, and prints
// the ratios: a change's effect measured under the same load.
//
// Timings are the machine's at the time: quote them with its load (printed), and measure
// on an idle machine for numbers to keep.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { launch, openPanel, runsOf, projectHelpers, waitFor } from '../test/browser/harness.mjs';
import { finishedRuns, init } from '../test/browser/fixtures.mjs';
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

/** The view's explorer in the panel: drag to picture. */
async function inPanel(context, serverUrl) {
  const helpers = await projectHelpers(repo);
  const spec = `name: measure\ntask: { kind: ${kind} }\nnetwork: { N: ${N} }\ntraining: { steps: 10, batch: 8 }\nevaluation: { batch: 8, every: 0 }\nview: { trials: 8 }\n`;
  const p = await openPanel(context, serverUrl);
  await p.host.send(init(runsOf(helpers, spec), true));
  await finishedRuns(p.host, 1, 600_000);
  const slider = p.page.getByRole('slider', { name: /Kick amplitude/ });
  await waitFor('the explorer enabled', async () => !(await slider.isDisabled()));
  const stats = async () => (await p.page.evaluate(() => window.rnnlabPanel.diagnostics())).explorers[0].stats;
  // one amplitude at a time, the picture of each before the next; all in the page, so
  // that no polling from here competes with it for the page's thread
  await slider.evaluate(async (el, n) => {
    const pictures = () => window.rnnlabPanel.diagnostics().explorers[0].stats.pictureMs.length;
    for (let i = 1; i <= n; i++) {
      const before = pictures();
      el.value = String(i * 5);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      while (pictures() === before) await new Promise((r) => setTimeout(r, 2));
    }
  }, repeat + 3);
  const single = (await stats()).pictureMs.slice(-repeat);
  const answers = (await stats()).answerMs.slice(-repeat);
  const frameMs = (await p.page.evaluate(() => window.rnnlabPanel.diagnostics())).frames.frameMs.slice(-repeat);
  // a drag at 60 Hz
  const before = (await stats()).pictureMs.length;
  await slider.evaluate(async (el, n) => {
    for (let i = 0; i < n; i++) {
      el.value = String(10 * i);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 16));
    }
  }, repeat);
  await waitFor('the last picture', async () => {
    const s = await stats();
    return s.drawn?.request.amplitude === ((repeat - 1) * 10) / 20 && s.pictureMs.length > before;
  }, 30_000, 100);
  const dragged = (await stats()).pictureMs.slice(before);
  // a drag with the mouse: real pointer events, one move about every 16 ms, from 0 to the end
  await slider.evaluate((el) => {
    el.value = '0';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await waitFor('amplitude 0 drawn', async () => (await stats()).drawn?.request.amplitude === 0, 30_000, 100);
  const box = await slider.boundingBox();
  const y = box.y + box.height / 2;
  const beforePointer = (await stats()).pictureMs.length;
  await p.page.mouse.move(box.x + 2, y);
  await p.page.mouse.down();
  for (let i = 1; i <= repeat; i++) {
    await p.page.mouse.move(box.x + 2 + ((box.width - 4) * i) / repeat, y);
    await new Promise((r) => setTimeout(r, 16));
  }
  await p.page.mouse.up();
  const end = Number(await slider.inputValue()) / 20;
  await waitFor('the last picture of the mouse drag', async () => (await stats()).drawn?.request.amplitude === end, 30_000, 100);
  const pointer = (await stats()).pictureMs.slice(beforePointer);
  // What any redraw of the view costs here, for comparison: a camera turn by keyboard, to
  // the frame after the one that drew it (the view renders in the first rAF after the key).
  const raf = await p.page.locator('canvas.view-canvas').first().evaluate(async (canvas, n) => {
    const out = [];
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    for (let i = 0; i < n; i++) {
      await frame();
      const t0 = performance.now();
      canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
      await frame();
      await frame();
      out.push(performance.now() - t0);
    }
    return out;
  }, repeat);
  await p.page.locator('figure.view').first().screenshot({ path: path.join(repo, 'test-results/explorer-view.png') });
  await p.page.close();
  return { raf: median(raf), answer: median(answers), frame: median(frameMs), single: median(single), singleMax: Math.max(...single), drag: median(dragged), dragMax: Math.max(...dragged), pictures: dragged.length, pointer: median(pointer), pointerMax: Math.max(...pointer), pointerPictures: pointer.length };
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
    await p.page.close();
    const panel = await inPanel(browser.context, server.url);
    return {
      panel, round: median(round), worker: median(worker), drag: median(drag.latencies), dragMax: Math.max(...drag.latencies), answered: drag.answered, T: setup.T, steps: setup.T - step };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The panel of this checkout and of `rev`'s, taking turns, `rounds` times each. */
async function compare(rev, rounds) {
  const before = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-measure-before-'));
  try {
    const archive = spawnSync('sh', ['-c', `git -C "${repo}" archive "${rev}" | tar -x -C "${before}"`], { stdio: 'inherit' });
    if (archive.status !== 0) throw new Error(`git archive ${rev} failed`);
    symlinkSync(path.join(repo, 'node_modules'), path.join(before, 'node_modules'));
    for (const dir of [before, repo]) {
      const build = spawnSync(process.execPath, ['esbuild.mjs', '--only', 'webview,worker'], { cwd: dir, stdio: 'inherit' });
      if (build.status !== 0) throw new Error(`the build in ${dir} failed`);
    }
    const servers = { before: await startServer(before), after: await startServer(repo) };
    const browser = await launch();
    const runs = { before: [], after: [] };
    try {
      for (let i = 0; i < rounds; i++) for (const k of ['before', 'after']) runs[k].push(await inPanel(browser.context, servers[k].url));
    } finally {
      await browser.close();
      await Promise.all(Object.values(servers).map((s) => s.close()));
    }
    return runs;
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
}

const rev = arg('compare', undefined);
if (rev) {
  const rounds = Number(arg('rounds', '2'));
  const runs = await compare(rev, rounds);
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const of = (k, key) => median(runs[k].map((r) => r[key]));
  console.log(`perturbation explorer in the panel, N = ${N}, ${kind}: ${rev} (before) against this checkout (after), ${rounds} turns each; load ${load} on ${os.cpus().length} cores; medians of ${repeat}`);
  for (const [key, what] of [['single', 'one amplitude at a time'], ['drag', 'input events at 60 Hz'], ['pointer', 'mouse drag (pointer events)'], ['raf', 'a camera turn (reference)']]) {
    const b = of('before', key);
    const a = of('after', key);
    console.log(`  ${what.padEnd(30)} before ${ms(b).padStart(10)}   after ${ms(a).padStart(10)}   after/before ${(a / b).toFixed(2)}`);
  }
  process.exit(0);
}

const node = await inNode();
const web = await inChromium();
console.log(`perturbation explorer, N = ${N}, ${kind} (T = ${node.T}; a kick at t = 5 simulates ${node.steps} steps); load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores; median of ${repeat}`);
console.log(`  Node, one kicked trial:  plain JS ${ms(node.js)}   tfjs wasm ${ms(node.wasm)} (${(node.wasm / node.js).toFixed(1)}x)   tfjs cpu ${ms(node.cpu)} (${(node.cpu / node.js).toFixed(1)}x)`);
console.log(`  Chromium worker:         kick round trip ${ms(web.round)} (worker ${ms(web.worker)})`);
console.log(`  panel, drag to picture:  ${ms(web.panel.single)} per amplitude (max ${ms(web.panel.singleMax)}; the answer after ${ms(web.panel.answer)}, a frame ${ms(web.panel.frame)}; a camera turn takes ${ms(web.panel.raf)} to be on screen here); dragging at 60 Hz ${ms(web.panel.drag)} (max ${ms(web.panel.dragMax)}, ${web.panel.pictures} pictures)`);
console.log(`  panel, mouse drag:       ${ms(web.panel.pointer)} per move to its picture (max ${ms(web.panel.pointerMax)}, ${web.panel.pointerPictures} pictures)`);
console.log(`  drag at 60 Hz:           ${ms(web.drag)} from an amplitude to an answer at least that new (max ${ms(web.dragMax)}; ${web.answered} answers for ${repeat} amplitudes)`);
