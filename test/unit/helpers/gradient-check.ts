/**
 * Finite-difference checks of a training step's loss and weight gradients, for any
 * implementation of it: the tfjs BPTT (bptt.ts) and any other kernel that computes the
 * same thing from the same inputs. The reference is test/unit/reference.ts (float64,
 * plain loops, every state kept), so nothing here shares code with what it checks.
 */
import * as assert from 'node:assert/strict';
import type { ParamName } from '../../../src/core/bptt';
import type { WeightArrays } from '../../../src/core/model';
import { makeRng } from '../../../src/core/rng';
import type { Rng, TaskBatch, TrainableSet } from '../../../src/core/types';
import { refGradient, refLoss, relError, type RefWeights } from '../reference';

/** Which steps the loss sees. */
export type MaskPattern =
  /** every 3rd step from k = 2, some entries off, none in the last 3 steps (so trailing steps are untrained) */
  | 'sparse'
  /** the initial state alone: no weight but W_out can change the loss */
  | 'k0'
  /** k = 0 and the last step */
  | 'k0-and-last';

export interface GradientCase {
  N: number;
  dIn: number;
  dOut: number;
  B: number;
  T: number;
  dt: number;
  /** sigma_noise; the per-step std is sqrt(dt) sigma */
  sigma: number;
  mask: MaskPattern;
  train: readonly TrainableSet[];
  seed: number;
}

export const BASE_CASE: GradientCase = { N: 7, dIn: 2, dOut: 2, B: 3, T: 26, dt: 0.2, sigma: 0.3, mask: 'sparse', train: ['input', 'recurrent', 'output'], seed: 1 };

/** What an implementation gets: the batch, weights, initial states and a fresh noise stream. */
export interface StepInputs {
  weights: WeightArrays;
  train: readonly TrainableSet[];
  dt: number;
  batch: TaskBatch;
  x0: Float32Array;
  noiseStd: number;
  /** the noise stream: one [B, N] fillNormal(buf, noiseStd, false) per forward step, in step order */
  rng: Rng | null;
}

/** What it returns: the loss and the gradients of the trained weights, as plain arrays. */
export interface StepOutputs {
  loss: number;
  grads: Map<ParamName, Float32Array>;
}

/** A hand-made batch: random inputs and targets, and the loss mask of the pattern. */
export function toyBatch(B: number, T: number, dIn: number, dOut: number, seed: number, pattern: MaskPattern = 'sparse'): TaskBatch {
  const rng = makeRng(seed, 'toy');
  const inputs = new Float32Array(T * B * dIn);
  for (let i = 0; i < inputs.length; i++) inputs[i] = rng.uniform() < 0.3 ? rng.normal() : 0;
  const targets = new Float32Array(T * B * dOut);
  rng.fillNormal(targets, 0.5);
  const mask = new Float32Array(T * B * dOut);
  const on = (k: number) => mask.fill(1, k * B * dOut, (k + 1) * B * dOut);
  if (pattern === 'sparse') {
    for (let k = 2; k < T - 3; k += 3) for (let i = 0; i < B * dOut; i++) mask[k * B * dOut + i] = rng.uniform() < 0.8 ? 1 : 0;
  } else {
    on(0);
    if (pattern === 'k0-and-last') on(T - 1);
  }
  return { B, T, dIn, dOut, inputs, targets, mask, condition: new Int32Array(B), conditionLabels: ['all'] };
}

export function toyWeights(N: number, dIn: number, dOut: number, seed: number): WeightArrays {
  const rng = makeRng(seed, 'weights');
  const W = new Float32Array(N * N);
  rng.fillNormal(W, 1.5 / Math.sqrt(N));
  const W_in = new Float32Array(N * dIn);
  rng.fillNormal(W_in, 1);
  const W_out = new Float32Array(dOut * N);
  rng.fillNormal(W_out, 1 / Math.sqrt(N));
  return { N, dIn, dOut, W, W_in, W_out, h0: new Float32Array(N) };
}

const f64 = (a: Float32Array) => Float64Array.from(a);

/** The inputs of a case; each call gives a fresh noise stream in the same state. */
export function stepInputs(c: GradientCase): StepInputs {
  const x0 = new Float32Array(c.B * c.N);
  makeRng(c.seed + 2, 'x0').fillNormal(x0, 1);
  const noiseStd = Math.sqrt(c.dt) * c.sigma;
  return {
    weights: toyWeights(c.N, c.dIn, c.dOut, c.seed + 1),
    train: c.train,
    dt: c.dt,
    batch: toyBatch(c.B, c.T, c.dIn, c.dOut, c.seed, c.mask),
    x0,
    noiseStd,
    rng: noiseStd > 0 ? makeRng(c.seed + 3, 'noise') : null,
  };
}

/** The noise an implementation draws, step by step, replayed in float64 for the reference. */
function noiseOf(c: GradientCase, inputs: StepInputs): Float64Array[] {
  if (inputs.rng === null) return [];
  const rng = makeRng(c.seed + 3, 'noise');
  const buf = new Float32Array(c.B * c.N);
  const out: Float64Array[] = [];
  for (let k = 0; k < c.T - 1; k++) {
    rng.fillNormal(buf, inputs.noiseStd, false);
    out.push(f64(buf));
  }
  return out;
}

const TRAINED: Record<ParamName, TrainableSet> = { W: 'recurrent', W_in: 'input', W_out: 'output' };

/**
 * Asserts that impl's loss and gradients match float64 central differences of the
 * reference loss: float32 forward and backward give relative errors near 1e-6; a missing
 * term (the leak, tanh', an output adjoint, a chunk of the sums) gives 0.1 to 1.
 */
export function assertMatchesFiniteDifferences(impl: (inputs: StepInputs) => StepOutputs, c: GradientCase, tolerance = 1e-4): void {
  const inputs = stepInputs(c);
  const noise = noiseOf(c, inputs);
  const { loss, grads } = impl(inputs);
  const w = inputs.weights;
  const ref: RefWeights = { N: c.N, dIn: c.dIn, dOut: c.dOut, W: f64(w.W), W_in: f64(w.W_in), W_out: f64(w.W_out) };
  const refL = refLoss(ref, c.dt, inputs.batch, inputs.x0, noise);
  assert.ok(Math.abs(loss - refL) / refL < 1e-5, `loss ${loss} vs reference ${refL}`);
  const expected = (['W', 'W_in', 'W_out'] as const).filter((n) => c.train.includes(TRAINED[n]) && (n !== 'W_in' || c.dIn > 0));
  assert.deepEqual([...grads.keys()].sort(), [...expected].sort(), 'gradients of exactly the trained weights');
  for (const name of expected) {
    const fd = refGradient(ref, name, c.dt, inputs.batch, inputs.x0, noise);
    const ours = grads.get(name);
    assert.ok(ours !== undefined && ours.length === fd.length, `${name}: ${ours?.length} values, expected ${fd.length}`);
    const scale = Math.sqrt(fd.reduce((s, v) => s + v * v, 0));
    if (scale < 1e-9) {
      // the loss does not depend on this weight (a loss at k = 0 alone): the gradient is zero
      const largest = ours.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(largest < 1e-7, `${name}: the loss does not depend on it, but its gradient reaches ${largest}`);
      continue;
    }
    const err = relError(ours, fd);
    assert.ok(err < tolerance, `${name}: relative error ${err.toExponential(2)}`);
  }
}
