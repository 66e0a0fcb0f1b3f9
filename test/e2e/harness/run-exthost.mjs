// Runs extension-host (mocha) tests inside a real VS Code (code-server 4.139.1) driven by headless chromium.
//
//   node test/e2e/harness/run-exthost.mjs --extension <dir> --tests <dir|module> [--workspace <dir>] [--timeout <ms>]
//
// The workbench gets the VS Code test-runner payload (extensionDevelopmentPath + extensionTestsPath) and,
// when the tests end, calls window.codeAutomationExit(code); extension-host console output arrives in
// window.codeAutomationLog. Counts come from the `E2E-RESULT {...}` line printed by mocha-index.cjs.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readExtension, startCodeServer } from '../../../scripts/e2e/code-server.mjs';
import { ensureAll } from '../../../scripts/e2e/tools.mjs';
import { launchBrowser, screenshot } from './ui.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MOCHA_INDEX = path.join(HERE, 'mocha-index.cjs');

/** A folder without an index module is run through mocha-index.cjs (RNNLAB_E2E_TESTS=<folder>). */
function resolveTests(extensionTestsPath) {
  const p = path.resolve(extensionTestsPath);
  if (!existsSync(p)) throw new Error(`extensionTestsPath ${p} does not exist`);
  if (statSync(p).isDirectory() && !['index.js', 'index.cjs'].some((f) => existsSync(path.join(p, f)))) {
    return { module: MOCHA_INDEX, env: { RNNLAB_E2E_TESTS: p } };
  }
  return { module: p, env: {} };
}

// Workbench chatter and the harmless offline errors (test/e2e/harness/README.md); kept in `log`, not echoed.
const NOISE = [/ENOTFOUND open-vsx\.org/, /Timed out waiting for authentication provider/, /^Canceled: Canceled/,
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin extensions cache|\[Service Worker\] registered|\[AgentHost:remote\]|\[AccountPolicyGate\])/];

function formatArgs(args) {
  const list = Array.isArray(args) ? args : [args];
  return list.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
}

/** Parses the last `E2E-RESULT {...}` line; falls back to mocha's "N passing / N failing" lines. */
export function parseResult(log) {
  const lines = [...log.matchAll(/^\s*E2E-RESULT (\{.*\})\s*$/gm)];
  if (lines.length) {
    try { return { source: 'E2E-RESULT', ...JSON.parse(lines.at(-1)[1]) }; } catch { /* fall through */ }
  }
  const passing = /^\s*(\d+) passing/m.exec(log);
  const failing = /^\s*(\d+) failing/m.exec(log);
  if (passing || failing) {
    return { source: 'mocha-epilogue', passed: Number(passing?.[1] || 0), failed: Number(failing?.[1] || 0), pending: 0 };
  }
  return null;
}

/**
 * @param {object} o
 * @param {string} o.extensionDevelopmentPath folder with the extension's package.json (built: its `main` must exist)
 * @param {string} o.extensionTestsPath module exporting run(), or a folder of *.test.{js,cjs} files
 * @param {string} [o.workspace] folder to open
 * @param {number} [o.timeoutMs=300000] for the whole suite (after the server is up)
 * @param {object} [o.env] extra env vars for the extension host
 * @param {object} [o.userSettings] VS Code user settings
 * @param {boolean} [o.quiet] do not echo the test output to stdout
 * @param {boolean} [o.verbose] echo the workbench chatter and offline noise too
 * @param {string} [o.name='exthost'] prefix of the failure screenshot in test-results/
 * @returns {Promise<{ok:boolean, exitCode:number, passed:number, failed:number, pending:number, timedOut:boolean,
 *   log:string, durationMs:number, screenshot?:string, reason?:string}>}
 *   ok is true only for exit code 0, failed == 0 and passed > 0. Rejects only when setup fails.
 */
export async function runExtensionHostTests(o) {
  const t0 = Date.now();
  const timeoutMs = o.timeoutMs ?? 300_000;
  const ext = path.resolve(o.extensionDevelopmentPath);
  readExtension(ext); // throws if package.json is missing or `main` is not built
  const tests = resolveTests(o.extensionTestsPath);
  const tools = await ensureAll();
  const extEnv = { ...tests.env, ...o.env };
  const server = await startCodeServer({ workspace: o.workspace, smokeTestDriver: true, userSettings: o.userSettings,
    tools, env: extEnv });
  const url = server.workbenchUrl({ extensionDevelopmentPath: ext, extensionTestsPath: tests.module,
    extensionEnvironment: extEnv });
  const echo = (s) => { if (!o.quiet) process.stdout.write(`${s}\n`); };
  echo(`[e2e] code-server on 127.0.0.1:${server.port} (${((Date.now() - t0) / 1000).toFixed(1)}s); running tests`);

  let browser;
  let log = '';
  let timer;
  const res = { exitCode: 1, timedOut: false };
  try {
    browser = await launchBrowser({ env: server.env });
    const { page } = browser;
    let resolve;
    const done = new Promise((r) => { resolve = r; });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = formatArgs(args);
      log += `${line}\n`;
      if (o.verbose || !NOISE.some((re) => re.test(line))) echo(type === 'error' ? `[error] ${line}` : line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolve({ code: Number(code) }));
    page.on('crash', () => resolve({ code: 1, reason: 'browser page crashed' }));
    timer = setTimeout(() => resolve({ code: 124, timedOut: true }), timeoutMs);
    page.on('pageerror', (e) => { log += `[pageerror] ${e.message}\n`; });
    await page.goto(url, { timeout: 60_000 });
    const r = await done;
    res.exitCode = r.code;
    res.timedOut = Boolean(r.timedOut);
    if (r.reason) res.reason = r.reason;
    if (r.timedOut) res.reason = `timeout: no codeAutomationExit within ${timeoutMs} ms`;
  } catch (e) {
    res.reason = `runner error: ${e.message}`;
  } finally {
    clearTimeout(timer);
  }

  const counts = parseResult(log);
  const out = { ...res, passed: counts?.passed ?? 0, failed: counts?.failed ?? 0, pending: counts?.pending ?? 0, log };
  if (!counts && !out.reason) out.reason = 'no E2E-RESULT line: the tests did not run (see log)';
  else if (counts?.error && !out.reason) out.reason = counts.error;
  out.ok = !out.timedOut && out.exitCode === 0 && Boolean(counts) && out.failed === 0 && out.passed > 0;
  if (out.ok === false && out.exitCode === 0) out.exitCode = 1; // e.g. 0 tests: never a success
  if (!out.ok && browser) {
    out.screenshot = await screenshot(browser.page, `${o.name || 'exthost'}-failure-${Date.now()}`).catch(() => undefined);
  }
  if (browser) await browser.close();
  await server.stop();
  out.durationMs = Date.now() - t0;
  return out;
}

async function main() {
  const { values } = parseArgs({ options: {
    extension: { type: 'string' }, tests: { type: 'string' }, workspace: { type: 'string' },
    timeout: { type: 'string' }, verbose: { type: 'boolean' },
  } });
  if (!values.extension || !values.tests) {
    console.error('usage: node test/e2e/harness/run-exthost.mjs --extension <dir> --tests <dir|module> ' +
      '[--workspace <dir>] [--timeout <ms>] [--verbose]');
    process.exit(2);
  }
  const r = await runExtensionHostTests({ extensionDevelopmentPath: values.extension, extensionTestsPath: values.tests,
    workspace: values.workspace, timeoutMs: values.timeout ? Number(values.timeout) : undefined,
    verbose: values.verbose });
  if (r.reason) console.log(`[e2e] ${r.reason}`);
  if (r.screenshot) console.log(`[e2e] screenshot: ${path.relative(process.cwd(), r.screenshot)}`);
  console.log(`[e2e] ${(r.durationMs / 1000).toFixed(1)}s, exit code ${r.exitCode}`);
  console.log(`${r.passed} passed, ${r.failed} failed`);
  process.exit(r.ok ? 0 : (r.exitCode || 1));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`[e2e] ERROR: ${e.message}`);
    process.exit(1);
  });
}
