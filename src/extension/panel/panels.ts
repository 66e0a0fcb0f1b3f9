/**
 * All open panels, one per spec (keyed by the spec's URI), one per stored run folder and
 * one per set of compared runs.
 * It knows which panel the user worked with last: Stop, Pause, Resume and the status
 * bar act on that one. It is also the WebviewPanelSerializer: after a window reload it
 * re-attaches a controller to each panel VS Code brings back.
 */
import * as vscode from 'vscode';
import { readRunFolder, type StoredRun } from '../../store/runFolder';
import { isWorkspaceStore } from '../runStore';
import { specTitle } from '../../spec';
import { Disposable } from '../dispose';
import { exists } from '../exists';
import { errorText } from '../log';
import { PANEL_FILES } from './assets';
import { renderMessageHtml, webviewOptions } from './html';
import { missingSpecNotice, reloadNotice, restoreTarget } from './restore';
import { createWebviewPanel, type PanelContext, type RnnPanel } from './rnnPanel';
import { SpecPanel, type TrainRequest } from './specPanel';
import { StoredRunPanel, storedRunTitle } from './storedPanel';
import { createRecordingWebview, RecordingPanel } from './recordingPanel';
import { RECORDING_BUNDLE } from './recordingJob';
import type { RecordingContents } from '../../core/recording/load';
import { sessionRuns } from './storedRuns';
import { ComparePanel } from './comparePanel';
import { compareKey, compareLabels, compareTitle } from '../compare/compareSet';

export class PanelManager extends Disposable implements vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, RnnPanel>();
  /** most recently active first */
  private order: RnnPanel[] = [];
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** A panel opened, closed, became active or reported a status. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: PanelContext) {
    super();
  }

  all(): RnnPanel[] {
    return [...this.order];
  }

  get(key: string): RnnPanel | undefined {
    return this.panels.get(key);
  }

  specPanel(uri: vscode.Uri): SpecPanel | undefined {
    const p = this.panels.get(uri.toString());
    return p instanceof SpecPanel ? p : undefined;
  }

  /** The panel whose training the status bar shows: the most recently active one that is busy, else the last active one. */
  current(): RnnPanel | undefined {
    return this.order.find((p) => p.busy) ?? this.order[0];
  }

  /** The last active panel, busy or not. */
  lastActive(): RnnPanel | undefined {
    return this.order[0];
  }

  /** The spec's panel, opened beside the active editor if there is none yet. Undefined when the panel cannot be built. */
  async openSpec(uri: vscode.Uri, title: string): Promise<SpecPanel | undefined> {
    const existing = this.specPanel(uri);
    if (existing) {
      existing.reveal();
      return existing;
    }
    if (!(await this.bundleReady())) return undefined;
    return this.add(new SpecPanel(uri, title, this.ctx, createWebviewPanel(`RNN Lab: ${title}`, this.ctx)));
  }

  /** Opens a stored run; a broken folder gives an error message and no panel. */
  async openStored(folder: vscode.Uri): Promise<StoredRunPanel | undefined> {
    const existing = this.panels.get(folder.toString());
    if (existing instanceof StoredRunPanel) {
      existing.reveal();
      return existing;
    }
    let stored;
    try {
      stored = await readRunFolder(folder.fsPath);
    } catch (e) {
      this.ctx.log.showError(`RNN Lab cannot open this run: ${errorText(e)}`, [
        { title: 'Reveal folder', run: () => vscode.commands.executeCommand('revealInExplorer', folder) },
      ]);
      return undefined;
    }
    if (!(await this.bundleReady())) return undefined;
    return this.add(new StoredRunPanel(stored, this.ctx, createWebviewPanel(storedRunTitle(stored), this.ctx)));
  }

  /**
   * Opens stored runs side by side, or reveals the panel that shows this set already.
   * Folders that cannot be read are left out and named in `skipped`; with fewer than two
   * readable runs there is no panel.
   */
  async openCompare(folders: readonly string[]): Promise<{ panel?: ComparePanel; skipped: { folder: string; message: string }[] }> {
    const existing = this.panels.get(compareKey(folders));
    if (existing instanceof ComparePanel) {
      existing.reveal();
      return { panel: existing, skipped: [] };
    }
    const { runs, skipped } = await readRuns(folders);
    // Some could not be read: the ones that can may be shown already.
    const shown = skipped.length ? this.panels.get(compareKey(runs.map((r) => r.dir))) : undefined;
    if (shown instanceof ComparePanel) {
      shown.reveal();
      return { panel: shown, skipped };
    }
    if (runs.length < 2 || !(await this.bundleReady())) return { skipped };
    const title = compareTitle(compareLabels(runs));
    return { panel: this.add(new ComparePanel(runs, this.ctx, createWebviewPanel(title, this.ctx))), skipped };
  }

  /**
   * Analyses a recording in its own panel (one per file: a second request shows the
   * first). `ask` gets what the file holds and returns the loader's arguments, or
   * undefined to give up (the panel closes).
   */
  async openRecording(file: vscode.Uri, ask: (contents: RecordingContents) => Promise<string[] | undefined>): Promise<RecordingPanel | undefined> {
    const existing = this.panels.get(file.toString());
    if (existing instanceof RecordingPanel) {
      existing.reveal();
      return existing;
    }
    if (!(await this.bundleReady())) return undefined;
    const cli = vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', RECORDING_BUNDLE);
    if (!(await exists(cli))) {
      this.ctx.log.showError(`RNN Lab cannot analyse recordings: dist/${RECORDING_BUNDLE} is missing. Run npm run build, then reload the window.`);
      return undefined;
    }
    const panel = this.add(new RecordingPanel(file, this.ctx, createRecordingWebview(`RNN Lab: ${file.path.split('/').pop() ?? 'recording'}`, this.ctx), cli.fsPath));
    void panel.run(ask);
    return panel;
  }

  /**
   * A panel VS Code restored after a window reload, with the state its page kept: the
   * same options, a fresh page (new nonce), and the spec read again. Training is not
   * restarted; the page says where it stopped. Whatever goes wrong, the panel shows a
   * sentence, never a blank page.
   */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    try {
      await this.restore(panel, state);
    } catch (e) {
      this.ctx.log.error('Could not restore an RNN Lab panel after the window reload.', e);
      this.showProblem(panel, `This RNN Lab panel could not be restored: ${errorText(e)}`);
    }
  }

  private async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const target = restoreTarget(state, isWorkspaceStore);
    if (target.mode === 'none') return this.showProblem(panel, target.problem);
    if (!(await this.bundleReady())) return this.showProblem(panel, 'The RNN Lab panel is not built: run npm run build, then reload the window.');
    const key = target.mode === 'live' ? target.spec.toString() : target.mode === 'compare' ? compareKey(target.folders) : target.folder.toString();
    if (this.panels.has(key)) {
      // Opened again (Train, Open run) before VS Code got to this one: one panel per spec or run.
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.ctx.extensionUri);
    if (target.mode === 'compare') {
      const { runs, skipped } = await readRuns(target.folders);
      for (const s of skipped) this.ctx.log.warn(`After the window reload, ${s.folder} could not be compared: ${s.message}`);
      if (runs.length < 2) return this.showProblem(panel, `The compared runs cannot be shown any more: ${skipped.map((s) => s.message).join(' ') || 'fewer than two of them are left.'}`);
      this.add(new ComparePanel(runs, this.ctx, panel));
      return;
    }
    if (target.mode === 'stored') {
      let stored;
      try {
        stored = await readRunFolder(target.folder.fsPath);
      } catch (e) {
        return this.showProblem(panel, `The stored run in ${target.folder.fsPath} cannot be shown any more: ${errorText(e)}`);
      }
      this.add(new StoredRunPanel(stored, this.ctx, panel));
      return;
    }
    const spec = target.spec;
    if (!(await exists(spec))) {
      this.add(new SpecPanel(spec, specTitle(undefined, spec.fsPath), this.ctx, panel, [], { type: 'notice', level: 'error', message: missingSpecNotice(spec) }));
      return;
    }
    const loaded = this.ctx.specs.get(await vscode.workspace.openTextDocument(spec));
    const notice = await reloadNotice(target.session);
    // The runs that had finished are shown again, as they were before the reload.
    const finished = target.session?.dir !== undefined ? await sessionRuns(target.session.dir) : { runs: [], skipped: [] };
    for (const s of finished.skipped) this.ctx.log.warn(`After the window reload, ${s.folder} could not be shown: ${s.message}`);
    this.add(new SpecPanel(spec, loaded.title, this.ctx, panel, loaded.runs, notice === undefined ? undefined : { type: 'notice', level: 'info', message: notice }, finished.runs));
  }

  private showProblem(panel: vscode.WebviewPanel, message: string): void {
    this.ctx.log.warn(message);
    panel.webview.html = renderMessageHtml(panel.webview, this.ctx.extensionUri, panel.title, message);
  }

  /** Train these runs in the spec's panel, opening it if needed. */
  async train(uri: vscode.Uri, request: TrainRequest): Promise<SpecPanel | undefined> {
    const panel = await this.openSpec(uri, request.title);
    await panel?.train(request);
    return panel;
  }

  private add<P extends RnnPanel>(panel: P): P {
    this.panels.set(panel.key, panel);
    this.order.unshift(panel);
    const subs = [
      panel.onDidChangeStatus(() => this.changed.fire()),
      panel.onDidBecomeActive((p) => {
        this.order = [p, ...this.order.filter((q) => q !== p)];
        this.changed.fire();
      }),
    ];
    const onDispose = panel.onDidDispose((p) => {
      for (const s of subs) s.dispose();
      onDispose.dispose();
      if (this.panels.get(p.key) === p) this.panels.delete(p.key);
      this.order = this.order.filter((q) => q !== p);
      this.changed.fire();
    });
    this.changed.fire();
    return panel;
  }

  /** The page's files exist; otherwise the panel would stay blank, so say how to build them instead. */
  private async bundleReady(): Promise<boolean> {
    const missing: string[] = [];
    for (const f of PANEL_FILES) if (!(await exists(vscode.Uri.joinPath(this.ctx.extensionUri, f)))) missing.push(f);
    if (missing.length === 0) return true;
    this.ctx.log.showError(`The RNN Lab panel is not built: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing. Run npm run build, then reload the window.`, [
      { title: 'Reload window', run: () => vscode.commands.executeCommand('workbench.action.reloadWindow') },
    ]);
    return false;
  }

  override dispose(): void {
    for (const p of [...this.order]) p.dispose();
    super.dispose();
  }
}

/** The run folders read back, in order; those that cannot be read are named with why. */
async function readRuns(folders: readonly string[]): Promise<{ runs: StoredRun[]; skipped: { folder: string; message: string }[] }> {
  const runs: StoredRun[] = [];
  const skipped: { folder: string; message: string }[] = [];
  for (const folder of folders) {
    try {
      runs.push(await readRunFolder(folder));
    } catch (e) {
      skipped.push({ folder, message: errorText(e) });
    }
  }
  return { runs, skipped };
}
