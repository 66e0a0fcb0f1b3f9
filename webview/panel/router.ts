/**
 * Turns messages into state changes (docs/architecture.md, The panel and the host): the host's ToPanel messages
 * and the run queue's events write the store and say what changed; the views, which
 * subscribe to the store, do the rest. Messages back to the host go out from here.
 */
import { perturbationCurves } from '../../src/core/analysis/perturbation/curves';
import type { PerturbationResult } from '../../src/core/analysis/perturbation';
import { tailMean } from '../../src/core/metrics';
import { fromEnvelope, type Envelope } from '../../src/core/pack';
import type { RunConfig } from '../../src/core/types';
import type { EvaluationSummary, FromPanel, SessionRef, StoredRunData, ToPanel } from '../../src/protocol';
import type { TrainerClient } from '../../src/trainer/client';
import { describePool } from '../../src/trainer/pool-size';
import { backendCounts } from '../../src/core/backend-counts';
import { explorerDataOf, storedExplorerData } from './explorer/explorer-data';
import { RateMeter } from './rate-meter';
import type { QueueListener, RunQueue } from './run-queue';
import { learnedOf, lossCount, numberList, pickMeasures, Session, type RunEntry } from './session';
import type { PanelStore } from './store';
import { decodeViewData } from '../../src/protocol/view';
import { decodeStoredNetwork } from '../../src/protocol/explorer';

export interface RouterDeps {
  store: PanelStore;
  queue: () => RunQueue;
  send(msg: FromPanel, transfer?: ArrayBuffer[]): void;
  /** the status for the host (throttled) changed: state, progress or loss */
  pushStatus(): void;
  /** the render scheduler's visibility */
  setVisible(visible: boolean): void;
}

export class PanelRouter implements QueueListener {
  /** steps per second of each run in progress */
  private readonly rates = new Map<RunEntry, RateMeter>();
  private disposed = false;

  constructor(private readonly d: RouterDeps) {}

  private get store(): PanelStore {
    return this.d.store;
  }

  dispose(): void {
    this.disposed = true;
  }

  handle(msg: ToPanel): void {
    if (this.disposed) return;
    const s = this.store;
    switch (msg.type) {
      case 'init':
        s.specName = msg.specName;
        return this.startLive(msg.runs, msg.session, msg.autoStart, msg.maxWorkers);
      case 'train':
        s.specChanged = undefined;
        return this.startLive(msg.runs, msg.session, true, msg.maxWorkers);
      case 'notice':
        if (msg.level === 'error') s.error = msg.message;
        else s.note = msg.message;
        return s.emit({ topic: 'header' });
      case 'pause':
        return this.pause();
      case 'resume':
        return this.resume();
      case 'stop':
        return this.stop();
      case 'specChanged':
        s.specChanged = { changed: msg.changed, valid: msg.valid };
        return s.emit({ topic: 'header' });
      case 'visibility':
        return this.d.setVisible(msg.visible);
      case 'showRuns':
        return this.showRuns(msg.purpose, msg.runs, msg.variants);
      case 'stored': {
        const entry = s.live?.byName(msg.runName);
        if (entry) {
          entry.note = `saved in ${msg.folder}`;
          entry.folder = msg.folder;
          s.emit({ topic: 'run', entry, what: 'status' });
        }
        s.note = `Saved ${msg.runName} in ${msg.folder}.`;
        return s.emit({ topic: 'header' });
      }
      case 'storeFailed':
        s.error = `Could not save ${msg.runName}: ${msg.message}`;
        return s.emit({ topic: 'header' });
      case 'dissimilarity':
        return this.dissimilarity(msg);
      case 'explorerNetwork':
        return this.explorerNetwork(msg.folder, (entry) => {
          try {
            const data = storedExplorerData(entry.run, decodeStoredNetwork(msg.network, entry.run.network.N));
            if (!data) return { problem: 'The run folder holds no network the explorer can use.' };
            entry.explorer = data;
            return undefined;
          } catch (err) {
            return { problem: (err as Error).message };
          }
        });
      case 'explorerUnavailable':
        return this.explorerNetwork(msg.folder, () => ({ problem: msg.message }));
      case 'recordingInit':
      case 'recordingProgress':
      case 'recordingResult':
      case 'recordingFailed':
        // the recordings page's messages (recording/recording-app.ts); a panel of runs never gets them
        return;
      default: {
        const never: never = msg;
        this.d.send({ type: 'log', level: 'warn', message: `panel ignored ${JSON.stringify(never)}` });
      }
    }
  }

  /** A live session's dissimilarity goes to that session only (a Train since made another); any other to the session shown. */
  private dissimilarity(msg: Extract<ToPanel, { type: 'dissimilarity' }>): void {
    const s = this.store;
    const target = msg.session === undefined ? s.shown : s.live?.ref?.id === msg.session ? s.live : undefined;
    if (target === undefined) return;
    const { type: _type, session: _session, ...state } = msg;
    target.dissimilarity = state;
    s.emit({ topic: 'dissimilarity', session: target });
  }

  /**
   * A stored run's view was first kicked: ask the host for the network in its run folder
   * (once; the answer comes as explorerNetwork). Runs trained in this page have theirs.
   */
  requestExplorer(entry: RunEntry): void {
    if (entry.explorer || entry.explorerLoad === 'loading' || entry.folder === undefined) return;
    entry.explorerLoad = 'loading';
    this.d.send({ type: 'explorerRequest', folder: entry.folder });
    this.store.emit({ topic: 'run', entry, what: 'status' });
  }

  /** The host's answer for a run folder, into every entry of it still shown (a stored run and the live session may both have it). */
  private explorerNetwork(folder: string, fill: (entry: RunEntry) => { problem: string } | undefined): void {
    const entries = new Set([...this.store.shown.runs, ...(this.store.live?.runs ?? [])].filter((e) => e.folder === folder && e.explorerLoad === 'loading'));
    for (const entry of entries) {
      const problem = fill(entry);
      if (problem) entry.explorerLoad = problem;
      else delete entry.explorerLoad;
      this.store.emit({ topic: 'run', entry, what: 'status' });
    }
  }

  /** The live session's runs again (after a stored run was shown in the same page). */
  showLive(): void {
    if (!this.store.live) return;
    this.show(this.store.live);
  }

  /** Pause every run (`entry` omitted: the header, the host) or one (the run strip). */
  pause(entry?: RunEntry): void {
    this.d.queue().pause(entry);
    this.syncRunning();
  }

  resume(entry?: RunEntry): void {
    this.d.queue().resume(entry);
    this.syncRunning();
  }

  /** Stop every run in progress and drop the queue, or stop one run. */
  stop(entry?: RunEntry): void {
    this.d.queue().stop(entry);
    this.syncRunning();
  }

  // ------------------------------------------------------------------ queue events

  backend(t: TrainerClient | null, err?: string): void {
    if (this.disposed) return;
    const s = this.store;
    if (t) {
      const b = t.backend;
      const detail = b.name === 'wasm' ? ` (${b.simd ? 'SIMD' : 'no SIMD'}, ${b.threads ?? 'several'} thread${b.threads === 1 ? '' : 's'})` : '';
      s.backend = { label: `${b.name}${detail}`, reason: b.reason };
      s.backendName = b.name;
    } else {
      s.backend = { error: err ?? 'the training worker did not start' };
      s.backendName = undefined;
      s.error = `The training worker did not start: ${err ?? 'unknown reason'}`;
    }
    s.emit({ topic: 'header' });
    this.d.pushStatus();
  }

  started(entry: RunEntry, m: { memoryBytes: number; parameters: number; backend: string; backendReason: string }): void {
    const s = this.store;
    entry.status = 'training';
    entry.memoryBytes = m.memoryBytes;
    entry.parameters = m.parameters;
    // The run's own backend: with auto, measured at its shape (each candidate's ms per step is in the reason).
    entry.backend = m.backend;
    s.backend = this.backendShown(entry, { label: m.backend, reason: m.backendReason });
    s.backendName = m.backend;
    s.lastActive = entry;
    this.rates.set(entry, new RateMeter());
    this.syncRunning(false);
    s.emit({ topic: 'run', entry, what: 'status' });
    s.emit({ topic: 'header' });
    this.d.pushStatus();
  }

  step(entry: RunEntry, m: { step: number; loss: number }): void {
    entry.step = m.step;
    if (m.step >= 1 && m.step <= entry.losses.length) entry.losses[m.step - 1] = m.loss;
    entry.stepsPerSecond = this.rates.get(entry)?.tick(m.step) ?? 0;
    this.store.emit({ topic: 'run', entry, what: 'step' });
    this.store.emit({ topic: 'header' });
    this.d.pushStatus();
  }

  evaluation(entry: RunEntry, m: { step: number; final: boolean; summary: EvaluationSummary; view?: Envelope }): void {
    const { step, final, summary, view } = m;
    entry.summary = summary;
    entry.summaryStep = step;
    recordEvaluation(entry, { step, ...pickMeasures(summary) });
    entry.explained = summary.explained_variance;
    entry.r2Curve = summary.r2_curve;
    if (view) {
      try {
        entry.view = decodeViewData(view);
        entry.viewStep = step;
        entry.viewFinal = final;
      } catch (err) {
        this.d.send({ type: 'log', level: 'error', message: `bad view data from the worker: ${(err as Error).message}` });
      }
    }
    if (final) {
      entry.final = { ...pickMeasures(summary), train_loss: tailMean(entry.losses, lossCount(entry)) };
      entry.learned = learnedOf(summary.learned, summary.eval_loss, entry.run.evaluation.learned_threshold);
    }
    this.store.emit({ topic: 'run', entry, what: final ? 'final' : 'evaluation' });
  }

  /** The run's GPU was lost: it goes on on another backend, which the header names, with why. */
  backendChanged(entry: RunEntry, m: Parameters<QueueListener['backendChanged']>[1]): void {
    const s = this.store;
    entry.backend = m.to;
    s.backend = this.backendShown(entry, { label: m.to, reason: m.reason });
    s.backendName = m.to;
    s.note = `${entry.run.name}: ${m.reason}.`;
    this.d.send({ type: 'log', level: 'warn', message: `${entry.run.name}: ${m.reason}` });
    s.emit({ topic: 'header' });
    this.d.pushStatus();
  }

  /**
   * What the header says about backends when `entry` started or moved: its own backend and
   * why while the live session's runs share one; once they differ (runs naming different
   * backends, or auto measuring another at a run's shape), how many train on each, with
   * the latest run's reason under its name.
   */
  private backendShown(entry: RunEntry, own: { label: string; reason: string }): { label: string; reason: string } {
    const names = (this.store.live?.runs ?? []).flatMap((r) => (r.backend !== undefined ? [r.backend] : []));
    if (new Set(names).size <= 1) return own;
    return { label: backendCounts(names), reason: `each run on its own backend, named in the run strip; ${entry.run.name}: ${own.reason}` };
  }

  finished(entry: RunEntry, result: Envelope): void {
    let stopped = false;
    try {
      const r = fromEnvelope<{ stopped: boolean; evaluation?: { perturbation?: PerturbationResult | null } } & Parameters<typeof explorerDataOf>[0]>(result);
      stopped = r.stopped === true;
      if (r.evaluation?.perturbation) entry.perturbation = perturbationCurves(r.evaluation.perturbation);
      // copied out now: the buffer goes to the host below
      entry.explorer = explorerDataOf(r);
    } catch {
      // The host checks the envelope itself; the page only wanted the flag and the curves.
    }
    entry.status = stopped ? 'stopped' : 'finished';
    this.ended(entry);
    // The envelope goes to the host's run store, under the session that started the run
    // (a Train meanwhile has a session of its own); transferring it leaves nothing behind here.
    if (entry.session !== undefined) {
      entry.note = 'saving…';
      this.d.send({ type: 'runFinished', session: entry.session, runName: entry.run.name, result }, [result.buffer]);
    } else {
      this.d.send({ type: 'log', level: 'error', message: `${entry.run.name} finished outside any training session; its result was not stored.` });
    }
    this.store.emit({ topic: 'run', entry, what: 'status' });
    this.store.emit({ topic: 'header' });
    this.d.pushStatus();
  }

  failed(entry: RunEntry, message: string, step?: number): void {
    const s = this.store;
    entry.status = 'failed';
    entry.note = message;
    this.ended(entry);
    s.error = `${entry.run.name} failed${step ? ` at step ${step}` : ''}: ${message}`;
    if (entry.session !== undefined) this.d.send({ type: 'runFailed', session: entry.session, runName: entry.run.name, message, ...(step ? { step } : {}) });
    else this.d.send({ type: 'log', level: 'error', message: `${entry.run.name} failed outside any training session: ${message}` });
    s.emit({ topic: 'run', entry, what: 'status' });
    s.emit({ topic: 'header' });
    this.d.pushStatus();
  }

  /** Queued runs that will not train: replaced by a new Train, or stopped before their turn. */
  dropped(entries: readonly RunEntry[]): void {
    for (const entry of entries) {
      entry.status = 'stopped';
      entry.note = 'stopped before it started; nothing was stored';
      this.store.emit({ topic: 'run', entry, what: 'status' });
    }
    this.syncRunning();
  }

  state(state: ToPanelState): void {
    this.store.queueState = state;
    this.syncRunning(false);
    // Queued runs' views say whether they wait for a run or for a Train.
    for (const entry of this.store.shown.runs) if (entry.status === 'queued') this.store.emit({ topic: 'run', entry, what: 'status' });
    this.store.emit({ topic: 'header' });
    this.d.pushStatus();
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.d.send({ type: 'log', level, message });
  }

  // ------------------------------------------------------------------ sessions

  private startLive(runs: RunConfig[], session: SessionRef | undefined, train: boolean, maxWorkers: number): void {
    const s = this.store;
    s.error = undefined;
    s.note = undefined;
    s.live = new Session('live', runs, session);
    s.lastActive = undefined;
    this.show(s.live);
    if (train) this.d.queue().start(s.live.runs, maxWorkers);
    this.syncRunning();
  }

  private show(session: Session): void {
    this.store.shown = session;
    this.store.emit({ topic: 'session' });
    this.store.emit({ topic: 'header' });
  }

  private showRuns(purpose: 'stored' | 'compare' | 'restored', runs: StoredRunData[], variants: string[] | undefined): void {
    const s = this.store;
    if (purpose === 'restored') {
      // The runs a reloaded session had finished, in the live session the init made.
      const live = s.live ?? (s.live = new Session('live', [], undefined, variants));
      for (const data of runs) {
        const entry = live.byName(data.run.name) ?? live.add(data.run);
        if (entry.status === 'queued') this.fillStored(entry, data);
      }
      if (s.shown !== live) this.show(live);
      else s.emit({ topic: 'session' });
      return;
    }
    const session = new Session(purpose, runs.map((r) => r.run), undefined, variants);
    session.runs.forEach((entry, i) => {
      const data = runs[i];
      if (data) this.fillStored(entry, data);
    });
    this.show(session);
  }

  /** A stored run's data into an entry; a damaged view is a sentence in the header, the rest is still shown. */
  private fillStored(entry: RunEntry, data: StoredRunData): void {
    try {
      entry.view = decodeViewData(data.view);
    } catch (err) {
      this.store.error = `The stored run ${data.run.name} cannot be shown: ${(err as Error).message}`;
    }
    const losses = data.losses instanceof Float32Array ? data.losses : new Float32Array(0);
    entry.losses = losses;
    entry.step = losses.length;
    entry.status = data.metrics.stopped === true ? 'stopped' : 'finished';
    entry.final = pickMeasures(data.metrics);
    entry.learned = learnedOf(data.metrics.learned, data.metrics.eval_loss, data.metrics.learned_threshold ?? data.run.evaluation.learned_threshold);
    entry.explained = numberList(data.metrics.explained_variance);
    entry.r2Curve = numberList(data.metrics.r2_curve);
    const history = Array.isArray(data.metrics.evaluations) ? data.metrics.evaluations : [];
    for (const e of history) if (typeof e === 'object' && e !== null && typeof (e as { step?: unknown }).step === 'number') recordEvaluation(entry, { ...pickMeasures(e as Record<string, unknown>), step: (e as { step: number }).step });
    if (entry.evaluations.length === 0 && typeof entry.final.eval_loss === 'number' && losses.length > 0) recordEvaluation(entry, { ...entry.final, step: losses.length });
    entry.summaryStep = losses.length;
    entry.viewStep = losses.length;
    entry.viewFinal = true;
    entry.folder = data.folder;
    if (data.perturbation) entry.perturbation = data.perturbation;
    entry.note = `stored in ${data.folder}`;
  }

  private ended(entry: RunEntry): void {
    this.rates.delete(entry);
    this.syncRunning(false);
  }

  /**
   * The pool's runs in progress into the store. The pool says when its overall state
   * changes, not when one run of several is paused or ends: each of those syncs here.
   */
  private syncRunning(emit = true): void {
    const q = this.d.queue();
    this.store.running = q.running.map((a) => ({ entry: a.job, paused: a.paused, stopping: a.stopping }));
    this.store.poolNote = q.size ? `Training on ${describePool(q.size, 'rnnlab.maxWorkers')}.` : '';
    if (!emit) return;
    this.store.emit({ topic: 'header' });
    this.d.pushStatus();
  }
}

type ToPanelState = Parameters<QueueListener['state']>[0];

/** Adds an evaluation, replacing one at the same step (the final evaluation repeats the last periodic one when they coincide). */
function recordEvaluation(entry: RunEntry, point: RunEntry['evaluations'][number]): void {
  const list = entry.evaluations;
  const last = list[list.length - 1];
  if (last && last.step === point.step) list[list.length - 1] = point;
  else if (!last || last.step < point.step) list.push(point);
}
