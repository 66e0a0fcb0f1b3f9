/** Command-line arguments shared by rnnlab's commands: the usage error and number parsing. */

/** Bad arguments: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a positive whole number, not "${v}".`);
  return n;
}

/**
 * The exit code and the words of a command's end: its code, or for bad arguments the
 * message and a pointer to --help (2), or for anything else the stack (1).
 */
export function settle(command: Promise<number>): void {
  command.then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`rnnlab: ${err.message}\nRun rnnlab --help for usage.\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`rnnlab: ${err.stack ?? err.message}\n`);
        process.exitCode = 1;
      }
    },
  );
}
