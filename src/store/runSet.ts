/**
 * A set of stored runs named by the user: folders given to `rnnlab compare` or picked in
 * VS Code's explorer, where a session folder stands for the run folders in it; and the
 * names those runs go by side by side, unique even when two sessions hold runs of the same
 * name.
 */
import { lstat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isRealFolder, visibleFolders } from './files';

export interface RunFolderSet {
  /** the run folders, each once, in the order named; a session folder's runs in name order */
  runs: string[];
  /** the folders that are neither a run folder nor a session folder, each with a sentence saying so */
  problems: { folder: string; message: string }[];
  /** run folders named more than once (directly, or also through their session folder) */
  duplicates: string[];
}

/** The run folders named by `dirs`, a session folder standing for its runs; never throws for a bad folder, it says why. */
export async function resolveRunFolders(dirs: readonly string[]): Promise<RunFolderSet> {
  const runs: string[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const problems: RunFolderSet['problems'] = [];
  const add = (dir: string) => {
    const key = resolve(dir);
    if (seen.has(key)) {
      if (!duplicates.includes(dir)) duplicates.push(dir);
      return;
    }
    seen.add(key);
    runs.push(dir);
  };
  for (const d of dirs) {
    if (!(await isRealFolder(d))) {
      problems.push({ folder: d, message: `${d} is not a folder.` });
      continue;
    }
    if (await hasRunJson(d)) {
      add(d);
      continue;
    }
    const inside: string[] = [];
    for (const f of (await visibleFolders(d)).sort()) if (await hasRunJson(join(d, f))) inside.push(join(d, f));
    if (inside.length === 0) problems.push({ folder: d, message: `${d} is neither a run folder (no run.json) nor a session folder with run folders in it.` });
    for (const f of inside) add(f);
  }
  return { runs, problems, duplicates };
}

async function hasRunJson(dir: string): Promise<boolean> {
  return lstat(join(dir, 'run.json')).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** What labelRuns needs of a stored run: its folder, name and variant. */
export interface LabelledRun {
  dir: string;
  run: { name: string; variant: string };
}

/**
 * Names and rows of the runs: plain when they come from one session; otherwise prefixed
 * with their session (the spec's name, or the whole folder name when a spec has several
 * sessions here), so "aligned" of one spec is not averaged with "aligned" of another.
 */
export function labelRuns(stored: readonly LabelledRun[]): { name: string; variant: string }[] {
  const sessionOf = (s: LabelledRun) => basename(dirname(s.dir));
  const sessions = [...new Set(stored.map(sessionOf))];
  if (sessions.length <= 1) return stored.map((s) => ({ name: s.run.name, variant: s.run.variant }));
  const specOf = (session: string) => session.replace(/-\d{8}-\d{6}(-\d+)?$/, '');
  const specs = sessions.map(specOf);
  const prefix = (session: string) => (specs.filter((p) => p === specOf(session)).length > 1 ? session : specOf(session));
  return stored.map((s) => ({ name: `${prefix(sessionOf(s))}/${s.run.name}`, variant: `${prefix(sessionOf(s))}/${s.run.variant}` }));
}
