/**
 * Training sessions of a spec panel: the runs the host sent, the spec text they were
 * trained from, and the run-store folder their results go to. A result is accepted only
 * for a run of the session it names, under the host's own names and configs: a Train
 * pressed while the previous session's last run is still stopping starts a new session,
 * and that run's result still belongs to (and is stored with) the old one.
 */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../core/pack';
import type { RunConfig } from '../../core/types';
import type { SessionRef } from '../../protocol';
import { decodeRunResult } from '../../store/result';
import { Session, type SessionPlace } from '../../store/session';
import type { SessionFile } from '../../store/sessionFile';

export class TrainingSession {
  /** names this session in the page's results; never a path */
  readonly id = randomUUID();
  private readonly runs: Map<string, RunConfig>;
  private readonly written = new Set<string>();
  /** the folder of each run stored */
  private readonly folders = new Map<string, string>();
  /** runs that failed, or whose result could not be stored */
  private readonly lost = new Set<string>();
  /** results being written now */
  private writing = 0;
  /** the page's training went idle (or failed) after running this session: no run of it will start any more */
  pageEnded = false;
  /** runs the page's status named as training: each reports a result or a failure, possibly after the page went idle */
  private readonly started = new Set<string>();
  /** the page reported training for this session (so a later idle is its end, not the state before it) */
  pageBusy = false;
  /** the dissimilarity across its runs was started (once per session) */
  dissimilarityStarted = false;

  constructor(
    runs: readonly RunConfig[],
    /** the spec's text when Train was pressed: what spec.rnn.yaml in each run folder holds */
    readonly specText: string,
    private readonly folder: Session,
  ) {
    this.runs = new Map(runs.map((r) => [r.name, r]));
  }

  get dir(): string {
    return this.folder.dir;
  }

  get startedAt(): Date {
    return this.folder.startedAt;
  }

  get ref(): SessionRef {
    return { id: this.id, dir: this.dir };
  }

  /** Removes the session's folder if nothing was stored in it. */
  release(): Promise<void> {
    return this.folder.release();
  }

  has(runName: string): boolean {
    return this.runs.has(runName);
  }

  /** Checks the result against the run this session sent and writes it; returns the run folder. */
  async store(runName: string, envelope: Envelope): Promise<string> {
    const run = this.runs.get(runName);
    if (run === undefined) throw new Error(`The panel sent a result for "${runName}", which is not a run of this training session; nothing was written.`);
    if (this.written.has(runName)) throw new Error(`The panel sent the result of ${runName} twice; the first one is kept.`);
    // counted before any await: the page's idle status right after this result must wait for it
    this.writing++;
    this.written.add(runName);
    try {
      const folder = await this.folder.write(runName, decodeRunResult(envelope, run), this.specText);
      this.folders.set(runName, folder);
      return folder;
    } catch (e) {
      this.written.delete(runName);
      this.lost.add(runName);
      throw e;
    } finally {
      this.writing--;
    }
  }

  /** A run that failed: it will bring no result. */
  failed(runName: string): void {
    if (this.runs.has(runName)) this.lost.add(runName);
  }

  /** A run the page said it is training. */
  running(runName: string): void {
    if (this.runs.has(runName)) this.started.add(runName);
  }

  /**
   * No result is coming any more and none is being written: every run is stored or lost,
   * or the page stopped training (a Stop drops queued runs, which never report) and every
   * run it started has reported. The page says it is idle *before* it sends the last
   * run's result, so idle alone is not the end.
   */
  get ended(): boolean {
    if (this.writing > 0) return false;
    const settled = (name: string) => this.folders.has(name) || this.lost.has(name);
    return this.folders.size + this.lost.size >= this.runs.size || (this.pageEnded && [...this.started].every(settled));
  }

  /** The folders of the runs stored, in the session's order (the spec's: variant, then seed). */
  storedFolders(): string[] {
    return [...this.runs.keys()].flatMap((name) => {
      const f = this.folders.get(name);
      return f === undefined ? [] : [f];
    });
  }

  /** Writes a file of the whole session next to its run folders (atomically, through the store). */
  writeFile(name: SessionFile, text: string): Promise<string> {
    return this.folder.writeFile(name, text);
  }
}

/**
 * A page replaces its queue on Train and stops the run in progress, which then reports
 * under its old session; queued runs of a replaced session never report. So sessions are
 * kept by id, the last few only: more replaced sessions than this with a run still
 * stopping would need a user pressing Train faster than a run can stop.
 */
const KEPT_SESSIONS = 8;

export class PanelSessions {
  private readonly byId = new Map<string, TrainingSession>();
  private latest: TrainingSession | undefined;

  /** The session of the last Train, whose spec text the "spec changed" banner compares with. */
  get current(): TrainingSession | undefined {
    return this.latest;
  }

  get(id: string): TrainingSession | undefined {
    return this.byId.get(id);
  }

  /** A new current session, in a folder of its own that it claims on disk now. */
  async start(runs: readonly RunConfig[], specText: string, specName: string, place: SessionPlace, startedAt = new Date()): Promise<TrainingSession> {
    const folder = await Session.create(place, specName, startedAt);
    const session = new TrainingSession(runs, specText, folder);
    this.byId.set(session.id, session);
    for (const id of [...this.byId.keys()].slice(0, Math.max(0, this.byId.size - KEPT_SESSIONS))) {
      void this.byId.get(id)?.release();
      this.byId.delete(id);
    }
    // A replaced session whose last run is still stopping makes its folder again when that run is stored.
    void this.latest?.release();
    this.latest = session;
    return session;
  }

  /** Removes the folders of sessions that stored nothing (the panel closes). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.byId.values()].map((s) => s.release()));
  }
}
