/**
 * Names in the run store. They must be the same on every OS, so they are lower case
 * (case-insensitive file systems would merge "Aligned" and "aligned") and use only
 * characters that are safe everywhere. Pure functions without Node APIs: the spec layer
 * (variant names) and the panel use them too.
 *
 *   <base>/.rnnlab/runs/<spec-name>-YYYYMMDD-HHMMSS[-n]/<variant>-s<seed>/
 */

/** The run store's folder under a workspace folder, as path segments. */
export const STORE_SEGMENTS = ['.rnnlab', 'runs'] as const;

/** The run store's folder as users read it in messages. */
export const STORE_LABEL = STORE_SEGMENTS.join('/');

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
    const cp = ch.codePointAt(0) ?? 0;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (chars + 1 > MAX_CHARS || bytes + size > MAX_BYTES) break;
    out += ch;
    chars++;
    bytes += size;
  }
  return out;
}

/** A spec file's name without its folder and `.rnn.yaml` (or `.yaml`); '' without a file. */
export function specFileStem(fileName: string | undefined): string {
  const base = fileName?.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.rnn\.ya?ml$/i, '').replace(/\.ya?ml$/i, '');
}

/**
 * The spec's name for the run store: its `name` and its file name, made safe by slug().
 * Two specs may share a `name:`, never a file name in one folder, so the file's stem is
 * added when it differs from the name (`name: cycling` in copy.rnn.yaml gives
 * `cycling-copy`); the name is cut short before the stem is. Without a name, the stem.
 */
export function specName(spec: { name?: string } | undefined, fileName?: string): string {
  const named = spec?.name !== undefined && spec.name.trim() !== '' ? slug(spec.name) : undefined;
  const stem = specFileStem(fileName) === '' ? undefined : slug(specFileStem(fileName));
  if (named === undefined || stem === undefined || named === stem) return named ?? stem ?? 'spec';
  const room = Math.max(8, MAX_CHARS - 1 - [...stem].length);
  return slug(`${[...named].slice(0, room).join('')}-${stem}`);
}

/**
 * `<spec-name>-YYYYMMDD-HHMMSS`: one folder per training session of a spec. A later
 * session started within the same second gets `-2`, `-3`, ... (`n`), so neither writes
 * into the other's folder (session.ts claims the name on disk).
 */
export function sessionFolderName(specName: string, at: Date, n = 1): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  return `${specName}-${stamp}${n > 1 ? `-${n}` : ''}`;
}

/**
 * One folder name: letters (of any script, as slug() keeps them, with their marks), digits,
 * . _ -, not starting with a dot, hyphen or mark (so never `.`, `..`, hidden or an option).
 */
const SAFE_SEGMENT = /^[\p{L}\p{N}_][\p{L}\p{M}\p{N}._-]{0,127}$/u;

export function isSafeSegment(name: string): boolean {
  return SAFE_SEGMENT.test(name);
}
