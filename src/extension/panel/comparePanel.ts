/**
 * A panel that shows stored runs side by side (Compare runs): one 3D view per run with
 * linked cameras, the measures with one column per run, their loss and measure curves,
 * and their dissimilarity heat map (computed by the panel's DissimilarityJobs, the
 * product's rnnlab compare forked, while the page shows the rest). One panel per set of
 * runs; like a stored-run panel it trains nothing, so its page starts no worker.
 */
import * as vscode from 'vscode';
import { PROTOCOL_VERSION, type ToPanel } from '../../protocol';
import type { StoredRun } from '../../store/runFolder';
import { maxWorkers } from '../settings';
import { RnnPanel, type PanelContext } from './rnnPanel';
import { storedPerturbation, storedRunData } from './storedRuns';
import { batchNote, compareKey, compareLabels, compareTitle } from '../compare/compareSet';

/** What a compare panel's page is called where a spec panel names its spec (exports are named after it). */
const COMPARE_NAME = 'comparison';

export class ComparePanel extends RnnPanel {
  /** the name each run goes by in the page: unique, prefixed with its session when the runs come from several */
  private readonly labels: string[];

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
      // For the page's heat map: progress per pair, then the matrix or why there is none (one computation at a time).
      if (this.dissimilarities.active === 0) void this.dissimilarities.compute(this.runs.map((r) => r.dir));
    });
  }

  protected override shownFolders(): string[] {
    return this.runs.map((r) => r.dir);
  }
}
