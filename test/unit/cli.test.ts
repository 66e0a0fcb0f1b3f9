/** The rnnlab command as a user runs it: the built bundle in a child process. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readArrays, readRunFolder } from '../../src/store/runFolder';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/rnnlab.js');

function rnnlab(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = `name: tiny
task: { kind: cycling, response: 6 }
network: { N: 16, train: [recurrent] }
training: { steps: 12, batch: 8, lr0: 0.05 }
evaluation: { batch: 8, every: 5, t_min: 2 }
seeds: 2
variants:
  - { name: aligned, network: { output_scale: small } }
  - { name: oblique, network: { output_scale: large } }
`;

describe('rnnlab CLI', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first).');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlab-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a bad spec: every problem as file:line:column, exit code 2, nothing written', () => {
    writeFileSync(join(dir, 'bad.rnn.yaml'), `task: { kind: cycling }\nnetwork:\n  N: 0\n  gain: 1.5\ntraining: { batch: 31 }\n`);
    const r = rnnlab(['train', 'bad.rnn.yaml', '--out', 'runs'], dir);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.some((l) => /^bad\.rnn\.yaml:3:6: error: .*N/.test(l)), r.stderr);
    assert.ok(lines.some((l) => /^bad\.rnn\.yaml:4:3: error: .*gain/.test(l)), r.stderr);
    assert.ok(lines.some((l) => /^bad\.rnn\.yaml:5:20: error: .*(even|odd)/.test(l)), r.stderr);
    assert.ok(!existsSync(join(dir, 'runs')), 'no output folder');
    assert.equal(r.stdout, '');
  });

  it('YAML syntax errors are reported at their line too', () => {
    writeFileSync(join(dir, 'syntax.rnn.yaml'), `task:\n  kind: cycling\n network: { N: 16\n`);
    const r = rnnlab(['check', 'syntax.rnn.yaml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^syntax\.rnn\.yaml:\d+:\d+: error: /m);
  });

  it('train --json: one JSON object per run with the documented keys, one complete folder per run', () => {
    writeFileSync(join(dir, 'tiny.rnn.yaml'), TINY);
    const r = rnnlab(['train', 'tiny.rnn.yaml', '--out', 'runs', '--json', '--jobs', '2'], dir);
    assert.equal(r.code, 0, r.stderr);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(records.length, 4);
    const keys = ['name', 'variant', 'seed', 'task', 'N', 'output_scale', 'rho', 'rho_sqrtN', 'dx90', 'dfit90', 'w_out_norm', 'x_norm', 'noise_ratio', 'eval_loss', 'train_loss', 'ms_per_step', 'backend'];
    for (const rec of records) {
      for (const k of keys) assert.ok(k in rec, `missing ${k}`);
      assert.equal(rec.backend, 'wasm');
      assert.equal(rec.task, 'cycling');
      assert.ok(typeof rec.rho === 'number' && rec.rho >= 0 && rec.rho <= 1);
    }
    assert.deepEqual(records.map((x) => x.name).sort(), ['aligned-s0', 'aligned-s1', 'oblique-s0', 'oblique-s1']);
    assert.deepEqual(records.map((x) => x.seed).sort(), [0, 0, 1, 1]);
    // the summary table goes to stderr with --json
    assert.match(r.stderr, /variant\s+seeds\s+rho/);
    const [session] = readdirSync(join(dir, 'runs'));
    assert.match(session, /^tiny-\d{8}-\d{6}$/);
    const folders = readdirSync(join(dir, 'runs', session));
    assert.deepEqual(folders.sort(), ['aligned-s0', 'aligned-s1', 'oblique-s0', 'oblique-s1'], 'no temporary folders left');
    const runDir = join(dir, 'runs', session, 'aligned-s0');
    assert.deepEqual(readdirSync(runDir).sort(), ['metrics.json', 'run.json', 'spec.rnn.yaml', 'trajectories.safetensors', 'view.safetensors', 'weights.safetensors']);
    assert.equal(readFileSync(join(runDir, 'spec.rnn.yaml'), 'utf8'), TINY);
  });

  it('run folders read back: weights, trajectories and the view', async () => {
    writeFileSync(join(dir, 'tiny.rnn.yaml'), TINY.replace('seeds: 2', 'seeds: 1'));
    assert.equal(rnnlab(['train', 'tiny.rnn.yaml', '--out', 'runs', '--variant', 'oblique'], dir).code, 0);
    const [session] = readdirSync(join(dir, 'runs'));
    const runDir = join(dir, 'runs', session, 'oblique-s0');
    const stored = await readRunFolder(runDir);
    assert.equal(stored.run.network.output_scale, 'large');
    assert.equal(stored.metrics.steps, 12);
    const w = await readArrays(join(runDir, 'weights.safetensors'));
    assert.deepEqual(w.W.shape, [16, 16]);
    assert.deepEqual(w.W_out.shape, [2, 16]);
    assert.deepEqual(w.W_in.shape, [16, 2]);
    // only W is trained: W_out and W_in did not move
    assert.deepEqual(Array.from(w.W_out.data), Array.from(w.W_out_init.data));
    assert.notDeepEqual(Array.from(w.W.data), Array.from(w.W_init.data));
    const t = await readArrays(join(runDir, 'trajectories.safetensors'));
    const T = Math.round((1 + 6) / 0.2);
    assert.deepEqual(t.states.shape, [T, 8, 16]);
    assert.deepEqual(t.outputs.shape, [T, 8, 2]);
    assert.equal(t.losses.data.length, 12);
    assert.ok(stored.view.projection.pca.trajectories.length > 0);
  });

  it('a broken run folder gives an error that names the file', async () => {
    writeFileSync(join(dir, 'run.json'), '{"name": "x", "network": {"N": 4}}');
    writeFileSync(join(dir, 'metrics.json'), '{}');
    writeFileSync(join(dir, 'view.safetensors'), 'garbage');
    await assert.rejects(readRunFolder(dir), /view\.safetensors/);
  });

  it('the analysis list decides which measures are computed; the others are null', () => {
    const spec = TINY.replace('seeds: 2', 'seeds: 1').replace('evaluation:', 'analysis: [noise]\nevaluation:');
    writeFileSync(join(dir, 'some.rnn.yaml'), spec);
    const r = rnnlab(['train', 'some.rnn.yaml', '--out', 'runs', '--json', '--variant', 'aligned'], dir);
    assert.equal(r.code, 0, r.stderr);
    const [rec] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const k of ['rho', 'rho_sqrtN', 'dx90', 'dfit90']) assert.equal(rec[k], null, k);
    assert.equal(typeof rec.noise_ratio, 'number');
    assert.equal(typeof rec.w_out_norm, 'number');
    assert.equal(typeof rec.eval_loss, 'number');
  });

  it('usage errors exit 2 with a hint', () => {
    writeFileSync(join(dir, 'tiny.rnn.yaml'), TINY);
    const r = rnnlab(['train', 'tiny.rnn.yaml', '--variant', 'nope'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no variant nope .* it has aligned, oblique/);
    assert.equal(rnnlab(['frobnicate'], dir).code, 2);
    assert.equal(rnnlab(['train'], dir).code, 2);
    assert.equal(rnnlab(['train', 'missing.rnn.yaml'], dir).code, 2);
  });

  it('bench --json: one object per configuration with the documented keys', () => {
    const r = rnnlab(['bench', '--cfg', '16x20x4,24x20x4', '--seconds', '0.2', '--iters', '3', '--no-peer', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      for (const k of ['N', 'T', 'B', 'backend', 'ms_per_step_median', 'ms_per_step_min', 'peak_mb']) assert.ok(k in row, `missing ${k}`);
      assert.ok((row.ms_per_step_median as number) > 0);
    }
    assert.match(r.stderr, /Peer \(PyTorch\): not run: disabled with --no-peer/);
  });
});
