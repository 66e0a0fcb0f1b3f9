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
 *
 * The three passes are separate functions (forward, readout, backward) so each can be
 * read, tested and replaced on its own; lossAndGrads chains them.
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

export interface BpttOptions {
  /**
   * Rows (time steps x trials) per weight-gradient chunk; CHUNK_ROWS by default. Tests
   * make it small so that a short toy run crosses several chunks.
   */
  chunkRows?: number;
}

/** What the forward pass keeps for the readout and the backward pass; owned by the caller. */
export interface ForwardPass {
  /** the masked steps k, ascending (never empty) */
  steps: readonly number[];
  /** the index in `steps` of each masked step */
  stepIndex: ReadonlyMap<number, number>;
  /** q_k = sigma(2 x_k) for k = 0 .. last - 1; empty when no recurrent or input weight is trained */
  qs: tf.Tensor2D[];
  /** the states at the masked steps, stacked [steps.length * B, N] */
  Xm: tf.Tensor2D;
}

/** The loss and what the backward pass starts from. */
export interface Readout {
  loss: number;
  /** dL/dz at the masked steps, [steps.length][B][dOut] */
  dz: Float32Array;
  /** dL/dW_out = dz^T Xm, when W_out is trained (owned by the caller) */
  gWout: tf.Tensor2D | undefined;
}

/**
 * Loss and gradients of the trainable weights for one batch. Returns tensors the
 * caller must dispose (or call inside a tf.tidy and keep what it needs).
 */
export function lossAndGrads(net: Network, dt: number, run: BatchRun, opts: BpttOptions = {}): LossAndGrads {
  const { batch } = run;
  if (batch.dIn !== net.dIn || batch.dOut !== net.dOut) {
    throw new Error(`The task has ${batch.dIn} inputs and ${batch.dOut} outputs, the network ${net.dIn} and ${net.dOut}.`);
  }
  const trainW = net.trainable.has('recurrent');
  const trainIn = net.trainable.has('input') && net.W_in !== null;
  const fwd = forward(net, dt, run, trainW || trainIn);
  let out: Readout;
  try {
    out = readout(net, batch, fwd, net.trainable.has('output'));
  } catch (err) {
    tf.dispose(fwd.qs);
    throw err;
  } finally {
    fwd.Xm.dispose();
  }
  const grads = new Map<ParamName, tf.Tensor2D>();
  if (out.gWout !== undefined) grads.set('W_out', out.gWout);
  const g = backward(net, dt, batch, fwd, out.dz, { trainW, trainIn, chunkRows: opts.chunkRows ?? CHUNK_ROWS });
  if (g.W !== undefined) grads.set('W', g.W);
  if (g.W_in !== undefined) grads.set('W_in', g.W_in);
  return { loss: out.loss, grads };
}

/**
 * The forward pass up to the last masked step (later states cannot change the loss),
 * keeping q_k at every step (when keepQ) and x_k at the masked steps only.
 */
export function forward(net: Network, dt: number, run: BatchRun, keepQ: boolean): ForwardPass {
  const { batch } = run;
  const { N } = net;
  const { B } = batch;
  const steps = maskedSteps(batch);
  const last = steps[steps.length - 1];
  if (last === undefined) throw new Error('The loss mask is empty: no time step is trained. Check the task timing.');
  const stepIndex = new Map(steps.map((k, m) => [k, m] as const));
  const w = stepWeights(net.W, dt);
  const drive = driveFor(net, dt, B, run.noiseStd, run.rng);
  const qs: tf.Tensor2D[] = [];
  const xm: tf.Tensor2D[] = [];
  const c = new Float32Array(B * N);
  let x = tf.tensor2d(run.x0, [B, N]);
  for (let k = 0; ; k++) {
    const masked = stepIndex.has(k);
    if (masked) xm.push(x);
    if (k === last) break;
    drive.fill(k, batch.inputs, c);
    const { q, next } = forwardStep(x, tf.tensor2d(c, [B, N]), w);
    if (keepQ) qs.push(q);
    else q.dispose();
    if (!masked) x.dispose();
    x = next;
  }
  w.Wfwd.dispose();
  const Xm = xm.length === 1 ? (xm[0] as tf.Tensor2D) : tf.concat(xm, 0);
  if (xm.length > 1) for (const t of xm) t.dispose();
  return { steps, stepIndex, qs, Xm };
}

/** Outputs at the masked steps, the loss and dL/dz (in JavaScript: they are small), and dL/dW_out. */
export function readout(net: Network, batch: TaskBatch, fwd: ForwardPass, trainOut: boolean): Readout {
  const { B, dOut } = batch;
  const WoutT = tf.transpose(net.W_out);
  const Zt = tf.matMul(fwd.Xm, WoutT);
  WoutT.dispose();
  const z = Zt.dataSync();
  Zt.dispose();
  const { loss, dz } = maskedMse(batch, fwd.steps, z);
  if (!trainOut) return { loss, dz, gWout: undefined };
  // dW_out = dz^T Xm, with dz^T laid out [dOut, Km*B] directly.
  const rows = fwd.steps.length * B;
  const dzT = new Float32Array(dOut * rows);
  for (let r = 0; r < rows; r++) for (let o = 0; o < dOut; o++) dzT[o * rows + r] = dz[r * dOut + o] ?? 0;
  const dzTt = tf.tensor2d(dzT, [dOut, rows]);
  const gWout: tf.Tensor2D = tf.matMul(dzTt, fwd.Xm);
  dzTt.dispose();
  return { loss, dz, gWout };
}

interface BackwardOptions {
  trainW: boolean;
  trainIn: boolean;
  chunkRows: number;
}

/**
 * The adjoint recursion from the last masked step down to k = 0, with dL/dW and dL/dW_in
 * summed over chunks of about chunkRows rows as it goes (each chunk's adjoints are freed
 * once summed). Disposes fwd.qs.
 */
export function backward(net: Network, dt: number, batch: TaskBatch, fwd: ForwardPass, dz: Float32Array, o: BackwardOptions): { W?: tf.Tensor2D; W_in?: tf.Tensor2D } {
  const { qs, steps, stepIndex } = fwd;
  if (!o.trainW && !o.trainIn) {
    tf.dispose(qs);
    return {};
  }
  const { N } = net;
  const { B, dIn, dOut } = batch;
  const last = steps[steps.length - 1] ?? 0;
  const Wout = net.W_out.dataSync();
  const adjointOut = (k: number): tf.Tensor2D => {
    // o_k = dz_k W_out, [B, dOut] x [dOut, N], in JavaScript: it is tiny.
    const m = stepIndex.get(k) ?? 0;
    const out = new Float32Array(B * N);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < dOut; j++) {
        const g = dz[(m * B + b) * dOut + j] ?? 0;
        if (g === 0) continue;
        for (let i = 0; i < N; i++) out[b * N + i] = (out[b * N + i] ?? 0) + g * (Wout[j * N + i] ?? 0);
      }
    }
    return tf.tensor2d(out, [B, N]);
  };
  const sums = new ChunkSums(batch, o.trainW, o.trainIn, Math.max(1, Math.round(o.chunkRows / B)));
  if (last > 0) {
    const Wbwd = tf.tidy(() => tf.mul(net.W, 4 * dt));
    let a = adjointOut(last);
    for (let k = last - 1; k >= 0; k--) {
      // Here a = a_{k+1}; pair it with q_k for the weight gradients.
      const q = qs[k];
      if (q === undefined) throw new Error(`bptt: no forward state for step ${k}`);
      let next: tf.Tensor2D | undefined;
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
      sums.add(a, q, k);
      if (next !== undefined) a = next;
    }
    sums.flush();
    Wbwd.dispose();
  }
  // With the loss at k = 0 alone, no weight but W_out can matter: the sums stay empty.
  const out: { W?: tf.Tensor2D; W_in?: tf.Tensor2D } = {};
  if (o.trainW) out.W = sums.W === undefined ? tf.zeros([N, N]) : scaleInPlace(sums.W, dt);
  if (o.trainIn) out.W_in = sums.W_in === undefined ? tf.zeros([N, dIn]) : scaleInPlace(sums.W_in, dt);
  return out;
}

/**
 * The sums dW ~ sum_k a_{k+1}^T r_k and dW_in ~ sum_k a_{k+1}^T s_k (without the factor
 * dt), over chunks of `chunkSteps` steps: one [N, cB] x [cB, N] matMul per chunk beats
 * one per step and one over all steps (docs/performance.md). Takes ownership of the
 * adjoints and q's it is given.
 */
class ChunkSums {
  W: tf.Tensor2D | undefined;
  W_in: tf.Tensor2D | undefined;
  private A: tf.Tensor2D[] = [];
  private Q: tf.Tensor2D[] = [];
  private K: number[] = [];

  constructor(
    private readonly batch: TaskBatch,
    private readonly trainW: boolean,
    private readonly trainIn: boolean,
    private readonly chunkSteps: number,
  ) {}

  /** a = a_{k+1}, q = q_k */
  add(a: tf.Tensor2D, q: tf.Tensor2D, k: number): void {
    this.A.push(a);
    this.Q.push(q);
    this.K.push(k);
    if (this.A.length >= this.chunkSteps) this.flush();
  }

  flush(): void {
    if (this.A.length === 0) return;
    const { batch } = this;
    const A = stack(this.A);
    const At = tf.transpose(A);
    if (this.A.length > 1) A.dispose();
    if (this.trainW) {
      const Q = stack(this.Q);
      const R = tf.tidy(() => tf.sub(tf.mul(Q, 2), 1)); // r_k = 2 q_k - 1
      if (this.Q.length > 1) Q.dispose();
      this.W = accumulate(this.W, tf.matMul(At, R));
      R.dispose();
    }
    if (this.trainIn) {
      const S = gatherInputs(batch, this.K);
      if (S !== null) {
        const St = tf.tensor2d(S, [this.K.length * batch.B, batch.dIn]);
        this.W_in = accumulate(this.W_in, tf.matMul(At, St));
        St.dispose();
      }
    }
    At.dispose();
    tf.dispose(this.A);
    tf.dispose(this.Q);
    this.A = [];
    this.Q = [];
    this.K = [];
  }
}

function stack(ts: tf.Tensor2D[]): tf.Tensor2D {
  const only = ts.length === 1 ? ts[0] : undefined;
  return only ?? tf.concat(ts, 0);
}

function accumulate(acc: tf.Tensor2D | undefined, add: tf.Tensor2D): tf.Tensor2D {
  if (acc === undefined) return add;
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
    if (!any) any = src.some((v) => v !== 0);
  });
  return any ? out : null;
}
