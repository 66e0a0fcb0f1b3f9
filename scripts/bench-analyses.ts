/**
 * What the analyses of docs/analyses.md cost, as multiples of a training step measured in
 * the same process (absolute times on a shared machine are noise; the ratios hold better):
 *
 *   node --import tsx scripts/bench-analyses.ts [--N 128,512] [--T 360] [--backend wasm]
 *
 * For each N: the median of 5 training steps (cycling, T grid points, batch 32, all weights
 * trained, as `rnnlab bench`), the perturbation experiment (§4.6, 4 x 20 x 10 groups of 32
 * trials), one dissimilarity pair (§4.7, t >= 10) and the recordings analysis of one
 * network's states (§4.9, with the 180 subsampling refits). Untrained random weights: the
 * cost does not depend on the weights.
 */
import { join } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../src/core/backend';
import { Adam } from '../src/core/adam';
import { Network, initWeights, initialStates } from '../src/core/model';
import { makeRng } from '../src/core/rng';
import { simulate } from '../src/core/simulate';
import { trainStep } from '../src/core/step';
import { generateBatch } from '../src/core/tasks/registry';
import type { CyclingParams } from '../src/core/types';
import { drain, perturbationExperiment } from '../src/core/analysis/perturbation';
import { centreColumns, shapeDistance } from '../src/core/analysis/dissimilarity';
import { analyseRecording } from '../src/core/recording/analyse';
import { networkRecording } from '../src/core/recording/export';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? dflt;
};

async function main() {
  setWasmPaths(join(__dirname, '../node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  const backend = await initBackend(arg('backend', 'wasm') as 'wasm');
  const T = Number(arg('T', '360'));
  const dt = 0.2;
  const B = 32;
  const task: CyclingParams = { kind: 'cycling', stim: 1, response: T * dt - 1, freq: 0.1, mask_step: 5 };
  console.log(`backend ${backend.name}; cycling, T = ${T}, batch ${B}`);
  console.log('N     train step   perturbation (x step)   dissimilarity pair (x step)   recording (x step)');
  for (const N of arg('N', '128,512').split(',').map(Number)) {
    const [net, net1] = [0, 1].map((seed) => new Network(initWeights({ N, g: 1.5, dt, output_scale: 'large', train: ['input', 'recurrent', 'output'], h0_std: 0 }, { dIn: 2, dOut: 2 }, makeRng(seed, 'weights')), ['input', 'recurrent', 'output']));
    if (!net || !net1) throw new Error('two networks');
    const adam = new Adam({ lr: 0.02 / N });
    const trials = makeRng(0, 'trials');
    const noise = makeRng(0, 'noise');
    const steps: number[] = [];
    for (let i = 0; i < 7; i++) {
      const batch = generateBatch(task, B, dt, trials);
      const x0 = initialStates(net.h0, B, 1, noise);
      const t0 = performance.now();
      trainStep(net, adam, dt, { batch, x0, noiseStd: Math.sqrt(dt) * 0.2, rng: noise }, 1, 0.02);
      if (i >= 2) steps.push(performance.now() - t0);
    }
    steps.sort((a, b) => a - b);
    const step = steps[Math.floor(steps.length / 2)] ?? Number.NaN;

    const evalBatch = generateBatch(task, B, dt, makeRng(1000, 'eval'), true);
    const x0 = initialStates(net.h0, B, 1, makeRng(1000, 'eval-x0'));
    const unperturbed = simulate(net, dt, evalBatch, { x0, noiseStd: 0, rng: null });
    let t0 = performance.now();
    const p = await drain(perturbationExperiment({ net, dt, task, batch: evalBatch, unperturbed, kPca: 50, seed: 1 }));
    const perturbation = performance.now() - t0;

    const other = simulate(net1, dt, evalBatch, { x0: initialStates(net1.h0, B, 0, null), noiseStd: 0, rng: null });
    const mine = simulate(net, dt, evalBatch, { x0: initialStates(net.h0, B, 0, null), noiseStd: 0, rng: null });
    const S = (T - 50) * B;
    t0 = performance.now();
    await shapeDistance(centreColumns(mine.states.subarray(50 * B * N), S, N), centreColumns(other.states.subarray(50 * B * N), S, N));
    const dissim = performance.now() - t0;

    const rec = networkRecording({ states: mine.states, outputs: mine.outputs, T, B, N, dOut: 2, kMin: 50, dt, wOut: new Float32Array(2 * N), condition: new Int32Array(B) });
    t0 = performance.now();
    await analyseRecording(rec.activity, rec.behaviour, B * rec.Tk, N, 2, { rng: makeRng(0, 'subsample') });
    const recording = performance.now() - t0;

    const x = (ms: number) => `${(ms / 1000).toFixed(1)} s (${Math.round(ms / step)})`;
    console.log(`${String(N).padEnd(5)} ${step.toFixed(0).padStart(7)} ms   ${x(perturbation).padEnd(22)}  ${x(dissim).padEnd(28)}  ${x(recording)}   [rel. susc. of a random net ${p.rel_susceptibility.toFixed(2)}]`);
    for (const n of [net, net1]) n.dispose();
    adam.dispose();
  }
}

void main();
