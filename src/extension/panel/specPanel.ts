/** A panel that trains the runs of one spec file. */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { PROTOCOL_VERSION, type FromPanel, type SessionRef, type ToPanel } from '../../protocol';
import type { RunConfig } from '../../core/types';
import { loadSpec } from '../../spec';
import { errorText } from '../log';
import { storePlace } from '../runStore';
import { maxWorkers } from '../settings';
import { reportUntrainable } from '../specProblems';
import { trainingAllowed } from '../trust';
import { MAX_PANEL_TEXT, RnnPanel, type PanelContext } from './rnnPanel';
import type { StoredRun } from '../../store/runFolder';
import { storedRunData } from './storedRuns';
import { PanelSessions, type TrainingSession } from './training';
import { DISSIMILARITY_FILE } from '../../store/sessionFile';
import { dirname } from 'node:path';

/** A sentence for the page's header until the next Train (after a window reload). */
export type PanelNotice = Extract<ToPanel, { type: 'notice' }>;

type SpecChange = Omit<Extract<ToPanel, { type: 'specChanged' }>, 'type'>;

/**
 * What one Train trains: runs, and the spec's text and name they were resolved from, read
 * together from one version of the spec, so the spec.rnn.yaml stored with a run is the
 * one that trained it.
 */
export interface TrainRequest {
  runs: RunConfig[];
  text: string;
  /** the spec's name for the run store */
  name: string;
  /** the spec's title for the panel */
  title: string;
}

export class SpecPanel extends RnnPanel {
  private readonly sessions = new PanelSessions();
  /** runs to start as soon as the page is ready (Train pressed before the page loaded) */
  private autoStart: { runs: RunConfig[]; session: SessionRef } | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  /** what the page was last told about the spec (specChanged): host and page agree on it */
  private lastChange: SpecChange = { changed: false, valid: true };

  constructor(
    readonly specUri: vscode.Uri,
    /** what the page's header shows: the spec's title */
    private specName: string,
    ctx: PanelContext,
    panel: vscode.WebviewPanel,
    /** the spec's runs as read when the panel opened, for a page that asks before the spec is open in an editor */
    private readonly openedRuns: RunConfig[] = [],
    private notice?: PanelNotice,
    /** after a window reload: the runs the session had finished and stored, shown again until the next Train */
    private restored: StoredRun[] = [],
  ) {
    super(specUri, 'spec', panel, `RNN Lab: ${specName}`, specName, ctx);
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
    // session folders that stored nothing (everything stopped or failed) go with the panel
    this._register({ dispose: () => void this.sessions.releaseAll() });
    this._register(this.onDidChangeStatus(() => this.followStatus()));
  }

  private get session() {
    return this.sessions.current;
  }

  protected override sessionDir(): string | undefined {
    return this.session?.dir;
  }

  /** Starts a training session of these runs, with the spec text they were resolved from. */
  async train({ runs, text, name, title }: TrainRequest): Promise<void> {
    // every Train comes here (commands, CodeLens, the page's own button)
    if (!trainingAllowed(this.ctx.log)) return;
    this.specName = title;
    const session = await this.sessions.start(runs, text, name, storePlace(this.specUri));
    this.notice = undefined;
    this.restored = [];
    this.ctx.log.info(`[${this.title}] training ${runs.map((r) => r.name).join(', ')}; results go to ${session.dir}`);
    // The page clears its banner on train (and a page not ready yet has none): no message needed.
    this.lastChange = { changed: false, valid: true };
    if (!this.channel.isReady) this.autoStart = { runs, session: session.ref };
    else this.channel.post({ type: 'train', runs, session: session.ref, maxWorkers: maxWorkers() });
  }

  protected initMessage(): ToPanel {
    const start = this.autoStart;
    this.autoStart = undefined;
    const base = { type: 'init', version: PROTOCOL_VERSION, specName: this.specName, specFile: this.specUri.fsPath, maxWorkers: maxWorkers() } as const;
    return start ? { ...base, runs: start.runs, autoStart: true, session: start.session } : { ...base, runs: this.currentRuns(), autoStart: false };
  }

  protected override onReady(): void {
    // Again after the page itself reloads: the notice and the restored runs stand until the next Train.
    if (this.notice) this.channel.post(this.notice);
    if (this.restored.length > 0) {
      const variants = [...new Set(this.currentRuns().map((r) => r.variant))];
      this.channel.post({ type: 'showRuns', purpose: 'restored', runs: this.restored.map((r) => storedRunData(r)), variants });
      this.restoredDissimilarity(this.restored.map((r) => r.dir));
    }
  }

  /** The restored runs' dissimilarity: their session's dissimilarity.json, else computed (not stored: the session may be cut short). */
  private restoredDissimilarity(folders: string[]): void {
    const [first] = folders;
    if (first === undefined || folders.length < 2) return;
    void this.dissimilarities.showStored(dirname(first), false).then((shown) => {
      if (!shown && !this.isDisposed) void this.dissimilarities.compute(folders);
    });
  }

  protected override shownFolders(): string[] {
    return [...this.stored, ...this.restored.map((r) => r.dir)];
  }

  private currentRuns(): RunConfig[] {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.key);
    return doc ? this.ctx.specs.get(doc).runs : this.openedRuns;
  }

  protected override onRequestTrain(): void {
    void (async () => {
      const doc = await vscode.workspace.openTextDocument(this.specUri);
      const loaded = this.ctx.specs.get(doc);
      const text = doc.getText();
      if (loaded.runs.length === 0) {
        this.setSpecChange({ changed: this.session !== undefined && text !== this.session.specText, valid: false });
        reportUntrainable(this.ctx.log, this.specUri, loaded);
        return;
      }
      await this.train({ runs: loaded.runs, text, name: loaded.name, title: loaded.title });
    })().catch((e: unknown) => this.ctx.log.showError(`Could not start training from ${basename(this.specUri.fsPath)}: ${errorText(e)}`, [], e));
  }

  /** The session the page names, not the current one: a run stopped by the next Train reports after it. */
  private sessionOf(m: { session: string; runName: string }, what: string): TrainingSession | undefined {
    const session = this.sessions.get(m.session);
    if (session === undefined || !session.has(m.runName)) {
      this.ctx.log.warn(`[${this.title}] refused ${what} for "${m.runName.slice(0, 80)}": no training session of this panel started it.`);
      return undefined;
    }
    return session;
  }

  protected override onRunFinished(m: Extract<FromPanel, { type: 'runFinished' }>): void {
    const session = this.sessionOf(m, 'a result');
    if (session === undefined) return;
    session.store(m.runName, m.result).then(
      (folder) => {
        this.stored.push(folder);
        this.ctx.log.info(`[${this.title}] stored ${m.runName} in ${folder}`);
        this.channel.post({ type: 'stored', runName: m.runName, folder });
        this.sessionDissimilarity(session);
      },
      (e: unknown) => {
        const message = errorText(e);
        this.storeFailures.push({ runName: m.runName, message });
        this.channel.post({ type: 'storeFailed', runName: m.runName, message });
        this.ctx.log.showError(`RNN Lab could not store ${m.runName}: ${message}`, [], e);
        this.sessionDissimilarity(session);
      },
    );
  }

  /** The page's state tells when the current session's training is over (a Stop drops queued runs, which never report). */
  private followStatus(): void {
    const session = this.session;
    const state = this.lastStatus?.state;
    if (session === undefined || state === undefined) return;
    for (const r of this.lastStatus?.runs ?? []) session.running(r.runName);
    if (this.lastStatus?.runName !== undefined) session.running(this.lastStatus.runName);
    if (state === 'training' || state === 'paused' || state === 'stopping') session.pageBusy = true;
    else if ((state === 'idle' || state === 'failed') && session.pageBusy) {
      session.pageEnded = true;
      this.sessionDissimilarity(session);
    }
  }

  /**
   * Once a session has ended with two runs or more stored, the dissimilarity across them
   * (docs/science.md §4.7) is computed, stored as the session's dissimilarity.json, and
   * shown; once per session.
   */
  private sessionDissimilarity(session: TrainingSession): void {
    if (session.dissimilarityStarted || !session.ended) return;
    const folders = session.storedFolders();
    if (folders.length < 2) return;
    session.dissimilarityStarted = true;
    void this.dissimilarities.compute(folders, { session: session.id, save: (text) => session.writeFile(DISSIMILARITY_FILE, text) });
  }

  protected override onRunFailed(m: Extract<FromPanel, { type: 'runFailed' }>): void {
    const session = this.sessionOf(m, 'a failure');
    if (session === undefined) return;
    session.failed(m.runName);
    this.sessionDissimilarity(session);
    const message = m.message.slice(0, MAX_PANEL_TEXT);
    this.runFailures.push({ runName: m.runName, message });
    this.ctx.log.showError(`RNN Lab: ${m.runName} failed${m.step !== undefined ? ` at step ${m.step}` : ''}: ${message}`, [{ title: 'Show panel', run: () => this.reveal() }]);
  }

  protected override specChange(): SpecChange {
    return { ...this.lastChange };
  }

  /** Tells the page, only when it changes. */
  private setSpecChange(next: SpecChange): void {
    if (next.changed === this.lastChange.changed && next.valid === this.lastChange.valid) return;
    this.lastChange = next;
    this.channel.post({ type: 'specChanged', ...next });
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
    // A Train while the file was read started a new session: this answer is about the old one.
    if (session !== this.session) return;
    this.setSpecChange({ changed: text !== session.specText, valid });
  }
}
