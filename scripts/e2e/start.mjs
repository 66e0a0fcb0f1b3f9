// `npm start` (after the build): the extension in development mode inside a real VS Code (code-server),
// with a workspace folder open. Runs until Ctrl-C.
//
//   node scripts/e2e/start.mjs [--workspace examples] [--extension .] [--port 8123] [--check] [--verbose]
//
// --check: open the workbench once in headless chromium, wait until the extension is activated, then exit
//          (0 = activated). Use it to prove that `npm start` works on a machine without a display.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, readExtension, startCodeServer } from './code-server.mjs';
import { ensureChromium, ensureCodeServer } from './tools.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_PORT = 8123;

async function choosePort(requested) {
  if (requested) return requested;
  // A stable default is friendlier for port forwarding; fall back to any free port.
  const net = await import('node:net');
  const free = await new Promise((resolve) => {
    const srv = net.createServer().once('error', () => resolve(false));
    srv.listen(DEFAULT_PORT, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  return free ? DEFAULT_PORT : freePort();
}

/**
 * Watches the extension-host log of a started server for the activation of `extId`.
 * Calls onEvent({type:'activated'|'failed', line}) for each new matching line. Returns stop().
 */
export function watchActivation(root, extId, onEvent) {
  const seen = new Set();
  const id = extId.toLowerCase();
  const logsDir = path.join(root, 'user', 'logs');
  const scan = () => {
    if (!existsSync(logsDir)) return;
    for (const session of readdirSync(logsDir)) {
      const sdir = path.join(logsDir, session);
      let hosts = [];
      try { hosts = readdirSync(sdir).filter((d) => d.startsWith('exthost')); } catch { continue; }
      for (const h of hosts) {
        const f = path.join(sdir, h, 'remoteexthost.log');
        if (!existsSync(f)) continue;
        for (const line of readFileSync(f, 'utf8').split('\n')) {
          const l = line.toLowerCase();
          if (seen.has(line) || !l.includes(id)) continue;
          if (l.includes('_doactivateextension')) { seen.add(line); onEvent({ type: 'activated', line }); }
          else if (l.includes('failed') || l.includes('error')) { seen.add(line); onEvent({ type: 'failed', line }); }
        }
      }
    }
  };
  const timer = setInterval(scan, 1000);
  return () => clearInterval(timer);
}

async function check(server, extId) {
  const { openWorkbench } = await import('../../test/e2e/harness/ui.mjs');
  await ensureChromium();
  const t0 = Date.now();
  const b = await openWorkbench(server.url, { env: server.env });
  try {
    const result = await new Promise((resolve) => {
      const stopWatch = watchActivation(server.root, extId, (e) => { stopWatch(); resolve(e); });
      setTimeout(() => { stopWatch(); resolve({ type: 'timeout' }); }, 60_000);
    });
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    if (result.type === 'activated') console.log(`[start] check ok: ${extId} activated ${s}s after opening the workbench`);
    else console.log(`[start] check FAILED: ${result.type === 'timeout' ? `${extId} not activated within 60 s` : result.line}`);
    return result.type === 'activated';
  } finally {
    await b.close();
  }
}

async function main() {
  const { values } = parseArgs({ options: {
    workspace: { type: 'string' }, extension: { type: 'string' }, port: { type: 'string' },
    check: { type: 'boolean' }, verbose: { type: 'boolean' },
  } });
  const extDir = path.resolve(values.extension || REPO_ROOT);
  const workspace = path.resolve(values.workspace || path.join(REPO_ROOT, 'examples'));
  const { id } = readExtension(extDir);
  const tools = await ensureCodeServer();
  const port = await choosePort(values.port ? Number(values.port) : Number(process.env.RNNLAB_PORT) || undefined);
  const t0 = Date.now();
  const server = await startCodeServer({ workspace, extensionDevelopmentPath: extDir, port, tools,
    verbose: values.verbose });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);

  if (values.check) {
    const ok = await check(server, id);
    await server.stop();
    process.exit(ok ? 0 : 1);
  }
  const bar = '='.repeat(72);
  console.log(`\n${bar}\n  RNN Dynamics Lab in VS Code (code-server ${tools.codeServerVersion}), ready in ${secs}s\n\n` +
    `  Open:  ${server.url}\n\n` +
    `  extension (development mode): ${extDir}\n  workspace: ${workspace}\n` +
    `  Only 127.0.0.1 is bound. From another machine: ssh -L ${port}:127.0.0.1:${port} <this host>\n` +
    `  Stop with Ctrl-C. (server pid ${server.pid}, log ${server.logFile})\n${bar}\n`);
  watchActivation(server.root, id, (e) => {
    console.log(e.type === 'activated' ? `[start] ${id} activated in the extension host`
      : `[start] problem with ${id}: ${e.line}`);
  });
  // The signal handlers of code-server.mjs stop the server on Ctrl-C; this keeps the process alive meanwhile.
  setInterval(() => {}, 1 << 30);
}

main().catch((e) => {
  console.error(`[start] ERROR: ${e.message}`);
  process.exit(1);
});
