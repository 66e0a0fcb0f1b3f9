#!/usr/bin/env node
// A single-node Slurm cluster on this machine, from Debian's packages, for trying
// `rnnlab submit --slurm` (and for its test in `npm test`):
//   npm run cluster:start   install slurm-wlm and munge if missing, write a localhost
//                           config, start munged, slurmctld and slurmd, wait for the node
//   npm run cluster:stop    stop the daemons this script started
//   node scripts/cluster.mjs status | env
//   node scripts/cluster.mjs acquire PID | release PID
//                           for tests: start if needed and hold it for process PID; the
//                           last holder stops a cluster a test started (never one started
//                           with `start`), so concurrent test runs share one cluster;
//                           a detached watcher releases for a holder that dies first
// Everything lives in one folder ($RNNLAB_SLURM_DIR, default /tmp/rnnlab-slurm): the
// config (etc/slurm.conf, so client commands need SLURM_CONF=<that file>; `env` prints
// the line), state, logs and pid files. The node is this machine with its real CPUs and
// memory (slurmd -C). Packages are installed and daemons run as root, else through
// `sudo -n` (scripts/setup/debian.mjs, as for chromium); without either, the script says
// which command to run.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from './setup/debian.mjs';

const DIR = process.env.RNNLAB_SLURM_DIR ?? '/tmp/rnnlab-slurm';
const CONF = join(DIR, 'etc', 'slurm.conf');
const STARTED = join(DIR, 'run', 'started.json');
const MUNGE_SOCKET = '/run/munge/munge.socket.2';
const isRoot = process.getuid?.() === 0;

class ClusterError extends Error {}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, SLURM_CONF: CONF }, ...opts });
}

/** A command with root rights: directly as root, else through passwordless sudo. */
function asRoot(cmd, args, opts = {}) {
  if (isRoot) return run(cmd, args, opts);
  return run('sudo', ['-n', cmd, ...args], opts);
}

function canBeRoot() {
  return isRoot || run('sudo', ['-n', 'true']).status === 0;
}

function have(cmd) {
  return run('sh', ['-c', `command -v ${cmd}`]).status === 0 || existsSync(`/usr/sbin/${cmd}`);
}

function sbin(cmd) {
  return existsSync(`/usr/sbin/${cmd}`) ? `/usr/sbin/${cmd}` : cmd;
}

function log(line) {
  process.stderr.write(`cluster: ${line}\n`);
}

/** Debian's slurm-wlm (slurmctld, slurmd, the client commands) and munge, the same way
 * npm test installs chromium: as root, through sudo -n, or an error naming the command. */
async function ensurePackages() {
  try {
    await ensureDebianPackages(['slurm-wlm', 'munge'], { log });
  } catch (e) {
    throw new ClusterError(e.message);
  }
  const missing = ['slurmctld', 'slurmd', 'sbatch', 'munged'].filter((c) => !have(c));
  if (missing.length) throw new ClusterError(`${missing.join(', ')} not found although slurm-wlm and munge are installed.`);
}

function mungeWorks() {
  const cred = run('munge', ['-n']);
  return cred.status === 0 && run('unmunge', [], { input: cred.stdout }).status === 0;
}

function startMunge(started) {
  if (mungeWorks()) return;
  if (!existsSync('/etc/munge/munge.key')) {
    const r = asRoot(sbin('mungekey'), ['--create']);
    if (r.status !== 0) throw new ClusterError(`cannot create /etc/munge/munge.key: ${r.stderr.trim()}`);
    asRoot('chown', ['munge:munge', '/etc/munge/munge.key']);
  }
  for (const d of ['/run/munge', '/var/log/munge', '/var/lib/munge']) {
    asRoot('mkdir', ['-p', d]);
    asRoot('chown', ['munge:munge', d]);
  }
  // munged refuses to run as root; its own user owns the key and the socket folder
  const r = asRoot('runuser', ['-u', 'munge', '--', sbin('munged')]);
  if (r.status !== 0) throw new ClusterError(`munged did not start: ${(r.stderr || r.stdout).trim()}`);
  started.munged = readPid('/run/munge/munged.pid');
  if (!waitFor(mungeWorks, 10_000)) throw new ClusterError('munged started but credentials do not work (munge -n | unmunge).');
}

function readPid(file) {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function waitFor(ok, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (ok()) return true;
    spawnSync('sleep', ['0.5']);
  }
  return ok();
}

/** The node as slurmd sees it: NodeName=host CPUs=... RealMemory=... */
function nodeLine() {
  const r = run(sbin('slurmd'), ['-C']);
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('NodeName='));
  if (!line) throw new ClusterError(`slurmd -C did not describe this machine: ${(r.stderr || r.stdout).trim()}`);
  return line.trim();
}

function writeConfig() {
  for (const d of ['etc', 'ctld', 'spool', 'log', 'run']) mkdirSync(join(DIR, d), { recursive: true });
  const node = nodeLine();
  const host = /NodeName=(\S+)/.exec(node)[1];
  const conf = `# Written by scripts/cluster.mjs: a single-node cluster on ${host}.
ClusterName=rnnlab
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${MUNGE_SOCKET}
StateSaveLocation=${join(DIR, 'ctld')}
SlurmdSpoolDir=${join(DIR, 'spool')}
SlurmctldPidFile=${join(DIR, 'run', 'slurmctld.pid')}
SlurmdPidFile=${join(DIR, 'run', 'slurmd.pid')}
SlurmctldLogFile=${join(DIR, 'log', 'slurmctld.log')}
SlurmdLogFile=${join(DIR, 'log', 'slurmd.log')}
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup,task/affinity
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
# without an accounting database, finished jobs stay visible to squeue and scontrol for an hour
MinJobAge=3600
${node.replace(/^NodeName=(\S+)/, 'NodeName=$1 NodeAddr=127.0.0.1')} State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`;
  writeFileSync(CONF, conf);
  writeFileSync(join(DIR, 'etc', 'cgroup.conf'), '# Written by scripts/cluster.mjs\nConstrainCores=yes\nConstrainRAMSpace=yes\n');
  return host;
}

function nodeState(host) {
  const r = run('sinfo', ['-h', '-n', host, '-o', '%T']);
  return r.status === 0 ? r.stdout.trim() : '';
}

function logTail(name) {
  try {
    return readFileSync(join(DIR, 'log', name), 'utf8').trim().split('\n').slice(-8).join('\n');
  } catch {
    return '(no log)';
  }
}

function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function readStarted() {
  try {
    return JSON.parse(readFileSync(STARTED, 'utf8'));
  } catch {
    return {};
  }
}

function running() {
  const s = readStarted();
  return alive(s.slurmctld) && alive(s.slurmd);
}

async function start() {
  const t0 = Date.now();
  if (existsSync(CONF) && running()) {
    const host = /SlurmctldHost=([^(\s]+)/.exec(readFileSync(CONF, 'utf8'))?.[1];
    if (host && ['idle', 'mixed', 'allocated'].includes(nodeState(host).replace(/[*~#]$/, ''))) {
      log(`already running (${DIR}).`);
      printEnv();
      return;
    }
  }
  await ensurePackages();
  if (!canBeRoot()) throw new ClusterError('the Slurm daemons need root: run this as root, or allow sudo without a password.');
  const started = readStarted();
  startMunge(started);
  const host = writeConfig();
  for (const daemon of ['slurmctld', 'slurmd']) {
    if (alive(started[daemon])) continue;
    // -f: our config; slurmctld -i: ignore state from an earlier start of this config
    const args = daemon === 'slurmctld' ? ['-f', CONF, '-i'] : ['-f', CONF];
    const r = asRoot(sbin(daemon), args);
    if (r.status !== 0) throw new ClusterError(`${daemon} did not start (exit ${r.status}): ${(r.stderr || r.stdout).trim()}\n${logTail(`${daemon}.log`)}`);
    const pid = waitFor(() => alive(readPid(join(DIR, 'run', `${daemon}.pid`))), 15_000) ? readPid(join(DIR, 'run', `${daemon}.pid`)) : undefined;
    if (!pid) throw new ClusterError(`${daemon} exited right after starting:\n${logTail(`${daemon}.log`)}`);
    started[daemon] = pid;
    writeFileSync(STARTED, JSON.stringify(started));
  }
  writeFileSync(STARTED, JSON.stringify(started));
  const idle = waitFor(() => nodeState(host).replace(/[*~#]$/, '') === 'idle', 60_000);
  if (!idle) throw new ClusterError(`the node ${host} is "${nodeState(host) || 'unknown'}", not idle, after 60 s.\nslurmctld:\n${logTail('slurmctld.log')}\nslurmd:\n${logTail('slurmd.log')}`);
  log(`started in ${((Date.now() - t0) / 1000).toFixed(1)} s: node ${host} idle (${/CPUs=(\d+)/.exec(nodeLine())?.[1]} CPUs); config ${CONF}`);
  printEnv();
}

/** Cancels the jobs still queued or running on this cluster (their slurmstepd processes
 * would outlive slurmd) and waits for them to end. */
function cancelJobs() {
  const active = () => run('squeue', ['-h', '-r', '-t', 'PENDING,RUNNING,SUSPENDED,COMPLETING', '-o', '%A']).stdout?.trim() ?? '';
  const jobs = [...new Set(active().split(/\s+/).filter(Boolean))];
  if (jobs.length === 0) return;
  log(`cancelling ${jobs.length} job${jobs.length === 1 ? '' : 's'} still on the cluster: ${jobs.join(' ')}`);
  run('scancel', jobs);
  if (!waitFor(() => active() === '', 30_000)) log(`jobs still ending after 30 s: ${active().split(/\s+/).join(' ')}`);
}

function stop() {
  const started = readStarted();
  if (existsSync(CONF) && alive(started.slurmctld)) {
    cancelJobs();
    run('scontrol', ['shutdown']);
  }
  const gone = waitFor(() => !alive(started.slurmctld) && !alive(started.slurmd), 15_000);
  for (const name of ['slurmd', 'slurmctld', 'munged']) {
    const pid = started[name];
    if (!alive(pid)) continue;
    if (!gone || name === 'munged') asRoot('kill', [String(pid)]);
  }
  waitFor(() => !['slurmd', 'slurmctld', 'munged'].some((n) => alive(started[n])), 10_000);
  const left = ['slurmd', 'slurmctld', 'munged'].filter((n) => alive(started[n]));
  rmSync(STARTED, { force: true });
  if (left.length) throw new ClusterError(`still running: ${left.map((n) => `${n} (pid ${started[n]})`).join(', ')}`);
  const names = ['munged', 'slurmctld', 'slurmd'].filter((n) => started[n]);
  log(names.length ? `stopped ${names.join(', ')}.` : 'nothing of ours was running.');
}

function printEnv() {
  process.stdout.write(`export SLURM_CONF=${CONF}\n`);
}

function status() {
  const s = readStarted();
  for (const n of ['munged', 'slurmctld', 'slurmd']) log(`${n}: ${alive(s[n]) ? `running (pid ${s[n]})` : s[n] ? 'not running' : 'not started by this script'}`);
  if (running()) {
    const r = run('sinfo');
    process.stdout.write(r.stdout);
  }
  return running() ? 0 : 1;
}

const LOCK = join(DIR, 'lock');
const HOLDERS = join(DIR, 'holders');

/** Runs fn while holding a lock folder, so two test runs do not start or stop at once. */
async function locked(fn) {
  mkdirSync(DIR, { recursive: true });
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // a lock older than two minutes belongs to a script that died
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > until) throw new ClusterError(`${LOCK} is held by another cluster script; remove it if none is running.`);
      else spawnSync('sleep', ['0.5']);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function liveHolders() {
  mkdirSync(HOLDERS, { recursive: true });
  return readdirSync(HOLDERS).filter((p) => {
    if (alive(Number(p))) return true;
    rmSync(join(HOLDERS, p), { force: true });
    return false;
  });
}

function acquire(pid) {
  return locked(async () => {
    const wasRunning = existsSync(CONF) && running();
    await start();
    if (!wasRunning) writeFileSync(STARTED, JSON.stringify({ ...readStarted(), byTest: true }));
    mkdirSync(HOLDERS, { recursive: true });
    writeFileSync(join(HOLDERS, String(pid)), '');
    // a test killed before its own release (SIGKILL, a closed terminal) must not leave the
    // daemons running: a detached watcher releases for it once the holder process is gone
    const watchLog = openSync(join(DIR, 'log', 'watch.log'), 'a');
    const watcher = spawn(process.execPath, [process.argv[1], 'watch', String(pid)], { detached: true, stdio: ['ignore', watchLog, watchLog] });
    closeSync(watchLog);
    watcher.unref();
  });
}

/** Waits for the holder `pid` to end; releases its hold if it ended without releasing. */
async function watch(pid) {
  const held = join(HOLDERS, String(pid));
  while (existsSync(held) && alive(pid)) await new Promise((r) => setTimeout(r, 2000));
  if (existsSync(held)) {
    log(`holder ${pid} ended without releasing the cluster; releasing for it.`);
    await release(pid);
  }
}

function release(pid) {
  return locked(() => {
    rmSync(join(HOLDERS, String(pid)), { force: true });
    const others = liveHolders();
    if (!readStarted().byTest) log('left running: it was started with cluster:start.');
    else if (others.length) log(`left running for ${others.length} other test run${others.length === 1 ? '' : 's'}.`);
    else stop();
  });
}

function pidArg() {
  const pid = Number(process.argv[3]);
  if (!Number.isInteger(pid) || pid <= 0) throw new ClusterError(`${process.argv[2]} takes the pid of the process that holds the cluster.`);
  return pid;
}

const command = process.argv[2] ?? 'status';
try {
  if (command === 'start') {
    await locked(async () => {
      await start();
      // started or adopted by hand: no test run stops it any more
      const { byTest: _t, ...rest } = readStarted();
      writeFileSync(STARTED, JSON.stringify(rest));
    });
  }
  else if (command === 'stop') await locked(stop);
  else if (command === 'acquire') await acquire(pidArg());
  else if (command === 'release') await release(pidArg());
  else if (command === 'watch') await watch(pidArg());
  else if (command === 'env') printEnv();
  else if (command === 'status') process.exitCode = status();
  else throw new ClusterError(`unknown command "${command}": start, stop, status, env, acquire PID or release PID.`);
} catch (e) {
  if (!(e instanceof ClusterError)) throw e;
  log(e.message);
  process.exitCode = 1;
}
