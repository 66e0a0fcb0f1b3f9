/**
 * The run store: `<workspace>/.rnnlab/runs/<spec>-<session start>/<run>/`, or under the
 * spec's own folder when the spec is outside every workspace folder. Names that reach
 * the file system come from a webview message in the end, so every folder is checked to
 * lie inside the store before anything is written (docs/architecture.md, Security).
 */
import * as vscode from 'vscode';
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute } from 'node:path';
import type { RunResult } from '../core/train';
import { writeRunFolder } from '../store/runFolder';
import { sessionFolderName } from '../store/names';
import { exists } from './exists';

export const STORE_DIR = join('.rnnlab', 'runs');

/** The run store under a base folder: `<base>/.rnnlab/runs`. */
export function storeDir(base: string): string {
  return join(base, STORE_DIR);
}

/**
 * One folder name: letters (of any script, as slug() keeps them, with their marks), digits,
 * . _ -, not starting with a dot, hyphen or mark (so never `.`, `..`, hidden or an option).
 */
const SAFE_SEGMENT = /^[\p{L}\p{N}_][\p{L}\p{M}\p{N}._-]{0,127}$/u;

export function isSafeSegment(name: string): boolean {
  return SAFE_SEGMENT.test(name);
}

/** True when child is root itself or lies below it. */
function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The folder that holds a spec's run store: its workspace folder, else the spec's folder. */
export function storeBase(specUri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(specUri)?.uri.fsPath ?? dirname(specUri.fsPath);
}

class RunStoreError extends Error {
  override name = 'RunStoreError';
}

/** One training session of a spec: the folder its runs go to, created when the first run is written. */
export class Session {
  readonly dir: string;

  constructor(
    readonly base: string,
    specName: string,
    readonly startedAt: Date,
    /** 2, 3, ... for a later session started within the same second (sessionFolderName) */
    n = 1,
  ) {
    const folder = sessionFolderName(specName, startedAt, n);
    if (!isSafeSegment(folder)) throw new RunStoreError(`The spec name "${specName}" cannot be a folder name in the run store.`);
    this.dir = join(storeDir(base), folder);
  }

  /** Writes one finished run atomically and returns its folder. */
  async write(runName: string, result: RunResult, specText: string): Promise<string> {
    // A plain folder name can only name a folder directly in this.dir, so the path is right
    // on paper.
    if (!isSafeSegment(runName)) throw new RunStoreError(`The run name "${runName}" is not a plain folder name; nothing was written.`);
    // On disk a symlinked .rnnlab, runs or session folder could still lead elsewhere: compare
    // real paths, before creating anything (mkdir would follow the link) and after.
    const realBase = await realpath(this.base);
    await this.assertInside(realBase, await existingAncestor(this.dir));
    await mkdir(this.dir, { recursive: true });
    await this.assertInside(realBase, this.dir);
    return writeRunFolder(this.dir, runName, result, specText);
  }

  private async assertInside(realBase: string, p: string): Promise<void> {
    const real = await realpath(p);
    if (!isInside(realBase, real)) throw new RunStoreError(`${p} resolves to ${real}, outside ${realBase}; nothing was written.`);
  }
}

/** The deepest folder on the way to p that exists already. */
async function existingAncestor(p: string): Promise<string> {
  for (let d = p; ; d = dirname(d)) {
    if (await exists(d)) return d;
    if (dirname(d) === d) return d;
  }
}

export interface StoredRunEntry {
  dir: string;
  run: string;
  session: string;
  base: string;
  mtimeMs: number;
}

/** The folders in d, except hidden ones (unfinished writes); none when d cannot be read. */
export async function visibleFolders(d: string): Promise<string[]> {
  try {
    return (await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Every run folder under the stores of these bases, newest first. Temporary (hidden) folders are skipped. */
export async function listRuns(bases: readonly string[]): Promise<StoredRunEntry[]> {
  const out: StoredRunEntry[] = [];
  for (const base of bases) {
    const store = storeDir(base);
    for (const session of await visibleFolders(store)) {
      for (const run of await visibleFolders(join(store, session))) {
        const dir = join(store, session, run);
        const s = await stat(dir).catch(() => undefined);
        if (s) out.push({ dir, run, session, base, mtimeMs: s.mtimeMs });
      }
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || a.dir.localeCompare(b.dir));
}

