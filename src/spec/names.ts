/**
 * Names that become folders in the run store. They must be the same on every OS, so
 * they are lower case (case-insensitive file systems would merge "Aligned" and
 * "aligned") and use only characters that are safe everywhere.
 */
import type { RunConfig } from '../core/types';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/** At most this many characters, and this many bytes in UTF-8, so a run folder's name (slug plus a suffix) stays far below the usual 255-byte limit. */
const MAX_CHARS = 64;
const MAX_BYTES = 128;

/**
 * `Oblique, g=0.7` -> `oblique-g-0.7`, `Réseau` -> `reseau`, `Альфа` -> `альфа`: letters and
 * digits of any script, `.`, `_` and `-`; never empty, never `.` or `..`, never starting with
 * `.` or `-`, at most 64 characters and 128 bytes.
 */
export function slug(name: string): string {
  let s = name
    .toLowerCase()
    .normalize('NFKD')
    // accents of Latin letters go (é -> e); marks that other scripts need stay
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.\p{M}]+|[-.]+$/gu, '');
  s = truncate(s).replace(/[-.]+$/g, '');
  if (s === '') s = 'unnamed';
  if (WINDOWS_RESERVED.test(s)) s = `${s}-`;
  return s;
}

/** The longest prefix of whole code points within MAX_CHARS and MAX_BYTES. */
function truncate(s: string): string {
  let out = '';
  let chars = 0;
  let bytes = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (chars + 1 > MAX_CHARS || bytes + size > MAX_BYTES) break;
    out += ch;
    chars++;
    bytes += size;
  }
  return out;
}

/** The spec's name for the run store: its `name`, else the file name without `.rnn.yaml`, made safe by slug(). */
export function specName(spec: { name?: string } | undefined, fileName?: string): string {
  if (spec?.name !== undefined && spec.name.trim() !== '') return slug(spec.name);
  if (fileName !== undefined) {
    const base = fileName.split(/[\\/]/).pop() ?? '';
    const stem = base.replace(/\.rnn\.ya?ml$/i, '').replace(/\.ya?ml$/i, '');
    if (stem !== '') return slug(stem);
  }
  return 'spec';
}

/** The variants of these runs, each once, in the order of their first run. */
export function variantNames(runs: readonly RunConfig[]): string[] {
  return [...new Set(runs.map((r) => r.variant))];
}
