/**
 * File access of the run store: durable writes (data and folder entries on disk before a
 * rename publishes them) and bounded reads (regular files only, never through a link,
 * never more than a cap), since a run folder may be edited, damaged or planted.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';

class StoreFileError extends Error {
  override name = 'StoreFileError';
}

/** Writes data to a new file and flushes it to disk before returning. */
export async function writeFileDurably(file: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Flushes a folder's entries (new files, a rename into it) to disk. Some platforms
 * (Windows) cannot open a folder for that; there the rename's own ordering is all there is.
 */
export async function syncFolder(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw e;
  } finally {
    await fh.close();
  }
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function mib(bytes: number): string {
  return `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;
}

/**
 * The bytes of a regular file of at most maxBytes. A symbolic link, a device, a fifo or
 * a folder is refused without reading it (O_NOFOLLOW, then fstat on the open handle, so
 * nothing can be swapped in between), and so is a file larger than the cap.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  // Where O_NOFOLLOW does not exist (Windows), lstat first: links there are rare and need rights.
  if (NOFOLLOW === 0 && (await lstat(file)).isSymbolicLink()) throw new StoreFileError(`${file} is a symbolic link; run folders hold regular files only.`);
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new StoreFileError(`${file} is a symbolic link; run folders hold regular files only.`);
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new StoreFileError(`${file} is not a regular file.`);
    if (st.size > maxBytes) throw new StoreFileError(`${file} is ${mib(st.size)}, more than the ${mib(maxBytes)} such a file may hold.`);
    // read at most one byte past the cap: a file that grows while it is read is refused too
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buf.length) break;
    }
    if (filled > maxBytes) throw new StoreFileError(`${file} grew past ${mib(maxBytes)} while it was read.`);
    return buf.subarray(0, filled);
  } finally {
    await fh.close();
  }
}

/** The folders directly in d (never links to folders), except hidden ones (unfinished writes); none when d cannot be read. */
export async function visibleFolders(d: string): Promise<string[]> {
  try {
    return (await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch {
    return [];
  }
}

/** True when p is a folder itself, not a link to one. */
export async function isRealFolder(p: string): Promise<boolean> {
  return lstat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
