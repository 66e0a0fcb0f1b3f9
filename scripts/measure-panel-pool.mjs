#!/usr/bin/env node
// Wall time of a spec's runs in the panel, for several sizes of its worker pool, in one
// session: real Chromium, the panel page under its CSP and its real training workers,
// served as the browser tests serve them (test/browser). The page is told how many
// hardware threads it has (navigator.hardwareConcurrency), which sizes its pool; the
// machine's real cores are what the workers share, so on 2 cores this shows what the pool
// does there and how more workers than cores behave, not what 8 real cores would give.
//
//   node --import tsx scripts/measure-panel-pool.mjs [--spec examples/cycling.rnn.yaml]
//        [--seeds 3] [--threads 2,3,4] [--before DIR] [--repeat 1]
//
// --before DIR measures another build of the project first (its own dist/ and test
// server, e.g. `git archive` of the commit before the pool, built with node esbuild.mjs),
// so "before" and "after" come from one session on one machine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { launch, openPanel, projectHelpers, runsOf, waitFor } from '../test/browser/harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const specFile = path.resolve(arg('spec', path.join(repo, 'examples/cycling.rnn.yaml')));
const seeds = Number(arg('seeds', '3'));
const threadCounts = arg('threads', '2,3,4').split(',').map(Number);
const before = arg('before');
const repeat = Number(arg('repeat', '1'));

/** The spec with `seeds` seeds: variants x seeds runs. */
function specText() {
  return `${readFileSync(specFile, 'utf8').replace(/\nseeds:.*\n/, '\n')}\nseeds: ${seeds}\n`;
}

async function build(root) {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--only', 'webview,worker'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`build failed in ${root}`);
}

/** One Train of every run, timed from the message that starts it to the last result. */
async function measure(context, server, helpers, version, threads) {
  const runs = runsOf(helpers, specText());
  const p = await openPanel(context, server.url, '', { threads });
  await waitFor('the first worker', async () => (await p.page.evaluate(() => window.rnnlabPanel?.diagnostics().backend)) !== undefined, 120_000);
  const session = { id: `measure-${threads}`, dir: '/ws/.rnnlab/runs/measure' };
  const t0 = Date.now();
  await p.host.send({ type: 'init', version, specName: 'measure', specFile: specFile, runs, autoStart: true, session, maxWorkers: 0 });
  let most = 0;
  const done = await waitFor('every run', async () => {
    const d = await p.page.evaluate(() => window.rnnlabPanel.diagnostics());
    most = Math.max(most, d.pool?.running?.length ?? 1);
    const failed = await p.host.posted('runFailed');
    if (failed.length) throw new Error(`a run failed: ${failed[0].message}`);
    const finished = await p.host.posted('runFinished');
    return finished.length === runs.length ? finished : null;
  }, 3_600_000, 250);
  const wallS = (Date.now() - t0) / 1000;
  const msPerStep = done.map((m) => helpers.fromEnvelope(m.result).msPerStep);
  await p.page.close();
  return { threads, workers: most, wallS, msPerStep };
}

async function session(root, label) {
  await build(root);
  const { startServer } = await import(pathToFileURL(path.join(root, 'test/browser/server.mjs')).href);
  const { PROTOCOL_VERSION } = await import(pathToFileURL(path.join(root, 'src/protocol/version.ts')).href).catch(() => import(pathToFileURL(path.join(root, 'src/protocol.ts')).href));
  const helpers = await projectHelpers(root);
  const server = await startServer(root);
  const browser = await launch();
  const rows = [];
  try {
    for (let r = 0; r < repeat; r++) {
      for (const threads of label === 'before' ? [threadCounts[0]] : threadCounts) {
        const m = await measure(browser.context, server, helpers, PROTOCOL_VERSION, threads);
        rows.push({ code: label, ...m });
        console.log(`${label}: page sees ${threads} threads -> ${m.workers} worker(s): ${m.wallS.toFixed(1)} s, ms/step ${m.msPerStep.map((x) => x.toFixed(1)).join(' / ')}`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

const rows = [...(before ? await session(path.resolve(before), 'before') : []), ...(await session(repo, 'after'))];
const base = rows[0].wallS;
console.log(`\n${path.relative(repo, specFile)} with ${seeds} seeds; machine: ${(await import('node:os')).availableParallelism()} hardware threads`);
console.log('| code | threads the page sees | workers | wall time | vs first row | median ms/step per run |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.code} | ${r.threads} | ${r.workers} | ${r.wallS.toFixed(1)} s | ${(r.wallS / base).toFixed(2)}x | ${r.msPerStep.map((x) => x.toFixed(1)).join(', ')} |`);
}
