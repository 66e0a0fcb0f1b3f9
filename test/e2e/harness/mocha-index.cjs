// Mocha runner for VS Code extension-host tests (loaded by VS Code as `extensionTestsPath`).
// It runs inside the extension host (Node 24 on the code-server side), with the real `vscode` API.
//
// Two ways to use it:
//  1. Point extensionTestsPath at a folder of *.test.js / *.test.cjs files that has no index.js:
//     run-exthost.mjs then loads this file and passes the folder in RNNLAB_E2E_TESTS.
//  2. Write your own index.js:  module.exports = require('<repo>/test/e2e/harness/mocha-index.cjs')
//       .create({ dir: __dirname, ui: 'bdd', timeout: 60000 });
//
// The reporter is mocha's spec reporter plus one machine-readable closing line on the console:
//   E2E-RESULT {"passed":N,"failed":M,"pending":P}
// (extension-host console output reaches the browser's window.codeAutomationLog, where run-exthost.mjs
// counts it). run() rejects when a test failed or when no test ran, so VS Code's exit code is 1.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');

const DEFAULT_PATTERN = /\.test\.c?js$/;

function collect({ files = [], dir, pattern = DEFAULT_PATTERN }) {
  const out = files.map((f) => path.resolve(f));
  if (dir) {
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = path.join(d, e.name);
        if (e.isDirectory() && e.name !== 'node_modules') walk(p);
        else if (e.isFile() && pattern.test(e.name)) out.push(p);
      }
    };
    walk(path.resolve(dir));
  }
  return out;
}

function emit(result) {
  console.log(`E2E-RESULT ${JSON.stringify(result)}`);
}

/**
 * Runs mocha in the extension host.
 * @param {{files?: string[], dir?: string, pattern?: RegExp, ui?: 'bdd'|'tdd', timeout?: number,
 *   grep?: string, slow?: number}} opts
 * @returns {Promise<{passed:number, failed:number, pending:number}>} rejects if failed > 0 or nothing ran
 */
async function runMocha(opts = {}) {
  const mod = await import('mocha'); // mocha 12 is ESM-only; Node 24's import() works from CJS
  const Mocha = mod.default;
  const Spec = Mocha.reporters.Spec;
  // The workbench forwards extension-host console calls with their arguments joined, not formatted
  // ("✔ %s runs ..." would arrive literally), so mocha's reporter output is formatted here.
  Mocha.reporters.Base.consoleLog = (...args) => console.log(util.format(...args));
  class E2EReporter extends Spec {
    constructor(runner, options) {
      super(runner, options);
      runner.once('end', () => {
        const s = runner.stats || {};
        emit({ passed: s.passes || 0, failed: s.failures || 0, pending: s.pending || 0 });
      });
    }
  }
  const files = collect(opts);
  if (files.length === 0) {
    emit({ passed: 0, failed: 0, pending: 0, error: 'no test files found' });
    throw new Error(`no test files found (dir=${opts.dir}, files=${JSON.stringify(opts.files || [])})`);
  }
  const mocha = new Mocha({
    ui: opts.ui || 'bdd', color: false, timeout: opts.timeout ?? 60_000, slow: opts.slow ?? 5_000,
    reporter: E2EReporter, grep: opts.grep || process.env.RNNLAB_E2E_GREP || undefined,
  });
  for (const f of files) mocha.addFile(f);
  try {
    await mocha.loadFilesAsync();
  } catch (e) {
    emit({ passed: 0, failed: 1, pending: 0, error: `cannot load test files: ${e.message}` });
    throw e;
  }
  let runner;
  await new Promise((resolve) => { runner = mocha.run(resolve); });
  const s = runner.stats || {};
  const result = { passed: s.passes || 0, failed: s.failures || 0, pending: s.pending || 0 };
  if (result.failed > 0) throw new Error(`${result.failed} test(s) failed`);
  if (result.passed === 0) throw new Error('no tests ran (0 passed)');
  return result;
}

/** A module object for extensionTestsPath: `module.exports = create({dir: __dirname})`. */
function create(opts) {
  return { run: () => runMocha(opts) };
}

/** Default entry when this file itself is the extensionTestsPath: tests from RNNLAB_E2E_TESTS (dir or file). */
function run() {
  const target = process.env.RNNLAB_E2E_TESTS;
  if (!target) {
    emit({ passed: 0, failed: 0, pending: 0, error: 'RNNLAB_E2E_TESTS not set' });
    return Promise.reject(new Error('RNNLAB_E2E_TESTS is not set (folder or file of extension-host tests)'));
  }
  const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
  return runMocha({
    ...(isDir ? { dir: target } : { files: [target] }),
    ui: process.env.RNNLAB_E2E_UI || 'bdd',
    timeout: process.env.RNNLAB_E2E_TIMEOUT ? Number(process.env.RNNLAB_E2E_TIMEOUT) : undefined,
  });
}

module.exports = { run, runMocha, create, collect };
