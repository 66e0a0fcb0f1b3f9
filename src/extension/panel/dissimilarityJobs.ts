/**
 * A panel's dissimilarity heat map data (docs/science.md §4.7): computed for a finished
 * session's runs (dissimilarity.ts forks `rnnlab compare`), with its progress, and
 * stored next to them; or read from a session folder that already has its
 * dissimilarity.json (`rnnlab train`, an earlier panel session). Every job ends with the
 * panel: disposing aborts them, which kills their child processes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DissimilarityMessage, DissimilarityResult } from '../../protocol';
import { dissimilarityResult } from '../../protocol/dissimilarity';
import { DISSIMILARITY_FILE } from '../../store/sessionFile';
import type { Log } from '../log';
import { computeDissimilarity, DissimilarityCancelled } from './dissimilarity';

/** Progress goes to the page at most this often (a 64-run session has 2016 pairs). */
const PROGRESS_MS = 100;

/** What a session folder's dissimilarity.json says: its result, or why it cannot be read; undefined without one. */
export type StoredDissimilarity = { result: DissimilarityResult; file: string } | { problem: string; file: string } | undefined;

export async function readStoredDissimilarity(sessionDir: string): Promise<StoredDissimilarity> {
  const file = join(sessionDir, DISSIMILARITY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { problem: `${file} cannot be read: ${(e as Error).message}`, file };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { problem: `${file} is not JSON: ${(e as Error).message}`, file };
  }
  const why = dissimilarityResult.problem(value);
  return why === undefined ? { result: value as DissimilarityResult, file } : { problem: `${file} is not a dissimilarity file: ${why}`, file };
}

export class DissimilarityJobs {
  private readonly running = new Set<AbortController>();

  constructor(
    /** the extension's dist/ folder, where the compare bundle is */
    private readonly dist: string,
    private readonly post: (m: DissimilarityMessage) => void,
    private readonly log: Log,
    private readonly title: string,
  ) {}

  /** How many computations are running (the extension-host tests wait for none). */
  get active(): number {
    return this.running.size;
  }

  /**
   * Computes the dissimilarity of these run folders and tells the page: progress, then the
   * matrix (after `save` stored it, when given) or why there is none. Never rejects.
   * @param session the live session's id, so a page that has moved on ignores it
   */
  async compute(folders: readonly string[], opts: { session?: string; save?: (text: string) => Promise<string> } = {}): Promise<void> {
    const session = opts.session !== undefined ? { session: opts.session } : {};
    const abort = new AbortController();
    this.running.add(abort);
    const total = (folders.length * (folders.length - 1)) / 2;
    let last = 0;
    this.post({ type: 'dissimilarity', state: 'computing', done: 0, total, ...session });
    try {
      const result = await computeDissimilarity(folders, {
        dist: this.dist,
        signal: abort.signal,
        onProgress: (done, all) => {
          const now = Date.now();
          if (done < all && now - last < PROGRESS_MS) return;
          last = now;
          this.post({ type: 'dissimilarity', state: 'computing', done, total: all, ...session });
        },
      });
      let file: string | undefined;
      if (opts.save) {
        try {
          file = await opts.save(`${JSON.stringify(result, null, 2)}\n`);
          this.log.info(`[${this.title}] dissimilarity of ${folders.length} runs -> ${file}`);
        } catch (e) {
          // The matrix is still shown; only the file is missing.
          this.log.warn(`[${this.title}] the dissimilarity was computed but not stored: ${(e as Error).message}`);
        }
      }
      this.post({ type: 'dissimilarity', state: 'ready', result, ...(file !== undefined ? { file } : {}), ...session });
    } catch (e) {
      if (e instanceof DissimilarityCancelled) return;
      const message = (e as Error).message;
      this.log.warn(`[${this.title}] ${message}`);
      this.post({ type: 'dissimilarity', state: 'failed', message, ...session });
    } finally {
      this.running.delete(abort);
    }
  }

  /** Shows a session folder's stored dissimilarity; false when it has none (or an unreadable one, which the page is told about when `sayProblem`). */
  async showStored(sessionDir: string, sayProblem: boolean): Promise<boolean> {
    const stored = await readStoredDissimilarity(sessionDir);
    if (stored === undefined) return false;
    if ('problem' in stored) {
      this.log.warn(`[${this.title}] ${stored.problem}`);
      if (sayProblem) this.post({ type: 'dissimilarity', state: 'failed', message: stored.problem });
      return false;
    }
    this.post({ type: 'dissimilarity', state: 'ready', result: stored.result, file: stored.file });
    return true;
  }

  /** Aborts every computation: their child processes are killed. */
  dispose(): void {
    for (const a of this.running) a.abort();
    this.running.clear();
  }
}
