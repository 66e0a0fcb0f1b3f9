/**
 * The worker's side of the explorer channel (src/protocol/explorer.ts): keeps each view's
 * network and answers the latest kick of each view. Kicks come as fast as the user drags;
 * the service waits one turn of the event loop before simulating, so that every kick
 * already queued has arrived, and simulates only the newest of each view: an answer to an
 * amplitude the slider has left is work nobody looks at.
 *
 * Needs no tfjs backend: a kick is one trial in plain JavaScript (core/analysis/perturbation/kick.ts).
 */
import { toEnvelope } from '../../src/core/pack';
import { KickableTrial, kickDirection, projectStates, trialInputs, type KickNetwork, type TrialRun } from '../../src/core/analysis/perturbation/kick';
import { decodeExplorerSetup, type ExplorerSetup, type FromExplorer, type KickAnswer, type KickDirection, type KickRequest, type ProjectedRun, type ToExplorer } from '../../src/protocol';

export interface ExplorerHost {
  post(msg: FromExplorer, transfer: ArrayBuffer[]): void;
  /** resolves after the messages queued now have been handled (a macrotask turn) */
  yieldTurn(): Promise<void>;
  now(): number;
}

/** Trials whose unperturbed run is kept per view (each is T x N floats). */
const TRIALS_KEPT = 8;

export class ExplorerService {
  private readonly views = new Map<string, ViewNetwork>();
  private readonly pending = new Map<string, { seq: number; request: KickRequest }>();
  private flushing = false;
  /** kicks simulated since the start (superseded ones are not): for tests and diagnostics */
  simulated = 0;

  constructor(private readonly host: ExplorerHost) {}

  handle(msg: ToExplorer): void {
    switch (msg.type) {
      case 'explorerSetup':
        try {
          this.views.set(msg.key, new ViewNetwork(decodeExplorerSetup(msg.setup)));
        } catch (e) {
          this.views.delete(msg.key);
          this.host.post({ type: 'kickFailed', key: msg.key, seq: -1, message: (e as Error).message }, []);
        }
        return;
      case 'kick':
        this.pending.set(msg.key, { seq: msg.seq, request: msg.request });
        this.schedule();
        return;
      case 'explorerForget':
        this.views.delete(msg.key);
        this.pending.delete(msg.key);
        return;
    }
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    void this.host.yieldTurn().then(() => {
      this.flushing = false;
      const due = [...this.pending];
      this.pending.clear();
      for (const [key, { seq, request }] of due) this.answer(key, seq, request);
    });
  }

  private answer(key: string, seq: number, request: KickRequest): void {
    const view = this.views.get(key);
    if (!view) {
      this.host.post({ type: 'kickFailed', key, seq, message: 'The explorer has no network for this view (it was never sent or was forgotten).' }, []);
      return;
    }
    try {
      const started = this.host.now();
      const answer = view.kick(request);
      this.simulated++;
      answer.ms = this.host.now() - started;
      const env = toEnvelope(answer);
      this.host.post({ type: 'kicked', key, seq, answer: env }, [env.buffer]);
    } catch (e) {
      this.host.post({ type: 'kickFailed', key, seq, message: (e as Error).message }, []);
    }
  }
}

/** One view's network, its kickable trials and its directions. */
class ViewNetwork {
  private readonly net: KickNetwork;
  private readonly trials = new Map<number, { trial: KickableTrial; unperturbed: ProjectedRun }>();
  private readonly directions = new Map<KickDirection, Float64Array | null>();

  constructor(private readonly setup: ExplorerSetup) {
    const { N, dIn, dOut, dt, W, W_in, W_out } = setup;
    this.net = { N, dIn, dOut, dt, W, W_in, W_out };
  }

  kick(r: KickRequest): KickAnswer {
    const { N, T } = this.setup;
    if (r.trial >= this.setup.B) throw new Error(`There is no trial ${r.trial}: the evaluation batch has ${this.setup.B}.`);
    if (r.step >= T) throw new Error(`Grid index ${r.step} is past the trial's end (${T} points).`);
    const v = this.direction(r.direction);
    if (!v) throw new Error(`This network has no ${r.direction} direction${r.direction === 'w_in' ? ' (the task has no input)' : ''}.`);
    const { trial, unperturbed } = this.trial(r.trial);
    const run = trial.kick(r.step, v, r.amplitude);
    let d = 0;
    for (let i = 0; i < N; i++) d += ((run.states[(T - 1 - r.step) * N + i] ?? 0) - (trial.unperturbed.states[(T - 1) * N + i] ?? 0)) ** 2;
    return { request: r, unperturbed, perturbed: this.project(run), finalDistance: Math.sqrt(d / N), ms: 0 };
  }

  private trial(b: number): { trial: KickableTrial; unperturbed: ProjectedRun } {
    const hit = this.trials.get(b);
    if (hit) {
      // most recently used last
      this.trials.delete(b);
      this.trials.set(b, hit);
      return hit;
    }
    const { N, T, B, dIn, inputs, x0 } = this.setup;
    const trial = new KickableTrial(this.net, trialInputs(inputs, T, B, dIn, b), T, x0.subarray(b * N, (b + 1) * N));
    const entry = { trial, unperturbed: this.project(trial.unperturbed) };
    this.trials.set(b, entry);
    const oldest = this.trials.keys().next().value;
    if (this.trials.size > TRIALS_KEPT && oldest !== undefined) this.trials.delete(oldest);
    return entry;
  }

  private direction(kind: KickDirection): Float64Array | null {
    if (!this.directions.has(kind)) {
      const { N, dIn, dOut, W_in, W_out, bases, seed } = this.setup;
      this.directions.set(kind, kickDirection(kind, { N, dIn, dOut, W_in, W_out, pcs: bases.pca, seed }));
    }
    return this.directions.get(kind) ?? null;
  }

  private project(run: TrialRun): ProjectedRun {
    const { N, T, bases } = this.setup;
    const rows = T - run.from;
    return {
      pca: projectStates(run.states, rows, N, bases.pca),
      readout: bases.readout ? projectStates(run.states, rows, N, bases.readout) : null,
      outputs: run.outputs,
    };
  }
}
