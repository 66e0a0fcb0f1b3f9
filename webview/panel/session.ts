/**
 * What the panel shows: a session is the list of runs of one Train press (live), one
 * stored run (Open run) or several stored runs side by side (Compare runs). The router
 * writes it; views read it when the store says it changed.
 */
import type { PerturbationCurves } from '../../src/core/analysis/perturbation/curves';
import type { RunConfig } from '../../src/core/types';
import type { DissimilarityMessage, EvaluationSummary, SessionRef, ViewData } from '../../src/protocol';
import type { ExplorerData } from './explorer/explorer-data';

export type RunStatus = 'queued' | 'training' | 'finished' | 'stopped' | 'failed';

/** The scalar measures the tables show, keyed like EvaluationSummary and metrics.json. */
export type MeasureKey = 'train_loss' | 'eval_loss' | 'rho' | 'rho_sqrtN' | 'w_out_norm' | 'x_norm' | 'dx90' | 'dfit90' | 'noise_ratio' | 'rel_susceptibility';
export type Measures = Partial<Record<MeasureKey, number | null>>;

export interface MeasureDef {
  key: MeasureKey;
  label: string;
  /** hover text: what it is, with the docs/science.md section */
  title: string;
}

/**
 * In the order the tables show them: the regime's signature first (ρ, ρ√N and the noise
 * ratio fit a 620 px panel without scrolling), the norms and dimensions after.
 */
export const MEASURES: readonly MeasureDef[] = [
  { key: 'eval_loss', label: 'eval loss', title: 'Masked MSE of the noise-free evaluation batch (docs/science.md §4.0)' },
  { key: 'rho', label: 'ρ', title: 'Generalised correlation between the readout and the states (docs/science.md §4.1): large when aligned' },
  { key: 'rho_sqrtN', label: 'ρ√N', title: 'ρ times √N: of order 1 in the oblique regime' },
  { key: 'noise_ratio', label: 'noise ratio', title: 'Noise variance along w_out over a random direction (docs/science.md §4.5): < 1 means compressed' },
  { key: 'rel_susceptibility', label: 'rel. susc.', title: 'Relative susceptibility (docs/science.md §4.6): loss under kicks along w_out over kicks along the top PCs; lower when oblique. Final evaluation of a learned run only' },
  { key: 'dx90', label: 'D_x90', title: 'PCs needed for 90% of the state variance (docs/science.md §4.3)' },
  { key: 'dfit90', label: 'D_fit90', title: 'PCs needed to fit the output with R² > 0.9 (docs/science.md §4.4)' },
  { key: 'w_out_norm', label: '‖w_out‖', title: 'RMS of the W_out entries times √N (docs/science.md §4.2)' },
  { key: 'x_norm', label: '‖x‖', title: 'RMS state entry times √N, after the grace period (docs/science.md §4.2)' },
];

/** The final table also has the training loss at the end. */
export const FINAL_MEASURES: readonly MeasureDef[] = [
  { key: 'train_loss', label: 'train loss', title: 'Mean training loss over the last 5% of steps' },
  ...MEASURES,
];

/** One evaluation during training: its step and scalars (the measures-over-training charts). */
export interface EvaluationPoint extends Measures {
  step: number;
}

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
  /** every evaluation so far, in step order */
  evaluations: EvaluationPoint[];
  /** the latest evaluation's display data, its step, and whether it was the final evaluation */
  view?: ViewData;
  viewStep: number;
  viewFinal: boolean;
  /** explained-variance ratios of the first PCs and R² of the output fit on k PCs, of the latest evaluation */
  explained?: readonly number[];
  r2Curve?: readonly number[];
  /** measures of the final evaluation, once the run ended */
  final?: Measures;
  stepsPerSecond: number;
  /** from the worker's `started`: estimated peak bytes of one training step, trainable parameters */
  memoryBytes?: number;
  /** the backend it trains on (from `started`; a lost GPU moves it): the run strip and the header's summary name it */
  backend?: string;
  parameters?: number;
  /** why it failed, or where the host stored it */
  note?: string;
  /** the run folder it was read from or stored in */
  folder?: string;
  /** the final network and evaluation batch, for the perturbation explorer, once a run trained in this page finished */
  explorer?: ExplorerData;
  /** a stored run's network asked of the host (its folder holds it) and not here yet, or why the host could not read it */
  explorerLoad?: 'loading' | { problem: string };
  /** the perturbation experiment's curves (docs/science.md §4.6), once a learned run finished */
  perturbation?: PerturbationCurves;
  /** from the final evaluation: whether the network learned the task (docs/science.md §6), and why not */
  learned?: Learned;
}

export interface Learned {
  ok: boolean;
  /** for a network that has not learned: a sentence with its evaluation loss and the threshold */
  reason?: string;
}

/**
 * The learned flag of a final evaluation or a stored run's metrics. A network that has not
 * learned the task has no regime: its rho is shown, but marked, so nobody reads it as one.
 */
export function learnedOf(flag: unknown, evalLoss: unknown, threshold: unknown): Learned | undefined {
  if (typeof flag !== 'boolean') return undefined;
  if (flag) return { ok: true };
  const loss = typeof evalLoss === 'number' && Number.isFinite(evalLoss) ? evalLoss.toPrecision(3) : 'unknown';
  const bound = typeof threshold === 'number' ? ` > ${threshold}` : '';
  return { ok: false, reason: `not learned: evaluation loss ${loss}${bound}, so its measures show no regime (docs/science.md §6)` };
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
    evaluations: [],
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

/** A list of numbers from host data, or undefined. */
export function numberList(v: unknown): number[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null) ? v.map((x) => (typeof x === 'number' ? x : NaN)) : undefined;
}

export type SessionKind = 'live' | 'stored' | 'compare';

/** The dissimilarity across a session's runs (docs/science.md §4.7) as the host last said it. */
export type DissimilarityState = DistributiveOmit<DissimilarityMessage, 'type' | 'session'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class Session {
  readonly runs: RunEntry[];
  /** computing, its matrix, or why there is none; undefined until the host says */
  dissimilarity: DissimilarityState | undefined;
  /** variant names in the spec's order: a variant's colour is its place here, the same in every panel */
  private readonly order: string[];

  constructor(
    readonly kind: SessionKind,
    runs: RunConfig[],
    /** the host's training session, for live runs that train (not for runs only shown) */
    readonly ref?: SessionRef,
    /** the spec's variant order, when the runs are not all of them (a stored run) */
    variantOrder?: readonly string[],
  ) {
    this.runs = runs.map((r) => newEntry(r, ref?.id));
    this.order = [...new Set([...(variantOrder ?? []), ...this.runs.map((r) => r.run.variant)])];
  }

  /** Variant names in spec order: one 3D view and one colour each (compare: one per run). */
  variants(): string[] {
    if (this.kind === 'compare') return this.runs.map((r) => r.run.name);
    return [...new Set(this.runs.map((r) => r.run.variant))];
  }

  /** The view (variant, or run in a compare session) a run is drawn in. */
  groupOf(entry: RunEntry): string {
    return this.kind === 'compare' ? entry.run.name : entry.run.variant;
  }

  /** The colour index of a view group: the variant's place in the spec, or the run's in a comparison. */
  colourIndex(group: string): number {
    if (this.kind === 'compare') return Math.max(0, this.runs.findIndex((r) => r.run.name === group));
    const i = this.order.indexOf(group);
    return i >= 0 ? i : this.order.length;
  }

  seeds(): number[] {
    return [...new Set(this.runs.map((r) => r.run.training.seed))].sort((a, b) => a - b);
  }

  byName(name: string): RunEntry | undefined {
    return this.runs.find((r) => r.run.name === name);
  }

  /** A run not in the session yet (a stored run of a reloaded session whose spec has changed since). */
  add(run: RunConfig): RunEntry {
    const entry = newEntry(run, this.ref?.id);
    this.runs.push(entry);
    if (!this.order.includes(run.variant)) this.order.push(run.variant);
    return entry;
  }

  /** The run whose trajectories a view shows: the one training, else the latest with a view. */
  shownRun(group: string): RunEntry | undefined {
    const of = this.runs.filter((r) => this.groupOf(r) === group);
    return of.find((r) => r.status === 'training' && r.view) ?? [...of].reverse().find((r) => r.view) ?? of.find((r) => r.status === 'training') ?? of[0];
  }
}
