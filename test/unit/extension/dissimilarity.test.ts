/**
 * The host's dissimilarity service (src/extension/panel/dissimilarity.ts) on real run
 * folders trained by the CLI here: the numbers of `rnnlab compare --json`, progress per
 * pair, the child killed on abort, and failures in words.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { computeDissimilarity, DissimilarityCancelled, DissimilarityError } from '../../../src/extension/panel/dissimilarity';
import { at, defined } from '../../../src/core/checked';

const ROOT = resolve(__dirname, '../../..');
const DIST = join(ROOT, 'dist');

const SPEC = `name: tiny
task: { kind: cycling, response: 6 }
network: { N: 16, train: [recurrent] }
training: { steps: 6, batch: 8, lr0: 0.05 }
evaluation: { batch: 8, every: 3, t_min: 2 }
seeds: 2
variants:
  - { name: aligned, network: { output_scale: small } }
  - { name: oblique, network: { output_scale: large } }
`;

function rnnlab(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/rnnlab.js'), ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Whether a process of this id still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the host dissimilarity service (forks rnnlab compare)', function () {
  this.timeout(300_000);
  let dir: string;
  let folders: string[];

  before(() => {
    if (!existsSync(join(DIST, 'cli-compare.js'))) throw new Error('dist/cli-compare.js is missing: run `npm run build` (npm test does it first).');
    dir = mkdtempSync(join(tmpdir(), 'rnnlab-dissim-'));
    writeFileSync(join(dir, 'tiny.rnn.yaml'), SPEC);
    rnnlab(['train', 'tiny.rnn.yaml', '--out', 'runs', '--jobs', '2'], dir);
    const session = join(dir, 'runs', at(readdirSync(join(dir, 'runs')), 0));
    // an order that is neither the spec's nor the folders': the matrix keeps the order asked for
    folders = ['oblique-s1', 'aligned-s0', 'oblique-s0', 'aligned-s1'].map((r) => join(session, r));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the numbers of rnnlab compare --json, in the order asked, with progress per pair', async () => {
    const progress: [number, number][] = [];
    const d = await computeDissimilarity(folders, { dist: DIST, onProgress: (done, total) => progress.push([done, total]) });
    const cli = JSON.parse(defined(rnnlab(['compare', ...folders, '--json'], dir).trim().split('\n').pop())) as unknown;
    assert.deepEqual(d, cli);
    assert.deepEqual(d.runs, ['oblique-s1', 'aligned-s0', 'oblique-s0', 'aligned-s1']);
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6].map((k) => [k, 6]));
    assert.equal(defined(d.within.aligned).pairs, 1);
    assert.ok(at(at(d.matrix, 0), 1) !== null && (at(at(d.matrix, 0), 1) ?? 0) > 0);
  });

  it('kills the child when aborted, and settles only after it has exited', async () => {
    const abort = new AbortController();
    let pid = 0;
    let pairs = 0;
    const job = computeDissimilarity(folders, {
      dist: DIST,
      signal: abort.signal,
      onProgress: () => pairs++,
      onStart: (p) => {
        pid = p;
        abort.abort();
      },
    });
    await assert.rejects(job, DissimilarityCancelled);
    assert.ok(pid > 0, 'the child was started');
    assert.equal(alive(pid), false, `process ${pid} still runs`);
    assert.equal(pairs, 0, 'the child was killed before it compared a pair, not left to finish');
  });

  it('says in words why it cannot compute: a folder that holds no run, broken states, too few runs', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const e1 = await computeDissimilarity([at(folders, 0), empty], { dist: DIST }).catch((e: unknown) => e);
    assert.ok(e1 instanceof DissimilarityError, String(e1));
    assert.match(e1.message, /^The dissimilarity could not be computed: .*empty is neither a run folder \(no run\.json\) nor a session folder with run folders in it\.$/);
    assert.doesNotMatch(e1.message, /\n|\s+at\s|--help/);
    // a copy of a run whose trajectories file is garbage
    const broken = join(dir, 'broken');
    cpSync(at(folders, 1), broken, { recursive: true });
    writeFileSync(join(broken, 'trajectories.safetensors'), 'not safetensors');
    const e2 = await computeDissimilarity([at(folders, 0), broken], { dist: DIST }).catch((e: unknown) => e);
    assert.ok(e2 instanceof DissimilarityError, String(e2));
    assert.match(e2.message, /^The dissimilarity could not be computed: .*broken\/trajectories\.safetensors: Not a safetensors file/);
    assert.doesNotMatch(e2.message, /\n|\s+at\s/);
    await assert.rejects(computeDissimilarity([at(folders, 0)], { dist: DIST }), /needs two runs or more/);
    await assert.rejects(computeDissimilarity(folders, { dist: join(dir, 'nowhere') }), /cli-compare\.js is missing/);
  });
});
