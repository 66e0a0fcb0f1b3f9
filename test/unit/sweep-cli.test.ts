/**
 * Sweeps from the command line, as a user runs them (the built bundle in a child
 * process): plan, train by shards and by id into one sweep folder, --resume, runs that
 * block a session, collect with missing and failed runs, submit --dry-run. The real
 * Slurm path is test/slurm/run.mjs.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/rnnlab.js');

function rnnlab(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 300_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The lines about single runs (train --json also prints the dissimilarity of a session). */
function runLines(text: string): Record<string, unknown>[] {
  return jsonLines(text).filter((l) => l.kind === 'run');
}

const GRID = `name: grid
task: { kind: cycling, response: 6 }
network: { train: [recurrent] }
training: { steps: 6, batch: 8, lr0: 0.05 }
evaluation: { batch: 8, every: 0, t_min: 2 }
seeds: 2
variants:
  - { name: aligned, network: { output_scale: small } }
  - { name: oblique, network: { output_scale: large } }
sweep:
  network.N: [12, 16]
`;
const IDS = ['aligned-n12-s0', 'aligned-n12-s1', 'aligned-n16-s0', 'aligned-n16-s1', 'oblique-n12-s0', 'oblique-n12-s1', 'oblique-n16-s0', 'oblique-n16-s1'];

function runFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'slurm').map((e) => e.name).sort();
}

describe('rnnlab sweeps: plan, shards, --run, --resume, collect, submit --dry-run', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first).');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlab-sweep-'));
    writeFileSync(join(dir, 'grid.rnn.yaml'), GRID);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('plan --json: every run with its id, coordinates, memory and time; a summary line; the table says where times come from', () => {
    const env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') };
    const r = rnnlab(['plan', 'grid.rnn.yaml', '--json'], dir, env);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    const runs = lines.filter((l) => l.kind === 'planned');
    assert.deepEqual(runs.map((l) => l.id), IDS);
    for (const l of runs) {
      assert.equal(l['network.N'], l.N);
      assert.ok((l.memory_bytes as number) > (l.tensor_bytes as number) && (l.seconds as number) > 0, JSON.stringify(l));
      assert.equal(l.status, 'missing');
      assert.equal(l.time_source, 'measured');
    }
    const summary = lines.find((l) => l.kind === 'summary');
    assert.ok(summary);
    assert.equal(summary.runs, 8);
    assert.equal((summary.calibration as { measured: number }).measured, 2, 'one measurement per shape (N 12, N 16)');
    assert.ok(existsSync(join(dir, 'cache', 'rnnlab', 'run-costs.json')), 'the measurement is stored');
    const again = rnnlab(['plan', 'grid.rnn.yaml', '--shard', '2/3'], dir, env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^aligned-n12-s1\s+aligned\s+12\s+1\s+6\s+\d+ MB\s+\S+\s+missing$/m);
    assert.match(again.stdout, /3 runs: /);
    assert.match(again.stdout, /2 from stored measurements/);
  });

  it('shards train disjoint parts into sweep folders; collected, they give the same runs and dissimilarity as one session', () => {
    // two machines: shards 1 and 2 into one output folder, shard 3 into another
    const outs = ['runs', 'runs', 'elsewhere'];
    const shards = outs.map((out, i) => rnnlab(['train', 'grid.rnn.yaml', '--out', out, '--shard', `${i + 1}/3`, '--json'], dir));
    for (const s of shards) assert.equal(s.code, 0, s.stderr);
    const names = shards.map((s) => runLines(s.stdout).map((l) => l.name));
    assert.deepEqual(names.flat().sort(), IDS, 'disjoint and complete');
    assert.deepEqual([...runFolders(join(dir, 'runs', 'grid')), ...runFolders(join(dir, 'elsewhere', 'grid'))].sort(), IDS);
    assert.ok(existsSync(join(dir, 'runs', 'grid', 'grid.rnn.yaml')), 'the spec is kept beside its runs');
    const whole = rnnlab(['train', 'grid.rnn.yaml', '--out', 'whole', '--json'], dir);
    const byName = new Map(runLines(whole.stdout).map((l) => [l.name, l]));
    for (const l of shards.flatMap((s) => runLines(s.stdout))) {
      const w = byName.get(l.name);
      assert.ok(w, `${String(l.name)} in the session`);
      for (const k of ['rho', 'eval_loss', 'train_loss', 'dW_norm']) assert.equal(l[k], w[k], `${String(l.name)} ${k}`);
    }
    // collect merges both folders; its dissimilarity across seeds is the session's, pair for pair
    const merged = rnnlab(['collect', 'runs/grid', 'elsewhere/grid', '--json'], dir);
    assert.equal(merged.code, 0, merged.stderr);
    const collected = jsonLines(merged.stdout).find((l) => l.kind === 'dissimilarity');
    const session = jsonLines(whole.stdout).find((l) => l.kind === 'dissimilarity');
    assert.ok(collected && session, `dissimilarity lines: collect ${Boolean(collected)}, train ${Boolean(session)}`);
    assert.deepEqual(collected.runs, IDS);
    assert.equal(Object.keys(collected.within as object).length, 4, 'a row per variant and N');
    assert.deepEqual(collected, session);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'runs', 'grid', 'dissimilarity.json'), 'utf8')), collected, 'written beside the CSV');
    const shardsAlone = jsonLines(rnnlab(['collect', 'runs/grid', '--json'], dir).stdout).find((l) => l.kind === 'dissimilarity');
    assert.ok(shardsAlone && (shardsAlone.runs as string[]).length < IDS.length, 'one folder alone has fewer runs to compare');
  });

  it('--resume trains only what is missing and still prints the whole table; without it a complete run blocks the session', () => {
    const first = rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--run', 'aligned-n16-s1', '--run', 'oblique-n12-s0'], dir);
    assert.equal(first.code, 0, first.stderr);
    const blocked = rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--shard', '1/1'], dir);
    assert.equal(blocked.code, 2);
    assert.match(blocked.stderr, /aligned-n16-s1 is already trained in .*; add --resume to skip complete runs/);
    const resumed = rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--resume', '--json'], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /2 runs are complete in .* already; skipped/);
    assert.match(resumed.stderr, /Training 6 runs/);
    assert.deepEqual(runLines(resumed.stdout).map((l) => l.name).sort(), IDS, 'a record for every run, skipped ones too');
    assert.match(resumed.stderr, /^aligned(?: \S+)?\s+16\s+2\s/m);
    const nothing = rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--resume'], dir);
    assert.equal(nothing.code, 0);
    assert.match(nothing.stdout, /Nothing to train: every selected run is complete/);
  });

  it('a run folder trained from another configuration is never mixed in', () => {
    assert.equal(rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--run', 'oblique-n16-s0'], dir).code, 0);
    const r = rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--resume', '--steps', '3'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /oblique-n16-s0: the folder in .* was trained from another configuration \(training\.steps: 6 in the folder, 3 now\)/);
  });

  it('the spec kept in the sweep folder names the same folder, also when name: and the file name differ', () => {
    writeFileSync(join(dir, 'other.rnn.yaml'), GRID);
    assert.equal(rnnlab(['train', 'other.rnn.yaml', '--out', 'runs', '--run', 'aligned-n12-s0'], dir).code, 0);
    const sweep = join(dir, 'runs', 'grid-other');
    assert.ok(existsSync(join(sweep, 'aligned-n12-s0', 'run.json')) && existsSync(join(sweep, 'other.rnn.yaml')), readdirSync(join(dir, 'runs')).join(', '));
    const again = rnnlab(['train', join(sweep, 'other.rnn.yaml'), '--out', 'runs', '--run', 'aligned-n12-s0', '--resume'], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to train: every selected run is complete in runs\/grid-other/);
    assert.match(rnnlab(['collect', 'runs/grid-other'], dir).stdout, /grid-other: 1 of 8 runs complete/);
  });

  it('an unknown --run id says what it likely meant', () => {
    const r = rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--run', 'obliqe-n16-s0'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no run obliqe-n16-s0 in grid\.rnn\.yaml \(did you mean oblique-n16-s0\?\); `rnnlab plan grid\.rnn\.yaml` lists its run ids/);
  });

  it('SIGTERM (a Slurm time limit, scancel) records the run as failed; collect reports it, and missing runs, by id', async () => {
    writeFileSync(join(dir, 'long.rnn.yaml'), GRID.replace('steps: 6', 'steps: 1000000').replace('name: grid', 'name: long'));
    const child = spawn(process.execPath, [BIN, 'train', 'long.rnn.yaml', '--out', 'runs', '--run', 'oblique-n16-s1'], { cwd: dir });
    let err = '';
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no progress: ${err}`)), 120_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/oblique-n16-s1: step \d+/.test(err)) {
          clearTimeout(timer);
          res();
        }
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.equal(code, 143);
    const failure = JSON.parse(readFileSync(join(dir, 'runs', 'long', 'oblique-n16-s1.failed.json'), 'utf8')) as { message: string; step: number };
    assert.match(failure.message, /^stopped by SIGTERM at step \d+/);
    const c = rnnlab(['collect', 'runs/long'], dir);
    assert.equal(c.code, 1);
    assert.match(c.stdout, /^failed: oblique-n16-s1 at step \d+ \(.*\): stopped by SIGTERM/m);
    assert.match(c.stdout, /^missing: aligned-n12-s0$/m);
    assert.match(c.stdout, /long: 0 of 8 runs complete \(1 failed, 7 missing\)/);
    const j = jsonLines(rnnlab(['collect', 'runs/long', '--json'], dir).stdout);
    assert.deepEqual(j.map((l) => l.kind), ['missing', 'missing', 'missing', 'missing', 'missing', 'missing', 'missing', 'failed', 'summary']);
    assert.deepEqual(j.find((l) => l.kind === 'failed')?.id, 'oblique-n16-s1');
  });

  it('collect: the table by variant and N with the dissimilarity across seeds, the scaling fit, a CSV, and --json lines with the train --json keys', () => {
    assert.equal(rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--resume'], dir).code, 0);
    const c = rnnlab(['collect', 'runs/grid'], dir);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /^variant\s+N\s+seeds\s+rho\s+rho\*sqrtN/m);
    assert.equal(c.stdout.split('\n').filter((l) => /^(aligned|oblique)(?: \S+)?\s+(12|16)\s+2\s/.test(l)).length, 4);
    assert.match(c.stdout, /rho ~ N\^a, least squares over N = 12, 16/);
    assert.match(c.stdout, /grid: 8 of 8 runs complete; CSV: runs\/grid\/grid\.csv/);
    const csv = readFileSync(join(dir, 'runs', 'grid', 'grid.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 9);
    assert.ok(csv[0]?.startsWith('id,variant,seed,network.N,task,N,'), csv[0]);
    const lines = jsonLines(rnnlab(['collect', 'runs/grid', '--json'], dir).stdout);
    const runs = lines.filter((l) => l.kind === 'run');
    assert.equal(runs.length, 8);
    const trained = runLines(rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--resume', '--json'], dir).stdout);
    const [first] = runs;
    assert.ok(first);
    assert.deepEqual(Object.keys(first), Object.keys(trained.find((t) => t.name === first.name) ?? {}), 'the same object as train --json');
    assert.deepEqual(lines.filter((l) => l.kind !== 'run').map((l) => l.kind), ['group', 'group', 'group', 'group', 'dissimilarity', 'scaling', 'scaling', 'summary']);
    // the dissimilarity across the two seeds of every row: a column of the table, and a file beside the CSV
    const d = lines.find((l) => l.kind === 'dissimilarity') as { runs: string[]; within: Record<string, { pairs: number }> };
    assert.deepEqual([...d.runs].sort(), IDS);
    assert.deepEqual(Object.values(d.within).map((w) => w.pairs), [1, 1, 1, 1]);
    assert.match(c.stdout, /\bdissim\.\s*$/m);
    assert.ok(existsSync(join(dir, 'runs', 'grid', 'dissimilarity.json')));
    const store = rnnlab(['collect', 'runs'], dir);
    assert.equal(store.code, 2);
    assert.match(store.stderr, /runs holds the folders of 1 spec or sessions, not runs: collect one of them, e\.g\. rnnlab collect .*grid/);
  });

  it('submit --dry-run: a batch script for the runs still missing, one task each, with estimates as defaults', () => {
    assert.equal(rnnlab(['train', 'grid.rnn.yaml', '--out', 'runs', '--run', 'aligned-n12-s0'], dir).code, 0);
    const r = rnnlab(['submit', 'grid.rnn.yaml', '--slurm', '--out', 'runs', '--dry-run', '--partition', 'short', '--throttle', '3'], dir, { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#SBATCH --array=0-6%3$/m);
    assert.match(r.stdout, /^#SBATCH --partition=short$/m);
    assert.match(r.stdout, /^#SBATCH --mem=\d+M$/m);
    assert.match(r.stdout, /^#SBATCH --time=\d\d:\d\d:00$/m);
    assert.ok(r.stdout.includes(`NODE=${process.execPath}`) && r.stdout.includes(`CLI=${join(ROOT, 'dist', 'cli.js')}`), 'this Node and this checkout, by absolute path');
    assert.ok(!r.stdout.includes("'--run aligned-n12-s0'") && r.stdout.includes("'--run oblique-n16-s1'"), 'only what is missing');
    assert.match(r.stderr, /not submitted \(--dry-run\)/);
    const sharded = rnnlab(['submit', 'grid.rnn.yaml', '--slurm', '--out', 'runs', '--dry-run', '--shards', '3', '--cpus', '2', '--time', '30', '--mem', '2G'], dir);
    assert.equal(sharded.code, 0, sharded.stderr);
    assert.match(sharded.stdout, /^#SBATCH --array=0-2$/m);
    assert.match(sharded.stdout, /^#SBATCH --time=30$/m);
    assert.ok(sharded.stdout.includes("'--shard 3/3'") && sharded.stdout.includes('--jobs 2'));
  });

  it('submit: clear errors for a missing --slurm, bad --time and no sbatch on the machine', () => {
    assert.match(rnnlab(['submit', 'grid.rnn.yaml'], dir).stderr, /submit needs --slurm/);
    assert.match(rnnlab(['submit', 'grid.rnn.yaml', '--slurm', '--time', '2h'], dir).stderr, /--time takes a Slurm time limit/);
    const noSlurm = rnnlab(['submit', 'grid.rnn.yaml', '--slurm', '--out', 'runs', '--time', '10'], dir, { ...process.env, PATH: join(dir, 'empty') });
    assert.equal(noSlurm.code, 1);
    assert.match(noSlurm.stderr, /sbatch was not found: run this on a Slurm login node \(or start the local test cluster with npm run cluster:start\)/);
  });
});
