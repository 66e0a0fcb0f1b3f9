/**
 * The trained networks reproduce the paper's regimes (docs/science.md §6, quick demo):
 * cycling with a 31-unit response window, N = 128, W trained only, lr0 = 0.1, 500 steps,
 * batch 32, g = 1.5, sigma_noise 0.2, sigma_init 1, on the wasm backend and on the fused
 * kernel in Node, through the same train() the CLI and the panel use.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './helpers/tf';
import { loadKernel } from './helpers/kernel';
import { loadSpec } from '../../src/spec/resolve';
import { train, DivergenceError, type RunResult } from '../../src/core/train';
import { runMetrics, type RunMetrics } from '../../src/core/metrics';
import type { RunConfig } from '../../src/core/types';
import { dissimilarityMatrix, evaluationBatchKey } from '../../src/core/analysis/dissimilarity-matrix';
import { networkRecording } from '../../src/core/recording/export';
import { analyseRecording, type RecordingAnalysis } from '../../src/core/recording/analyse';
import { makeRng } from '../../src/core/rng';
import { at, defined } from '../../src/core/checked';

const QUICK_CYCLING = `
name: quick cycling
task: { kind: cycling, response: 31 }
network: { N: 128, g: 1.5, train: [recurrent] }
noise: { state: 0.2, initial: 1 }
training: { steps: 500, batch: 32, lr0: 0.1, backend: wasm }
evaluation: { every: 0 }
seeds: 2
variants:
  - { name: small, network: { output_scale: small } }
  - { name: large, network: { output_scale: large } }
`;

function runsOf(text: string): RunConfig[] {
  const loaded = loadSpec(text, 'science.rnn.yaml');
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
  return loaded.runs;
}

/** The measures these tests judge, checked to have been computed (the spec's analysis list can leave them out). */
type Measured = RunMetrics & { rho: number; rho_sqrtN: number; dx90: number; dfit90: number; noise_ratio: number };
function measured(m: RunMetrics): Measured {
  for (const k of ['rho', 'rho_sqrtN', 'dx90', 'dfit90', 'noise_ratio'] as const) assert.equal(typeof m[k], 'number', `${m.name}: ${k} was not computed`);
  return m as Measured;
}

/** Runs with the same resolved config are trained once per test file (the N = 128 runs are shared). */
const trained = new Map<string, Promise<Measured>>();
/** The noise-free evaluation states of each trained run, by name, for the dissimilarity. */
const statesByName = new Map<string, { states: Float32Array; outputs: Float32Array; dOut: number; T: number; B: number; N: number; kMin: number; batchKey: string }>();
function metricsOf(run: RunConfig): Promise<Measured> {
  const key = JSON.stringify(run);
  if (!trained.has(key)) {
    trained.set(key, trainToEnd(run).then((r) => {
      const tr = r.evaluation.trajectories;
      statesByName.set(run.name, { states: tr.states, outputs: tr.outputs, dOut: tr.dOut, T: tr.T, B: tr.B, N: tr.N, kMin: Math.round(run.evaluation.t_min / run.network.dt), batchKey: evaluationBatchKey(run) });
      return measured(runMetrics(r));
    }));
  }
  return defined(trained.get(key));
}

async function trainToEnd(run: RunConfig): Promise<RunResult> {
  const it = train(run);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

for (const backend of ['wasm', 'fused'] as const) {
describe(`science: the quick cycling demo reproduces the aligned and oblique regimes on ${backend} (docs/science.md §6)`, function () {
  this.timeout(600_000);
  const metrics: Measured[] = [];
  before(async () => {
    await useBackend('wasm');
    loadKernel();
    for (const run of runsOf(QUICK_CYCLING.replace('backend: wasm', `backend: ${backend}`))) {
      const m = await metricsOf(run);
      assert.equal(m.backend, backend);
      metrics.push(m);
    }
    // One line per run, so a failure below shows the numbers it judged.
    for (const m of metrics) {
      console.log(`      ${m.name}: rho ${m.rho.toFixed(3)}, rho*sqrtN ${m.rho_sqrtN.toFixed(2)}, noise ratio ${m.noise_ratio.toFixed(2)}, D_x ${m.dx90}, D_fit ${m.dfit90}, eval loss ${m.eval_loss.toFixed(4)}`);
    }
  });
  const of = (v: string) => metrics.filter((m) => m.variant === v);

  it('every seed: rho_small >= 4 rho_large', () => {
    for (let s = 0; s < 2; s++) {
      const small = at(of('small'), s), large = at(of('large'), s);
      assert.ok(small.rho >= 4 * large.rho, `seed ${s}: rho ${small.rho} vs ${large.rho}`);
    }
  });

  it('every seed: noise ratio > 1 with small output weights and < 1 with large ones', () => {
    for (const m of of('small')) assert.ok(m.noise_ratio > 1, `${m.name}: ${m.noise_ratio}`);
    for (const m of of('large')) assert.ok(m.noise_ratio < 1, `${m.name}: ${m.noise_ratio}`);
  });

  it('every run learned the task: noise-free evaluation loss <= 0.05 (and <= 0.03 as section 6 expects)', () => {
    for (const m of metrics) {
      assert.ok(m.eval_loss <= 0.05, `${m.name}: ${m.eval_loss}`);
      assert.ok(m.eval_loss <= 0.03, `${m.name}: ${m.eval_loss}`);
    }
  });

  it('means over seeds fall in the acceptance bands of section 6', () => {
    const rs = mean(of('small').map((m) => m.rho));
    const rl = mean(of('large').map((m) => m.rho));
    assert.ok(rs >= 0.55 && rs <= 0.75, `rho_small ${rs}`);
    assert.ok(rl >= 0.07 && rl <= 0.16, `rho_large ${rl}`);
    const rlSqrtN = mean(of('large').map((m) => m.rho_sqrtN));
    assert.ok(rlSqrtN >= 0.8 && rlSqrtN <= 2, `rho_large sqrt(N) ${rlSqrtN}`);
    assert.ok(mean(of('small').map((m) => m.noise_ratio)) > 5);
    assert.ok(mean(of('large').map((m) => m.noise_ratio)) < 0.8);
    for (const m of metrics) assert.ok(m.dx90 >= 3 && m.dx90 <= 5, `${m.name}: D_x90 ${m.dx90}`);
    assert.ok(mean(of('small').map((m) => m.dfit90)) <= mean(of('large').map((m) => m.dfit90)));
  });

  it('perturbations (§4.6): every run has a relative susceptibility, clearly lower with large output weights', () => {
    for (const m of metrics) {
      console.log(`      ${m.name}: rel. susceptibility ${m.rel_susceptibility?.toFixed(3)} (AUC w_out ${m.perturbation_auc_w_out?.toFixed(2)}, pc ${m.perturbation_auc_pc?.toFixed(2)}), ${m.perturbation_seconds?.toFixed(1)} s`);
      assert.equal(typeof m.rel_susceptibility, 'number', `${m.name}: ${m.perturbation_skipped}`);
    }
    const small = of('small').map((m) => defined(m.rel_susceptibility));
    const large = of('large').map((m) => defined(m.rel_susceptibility));
    for (let s = 0; s < 2; s++) assert.ok(at(large, s) < at(small, s), `seed ${s}: ${large[s]} vs ${small[s]}`);
    assert.ok(mean(large) < 0.75 * mean(small), `mean ${mean(large)} vs ${mean(small)}`);
  });

  it('dissimilarity across seeds (§4.7) is larger with large output weights', async () => {
    const runs = metrics.map((m) => ({ name: m.name, group: m.variant, ...defined(statesByName.get(m.name)) }));
    const d = await dissimilarityMatrix(runs);
    console.log(`      dissimilarity within small ${defined(d.within.small).mean.toFixed(3)}, within large ${defined(d.within.large).mean.toFixed(3)}, between ${defined(d.between['small|large']).mean.toFixed(3)} rad`);
    assert.equal(d.incomparable.length, 0, 'all runs of a spec share the evaluation trials');
    assert.ok(defined(d.within.large).mean > 1.2 * defined(d.within.small).mean, `${defined(d.within.large).mean} vs ${defined(d.within.small).mean}`);
  });

  it('recordings (§4.9): a network exported as a recording sits where its regime says (aligned: large rho, small relative fitting dimension)', async () => {
    const analysed = new Map<string, RecordingAnalysis>();
    for (const m of metrics) {
      const s = defined(statesByName.get(m.name));
      const { activity, behaviour, Tk } = networkRecording({ ...s, dt: 0.2, wOut: new Float32Array(s.dOut * s.N), condition: new Int32Array(s.B) });
      const r = await analyseRecording(activity, behaviour, s.B * Tk, s.N, s.dOut, { rng: makeRng(0, 'subsample'), draws: 5 });
      analysed.set(m.name, r);
      console.log(`      ${m.name} as a recording: rho ${r.rho.toFixed(3)}, rho*sqrtN ${r.rho_sqrtN.toFixed(2)}, D_var ${r.d_var}, D_fit ${r.d_fit}, rel. fitting dim ${r.rel_fit_dim?.toFixed(2)}, R^2 ${r.r2.toFixed(4)}, slope ${r.subsample_slope?.toFixed(2)}`);
    }
    for (let s = 0; s < 2; s++) {
      const a = defined(analysed.get(at(of('small'), s).name));
      const o = defined(analysed.get(at(of('large'), s).name));
      assert.ok(a.rho > 3 * o.rho, `seed ${s}: rho ${a.rho} vs ${o.rho}`);
      assert.ok(defined(a.rel_fit_dim) < defined(o.rel_fit_dim), `seed ${s}: relative fitting dimension ${a.rel_fit_dim} vs ${o.rel_fit_dim}`);
    }
  });

  it('output weights keep their order of magnitude: |w_out| ~ 1 (large) and ~ 1/sqrt(N) (small)', () => {
    for (const m of of('large')) assert.ok(m.w_out_norm > 0.8 && m.w_out_norm < 1.2, `${m.name}: ${m.w_out_norm}`);
    // W_out is not trained here, so it stays at its initial 1/sqrt(128) = 0.088
    for (const m of of('small')) assert.ok(m.w_out_norm > 0.06 && m.w_out_norm < 0.12, `${m.name}: ${m.w_out_norm}`);
  });
});
}

describe('science: the N sweep shows rho_aligned = O(1) and rho_oblique = O(1/sqrt N) (docs/science.md §6)', function () {
  this.timeout(600_000);
  const byN = new Map<number, { small: Measured; large: Measured }>();
  before(async () => {
    await useBackend('wasm');
    for (const N of [32, 64, 128]) {
      const pair = runsOf(QUICK_CYCLING.replace('N: 128', `N: ${N}`).replace('seeds: 2', 'seeds: 1'));
      const small = at(pair, 0);
      const large = at(pair, 1);
      byN.set(N, { small: await metricsOf(small), large: await metricsOf(large) });
      const r = defined(byN.get(N));
      console.log(`      N ${N}: rho_small ${r.small.rho.toFixed(3)}, rho_large ${r.large.rho.toFixed(3)}, rho_large*sqrtN ${r.large.rho_sqrtN.toFixed(2)}`);
    }
  });

  it('rho_small stays O(1) (0.55-0.75) at every N', () => {
    for (const [N, r] of byN) assert.ok(r.small.rho >= 0.55 && r.small.rho <= 0.75, `N ${N}: ${r.small.rho}`);
  });

  it('rho_large * sqrt(N) stays between 0.8 and 2 at every N, so rho_large falls like 1/sqrt(N)', () => {
    for (const [N, r] of byN) assert.ok(r.large.rho_sqrtN >= 0.8 && r.large.rho_sqrtN <= 2, `N ${N}: ${r.large.rho_sqrtN}`);
    const rl = [...byN.values()].map((r) => r.large.rho);
    assert.ok(at(rl, 0) > at(rl, 1) && at(rl, 1) > at(rl, 2), `rho_large ${rl.join(', ')}`);
  });

  it('the aligned/oblique ratio grows with N', () => {
    const ratio = [...byN.values()].map((r) => r.small.rho / r.large.rho);
    assert.ok(at(ratio, 0) < at(ratio, 1) && at(ratio, 1) < at(ratio, 2), `ratios ${ratio.map((x) => x.toFixed(2)).join(', ')}`);
  });
});

describe('training runs: reproducible, diverge loudly, leak nothing', () => {
  const TINY = `
task: { kind: flipflop, duration: 8, mask_step: 2 }
network: { N: 12, train: [input, recurrent, output] }
training: { steps: 5, batch: 4, lr0: 0.05 }
evaluation: { batch: 4, every: 2, t_min: 1 }
`;
  for (const backend of ['fused', 'wasm', 'cpu'] as const) {
    it(`${backend}: the same spec and seed give the same run, bit for bit`, async () => {
      loadKernel();
      const [tiny] = runsOf(TINY);
      const run = { ...defined(tiny), training: { ...defined(tiny).training, backend } };
      const a = await trainToEnd(run);
      assert.equal(a.backend, backend);
      const b = await trainToEnd(run);
      assert.deepEqual(Array.from(a.losses), Array.from(b.losses));
      assert.deepEqual(Array.from(a.final.W), Array.from(b.final.W));
      assert.deepEqual(Array.from(a.final.W_out), Array.from(b.final.W_out));
      assert.deepEqual(Array.from(a.evaluation.trajectories.states), Array.from(b.evaluation.trajectories.states));
      const other = await trainToEnd({ ...run, training: { ...run.training, seed: 1 } });
      assert.notDeepEqual(Array.from(other.losses), Array.from(a.losses));
    });
  }

  it('a run with a learning rate far too large stops with an error naming the step and a smaller lr0', async () => {
    await useBackend('wasm');
    const run = at(runsOf(TINY), 0);
    const before = tf.memory().numTensors;
    const wild = { ...run, training: { ...run.training, lr0: 1e7, steps: 50 } };
    let caught: unknown;
    const events: string[] = [];
    try {
      for await (const ev of train(wild)) events.push(ev.type);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof DivergenceError, `expected a DivergenceError, got ${String(caught)}`);
    assert.match((caught as Error).message, /Training diverged at step \d+: .* not finite\. Try a smaller learning rate, e\.g\. training\.lr0: /);
    assert.ok(!events.includes('done'), 'nothing is reported as a finished run');
    assert.equal(tf.memory().numTensors, before, 'the failed run freed its tensors');
  });

  it('a full run leaves no tensor behind, also when the consumer stops pulling early', async () => {
    await useBackend('wasm');
    const run = at(runsOf(TINY), 0);
    const before = tf.memory().numTensors;
    await trainToEnd(run);
    assert.equal(tf.memory().numTensors, before);
    const it = train(run);
    await it.next();
    await it.next();
    await it.return(undefined as never);
    assert.equal(tf.memory().numTensors, before);
  });
});
