/**
 * The recordings analysis for the panel, run by the product's own CLI bundle in a child
 * process (dist/cli-recording.js: `rnnlab recording FILE --json --view TMP.json`, or
 * `--list`): the same tested
 * code path as the command line, and tfjs and h5wasm stay out of the extension host.
 * Progress comes over the fork's IPC channel; cancel() kills the child. A failure is a
 * RecordingError whose message is the CLI's sentence, never a stack trace.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingContents } from '../../core/recording/load';
import { Check } from '../../protocol';
import type { RecordingView } from '../../core/recording/view';
import { cliFailure, forkCli, STDERR_KEEP } from './cliChild';
import { checkRecordingMeasures, recordingChildMessage, recordingViewFromJson, type RecordingChildMessage, type RecordingMeasures } from '../../protocol/recording';

/** `rnnlab recording` alone, next to extension.js in dist/ (src/cli/recording-main.ts). */
export const RECORDING_BUNDLE = 'cli-recording.js';

export class RecordingError extends Error {}
/** The user cancelled: nothing to report. */
export class RecordingCancelled extends Error {}

export type RecordingProgress = Omit<RecordingChildMessage, 'type'>;

export interface RecordingResult {
  measures: RecordingMeasures;
  view: RecordingView;
}

export class RecordingJob {
  private child: ChildProcess | undefined;
  private cancelled = false;

  /** `cli` is dist/cli-recording.js of the installed extension (RECORDING_BUNDLE). */
  constructor(private readonly cli: string) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  /** What the file holds (rnnlab recording FILE --list). */
  async list(file: string): Promise<RecordingContents> {
    const out = await this.run([file, '--list'], () => undefined);
    try {
      return JSON.parse(out) as RecordingContents;
    } catch {
      throw new RecordingError(`the file's listing could not be read (${out.slice(0, 200)}).`);
    }
  }

  async analyse(file: string, args: readonly string[], onProgress: (p: RecordingProgress) => void): Promise<RecordingResult> {
    const dir = await mkdtemp(join(tmpdir(), 'rnnlab-recording-'));
    try {
      const viewFile = join(dir, 'view.json');
      const out = await this.run([file, ...args, '--json', '--view', viewFile], onProgress);
      let parsed: unknown;
      try {
        parsed = JSON.parse(out);
      } catch {
        throw new RecordingError(`the analysis printed something other than its result (${out.slice(0, 200)}).`);
      }
      const c = new Check();
      const measures = checkRecordingMeasures(c, parsed, 'result');
      if (measures === undefined) throw new RecordingError(`the analysis' result is malformed: ${c.summary()}.`);
      let view: RecordingView;
      try {
        view = recordingViewFromJson(JSON.parse(await readFile(viewFile, 'utf8')));
      } catch (e) {
        throw new RecordingError(`the view could not be read back: ${(e as Error).message}`);
      }
      return { measures, view };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Kills the child; its promise rejects with RecordingCancelled. */
  cancel(): void {
    this.cancelled = true;
    this.child?.kill();
  }

  private run(args: string[], onProgress: (p: RecordingProgress) => void): Promise<string> {
    if (this.child) return Promise.reject(new Error('RecordingJob: one analysis at a time'));
    this.cancelled = false;
    return new Promise<string>((resolve, reject) => {
      const child = forkCli(this.cli, args);
      this.child = child;
      let out = '';
      let err = '';
      child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
      child.stderr?.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-STDERR_KEEP)));
      child.on('message', (m: unknown) => {
        if (recordingChildMessage.is(m)) onProgress({ phase: m.phase, done: m.done, total: m.total });
      });
      child.on('error', (e) => {
        this.child = undefined;
        reject(new RecordingError(`the analysis could not start: ${e.message}`));
      });
      // close, not exit: stdout is complete only when its pipe has closed
      child.on('close', (code, signal) => {
        this.child = undefined;
        if (this.cancelled) reject(new RecordingCancelled('cancelled'));
        else if (code === 0) resolve(out);
        else reject(new RecordingError(signal ? `the analysis was stopped (${signal}).` : (cliFailure(err) ?? `the analysis stopped (exit code ${code ?? 'none'}) without saying why.`)));
      });
    });
  }
}
