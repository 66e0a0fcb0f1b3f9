/**
 * The host side of the fused training kernel (assembly/step.ts): it owns one kernel
 * instance per network, keeps the weights and Adam's moments in the kernel's memory,
 * writes each batch in, and calls the kernel once for the loss and gradients and once
 * for the Adam update. Nothing crosses into JavaScript per time step.
 *
 * The kernel draws the training noise from the run's own noise stream (rng.ts's state is
 * copied in and back), so a spec and seed give the same run as the tfjs path up to the
 * order of float summation.
 *
 * The bytes come from the host (provideKernel): a path in Node, transferred bytes in the
 * panel's worker, which may fetch nothing (docs/architecture.md).
 */
import type { WeightArrays } from '../core/model';
import type { TrainableSet } from '../core/types';
import type { BatchRun, ParamName } from '../core/bptt';
import { maskedSteps } from '../core/loss';
import { streamState, ZIGGURAT } from '../core/rng';

/** The file the build writes next to the bundles (esbuild.mjs). */
export const KERNEL_FILE = 'rnn-kernel.wasm';

/** The part of the WebAssembly API used here, typed locally: the core's tsconfig has neither DOM nor Node typings. */
interface WasmApi {
  Module: new (bytes: ArrayBuffer | ArrayBufferView) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  configure(N: number, B: number, dIn: number, dOut: number, T: number, chunkSteps: number): number;
  reserveSteps(T: number): number;
  paddedUnits(): number;
  weightsW(): number;
  weightsInT(): number;
  weightsOut(): number;
  gradW(): number;
  gradInT(): number;
  gradOut(): number;
  initialStates(): number;
  inputs(): number;
  targets(): number;
  mask(): number;
  gradientSumOfSquares(): number;
  firstMomentW(): number;
  secondMomentW(): number;
  firstMomentInT(): number;
  secondMomentInT(): number;
  firstMomentOut(): number;
  secondMomentOut(): number;
  lossAndGrads(last: number, count: number, dt: number, noiseStd: number, trainW: number, trainIn: number, trainOut: number): number;
  adamStep(trainW: number, trainIn: number, trainOut: number, beta1: number, beta2: number, eps: number, stepSize: number, sqrtBc2: number): void;
  zigguratW(): number;
  zigguratInner(): number;
  zigguratF(): number;
  setState(a: number, b: number, c: number, d: number): void;
  state(i: number): number;
  fillNormal(out: number, n: number, scale: number, add: number): void;
  tanhArray(src: number, dst: number, n: number): void;
}

let compiled: object | undefined;
let problem: string | undefined;

/**
 * Compiles the kernel's bytes once per thread; every FusedTrainer instantiates it afresh.
 * A failure (no WebAssembly SIMD, damaged bytes) is kept as the reason fused cannot run.
 */
export function provideKernel(bytes: ArrayBuffer | ArrayBufferView): void {
  try {
    if (!wasmApi) throw new Error('this JavaScript engine has no WebAssembly');
    compiled = new wasmApi.Module(bytes);
    problem = undefined;
  } catch (err) {
    compiled = undefined;
    problem = `it does not compile here: ${(err as Error).message}`;
  }
}

/** Records why the kernel's bytes could not be had (the reason fused cannot run here). */
export function kernelUnavailable(why: string): void {
  compiled = undefined;
  problem = why;
}

export function kernelProvided(): boolean {
  return compiled !== undefined;
}

/** Why the kernel is missing, when provideKernel failed. */
export function kernelProblem(): string | undefined {
  return problem;
}

/** A fresh kernel instance with its own memory (freed with the instance). */
export function instantiateKernel(): KernelExports {
  if (!compiled || !wasmApi) throw new Error('The fused kernel was not loaded (rnn-kernel.wasm); rebuild with `npm run build`.');
  const instance = new wasmApi.Instance(compiled, {});
  return instance.exports as KernelExports;
}

/** Time steps per weight-gradient product: about 256 rows, where the product runs at full speed. */
export function defaultChunkSteps(B: number): number {
  return Math.max(1, Math.round(256 / B));
}

export interface FusedOptions {
  /** trials per batch (fixed for the run) */
  B: number;
  /** grid points of the task; grows on demand */
  T: number;
  dt: number;
  /** Adam's learning rate (lr0 / N) and constants (torch.optim.Adam's defaults) */
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** time steps per weight-gradient product (tests make it small to cross several chunks) */
  chunkSteps?: number;
}

/** A network trained by the fused kernel. Owns its kernel instance; no dispose needed. */
export class FusedTrainer {
  readonly N: number;
  readonly dIn: number;
  readonly dOut: number;
  readonly B: number;
  readonly trainable: ReadonlySet<TrainableSet>;
  private readonly k: KernelExports;
  private readonly P: number;
  private readonly dt: number;
  private readonly chunkSteps: number;
  private T = 0;
  private readonly h0: Float32Array;
  private readonly lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  /** Adam updates applied so far */
  private t = 0;

  constructor(w: WeightArrays, train: readonly TrainableSet[], opts: FusedOptions) {
    this.N = w.N;
    this.dIn = w.dIn;
    this.dOut = w.dOut;
    this.B = opts.B;
    this.trainable = new Set(train);
    this.dt = opts.dt;
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.chunkSteps = opts.chunkSteps ?? defaultChunkSteps(opts.B);
    this.h0 = w.h0.slice();
    this.k = instantiateKernel();
    this.configure(opts.T);
    this.P = this.k.paddedUnits();
    this.setWeights(w);
  }

  /** Loss of one batch; the gradients stay in the kernel (gradients() copies them out). */
  lossAndGrads(run: BatchRun): { loss: number; sumOfSquares: number } {
    const { batch, x0, noiseStd, rng } = run;
    const { B, N } = this;
    if (batch.dIn !== this.dIn || batch.dOut !== this.dOut) {
      throw new Error(`The task has ${batch.dIn} inputs and ${batch.dOut} outputs, the network ${this.dIn} and ${this.dOut}.`);
    }
    if (batch.B !== B) throw new Error(`The fused kernel was set up for batches of ${B} trials, got ${batch.B}.`);
    if (x0.length !== B * N) throw new Error(`Initial states: ${x0.length} values for ${B} trials of ${N} units.`);
    if (noiseStd > 0 && !rng) throw new Error('The training noise needs a random stream.');
    const steps = maskedSteps(batch);
    const last = steps[steps.length - 1];
    if (last === undefined) throw new Error('The loss mask is empty: no time step is trained. Check the task timing.');
    if (batch.T > this.T) this.grow(batch.T);
    const per = B * this.dOut;
    let count = 0;
    for (let i = 0; i < (last + 1) * per; i++) count += batch.mask[i] ?? 0;
    const k = this.k;
    this.f32(k.initialStates(), B * N).set(x0);
    this.f32(k.inputs(), (last + 1) * B * this.dIn).set(batch.inputs.subarray(0, (last + 1) * B * this.dIn));
    this.f32(k.targets(), (last + 1) * per).set(batch.targets.subarray(0, (last + 1) * per));
    this.f32(k.mask(), (last + 1) * per).set(batch.mask.subarray(0, (last + 1) * per));
    const state = noiseStd > 0 && rng ? streamState(rng) : null;
    if (state) k.setState(state[0] ?? 0, state[1] ?? 0, state[2] ?? 0, state[3] ?? 0);
    const loss = k.lossAndGrads(last, count, this.dt, noiseStd, +this.trains('W'), +this.trains('W_in'), +this.trains('W_out'));
    if (state) for (let i = 0; i < 4; i++) state[i] = k.state(i);
    return { loss, sumOfSquares: k.gradientSumOfSquares() };
  }

  /** Number of trained weights (the gradient's length). */
  trainedCount(): number {
    return (this.trains('W') ? this.N * this.N : 0) + (this.trains('W_in') ? this.N * this.dIn : 0) + (this.trains('W_out') ? this.dOut * this.N : 0);
  }

  /** Copies of the last gradients of the trained weights, in WeightArrays layout. */
  gradients(): Map<ParamName, Float32Array> {
    const k = this.k;
    const out = new Map<ParamName, Float32Array>();
    if (this.trains('W')) out.set('W', this.readRows(k.gradW(), this.N, this.N));
    if (this.trains('W_in')) out.set('W_in', this.readTransposed(k.gradInT()));
    if (this.trains('W_out')) out.set('W_out', this.readRows(k.gradOut(), this.dOut, this.N));
    return out;
  }

  /** Adam's moments of the trained weights (WeightArrays layout) and its update count. */
  adamState(): { t: number; moments: Map<ParamName, { m: Float32Array; v: Float32Array }> } {
    const k = this.k;
    const moments = new Map<ParamName, { m: Float32Array; v: Float32Array }>();
    if (this.trains('W')) moments.set('W', { m: this.readRows(k.firstMomentW(), this.N, this.N), v: this.readRows(k.secondMomentW(), this.N, this.N) });
    if (this.trains('W_in')) moments.set('W_in', { m: this.readTransposed(k.firstMomentInT()), v: this.readTransposed(k.secondMomentInT()) });
    if (this.trains('W_out')) moments.set('W_out', { m: this.readRows(k.firstMomentOut(), this.dOut, this.N), v: this.readRows(k.secondMomentOut(), this.dOut, this.N) });
    return { t: this.t, moments };
  }

  /** Continues from another engine's Adam state. */
  setAdamState(t: number, moments: ReadonlyMap<ParamName, { m: Float32Array; v: Float32Array }>): void {
    const k = this.k;
    this.t = t;
    for (const [name, mv] of moments) {
      if (name === 'W') {
        this.writeRows(k.firstMomentW(), mv.m, this.N, this.N);
        this.writeRows(k.secondMomentW(), mv.v, this.N, this.N);
      } else if (name === 'W_out') {
        this.writeRows(k.firstMomentOut(), mv.m, this.dOut, this.N);
        this.writeRows(k.secondMomentOut(), mv.v, this.dOut, this.N);
      } else {
        this.writeTransposed(k.firstMomentInT(), mv.m);
        this.writeTransposed(k.secondMomentInT(), mv.v);
      }
    }
  }

  /** One Adam update from the last gradients (src/core/adam.ts's formula). */
  applyAdam(): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    this.k.adamStep(+this.trains('W'), +this.trains('W_in'), +this.trains('W_out'), this.beta1, this.beta2, this.eps, this.lr / bc1, Math.sqrt(bc2));
  }

  weights(): WeightArrays {
    const k = this.k;
    return {
      N: this.N,
      dIn: this.dIn,
      dOut: this.dOut,
      W: this.readRows(k.weightsW(), this.N, this.N),
      W_in: this.readTransposed(k.weightsInT()),
      W_out: this.readRows(k.weightsOut(), this.dOut, this.N),
      h0: this.h0.slice(),
    };
  }

  private trains(name: ParamName): boolean {
    if (name === 'W') return this.trainable.has('recurrent');
    if (name === 'W_out') return this.trainable.has('output');
    return this.trainable.has('input') && this.dIn > 0;
  }

  private configure(T: number): void {
    const k = this.k;
    if (!k.configure(this.N, this.B, this.dIn, this.dOut, T, this.chunkSteps)) {
      throw new Error(`The fused kernel could not get memory for N = ${this.N}, batch ${this.B}, ${T} time steps.`);
    }
    this.T = T;
    new Float64Array(k.memory.buffer, k.zigguratW(), ZIGGURAT.W.length).set(ZIGGURAT.W);
    new Float64Array(k.memory.buffer, k.zigguratInner(), ZIGGURAT.INNER.length).set(ZIGGURAT.INNER);
    new Float64Array(k.memory.buffer, k.zigguratF(), ZIGGURAT.F.length).set(ZIGGURAT.F);
  }

  /** A longer batch than any before: more room for the per-step buffers (weights and moments stay). */
  private grow(T: number): void {
    if (!this.k.reserveSteps(T)) throw new Error(`The fused kernel could not get memory for ${T} time steps at N = ${this.N}, batch ${this.B}.`);
    this.T = T;
  }

  private setWeights(w: WeightArrays): void {
    const k = this.k;
    this.writeRows(k.weightsW(), w.W, this.N, this.N);
    this.writeTransposed(k.weightsInT(), w.W_in);
    this.writeRows(k.weightsOut(), w.W_out, this.dOut, this.N);
  }

  /** [rows][cols] into the kernel's [rows][P] */
  private writeRows(ptr: number, src: Float32Array, rows: number, cols: number): void {
    const dst = this.f32(ptr, rows * this.P);
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * cols, (r + 1) * cols), r * this.P);
  }

  /** [N][dIn] into the kernel's [dIn][P] */
  private writeTransposed(ptr: number, src: Float32Array): void {
    const { N, dIn, P } = this;
    const dst = this.f32(ptr, dIn * P);
    for (let i = 0; i < N; i++) for (let j = 0; j < dIn; j++) dst[j * P + i] = src[i * dIn + j] ?? 0;
  }

  private readRows(ptr: number, rows: number, cols: number): Float32Array {
    const src = this.f32(ptr, rows * this.P);
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) out.set(src.subarray(r * this.P, r * this.P + cols), r * cols);
    return out;
  }

  /** [dIn][P] in the kernel to [N][dIn] */
  private readTransposed(ptr: number): Float32Array {
    const { N, dIn, P } = this;
    const src = this.f32(ptr, dIn * P);
    const out = new Float32Array(N * dIn);
    for (let i = 0; i < N; i++) for (let j = 0; j < dIn; j++) out[i * dIn + j] = src[j * P + i] ?? 0;
    return out;
  }

  private f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, length);
  }
}
