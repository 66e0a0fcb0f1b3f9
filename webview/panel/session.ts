/**
 * What the panel shows: a session is the list of runs of one Train press (live) or one
 * stored run (Open run). Views read it; the app and the run queue write it.
 */
import type { RunConfig } from '../../src/core/types';
import type { EvaluationSummary, SessionRef, ViewData } from '../../src/protocol';

export type RunStatus = 'queued' | 'training' | 'finished' | 'stopped' | 'failed';

/** The scalar measures the tables show, keyed like EvaluationSummary and metrics.json. */
export type MeasureKey = 'train_loss' | 'eval_loss' | 'rho' | 'rho_sqrtN' | 'w_out_norm' | 'x_norm' | 'dx90' | 'dfit90' | 'noise_ratio';
export type Measures = Partial<Record<MeasureKey, number | null>>;

export interface MeasureDef {
  key: MeasureKey;
  label: string;
  /** hover text: what it is, with the docs/science.md section */
  title: string;
}

export const MEASURES: readonly MeasureDef[] = [
  { key: 'eval_loss', label: 'eval loss', title: 'Masked MSE of the noise-free evaluation batch (docs/science.md §4.0)' },
  { key: 'rho', label: 'ρ', title: 'Generalised correlation between the readout and the states (docs/science.md §4.1): large when aligned' },
  { key: 'rho_sqrtN', label: 'ρ√N', title: 'ρ times √N: of order 1 in the oblique regime' },
  { key: 'w_out_norm', label: '‖w_out‖', title: 'RMS of the W_out entries times √N (docs/science.md §4.2)' },
  { key: 'x_norm', label: '‖x‖', title: 'RMS state entry times √N, after the grace period (docs/science.md §4.2)' },
  { key: 'dx90', label: 'D_x90', title: 'PCs needed for 90% of the state variance (docs/science.md §4.3)' },
  { key: 'dfit90', label: 'D_fit90', title: 'PCs needed to fit the output with R² > 0.9 (docs/science.md §4.4)' },
  { key: 'noise_ratio', label: 'noise ratio', title: 'Noise variance along w_out over a random direction (docs/science.md §4.5): < 1 means compressed' },
];

/** The final table also has the training loss at the end. */
export const FINAL_MEASURES: readonly MeasureDef[] = [
  { key: 'train_loss', label: 'train loss', title: 'Mean training loss over the last 5% of steps' },
  ...MEASURES,
];

export interface RunEntry {
  readonly run: RunConfig;
  /** SessionRef.id of the host session that started it: its result goes back under this id */
  readonly session: string | undefined;
  status: RunStatus;
  /** steps completed */
  step: number;
  readonly steps: number;
  /** training loss per step; the first lossCount(entry) are set */
  losses: Float32Array;
  /** the latest evaluation's scalars and the step it was taken at */
  summary?: EvaluationSummary;
  summaryStep: number;
  /** eval loss of every evaluation so far, for the loss chart */
  evalLosses: { step: number; loss: number }[];
  /** the latest evaluation's display data, its step, and whether it was the final evaluation */
  view?: ViewData;
  viewStep: number;
  viewFinal: boolean;
  /** measures of the final evaluation, once the run ended */
  final?: Measures;
  stepsPerSecond: number;
  /** from the worker's `started`: estimated peak bytes of one training step, trainable parameters */
  memoryBytes?: number;
  parameters?: number;
  /** why it failed, or where the host stored it */
  note?: string;
}

export function newEntry(run: RunConfig, session?: string): RunEntry {
  return {
    run,
    session,
    status: 'queued',
    step: 0,
    steps: run.training.steps,
    losses: new Float32Array(run.training.steps),
    summaryStep: 0,
    evalLosses: [],
    viewStep: 0,
    viewFinal: false,
    stepsPerSecond: 0,
  };
}

/** How many of entry.losses are set: one per step completed. */
export function lossCount(entry: RunEntry): number {
  return Math.min(entry.step, entry.losses.length);
}

/**
 * The FINAL_MEASURES of an EvaluationSummary (it has no train_loss) or of a stored
 * metrics.json (where NaN was written as null): each a number, else null.
 */
export function pickMeasures(source: EvaluationSummary | Readonly<Record<string, unknown>>): Measures {
  const out: Measures = {};
  for (const { key } of FINAL_MEASURES) {
    const v = (source as Readonly<Record<string, unknown>>)[key];
    out[key] = typeof v === 'number' ? v : null;
  }
  return out;
}

export class Session {
  readonly runs: RunEntry[];

  constructor(
    readonly kind: 'live' | 'stored',
    runs: RunConfig[],
    /** the host's training session, for live runs that train (not for runs only shown) */
    readonly ref?: SessionRef,
  ) {
    this.runs = runs.map((r) => newEntry(r, ref?.id));
  }

  /** Variant names in spec order: one 3D view and one loss colour each. */
  variants(): string[] {
    return [...new Set(this.runs.map((r) => r.run.variant))];
  }

  seeds(): number[] {
    return [...new Set(this.runs.map((r) => r.run.training.seed))].sort((a, b) => a - b);
  }

  byName(name: string): RunEntry | undefined {
    return this.runs.find((r) => r.run.name === name);
  }

  /** The run whose trajectories the variant's 3D view shows: the one training, else the latest with a view. */
  shownRun(variant: string): RunEntry | undefined {
    const of = this.runs.filter((r) => r.run.variant === variant);
    return of.find((r) => r.status === 'training' && r.view) ?? [...of].reverse().find((r) => r.view) ?? of[0];
  }
}
