/**
 * The panel controller: one webview panel beside the editor, for a spec (training) or
 * for a stored run (showing). It owns the webview, its channel and its listeners;
 * closing the panel disposes all of them, and the page stops its worker on unload.
 */
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { PROTOCOL_VERSION, type FromPanel, type ToPanel } from '../../protocol';
import type { RunConfig } from '../../core/types';
import type { StoredRun } from '../../store/runFolder';
import { toEnvelope } from '../../core/pack';
import { loadSpec } from '../../spec';
import { PANEL_VIEW_TYPE } from '../commandIds';
import { Disposable } from '../dispose';
import { errorText, type Log } from '../log';
import { storeBase } from '../runStore';
import type { SpecCache } from '../specs';
import { reportUntrainable } from '../specProblems';
import { PanelChannel } from './channel';
import { renderPanelHtml, webviewOptions } from './html';
import { TrainingSession } from './training';

type Status = Extract<FromPanel, { type: 'status' }>;

export interface PanelContext {
  extensionUri: vscode.Uri;
  log: Log;
  specs: SpecCache;
}

/** What the extension-host tests read through rnnlab._test.panelState. */
export interface PanelSnapshot {
  key: string;
  mode: 'spec' | 'stored';
  title: string;
  ready: boolean;
  visible: boolean;
  active: boolean;
  viewColumn: number | undefined;
  lastStatus: Status | undefined;
  stored: string[];
  storeFailures: { runName: string; message: string }[];
  runFailures: { runName: string; message: string }[];
  sent: string[];
  rejected: number;
  sessionDir: string | undefined;
}

const READY_TIMEOUT_MS = 20_000;

export abstract class RnnPanel extends Disposable {
  protected readonly panel: vscode.WebviewPanel;
  protected readonly channel: PanelChannel;
  private lastVisible: boolean;
  private closedByUser = false;
  lastStatus: Status | undefined;
  readonly stored: string[] = [];
  readonly storeFailures: { runName: string; message: string }[] = [];
  readonly runFailures: { runName: string; message: string }[] = [];

  private readonly statusChanged = this._register(new vscode.EventEmitter<RnnPanel>());
  private readonly activated = this._register(new vscode.EventEmitter<RnnPanel>());
  private readonly disposed = this._register(new vscode.EventEmitter<RnnPanel>());
  readonly onDidChangeStatus = this.statusChanged.event;
  readonly onDidBecomeActive = this.activated.event;
  readonly onDidDispose = this.disposed.event;

  protected constructor(
    readonly key: string,
    readonly mode: 'spec' | 'stored',
    title: string,
    specName: string,
    protected readonly ctx: PanelContext,
    column: vscode.ViewColumn,
  ) {
    super();
    this.panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, title, { viewColumn: column, preserveFocus: true }, webviewOptions(ctx.extensionUri));
    this.lastVisible = this.panel.visible;
    this.channel = this._register(new PanelChannel(this.panel.webview, () => this.initMessage(), ctx.log, title));
    this._register(this.channel.onMessage((m) => this.receive(m)));
    this._register(this.channel.onReady(() => this.onReady()));
    this._register(
      this.panel.onDidChangeViewState(({ webviewPanel }) => {
        // The retained page keeps rendering while hidden and never learns of it itself (webview-training.md Q5).
        if (webviewPanel.visible !== this.lastVisible) {
          this.lastVisible = webviewPanel.visible;
          this.channel.post({ type: 'visibility', visible: webviewPanel.visible });
        }
        if (webviewPanel.active) this.activated.fire(this);
      }),
    );
    this._register(
      this.panel.onDidDispose(() => {
        this.closedByUser = true;
        this.dispose();
      }),
    );
    const timer = setTimeout(() => this.warnNotReady(), READY_TIMEOUT_MS);
    this._register({ dispose: () => clearTimeout(timer) });
    this.panel.webview.html = renderPanelHtml(this.panel.webview, ctx.extensionUri, specName);
  }

  get title(): string {
    return this.panel.title;
  }

  get busy(): boolean {
    const s = this.lastStatus?.state;
    return s === 'starting' || s === 'training' || s === 'paused' || s === 'stopping';
  }

  reveal(): void {
    this.panel.reveal(this.panel.viewColumn, true);
  }

  post(msg: ToPanel): void {
    this.channel.post(msg);
  }

  snapshot(): PanelSnapshot {
    return {
      key: this.key,
      mode: this.mode,
      title: this.panel.title,
      ready: this.channel.isReady,
      visible: this.panel.visible,
      active: this.panel.active,
      viewColumn: this.panel.viewColumn,
      lastStatus: this.lastStatus,
      stored: [...this.stored],
      storeFailures: [...this.storeFailures],
      runFailures: [...this.runFailures],
      sent: [...this.channel.sent],
      rejected: this.channel.rejected,
      sessionDir: this.sessionDir(),
    };
  }

  protected sessionDir(): string | undefined {
    return undefined;
  }

  protected abstract initMessage(): ToPanel;

  protected onReady(): void {
    // nothing beyond init by default
  }

  protected onRequestTrain(): void {
    // only spec panels train
  }

  protected onRunFinished(m: Extract<FromPanel, { type: 'runFinished' }>): void {
    this.ctx.log.warn(`[${this.title}] refused a result for ${m.runName}: this panel trains nothing.`);
  }

  private receive(m: FromPanel): void {
    switch (m.type) {
      case 'ready':
        return; // handled by the channel
      case 'status':
        this.lastStatus = m;
        if (m.state === 'failed' && m.message) this.ctx.log.error(`[${this.title}] ${m.message}`);
        this.statusChanged.fire(this);
        return;
      case 'runFinished':
        return this.onRunFinished(m);
      case 'runFailed':
        this.runFailures.push({ runName: m.runName, message: m.message });
        this.ctx.log.showError(`RNN Lab: ${m.runName} failed${m.step !== undefined ? ` at step ${m.step}` : ''}: ${m.message}`, [
          { title: 'Show panel', run: () => this.reveal() },
        ]);
        return;
      case 'requestTrain':
        return this.onRequestTrain();
      case 'log': {
        const text = `[${this.title}] ${m.message.slice(0, 4000)}`;
        if (m.level === 'error') this.ctx.log.error(text);
        else if (m.level === 'warn') this.ctx.log.warn(text);
        else this.ctx.log.info(text);
        return;
      }
      default: {
        // isFromPanel admits only the types above; this keeps the switch exhaustive at compile time.
        const unhandled: never = m;
        this.ctx.log.warn(`[${this.title}] ignored a panel message: ${JSON.stringify(unhandled).slice(0, 200)}`);
      }
    }
  }

  private warnNotReady(): void {
    if (this.isDisposed || this.channel.isReady) return;
    this.ctx.log.showError(`The RNN Lab panel "${this.title}" did not start within ${READY_TIMEOUT_MS / 1000} s.`, [
      { title: 'Open Webview Developer Tools', run: () => vscode.commands.executeCommand('workbench.action.webview.openDeveloperTools') },
    ]);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (!this.closedByUser) {
      // The host is closing the panel (deactivation): ask the page to stop before it goes.
      this.channel.post({ type: 'stop' });
    }
    this.disposed.fire(this);
    super.dispose();
    if (!this.closedByUser) this.panel.dispose();
  }
}

/** A panel that trains the runs of one spec file. */
export class SpecPanel extends RnnPanel {
  private session: TrainingSession | undefined;
  /** runs to start as soon as the page is ready (Train pressed before the page loaded) */
  private autoStart: RunConfig[] | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  private lastChange = { changed: false, valid: true };

  constructor(
    readonly specUri: vscode.Uri,
    private specName: string,
    ctx: PanelContext,
    column: vscode.ViewColumn,
  ) {
    super(specUri.toString(), 'spec', `RNN Lab: ${specName}`, specName, ctx, column);
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.key) this.scheduleSpecCheck();
      }),
    );
    // A spec that is not open in an editor can still change on disk (git checkout, another tool).
    const dir = vscode.Uri.joinPath(specUri, '..');
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, basename(specUri.path))));
    this._register(watcher.onDidChange(() => this.scheduleSpecCheck()));
    this._register({ dispose: () => clearTimeout(this.changeTimer) });
  }

  protected override sessionDir(): string | undefined {
    return this.session?.dir;
  }

  /** Starts a training session of these runs with the spec's current text. */
  async train(runs: RunConfig[]): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(this.specUri);
    const loaded = this.ctx.specs.get(doc);
    this.specName = loaded.name;
    this.session = new TrainingSession(runs, doc.getText(), loaded.name, storeBase(this.specUri));
    this.ctx.log.info(`[${this.title}] training ${runs.map((r) => r.name).join(', ')}; results go to ${this.session.dir}`);
    if (this.lastChange.changed || !this.lastChange.valid) {
      this.lastChange = { changed: false, valid: true };
      this.channel.post({ type: 'specChanged', ...this.lastChange });
    }
    if (!this.channel.isReady) this.autoStart = runs;
    else this.channel.post({ type: 'train', runs });
  }

  protected initMessage(): ToPanel {
    const runs = this.autoStart ?? this.currentRuns();
    const autoStart = this.autoStart !== undefined;
    this.autoStart = undefined;
    return { type: 'init', version: PROTOCOL_VERSION, specName: this.specName, specFile: this.specUri.fsPath, runs, autoStart };
  }

  private currentRuns(): RunConfig[] {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.key);
    return doc ? this.ctx.specs.get(doc).runs : [];
  }

  protected override onRequestTrain(): void {
    void (async () => {
      const doc = await vscode.workspace.openTextDocument(this.specUri);
      const loaded = this.ctx.specs.get(doc);
      if (loaded.runs.length === 0) {
        this.channel.post({ type: 'specChanged', changed: this.session !== undefined && doc.getText() !== this.session.specText, valid: false });
        reportUntrainable(this.ctx.log, this.specUri, loaded);
        return;
      }
      await this.train(loaded.runs);
    })().catch((e: unknown) => this.ctx.log.showError(`Could not start training from ${basename(this.specUri.fsPath)}: ${errorText(e)}`, [], e));
  }

  protected override onRunFinished(m: Extract<FromPanel, { type: 'runFinished' }>): void {
    const session = this.session;
    if (session === undefined || !session.has(m.runName)) {
      this.ctx.log.warn(`[${this.title}] refused a result for "${m.runName.slice(0, 80)}": no training session of this panel started it.`);
      return;
    }
    session.store(m.runName, m.result).then(
      (folder) => {
        this.stored.push(folder);
        this.ctx.log.info(`[${this.title}] stored ${m.runName} in ${folder}`);
        this.channel.post({ type: 'stored', runName: m.runName, folder });
      },
      (e: unknown) => {
        const message = errorText(e);
        this.storeFailures.push({ runName: m.runName, message });
        this.channel.post({ type: 'storeFailed', runName: m.runName, message });
        this.ctx.log.showError(`RNN Lab could not store ${m.runName}: ${message}`, [], e);
      },
    );
  }

  private scheduleSpecCheck(): void {
    if (this.session === undefined) return;
    clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      this.checkSpecChanged().catch((e: unknown) => this.ctx.log.warn(`[${this.title}] could not compare the spec with the trained one: ${errorText(e)}`));
    }, 250);
  }

  /** Tells the page whether the spec differs from the one its runs were trained from (it never retrains by itself). */
  private async checkSpecChanged(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.key);
    const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(this.specUri));
    const valid = (open ? this.ctx.specs.get(open) : loadSpec(text, this.specUri.fsPath)).runs.length > 0;
    const next = { changed: text !== session.specText, valid };
    if (session !== this.session || (next.changed === this.lastChange.changed && next.valid === this.lastChange.valid)) return;
    this.lastChange = next;
    this.channel.post({ type: 'specChanged', ...next });
  }
}

/** A panel that shows one stored run folder. */
export class StoredRunPanel extends RnnPanel {
  constructor(
    private readonly run: StoredRun,
    ctx: PanelContext,
    column: vscode.ViewColumn,
  ) {
    const session = basename(dirname(run.dir));
    super(vscode.Uri.file(run.dir).toString(), 'stored', `RNN Lab: ${run.run.name} (${session})`, session, ctx, column);
  }

  protected initMessage(): ToPanel {
    return { type: 'init', version: PROTOCOL_VERSION, specName: basename(dirname(this.run.dir)), specFile: join(this.run.dir, 'spec.rnn.yaml'), runs: [this.run.run], autoStart: false };
  }

  protected override onReady(): void {
    const { view, run, metrics, dir } = this.run;
    this.channel.post({
      type: 'showRun',
      run,
      metrics: { ...metrics },
      view: toEnvelope({ projection: view.projection, condition: view.condition, conditionLabels: view.conditionLabels }),
      losses: view.losses,
      folder: dir,
    });
  }

  protected override onRequestTrain(): void {
    const spec = vscode.Uri.file(join(this.run.dir, 'spec.rnn.yaml'));
    this.ctx.log.showWarning(`This panel shows the stored run ${this.run.run.name}; to train again, open its spec and press Train.`, [
      { title: 'Open spec', run: () => vscode.window.showTextDocument(spec) },
    ]);
  }
}
