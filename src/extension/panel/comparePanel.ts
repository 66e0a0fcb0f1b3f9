/**
 * A panel that shows stored runs side by side (Compare runs): one 3D view per run with
 * linked cameras, the measures with one column per run, their loss and measure curves,
 * and their dissimilarity (computed by the host's dissimilarity service while the page
 * shows the rest). One panel per set of runs; like a stored-run panel it trains nothing,
 * so its page starts no worker.
 */
import * as vscode from 'vscode';
import { PROTOCOL_VERSION, type ToPanel } from '../../protocol';
import { errorText } from '../log';
import { computeDissimilarity, DissimilarityCancelled } from './dissimilarity';
import type { StoredRun } from '../../store/runFolder';
import { maxWorkers } from '../settings';
import { RnnPanel, type PanelContext, type PanelSnapshot } from './rnnPanel';
import { storedPerturbation, storedRunData } from './storedRuns';
import { batchNote, compareKey, compareLabels, compareTitle } from '../compare/compareSet';

/** What a compare panel's page is called where a spec panel names its spec (exports are named after it). */
const COMPARE_NAME = 'comparison';

export class ComparePanel extends RnnPanel {
  /** the name each run goes by in the page: unique, prefixed with its session when the runs come from several */
  private readonly labels: string[];
  /** ends the dissimilarity's child process when the panel closes or its page is loaded again */
  private computing: AbortController | undefined;
  private shownDissimilarity: PanelSnapshot['dissimilarity'];

  constructor(
    private readonly runs: readonly StoredRun[],
    ctx: PanelContext,
    panel: vscode.WebviewPanel,
  ) {
    const labels = compareLabels(runs);
    const first = runs[0];
    if (first === undefined) throw new Error('A comparison needs stored runs.');
    const folders = runs.map((r) => r.dir);
    super(vscode.Uri.file(first.dir), 'compare', panel, compareTitle(labels), COMPARE_NAME, ctx, { key: compareKey(folders), folders });
    this.labels = labels;
  }

  protected initMessage(): ToPanel {
    return { type: 'init', version: PROTOCOL_VERSION, specName: COMPARE_NAME, specFile: '', runs: [], autoStart: false, maxWorkers: maxWorkers() };
  }

  protected override onReady(): void {
    void Promise.all(this.runs.map((r) => storedPerturbation(r.dir))).then((curves) => {
      const runs = this.runs.map((r, i) => {
        const data = storedRunData(r, curves[i]);
        return { ...data, run: { ...data.run, name: this.labels[i] ?? data.run.name } };
      });
      this.channel.post({ type: 'showRuns', purpose: 'compare', runs });
      const note = batchNote(this.runs, this.labels);
      if (note !== undefined) {
        this.ctx.log.info(`[${this.title}] ${note}`);
        this.channel.post({ type: 'notice', level: 'info', message: note });
      }
      this.computeDissimilarity();
    });
  }

  /** The runs' dissimilarity, for the page's heat map: progress per pair of runs, then the matrix or why there is none. */
  private computeDissimilarity(): void {
    this.computing?.abort();
    const computing = new AbortController();
    this.computing = computing;
    const folders = this.runs.map((r) => r.dir);
    const pairs = (folders.length * (folders.length - 1)) / 2;
    this.shownDissimilarity = { state: 'computing' };
    this.channel.post({ type: 'dissimilarity', state: 'computing', done: 0, total: pairs });
    computeDissimilarity(folders, {
      dist: vscode.Uri.joinPath(this.ctx.extensionUri, 'dist').fsPath,
      signal: computing.signal,
      onProgress: (done, total) => this.channel.post({ type: 'dissimilarity', state: 'computing', done, total }),
      onStart: (pid) => this.ctx.log.info(`[${this.title}] computing the dissimilarity of ${folders.length} runs (process ${pid})`),
    }).then(
      (result) => {
        if (computing.signal.aborted) return;
        this.shownDissimilarity = { state: 'ready', runs: [...result.runs] };
        this.channel.post({ type: 'dissimilarity', state: 'ready', result });
      },
      (e: unknown) => {
        if (e instanceof DissimilarityCancelled || computing.signal.aborted) return;
        this.ctx.log.warn(`[${this.title}] ${errorText(e)}`);
        this.shownDissimilarity = { state: 'failed', message: errorText(e) };
        this.channel.post({ type: 'dissimilarity', state: 'failed', message: errorText(e) });
      },
    );
  }

  protected override dissimilarityShown(): PanelSnapshot['dissimilarity'] {
    return this.shownDissimilarity;
  }

  override dispose(): void {
    this.computing?.abort();
    super.dispose();
  }

  protected override shownFolders(): string[] {
    return this.runs.map((r) => r.dir);
  }
}
