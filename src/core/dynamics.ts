/**
 * One Euler-Maruyama step of docs/science.md §1.2, shared by training (bptt.ts) and
 * simulation (simulate.ts):
 *
 *   x_{k+1} = (1 - dt) x_k + dt (W tanh(x_k) + W_in s_k) + sqrt(dt) sigma xi_k
 *
 * In batch-row form (x_k is [B, N]) the recurrent term is tanh(x_k) W^T. We compute
 * tanh through the logistic function, tanh(x) = 2 sigma(2x) - 1, because on the tfjs
 * wasm backend Sigmoid is vectorised by XNNPACK and about 8x faster than Tanh (18 vs
 * 160 us for [32, 256]; see docs/performance.md). With q_k = sigma(2 x_k):
 *
 *   dt tanh(x_k) W^T = q_k (2 dt W^T) - dt 1 W^T
 *
 * The last term is a bias b_i = -dt sum_j W_ij that does not depend on k. It is added,
 * together with the input drive dt W_in s_k and the noise, into one per-step array c_k
 * built in JavaScript, so that each time step uploads one [B, N] tensor and runs five
 * kernels: mul, sigmoid, matMul, mul, addN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './types';
import type { Network } from './model';

/** Builds c_k = dt W_in s_k + b + sqrt(dt) sigma xi_k for each step, in JavaScript. */
export class Drive {
  private readonly N: number;
  private readonly B: number;
  private readonly dIn: number;
  private readonly dt: number;
  private readonly W_in: Float32Array;
  private readonly bias: Float32Array;
  private readonly noiseStd: number;
  private readonly rng: Rng | null;

  /**
   * @param W_in N x dIn, row-major (may be empty when dIn = 0)
   * @param bias length N, the -dt sum_j W_ij term of the sigmoid form
   * @param noiseStd per-step std sqrt(dt) sigma_noise; 0 for noise-free runs
   */
  constructor(o: { N: number; B: number; dIn: number; dt: number; W_in: Float32Array; bias: Float32Array; noiseStd: number; rng: Rng | null }) {
    this.N = o.N;
    this.B = o.B;
    this.dIn = o.dIn;
    this.dt = o.dt;
    this.W_in = o.W_in;
    this.bias = o.bias;
    this.noiseStd = o.noiseStd;
    this.rng = o.rng;
    if (this.noiseStd > 0 && !this.rng) throw new Error('Drive: noise needs a random stream');
  }

  /**
   * Writes c_k into out ([B, N]).
   * @param inputs the task inputs of the whole batch, [T][B][dIn]
   */
  fill(k: number, inputs: Float32Array, out: Float32Array): void {
    const { N, B, dIn, bias } = this;
    if (this.noiseStd > 0 && this.rng) this.rng.fillNormal(out, this.noiseStd, false);
    else out.fill(0);
    for (let b = 0; b < B; b++) {
      const row = b * N;
      for (let i = 0; i < N; i++) out[row + i] = (out[row + i] ?? 0) + (bias[i] ?? 0);
    }
    if (dIn === 0) return;
    const base = k * B * dIn;
    const dt = this.dt;
    const W_in = this.W_in;
    for (let b = 0; b < B; b++) {
      const s = base + b * dIn;
      for (let j = 0; j < dIn; j++) {
        const v = inputs[s + j] ?? 0;
        if (v === 0) continue; // most inputs are pulses: skip the zeros
        const dv = dt * v;
        const row = b * N;
        for (let i = 0; i < N; i++) out[row + i] = (out[row + i] ?? 0) + dv * (W_in[i * dIn + j] ?? 0);
      }
    }
  }
}

/** The Drive for the network's current weights: reads W_in and the sigmoid bias from the backend. */
export function driveFor(net: Network, dt: number, B: number, noiseStd: number, rng: Rng | null): Drive {
  return new Drive({
    N: net.N,
    B,
    dIn: net.dIn,
    dt,
    W_in: net.W_in ? (net.W_in.dataSync() as Float32Array) : new Float32Array(0),
    bias: sigmoidBias(net.W, dt),
    noiseStd,
    rng,
  });
}

/** Tensors that one time step needs, made once per training step. */
export interface StepWeights {
  /** 2 dt W^T, [N, N] */
  readonly Wfwd: tf.Tensor2D;
  /** 1 - dt */
  readonly leak: number;
}

export function stepWeights(W: tf.Tensor2D, dt: number): StepWeights {
  return { Wfwd: tf.tidy(() => tf.mul(tf.transpose(W), 2 * dt)), leak: 1 - dt };
}

/** -dt * (row sums of W) from plain weights (N x N row-major), for a Drive without a backend. */
export function sigmoidBiasOf(W: ArrayLike<number>, N: number, dt: number): Float32Array {
  const out = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += W[i * N + j] ?? 0;
    out[i] = -dt * s;
  }
  return out;
}

/**
 * forwardStep for a few rows in plain JavaScript, from the same c_k (the Drive) in the same
 * sigmoid form: x_{k+1} = (1 - dt) x_k + q_k (2 dt W^T) + c_k, sums in float64, states in
 * float32. One trial is a [1, N] by [N, N] product per step: at N = 128 that is 16k
 * multiply-adds, far less than what dispatching forwardStep's five kernels costs
 * (scripts/measure-explorer.mjs measures both), so the perturbation explorer steps its
 * single trial here (analysis/perturbation/kick.ts).
 */
export class RowStep {
  /** 2 dt W, row-major: row i is contiguous for the dot product of unit i */
  private readonly w2: Float32Array;
  private readonly q: Float64Array;
  private readonly leak: number;

  /** @param W N x N row-major */
  constructor(
    W: ArrayLike<number>,
    readonly N: number,
    dt: number,
  ) {
    if (W.length !== N * N) throw new Error(`RowStep: W has ${W.length} entries, expected ${N} x ${N}`);
    this.w2 = Float32Array.from(W, (w) => 2 * dt * w);
    this.q = new Float64Array(N);
    this.leak = 1 - dt;
  }

  /** Writes x_{k+1} of `rows` rows ([rows, N]) into out, which must not overlap x. */
  step(x: Float32Array, c: Float32Array, out: Float32Array, rows = 1): void {
    const { N, w2, q, leak } = this;
    for (let r = 0; r < rows; r++) {
      const o = r * N;
      for (let j = 0; j < N; j++) q[j] = 1 / (1 + Math.exp(-2 * (x[o + j] ?? 0)));
      for (let i = 0; i < N; i++) {
        // four partial sums: independent adds pipeline (about twice as fast at N = 128)
        let h0 = 0;
        let h1 = 0;
        let h2 = 0;
        let h3 = 0;
        const wi = i * N;
        let j = 0;
        for (; j + 3 < N; j += 4) {
          h0 += (w2[wi + j] ?? 0) * (q[j] ?? 0);
          h1 += (w2[wi + j + 1] ?? 0) * (q[j + 1] ?? 0);
          h2 += (w2[wi + j + 2] ?? 0) * (q[j + 2] ?? 0);
          h3 += (w2[wi + j + 3] ?? 0) * (q[j + 3] ?? 0);
        }
        for (; j < N; j++) h0 += (w2[wi + j] ?? 0) * (q[j] ?? 0);
        out[o + i] = leak * (x[o + i] ?? 0) + (h0 + h1 + h2 + h3) + (c[o + i] ?? 0);
      }
    }
  }
}

/** -dt * (row sums of W), read back to JavaScript for the Drive. */
export function sigmoidBias(W: tf.Tensor2D, dt: number): Float32Array {
  const bias = tf.tidy(() => tf.mul(tf.sum(W, 1), -dt));
  const out = (bias.dataSync() as Float32Array).slice();
  bias.dispose();
  return out;
}

/**
 * x_{k+1} from x_k and c_k. Returns q_k = sigma(2 x_k) (kept by training for the
 * backward pass) and x_{k+1}; disposes every other temporary and c.
 */
export function forwardStep(x: tf.Tensor2D, c: tf.Tensor2D, w: StepWeights): { q: tf.Tensor2D; next: tf.Tensor2D } {
  const twoX = tf.mul(x, 2);
  const q = tf.sigmoid(twoX) as tf.Tensor2D;
  const h = tf.matMul(q, w.Wfwd);
  const leaked = tf.mul(x, w.leak);
  const next = tf.addN([leaked, h, c]) as tf.Tensor2D;
  twoX.dispose();
  h.dispose();
  leaked.dispose();
  c.dispose();
  return { q, next };
}
