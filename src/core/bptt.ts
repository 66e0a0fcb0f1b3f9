/**
 * Backpropagation through time, written by hand (no gradient tape), for the model of
 * docs/science.md §1.2 trained as in section 2. Why by hand: on tfjs-wasm, autograd's matMul
 * gradient uses the slow transposed matMul and the tape keeps every intermediate; this
 * formulation is 5-8x faster and needs a fraction of the memory (docs/performance.md).
 *
 * Notation (batch rows; q_k = sigma(2 x_k), r_k = tanh x_k = 2 q_k - 1; see dynamics.ts):
 *   x_{k+1} = (1-dt) x_k + dt r_k W^T + dt s_k W_in^T + noise,   z_k = x_k W_out^T
 * The adjoint a_k = dL/dx_k obeys, backwards from the last masked step K,
 *   a_K = o_K,   a_k = (1-dt) a_{k+1} + (dt a_{k+1} W) * (1 - r_k^2) + o_k,
 * with o_k = dz_k W_out (zero where nothing is masked) and 1 - r_k^2 = 4 q_k (1 - q_k).
 * The weight gradients are sums over all steps and trials:
 *   dL/dW = dt sum_k a_{k+1}^T r_k,   dL/dW_in = dt sum_k a_{k+1}^T s_k,   dL/dW_out = sum_k dz_k^T x_k.
 *
 * Speed and memory choices, each measured on wasm:
 * - Only states up to the last masked step are simulated: later ones cannot change the loss.
 * - The forward pass keeps q_k at every step and x_k at masked steps only.
 * - The dW and dW_in sums are accumulated during the backward loop over chunks of about
 *   1024 rows ([N, cB] x [cB, N] matMuls), which beats one [N, TB] x [TB, N] matMul by ~2x
 *   and frees the adjoints as it goes: peak memory is about 1.3 [T, B, N] buffers.
 * - Transposes are explicit (wasm's transposed matMul is 8-20x slower).
 * - The loss and dz are computed in JavaScript from the outputs at the masked steps.
 * - Every temporary is disposed as soon as it is dead, inside one tf.tidy per step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng, TaskBatch } from './types';
import type { Network } from './model';
import { driveFor, forwardStep, stepWeights } from './dynamics';
import { maskedMse, maskedSteps } from './loss';
import { CHUNK_ROWS } from './memory';

export type ParamName = 'W' | 'W_in' | 'W_out';

export interface BatchRun {
  batch: TaskBatch;
  /** initial states [B][N] */
  x0: Float32Array;
  /** per-step noise std, sqrt(dt) * sigma_noise (0 for none) */
  noiseStd: number;
  /** the noise stream (required when noiseStd > 0) */
  rng: Rng | null;
}

export interface LossAndGrads {
  loss: number;
  /** gradients of the trainable weights, owned by the caller */
  grads: Map<ParamName, tf.Tensor2D>;
}


/**
 * Loss and gradients of the trainable weights for one batch. Returns tensors the
 * caller must dispose (or call inside a tf.tidy and keep what it needs).
 */
export function lossAndGrads(net: Network, dt: number, run: BatchRun): LossAndGrads {
  const { batch } = run;
  const { N } = net;
  const { B, dIn, dOut } = batch;
  if (batch.dIn !== net.dIn || batch.dOut !== net.dOut) {
    throw new Error(`The task has ${batch.dIn} inputs and ${batch.dOut} outputs, the network ${net.dIn} and ${net.dOut}.`);
  }
  const steps = maskedSteps(batch);
  if (steps.length === 0) throw new Error('The loss mask is empty: no time step is trained. Check the task timing.');
  const last = steps[steps.length - 1];
  const stepIndex = new Map(steps.map((k, m) => [k, m] as const));
  const trainW = net.trainable.has('recurrent');
  const trainIn = net.trainable.has('input') && net.W_in !== null;
  const trainOut = net.trainable.has('output');
  const backward = trainW || trainIn;

  const w = stepWeights(net.W, dt);
  const drive = driveFor(net, dt, B, run.noiseStd, run.rng);

  // Forward, up to the last masked step.
  const qs: tf.Tensor2D[] = new Array(last);
  const xm: tf.Tensor2D[] = [];
  const c = new Float32Array(B * N);
  let x = tf.tensor2d(run.x0, [B, N]);
  for (let k = 0; ; k++) {
    const masked = stepIndex.has(k);
    if (masked) xm.push(x);
    if (k === last) break;
    drive.fill(k, batch.inputs, c);
    const { q, next } = forwardStep(x, tf.tensor2d(c, [B, N]), w);
    if (backward) qs[k] = q;
    else q.dispose();
    if (!masked) x.dispose();
    x = next;
  }
  w.Wfwd.dispose();

  // Readout at the masked steps and the loss, in JavaScript.
  const Xm = tf.concat(xm, 0);
  for (const t of xm) t.dispose();
  const WoutT = tf.transpose(net.W_out);
  const Zt = tf.matMul(Xm, WoutT);
  const { loss, dz } = maskedMse(batch, steps, Zt.dataSync());
  Zt.dispose();
  WoutT.dispose();

  const grads = new Map<ParamName, tf.Tensor2D>();
  if (trainOut) {
    // dW_out = dz^T Xm, with dz^T laid out [dOut, Km*B] directly.
    const rows = steps.length * B;
    const dzT = new Float32Array(dOut * rows);
    for (let r = 0; r < rows; r++) for (let o = 0; o < dOut; o++) dzT[o * rows + r] = dz[r * dOut + o];
    const dzTt = tf.tensor2d(dzT, [dOut, rows]);
    grads.set('W_out', tf.matMul(dzTt, Xm));
    dzTt.dispose();
  }
  Xm.dispose();

  if (backward) {
    const Wout = net.W_out.dataSync();
    const adjointOut = (k: number): tf.Tensor2D => {
      // o_k = dz_k W_out, [B, dOut] x [dOut, N], in JavaScript: it is tiny.
      const m = stepIndex.get(k)!;
      const o = new Float32Array(B * N);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < dOut; j++) {
          const g = dz[(m * B + b) * dOut + j];
          if (g === 0) continue;
          for (let i = 0; i < N; i++) o[b * N + i] += g * Wout[j * N + i];
        }
      }
      return tf.tensor2d(o, [B, N]);
    };
    const Wbwd = tf.tidy(() => tf.mul(net.W, 4 * dt));
    const chunkSteps = Math.max(1, Math.round(CHUNK_ROWS / B));
    let gW: tf.Tensor2D | null = null;
    let gWin: tf.Tensor2D | null = null;
    let chunkA: tf.Tensor2D[] = [];
    let chunkQ: tf.Tensor2D[] = [];
    let chunkK: number[] = [];

    const flush = () => {
      // chunkA[i] = a_{k+1} and chunkQ[i] = q_k for k = chunkK[i]
      const A = chunkA.length === 1 ? chunkA[0] : tf.concat(chunkA, 0);
      const At = tf.transpose(A);
      if (A !== chunkA[0]) A.dispose();
      if (trainW) {
        const Q = chunkQ.length === 1 ? chunkQ[0] : tf.concat(chunkQ, 0);
        const R = tf.tidy(() => tf.sub(tf.mul(Q, 2), 1)); // r_k = 2 q_k - 1
        if (Q !== chunkQ[0]) Q.dispose();
        gW = accumulate(gW, tf.matMul(At, R));
        R.dispose();
      }
      if (trainIn) {
        const S = gatherInputs(batch, chunkK);
        if (S) {
          const St = tf.tensor2d(S, [chunkK.length * B, dIn]);
          gWin = accumulate(gWin, tf.matMul(At, St));
          St.dispose();
        }
      }
      At.dispose();
      for (const t of chunkA) t.dispose();
      for (const t of chunkQ) t.dispose();
      chunkA = [];
      chunkQ = [];
      chunkK = [];
    };

    let a = adjointOut(last);
    if (last === 0) a.dispose(); // only x_0 is trained on: no weight but W_out can matter
    for (let k = last - 1; k >= 0; k--) {
      // Here a = a_{k+1}; pair it with q_k for the weight gradients.
      const q = qs[k];
      let next: tf.Tensor2D | null = null;
      if (k > 0) {
        // a_k = (1-dt) a_{k+1} + (a_{k+1} 4dt W) * q_k (1 - q_k) + o_k
        const g = tf.matMul(a, Wbwd);
        const oneMinusQ = tf.sub(1, q);
        const d = tf.mul(q, oneMinusQ);
        const gd = tf.mul(g, d);
        const leaked = tf.mul(a, 1 - dt);
        const terms = [leaked, gd];
        if (stepIndex.has(k)) terms.push(adjointOut(k));
        next = tf.addN(terms) as tf.Tensor2D;
        for (const t of [g, oneMinusQ, d, ...terms]) t.dispose();
      }
      chunkA.push(a);
      chunkQ.push(q);
      chunkK.push(k);
      if (chunkA.length === chunkSteps || k === 0) flush();
      if (next) a = next;
    }
    Wbwd.dispose();
    if (gW) {
      grads.set('W', scaleInPlace(gW, dt));
    } else if (trainW) {
      grads.set('W', tf.zeros([N, N]));
    }
    if (trainIn) grads.set('W_in', gWin ? scaleInPlace(gWin, dt) : tf.zeros([N, dIn]));
  } else {
    for (const q of qs) q?.dispose();
  }
  return { loss, grads };
}

function accumulate(acc: tf.Tensor2D | null, add: tf.Tensor2D): tf.Tensor2D {
  if (!acc) return add;
  const sum = tf.add(acc, add) as tf.Tensor2D;
  acc.dispose();
  add.dispose();
  return sum;
}

function scaleInPlace(t: tf.Tensor2D, s: number): tf.Tensor2D {
  const r = tf.mul(t, s) as tf.Tensor2D;
  t.dispose();
  return r;
}

/** Inputs s_k of the given steps stacked as [steps*B, dIn], or null when all are zero. */
function gatherInputs(batch: TaskBatch, ks: readonly number[]): Float32Array | null {
  const per = batch.B * batch.dIn;
  const out = new Float32Array(ks.length * per);
  let any = false;
  ks.forEach((k, i) => {
    const src = batch.inputs.subarray(k * per, (k + 1) * per);
    out.set(src, i * per);
    if (!any) for (let j = 0; j < per; j++) if (src[j] !== 0) { any = true; break; }
  });
  return any ? out : null;
}
