/** Names in the run store. */

/**
 * `<spec-name>-YYYYMMDD-HHMMSS`: one folder per training session of a spec. Two sessions
 * started within the same second get `-2`, `-3`, ... (`n`), so neither writes into the other's folder.
 */
export function sessionFolderName(specName: string, at: Date, n = 1): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  return `${specName}-${stamp}${n > 1 ? `-${n}` : ''}`;
}
