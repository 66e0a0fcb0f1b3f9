/**
 * Forward simulation without gradients: evaluation runs (noise-free or noisy) whose
 * states and outputs feed the measures and the 3D view.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng, TaskBatch } from './types';
import type { Network } from './model';
import { driveFor, forwardStep, stepWeights } from './dynamics';
import { at } from './checked';

export interface Trajectories {
  T: number;
  B: number;
  N: number;
  dOut: number;
  /** x_k for every grid point, [T][B][N] */
  states: Float32Array;
  /** z_k = W_out x_k, [T][B][dOut] */
  outputs: Float32Array;
}

export interface SimulationOptions {
  /** initial states [B][N] */
  x0: Float32Array;
  /** per-step noise std sqrt(dt) sigma_noise; 0 for noise-free */
  noiseStd: number;
  rng: Rng | null;
}

/** Runs the batch through the network and reads every state back. */
export function simulate(net: Network, dt: number, batch: TaskBatch, opts: SimulationOptions): Trajectories {
  const { N } = net;
  const { B, T, dOut } = batch;
  // tidy returns only tensors: tfjs walks a tidy's result looking for tensors, and a
  // typed array in it is walked key by key (seconds and gigabytes at evaluation sizes).
  const { X, Z } = tf.tidy(() => {
    const w = stepWeights(net.W, dt);
    const drive = driveFor(net, dt, B, opts.noiseStd, opts.rng);
    const xs: tf.Tensor2D[] = [tf.tensor2d(opts.x0, [B, N])];
    const c = new Float32Array(B * N);
    for (let k = 0; k < T - 1; k++) {
      drive.fill(k, batch.inputs, c);
      const { q, next } = forwardStep(at(xs, k), tf.tensor2d(c, [B, N]), w);
      q.dispose();
      xs.push(next);
    }
    const states = tf.concat(xs, 0);
    return { X: states, Z: tf.matMul(states, tf.transpose(net.W_out)) };
  });
  try {
    // Disposing below does not invalidate these arrays (wasm returns copies; cpu hands over its own, never reused).
    return { T, B, N, dOut, states: X.dataSync() as Float32Array, outputs: Z.dataSync() as Float32Array };
  } finally {
    X.dispose();
    Z.dispose();
  }
}
