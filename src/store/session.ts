/**
 * One training session of a spec: the folder its runs go to, `<store>/<spec>-<stamp>[-n]`.
 * The folder is claimed when the session starts, with a mkdir that fails on an existing
 * folder, so two sessions (two windows, two `rnnlab train` processes) started in the same
 * second never share one; that also proves the store is writable before anything trains.
 */
import { mkdir, realpath, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../core/train';
import { isSafeSegment, sessionFolderName } from './names';
import { assertInside, existingAncestor, RunStoreError } from './paths';
import { writeRunFolder } from './runFolder';
import { replaceFileDurably, type SessionFile } from './sessionFile';

/** More sessions of one spec in one second than this means something else is wrong. */
const MAX_SAME_SECOND = 1000;

export interface SessionPlace {
  /** the folder nothing may leave: a workspace folder, or the CLI's --out */
  base: string;
  /** the run store, base itself or below it */
  store: string;
}

export class Session {
  private written = 0;

  private constructor(
    readonly base: string,
    readonly dir: string,
    readonly startedAt: Date,
    /** a sweep folder, shared with other processes: never removed by release() */
    private readonly shared = false,
  ) {}

  /**
   * Opens the fixed folder `<store>/<name>`, a spec's sweep folder (sweep.ts), creating it
   * when needed: every process that trains some of a sweep's runs (a shard, a Slurm array
   * task, a resumed session) writes into the same one. Run folders in it are still never
   * replaced, so two writers of one run cannot overwrite each other.
   */
  static async open(place: SessionPlace, name: string, startedAt = new Date()): Promise<Session> {
    if (!isSafeSegment(name)) throw new RunStoreError(`The spec name "${name}" cannot be a folder name in the run store.`);
    const realBase = await prepareStore(place);
    const dir = join(place.store, name);
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw storeError(place.store, e);
    }
    await assertInside(realBase, dir);
    return new Session(place.base, dir, startedAt, true);
  }

  /** Claims a new session folder in the store; throws a sentence when the store cannot hold one. */
  static async create(place: SessionPlace, specName: string, startedAt = new Date()): Promise<Session> {
    if (!isSafeSegment(sessionFolderName(specName, startedAt))) throw new RunStoreError(`The spec name "${specName}" cannot be a folder name in the run store.`);
    const realBase = await prepareStore(place);
    for (let n = 1; n <= MAX_SAME_SECOND; n++) {
      const dir = join(place.store, sessionFolderName(specName, startedAt, n));
      try {
        await mkdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw storeError(place.store, e);
      }
      await assertInside(realBase, dir);
      return new Session(place.base, dir, startedAt);
    }
    throw new RunStoreError(`${place.store} already holds ${MAX_SAME_SECOND} sessions of ${specName} started at this second.`);
  }

  /** Writes one finished run atomically and returns its folder. */
  async write(runName: string, result: RunResult, specText: string): Promise<string> {
    // A plain folder name can only name a folder directly in this.dir, so the path is right on paper.
    if (!isSafeSegment(runName)) throw new RunStoreError(`The run name "${runName}" is not a plain folder name; nothing was written.`);
    // On disk a symlinked .rnnlab, runs or session folder could still lead elsewhere: compare
    // real paths, before creating anything (mkdir would follow the link) and after. The
    // folder is made again if release() removed it while a stopped run was finishing.
    const realBase = await realpath(this.base);
    await assertInside(realBase, await existingAncestor(this.dir));
    await mkdir(this.dir, { recursive: true });
    await assertInside(realBase, this.dir);
    const dir = await writeRunFolder(this.dir, runName, result, specText);
    this.written++;
    return dir;
  }

  /** Writes (or replaces) a file of the whole session next to its run folders, e.g. dissimilarity.json. */
  async writeFile(name: SessionFile, data: string | Uint8Array): Promise<string> {
    const realBase = await realpath(this.base);
    await assertInside(realBase, this.dir);
    return replaceFileDurably(this.dir, name, data);
  }

  /** Removes the session folder if no run was stored in it (everything stopped or failed); never a folder with files. */
  async release(): Promise<void> {
    if (this.written > 0 || this.shared) return;
    await rmdir(this.dir).catch(() => undefined);
  }
}

/** Creates the store (inside base, in real paths) and returns base's real path. */
async function prepareStore(place: SessionPlace): Promise<string> {
  try {
    await mkdir(place.base, { recursive: true });
    const realBase = await realpath(place.base);
    await assertInside(realBase, await existingAncestor(place.store));
    await mkdir(place.store, { recursive: true });
    await assertInside(realBase, place.store);
    return realBase;
  } catch (e) {
    throw e instanceof RunStoreError ? e : storeError(place.store, e);
  }
}

/** Why the store cannot hold a session, in words. */
function storeError(store: string, e: unknown): RunStoreError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way (it, or a folder on the way to it, is a file)' :
    code === 'EACCES' || code === 'EPERM' ? 'it is not writable' :
    code === 'EROFS' ? 'it is on a read-only file system' :
    code === 'ENOSPC' ? 'the disk is full' :
    (e as Error).message;
  return new RunStoreError(`Runs cannot be stored in ${store}: ${why}.`);
}
