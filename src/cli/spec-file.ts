/** Reading a spec file for a command: its text and runs, or the problems printed and exit code 2. */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadSpec, type LoadedSpec } from '../spec/resolve';
import type { Diagnostic } from '../spec/diagnostics';

export interface SpecFile {
  /** absolute path */
  file: string;
  text: string;
  loaded: LoadedSpec;
}

/** Specs larger than this are refused before they are read (the spec layer's own limit is lower still). */
const MAX_SPEC_FILE = 64 * 2 ** 20;

/** The text of a spec file, or undefined after saying on stderr why it cannot be read. */
export async function readSpecText(file: string): Promise<string | undefined> {
  const fail = (why: string) => {
    process.stderr.write(`rnnlab: cannot read ${file}: ${why}\n`);
    return undefined;
  };
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => e);
  if (st instanceof Error) return fail(st.code === 'ENOENT' ? 'no such file' : st.code === 'EACCES' ? 'permission denied' : st.message);
  if (st.isDirectory()) return fail('it is a folder; give a *.rnn.yaml file');
  if (!st.isFile()) return fail('it is not a regular file');
  if (st.size > MAX_SPEC_FILE) return fail(`it is ${Math.round(st.size / 2 ** 20)} MiB, too large for a spec`);
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    return fail((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
}

/** The spec, or undefined after its problems (or why it cannot be read) went to stderr. */
export async function readSpecFile(path: string): Promise<SpecFile | undefined> {
  const text = await readSpecText(path);
  if (text === undefined) return undefined;
  const file = resolve(path);
  const loaded = loadSpec(text, file);
  printDiagnostics(path, loaded.diagnostics);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return { file, text, loaded };
}

export function printDiagnostics(file: string, ds: readonly Diagnostic[]): void {
  for (const d of ds) process.stderr.write(`${file}:${d.line + 1}:${d.column + 1}: ${d.severity}: ${d.message}\n`);
}
