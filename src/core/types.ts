/**
 * The core's data contract. Everything here is plain data (numbers, typed arrays,
 * strings) so it crosses worker and process boundaries unchanged.
 *
 * Layout conventions used throughout the core:
 * - Time-major arrays: a quantity with shape [T][B][d] is a Float32Array of length
 *   T*B*d, index ((k*B + b)*d + i). Step k of the batch is the contiguous slice
 *   [k*B*d, (k+1)*B*d), which is what the training loop consumes.
 * - Matrices are row-major. W is N x N and acts as W @ tanh(x) (paper notation),
 *   W_in is N x d_in, W_out is d_out x N.
 * - Time is in units of the neuronal time constant; grid index k is t = k*dt.
 *
 * Config keys are snake_case because they are the spec's keys (src/spec), after
 * defaults are applied: the resolved spec is passed to the core as is.
 */

/** A seeded random stream. Never Math.random: runs must be reproducible bit for bit. */
export interface Rng {
  /** Uniform on [0, 1), 32 bits of resolution. */
  uniform(): number;
  /** Uniform on [lo, hi). */
  range(lo: number, hi: number): number;
  /** Uniform integer on {0, ..., n-1}. */
  int(n: number): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** out[i] = scale * N(0,1), or out[i] += scale * N(0,1) when add is true. */
  fillNormal(out: Float32Array, scale?: number, add?: boolean): void;
}

export type TaskKind = 'cycling' | 'flipflop' | 'mante' | 'romo' | 'complex_sine' | 'sine';

/** Parameters every task has. Durations are in time units, converted with int(T/dt). */
export interface CommonTaskParams {
  /** Keep only grid indices k with k % mask_step == 0 in the loss mask (paper: 5; complex sine 2). */
  mask_step: number;
}
/** docs/science.md §3.1 */
export interface CyclingParams extends CommonTaskParams {
  kind: 'cycling';
  /** context pulse length (1) */
  stim: number;
  /** response window length (71; the quick demo uses 31) */
  response: number;
  /** rotation frequency (0.1) */
  freq: number;
}
/** docs/science.md §3.2 */
export interface FlipflopParams extends CommonTaskParams {
  kind: 'flipflop';
  bits: number;
  duration: number;
  stim: number;
  grace: number;
  /** first onset ~ U(0, fix_max) */
  fix_max: number;
  gap_min: number;
  gap_max: number;
}
/** docs/science.md §3.3 */
export interface ManteParams extends CommonTaskParams {
  kind: 'mante';
  fix: number;
  stim: number;
  delay: number;
  decision: number;
  /** sensory noise std per step is input_noise / sqrt(dt) (0.05) */
  input_noise: number;
  /** positive coherence magnitudes; signs are drawn (1/8, 1/4, 1/2, 1) */
  coherences: number[];
}
/** docs/science.md §3.4 */
export interface RomoParams extends CommonTaskParams {
  kind: 'romo';
  fix_min: number;
  fix_max: number;
  stim: number;
  delay_min: number;
  delay_max: number;
  decision_delay: number;
  decision: number;
  f_min: number;
  f_max: number;
  min_diff: number;
}
/** docs/science.md §3.5 */
export interface ComplexSineParams extends CommonTaskParams {
  kind: 'complex_sine';
  duration: number;
  f_min: number;
  f_max: number;
  offset: number;
}
/** docs/science.md §3.6 (simple sine of the Methods) */
export interface SineParams extends CommonTaskParams {
  kind: 'sine';
  duration: number;
  freq: number;
  /** the evaluation (analysis) batch runs this long (63) */
  eval_duration: number;
}
export type TaskParams =
  | CyclingParams | FlipflopParams | ManteParams | RomoParams | ComplexSineParams | SineParams;

/** One batch of trials: inputs, targets and the loss mask on the time grid. */
export interface TaskBatch {
  /** trials */
  readonly B: number;
  /** grid points n_t */
  readonly T: number;
  readonly dIn: number;
  readonly dOut: number;
  /** [T][B][dIn] */
  readonly inputs: Float32Array;
  /** [T][B][dOut] */
  readonly targets: Float32Array;
  /** [T][B][dOut], 1 where the loss counts, after mask_step subsampling */
  readonly mask: Float32Array;
  /** [B] condition index of each trial (colour in the 3D view) */
  readonly condition: Int32Array;
  /** one label per condition index */
  readonly conditionLabels: readonly string[];
}

/** A task as the registry holds it. */
export interface TaskDef<P extends TaskParams = TaskParams> {
  readonly kind: P['kind'];
  readonly title: string;
  /** Markdown, a few sentences: what the network must do, inputs, outputs, timing. */
  readonly description: string;
  /** Where the task comes from (paper and section). */
  readonly citation: string;
  dims(p: P): { dIn: number; dOut: number };
  /** Number of grid points n_t for a training batch. */
  steps(p: P, dt: number): number;
  /** A fresh batch. All randomness from rng. `evaluation` selects evaluation timing (sine runs longer). */
  generate(p: P, B: number, dt: number, rng: Rng, evaluation?: boolean): TaskBatch;
  /** Why these params and batch size cannot work (e.g. an odd batch for cycling), or undefined. */
  check?(p: P, B: number, dt: number): string | undefined;
}

export type TrainableSet = 'input' | 'recurrent' | 'output';
/** fused: the WebAssembly kernel of src/kernel; the others are tfjs backends. */
export type BackendName = 'fused' | 'wasm' | 'webgl' | 'webgpu' | 'cpu';
export type BackendChoice = 'auto' | BackendName;
export type AnalysisKind = 'correlation' | 'dimensions' | 'noise' | 'perturbation';

export interface NetworkConfig {
  N: number;
  /** recurrent gain: W entries ~ N(0, g^2/N) */
  g: number;
  dt: number;
  /** 'small' (std 1/N, aligned), 'large' (std 1/sqrt N, oblique), or sigma_out: W_out std sigma_out/sqrt(N) */
  output_scale: 'small' | 'large' | number;
  train: TrainableSet[];
  /** std of the fixed random initial state h_0 shared by all trials (0: h_0 = 0) */
  h0_std: number;
}
export interface NoiseConfig {
  /** sigma_noise: state noise intensity; per step std sqrt(dt)*sigma */
  state: number;
  /** sigma_init: x_0 = h_0 + sigma_init * xi */
  initial: number;
}
export interface TrainingConfig {
  steps: number;
  batch: number;
  /** Adam learning rate is lr0 / N */
  lr0: number;
  seed: number;
  backend: BackendChoice;
}
export interface EvaluationConfig {
  /** trials of the evaluation batch (32), drawn once per task, shared by all runs of the spec */
  batch: number;
  /** seed of the evaluation batch (independent of the training seed) */
  seed: number;
  /** grace period excluded from the measures (10) */
  t_min: number;
  /** compute measures and the projected trajectories every k training steps (0: only at the end) */
  every: number;
  /** a run has learned the task when its noise-free evaluation loss is at most this (0.05) */
  learned_threshold: number;
}
export interface ViewConfig {
  trials: number;
  readout_arrows: boolean;
}

/** The value of a swept field at one grid point (a spec's `sweep`). */
export type SweepValue = number | string | boolean | (number | string)[];

/** One concrete run: a spec after defaults, variant overrides, sweep point and seed expansion. */
export interface RunConfig {
  /** unique, filesystem-safe within the spec, e.g. "oblique-s1" or "oblique-n128-s1": the run's id */
  name: string;
  variant: string;
  seed_index: number;
  /** the run's grid point, sweep key to value (e.g. { "network.N": 128 }); only in specs with a sweep */
  coordinates?: Record<string, SweepValue>;
  task: TaskParams;
  network: NetworkConfig;
  noise: NoiseConfig;
  training: TrainingConfig;
  evaluation: EvaluationConfig;
  analysis: AnalysisKind[];
  view: ViewConfig;
}
