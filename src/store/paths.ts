/**
 * Where the run store is and what lies inside it. Names that reach the file system come
 * from a webview message or a restored page state in the end, so a folder is used only
 * when its path is inside a store on paper and, once it exists, in real paths too
 * (a symlinked .rnnlab, runs or session folder could lead elsewhere).
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { isSafeSegment, STORE_SEGMENTS } from './names';

export class RunStoreError extends Error {
  override name = 'RunStoreError';
}

/** The run store under a base folder: `<base>/.rnnlab/runs`. */
export function storeDir(base: string): string {
  return join(base, ...STORE_SEGMENTS);
}

/** True when child is root itself or lies below it. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * True when dir is `<store>/<session>/<run>`, two plain folder names below a folder that
 * `isStore` accepts (on paper: nothing is read).
 */
export function isRunFolderOf(isStore: (store: string) => boolean, dir: string): boolean {
  if (!isAbsolute(dir)) return false;
  const session = dirname(dir);
  return isSafeSegment(basename(dir)) && isSafeSegment(basename(session)) && isStore(dirname(session));
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** The deepest folder on the way to p that exists already. */
export async function existingAncestor(p: string): Promise<string> {
  for (let d = p; ; d = dirname(d)) {
    if (await exists(d)) return d;
    if (dirname(d) === d) return d;
  }
}

/** Throws unless p, with every link resolved, lies inside realBase. */
export async function assertInside(realBase: string, p: string): Promise<void> {
  const real = await realpath(p);
  if (!isInside(realBase, real)) throw new RunStoreError(`${p} resolves to ${real}, outside ${realBase}; nothing was written.`);
}
