/** The pieces of sweeps that need no training: shards, scaling fit, Slurm formats and scripts, config differences. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/args';
import { wallSeconds } from '../../src/cli/plan';
import { costLine } from '../../src/cli/estimate';
import { rhoScaling, slope } from '../../src/cli/scaling';
import { parseShard, shardOf } from '../../src/cli/select';
import { batchScript, isSlurmMem, isSlurmTime, shellWord, slurmMem, slurmTime } from '../../src/cli/slurm';
import type { TableRun } from '../../src/cli/table';
import { changesTraining, configDifferences, differenceText } from '../../src/store/sweep';

describe('sweeps: shards', () => {
  it('--shard I/N is 1-based and checked', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '1/2/3']) assert.throws(() => parseShard(bad), UsageError, bad);
  });

  it('the shards of a list are disjoint, cover it, and deal its items round robin', () => {
    const items = Array.from({ length: 11 }, (_, i) => i);
    const shards = [1, 2, 3].map((index) => shardOf(items, { index, count: 3 }));
    assert.deepEqual(shards, [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8]]);
    assert.deepEqual(shards.flat().sort((a, b) => a - b), items);
    assert.deepEqual(shardOf(items, { index: 12, count: 12 }), []);
  });

  it('a pool of workers takes the runs in order, each to the worker free first', () => {
    // 5 | 4, then 3 to the second (7), 3 to the first (8), 3 to the second (10)
    assert.equal(wallSeconds([5, 4, 3, 3, 3], 2), 10);
    // in order, the long run comes last: 1 | 1, then 10 -> 11 (longest first would take 10)
    assert.equal(wallSeconds([1, 1, 10], 2), 11);
    assert.equal(wallSeconds([10, 1, 1], 4), 10);
    assert.equal(wallSeconds([2, 2, 2], 1), 6);
  });
});

describe('sweeps: time estimates of shapes that were not measured', () => {
  it('a fixed overhead plus a part proportional to the work, through the measured points', () => {
    const f = costLine([{ w: 1, y: 12 }, { w: 11, y: 32 }, { w: 21, y: 52 }]); // y = 10 + 2w
    assert.equal(f(6), 22);
    assert.equal(f(101), 212);
  });

  it('one point, or a line that would not grow (noise), scales the nearest point by the work', () => {
    assert.equal(costLine([{ w: 10, y: 5 }])(40), 20);
    const noisy = costLine([{ w: 1, y: 50 }, { w: 100, y: 40 }]);
    assert.equal(noisy(200), 80);
    assert.equal(noisy(2), 100);
  });
});

describe('sweeps: the scaling fit rho ~ N^a', () => {
  const run = (variant: string, N: number, rho: number, output_scale: 'small' | 'large', seed = 0): TableRun =>
    ({ name: `${variant}-n${N}-s${seed}`, variant, seed, N, rho, output_scale, coordinates: { 'network.N': N } }) as unknown as TableRun;

  it('recovers the exponent of an exact power law, per variant, from the mean over seeds', () => {
    const runs: TableRun[] = [];
    for (const N of [32, 64, 128, 256]) {
      runs.push(run('aligned', N, 0.6, 'small'));
      // two seeds whose mean is 1.2 / sqrt(N)
      runs.push(run('oblique', N, 1.1 / Math.sqrt(N), 'large', 0), run('oblique', N, 1.3 / Math.sqrt(N), 'large', 1));
    }
    const fits = rhoScaling(runs);
    assert.deepEqual(fits.map((f) => f.variant), ['aligned', 'oblique']);
    const [aligned, oblique] = fits;
    assert.ok(aligned && oblique);
    assert.ok(Math.abs(aligned.exponent) < 1e-12);
    assert.ok(Math.abs(oblique.exponent + 0.5) < 1e-12, String(oblique.exponent));
    assert.deepEqual(oblique.Ns, [32, 64, 128, 256]);
  });

  it('needs two values of N; other swept fields make separate fits', () => {
    assert.deepEqual(rhoScaling([run('a', 64, 0.5, 'small')]), []);
    const g = (N: number, gv: number, rho: number) => ({ ...run('a', N, rho, 'small'), coordinates: { 'network.N': N, 'network.g': gv } }) as TableRun;
    const fits = rhoScaling([g(32, 0.7, 0.4), g(64, 0.7, 0.2), g(32, 1.5, 0.5), g(64, 1.5, 0.5)]);
    assert.deepEqual(fits.map((f) => [f.coordinates['network.g'], Math.round(f.exponent * 100) / 100]), [['0.7', -1], ['1.5', 0]]);
  });

  it('slope is the least-squares slope', () => {
    assert.equal(slope([0, 1, 2], [1, 3, 5]), 2);
    assert.equal(slope([0, 1, 2, 3], [0, 1, 1, 2]), 0.6);
  });
});

describe('sweeps: Slurm formats and the batch script', () => {
  it('time limits and memory sizes in Slurm formats, with validation of what users write', () => {
    assert.equal(slurmTime(1), '00:01:00');
    assert.equal(slurmTime(3601), '01:01:00');
    assert.equal(slurmTime(2 * 86400 + 90), '2-00:02:00');
    assert.equal(slurmMem(100 * 2 ** 20), '128M');
    assert.equal(slurmMem(1), '64M');
    for (const ok of ['30', '1:30', '01:00:00', '2-12', '2-12:30', '1-00:00:00', 'UNLIMITED']) assert.ok(isSlurmTime(ok), ok);
    for (const bad of ['1h', '', '-1', '1:2:3:4']) assert.ok(!isSlurmTime(bad), bad);
    for (const ok of ['512', '800M', '2G', '1t']) assert.ok(isSlurmMem(ok), ok);
    for (const bad of ['2GB', 'lots', '']) assert.ok(!isSlurmMem(bad), bad);
  });

  it('shell words are quoted only when needed, and survive bash', () => {
    assert.equal(shellWord('/usr/bin/node'), '/usr/bin/node');
    const nasty = "/tmp/it's a $dir";
    const r = spawnSync('bash', ['-c', `printf %s ${shellWord(nasty)}`], { encoding: 'utf8' });
    assert.equal(r.stdout, nasty);
  });

  it('the script runs one piece of work per array task, with absolute paths, throttle, resources and a log per task', () => {
    const s = batchScript({
      jobName: 'rnnlab-x', node: '/opt/node 20/bin/node', cli: '/repo/dist/cli.js', spec: '/shared/runs/x/x.rnn.yaml', out: '/shared/runs', logs: '/shared/runs/x/slurm',
      tasks: [{ kind: 'run', id: 'a-n16-s0' }, { kind: 'run', id: 'b-n16-s0' }, { kind: 'run', id: 'c-n16-s0' }],
      throttle: 2, cpus: 1, mem: '256M', time: '00:05:00', partition: 'short', comment: ['hello'],
    });
    assert.match(s, /^#!\/bin\/bash\n/);
    for (const line of ['#SBATCH --array=0-2%2', '#SBATCH --output=/shared/runs/x/slurm/%A_%a.log', '#SBATCH --mem=256M', '#SBATCH --time=00:05:00', '#SBATCH --partition=short', '#SBATCH --cpus-per-task=1', "NODE='/opt/node 20/bin/node'", '# hello']) {
      assert.ok(s.includes(line), line);
    }
    const unthrottled = batchScript({ jobName: 'j', node: 'n', cli: 'c', spec: 's', out: 'o', logs: 'l', tasks: [{ kind: 'shard', index: 1, count: 2 }, { kind: 'shard', index: 2, count: 2 }], throttle: 32, cpus: 2, mem: '1G', time: '10', comment: [] });
    assert.ok(unthrottled.includes('#SBATCH --array=0-1\n') && unthrottled.includes("'--shard 2/2'") && unthrottled.includes('--jobs 2'));
    assert.ok(!unthrottled.includes('--partition'));
  });

  it('the script, run as a task would, calls rnnlab with the task work item and records its exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-script-'));
    try {
      // a stand-in "node" that prints its arguments and fails: the script must pass both on
      const fake = join(dir, 'fake-node');
      writeFileSync(fake, '#!/bin/bash\necho "ARGS: $*"\nexit 3\n', { mode: 0o755 });
      const script = join(dir, 'job.sbatch');
      writeFileSync(script, batchScript({ jobName: 'j', node: fake, cli: '/repo/dist/cli.js', spec: '/s/x.rnn.yaml', out: '/s', logs: dir, tasks: [{ kind: 'run', id: 'a-s0' }, { kind: 'run', id: 'b-s0' }], cpus: 1, mem: '1G', time: '10', comment: [] }));
      const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_JOB_ID: '77' } });
      assert.equal(r.status, 3);
      assert.match(r.stdout, /ARGS: \/repo\/dist\/cli\.js train \/s\/x\.rnn\.yaml --out \/s --run b-s0 --resume --jobs 1/);
      assert.equal(spawnSync('cat', [join(dir, '77_1.exit')], { encoding: 'utf8' }).stdout.trim(), '3');
      const outside = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '' } });
      assert.notEqual(outside.status, 0);
      assert.match(outside.stderr, /run this script with sbatch/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sweeps: how a stored run differs from the planned one', () => {
  it('lists every differing leaf by path, and nothing for equal configs', () => {
    const a = { training: { steps: 500, batch: 32 }, network: { N: 64, train: ['recurrent'] } };
    assert.deepEqual(configDifferences(a, structuredClone(a)), []);
    const b = { training: { steps: 1000, batch: 32 }, network: { N: 64, train: ['recurrent', 'output'] }, coordinates: { 'network.N': 64 } };
    assert.deepEqual(configDifferences(a, b).map(differenceText), [
      'training.steps: 500 in the folder, 1000 now',
      'network.train: ["recurrent"] in the folder, ["recurrent","output"] now',
      'coordinates: nothing in the folder, {"network.N":64} now',
    ]);
  });

  it('only what changes training makes it another run; measures and fields of a newer version do not', () => {
    const stored = { training: { steps: 500 }, evaluation: { batch: 32 }, analysis: ['correlation'], view: { trials: 8 } };
    const planned = { training: { steps: 500 }, evaluation: { batch: 64, learned_threshold: 0.05 }, analysis: ['correlation', 'noise'], view: { trials: 4 } };
    assert.deepEqual(configDifferences(stored, planned).filter(changesTraining), []);
    assert.deepEqual(configDifferences({ ...stored, training: { steps: 500, lr0: 0.1 } }, { ...planned, training: { steps: 500, lr0: 0.2 } }).filter(changesTraining).map((d) => d.path), ['training.lr0']);
  });
});
