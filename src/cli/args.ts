/** Command-line arguments shared by rnnlab's commands: the usage error and number parsing. */

/** Bad arguments: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a positive whole number, not "${v}".`);
  return n;
}
