/**
 * The perturbation explorer's kicked trial (core/analysis/perturbation/kick.ts) against an
 * independent float64 loop (reference.ts, tanh written out), the tfjs simulation, and
 * closed forms: no recurrence (a kick decays as (1 - dt)^n), a kick the readout cannot
 * see (w_out^T W = 0 and v orthogonal to w_out leave z unchanged at every step), and
 * amplitude 0 (the unperturbed run, bit for bit).
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../helpers/tf';
import { refStates } from '../reference';
import { makeRng } from '../../../src/core/rng';
import { Network } from '../../../src/core/model';
import { simulate } from '../../../src/core/simulate';
import { forwardStep, RowStep, sigmoidBias, sigmoidBiasOf, stepWeights } from '../../../src/core/dynamics';
import { KickableTrial, kickDirection, projectStates, trialInputs, type KickNetwork } from '../../../src/core/analysis/perturbation/kick';
import type { TaskBatch } from '../../../src/core/types';
import { at } from '../../../src/core/checked';

const dt = 0.2;

function randomNet(N: number, dIn: number, dOut: number, seed: number, g = 1.2): KickNetwork {
  const rng = makeRng(seed, 'kick-test');
  const W = new Float32Array(N * N);
  rng.fillNormal(W, g / Math.sqrt(N));
  const W_in = new Float32Array(N * dIn);
  rng.fillNormal(W_in, 1);
  const W_out = new Float32Array(dOut * N);
  rng.fillNormal(W_out, 1 / Math.sqrt(N));
  return { N, dIn, dOut, dt, W, W_in, W_out };
}

/** Pulses and a constant, [T][dIn] for one trial. */
function inputsFor(T: number, dIn: number): Float32Array {
  const s = new Float32Array(T * dIn);
  for (let k = 0; k < T; k++) for (let j = 0; j < dIn; j++) s[k * dIn + j] = (k >= 3 + 4 * j && k < 6 + 4 * j ? 1 : 0) + 0.1 * j;
  return s;
}

/** The reference loop of one trial from x0 over `inputs` ([steps][dIn]): states [steps][N], float64. */
function reference(net: KickNetwork, inputs: Float32Array, steps: number, x0: ArrayLike<number>): Float64Array {
  const batch: TaskBatch = {
    B: 1, T: steps, dIn: net.dIn, dOut: net.dOut, inputs,
    targets: new Float32Array(steps * net.dOut), mask: new Float32Array(steps * net.dOut),
    condition: new Int32Array(1), conditionLabels: ['c'],
  };
  const w = { N: net.N, dIn: net.dIn, dOut: net.dOut, W: Float64Array.from(net.W), W_in: Float64Array.from(net.W_in), W_out: Float64Array.from(net.W_out) };
  return refStates(w, dt, batch, x0, []);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(at(a, i) - at(b, i)));
  return m;
}

function unitVector(N: number, seed: number, orthogonalTo?: ArrayLike<number>): Float64Array {
  const rng = makeRng(seed, 'kick-test-direction');
  const v = Float64Array.from({ length: N }, () => rng.normal());
  if (orthogonalTo) {
    let vw = 0;
    let ww = 0;
    for (let i = 0; i < N; i++) {
      vw += at(v, i) * at(orthogonalTo, i);
      ww += at(orthogonalTo, i) ** 2;
    }
    for (let i = 0; i < N; i++) v[i] = at(v, i) - (vw / ww) * at(orthogonalTo, i);
  }
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('perturbation explorer: a kicked trial (docs/science.md §4.6)', () => {
  const N = 12;
  const dIn = 2;
  const dOut = 2;
  const T = 60;
  const net = randomNet(N, dIn, dOut, 1);
  const inputs = inputsFor(T, dIn);
  const x0 = Float32Array.from({ length: N }, (_, i) => 0.3 * Math.sin(i));
  const trial = new KickableTrial(net, inputs, T, x0);

  it('the unperturbed run equals the plain float64 loop of x_{k+1} = (1 - dt) x_k + dt (W tanh x_k + W_in s_k)', () => {
    const ref = reference(net, inputs, T, x0);
    assert.ok(maxAbsDiff(trial.unperturbed.states, ref) < 2e-5, `max |diff| ${maxAbsDiff(trial.unperturbed.states, ref)}`);
    assert.equal(trial.unperturbed.from, 0);
    for (let k = 0; k < T; k++) {
      for (let o = 0; o < dOut; o++) {
        let z = 0;
        for (let i = 0; i < N; i++) z += at(net.W_out, o * N + i) * at(ref, k * N + i);
        assert.ok(Math.abs(at(trial.unperturbed.outputs, k * dOut + o) - z) < 2e-5, `z at k ${k}`);
      }
    }
  });

  it('a kick at k_p starts from x(k_p) + a sqrt(N) v and then follows the plain loop on the rest of the input', () => {
    const kp = 17;
    const a = 0.7;
    const v = unitVector(N, 2);
    const run = trial.kick(kp, v, a);
    assert.equal(run.from, kp);
    assert.equal(run.states.length, (T - kp) * N);
    assert.equal(run.outputs.length, (T - kp) * dOut);
    const kicked = Float64Array.from({ length: N }, (_, i) => at(trial.unperturbed.states, kp * N + i) + a * Math.sqrt(N) * at(v, i));
    assert.ok(maxAbsDiff(run.states.subarray(0, N), kicked) < 1e-6);
    const ref = reference(net, inputs.subarray(kp * dIn), T - kp, kicked);
    assert.ok(maxAbsDiff(run.states, ref) < 2e-5, `max |diff| ${maxAbsDiff(run.states, ref)}`);
    // and it is a real kick: far from the unperturbed run right after it
    assert.ok(maxAbsDiff(run.states.subarray(N, 2 * N), trial.unperturbed.states.subarray((kp + 1) * N, (kp + 2) * N)) > 0.5);
  });

  it('amplitude 0 reproduces the unperturbed run from k_p on, bit for bit', () => {
    for (const kp of [0, 1, 29, T - 1]) {
      const run = trial.kick(kp, unitVector(N, 3), 0);
      assert.deepEqual(run.states, trial.unperturbed.states.slice(kp * N));
      assert.deepEqual(run.outputs, trial.unperturbed.outputs.slice(kp * dOut));
    }
  });

  it('without recurrence a kick decays as (1 - dt)^n along its own direction', () => {
    const linear = { ...net, W: new Float32Array(N * N) };
    const t = new KickableTrial(linear, inputs, T, x0);
    const kp = 5;
    const a = 2;
    const v = unitVector(N, 4);
    const run = t.kick(kp, v, a);
    for (let n = 0; n < T - kp; n++) {
      const expected = a * Math.sqrt(N) * (1 - dt) ** n;
      for (let i = 0; i < N; i++) {
        const d = at(run.states, n * N + i) - at(t.unperturbed.states, (kp + n) * N + i);
        assert.ok(Math.abs(d - expected * at(v, i)) < 1e-5 * (1 + Math.abs(at(t.unperturbed.states, (kp + n) * N + i))), `n ${n} unit ${i}`);
      }
    }
  });

  it('a kick the readout cannot see (w_out^T W = 0, v orthogonal to w_out) moves the states but not z', () => {
    const base = randomNet(N, dIn, 1, 5, 1.5);
    const w = base.W_out;
    const ww = w.reduce((s, x) => s + x * x, 0);
    // W <- (I - w w^T / |w|^2) W: no recurrent input reaches the readout's direction
    const W = Float32Array.from(base.W);
    for (let j = 0; j < N; j++) {
      let c = 0;
      for (let i = 0; i < N; i++) c += at(w, i) * at(base.W, i * N + j);
      for (let i = 0; i < N; i++) W[i * N + j] = at(base.W, i * N + j) - (at(w, i) * c) / ww;
    }
    const blind = new KickableTrial({ ...base, W }, inputs, T, x0);
    const kp = 10;
    const run = blind.kick(kp, unitVector(N, 6, w), 3);
    const zBefore = blind.unperturbed.outputs.subarray(kp);
    assert.ok(maxAbsDiff(run.outputs, zBefore) < 1e-4, `max |dz| ${maxAbsDiff(run.outputs, zBefore)}`);
    assert.ok(maxAbsDiff(run.states, blind.unperturbed.states.subarray(kp * N)) > 1, 'the states moved');
    // along w_out itself the output jumps by a sqrt(N) |w_out| at once
    const along = blind.kick(kp, kickDirection('w_out', { N, dIn, dOut: 1, W_in: base.W_in, W_out: w, pcs: new Float64Array(0), seed: 1 }) ?? new Float64Array(N), 3);
    assert.ok(Math.abs(at(along.outputs, 0) - at(zBefore, 0) - 3 * Math.sqrt(N) * Math.sqrt(ww)) < 1e-4);
  });

  it('matches the tfjs simulation of the same kicked trial (simulate, wasm backend)', async () => {
    await useBackend('wasm');
    const kp = 20;
    const v = unitVector(N, 7);
    const run = trial.kick(kp, v, 1.5);
    const network = new Network({ N, dIn, dOut, W: net.W, W_in: net.W_in, W_out: net.W_out, h0: new Float32Array(N) }, ['recurrent']);
    try {
      const steps = T - kp;
      const batch: TaskBatch = {
        B: 1, T: steps, dIn, dOut, inputs: inputs.slice(kp * dIn),
        targets: new Float32Array(steps * dOut), mask: new Float32Array(steps * dOut), condition: new Int32Array(1), conditionLabels: ['c'],
      };
      const sim = simulate(network, dt, batch, { x0: run.states.slice(0, N), noiseStd: 0, rng: null });
      assert.ok(maxAbsDiff(run.states, sim.states) < 5e-5, `states ${maxAbsDiff(run.states, sim.states)}`);
      assert.ok(maxAbsDiff(run.outputs, sim.outputs) < 5e-5, `outputs ${maxAbsDiff(run.outputs, sim.outputs)}`);
    } finally {
      network.dispose();
    }
  });

  it('RowStep is forwardStep in plain JavaScript (several rows, cpu backend)', async () => {
    await useBackend('cpu');
    const rows = 3;
    const rng = makeRng(9, 'rowstep');
    const x = new Float32Array(rows * N);
    rng.fillNormal(x, 1);
    const c = new Float32Array(rows * N);
    rng.fillNormal(c, 0.1);
    const out = new Float32Array(rows * N);
    new RowStep(net.W, N, dt).step(x, c, out, rows);
    const W = tf.tensor2d(net.W, [N, N]);
    const w = stepWeights(W, dt);
    const { q, next } = forwardStep(tf.tensor2d(x, [rows, N]), tf.tensor2d(c, [rows, N]), w);
    const expected = next.dataSync();
    assert.ok(maxAbsDiff(out, expected) < 1e-5);
    for (const t of [q, next, W, w.Wfwd]) t.dispose();
    // and the Drive's bias from plain weights equals the backend's
    const Wt = tf.tensor2d(net.W, [N, N]);
    assert.ok(maxAbsDiff(sigmoidBiasOf(net.W, N, dt), sigmoidBias(Wt, dt)) < 1e-6);
    Wt.dispose();
  });

  it('refuses a step outside the trial, a direction of the wrong length and a non-finite amplitude', () => {
    assert.throws(() => trial.kick(T, unitVector(N, 1), 1), /step 60 is not a grid index/);
    assert.throws(() => trial.kick(-1, unitVector(N, 1), 1), /not a grid index/);
    assert.throws(() => trial.kick(0, new Float64Array(N + 1), 1), /expected N = 12/);
    assert.throws(() => trial.kick(0, unitVector(N, 1), Number.NaN), /not a finite number/);
    assert.throws(() => new KickableTrial(net, inputs.subarray(1), T, x0), /input values/);
  });
});

describe('perturbation explorer: directions and projection', () => {
  const N = 10;
  const net = randomNet(N, 3, 2, 11);
  const pcs = new Float64Array(3 * N);
  pcs[0] = 1;
  pcs[N + 1] = -1;
  pcs[2 * N + 2] = 1;
  const src = { N, dIn: 3, dOut: 2, W_in: net.W_in, W_out: net.W_out, pcs, seed: 4 };
  const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));

  it('w_out is the first readout row, w_in the first input column, PC1/PC2 the view axes, each of unit length', () => {
    const wOut = kickDirection('w_out', src);
    const n = norm(net.W_out.subarray(0, N));
    assert.ok(wOut && maxAbsDiff(wOut, Array.from(net.W_out.subarray(0, N), (x) => x / n)) < 1e-12);
    const second = kickDirection('w_out', src, 1);
    const n2 = norm(net.W_out.subarray(N, 2 * N));
    assert.ok(second && maxAbsDiff(second, Array.from(net.W_out.subarray(N, 2 * N), (x) => x / n2)) < 1e-12);
    const col = Array.from({ length: N }, (_, i) => at(net.W_in, i * 3));
    const wIn = kickDirection('w_in', src);
    assert.ok(wIn && maxAbsDiff(wIn, col.map((x) => x / norm(col))) < 1e-12);
    assert.deepEqual(kickDirection('pc1', src), pcs.slice(0, N));
    assert.deepEqual(kickDirection('pc2', src), pcs.slice(N, 2 * N));
    for (const kind of ['w_out', 'pc1', 'pc2', 'rand', 'w_in'] as const) assert.ok(Math.abs(norm(kickDirection(kind, src) ?? []) - 1) < 1e-12, kind);
  });

  it('the random direction is the same for the same seed and another for another seed', () => {
    assert.deepEqual(kickDirection('rand', src), kickDirection('rand', src));
    assert.notDeepEqual(kickDirection('rand', src), kickDirection('rand', { ...src, seed: 5 }));
  });

  it('no direction where the network has none: no input, a zero readout, no PC2', () => {
    assert.equal(kickDirection('w_in', { ...src, dIn: 0, W_in: new Float32Array(0) }), null);
    assert.equal(kickDirection('w_out', { ...src, W_out: new Float32Array(2 * N) }), null);
    assert.equal(kickDirection('pc2', { ...src, pcs: pcs.slice(0, N) }), null);
    assert.equal(kickDirection('w_out', src, 2), null);
  });

  it('projects states on the axes as dot products, and picks one trial out of a batch', () => {
    const states = Float32Array.from({ length: 2 * N }, (_, i) => i);
    assert.deepEqual(Array.from(projectStates(states, 2, N, pcs)), [0, -1, 2, 10, -11, 12]);
    const batch = Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => i); // T 4, B 3, dIn 2
    assert.deepEqual(Array.from(trialInputs(batch, 4, 3, 2, 1)), [2, 3, 8, 9, 14, 15, 20, 21]);
    assert.throws(() => trialInputs(batch, 4, 3, 2, 3), /no trial 3/);
  });
});
