/**
 * An independent float64 implementation of the model and loss, written the plain way
 * (tanh directly, explicit loops, every state kept), to check the fast tfjs code
 * against. It shares nothing with src/core but the data layout.
 */
import type { TaskBatch } from '../../src/core/types';
import { at } from '../../src/core/checked';

export interface RefWeights {
  N: number;
  dIn: number;
  dOut: number;
  W: Float64Array; // N x N
  W_in: Float64Array; // N x dIn
  W_out: Float64Array; // dOut x N
}

/** x_{k+1} = (1-dt) x_k + dt (W tanh x_k + W_in s_k) + noise_k; returns states [T][B][N]. */
export function refStates(w: RefWeights, dt: number, batch: TaskBatch, x0: ArrayLike<number>, noise: Float64Array[]): Float64Array {
  const { N, dIn } = w;
  const { B, T } = batch;
  const X = new Float64Array(T * B * N);
  for (let i = 0; i < B * N; i++) X[i] = at(x0, i);
  for (let k = 0; k + 1 < T; k++) {
    for (let b = 0; b < B; b++) {
      const xk = (k * B + b) * N;
      const xn = ((k + 1) * B + b) * N;
      for (let i = 0; i < N; i++) {
        let rec = 0;
        for (let j = 0; j < N; j++) rec += at(w.W, i * N + j) * Math.tanh(at(X, xk + j));
        let inp = 0;
        for (let j = 0; j < dIn; j++) inp += at(w.W_in, i * dIn + j) * at(batch.inputs, (k * B + b) * dIn + j);
        const nz = noise[k] ? at(at(noise, k), b * N + i) : 0;
        X[xn + i] = (1 - dt) * at(X, xk + i) + dt * (rec + inp) + nz;
      }
    }
  }
  return X;
}

export function refLoss(w: RefWeights, dt: number, batch: TaskBatch, x0: ArrayLike<number>, noise: Float64Array[]): number {
  const X = refStates(w, dt, batch, x0, noise);
  const { N, dOut } = w;
  const { B, T } = batch;
  let sum = 0;
  let count = 0;
  for (let k = 0; k < T; k++) {
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < dOut; o++) {
        const m = batch.mask[(k * B + b) * dOut + o];
        if (!m) continue;
        let z = 0;
        for (let i = 0; i < N; i++) z += at(w.W_out, o * N + i) * at(X, (k * B + b) * N + i);
        const e = z - at(batch.targets, (k * B + b) * dOut + o);
        sum += m * e * e;
        count += m;
      }
    }
  }
  return sum / count;
}

/** Central finite differences of refLoss with respect to every entry of one matrix. */
export function refGradient(
  w: RefWeights,
  name: 'W' | 'W_in' | 'W_out',
  dt: number,
  batch: TaskBatch,
  x0: ArrayLike<number>,
  noise: Float64Array[],
  h = 1e-6,
): Float64Array {
  const p = w[name];
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = at(p, i);
    p[i] = v + h;
    const up = refLoss(w, dt, batch, x0, noise);
    p[i] = v - h;
    const down = refLoss(w, dt, batch, x0, noise);
    p[i] = v;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** ||a - b|| / ||b|| */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (at(a, i) - at(b, i)) ** 2;
    den += at(b, i) ** 2;
  }
  return Math.sqrt(num / den);
}
