/**
 * The product's CLI bundles run as child processes of the extension host (the dissimilarity
 * of dissimilarity.ts, the recordings analysis of recordingJob.ts): one way to start them
 * and one way to turn what they print on failure into the user's sentence.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** A CLI bundle of dist/, forked with its stdout and stderr piped to the caller and an IPC channel. */
export function forkCli(bundle: string, args: readonly string[]): ChildProcess {
  return fork(bundle, [...args], {
    silent: true,
    // none of the host's own flags (a debugged host's --inspect port is taken)
    execArgv: [],
    // In desktop VS Code process.execPath is Electron: this makes it the Node it embeds, as VS Code's own extensions do.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

/** What a caller keeps of a child's stderr: its last characters, enough for a message and a listing. */
export const STDERR_KEEP = 64_000;

/**
 * The CLI's own words for its failure: the text after its last `rnnlab: `, without the
 * pointer to --help, stack frames or an `Error: ` prefix; a crash that printed no such line
 * gives what it printed. Undefined when nothing is left.
 */
export function cliFailure(stderr: string): string | undefined {
  const at = stderr.lastIndexOf('rnnlab: ');
  let text = at >= 0 ? stderr.slice(at + 'rnnlab: '.length) : stderr;
  text = text.replace(/\nRun rnnlab --help for usage\.\s*$/, '');
  text = text.split('\n').filter((l) => !/^\s+at /.test(l)).join('\n').trim().replace(/^Error: /, '');
  if (text === '') return undefined;
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}
