/** Listing the stored runs of some stores, and a one-line summary of each for a picker. */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegularFile, visibleFolders } from './files';
import { storeDir } from './paths';

export interface StoredRunEntry {
  dir: string;
  run: string;
  session: string;
  base: string;
  mtimeMs: number;
}

/**
 * Every run folder under the stores of these bases, newest first. Temporary (hidden)
 * folders and links are skipped, and so is a folder without a run.json: a sweep folder
 * (docs/cluster.md) sits at the depth of a session and keeps its Slurm scripts and logs in
 * `slurm/` beside the runs.
 */
export async function listRuns(bases: readonly string[]): Promise<StoredRunEntry[]> {
  const out: StoredRunEntry[] = [];
  for (const base of bases) {
    const store = storeDir(base);
    for (const session of await visibleFolders(store)) {
      for (const run of await visibleFolders(join(store, session))) {
        const dir = join(store, session, run);
        const s = await lstat(dir).catch(() => undefined);
        const runJson = await lstat(join(dir, 'run.json')).catch(() => undefined);
        if (s?.isDirectory() && runJson?.isFile()) out.push({ dir, run, session, base, mtimeMs: s.mtimeMs });
      }
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || a.dir.localeCompare(b.dir));
}

/** metrics.json is about 2 KB; a picker listing hundreds of runs reads no more than this of each. */
const SUMMARY_LIMIT = 64 * 1024;

/** A run's measures in one line, from its metrics.json (a regular file of bounded size); a folder without one says so. */
export async function runSummary(dir: string): Promise<string> {
  let m: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse((await readRegularFile(join(dir, 'metrics.json'), SUMMARY_LIMIT)).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'no readable metrics.json';
    m = parsed as Record<string, unknown>;
  } catch {
    return 'no readable metrics.json';
  }
  const field = (k: string): unknown => (Object.hasOwn(m, k) ? m[k] : undefined);
  const num = (k: string, digits: number) => {
    const v = field(k);
    return typeof v === 'number' ? v.toPrecision(digits) : '–';
  };
  const text = (k: string) => {
    const v = field(k);
    return typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 40) : '?';
  };
  const stopped = field('stopped') === true ? ` (stopped after ${text('steps')} steps)` : '';
  return `${text('task')}, N ${text('N')}: rho ${num('rho', 3)}, eval loss ${num('eval_loss', 3)}${stopped}`;
}
