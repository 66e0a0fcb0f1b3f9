/**
 * One training session of a spec panel: the runs the host sent, the spec text they were
 * trained from, and the run-store folder their results go to. Only runs of the current
 * session are accepted from the page, under the host's own names and configs.
 */
import type { Envelope } from '../../core/pack';
import type { RunConfig } from '../../core/types';
import { decodeRunResult } from '../runResult';
import { Session } from '../runStore';

export class TrainingSession {
  private readonly runs: Map<string, RunConfig>;
  private readonly folder: Session;
  private readonly written = new Set<string>();

  constructor(
    runs: readonly RunConfig[],
    /** the spec's text when Train was pressed: what spec.rnn.yaml in each run folder holds */
    readonly specText: string,
    specName: string,
    storeBase: string,
    readonly startedAt = new Date(),
  ) {
    this.runs = new Map(runs.map((r) => [r.name, r]));
    this.folder = new Session(storeBase, specName, startedAt);
  }

  get dir(): string {
    return this.folder.dir;
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
