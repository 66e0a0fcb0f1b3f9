/**
 * The panel: host messages in, run queue events in, views out. The session shown is the
 * live one (the runs of the last init/train) or a stored run (showRun); the run queue
 * keeps training the live runs either way.
 */
import { tailMean } from '../../src/core/metrics';
import { fromEnvelope, type Envelope } from '../../src/core/pack';
import type { RunConfig } from '../../src/core/types';
import { PROTOCOL_VERSION, type EvaluationSummary, type PanelState, type SessionRef, type ToPanel } from '../../src/protocol';
import type { BootData } from './boot-data';
import { h } from './dom';
import { RateMeter } from './rate-meter';
import { RunQueue } from './run-queue';
import { restoreState, StateSaver } from './restore-state';
import { RenderScheduler } from './scene/render-scheduler';
import type { GpuMemory } from './scene/trajectory-view';
import { lossCount, pickMeasures, Session, type RunEntry } from './session';
import { StatusThrottle } from './status-throttle';
import { ThemeWatcher, type Theme } from './theme';
import type { TrainerClient } from '../../src/trainer/client';
import { describePool } from '../../src/trainer/pool-size';
import type { HostTransport } from './transport';
import { decodeViewData } from '../../src/protocol/view';
import { FinalTable } from './views/final-table';
import { Header, type HeaderModel } from './views/header';
import { LossChart } from './views/loss-chart';
import { MeasuresTable } from './views/measures-table';
import { RunStrip } from './views/run-strip';
import { SceneGrid } from './views/scene-grid';
import { at } from '../../src/core/checked';

export interface PanelDiagnostics {
  state: PanelState;
  disposed: boolean;
  backend?: string;
  /** the worker pool: workers alive, the most it may use, and the runs in progress */
  pool: { workers: number; capacity: number; running: { name: string; paused: boolean; stopping: boolean }[] };
  /** renderer.info of the live 3D views, and of the ones already disposed */
  gpu: { variant: string; memory: GpuMemory }[];
  retiredGpu: { variant: string; memory: GpuMemory }[];
  frames: RenderScheduler['stats'];
  theme: Theme['kind'];
  /** camera position per variant view (linked cameras share it) */
  cameras: { variant: string; position: [number, number, number] }[];
}

export class PanelApp {
  private readonly scheduler = new RenderScheduler();
  private readonly themeWatcher: ThemeWatcher;
  private readonly header: Header;
  private readonly chart: LossChart;
  private readonly measures = new MeasuresTable();
  private readonly finals = new FinalTable();
  private readonly scenes: SceneGrid;
  private readonly queue: RunQueue;
  private readonly throttle: StatusThrottle;
  /** steps per second of each run in progress */
  private readonly rates = new Map<RunEntry, RateMeter>();
  private readonly strip: RunStrip;
  private readonly headerFrame = {
    render: () => {
      this.header.update(this.headerModel());
      this.refreshStrip();
    },
  };
  private readonly stopListening: () => void;
  private readonly saver: StateSaver;
  private specName: string;
  private live: Session | undefined;
  private shown: Session;
  private lastActive: RunEntry | undefined;
  private backend: HeaderModel['backend'];
  private backendName: string | undefined;
  private specChanged: HeaderModel['specChanged'];
  private error: string | undefined;
  private note: string | undefined;
  private disposed = false;

  constructor(
    root: HTMLElement,
    private readonly transport: HostTransport,
    private readonly boot: BootData,
  ) {
    this.specName = boot.specName;
    this.saver = new StateSaver((state) => transport.setState(state));
    this.shown = new Session('live', []);
    this.themeWatcher = new ThemeWatcher((t) => this.onTheme(t));
    const theme = this.themeWatcher.current;
    this.header = new Header({
      train: () => this.transport.send({ type: 'requestTrain' }),
      pauseOrResume: () => (this.queue.state === 'paused' ? this.queue.resume() : this.queue.pause()),
      stop: () => this.queue.stop(),
      resetView: () => this.scenes.resetCameras(),
      showLive: () => {
        if (!this.live) return;
        this.showSession(this.live);
        this.refreshHeader();
      },
    });
    this.chart = new LossChart(this.scheduler, theme);
    this.scenes = new SceneGrid(this.scheduler, theme);
    this.throttle = new StatusThrottle((s) => {
      this.transport.send(s);
      // The same pace as the status bar: where training was when the window reloads, to within 0.1 s.
      this.saveState();
    });
    this.strip = new RunStrip({
      pauseOrResume: (entry, paused) => (paused ? this.queue.resume(entry) : this.queue.pause(entry)),
      stop: (entry) => this.queue.stop(entry),
    });
    this.queue = new RunQueue(boot.assets, {
      backend: (t, err) => this.onBackend(t, err),
      started: (entry, m) => {
        entry.status = 'training';
        entry.memoryBytes = m.memoryBytes;
        entry.parameters = m.parameters;
        // The run's own backend: with auto, measured at its shape (each candidate's ms per step is in the reason).
        this.backend = { label: m.backend, reason: m.backendReason };
        this.backendName = m.backend;
        this.lastActive = entry;
        this.rates.set(entry, new RateMeter());
        this.measures.update(entry);
        this.pushStatus();
      },
      step: (entry, m) => {
        entry.step = m.step;
        if (m.step >= 1 && m.step <= entry.losses.length) entry.losses[m.step - 1] = m.loss;
        entry.stepsPerSecond = this.rates.get(entry)?.tick(m.step) ?? 0;
        if (this.isShown(entry)) this.chart.invalidate();
        this.refreshHeader();
        this.pushStatus();
      },
      evaluation: (entry, m) => this.onEvaluation(entry, m.step, m.final, m.summary, m.view),
      backendChanged: (entry, m) => {
        this.backend = { label: m.to, reason: m.reason };
        this.backendName = m.to;
        this.note = `${entry.run.name}: ${m.reason}.`;
        this.transport.send({ type: 'log', level: 'warn', message: `${entry.run.name}: ${m.reason}` });
        this.refreshHeader();
        this.pushStatus();
      },
      finished: (entry, result) => this.onFinished(entry, result),
      failed: (entry, message, step) => {
        this.rates.delete(entry);
        entry.status = 'failed';
        entry.note = message;
        this.error = `${entry.run.name} failed${step ? ` at step ${step}` : ''}: ${message}`;
        if (entry.session !== undefined) this.transport.send({ type: 'runFailed', session: entry.session, runName: entry.run.name, message, ...(step ? { step } : {}) });
        else this.transport.send({ type: 'log', level: 'error', message: `${entry.run.name} failed outside any training session: ${message}` });
        this.measures.update(entry);
        this.refreshHeader();
        this.pushStatus();
      },
      dropped: (entries) => {
        for (const entry of entries) {
          entry.status = 'stopped';
          entry.note = 'stopped before it started; nothing was stored';
          if (this.isShown(entry)) this.measures.update(entry);
        }
        this.refreshHeader();
      },
      state: () => {
        this.refreshHeader();
        this.pushStatus();
      },
      log: (level, message) => this.transport.send({ type: 'log', level, message }),
    }, boot.mode === 'stored');

    root.replaceChildren(
      this.header.element,
      this.strip.element,
      h('main', { class: 'panel-body' },
        this.scenes.element,
        h('div', { class: 'side-by-side' }, this.chart.element, this.finals.element),
        this.measures.element,
      ),
    );
    this.stopListening = transport.listen(
      (msg) => this.handle(msg),
      (why) => {
        if (this.disposed) return;
        this.transport.send({ type: 'log', level: 'warn', message: `panel ignored a message: ${why}` });
        this.error = `The panel ignored a message from the extension: ${why}`;
        this.refreshHeader();
      },
    );
    this.showSession(this.shown);
  }

  /**
   * Tell the host we are listening, and start the worker while it answers. A stored-run
   * page shows a finished run: its worker (a bundle fetch, a wasm compile, tens of MB)
   * starts only if it is ever asked to train.
   */
  start(): void {
    this.transport.send({ type: 'ready', version: PROTOCOL_VERSION });
    if (this.boot.mode === 'live') this.queue.warmUp();
    this.saveState();
    this.refreshHeader();
  }

  handle(msg: ToPanel): void {
    if (this.disposed) return;
    switch (msg.type) {
      case 'init':
        this.specName = msg.specName;
        this.startLive(msg.runs, msg.session, msg.autoStart, msg.maxWorkers);
        return;
      case 'train':
        this.specChanged = undefined;
        this.startLive(msg.runs, msg.session, true, msg.maxWorkers);
        return;
      case 'notice':
        if (msg.level === 'error') this.error = msg.message;
        else this.note = msg.message;
        return this.refreshHeader();
      case 'pause':
        return this.queue.pause();
      case 'resume':
        return this.queue.resume();
      case 'stop':
        return this.queue.stop();
      case 'specChanged':
        this.specChanged = { changed: msg.changed, valid: msg.valid };
        return this.refreshHeader();
      case 'visibility':
        return this.scheduler.setVisible(msg.visible);
      case 'showRun':
        return this.showStored(msg);
      case 'stored': {
        const entry = this.live?.byName(msg.runName);
        if (entry) entry.note = `saved in ${msg.folder}`;
        this.note = `Saved ${msg.runName} in ${msg.folder}.`;
        return this.refreshHeader();
      }
      case 'storeFailed':
        this.error = `Could not save ${msg.runName}: ${msg.message}`;
        return this.refreshHeader();
      default: {
        const never: never = msg;
        this.transport.send({ type: 'log', level: 'warn', message: `panel ignored ${JSON.stringify(never)}` });
      }
    }
  }

  diagnostics(): PanelDiagnostics {
    return {
      state: this.queue.state,
      disposed: this.disposed,
      ...(this.backendName ? { backend: this.backendName } : {}),
      pool: {
        workers: this.queue.workers.alive,
        capacity: this.queue.workers.capacity,
        running: this.queue.running.map((a) => ({ name: a.job.run.name, paused: a.paused, stopping: a.stopping })),
      },
      gpu: this.scenes.gpuMemory(),
      retiredGpu: [...this.scenes.retired],
      frames: this.scheduler.stats,
      theme: this.themeWatcher.current.kind,
      cameras: this.scenes.cameraPositions(),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopListening();
    this.queue.dispose();
    this.throttle.dispose();
    this.scheduler.dispose();
    this.scenes.dispose();
    this.chart.dispose();
    this.themeWatcher.dispose();
  }

  private startLive(runs: RunConfig[], session: SessionRef | undefined, train: boolean, maxWorkers: number): void {
    this.error = undefined;
    this.note = undefined;
    this.live = new Session('live', runs, session);
    this.lastActive = undefined;
    this.showSession(this.live);
    if (train) this.queue.start(this.live.runs, maxWorkers);
    this.saveState();
    this.refreshHeader();
  }

  private saveState(): void {
    if (!this.disposed) this.saver.push(restoreState(this.boot, this.live, this.runningEntries()));
  }

  private showSession(session: Session): void {
    this.shown = session;
    this.scenes.setVariants(session.variants());
    this.chart.setSession(session);
    this.measures.setSession(session);
    this.finals.setSession(session);
    for (const variant of session.variants()) {
      const entry = session.shownRun(variant);
      if (entry?.view) this.showView(entry);
    }
  }

  private showStored(msg: Extract<ToPanel, { type: 'showRun' }>): void {
    const session = new Session('stored', [msg.run]);
    const entry = at(session.runs, 0);
    try {
      entry.view = decodeViewData(msg.view);
    } catch (err) {
      this.error = `The stored run ${msg.run.name} cannot be shown: ${(err as Error).message}`;
    }
    const losses = msg.losses instanceof Float32Array ? msg.losses : new Float32Array(0);
    entry.losses = losses;
    entry.step = losses.length;
    entry.status = msg.metrics.stopped === true ? 'stopped' : 'finished';
    entry.final = pickMeasures(msg.metrics);
    const evalLoss = entry.final.eval_loss;
    if (typeof evalLoss === 'number' && losses.length > 0) entry.evalLosses.push({ step: losses.length, loss: evalLoss });
    entry.summaryStep = losses.length;
    entry.viewStep = losses.length;
    entry.viewFinal = true;
    entry.note = `stored in ${msg.folder}`;
    this.showSession(session);
    this.refreshHeader();
  }

  private onEvaluation(entry: RunEntry, step: number, final: boolean, summary: EvaluationSummary, view: Envelope | undefined): void {
    entry.summary = summary;
    entry.summaryStep = step;
    entry.evalLosses.push({ step, loss: summary.eval_loss });
    if (view) {
      try {
        entry.view = decodeViewData(view);
        entry.viewStep = step;
        entry.viewFinal = final;
      } catch (err) {
        this.transport.send({ type: 'log', level: 'error', message: `bad view data from the worker: ${(err as Error).message}` });
      }
    }
    if (final) entry.final = { ...pickMeasures(summary), train_loss: tailMean(entry.losses, lossCount(entry)) };
    if (!this.isShown(entry)) return;
    this.measures.update(entry);
    this.chart.invalidate();
    if (final) this.finals.refresh();
    if (entry.view && this.shown.shownRun(entry.run.variant) === entry) this.showView(entry);
  }

  private onFinished(entry: RunEntry, result: Envelope): void {
    this.rates.delete(entry);
    let stopped = false;
    try {
      stopped = fromEnvelope<{ stopped: boolean }>(result).stopped === true;
    } catch {
      // The host checks the envelope itself; the panel only wanted the flag.
    }
    entry.status = stopped ? 'stopped' : 'finished';
    // The envelope goes to the host's run store, under the session that started the run
    // (a Train meanwhile has a session of its own); transferring it leaves nothing behind here.
    if (entry.session !== undefined) this.transport.send({ type: 'runFinished', session: entry.session, runName: entry.run.name, result }, [result.buffer]);
    else this.transport.send({ type: 'log', level: 'error', message: `${entry.run.name} finished outside any training session; its result was not stored.` });
    if (this.isShown(entry)) {
      this.measures.update(entry);
      this.finals.refresh();
    }
    this.refreshHeader();
    this.pushStatus();
  }

  private onBackend(t: TrainerClient | null, err?: string): void {
    if (this.disposed) return;
    if (t) {
      const b = t.backend;
      const detail = b.name === 'wasm' ? ` (${b.simd ? 'SIMD' : 'no SIMD'}, ${b.threads ?? 'several'} thread${b.threads === 1 ? '' : 's'})` : '';
      this.backend = { label: `${b.name}${detail}`, reason: b.reason };
      this.backendName = b.name;
    } else {
      this.backend = { error: err ?? 'the training worker did not start' };
      this.backendName = undefined;
      this.error = `The training worker did not start: ${err ?? 'unknown reason'}`;
    }
    this.refreshHeader();
    this.pushStatus();
  }

  private showView(entry: RunEntry): void {
    if (!entry.view) return;
    this.scenes.show(entry.run.variant, entry.view, {
      runName: entry.run.name,
      step: entry.viewStep,
      steps: entry.steps,
      dt: entry.run.network.dt,
      final: entry.viewFinal,
      ...(entry.summary?.explained_variance ? { explained: entry.summary.explained_variance } : {}),
    });
  }

  private isShown(entry: RunEntry): boolean {
    return this.shown.runs.includes(entry);
  }

  private onTheme(t: Theme): void {
    this.scenes.setTheme(t);
    this.chart.setTheme(t);
  }

  /** The run strip shows the runs in progress when the session has more than one run. */
  private refreshStrip(): void {
    const several = (this.live?.runs.length ?? 0) > 1 && this.shown === this.live;
    const rows = several ? this.queue.running.map((a) => ({ entry: a.job, paused: a.paused, stopping: a.stopping })) : [];
    this.strip.update(rows, this.queue.size ? `Training on ${describePool(this.queue.size, 'rnnlab.maxWorkers')}.` : '');
  }

  private refreshHeader(): void {
    // Coalesced into the next frame: step messages arrive far faster than anyone reads.
    this.scheduler.request(this.headerFrame);
  }

  /** The runs a worker is training now, in the order they started. */
  private runningEntries(): RunEntry[] {
    return this.queue.running.map((a) => a.job);
  }

  private headerModel(): HeaderModel {
    const running = this.runningEntries();
    const active = running[0] ?? this.lastActive;
    const runs = this.live?.runs ?? [];
    const stored = this.shown.kind === 'stored';
    const shownEntry = stored ? this.shown.runs[0] : active;
    return {
      title: stored ? `${this.shown.runs[0]?.run.name ?? ''}` : this.specName,
      mode: stored ? 'stored' : 'live',
      state: this.queue.state,
      ...(shownEntry
        ? { run: { name: shownEntry.run.name, index: stored ? 1 : runs.indexOf(shownEntry) + 1, total: stored ? 1 : runs.length, step: shownEntry.step, steps: shownEntry.steps } }
        : {}),
      ...(active && !stored ? { stepsPerSecond: running.length > 1 ? running.reduce((r, e) => r + e.stepsPerSecond, 0) : active.stepsPerSecond } : {}),
      ...(running.length > 1 && !stored ? { several: { running: running.length, ended: runs.filter((r) => r.status === 'finished' || r.status === 'stopped' || r.status === 'failed').length, steps: sumSteps(runs) } } : {}),
      ...(active?.memoryBytes !== undefined && !stored ? { memory: { bytes: active.memoryBytes, parameters: active.parameters ?? 0 } } : {}),
      // A stored-run panel trains nothing: its backend would only distract.
      ...(this.backend && (!stored || this.liveStarted()) ? { backend: this.backend } : {}),
      ...(this.specChanged ? { specChanged: this.specChanged } : {}),
      ...(this.error ? { error: this.error } : {}),
      ...(this.note ? { note: this.note } : stored ? { note: this.shown.runs[0]?.note ?? '' } : {}),
      canShowLive: stored && this.liveStarted(),
    };
  }

  /** Whether the live session has begun training (a stored-run panel's init never does). */
  private liveStarted(): boolean {
    return this.live?.runs.some((r) => r.status !== 'queued') ?? false;
  }

  private pushStatus(): void {
    if (this.disposed) return;
    const running = this.queue.running;
    const first = running[0]?.job;
    const runs = this.live?.runs ?? [];
    const lossOf = (e: RunEntry) => (e.step >= 1 && e.step <= e.losses.length ? e.losses[e.step - 1] : undefined);
    const firstLoss = first ? lossOf(first) : undefined;
    this.throttle.push({
      type: 'status',
      state: this.queue.state,
      ...(first ? { runName: first.run.name, step: first.step, steps: first.steps } : {}),
      ...(firstLoss !== undefined ? { loss: firstLoss } : {}),
      ...(running.length > 0
        ? {
            runs: running.map((a) => {
              const loss = lossOf(a.job);
              return { runName: a.job.run.name, step: a.job.step, steps: a.job.steps, state: a.stopping ? 'stopping' : a.paused ? 'paused' : 'training', ...(loss !== undefined ? { loss } : {}) } as const;
            }),
            done: runs.filter((r) => r.status !== 'queued' && r.status !== 'training').length,
            total: runs.length,
          }
        : {}),
      ...(this.backendName ? { backend: this.backendName } : {}),
      ...(this.error ? { message: this.error } : {}),
    });
  }
}

/** Steps done and to do over a session's runs (a stopped or failed run counts as done). */
function sumSteps(runs: readonly RunEntry[]): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const r of runs) {
    total += r.steps;
    done += r.status === 'queued' || r.status === 'training' ? r.step : r.steps;
  }
  return { done, total };
}
