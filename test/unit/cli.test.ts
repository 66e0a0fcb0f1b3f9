/** The rnnlab command as a user runs it: the built bundle in a child process. */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readArrays, readRunFolder } from '../../src/store/runFolder';
import { specStore } from '../../src/store/location';
import { makeHdf5 } from './recording/make-hdf5';
import { at, defined, entry } from '../../src/core/checked';
import { recordingViewFromJson } from '../../src/protocol/recording';

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
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 5, 'four runs, then the dissimilarity');
    const records = lines.slice(0, 4);
    const keys = ['name', 'variant', 'seed', 'task', 'N', 'output_scale', 'rho', 'rho_sqrtN', 'dx90', 'dfit90', 'w_out_norm', 'x_norm', 'noise_ratio', 'rel_susceptibility', 'eval_loss', 'learned', 'train_loss', 'ms_per_step', 'backend'];
    for (const rec of records) {
      for (const k of keys) assert.ok(k in rec, `missing ${k}`);
      assert.equal(rec.kind, 'run');
      // 12 steps do not learn the task: marked, and no perturbation experiment
      assert.equal(rec.learned, false);
      assert.equal(rec.rel_susceptibility, null);
      assert.match(String(rec.perturbation_skipped), /^not learned \(eval loss [\d.]+ > 0\.05\)$/);
      // the spec says auto: in Node the measured fastest of the CPU backends
      assert.ok(rec.backend === 'fused' || rec.backend === 'wasm', `backend ${String(rec.backend)}`);
      assert.equal(rec.task, 'cycling');
      assert.ok(typeof rec.rho === 'number' && rec.rho >= 0 && rec.rho <= 1);
    }
    assert.deepEqual(records.map((x) => x.name).sort(), ['aligned-s0', 'aligned-s1', 'oblique-s0', 'oblique-s1']);
    assert.deepEqual(records.map((x) => x.seed).sort(), [0, 0, 1, 1]);
    // the summary table goes to stderr with --json, rows marked and the reason under it
    assert.match(r.stderr, /variant\s+seeds\s+rho/);
    assert.match(r.stderr, /^aligned !\s+2\s/m);
    assert.match(r.stderr, /^! oblique-s1: eval loss [\d.]+ > 0\.05: the measures of a network that has not learned the task do not show its regime\.$/m);
    const session = at(readdirSync(join(dir, 'runs')), 0);
    assert.match(session, /^tiny-\d{8}-\d{6}$/);
    const folders = readdirSync(join(dir, 'runs', session));
    assert.deepEqual(folders.sort(), ['aligned-s0', 'aligned-s1', 'dissimilarity.json', 'oblique-s0', 'oblique-s1'], 'no temporary folders left');
    // the dissimilarity line (docs/science.md §4.7), the same as dissimilarity.json
    const d = at(lines, 4);
    assert.equal(d.kind, 'dissimilarity');
    assert.equal(d.metric, 'angular_procrustes');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'runs', session, 'dissimilarity.json'), 'utf8')), d);
    const names = d.runs as string[];
    assert.deepEqual([...names].sort(), ['aligned-s0', 'aligned-s1', 'oblique-s0', 'oblique-s1']);
    const matrix = d.matrix as number[][];
    const eucl = d.euclidean as number[][];
    for (let i = 0; i < 4; i++) {
      assert.equal(at(matrix, i)[i], 0);
      for (let j = 0; j < 4; j++) {
        assert.equal(at(matrix, i)[j], at(matrix, j)[i]);
        if (i !== j) assert.ok(at(at(matrix, i), j) > 0 && at(at(matrix, i), j) <= Math.PI / 2 && at(at(eucl, i), j) > 0);
      }
    }
    const within = d.within as Record<string, { mean: number; sd: number | null; pairs: number }>;
    const ia = names.indexOf('aligned-s0'), ib = names.indexOf('aligned-s1');
    assert.deepEqual(within.aligned, { mean: at(matrix, ia)[ib], sd: null, pairs: 1 });
    assert.equal(defined((d.between as Record<string, { pairs: number }>)['aligned|oblique']).pairs, 4);
    assert.match(r.stderr, new RegExp(`^aligned !\\s.*\\s${defined(within.aligned).mean.toFixed(3)}$`, 'm'), 'the dissim. column');

    // compare: the same numbers from the stored folders; a second session is a second spec
    const c = rnnlab(['compare', join('runs', session), '--json'], dir);
    assert.equal(c.code, 0, c.stderr);
    const cl = c.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(cl.length, 5);
    assert.deepEqual(at(cl, 4).matrix, d.matrix);
    cpSync(join(dir, 'runs', session), join(dir, 'runs', 'other-20260101-000000'), { recursive: true });
    const two = rnnlab(['compare', join('runs', session), join('runs', 'other-20260101-000000'), join('runs', session, 'aligned-s0'), '--json'], dir);
    assert.equal(two.code, 0, two.stderr);
    assert.match(two.stderr, /^tiny\/aligned !\s+2\s/m, 'the run folder named twice counts once');
    assert.match(two.stderr, /^other\/oblique !\s+2\s/m);
    const td = JSON.parse(defined(two.stdout.trim().split('\n').pop())) as { runs: string[]; matrix: number[][] };
    assert.equal(td.runs.length, 8);
    const copy = at(at(td.matrix, td.runs.indexOf('tiny/aligned-s0')), td.runs.indexOf('other/aligned-s0'));
    assert.ok(copy < 2e-3, `a copy of a run is at distance ${copy}`);
    assert.equal(rnnlab(['compare', 'tiny.rnn.yaml'], dir).code, 2);
    const runDir = join(dir, 'runs', session, 'aligned-s0');
    assert.deepEqual(readdirSync(runDir).sort(), ['metrics.json', 'run.json', 'spec.rnn.yaml', 'trajectories.safetensors', 'view.safetensors', 'weights.safetensors']);
    assert.equal(readFileSync(join(runDir, 'spec.rnn.yaml'), 'utf8'), TINY);
  });

  it('run folders read back: weights, trajectories and the view', async () => {
    writeFileSync(join(dir, 'tiny.rnn.yaml'), TINY.replace('seeds: 2', 'seeds: 1'));
    assert.equal(rnnlab(['train', 'tiny.rnn.yaml', '--out', 'runs', '--variant', 'oblique'], dir).code, 0);
    const session = at(readdirSync(join(dir, 'runs')), 0);
    const runDir = join(dir, 'runs', session, 'oblique-s0');
    const stored = await readRunFolder(runDir);
    assert.equal(stored.run.network.output_scale, 'large');
    assert.equal(stored.metrics.steps, 12);
    const w = await readArrays(join(runDir, 'weights.safetensors'));
    assert.deepEqual(entry(w, 'W').shape, [16, 16]);
    assert.deepEqual(entry(w, 'W_out').shape, [2, 16]);
    assert.deepEqual(entry(w, 'W_in').shape, [16, 2]);
    // only W is trained: W_out and W_in did not move
    assert.deepEqual(Array.from(entry(w, 'W_out').data), Array.from(entry(w, 'W_out_init').data));
    assert.notDeepEqual(Array.from(entry(w, 'W').data), Array.from(entry(w, 'W_init').data));
    const t = await readArrays(join(runDir, 'trajectories.safetensors'));
    const T = Math.round((1 + 6) / 0.2);
    assert.deepEqual(entry(t, 'states').shape, [T, 8, 16]);
    assert.deepEqual(entry(t, 'outputs').shape, [T, 8, 2]);
    assert.equal(entry(t, 'losses').data.length, 12);
    assert.ok(stored.view.projection.pca.trajectories.length > 0);
  });

  it('the analysis list decides which measures are computed; the others are null', () => {
    const spec = TINY.replace('seeds: 2', 'seeds: 1').replace('evaluation:', 'analysis: [noise]\nevaluation:');
    writeFileSync(join(dir, 'some.rnn.yaml'), spec);
    const r = rnnlab(['train', 'some.rnn.yaml', '--out', 'runs', '--json', '--variant', 'aligned'], dir);
    assert.equal(r.code, 0, r.stderr);
    const rec = at(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>), 0);
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

  it('check and train on a missing file or a folder: a sentence and exit 2, no stack trace', () => {
    for (const command of ['check', 'train']) {
      const missing = rnnlab([command, 'missing.rnn.yaml'], dir);
      assert.equal(missing.code, 2, command);
      assert.equal(missing.stderr, 'rnnlab: cannot read missing.rnn.yaml: no such file\n');
      const folder = rnnlab([command, '.'], dir);
      assert.equal(folder.code, 2, command);
      assert.equal(folder.stderr, 'rnnlab: cannot read .: it is a folder; give a *.rnn.yaml file\n');
    }
  });

  it('--steps is checked against the schema range before anything trains', () => {
    writeFileSync(join(dir, 'tiny.rnn.yaml'), TINY);
    for (const steps of ['1e12', '1000001']) {
      const r = rnnlab(['train', 'tiny.rnn.yaml', '--out', 'runs', '--steps', steps], dir);
      assert.equal(r.code, 2, steps);
      assert.match(r.stderr, /^rnnlab: --steps takes an integer from 1 to 1000000, not 10+1?\n$/);
      assert.ok(!existsSync(join(dir, 'runs')), 'nothing written');
    }
  });

  it('without --out, runs go to .rnnlab/runs in the spec\'s own folder, whatever folder rnnlab runs from (the extension\'s rule)', () => {
    const specDir = join(dir, 'project', 'experiments');
    const shell = join(dir, 'elsewhere');
    mkdirSync(specDir, { recursive: true });
    mkdirSync(shell);
    writeFileSync(join(specDir, 'tiny.rnn.yaml'), TINY.replace('seeds: 2', 'seeds: 1'));
    const r = rnnlab(['train', '../project/experiments/tiny.rnn.yaml', '--variant', 'aligned'], shell);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(shell, '.rnnlab')), 'nothing in the shell\'s folder');
    const store = specStore(join(specDir, 'tiny.rnn.yaml'));
    assert.equal(store, join(specDir, '.rnnlab', 'runs'));
    const [session, ...more] = readdirSync(store);
    assert.equal(more.length, 0);
    assert.ok(existsSync(join(store, defined(session), 'aligned-s0', 'run.json')));
    assert.match(r.stderr + r.stdout, /experiments[\\/]\.rnnlab[\\/]runs/, 'the output says where the runs went');
  });

  it('two specs with the same name: get run folders that tell them apart (the file name is added)', () => {
    for (const f of ['first.rnn.yaml', 'second.rnn.yaml']) writeFileSync(join(dir, f), TINY.replace('seeds: 2', 'seeds: 1'));
    for (const f of ['first.rnn.yaml', 'second.rnn.yaml']) assert.equal(rnnlab(['train', f, '--variant', 'aligned'], dir).code, 0);
    const sessions = readdirSync(join(dir, '.rnnlab', 'runs')).sort();
    assert.equal(sessions.length, 2);
    assert.match(at(sessions, 0), /^tiny-first-\d{8}-\d{6}$/);
    assert.match(at(sessions, 1), /^tiny-second-\d{8}-\d{6}$/);
  });

  it('an --out that cannot hold runs is refused before the first step', () => {
    writeFileSync(join(dir, 'tiny.rnn.yaml'), TINY);
    writeFileSync(join(dir, 'afile'), 'x');
    for (const out of ['afile', 'afile/runs']) {
      const r = rnnlab(['train', 'tiny.rnn.yaml', '--out', out], dir);
      assert.equal(r.code, 2, out);
      assert.match(r.stderr, /Runs cannot be stored in .*afile.*: a file is in the way .*\. Choose another folder with --out\./);
      assert.doesNotMatch(r.stderr, /step|Training/, 'it did not train');
    }
  });

  it('never writes into a session folder that exists: runs started in the same second get folders of their own', () => {
    writeFileSync(join(dir, 'tiny.rnn.yaml'), TINY.replace('seeds: 2', 'seeds: 1'));
    // Another process has claimed this spec's folders for the next 20 seconds, with a run in each.
    const stamp = (t: Date) => `${t.getFullYear()}${String(t.getMonth() + 1).padStart(2, '0')}${String(t.getDate()).padStart(2, '0')}-${[t.getHours(), t.getMinutes(), t.getSeconds()].map((x) => String(x).padStart(2, '0')).join('')}`;
    const now = Date.now();
    const taken: string[] = [];
    for (let s = 0; s < 20; s++) {
      const folder = join(dir, 'runs', `tiny-${stamp(new Date(now + s * 1000))}`, 'aligned-s0');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'marker'), 'the other process');
      taken.push(folder);
    }
    const r = rnnlab(['train', 'tiny.rnn.yaml', '--out', 'runs', '--variant', 'aligned'], dir);
    assert.equal(r.code, 0, r.stderr);
    for (const folder of taken) assert.deepEqual(readdirSync(folder), ['marker'], 'the other run is untouched');
    const mine = readdirSync(join(dir, 'runs')).filter((s) => existsSync(join(dir, 'runs', s, 'aligned-s0', 'run.json')));
    assert.equal(mine.length, 1);
    assert.match(mine[0] ?? '', /^tiny-\d{8}-\d{6}-2$/);
  });

  it('a run stopped with Ctrl-C is marked in the table, in --json and in run.json', async () => {
    writeFileSync(join(dir, 'long.rnn.yaml'), TINY.replace('seeds: 2', 'seeds: 1').replace('steps: 12', 'steps: 100000'));
    const child = spawn(process.execPath, [BIN, 'train', 'long.rnn.yaml', '--out', 'runs', '--json', '--jobs', '2'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((done) => {
      let sent = false;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // both runs are past their first steps: stop them
        if (!sent && /aligned-s0: step/.test(stderr) && /oblique-s0: step/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', done);
    });
    assert.equal(code, 130, stderr);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(records.length, 2);
    for (const rec of records) {
      assert.equal(rec.stopped, true);
      assert.equal(rec.steps_planned, 100000);
      assert.ok(typeof rec.steps === 'number' && rec.steps >= 1 && rec.steps < 100000, String(rec.steps));
    }
    assert.match(stderr, /aligned-s0: STOPPED after \d+ of 100000 steps/);
    assert.match(stderr, /^aligned \*\S*\s+1 /m, 'the table marks the variant');
    assert.match(stderr, /2 runs \(2 stopped early, marked \* in the table\)/);
    const session = at(readdirSync(join(dir, 'runs')), 0);
    const run = JSON.parse(readFileSync(join(dir, 'runs', session ?? '', 'aligned-s0', 'run.json'), 'utf8')) as { stopped?: { steps_done: number; steps_planned: number } };
    assert.equal(run.stopped?.steps_planned, 100000);
    assert.ok((run.stopped?.steps_done ?? 0) >= 1);
  });

  it('export --as recording, then recording --json: the documented keys; an NWB file through the bundled h5wasm; bad input named', async () => {
    writeFileSync(join(dir, 'tiny.rnn.yaml'), TINY.replace('seeds: 2', 'seeds: 1'));
    assert.equal(rnnlab(['train', 'tiny.rnn.yaml', '--out', 'runs', '--variant', 'aligned'], dir).code, 0);
    const session = at(readdirSync(join(dir, 'runs')), 0);
    const ex = rnnlab(['export', join('runs', session, 'aligned-s0'), '--as', 'recording', 'net.npz'], dir);
    assert.equal(ex.code, 0, ex.stderr);
    const r = rnnlab(['recording', 'net.npz', '--json', '--draws', '3'], dir);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ['rho', 'rho_sqrtN', 'N', 'd_var', 'd_fit', 'rel_fit_dim', 'participation_ratio', 'r2', 'alpha', 'subsample', 'subsample_slope']) assert.ok(k in out, `missing ${k}`);
    assert.equal(out.N, 16);
    // t >= t_min = 2 of a 7-unit trial: 25 time points of 8 trials
    assert.equal(out.samples, 8 * 25);
    const sub = out.subsample as { n: number; mean: number; sd: number }[];
    assert.deepEqual(sub.map((p) => p.n), [1, 3, 4, 6, 8, 9, 11, 12, 14, 16]);
    assert.ok(sub.every((p) => typeof p.mean === 'number' && typeof p.sd === 'number'));
    // --view: the top PCs and the decoder in their basis, per trial, coloured by the npz's conditions
    const withView = rnnlab(['recording', 'net.npz', '--json', '--draws', '2', '--view', 'view.json'], dir);
    assert.equal(withView.code, 0, withView.stderr);
    assert.ok(!('view' in (JSON.parse(withView.stdout) as object)), 'the view goes to its file, not to stdout');
    const v = recordingViewFromJson(JSON.parse(readFileSync(join(dir, 'view.json'), 'utf8')));
    assert.deepEqual([v.trials, v.time, v.readouts.length], [8, 25, 2]);
    assert.equal(v.projection.pca.trajectories.length, 8 * 25 * 3);
    assert.ok(v.readouts.every((ro) => ro.fraction >= 0 && ro.fraction <= 1 && Math.abs(Math.hypot(...ro.pc_coords) - ro.fraction) < 1e-9));
    assert.ok(v.conditionLabels.length > 1, `conditions from the npz: ${v.conditionLabels.join(', ')}`);
    assert.equal(rnnlab(['recording', 'net.npz', '--view', 'view.txt'], dir).code, 2);
    const text = rnnlab(['recording', 'net.npz', '--draws', '2'], dir);
    assert.match(text.stdout, /^rho {14}\d\.\d{3} {4}rho\*sqrt\(N\) /m);
    const bad = rnnlab(['recording', 'net.npz', '--activity', 'rates'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no array rates for the activity; it has activity \[8 x 25 x 16\], behaviour \[8 x 25 x 2\], time \[25\], w_out \[2 x 16\], condition \[8\]/);
    assert.equal(rnnlab(['recording', 'missing.npz'], dir).code, 2);
    assert.equal(rnnlab(['export', join('runs', session, 'aligned-s0'), '--as', 'recording', 'net.txt'], dir).code, 2);

    // an NWB file made here: two units, a behaviour TimeSeries
    const nwbBytes = await makeHdf5((f) => {
      f.create_attribute('nwb_version', '2.5.0');
      const units = f.create_group('units');
      const spikes = Float64Array.from({ length: 400 }, (_, i) => (i % 200) * 0.01 + (i < 200 ? 0.001 : 0.004));
      units.create_dataset({ name: 'spike_times', data: spikes });
      units.create_dataset({ name: 'spike_times_index', data: Int32Array.of(200, 400) });
      const vel = f.create_group('processing').create_group('behavior').create_group('hand_vel');
      vel.create_dataset({ name: 'data', data: Float64Array.from({ length: 2000 }, (_, k) => Math.sin(k / 50)), shape: [2000, 1] });
      vel.create_dataset({ name: 'timestamps', data: Float64Array.from({ length: 2000 }, (_, k) => k / 1000) });
    });
    writeFileSync(join(dir, 'session.nwb'), nwbBytes);
    const n = rnnlab(['recording', 'session.nwb', '--bin', '0.05', '--json', '--draws', '2'], dir);
    assert.equal(n.code, 0, n.stderr);
    const nr = JSON.parse(n.stdout) as { N: number; samples: number; source: string };
    assert.equal(nr.N, 2);
    assert.equal(nr.samples, 40);
    assert.match(nr.source, /NWB file session\.nwb: 2 units of \/units binned at 50 ms/);
    // --list: what the extension asks about before it analyses
    const ln = JSON.parse(rnnlab(['recording', 'session.nwb', '--list'], dir).stdout) as { format: string; series: string[]; defaults: object };
    assert.deepEqual([ln.format, ln.series, ln.defaults], ['nwb', ['/processing/behavior/hand_vel'], { activity: true, behaviour: true }]);
    const lz = JSON.parse(rnnlab(['recording', 'net.npz', '--list'], dir).stdout) as { format: string; arrays: { name: string; shape: number[] }[]; defaults: object };
    assert.deepEqual(lz.arrays.find((a) => a.name === 'activity')?.shape, [8, 25, 16]);
    assert.deepEqual([lz.format, lz.defaults], ['npz', { activity: true, behaviour: true }]);
  });

  it('the last line says where the runs trained: auto and why, each backend of a mixed spec, and a GPU backend named on the command line fails with what to do', () => {
    const spec = (variants: string) => `name: where
task: { kind: cycling, response: 5 }
network: { N: 12, train: [recurrent] }
training: { steps: 2, batch: 4, lr0: 0.05 }
evaluation: { batch: 4, every: 0, t_min: 1 }
${variants}`;
    writeFileSync(join(dir, 'auto.rnn.yaml'), spec(''));
    const auto = rnnlab(['train', 'auto.rnn.yaml', '--out', 'runs'], dir);
    assert.equal(auto.code, 0, auto.stderr);
    const last = auto.stdout.trim().split('\n').at(-1) ?? '';
    assert.match(last, /^1 run in \S+ on (fused|wasm) \(auto: each run times its candidates \(fused, wasm\); webgl and webgpu train only in a browser, in the panel's worker\); folders under /);
    writeFileSync(join(dir, 'mixed.rnn.yaml'), spec('variants:\n  - { name: f, training: { backend: fused } }\n  - { name: w, training: { backend: wasm } }\n  - { name: g, training: { backend: webgl } }\n'));
    const mixed = rnnlab(['train', 'mixed.rnn.yaml', '--out', 'runs'], dir);
    assert.equal(mixed.code, 1, 'a run failed');
    assert.match(mixed.stdout.trim().split('\n').at(-1) ?? '', /^2 runs in \S+ on fused ×1, wasm ×1; 1 failed \(above\); folders under /);
    assert.match(mixed.stderr, /g-s0: FAILED: backend: webgl cannot run here: webgl and webgpu train only in a browser, in the panel's worker: train this spec in the panel, or with backend auto, fused or wasm here; rnnlab bench --browser times webgl/);
    writeFileSync(join(dir, 'gl.rnn.yaml'), spec('variants:\n  - { name: g, training: { backend: webgpu } }\n'));
    const gl = rnnlab(['train', 'gl.rnn.yaml', '--out', 'runs'], dir);
    assert.equal(gl.code, 1);
    assert.match(gl.stderr, /No run trained: it failed \(above\)\.\n$/);
    assert.doesNotMatch(auto.stdout + mixed.stderr + gl.stderr, /trains on the CPU/);
  });

  it('bench --json: one object per configuration and backend with the documented keys', () => {
    const r = rnnlab(['bench', '--cfg', '16x20x4,24x20x4', '--seconds', '0.2', '--iters', '3', '--no-peer', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
    assert.deepEqual(rows.map((x) => `${x.N} ${x.backend}`), ['16 fused', '16 wasm', '16 cpu', '24 fused', '24 wasm', '24 cpu']);
    for (const row of rows) {
      for (const k of ['N', 'T', 'B', 'backend', 'ms_per_step_median', 'ms_per_step_min', 'gflops', 'peak_mb']) assert.ok(k in row, `missing ${k}`);
      assert.ok((row.ms_per_step_median as number) > 0);
    }
    const gl = rnnlab(['bench', '--backends', 'webgl', '--no-peer'], dir);
    assert.equal(gl.code, 2, 'webgl is refused in Node');
    assert.match(gl.stderr, /webgl trains only in a browser \(the panel's worker\); time it with rnnlab bench --browser --backends webgl/);
    assert.match(r.stderr, /Peer \(PyTorch\): not run: disabled with --no-peer/);
  });

  it('bench --browser without Chromium says how to install it and exits 1 (the bench itself: test/browser/bench-cli.test.mjs)', () => {
    const r = rnnlab(['bench', '--browser', '--chromium', join(dir, 'no-chromium'), '--no-peer'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Chromium was not found at .*no-chromium \(--chromium\)\. Debian's is installed with: sudo apt-get install -y chromium/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const flag = rnnlab(['bench', '--chromium', '/usr/bin/chromium'], dir);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--chromium and --headed go with --browser/);
  });
});
