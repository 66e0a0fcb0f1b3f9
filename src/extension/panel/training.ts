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

export class TrainingSession {
  /** names this session in the page's results; never a path */
  readonly id = randomUUID();
  private readonly runs: Map<string, RunConfig>;
  private readonly written = new Set<string>();

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
    const result = decodeRunResult(envelope, run);
    this.written.add(runName);
    try {
      return await this.folder.write(runName, result, this.specText);
    } catch (e) {
      this.written.delete(runName);
      throw e;
    }
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
