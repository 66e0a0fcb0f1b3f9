/**
 * *RNN Lab: Analyse recording…*: a panel that shows where a recorded population sits
 * between aligned and oblique (docs/science.md §4.9). The analysis runs in the CLI
 * bundle (recordingJob.ts): first what the file holds, then the questions the defaults
 * leave open (recordingOptions.ts), then the analysis with progress in the panel and in a
 * notification whose Cancel kills the child. Closing the panel kills it too.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { toEnvelope } from '../../core/pack';
import { PROTOCOL_VERSION, type ToPanel } from '../../protocol';
import type { RecordingContents } from '../../core/recording/load';
import { RECORDING_VIEW_TYPE } from '../commandIds';
import { webviewOptions } from './html';
import { RecordingCancelled, RecordingJob, type RecordingProgress } from './recordingJob';
import { RnnPanel, type PanelContext, type RecordingState } from './rnnPanel';

const PHASE_TEXT: Record<RecordingProgress['phase'], string> = {
  reading: 'Reading the file…',
  analysing: 'Fitting the decoder, the PCs and the fitting dimension…',
  subsampling: 'Refitting the decoder on subsets of the neurons',
};

export function createRecordingWebview(title: string, ctx: PanelContext): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(RECORDING_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(ctx.extensionUri));
}

export class RecordingPanel extends RnnPanel {
  private readonly job: RecordingJob;
  private state: RecordingState = { state: 'listing' };
  /** what the page is shown now, sent again if it reloads */
  private last: ToPanel | undefined;

  constructor(
    readonly file: vscode.Uri,
    ctx: PanelContext,
    panel: vscode.WebviewPanel,
    cli: string,
  ) {
    super(file, 'recording', panel, `RNN Lab: ${basename(file.fsPath)}`, basename(file.fsPath), ctx);
    this.job = new RecordingJob(cli);
    this._register({ dispose: () => this.job.cancel() });
  }

  /** Lists the file, asks what the defaults leave open, then analyses; a dismissed question closes the panel. */
  async run(ask: (contents: RecordingContents) => Promise<string[] | undefined>): Promise<void> {
    const name = basename(this.file.fsPath);
    let contents: RecordingContents;
    try {
      this.show({ type: 'recordingProgress', phase: 'reading', done: 0, total: 1 });
      contents = await this.job.list(this.file.fsPath);
    } catch (e) {
      return this.fail(e);
    }
    if (this.isDisposed) return;
    this.state = { state: 'asking' };
    const args = await ask(contents);
    if (args === undefined || this.isDisposed) return this.dispose();
    this.state = { state: 'running' };
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `RNN Lab: analysing ${name}`, cancellable: true }, async (progress, token) => {
      const cancel = token.onCancellationRequested(() => this.job.cancel());
      let reported = 0;
      try {
        const r = await this.job.analyse(this.file.fsPath, args, (p) => {
          this.show({ type: 'recordingProgress', ...p });
          const pct = p.phase === 'subsampling' && p.total > 0 ? Math.round((100 * p.done) / p.total) : 0;
          progress.report({ message: p.phase === 'subsampling' ? `${PHASE_TEXT.subsampling} (${p.done}/${p.total})` : PHASE_TEXT[p.phase], increment: pct - reported });
          reported = pct;
        });
        this.state = { state: 'done', measures: r.measures };
        this.ctx.log.info(`[${this.title}] ${r.measures.source}: rho ${r.measures.rho.toFixed(3)}, D_fit/D_var ${r.measures.rel_fit_dim ?? '-'}`);
        this.show({ type: 'recordingResult', measures: r.measures, view: toEnvelope(r.view) });
      } catch (e) {
        this.fail(e);
      } finally {
        cancel.dispose();
      }
    });
  }

  protected initMessage(): ToPanel {
    return { type: 'recordingInit', version: PROTOCOL_VERSION, file: this.file.fsPath, title: basename(this.file.fsPath) };
  }

  protected override onReady(): void {
    // the page (re)started: it gets what it showed
    if (this.last) this.channel.post(this.last);
  }

  protected override recordingState(): RecordingState {
    return { ...this.state };
  }

  private show(msg: ToPanel): void {
    if (this.isDisposed) return;
    this.last = msg;
    this.channel.post(msg);
  }

  private fail(e: unknown): void {
    if (e instanceof RecordingCancelled) {
      this.state = { state: 'cancelled' };
      this.show({ type: 'recordingFailed', message: 'The analysis was cancelled. Run RNN Lab: Analyse recording… again to start it anew.' });
      return;
    }
    const message = (e as Error)?.message ?? String(e);
    this.state = { state: 'failed', error: message };
    this.ctx.log.warn(`[${this.title}] ${message}`);
    this.show({ type: 'recordingFailed', message });
  }
}
