// Start an isolated code-server (VS Code 1.139.1 in the browser) for e2e tests and `npm start`.
// Every run gets fresh temp dirs (user data, extensions, config, XDG_*), binds 127.0.0.1 on a free
// port, and is killed (whole process group) by stop(), on process exit and on SIGINT/SIGTERM.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureCodeServer, node24Env } from './tools.mjs';

/** User settings applied to every run (test/e2e/harness/README.md); `userSettings` overrides them. */
export const DEFAULT_USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'window.confirmBeforeClose': 'never',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

// ---- cleanup registry: every started server is killed when this process ends ----
const live = new Set();
let handlersInstalled = false;
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => { for (const s of live) s.killSync(); }); // backstop: SIGKILL the groups
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, async () => {
      await Promise.race([Promise.all([...live].map((s) => s.stop())), new Promise((r) => setTimeout(r, 8000))]);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Reads an extension folder: { id: 'publisher.name', pkg }. Throws if there is no package.json or if its
 * `main` has not been built yet.
 */
export function readExtension(dir) {
  const pkgFile = path.join(dir, 'package.json');
  if (!existsSync(pkgFile)) throw new Error(`no package.json in extension folder ${dir}`);
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (pkg.main && !['', '.js', '.cjs'].some((e) => existsSync(path.join(dir, pkg.main) + e))) {
    throw new Error(`the extension's main ${path.join(dir, pkg.main)} does not exist: build first (npm run build)`);
  }
  return { id: `${pkg.publisher}.${pkg.name}`, pkg };
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** vscode-remote URI of a local path, as the payload needs it. */
export function remoteUri(port, p) {
  return `vscode-remote://127.0.0.1:${port}${encodeURI(path.resolve(p))}`;
}

/**
 * Workbench URL. `payload` is honoured only with smokeTestDriver (built product):
 * { extensionDevelopmentPath?, extensionTestsPath? } as local paths; extensionEnvironment: env vars for the
 * extension host (payload key of VS Code's test runner).
 */
export function workbenchUrl(port, { workspace, extensionDevelopmentPath, extensionTestsPath, extensionEnvironment } = {}) {
  const q = [];
  if (workspace) q.push(`folder=${encodeURIComponent(path.resolve(workspace))}`);
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(port, extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(port, extensionTestsPath)]);
  if (extensionEnvironment) payload.push(['extensionEnvironment', JSON.stringify(extensionEnvironment)]);
  if (payload.length) {
    payload.push(['skipWelcome', 'true'], ['skipReleaseNotes', 'true']);
    q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  }
  return `http://127.0.0.1:${port}/${q.length ? `?${q.join('&')}` : ''}`;
}

/**
 * @param {object} o
 * @param {string} [o.workspace] folder to open (must exist)
 * @param {string} [o.extensionDevelopmentPath] extension loaded in development mode through the URL payload
 *   (implies smokeTestDriver, because the built workbench ignores the payload otherwise)
 * @param {number} [o.port] default: a free port
 * @param {boolean} [o.smokeTestDriver] pass `--vscode-option enable-smoke-test-driver` (needed for payload URLs)
 * @param {object} [o.userSettings] merged over DEFAULT_USER_SETTINGS
 * @param {number} [o.timeoutMs=60000] how long to wait for /healthz
 * @param {object} [o.env] extra env vars for code-server (its extension host inherits them)
 * @param {boolean} [o.verbose] echo code-server's output (it always goes to <root>/code-server.log)
 * @param {boolean} [o.keepRoot] do not delete the temp root on stop()
 * @returns {Promise<{url:string, port:number, root:string, logFile:string, env:object, tools:object,
 *   workbenchUrl:(opts?)=>string, remoteUri:(p)=>string, stop:()=>Promise<void>}>}
 */
export async function startCodeServer(o = {}) {
  const tools = o.tools || await ensureCodeServer();
  const workspace = o.workspace && path.resolve(o.workspace);
  if (workspace && !existsSync(workspace)) throw new Error(`workspace folder ${workspace} does not exist`);
  const ext = o.extensionDevelopmentPath && path.resolve(o.extensionDevelopmentPath);
  if (ext) readExtension(ext);
  const smoke = Boolean(o.smokeTestDriver || ext);
  const port = o.port || await freePort();
  const timeoutMs = o.timeoutMs ?? 60_000;

  const root = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-cs-'));
  const d = (p) => path.join(root, p);
  await Promise.all(['user/User', 'ext', 'xdg/config', 'xdg/data', 'xdg/cache', 'xdg/state', 'tmp']
    .map((p) => mkdir(d(p), { recursive: true })));
  await writeFile(d('user/User/settings.json'), JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...o.userSettings }, null, 2));
  await writeFile(d('config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  // Env shared with the browser, so neither writes into ~/.config, ~/.local or ~/.cache.
  const isolatedEnv = {
    XDG_CONFIG_HOME: d('xdg/config'), XDG_DATA_HOME: d('xdg/data'), XDG_CACHE_HOME: d('xdg/cache'),
    XDG_STATE_HOME: d('xdg/state'),
  };
  const base = node24Env(tools);
  delete base.NODE_OPTIONS; // the project's NODE_OPTIONS (e.g. tsx loaders) must not reach Node 24
  // Inside a VS Code/code-server terminal, VSCODE_IPC_HOOK_CLI etc. would make code-server hand the
  // folder to that running instance instead of starting a new server.
  for (const k of Object.keys(base)) if (k.startsWith('VSCODE_') || k === 'CODE_SERVER_PARENT_PID') delete base[k];
  const env = { ...base, ...isolatedEnv, ...o.env };
  const args = [tools.entry,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', d('config.yaml'),
    '--user-data-dir', d('user'), '--extensions-dir', d('ext'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened', '--log', o.logLevel || 'info'];
  if (smoke) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (workspace) args.push(workspace);

  const logFile = d('code-server.log');
  const logStream = createWriteStream(logFile);
  const child = spawn(tools.node, args, { env, cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = [];
  let exited = null;
  const onOut = (buf) => {
    logStream.write(buf);
    for (const line of buf.toString().split('\n')) if (line.trim()) tail = [...tail.slice(-30), line];
    if (o.verbose) process.stdout.write(buf.toString().replace(/^(?=.)/gm, '[code-server] '));
  };
  child.stdout.on('data', onOut);
  child.stderr.on('data', onOut);
  const exitedP = new Promise((r) => child.on('exit', (code, sig) => { exited = { code, sig }; r(exited); }));
  child.on('error', (e) => { exited = { code: -1, sig: null, error: e }; });

  let stopped = false;
  const handle = {
    stop: () => stop(),
    killSync() {
      if (exited === null) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
      if (!o.keepRoot) rmSync(root, { recursive: true, force: true });
      live.delete(handle);
    },
  };
  live.add(handle);
  installExitHandlers();

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === null) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exitedP;
      clearTimeout(t);
    }
    // The group may have stragglers (extension host, pty host) even after the main process exits.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* all gone */ }
    logStream.end();
    if (!o.keepRoot) rmSync(root, { recursive: true, force: true });
    live.delete(handle);
  };

  try {
    await waitHealthy(port, timeoutMs, () => exited);
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n--- code-server output (last lines) ---\n${tail.join('\n')}`);
  }
  const bound = (opts = {}) => workbenchUrl(port, { workspace, ...opts });
  return {
    url: bound({ extensionDevelopmentPath: ext }),
    port, root, logFile, env: isolatedEnv, tools, pid: child.pid,
    workbenchUrl: bound,
    remoteUri: (p) => remoteUri(port, p),
    outputTail: () => tail.join('\n'),
    stop,
  };
}

async function waitHealthy(port, timeoutMs, exited) {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeoutMs) {
    const ex = exited();
    if (ex) throw new Error(`code-server exited before it was ready (code ${ex.code}, signal ${ex.sig})`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) { last = e.cause?.code || e.message; }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer http://127.0.0.1:${port}/healthz within ${timeoutMs} ms (last: ${last})`);
}
