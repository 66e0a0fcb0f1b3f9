/**
 * The panel controller: one webview panel beside the editor, for a spec (training,
 * specPanel.ts) or for a stored run (showing, storedPanel.ts). It owns the webview, its
 * channel and its listeners; closing the panel disposes all of them, and the page stops
 * its worker on unload. The webview panel is new, or one VS Code brought back after a
 * window reload (panels.ts restore): either way it gets a fresh page.
 */
import * as vscode from 'vscode';
import { extname, join } from 'node:path';
import type { FromPanel, PageMode, RecordingMeasures, ToPanel } from '../../protocol';
import { PANEL_VIEW_TYPE } from '../commandIds';
import { Disposable } from '../dispose';
import { errorText, type Log } from '../log';
import type { SpecCache } from '../specs';
import { PanelChannel } from './channel';
import { renderPanelHtml, webviewOptions } from './html';
import { explorerNetworkMessage } from './storedRuns';
import { DissimilarityJobs } from './dissimilarityJobs';

type Status = Extract<FromPanel, { type: 'status' }>;

export interface PanelContext {
  extensionUri: vscode.Uri;
  log: Log;
  specs: SpecCache;
}

/** What a panel shows: a spec (it trains), one stored run, or stored runs side by side. */
/** A spec's panel, a stored run's, compared runs', or a recording's (recordingPanel.ts). */
export type HostPanelMode = 'spec' | 'stored' | 'compare' | 'recording';

/** What the extension-host tests read through rnnlab._test.panelState. */
export interface PanelSnapshot {
  key: string;
  mode: HostPanelMode;
  title: string;
  ready: boolean;
  visible: boolean;
  active: boolean;
  viewColumn: number | undefined;
  lastStatus: Status | undefined;
  stored: string[];
  /** the run folders the page shows (a stored run, the compared runs) */
  folders: string[];
  storeFailures: { runName: string; message: string }[];
  runFailures: { runName: string; message: string }[];
  saved: string[];
  sent: string[];
  rejected: number;
  sessionDir: string | undefined;
  /** dissimilarity computations running now */
  dissimilarityJobs: number;
  /** what the page was last told about the spec since the last Train (spec panels only) */
  specChange: { changed: boolean; valid: boolean } | undefined;
  /** what the page was last told about the dissimilarity of the runs it shows: its state, the runs of a matrix, why it failed */
  dissimilarity?: { state: 'computing' | 'ready' | 'failed'; runs?: string[]; message?: string };
  /** recordings panels only: where the analysis is, and its measures or why it failed */
  recording: RecordingState | undefined;
}

export interface RecordingState {
  state: 'listing' | 'asking' | 'running' | 'done' | 'failed' | 'cancelled';
  measures?: RecordingMeasures;
  error?: string;
}

const READY_TIMEOUT_MS = 20_000;

/** Text from the page is cut to this many characters before it reaches the log or a message. */
export const MAX_PANEL_TEXT = 4000;

/** A new webview panel beside the active editor, keeping the focus there. */
export function createWebviewPanel(title: string, ctx: PanelContext): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(ctx.extensionUri));
}

export abstract class RnnPanel extends Disposable {
  /** the resource's URI as a string (one panel per spec, one per stored run), or the compared set's key */
  readonly key: string;
  protected readonly channel: PanelChannel;
  private lastVisible: boolean;
  private closedByUser = false;
  lastStatus: Status | undefined;
  readonly stored: string[] = [];
  readonly storeFailures: { runName: string; message: string }[] = [];
  readonly runFailures: { runName: string; message: string }[] = [];
  /** files the user saved from this panel (exports) */
  readonly saved: string[] = [];
  /** the dissimilarity heat map's computations (child processes), ended with the panel */
  protected readonly dissimilarities: DissimilarityJobs;
  private lastDissimilarity: PanelSnapshot['dissimilarity'];

  private readonly statusChanged = this._register(new vscode.EventEmitter<RnnPanel>());
  private readonly activated = this._register(new vscode.EventEmitter<RnnPanel>());
  private readonly disposed = this._register(new vscode.EventEmitter<RnnPanel>());
  readonly onDidChangeStatus = this.statusChanged.event;
  readonly onDidBecomeActive = this.activated.event;
  readonly onDidDispose = this.disposed.event;

  protected constructor(
    /** the spec's URI, or the stored run folder's (compare: the first run's) */
    readonly resource: vscode.Uri,
    readonly mode: HostPanelMode,
    protected readonly panel: vscode.WebviewPanel,
    title: string,
    specName: string,
    protected readonly ctx: PanelContext,
    /** compare: the panel's key (one panel per set of runs) and the run folders, kept by the page for a reload */
    compared?: { key: string; folders: readonly string[] },
  ) {
    super();
    this.key = compared?.key ?? resource.toString();
    // A panel VS Code restored after a reload comes with its old title; the spec's name may have changed since.
    this.panel.title = title;
    this.lastVisible = this.panel.visible;
    this.channel = this._register(new PanelChannel(this.panel.webview, () => this.initMessage(), ctx.log, title));
    this._register(this.channel.onMessage((m) => this.receive(m)));
    this.dissimilarities = new DissimilarityJobs(
      join(ctx.extensionUri.fsPath, 'dist'),
      (m) => {
        this.lastDissimilarity = m.state === 'ready' ? { state: m.state, runs: [...m.result.runs] } : m.state === 'failed' ? { state: m.state, message: m.message } : { state: m.state };
        this.channel.post(m);
      },
      ctx.log,
      title,
    );
    this._register(this.dissimilarities);
    this._register(this.channel.onReady(() => this.onReady()));
    this._register(
      this.panel.onDidChangeViewState(({ webviewPanel }) => {
        // The retained page keeps rendering while hidden and never learns of it itself.
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
    const pageMode: PageMode = mode === 'spec' ? 'live' : mode;
    this.panel.webview.html = renderPanelHtml(this.panel.webview, ctx.extensionUri, specName, pageMode, resource, compared?.folders);
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
      folders: this.mode === 'spec' ? [] : this.shownFolders(),
      storeFailures: [...this.storeFailures],
      runFailures: [...this.runFailures],
      saved: [...this.saved],
      sent: [...this.channel.sent],
      rejected: this.channel.rejected,
      sessionDir: this.sessionDir(),
      dissimilarityJobs: this.dissimilarities.active,
      specChange: this.specChange(),
      ...(this.lastDissimilarity ? { dissimilarity: this.lastDissimilarity } : {}),
      recording: this.recordingState(),
    };
  }

  protected sessionDir(): string | undefined {
    return undefined;
  }

  protected specChange(): PanelSnapshot['specChange'] {
    return undefined;
  }

  protected recordingState(): RecordingState | undefined {
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
    this.ctx.log.warn(`[${this.title}] refused a result for "${m.runName.slice(0, 80)}": this panel trains nothing.`);
  }

  protected onRunFailed(m: Extract<FromPanel, { type: 'runFailed' }>): void {
    this.ctx.log.warn(`[${this.title}] refused a failure report for "${m.runName.slice(0, 80)}": this panel trains nothing.`);
  }

  /** The run folders the page shows (stored runs, or the runs a session stored): the only ones it may ask about. */
  protected shownFolders(): string[] {
    return [...this.stored];
  }

  /** Opens the spec stored with a run, in the first editor column. */
  protected openSpecOf(folder: string): void {
    const spec = vscode.Uri.file(join(folder, 'spec.rnn.yaml'));
    vscode.window.showTextDocument(spec, { viewColumn: vscode.ViewColumn.One, preview: false }).then(undefined, (e: unknown) =>
      this.ctx.log.showError(`RNN Lab could not open ${spec.fsPath}: ${errorText(e)}`, [], e),
    );
  }

  /** Where the user picks (a save dialog, starting in the workspace), never where the page says: the page only names the file. */
  private async saveFile(m: Extract<FromPanel, { type: 'saveFile' }>): Promise<void> {
    const name = m.name.replace(/[\\/:*?"<>|\p{Cc}]+/gu, '-').slice(0, 120) || 'rnnlab-export';
    const ext = extname(name).slice(1).toLowerCase();
    const folder = vscode.workspace.getWorkspaceFolder(this.resource)?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: `Save ${m.what.slice(0, 80)}`,
      saveLabel: 'Save',
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      ...(ext ? { filters: { [`${ext.toUpperCase()} file`]: [ext] } } : {}),
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new Uint8Array(m.data));
    this.saved.push(target.fsPath);
    this.ctx.log.info(`[${this.title}] saved ${m.what} (${m.data.byteLength} bytes) in ${target.fsPath}`);
    this.channel.post({ type: 'notice', level: 'info', message: `Saved ${m.what} in ${target.fsPath}.` });
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
        return this.onRunFailed(m);
      case 'requestTrain':
        return this.onRequestTrain();
      case 'openSpec':
        if (!this.shownFolders().includes(m.folder)) return this.ctx.log.warn(`[${this.title}] refused to open the spec of ${m.folder.slice(0, 200)}: not a run this panel shows.`);
        return this.openSpecOf(m.folder);
      case 'saveFile':
        this.saveFile(m).catch((e: unknown) => {
          this.ctx.log.showError(`RNN Lab could not save ${m.what.slice(0, 80)}: ${errorText(e)}`, [], e);
          this.channel.post({ type: 'notice', level: 'error', message: `Could not save ${m.what.slice(0, 80)}: ${errorText(e)}` });
        });
        return;
      case 'explorerRequest':
        if (!this.shownFolders().includes(m.folder)) {
          this.ctx.log.warn(`[${this.title}] refused the network of ${m.folder.slice(0, 200)}: not a run this panel shows.`);
          return this.channel.post({ type: 'explorerUnavailable', folder: m.folder, message: 'This panel does not show that run.' });
        }
        void explorerNetworkMessage(m.folder).then((answer) => {
          if (answer.type === 'explorerUnavailable') this.ctx.log.warn(`[${this.title}] ${answer.message}`);
          if (!this.isDisposed) this.channel.post(answer);
        });
        return;
      case 'copyText':
        void vscode.env.clipboard.writeText(m.text).then(
          () => this.channel.post({ type: 'notice', level: 'info', message: `Copied ${m.what.slice(0, 80)} to the clipboard.` }),
          (e: unknown) => this.ctx.log.showError(`RNN Lab could not copy ${m.what.slice(0, 80)}: ${errorText(e)}`, [], e),
        );
        return;
      case 'log': {
        const text = `[${this.title}] ${m.message.slice(0, MAX_PANEL_TEXT)}`;
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
