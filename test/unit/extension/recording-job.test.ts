/**
 * The recordings panel's analysis in a child process (src/extension/panel/recordingJob.ts):
 * the built dist/cli-recording.js forked as the extension forks it, its progress over IPC, its result
 * checked, Cancel killing it, and the CLI's errors cut to the sentence a user reads.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RECORDING_BUNDLE, RecordingCancelled, RecordingError, RecordingJob, type RecordingProgress } from '../../../src/extension/panel/recordingJob';
import { recordingPopulationNpz } from '../../fixtures/recording-population';

const CLI = resolve(__dirname, '../../../dist', RECORDING_BUNDLE);

describe('extension/recordingJob: rnnlab recording in a child process', function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;
  before(() => {
    if (!existsSync(CLI)) throw new Error(`dist/${RECORDING_BUNDLE} is missing: run \`node esbuild.mjs --only cli\`.`);
    dir = mkdtempSync(join(tmpdir(), 'rnnlab-job-'));
    file = join(dir, 'pop.npz');
    writeFileSync(file, recordingPopulationNpz());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the file, then analyses it with progress from every phase and a checked result', async () => {
    const job = new RecordingJob(CLI);
    const contents = await job.list(file);
    assert.deepEqual([contents.format, contents.defaults], ['npz', { activity: true, behaviour: true }]);
    const seen: RecordingProgress[] = [];
    const r = await job.analyse(file, ['--draws', '2'], (p) => seen.push(p));
    assert.deepEqual([...new Set(seen.map((p) => p.phase))], ['reading', 'analysing', 'subsampling']);
    const last = seen.at(-1);
    assert.ok(last && last.done === last.total && last.total === 9 * 2, JSON.stringify(last));
    assert.deepEqual([r.measures.N, r.measures.samples, r.view.trials, r.view.readouts.length], [60, 1280, 16, 2]);
    assert.equal(job.running, false);
  });

  it('cancel() kills the child mid-analysis', async () => {
    const job = new RecordingJob(CLI);
    let killedAt: number | undefined;
    const run = job.analyse(file, ['--draws', '5000'], (p) => {
      if (p.phase === 'subsampling' && killedAt === undefined) {
        killedAt = p.done;
        job.cancel();
      }
    });
    await assert.rejects(run, RecordingCancelled);
    assert.equal(job.running, false);
    assert.ok(killedAt !== undefined && killedAt < 5000 * 9);
  });

  it('a loader error is the CLI\'s sentence: what the file holds, no usage hint, no stack', async () => {
    const bad = join(dir, 'bad.npz');
    writeFileSync(bad, recordingPopulationNpz());
    const job = new RecordingJob(CLI);
    await assert.rejects(job.analyse(bad, ['--activity', 'rates'], () => undefined), (e: Error) => {
      assert.ok(e instanceof RecordingError);
      assert.match(e.message, /^bad\.npz: the \.npz has no array rates for the activity; it has activity \[16 x 80 x 60\], behaviour \[16 x 80 x 2\], condition \[16\]\. Choose with --activity NAME\.$/);
      return true;
    });
  });
});
