#!/usr/bin/env node
// `npm test`: build, typecheck, then every suite, and one closing line `N passed, M failed`.
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs --only unit     some suites (comma-separated): typecheck, lint, unit, browser, exthost, ui, slurm
//   node scripts/test.mjs --skip-build    use the existing dist/
// Before the suites that need them, it installs what they need on a fresh machine: Debian's
// chromium and the build headers, python3-numpy for a unit test (as root or through sudo; slurm-wlm and munge for the
// slurm suite, through scripts/cluster.mjs), code-server with its Node 24 into
// the cache folder (~/.cache/rnnlab). The `start` suite runs the README's `npm start` through
// npm, with `--check`, into an empty cache folder: the newcomer's first start, every time.
// A suite that cannot run (a tool missing, a crash, no count in its output) counts as
// failed, never as passed; its own output says how to fix it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAll, findCodeServer } from './e2e/tools.mjs';
import { ensureDebianPackages } from './setup/debian.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1].split(',')) : null;
const node = process.execPath;

/** Each suite: a command, and how to read its counts from its output. */
const suites = [
  { name: 'typecheck', run: typecheck },
  {
    name: 'lint',
    cmd: [node, [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'lint', '--error-on-warnings', '--max-diagnostics=none', '.']],
    counts: biomeCounts,
    limitMin: 10,
  },
  { name: 'start', run: freshStart },
  {
    name: 'unit',
    // numpy for the test that runs the panel's Python snippet; without it that test is pending,
    // which counts as failed, and the install error says what to run
    before: () => ensureDebianPackages(['python3-numpy']).catch((e) => console.log(`unit: ${e.message}`)),
    cmd: [node, [join(root, 'node_modules/mocha/bin/mocha.js'), 'test/unit/**/*.test.ts']],
    counts: mochaCounts,
    limitMin: 30,
  },
  { name: 'setup', run: setup },
  { name: 'browser', cmd: [node, ['--import', 'tsx', 'test/browser/run.mjs']], counts: closingLine, needs: 'test/browser/run.mjs', limitMin: 25 },
  {
    name: 'exthost',
    cmd: [node, ['test/e2e/harness/run-exthost.mjs', '--extension', '.', '--tests', 'test/e2e/exthost', '--workspace', 'test/e2e/fixtures/workspace']],
    counts: closingLine,
    needs: 'test/e2e/exthost',
    limitMin: 20,
  },
  { name: 'ui', cmd: [node, ['test/e2e/ui/run.mjs']], counts: closingLine, needs: 'test/e2e/ui/run.mjs', limitMin: 30 },
  // a real single-node Slurm (scripts/cluster.mjs) and `rnnlab submit --slurm --wait`
  { name: 'slurm', cmd: [node, ['test/slurm/run.mjs']], counts: closingLine, needs: 'test/slurm/run.mjs', limitMin: 20 },
];

const MIN = 60_000;
/** Process groups of the suites running now, killed with this script (Ctrl-C, a CI time limit). */
const live = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const pid of live) killGroup(pid);
    process.exit(130);
  });
}
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Runs a suite's command in its own process group. Two watchdogs keep one stuck suite from
 * eating the whole CI time: `limitMs` on the whole suite, and `summary`: once the suite has
 * printed its counts it gets `graceMs` to exit (a worker or timer left alive would otherwise
 * keep it waiting forever). Either kill counts as a failure (`killed` says which).
 */
function run(cmd, argv, { quiet = false, env = process.env, limitMs = 0, summary = null, graceMs = MIN } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child.pid);
    let out = '';
    let killed = null;
    let grace = null;
    const kill = (why) => {
      if (killed) return;
      killed = why;
      console.log(`\n${why}: killed.`);
      killGroup(child.pid);
    };
    const limit = limitMs ? setTimeout(() => kill(`still running after ${Math.round(limitMs / MIN)} min`), limitMs) : null;
    const take = (stream, sink) =>
      stream.on('data', (d) => {
        out += d;
        if (!quiet) sink.write(d);
        if (summary && !grace && summary(out)) {
          grace = setTimeout(() => kill(`printed its counts but did not exit within ${graceMs / 1000} s (a worker, timer or socket left open)`), graceMs);
        }
      });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    const end = (code, extra = '') => {
      live.delete(child.pid);
      clearTimeout(limit);
      clearTimeout(grace);
      resolve({ code: killed ? 124 : (code ?? 1), out: out + extra, killed });
    };
    child.on('error', (e) => end(127, String(e)));
    child.on('close', (code) => end(code));
  });
}

/** Mocha's spec reporter summary: "N passing", "M failing", "P pending" (pending is never a pass). */
function mochaCounts(out) {
  const n = (re) => Number((out.match(re) ?? [])[1] ?? 0);
  const passed = n(/^\s*(\d+) passing/m);
  const failed = n(/^\s*(\d+) failing/m);
  const pending = n(/^\s*(\d+) pending/m);
  return /\d+ passing/.test(out) ? { passed, failed: failed + pending } : null;
}

/**
 * Biome (biome.json): each checked file is one test, failed when it has a diagnostic
 * (`path:line:col lint/...` heads each one).
 */
function biomeCounts(out) {
  const checked = out.match(/^Checked (\d+) files?/m);
  if (!checked) return null;
  const failing = new Set([...out.matchAll(/^(\S+):\d+:\d+ (?:lint|parse|suppressions)\//gm)].map((m) => m[1]));
  return { passed: Number(checked[1]) - failing.size, failed: failing.size };
}

/** The last `N passed, M failed` line a runner prints. */
function closingLine(out) {
  const m = [...out.matchAll(/^(\d+) passed, (\d+) failed\s*$/gm)].pop();
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : null;
}

/**
 * `npm start -- --check` through npm, as a newcomer types it, with an empty code-server cache:
 * the real cache when this machine has none yet (so the tests that follow use what it
 * installed), otherwise a temporary one that is removed afterwards.
 */
async function freshStart() {
  const fresh = !findCodeServer();
  const cache = fresh ? undefined : mkdtempSync(join(tmpdir(), 'rnnlab-fresh-cache-'));
  console.log(fresh ? 'no code-server in the cache yet: npm start installs it, as on a fresh machine'
    : `npm start with an empty cache folder ${cache}`);
  const env = cache ? { ...process.env, RNNLAB_CACHE: cache } : process.env;
  try {
    const r = await run('npm', ['start', '--', '--check'], { env, limitMs: 15 * MIN });
    const ok = r.code === 0 && /check ok/.test(r.out);
    console.log(`npm start -- --check: ${ok ? 'ok' : `FAILED (exit ${r.code})`}`);
    return ok ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  } finally {
    if (cache) rmSync(cache, { recursive: true, force: true });
  }
}

/** Chromium and code-server for the suites after it; one failure if they cannot be had. */
async function setup() {
  try {
    const t = await ensureAll();
    console.log(`setup ok: chromium ${t.chromium}, code-server ${t.codeServerVersion} in ${t.dir}`);
    return { passed: 1, failed: 0 };
  } catch (e) {
    console.log(`setup FAILED: ${e.message}`);
    return { passed: 0, failed: 1 };
  }
}

async function typecheck() {
  let passed = 0;
  let failed = 0;
  for (const project of ['tsconfig.core.json', 'tsconfig.json', 'tsconfig.webview.json']) {
    if (!existsSync(join(root, project))) continue;
    const r = await run(node, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project, '--noEmit']);
    if (r.code === 0) {
      passed++;
      console.log(`typecheck ${project}: ok`);
    } else {
      failed++;
      console.log(`typecheck ${project}: FAILED`);
    }
  }
  return { passed, failed };
}

const totals = { passed: 0, failed: 0 };
const lines = [];
const started = Date.now();

if (!args.includes('--skip-build')) {
  console.log('== build');
  const b = await run(node, ['esbuild.mjs']);
  if (b.code !== 0) {
    console.log('build FAILED: the suites that need dist/ cannot run.');
    totals.failed++;
    lines.push('build: FAILED');
  }
}

for (const s of suites) {
  if (only && !only.has(s.name)) continue;
  console.log(`\n== ${s.name}`);
  const t0 = Date.now();
  let counts;
  if (s.before) await s.before();
  if (s.needs && !existsSync(join(root, s.needs))) {
    console.log(`${s.name}: ${s.needs} is missing.`);
    counts = { passed: 0, failed: 1 };
  } else if (s.run) {
    counts = await s.run();
  } else {
    const r = await run(s.cmd[0], s.cmd[1], { limitMs: (s.limitMin ?? 30) * MIN, summary: s.counts });
    counts = s.counts(r.out);
    if (counts && r.killed) {
      console.log(`${s.name}: ${r.killed}; counted as one more failure.`);
      counts.failed++;
    } else if (!counts) {
      console.log(`${s.name}: the suite ended (exit ${r.code}) without reporting its counts; counted as one failure.`);
      counts = { passed: 0, failed: 1 };
    } else if (r.code !== 0 && counts.failed === 0) {
      console.log(`${s.name}: exit ${r.code} although no test failed; counted as one failure.`);
      counts.failed = 1;
    }
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  lines.push(`${s.name}: ${counts.passed} passed, ${counts.failed} failed (${Math.round((Date.now() - t0) / 1000)} s)`);
}

console.log(`\n== summary (${Math.round((Date.now() - started) / 1000)} s)`);
for (const l of lines) console.log(l);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exitCode = totals.failed ? 1 : 0;
