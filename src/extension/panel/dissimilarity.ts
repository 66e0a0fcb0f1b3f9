/**
 * The dissimilarity across stored runs (docs/science.md §4.7) for the panels: computed by
 * the product's own `rnnlab compare --json --progress` (dist/cli-compare.js, packaged),
 * forked as a child process, so the extension host never loads tfjs and the numbers are
 * those of the tested CLI path. The child is killed when the caller aborts (a panel
 * closes, a new session replaces the old one), and the promise settles only once it has
 * exited, so nothing outlives its panel.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compareLine, type DissimilarityResult } from '../../protocol/dissimilarity';
import { cliFailure, forkCli, STDERR_KEEP } from './cliChild';

/** The bundle's file name in dist/. */
export const COMPARE_BUNDLE = 'cli-compare.js';

/** A failure worded for the user (the panel shows the message as it is). */
export class DissimilarityError extends Error {}

/** The caller aborted; the child has exited. */
export class DissimilarityCancelled extends Error {
  constructor() {
    super('The dissimilarity was cancelled.');
  }
}

export interface DissimilarityOptions {
  /** the extension's dist/ folder */
  dist: string;
  signal?: AbortSignal;
  /** pairs of runs compared of total */
  onProgress?: (done: number, total: number) => void;
  /** the child's process id, once it runs (for the log) */
  onStart?: (pid: number) => void;
}

/**
 * The dissimilarity of these run folders, in this order (the matrix's rows). Rejects with
 * a DissimilarityError that says why in words, or DissimilarityCancelled after an abort.
 */
export function computeDissimilarity(runFolders: readonly string[], o: DissimilarityOptions): Promise<DissimilarityResult> {
  if (runFolders.length < 2) return Promise.reject(new DissimilarityError('The dissimilarity needs two runs or more.'));
  if (o.signal?.aborted) return Promise.reject(new DissimilarityCancelled());
  const bundle = join(o.dist, COMPARE_BUNDLE);
  // forked, a missing file would only say "Cannot find module" with a stack
  if (!existsSync(bundle)) return Promise.reject(new DissimilarityError(`The dissimilarity could not be computed: the extension's ${bundle} is missing. Reinstall RNN Dynamics Lab (or build it: node esbuild.mjs).`));
  return new Promise((resolve, reject) => {
    // `--` first: a folder whose name starts with a dash is still a folder.
    const child = forkCli(bundle, ['--json', '--progress', '--', ...runFolders]);
    let result: DissimilarityResult | undefined;
    let problem: string | undefined;
    let stderr = '';
    const onAbort = () => child.kill();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (child.pid !== undefined) o.onStart?.(child.pid);
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_KEEP);
    });
    const lines = child.stdout ? createInterface({ input: child.stdout, crlfDelay: Infinity }) : undefined;
    lines?.on('line', (line) => {
      if (!line.startsWith('{')) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        problem = `it printed a line that is not JSON: ${line.slice(0, 80)}`;
        return;
      }
      const kind = (value as { kind?: unknown }).kind;
      if (kind !== 'progress' && kind !== 'dissimilarity') return; // one line per run: the panel has those already
      const why = compareLine.problem(value);
      if (why !== undefined) problem = `it printed a line the extension does not understand (${why})`;
      else if (kind === 'progress') {
        const p = value as { done: number; total: number };
        o.onProgress?.(p.done, p.total);
      } else result = value as DissimilarityResult;
    });
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (o.signal?.aborted) return reject(new DissimilarityCancelled());
      if (code === 0 && result && !problem) return resolve(result);
      const why = problem ?? spawnError?.message ?? cliFailure(stderr) ?? (signal ? `it was stopped (${signal})` : `it ended with exit code ${String(code)} and no result`);
      reject(new DissimilarityError(`The dissimilarity could not be computed: ${why.replace(/\.?$/, '.')}`));
    });
  });
}
