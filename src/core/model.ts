/**
 * The network of docs/science.md §1: initialisation (1.3) and the weights as
 * tfjs variables. The dynamics themselves live in simulate.ts (forward only) and
 * bptt.ts (forward + hand-written backward).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkConfig, Rng, TrainableSet } from './types';
import { outputStd } from './output-scale';

export interface NetworkDims {
  N: number;
  dIn: number;
  dOut: number;
}

/** Plain weights, row-major: W is N x N, W_in N x dIn, W_out dOut x N, h0 length N. */
export interface WeightArrays extends NetworkDims {
  W: Float32Array;
  W_in: Float32Array;
  W_out: Float32Array;
  h0: Float32Array;
}


/**
 * Draws the initial weights from the 'weights' stream, always in the order
 * W_in, W, W_out, h0, so that a run is reproducible from its seed alone.
 */
export function initWeights(net: NetworkConfig, dims: { dIn: number; dOut: number }, rng: Rng): WeightArrays {
  const { N } = net;
  const W_in = new Float32Array(N * dims.dIn);
  rng.fillNormal(W_in, 1); // not scaled by fan-in: a unit pulse moves x by about W_in
  const W = new Float32Array(N * N);
  rng.fillNormal(W, net.g / Math.sqrt(N));
  const W_out = new Float32Array(dims.dOut * N);
  rng.fillNormal(W_out, outputStd(net.output_scale, N));
  const h0 = new Float32Array(N);
  if (net.h0_std > 0) rng.fillNormal(h0, net.h0_std);
  return { N, dIn: dims.dIn, dOut: dims.dOut, W, W_in, W_out, h0 };
}

/** The weights on the active tfjs backend. Owns its variables: call dispose(). */
export class Network implements NetworkDims {
  readonly N: number;
  readonly dIn: number;
  readonly dOut: number;
  readonly W: tf.Variable<tf.Rank.R2>;
  /** null when the task has no input (simple sine) */
  readonly W_in: tf.Variable<tf.Rank.R2> | null;
  readonly W_out: tf.Variable<tf.Rank.R2>;
  readonly h0: Float32Array;
  readonly trainable: ReadonlySet<TrainableSet>;

  constructor(w: WeightArrays, train: readonly TrainableSet[]) {
    this.N = w.N;
    this.dIn = w.dIn;
    this.dOut = w.dOut;
    this.trainable = new Set(train);
    // tidy: the initial tensors share their data with the variables and must not stay tracked
    this.W = tf.tidy(() => tf.variable(tf.tensor2d(w.W, [w.N, w.N]), this.trainable.has('recurrent')));
    this.W_in =
      w.dIn > 0 ? tf.tidy(() => tf.variable(tf.tensor2d(w.W_in, [w.N, w.dIn]), this.trainable.has('input'))) : null;
    this.W_out = tf.tidy(() => tf.variable(tf.tensor2d(w.W_out, [w.dOut, w.N]), this.trainable.has('output')));
    this.h0 = w.h0.slice();
  }

  /** Copies the current weights out of the backend. */
  toArrays(): WeightArrays {
    return {
      N: this.N,
      dIn: this.dIn,
      dOut: this.dOut,
      W: Float32Array.from(this.W.dataSync()),
      W_in: this.W_in ? Float32Array.from(this.W_in.dataSync()) : new Float32Array(0),
      W_out: Float32Array.from(this.W_out.dataSync()),
      h0: this.h0.slice(),
    };
  }

  dispose(): void {
    this.W.dispose();
    this.W_in?.dispose();
    this.W_out.dispose();
  }
}

/** x_0 = h_0 + sigma_init xi for every trial (docs/science.md §1.3), [B][N]. */
export function initialStates(h0: Float32Array, B: number, sigma: number, rng: Rng | null): Float32Array {
  const N = h0.length;
  const x0 = new Float32Array(B * N);
  if (sigma > 0 && rng) rng.fillNormal(x0, sigma, false);
  for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) x0[b * N + i] = (x0[b * N + i] ?? 0) + (h0[i] ?? 0);
  return x0;
}
