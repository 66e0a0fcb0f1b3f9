/**
 * The perturbation explorer's simulation (docs/science.md §4.6; the paper's Fig 20 draws
 * such runs): one trial of the evaluation batch, its state replaced at grid index k_p by
 * x(k_p) + a sqrt(N) v for a unit vector v, then run on noise-free with the rest of its
 * input. a is in units of sqrt(N), as §4.6 scales its amplitudes (A = a sqrt(N), a up to
 * A_max = 10), since a state's norm is about sqrt(N).
 *
 * The unperturbed run the kick is drawn against comes from the same steps, so a = 0
 * reproduces it bit for bit. One trial steps in plain JavaScript (RowStep, with the
 * Drive of dynamics.ts for the input and the sigmoid bias): no backend, and only the
 * steps after k_p are simulated.
 */
import { Drive, RowStep, sigmoidBiasOf } from '../../dynamics';
import { makeRng } from '../../rng';
import { dot } from '../linalg';
import { unit } from './directions';
import type { KickDirection } from './kick-directions';

/** Plain final weights, row-major: W is N x N, W_in N x dIn, W_out dOut x N. */
export interface KickNetwork {
  N: number;
  dIn: number;
  dOut: number;
  dt: number;
  W: Float32Array;
  W_in: Float32Array;
  W_out: Float32Array;
}

/** A run of the trial from grid index `from` to its end. */
export interface TrialRun {
  from: number;
  /** [T - from][N] */
  states: Float32Array;
  /** z = W_out x, [T - from][dOut] */
  outputs: Float32Array;
}

/** One trial of a trained network that can be kicked at any of its grid points. */
export class KickableTrial {
  readonly T: number;
  /** the unperturbed run, from 0 */
  readonly unperturbed: TrialRun;
  private readonly stepper: RowStep;
  private readonly drive: Drive;

  /**
   * @param inputs this trial's inputs, [T][dIn]
   * @param x0 its initial state, length N
   */
  constructor(
    private readonly net: KickNetwork,
    private readonly inputs: Float32Array,
    T: number,
    x0: ArrayLike<number>,
  ) {
    const { N, dIn, dOut, dt } = net;
    if (net.W.length !== N * N || net.W_in.length !== N * dIn || net.W_out.length !== dOut * N) throw new Error('KickableTrial: the weights do not match N, dIn and dOut');
    if (inputs.length !== T * dIn) throw new Error(`KickableTrial: ${inputs.length} input values, expected T x dIn = ${T * dIn}`);
    if (x0.length !== N || T < 1) throw new Error('KickableTrial: x0 must have N values and the trial at least one step');
    this.T = T;
    this.stepper = new RowStep(net.W, N, dt);
    this.drive = new Drive({ N, B: 1, dIn, dt, W_in: net.W_in, bias: sigmoidBiasOf(net.W, N, dt), noiseStd: 0, rng: null });
    this.unperturbed = this.run(0, Float32Array.from(x0));
  }

  /**
   * The trial kicked at grid index `step` by a sqrt(N) v.
   * @param v a unit vector of length N
   * @param a the amplitude in units of sqrt(N)
   */
  kick(step: number, v: ArrayLike<number>, a: number): TrialRun {
    const { N } = this.net;
    if (!Number.isInteger(step) || step < 0 || step >= this.T) throw new Error(`kick: step ${step} is not a grid index of the trial (0..${this.T - 1})`);
    if (v.length !== N) throw new Error(`kick: the direction has ${v.length} values, expected N = ${N}`);
    if (!Number.isFinite(a)) throw new Error('kick: the amplitude is not a finite number');
    const A = a * Math.sqrt(N);
    const x = this.unperturbed.states.slice(step * N, (step + 1) * N);
    if (A !== 0) for (let i = 0; i < N; i++) x[i] = (x[i] ?? 0) + A * (v[i] ?? 0);
    return this.run(step, x);
  }

  private run(from: number, x0: Float32Array): TrialRun {
    const { N, dOut, W_out } = this.net;
    const steps = this.T - from;
    const states = new Float32Array(steps * N);
    states.set(x0);
    const c = new Float32Array(N);
    for (let s = 0; s + 1 < steps; s++) {
      this.drive.fill(from + s, this.inputs, c);
      this.stepper.step(states.subarray(s * N, (s + 1) * N), c, states.subarray((s + 1) * N, (s + 2) * N));
    }
    const outputs = new Float32Array(steps * dOut);
    for (let s = 0; s < steps; s++) {
      const x = states.subarray(s * N, (s + 1) * N);
      for (let o = 0; o < dOut; o++) outputs[s * dOut + o] = dot(W_out.subarray(o * N, (o + 1) * N), x);
    }
    return { from, states, outputs };
  }
}

/** Trial b's inputs [T][dIn] out of a batch's [T][B][dIn]. */
export function trialInputs(inputs: Float32Array, T: number, B: number, dIn: number, b: number): Float32Array {
  if (!Number.isInteger(b) || b < 0 || b >= B) throw new Error(`trialInputs: no trial ${b} in a batch of ${B}`);
  const out = new Float32Array(T * dIn);
  for (let k = 0; k < T; k++) out.set(inputs.subarray((k * B + b) * dIn, (k * B + b + 1) * dIn), k * dIn);
  return out;
}

export interface DirectionSource {
  N: number;
  /** dOut x N */
  W_out: ArrayLike<number>;
  dOut: number;
  /** N x dIn */
  W_in: ArrayLike<number>;
  dIn: number;
  /**
   * the top principal axes of the noise-free states (t >= t_min), one per row of N
   * (the 3D view's PCA basis: the same PCs as §4.6's pc family)
   */
  pcs: Float64Array;
  /** seeds the random direction, so a view draws the same one every time */
  seed: number;
}

/**
 * The unit vector of a direction: w_out,1 / |w_out,1| (row `index` of W_out), PC1 or PC2,
 * an isotropic random direction (stream `index`), or the first column of W_in (column
 * `index`). Null when the network has no such direction (no input, a zero row, N < 2 for PC2).
 */
export function kickDirection(kind: KickDirection, src: DirectionSource, index = 0): Float64Array | null {
  const { N } = src;
  let v: Float64Array;
  switch (kind) {
    case 'w_out':
      if (index >= src.dOut) return null;
      v = Float64Array.from({ length: N }, (_, i) => src.W_out[index * N + i] ?? 0);
      break;
    case 'pc1':
    case 'pc2': {
      const row = kind === 'pc1' ? 0 : 1;
      if (src.pcs.length < (row + 1) * N) return null;
      v = src.pcs.slice(row * N, (row + 1) * N);
      break;
    }
    case 'rand': {
      const rng = makeRng(src.seed, `explorer:rand:${index}`);
      v = Float64Array.from({ length: N }, () => rng.normal());
      break;
    }
    case 'w_in':
      if (index >= src.dIn) return null;
      v = Float64Array.from({ length: N }, (_, i) => src.W_in[i * src.dIn + index] ?? 0);
      break;
  }
  const u = unit(v);
  return u.some((x) => x !== 0) ? u : null;
}

/** Coordinates of `rows` states ([rows][N]) on the axes (k x N rows): [rows][k]. */
export function projectStates(states: Float32Array, rows: number, N: number, axes: Float64Array, k = 3): Float32Array {
  if (states.length < rows * N || axes.length < k * N) throw new Error('projectStates: shape mismatch');
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const x = states.subarray(r * N, (r + 1) * N);
    for (let j = 0; j < k; j++) out[r * k + j] = dot(axes.subarray(j * N, (j + 1) * N), x);
  }
  return out;
}
