/**
 * Names that become folders in the run store. They must be the same on every OS, so
 * they are lower case (case-insensitive file systems would merge "Aligned" and
 * "aligned") and use only characters that are safe everywhere.
 */

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/** `Oblique, g=0.7` -> `oblique-g-0.7`; never empty, never `.` or `..`, at most 64 characters. */
export function slug(name: string): string {
  let s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64)
    .replace(/[-.]+$/g, '');
  if (s === '') s = 'unnamed';
  if (WINDOWS_RESERVED.test(s)) s = `${s}-`;
  return s;
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
