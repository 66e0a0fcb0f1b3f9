/**
 * Perturbation susceptibility (docs/science.md §4.6): the protocol of each task, the batched
 * engine against a plain loop of single perturbed simulations, and closed forms.
 */
import * as assert from 'node:assert/strict';
import { useBackend } from '../helpers/tf';
import { loadSpec } from '../../../src/spec/resolve';
import { Network, initWeights, initialStates, type WeightArrays } from '../../../src/core/model';
import { makeRng } from '../../../src/core/rng';
import { simulate } from '../../../src/core/simulate';
import { evaluationLoss } from '../../../src/core/loss';
import { generateBatch, taskDims } from '../../../src/core/tasks/registry';
import type { RunConfig, TaskBatch } from '../../../src/core/types';
import { perturbationProtocol, ProtocolError } from '../../../src/core/analysis/perturbation/protocol';
import { directionBases, drawDirections } from '../../../src/core/analysis/perturbation/directions';
import { perturbedErrors, drain } from '../../../src/core/analysis/perturbation/engine';
import { perturbationExperiment, directionStream } from '../../../src/core/analysis/perturbation';
import { computeGram } from '../../../src/core/analysis/gram';
import { topEigen } from '../../../src/core/analysis/topeigen';
import { at, defined } from '../../../src/core/checked';

function runOf(yaml: string): RunConfig {
  const loaded = loadSpec(yaml, 'p.rnn.yaml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return at(loaded.runs, 0);
}

function evalBatch(run: RunConfig, B = run.evaluation.batch): TaskBatch {
  return generateBatch(run.task, B, run.network.dt, makeRng(run.evaluation.seed, 'eval'), true);
}

describe('perturbation protocol (docs/science.md §4.6)', () => {
  const dt = 0.2;

  it('cycling: times 5..14 every unit, loss from t = 20 on, A_max 10', () => {
    const run = runOf('task: { kind: cycling }');
    const batch = evalBatch(run);
    const p = perturbationProtocol(run.task, batch, dt);
    assert.deepEqual(p.steps, [25, 30, 35, 40, 45, 50, 55, 60, 65, 70]);
    assert.equal(p.aMax, 10);
    assert.equal(p.lossFrom, 100);
    const per = batch.B * batch.dOut;
    for (let k = 0; k < batch.T; k++) {
      for (let i = 0; i < per; i++) assert.equal(p.mask[k * per + i], k >= 100 ? batch.mask[k * per + i] : 0, `k ${k}`);
    }
    assert.deepEqual(p.targets, batch.targets);
  });

  it('flip-flop and complex sine: windows of 5 and 20 units, loss from t_max + 5', () => {
    const ff = runOf('task: { kind: flipflop }');
    const pf = perturbationProtocol(ff.task, evalBatch(ff), dt);
    assert.deepEqual(pf.steps, [25, 27, 30, 32, 35, 37, 40, 42, 45, 47]);
    assert.ok(pf.lossFrom >= 75);
    const cs = runOf('task: { kind: complex_sine }');
    const pc = perturbationProtocol(cs.task, evalBatch(cs), dt);
    assert.deepEqual(pc.steps, [25, 35, 45, 55, 65, 75, 85, 95, 105, 115]);
    assert.equal(pc.lossFrom, 150);
  });

  it('Mante: fixation dropped, scored from the first nonzero target (t = 28), times from 10 to 23', () => {
    const run = runOf('task: { kind: mante }');
    const batch = evalBatch(run);
    const p = perturbationProtocol(run.task, batch, dt);
    assert.equal(p.lossFrom, 140);
    // t_p = 10 + dt floor(i (23 - 10) / (10 dt)): floor(6.5 i) steps after k = 50
    assert.deepEqual(p.steps, [50, 56, 63, 69, 76, 82, 89, 95, 102, 108]);
    const per = batch.B * batch.dOut;
    for (let k = 0; k < 140; k++) for (let i = 0; i < per; i++) assert.equal(p.mask[k * per + i], 0);
    let kept = 0;
    for (let k = 140; k < batch.T; k++) for (let i = 0; i < per; i++) kept += at(p.mask, k * per + i) === batch.mask[k * per + i] ? 1 : 0;
    assert.equal(kept, (batch.T - 140) * per);
  });

  it('Romo: every trial scored on the latest decision window with its own target; A_max 5', () => {
    const run = runOf('task: { kind: romo }');
    const batch = evalBatch(run);
    const p = perturbationProtocol(run.task, batch, dt);
    const { B, T } = batch;
    assert.equal(p.aMax, 5);
    // the latest first scored point over trials
    let latest = 0;
    for (let b = 0; b < B; b++) {
      let k = 0;
      while (batch.mask[k * B + b] === 0) k++;
      latest = Math.max(latest, k);
    }
    assert.equal(p.lossFrom, latest);
    assert.equal(p.steps[0], 5);
    assert.equal(p.steps[9], 5 + Math.floor(((latest - 25 - 5) * 9) / 10));
    for (let b = 0; b < B; b++) {
      let own = 0;
      for (let k = 0; k < T; k++) if (batch.mask[k * B + b] !== 0) own = at(batch.targets, k * B + b);
      for (let k = 0; k < T; k++) {
        const m = at(p.mask, k * B + b);
        assert.equal(m !== 0, k >= latest && k < latest + 40 && k % 5 === 0, `trial ${b} k ${k}`);
        if (m !== 0) assert.equal(p.targets[k * B + b], own);
      }
    }
  });

  it('a trial too short for the scored window is refused with the reason', () => {
    const run = runOf('task: { kind: cycling, response: 15 }');
    assert.throws(() => perturbationProtocol(run.task, evalBatch(run), dt), (e: Error) => e instanceof ProtocolError && /no scored point from t = 20/.test(e.message));
  });
});

describe('perturbation directions', () => {
  it('trial 0 is exactly w_out,1 / PC1 / the first W_in column; the rest are unit vectors in the span', () => {
    const N = 12;
    const r = makeRng(3, 'test');
    const wOut = new Float32Array(2 * N);
    r.fillNormal(wOut);
    const wIn = new Float32Array(N * 3);
    r.fillNormal(wIn);
    const pc1 = new Float64Array(N).fill(0);
    pc1[0] = 1;
    const pc2 = new Float64Array(N).fill(0);
    pc2[1] = 1;
    const bases = directionBases(N, wOut, 2, wIn, 3, [pc1, pc2]);
    assert.deepEqual(bases.map((b) => b.family), ['w_out', 'pc', 'rand', 'w_in']);
    const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
    for (const b of bases) {
      const v = drawDirections(b, 5, N, makeRng(1, b.family));
      for (let t = 0; t < 5; t++) assert.ok(Math.abs(norm(v.subarray(t * N, (t + 1) * N)) - 1) < 1e-6);
      const first = v.subarray(0, N);
      if (b.family === 'w_out') {
        const w1 = wOut.subarray(0, N);
        for (let i = 0; i < N; i++) assert.ok(Math.abs(at(first, i) - at(w1, i) / norm(w1)) < 1e-6);
      }
      if (b.family === 'pc') {
        for (let t = 0; t < 5; t++) for (let i = 2; i < N; i++) assert.equal(v[t * N + i], 0);
        assert.equal(first[0], 1);
      }
      if (b.family === 'w_in') {
        const col = Array.from({ length: N }, (_, i) => at(wIn, i * 3));
        for (let i = 0; i < N; i++) assert.ok(Math.abs(at(first, i) - at(col, i) / norm(col)) < 1e-6);
      }
      if (b.family === 'w_out' || b.family === 'w_in') {
        // inside the span: the residual after projecting on the basis is zero
        for (let t = 1; t < 5; t++) {
          const x = Float64Array.from(v.subarray(t * N, (t + 1) * N));
          for (const q of b.basis) {
            const c = q.reduce((s, qi, i) => s + qi * at(x, i), 0);
            for (let i = 0; i < N; i++) x[i] = at(x, i) - c * at(q, i);
          }
          assert.ok(norm(x) < 1e-5, `${b.family} trial ${t} leaves the span by ${norm(x)}`);
        }
      }
    }
    assert.deepEqual(directionBases(N, wOut, 2, new Float32Array(0), 0, [pc1]).map((b) => b.family), ['w_out', 'pc', 'rand']);
  });
});

for (const backend of ['cpu', 'wasm'] as const) describe(`perturbation engine (${backend})`, function () {
  this.timeout(120_000);
  before(() => useBackend(backend));

  /** A small trained-looking network: random weights of the spec's scale. */
  function setup(yaml: string, B: number) {
    const run = runOf(yaml);
    const dims = taskDims(run.task);
    const weights = initWeights(run.network, dims, makeRng(run.training.seed, 'weights'));
    const batch = evalBatch(run, B);
    return { run, weights, batch };
  }

  it('equals a plain loop of single perturbed simulations, for every direction, amplitude and time', async () => {
    const { run, weights, batch } = setup('task: { kind: cycling, response: 23 }\nnetwork: { N: 10, output_scale: large }', 4);
    const net = new Network(weights, run.network.train);
    try {
      const dt = run.network.dt;
      const x0 = initialStates(net.h0, batch.B, 1, makeRng(5, 'x0'));
      const unperturbed = simulate(net, dt, batch, { x0, noiseStd: 0, rng: null });
      // maxRows 12: three groups of 4 trials per chunk, so chunks hold groups of different times
      const res = await drain(perturbationExperiment({ net, dt, task: run.task, batch, unperturbed, kPca: 50, seed: 9, engine: { maxRows: 12 } }));
      assert.deepEqual(res.directions, ['w_out', 'pc', 'rand', 'w_in']);
      assert.equal(res.amplitudes.length, 21);
      assert.ok(Math.abs(at(res.amplitudes, 20) - 10 * Math.sqrt(10)) < 1e-9);

      // The reference: for each (d, a, p), simulate() from the perturbed state with the rest of the batch.
      const protocol = perturbationProtocol(run.task, batch, dt);
      const scoredBatch: TaskBatch = { ...batch, mask: protocol.mask, targets: protocol.targets };
      const gram = await computeGram(unperturbed.states.subarray(50 * batch.B * 10), (batch.T - 50) * batch.B, 10);
      const top = topEigen(gram.centred, 10, 2);
      const pcs = [0, 1].map((j) => top.vectors.subarray(j * 10, (j + 1) * 10));
      const bases = directionBases(10, weights.W_out, weights.dOut, weights.W_in, weights.dIn, pcs);
      const { B, T, dIn, dOut } = batch;
      const N = 10;
      const A = 21, P = 10;
      let checked = 0;
      for (let d = 0; d < bases.length; d++) {
        for (const a of [0, 1, 7, 20]) {
          for (let p = 0; p < P; p++) {
            const kp = at(protocol.steps, p);
            const outputs = unperturbed.outputs.slice();
            if (a > 0) {
              const v = drawDirections(at(bases, d), B, N, makeRng(9, directionStream(at(bases, d).family, a, p)));
              const start = new Float32Array(B * N);
              for (let i = 0; i < B * N; i++) start[i] = at(unperturbed.states, kp * B * N + i) + at(res.amplitudes, a) * at(v, i);
              const rest: TaskBatch = {
                ...batch,
                T: T - kp,
                inputs: batch.inputs.slice(kp * B * dIn),
                targets: batch.targets.slice(kp * B * dOut),
                mask: batch.mask.slice(kp * B * dOut),
              };
              const tail = simulate(net, dt, rest, { x0: start, noiseStd: 0, rng: null });
              outputs.set(tail.outputs, kp * B * dOut);
            }
            const expected = evaluationLoss(scoredBatch, outputs);
            const got = at(res.loss, (d * A + a) * P + p);
            assert.ok(Math.abs(got - expected) <= 1e-4 * Math.max(1, expected), `${at(bases, d).family} a=${a} p=${p}: ${got} vs ${expected}`);
            checked++;
          }
        }
      }
      assert.equal(checked, 4 * 4 * 10);
      // the summary follows from the array
      const auc = (d: number) => {
        let s = 0;
        for (let a = 0; a < A; a++) {
          let m = 0;
          for (let p = 0; p < P; p++) m += at(res.loss, (d * A + a) * P + p);
          s += m / P;
        }
        return s;
      };
      assert.ok(Math.abs(defined(res.auc.w_out) - auc(0)) < 1e-9);
      assert.ok(Math.abs(res.rel_susceptibility - auc(0) / auc(1)) < 1e-9);
    } finally {
      net.dispose();
    }
  });

  it('without recurrence (W = 0): a kick the readout ignores changes nothing; one along w_out decays as (1 - dt)^j', async () => {
    const { run, weights, batch } = setup('task: { kind: cycling, response: 23 }\nnetwork: { N: 8, output_scale: large }', 2);
    const zero: WeightArrays = { ...weights, W: new Float32Array(8 * 8) };
    const net = new Network(zero, run.network.train);
    try {
      const dt = run.network.dt;
      const { B, T, dOut } = batch;
      const N = 8;
      const x0 = initialStates(net.h0, B, 1, makeRng(2, 'x0'));
      const pre = simulate(net, dt, batch, { x0, noiseStd: 0, rng: null });
      // scored on the task's own mask (from t = 1), so the decaying kick is still visible
      const protocol = { mask: batch.mask, targets: batch.targets, lossTo: T - 1 };
      // a unit vector orthogonal to both rows of W_out
      const basis = at(directionBases(N, zero.W_out, dOut, zero.W_in, zero.dIn, []), 0).basis;
      const u = Float64Array.from({ length: N }, (_, i) => (i % 3) - 1);
      for (const q of basis) {
        const c = q.reduce((s, qi, i) => s + qi * at(u, i), 0);
        for (let i = 0; i < N; i++) u[i] = at(u, i) - c * at(q, i);
      }
      const un = Math.hypot(...u);
      const ortho = Float32Array.from({ length: B * N }, (_, i) => at(u, i % N) / un);
      const w1 = zero.W_out.subarray(0, N);
      const w1n = Math.hypot(...w1);
      const along = Float32Array.from({ length: B * N }, (_, i) => at(w1, i % N) / w1n);
      const kp = 40;
      const amp = 5;
      const errs = await drain(perturbedErrors(net, dt, B, batch.inputs, pre.states, [
        { step: kp, amplitude: amp, directions: () => ortho },
        { step: kp, amplitude: amp, directions: () => along },
      ], { mask: protocol.mask, targets: protocol.targets, lastStep: protocol.lossTo }));
      // closed forms from the unperturbed outputs
      let base = 0;
      let kicked = 0;
      const w2 = zero.W_out.subarray(N, 2 * N);
      const proj2 = w2.reduce((s, x, i) => s + x * at(w1, i), 0) / w1n;
      for (let k = kp; k < T; k++) {
        const decay = amp * (1 - dt) ** (k - kp);
        for (let b = 0; b < B; b++) {
          for (let o = 0; o < dOut; o++) {
            const i = (k * B + b) * dOut + o;
            const m = at(protocol.mask, i);
            if (!m) continue;
            const e = at(pre.outputs, i) - at(protocol.targets, i);
            base += m * e * e;
            const shift = decay * (o === 0 ? w1n : proj2);
            kicked += m * (e + shift) ** 2;
          }
        }
      }
      assert.ok(Math.abs(at(errs, 0) - base) <= 1e-4 * base, `orthogonal kick: ${errs[0]} vs ${base}`);
      assert.ok(Math.abs(at(errs, 1) - kicked) <= 1e-4 * kicked, `kick along w_out: ${errs[1]} vs ${kicked}`);
      assert.ok(kicked > 1.5 * base, 'the kick along w_out must matter in this case');
    } finally {
      net.dispose();
    }
  });
});

describe('perturbation.safetensors', () => {
  it('round-trips the result and refuses a file that is not one', async () => {
    const { perturbationToSafetensors, perturbationFromSafetensors } = await import('../../../src/core/analysis/perturbation/format');
    const loss = Float32Array.from({ length: 3 * 21 * 10 }, (_, i) => i / 7);
    const r = {
      directions: ['w_out', 'pc', 'rand'] as ('w_out' | 'pc' | 'rand')[],
      amplitudes: Array.from({ length: 21 }, (_, a) => a * 5.5),
      a_max: 10,
      times: Array.from({ length: 10 }, (_, p) => 5 + p),
      steps: Array.from({ length: 10 }, (_, p) => 25 + 5 * p),
      loss,
      loss_unperturbed: 0.01,
      auc: { w_out: 3, pc: 6, rand: 1 },
      rel_susceptibility: 0.5,
      scored: 'the task mask from t = 20 on',
      trials: 32,
      seconds: 1.5,
    };
    assert.deepEqual(perturbationFromSafetensors(perturbationToSafetensors(r)), r);
    const { encodeSafetensors } = await import('../../../src/core/safetensors');
    assert.throws(() => perturbationFromSafetensors(encodeSafetensors({ x: { data: new Float32Array(2), shape: [2] } })), /no array "loss"/);
  });
});
