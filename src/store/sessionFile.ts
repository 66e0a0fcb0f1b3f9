/**
 * Files of a whole session, next to its run folders (dissimilarity.json): replaced
 * atomically, so a reader sees the old file or the new one, never half of either.
 */
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder, writeFileDurably } from './files';
import { hostname } from 'node:os';
import { isSafeSegment, slug } from './names';
import { RunStoreError } from './paths';

/** Names of the session files the store knows; anything else in a session folder is a run folder or not ours. */
export const SESSION_FILES = ['dissimilarity.json'] as const;
export type SessionFile = (typeof SESSION_FILES)[number];

/** The dissimilarity across the session's runs (docs/science.md §4.7), as `rnnlab train` and the panel write it. */
export const DISSIMILARITY_FILE: SessionFile = 'dissimilarity.json';

/** Writes dir/name through a durable temporary file and a rename over any previous version. */
export async function replaceFileDurably(dir: string, name: SessionFile, data: string | Uint8Array): Promise<string> {
  if (!isSafeSegment(name)) throw new RunStoreError(`"${name}" is not a plain file name; nothing was written.`);
  const file = join(dir, name);
  const tmp = join(dir, `.${name}.tmp~${process.pid}~${slug(hostname())}~${Math.random().toString(36).slice(2, 10)}`);
  try {
    await writeFileDurably(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncFolder(dir);
  return file;
}
