#!/usr/bin/env node
// The Slurm path for real: a single-node cluster on this machine (scripts/cluster.mjs,
// Debian's slurm-wlm and munge), a tiny sweep submitted as a job array with
// `rnnlab submit --slurm --wait`, every run folder and the collected table checked, a
// failing task reported with its log, a resubmission that trains only what is missing,
// and the same run trained locally giving the same numbers. Ends with `N passed, M failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'bin/rnnlab.js');
const cluster = join(root, 'scripts/cluster.mjs');
const RUN_FILES = ['metrics.json', 'run.json', 'spec.rnn.yaml', 'trajectories.safetensors', 'view.safetensors', 'weights.safetensors'];

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
    console.log(`  ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`  not ok - ${name}\n    ${String(e.stack ?? e).split('\n').slice(0, 6).join('\n    ')}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const work = mkdtempSync(join(tmpdir(), 'rnnlab-slurm-test-'));
const env = { ...process.env };

function rnnlab(args, cwd = work) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8', timeout: 900_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds: (Date.now() - t0) / 1000 };
}

/** Polls ok() once a second for up to `seconds`. */
function waitUntil(ok, seconds) {
  for (let i = 0; i < seconds; i++) {
    if (ok()) return true;
    spawnSync('sleep', ['1']);
  }
  return ok();
}

function jsonLines(text) {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

// 2 variants x 2 values of g x 2 seeds at N = 16, a few steps
const TINY = `name: slurm-tiny
task: { kind: cycling, response: 6 }
network: { N: 16, train: [recurrent] }
training: { steps: 10, batch: 8, lr0: 0.05 }
evaluation: { batch: 8, every: 5, t_min: 2 }
seeds: 2
variants:
  - { name: aligned, network: { output_scale: small } }
  - { name: oblique, network: { output_scale: large } }
sweep:
  network.g: [0.7, 1.5]
`;
// a run long enough to be cancelled while it trains
const SLOW = `name: slurm-slow
task: { kind: cycling, response: 6 }
network: { N: 16 }
training: { steps: 1000000, batch: 8 }
evaluation: { batch: 8, every: 0, t_min: 2 }
`;
const IDS = ['aligned-g0.7-s0', 'aligned-g0.7-s1', 'aligned-g1.5-s0', 'aligned-g1.5-s1', 'oblique-g0.7-s0', 'oblique-g0.7-s1', 'oblique-g1.5-s0', 'oblique-g1.5-s1'];

const started = Date.now();
let clusterSeconds = 0;
let acquired = false;
try {
  if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first).');
  console.log('starting the local Slurm cluster (scripts/cluster.mjs acquire)...');
  const t0 = Date.now();
  const start = spawnSync(process.execPath, [cluster, 'acquire', String(process.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
  clusterSeconds = (Date.now() - t0) / 1000;
  const conf = /SLURM_CONF=(\S+)/.exec(start.stdout ?? '')?.[1];
  check(`the cluster starts and its node is idle (${clusterSeconds.toFixed(1)} s)`, () => {
    assert(start.status === 0 && conf, `cluster.mjs acquire exited ${start.status}: ${start.stdout}`);
  });
  if (start.status === 0 && conf) {
    acquired = true;
    env.SLURM_CONF = conf;
    writeFileSync(join(work, 'slurm-tiny.rnn.yaml'), TINY);
    writeFileSync(join(work, 'slurm-slow.rnn.yaml'), SLOW);
    const out = join(work, 'runs');
    const dir = join(out, 'slurm-tiny');

    const sub = rnnlab(['submit', 'slurm-tiny.rnn.yaml', '--slurm', '--out', 'runs', '--wait', '--json', '--poll', '1']);
    console.log(`submit --wait took ${sub.seconds.toFixed(1)} s`);
    const lines = jsonLines(sub.stdout);
    check('submit --slurm --wait: one array task per run, every run complete, exit 0', () => {
      assert(sub.code === 0, `exit ${sub.code}\n${sub.stderr}`);
      const s = lines.find((l) => l.kind === 'submitted');
      assert(s && /^\d+$/.test(s.job) && s.tasks === 8, `submitted: ${JSON.stringify(s)}`);
      assert(JSON.stringify([...s.runs].sort()) === JSON.stringify(IDS), `runs ${s.runs}`);
      const summary = lines.find((l) => l.kind === 'summary');
      assert(summary && summary.complete === 8 && summary.missing === 0 && summary.failed === 0, JSON.stringify(summary));
      assert(/job \d+ after .*: 8 completed/.test(sub.stderr), 'the progress of the job is shown');
    });
    check('collect --json: the train --json object per run, with the swept coordinate and N; the dissimilarity within each row', () => {
      const runs = lines.filter((l) => l.kind === 'run');
      assert(runs.length === 8, `${runs.length} run lines`);
      for (const r of runs) {
        for (const k of ['name', 'variant', 'seed', 'N', 'network.g', 'rho', 'rho_sqrtN', 'eval_loss', 'backend', 'folder']) assert(k in r, `${r.name}: no ${k}`);
        assert(r.N === 16 && (r['network.g'] === 0.7 || r['network.g'] === 1.5) && r.g === r['network.g'], `${r.name}: N ${r.N}, g ${r.g}`);
        assert(typeof r.rho === 'number' && r.rho > 0 && r.rho < 1, `${r.name}: rho ${r.rho}`);
      }
      assert(lines.filter((l) => l.kind === 'group').length === 4, 'one group line per variant and g');
      const d = lines.find((l) => l.kind === 'dissimilarity');
      assert(d && JSON.stringify([...d.runs].sort()) === JSON.stringify(IDS), `dissimilarity of ${d?.runs}`);
      const within = Object.values(d.within);
      assert(within.length === 4 && within.every((w) => w.pairs === 1 && w.mean > 0), `within rows: ${JSON.stringify(d.within)}`);
    });
    check('every run folder is complete, named by its id, with its coordinates in run.json', () => {
      const folders = readdirSync(dir).filter((f) => !f.startsWith('.') && !f.includes('.') || IDS.includes(f));
      for (const id of IDS) {
        assert(folders.includes(id), `no folder ${id} in ${folders}`);
        const files = readdirSync(join(dir, id)).sort();
        assert(JSON.stringify(files) === JSON.stringify(RUN_FILES), `${id}: ${files}`);
        const run = JSON.parse(readFileSync(join(dir, id, 'run.json'), 'utf8'));
        assert(run.name === id && run.coordinates['network.g'] === run.network.g && run.network.N === 16, `${id}: ${JSON.stringify(run.coordinates)}`);
        const m = JSON.parse(readFileSync(join(dir, id, 'metrics.json'), 'utf8'));
        assert(m.steps === 10 && m.stopped === false && Number.isFinite(m.eval_loss), `${id}: steps ${m.steps}`);
      }
      assert(existsSync(join(dir, 'slurm-tiny.rnn.yaml')), 'the spec the tasks read is kept in the sweep folder');
      const logs = readdirSync(join(dir, 'slurm')).filter((f) => f.endsWith('.log'));
      assert(logs.length === 8, `${logs.length} task logs`);
    });
    const col = rnnlab(['collect', 'runs/slurm-tiny']);
    check('collect: the table has one row per variant and g, two seeds each, with the dissimilarity across them; a CSV with one row per run', () => {
      assert(col.code === 0, `exit ${col.code}: ${col.stderr}`);
      const rows = col.stdout.split('\n').filter((l) => /^(aligned|oblique)(?: \S+)?\s+(0\.7|1\.5)\s+2\s/.test(l));
      assert(rows.length === 4, `table:\n${col.stdout}`);
      assert(/slurm-tiny: 8 of 8 runs complete/.test(col.stdout), col.stdout);
      assert(/\bdissim\.\s*$/m.test(col.stdout) && existsSync(join(dir, 'dissimilarity.json')), 'the dissimilarity across seeds: a column, and a file beside the CSV');
      const csv = readFileSync(join(dir, 'slurm-tiny.csv'), 'utf8').trim().split('\n');
      assert(csv.length === 9 && csv[0].startsWith('id,variant,seed,network.g,'), csv[0]);
    });
    console.log(col.stdout.replace(/^/gm, '    '));

    check('a resubmission with nothing missing submits nothing', () => {
      const again = rnnlab(['submit', 'slurm-tiny.rnn.yaml', '--slurm', '--out', 'runs']);
      assert(again.code === 0 && /nothing to submit/.test(again.stderr), `${again.code}: ${again.stderr}`);
    });
    rmSync(join(dir, 'oblique-g1.5-s1'), { recursive: true });
    const resub = rnnlab(['submit', 'slurm-tiny.rnn.yaml', '--slurm', '--out', 'runs', '--wait', '--json', '--poll', '1']);
    check('a resubmission trains only the missing run', () => {
      assert(resub.code === 0, `exit ${resub.code}: ${resub.stderr}`);
      const s = jsonLines(resub.stdout).find((l) => l.kind === 'submitted');
      assert(s && s.tasks === 1 && s.runs.length === 1 && s.runs[0] === 'oblique-g1.5-s1' && s.skipped === 7, JSON.stringify(s));
      assert(existsSync(join(dir, 'oblique-g1.5-s1', 'metrics.json')), 'the run is back');
    });
    check('the same run trained locally (train --run) gives the same numbers as its Slurm task', () => {
      const local = rnnlab(['train', 'slurm-tiny.rnn.yaml', '--out', 'local', '--run', 'oblique-g0.7-s1', '--json']);
      assert(local.code === 0, local.stderr);
      const [l] = jsonLines(local.stdout).filter((x) => x.kind === 'run');
      const s = JSON.parse(readFileSync(join(dir, 'oblique-g0.7-s1', 'metrics.json'), 'utf8'));
      for (const k of ['rho', 'eval_loss', 'train_loss', 'w_out_norm', 'dW_norm']) assert(l[k] === s[k], `${k}: local ${l[k]}, Slurm ${s[k]}`);
      assert(l.folder === join(work, 'local', 'slurm-tiny', 'oblique-g0.7-s1'), `local folder ${l.folder}`);
    });

    rmSync(join(dir, 'aligned-g0.7-s0'), { recursive: true });
    const oom = rnnlab(['submit', 'slurm-tiny.rnn.yaml', '--slurm', '--out', 'runs', '--mem', '40M', '--time', '5', '--wait', '--poll', '1']);
    check('a task Slurm kills (out of memory) is reported with its state and the tail of its log; collect names the missing run', () => {
      assert(oom.code === 1, `exit ${oom.code}: ${oom.stderr}\n${oom.stdout}`);
      assert(/task \d+_0 \(aligned-g0\.7-s0\): OUT_OF_MEMORY, exit 137; the end of .*\d+_0\.log:/.test(oom.stderr), oom.stderr);
      assert(/\| .*oom-kill/.test(oom.stderr), 'the log tail shows the kill');
      assert(/^missing: aligned-g0\.7-s0$/m.test(oom.stdout) && /slurm-tiny: 7 of 8 runs complete \(1 missing\)/.test(oom.stdout), oom.stdout);
    });

    const slow = rnnlab(['submit', 'slurm-slow.rnn.yaml', '--slurm', '--out', 'runs', '--time', '10', '--json']);
    const job = jsonLines(slow.stdout).find((l) => l.kind === 'submitted')?.job;
    const log = join(out, 'slurm-slow', 'slurm', `${job}_0.log`);
    const training = waitUntil(() => existsSync(log) && /step \d+\/1000000/.test(readFileSync(log, 'utf8')), 120);
    // a plain scancel, as a user types it: Slurm sends SIGTERM to the batch shell
    if (job) spawnSync('scancel', [job], { env });
    const ended = waitUntil(() => !/RUNNING|PENDING|COMPLETING/.test(spawnSync('squeue', ['-h', '-r', '-t', 'all', '-j', job ?? '0', '-o', '%T'], { env, encoding: 'utf8' }).stdout), 60);
    const slowCollect = rnnlab(['collect', 'runs/slurm-slow']);
    check('a task cancelled while it trains (SIGTERM) records the run as failed, with the step; collect reports it', () => {
      assert(slow.code === 0 && job, `submit: ${slow.code} ${slow.stderr}`);
      assert(training && ended, `training started: ${training}, job ended: ${ended}`);
      assert(slowCollect.code === 1, `collect exit ${slowCollect.code}`);
      assert(/^failed: default-s0 at step \d+ \(.*Slurm task \d+_0, .*\): stopped by SIGTERM at step \d+/m.test(slowCollect.stdout), slowCollect.stdout);
    });
  }
} catch (e) {
  failed++;
  console.log(`  not ok - the suite crashed: ${e.stack ?? e}`);
} finally {
  if (acquired) {
    const t0 = Date.now();
    const stop = spawnSync(process.execPath, [cluster, 'release', String(process.pid)], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
    check(`the cluster is released (stopped unless another run holds it or it was started by hand; ${((Date.now() - t0) / 1000).toFixed(1)} s)`, () => {
      assert(stop.status === 0, `cluster.mjs release exited ${stop.status}`);
    });
  }
  rmSync(work, { recursive: true, force: true });
}
console.log(`slurm: cluster start ${clusterSeconds.toFixed(1)} s, whole suite ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
