/**
 * The panel page's entry: it builds the store, the router and the views and wires them
 * (docs/architecture.md, The panel and the host). Host messages and run-queue events go to the router, which
 * writes the store; the views subscribe to the store. Nothing here draws.
 */
import { PROTOCOL_VERSION, type PanelState, type ToPanel } from '../../src/protocol';
import type { RunsBootData } from './boot-data';
import { h } from './dom';
import { restoreState, savedPrefs, StateSaver } from './restore-state';
import { pythonSnippet } from './python-snippet';
import { PanelRouter } from './router';
import { RunQueue } from './run-queue';
import { RenderScheduler } from './scene/render-scheduler';
import type { GpuMemory } from './scene/trajectory-view';
import { Session, type RunEntry } from './session';
import { StatusThrottle } from './status-throttle';
import { PanelStore, type Change } from './store';
import { ThemeWatcher, type Theme } from './theme';
import type { HostTransport } from './transport';
import { ChartCard } from './views/chart-card';
import { chartStats } from './views/charts/line-chart';
import { tableButtons, type ExportSink, slug } from './views/export';
import { FinalTable } from './views/final-table';
import { DissimilarityCard } from './views/dissimilarity-card';
import { Header } from './views/header';
import { MeasuresTable } from './views/measures-table';
import { RunStrip } from './views/run-strip';
import { SceneGrid } from './views/scene-grid';
import { ExplorerWorker } from './explorer/explorer-worker';
import type { ExplorerStats } from './explorer/kick-explorer';
import { WorkerSource } from './trainer-boot';
import { dimensionModels, lossModel, measureModel, OVER_TRAINING, perturbationModel } from './views/training-charts';

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
  /** camera position per variant view (linked cameras share it); per seed view (by run name) in the seeds layout */
  cameras: { variant: string; position: [number, number, number] }[];
  /** the seeds layout, while one variant's seeds are shown as small multiples: the alignment and what each view draws */
  seeds?: ReturnType<SceneGrid['seedsDiagnostics']>;
  prefs: PanelStore['prefs'];
  charts: typeof chartStats;
  /** each view's perturbation explorer, and why its worker failed if it did */
  explorers: { variant: string; stats: ExplorerStats }[];
  explorerProblem?: string;
}

const evaluated = (c: Change) => c.topic === 'run' && c.what !== 'step' && c.what !== 'status';

export class PanelApp {
  private readonly scheduler = new RenderScheduler();
  private readonly themeWatcher: ThemeWatcher;
  private readonly store: PanelStore;
  private readonly router: PanelRouter;
  private readonly header: Header;
  private readonly strip: RunStrip;
  private readonly scenes: SceneGrid;
  /** the worker that kicks trials for the views' perturbation explorers, started on first use */
  private readonly kicks: ExplorerWorker;
  private readonly measures: MeasuresTable;
  private readonly finals: FinalTable;
  private readonly dissimilarity: DissimilarityCard;
  private readonly cards: ChartCard[];
  private readonly queue: RunQueue;
  private readonly throttle: StatusThrottle;
  private readonly stopListening: () => void;
  private readonly saver: StateSaver;
  private disposed = false;

  constructor(
    root: HTMLElement,
    private readonly transport: HostTransport,
    private readonly boot: RunsBootData,
  ) {
    this.saver = new StateSaver((state) => transport.setState(state));
    // A page of stored runs (one, or several compared) starts its worker only if it is ever asked to train: idle, not starting.
    const showsStored = boot.mode !== 'live';
    this.store = new PanelStore(new Session('live', []), boot.specName, showsStored ? 'idle' : 'starting', savedPrefs(transport.getState()));
    const store = this.store;
    this.themeWatcher = new ThemeWatcher((t) => this.onTheme(t));
    const theme = this.themeWatcher.current;
    this.throttle = new StatusThrottle((s) => {
      this.transport.send(s);
      // The same pace as the status bar: where training was when the window reloads, to within 0.1 s.
      this.saveState();
    });
    this.router = new PanelRouter({
      store,
      queue: () => this.queue,
      send: (msg, transfer) => this.transport.send(msg, transfer),
      pushStatus: () => this.pushStatus(),
      setVisible: (v) => this.scheduler.setVisible(v),
    });
    this.queue = new RunQueue(boot.assets, this.router, showsStored);
    const sink = this.exportSink();

    this.header = new Header(store, this.scheduler, {
      train: () => this.transport.send({ type: 'requestTrain' }),
      pauseOrResume: () => (this.queue.state === 'paused' ? this.router.resume() : this.router.pause()),
      stop: () => this.router.stop(),
      resetView: () => this.scenes.resetCameras(),
      showLive: () => this.router.showLive(),
      openSpec: () => {
        const folder = store.shown.runs[0]?.folder;
        if (folder) this.transport.send({ type: 'openSpec', folder });
      },
      copyPython: () => {
        const runs = store.shown.runs.flatMap((r) => (r.folder ? [{ name: r.run.name, folder: r.folder }] : []));
        if (runs.length) this.transport.send({ type: 'copyText', text: pythonSnippet(runs, sink.stem()), what: 'a Python snippet' });
      },
    });
    this.strip = new RunStrip(store, this.scheduler, {
      pauseOrResume: (entry, paused) => (paused ? this.router.resume(entry) : this.router.pause(entry)),
      stop: (entry) => this.router.stop(entry),
    });
    this.kicks = new ExplorerWorker(new WorkerSource(boot.assets.workerUrl));
    this.scenes = new SceneGrid(store, this.scheduler, theme, this.kicks, (entry) => this.router.requestExplorer(entry), sink);
    this.measures = new MeasuresTable(store, [tableButtons(sink, () => this.measures.data())]);
    this.finals = new FinalTable(store, [tableButtons(sink, () => this.finals.data())]);
    this.dissimilarity = new DissimilarityCard(store, theme, sink);
    const loss = new ChartCard(store, this.scheduler, theme, {
      id: 'loss',
      title: 'Loss',
      className: 'loss-card',
      sink,
      redrawOn: (c) => c.topic === 'run',
      specs: [{ id: 'loss', label: 'Training loss per step, log scale, one line per run; dots: evaluation loss', build: () => lossModel(store, this.themeWatcher.current), height: 220 }],
    });
    const overTraining = new ChartCard(store, this.scheduler, theme, {
      id: 'over-training',
      title: 'Measures over training',
      sink,
      redrawOn: evaluated,
      specs: OVER_TRAINING.map((m) => ({
        id: m.key,
        label: `${m.title}, one point per evaluation, one line per run`,
        build: () => measureModel(store, this.themeWatcher.current, m.key, m.title, m.yLabel, m.log),
        height: 170,
      })),
    });
    const dims = new ChartCard(store, this.scheduler, theme, {
      id: 'dimensions',
      title: 'Dimensions (latest evaluation)',
      sink,
      redrawOn: evaluated,
      specs: [
        { id: 'explained-variance', label: 'Cumulative explained variance of the top k PCs, with D_x,90 marked', build: () => dimensionModels(store, this.themeWatcher.current).variance, height: 190 },
        { id: 'r2-vs-k', label: 'R² of the output fitted on the top k PCs, with D_fit,90 marked', build: () => dimensionModels(store, this.themeWatcher.current).fit, height: 190 },
      ],
    });
    const kicks = new ChartCard(store, this.scheduler, theme, {
      id: 'perturbation',
      title: 'Perturbation (final)',
      sink,
      // The curves come with the run's result: its status changes to finished.
      redrawOn: (c) => c.topic === 'run' && c.what === 'status',
      specs: [{ id: 'perturbation', label: 'Loss after a kick of amplitude A along w_out, the top PCs, random directions and w_in, averaged over the kick times; one colour per variant, one dash per direction', build: () => perturbationModel(store, this.themeWatcher.current), height: 220 }],
    });
    this.cards = [loss, overTraining, dims, kicks];

    root.replaceChildren(
      this.header.element,
      this.strip.element,
      h('main', { class: 'panel-body' },
        this.scenes.element,
        h('div', { class: 'side-by-side' }, loss.element, this.finals.element),
        this.measures.element,
        this.dissimilarity.element,
        overTraining.element,
        dims.element,
        kicks.element,
      ),
    );
    // Each change of the state is a moment a window reload should find saved.
    store.subscribe((c) => {
      if (c.topic === 'prefs' || c.topic === 'session') this.saveState();
    });
    this.stopListening = transport.listen(
      (msg) => this.handle(msg),
      (why) => {
        if (this.disposed) return;
        this.transport.send({ type: 'log', level: 'warn', message: `panel ignored a message: ${why}` });
        store.error = `The panel ignored a message from the extension: ${why}`;
        store.emit({ topic: 'header' });
      },
    );
    store.emit({ topic: 'session' });
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
    this.store.emit({ topic: 'header' });
  }

  handle(msg: ToPanel): void {
    if (!this.disposed) this.router.handle(msg);
  }

  diagnostics(): PanelDiagnostics {
    return {
      state: this.queue.state,
      disposed: this.disposed,
      ...(this.store.backendName ? { backend: this.store.backendName } : {}),
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
      prefs: { ...this.store.prefs },
      charts: { ...chartStats },
      explorers: this.scenes.explorerStats(),
      ...(this.scenes.seedsDiagnostics() ? { seeds: this.scenes.seedsDiagnostics() } : {}),
      ...(this.kicks.problem ? { explorerProblem: this.kicks.problem } : {}),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopListening();
    this.router.dispose();
    this.queue.dispose();
    this.throttle.dispose();
    this.scheduler.dispose();
    this.header.dispose();
    this.strip.dispose();
    this.scenes.dispose();
    this.kicks.dispose();
    this.measures.dispose();
    this.finals.dispose();
    this.dissimilarity.dispose();
    for (const c of this.cards) c.dispose();
    this.themeWatcher.dispose();
    this.store.clear();
  }

  private exportSink(): ExportSink {
    return {
      saveFile: (name, data, what) => this.transport.send({ type: 'saveFile', name, data, what }, [data]),
      copyText: (text, what) => this.transport.send({ type: 'copyText', text, what }),
      stem: () => slug(this.store.shown.kind === 'stored' ? (this.store.shown.runs[0]?.run.name ?? 'run') : this.store.specName || 'rnnlab'),
      failed: (what, err) => {
        this.store.error = `Could not export ${what}: ${(err as Error)?.message ?? String(err)}`;
        this.store.emit({ topic: 'header' });
      },
    };
  }

  private saveState(): void {
    if (!this.disposed) this.saver.push(restoreState(this.boot, this.store.live, this.store.running.map((r) => r.entry), this.store.prefs));
  }

  private onTheme(t: Theme): void {
    this.scenes.setTheme(t);
    this.dissimilarity.setTheme(t);
    for (const c of this.cards) c.setTheme(t);
  }

  /** The status for the host: the state, every run in progress (the first repeated flat, as before the pool), the session's count. */
  private pushStatus(): void {
    if (this.disposed) return;
    const s = this.store;
    const running = s.running;
    const first = running[0]?.entry;
    const runs = s.live?.runs ?? [];
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
              const loss = lossOf(a.entry);
              return { runName: a.entry.run.name, step: a.entry.step, steps: a.entry.steps, state: a.stopping ? 'stopping' : a.paused ? 'paused' : 'training', ...(loss !== undefined ? { loss } : {}) } as const;
            }),
            done: runs.filter((r) => r.status !== 'queued' && r.status !== 'training').length,
            total: runs.length,
          }
        : {}),
      ...(s.backendName ? { backend: s.backendName } : {}),
      ...(s.error ? { message: s.error } : {}),
    });
  }
}
