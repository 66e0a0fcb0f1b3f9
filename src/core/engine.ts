/**
 * What a training step runs on. Two engines compute the same step (docs/science.md §2):
 * - tfjs: the hand-written BPTT of bptt.ts on the active tfjs backend (wasm, webgl,
 *   webgpu or cpu), weights as tfjs variables;
 * - fused: the WebAssembly kernel of src/kernel, one call per step, weights in its memory.
 * Training (train.ts), calibration (backend.ts) and `rnnlab bench` all step through this
 * interface, so what is timed is what trains.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BackendName, TrainableSet } from './types';
import { Network, type WeightArrays } from './model';
import { Adam } from './adam';
import type { BatchRun, ParamName } from './bptt';
import { DivergenceError, trainStep } from './step';
import { FusedTrainer } from '../kernel/fused';

export interface StepResult {
  loss: number;
  /** RMS of all gradient entries, before the update */
  gradRms: number;
}

/** Where a run is after a step: enough to continue it on another engine (a lost GPU). */
export interface EngineState {
  weights: WeightArrays;
  /** Adam's update count */
  t: number;
  /** Adam's moments of the trained weights */
  moments: Map<ParamName, { m: Float32Array; v: Float32Array }>;
}

export interface TrainingEngine {
  /** the backend the steps run on, as shown to users */
  readonly backend: BackendName;
  /** One optimiser step on this batch. Throws DivergenceError, and applies nothing, when the loss or a gradient is not finite. */
  step(run: BatchRun, step: number): StepResult;
  /** The current weights as a tfjs Network on the active tfjs backend (for evaluation). Owned by the engine; valid until the next step. */
  network(): Network;
  weights(): WeightArrays;
  /** number of trained weights */
  trainableCount(): number;
  /** a copy of the weights and Adam's state */
  state(): EngineState;
  dispose(): void;
}

export interface EngineInit {
  weights: WeightArrays;
  train: readonly TrainableSet[];
  dt: number;
  /** training.lr0; Adam runs at lr0 / N */
  lr0: number;
  /** trials per batch */
  B: number;
  /** grid points of the task */
  T: number;
}

/**
 * An engine on `backend`, from the initial weights or, with `from`, continuing another
 * engine's run. The tfjs engines use whatever tfjs backend is active (backend.ts starts it).
 */
export function createEngine(backend: BackendName, init: EngineInit, from?: EngineState): TrainingEngine {
  return backend === 'fused' ? new FusedEngine(init, from) : new TfjsEngine(backend, init, from);
}

class TfjsEngine implements TrainingEngine {
  private readonly net: Network;
  private readonly adam: Adam;

  constructor(
    readonly backend: BackendName,
    private readonly init: EngineInit,
    from?: EngineState,
  ) {
    this.net = new Network(from?.weights ?? init.weights, init.train);
    this.adam = new Adam({ lr: init.lr0 / init.weights.N });
    if (from) {
      this.adam.t = from.t;
      for (const [name, mv] of from.moments) this.adam.setMoments(this.variable(name), mv.m, mv.v);
    }
  }

  state(): EngineState {
    const moments = new Map<ParamName, { m: Float32Array; v: Float32Array }>();
    for (const name of ['W', 'W_in', 'W_out'] as const) {
      if (this.trains(name)) moments.set(name, this.adam.moments(this.variable(name)));
    }
    return { weights: this.net.toArrays(), t: this.adam.t, moments };
  }

  private trains(name: ParamName): boolean {
    const t = this.net.trainable;
    return name === 'W' ? t.has('recurrent') : name === 'W_out' ? t.has('output') : t.has('input') && this.net.W_in !== null;
  }

  private variable(name: ParamName): tf.Variable {
    if (name === 'W') return this.net.W;
    if (name === 'W_out') return this.net.W_out;
    if (!this.net.W_in) throw new Error('The network has no input weights.');
    return this.net.W_in;
  }

  step(run: BatchRun, step: number): StepResult {
    return trainStep(this.net, this.adam, this.init.dt, run, step, this.init.lr0);
  }

  network(): Network {
    return this.net;
  }

  weights(): WeightArrays {
    return this.net.toArrays();
  }

  trainableCount(): number {
    return (['W', 'W_in', 'W_out'] as const).reduce((n, name) => n + (this.trains(name) ? this.variable(name).size : 0), 0);
  }

  dispose(): void {
    this.net.dispose();
    this.adam.dispose();
  }
}

/** The fused kernel; evaluation gets a tfjs copy of the weights, made when asked for. */
class FusedEngine implements TrainingEngine {
  readonly backend = 'fused' as const;
  private readonly trainer: FusedTrainer;
  private copy: { net: Network; step: number } | undefined;
  private steps = 0;

  constructor(
    private readonly init: EngineInit,
    from?: EngineState,
  ) {
    this.trainer = new FusedTrainer(from?.weights ?? init.weights, init.train, { B: init.B, T: init.T, dt: init.dt, lr: init.lr0 / init.weights.N });
    if (from) this.trainer.setAdamState(from.t, from.moments);
  }

  state(): EngineState {
    const { t, moments } = this.trainer.adamState();
    return { weights: this.trainer.weights(), t, moments };
  }

  step(run: BatchRun, step: number): StepResult {
    const { loss, sumOfSquares } = this.trainer.lossAndGrads(run);
    if (!Number.isFinite(loss)) throw new DivergenceError(step, 'the loss', this.init.lr0);
    // A NaN state after the last masked step cannot reach the loss but does reach dW.
    if (!Number.isFinite(sumOfSquares)) throw new DivergenceError(step, 'the gradient (so the states)', this.init.lr0);
    this.trainer.applyAdam();
    this.steps++;
    const count = this.trainer.trainedCount();
    return { loss, gradRms: count ? Math.sqrt(sumOfSquares / count) : 0 };
  }

  network(): Network {
    if (this.copy?.step !== this.steps) {
      this.copy?.net.dispose();
      this.copy = { net: new Network(this.trainer.weights(), this.init.train), step: this.steps };
    }
    return this.copy.net;
  }

  weights(): WeightArrays {
    return this.trainer.weights();
  }

  trainableCount(): number {
    return this.trainer.trainedCount();
  }

  dispose(): void {
    this.copy?.net.dispose();
    this.copy = undefined;
  }
}
