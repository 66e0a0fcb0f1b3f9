/**
 * The shared worker pool with real workers: worker threads running the built
 * cli-worker.js (the CLI's own platform), on the cpu backend so that a test run is
 * small. What is faked is said where it is: a worker that never answers, a worker
 * killed from outside.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadSpec } from '../../../src/spec/resolve';
import { fromEnvelope, type Envelope } from '../../../src/core/pack';
import type { RunResult } from '../../../src/core/train';
import type { RunConfig } from '../../../src/core/types';
import type { PanelState } from '../../../src/protocol';
import { nodePlatform, workerThread } from '../../../src/cli/pool';
import { TrainerClient, type RunMessage, type TrainerPlatform, type TrainerWorker } from '../../../src/trainer/client';
import { TrainerPool } from '../../../src/trainer/pool';

const DIST = resolve(__dirname, '../../../dist');

const SPEC = (steps: number, backend = 'cpu') => `
name: pool
task: { kind: cycling, response: 5 }
network: { N: 8, train: [recurrent] }
training: { steps: ${steps}, batch: 4, lr0: 0.05, backend: ${backend} }
evaluation: { batch: 4, every: 0, t_min: 1 }
seeds: 3
`;

/** The spec's three runs (seeds: 3). */
function runsOf(text: string): [RunConfig, RunConfig, RunConfig] {
  const loaded = loadSpec(text, 'pool.rnn.yaml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  const [a, b, c, ...rest] = loaded.runs;
  if (!a || !b || !c || rest.length) throw new Error(`the spec resolves to ${loaded.runs.length} runs, not 3`);
  return [a, b, c];
}

/** The i-th element, which the test expects to be there. */
function nth<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`expected an element at ${i}, found ${xs.length}`);
  return x;
}

interface Job {
  run: RunConfig;
}

/** A pool on the real platform, recording everything it reports. */
function recorder(size: number, platform: TrainerPlatform = nodePlatform(DIST), initTimeoutMs?: number) {
  const log = {
    messages: [] as { run: string; msg: RunMessage }[],
    finished: [] as { run: string; result: RunResult }[],
    failed: [] as { run: string; message: string }[],
    dropped: [] as string[],
    states: [] as PanelState[],
    logs: [] as string[],
    /** per run: did it train while another did (a step of another between its start and end) */
    concurrent: 0,
  };
  const live = new Set<string>();
  const pool: TrainerPool<Job> = new TrainerPool<Job>(
    { platform, size, lazy: true, ...(initTimeoutMs !== undefined ? { initTimeoutMs } : {}) },
    {
      message(job, msg) {
        log.messages.push({ run: job.run.name, msg });
        if (msg.type === 'started') live.add(job.run.name);
        log.concurrent = Math.max(log.concurrent, live.size);
      },
      finished(job, result: Envelope) {
        live.delete(job.run.name);
        log.finished.push({ run: job.run.name, result: fromEnvelope<RunResult>(result) });
      },
      failed(job, message) {
        live.delete(job.run.name);
        log.failed.push({ run: job.run.name, message });
      },
      dropped: (jobs) => log.dropped.push(...jobs.map((j) => j.run.name)),
      state: (s) => log.states.push(s),
      log: (level, message) => log.logs.push(`${level}: ${message}`),
    },
  );
  made.push(pool);
  return { pool, log };
}

/** Every pool a test made, disposed after it even when it failed half-way (a paused run left alive would keep mocha from exiting). */
const made: TrainerPool<Job>[] = [];

const until = async (what: string, cond: () => boolean, ms = 60_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** The step count of `run` once it has not moved while `other` made 10 steps and 300 ms passed. */
async function settled(log: ReturnType<typeof recorder>['log'], run: string, other: string): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const held = steps(log, run);
    const o = steps(log, other);
    const t0 = Date.now();
    await until(`${other} to step on`, () => steps(log, other) >= o + 10 && Date.now() - t0 >= 300);
    if (steps(log, run) === held) return held;
  }
  throw new Error(`${run} kept stepping after its pause`);
}

const steps = (log: ReturnType<typeof recorder>['log'], run: string) => log.messages.filter((m) => m.run === run && m.msg.type === 'step').length;

describe('trainer pool (worker threads)', function () {
  this.timeout(120_000);
  afterEach(() => {
    for (const p of made.splice(0)) p.dispose();
  });
  before(() => {
    if (!existsSync(join(DIST, 'cli-worker.js'))) throw new Error('dist/cli-worker.js is missing: run `npm run build` (npm test does it first).');
  });

  it('trains the runs of a spec side by side on several workers, each the same as alone', async () => {
    // Endless runs, stopped once all three step: side by side by construction, on a busy machine too.
    const runs = runsOf(SPEC(100000));
    const { pool, log } = recorder(3);
    pool.start(runs.map((run) => ({ run })));
    assert.equal(pool.state, 'training');
    await until('three runs stepping', () => runs.every((r) => steps(log, r.name) >= 5));
    assert.equal(log.concurrent, 3, 'three runs were training at once');
    assert.equal(pool.workers, 3);
    pool.stop();
    await pool.idle();
    assert.deepEqual(log.failed, []);
    assert.deepEqual(log.finished.map((f) => f.run).sort(), runs.map((r) => r.name).sort());
    for (const f of log.finished) assert.ok(f.result.stopped && f.result.losses.length >= 5, `${f.run}: ${f.result.losses.length} losses`);
    assert.deepEqual(log.states, ['training', 'stopping', 'idle']);
    // Same run alone on one worker: the same losses, bit for bit, as far as both went (each run has its own random streams).
    const together = [...nth(log.finished.filter((f) => f.run === runs[1].name), 0).result.losses];
    const alone = recorder(1);
    alone.pool.start([{ run: runs[1] }]);
    await until('the run alone to catch up', () => steps(alone.log, runs[1].name) >= together.length);
    alone.pool.stop();
    await alone.pool.idle();
    const solo = [...nth(alone.log.finished, 0).result.losses];
    assert.ok(solo.length >= together.length);
    assert.deepEqual(solo.slice(0, together.length), together);
    pool.dispose();
    alone.pool.dispose();
  });

  it('keeps to its size: with 2 workers, the third run starts when one finishes', async () => {
    const runs = runsOf(SPEC(6));
    const { pool, log } = recorder(2);
    pool.start(runs.map((run) => ({ run })));
    await pool.idle();
    assert.equal(log.concurrent, 2);
    assert.equal(log.finished.length, 3);
    pool.dispose();
  });

  it('pauses and stops one run while the others go on; a global stop drops the queue', async () => {
    const runs = runsOf(SPEC(100000));
    const jobs = runs.map((run) => ({ run }));
    const { pool, log } = recorder(2);
    pool.start(jobs);
    await until('two runs stepping', () => steps(log, runs[0].name) >= 3 && steps(log, runs[1].name) >= 3);
    pool.pause(jobs[0]);
    // A step already under way when the pause arrives still reports, late on a busy machine:
    // the pause has taken effect once the paused run's count stays put for a window in which
    // the other run steps on (its steps and the clock both, so neither a slow nor a fast
    // worker makes the window empty). Then it must hold for a second such window.
    const held = await settled(log, runs[0].name, runs[1].name);
    const other = steps(log, runs[1].name);
    await until('the other run to train on', () => steps(log, runs[1].name) >= other + 15);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(steps(log, runs[0].name), held, 'the paused run holds');
    assert.equal(pool.state, 'training');
    assert.deepEqual(pool.running.map((a) => [a.job.run.name, a.paused]), [[runs[0].name, true], [runs[1].name, false]]);
    pool.stop(jobs[1]);
    await until('the stopped run to report', () => log.finished.length === 1);
    assert.equal(nth(log.finished, 0).run, runs[1].name);
    assert.equal(nth(log.finished, 0).result.stopped, true, 'a stopped run still reports its result, marked stopped');
    // Its worker is free: the queued third run starts there, while the first is still paused.
    await until('the third run stepping', () => steps(log, runs[2].name) >= 2);
    assert.equal(steps(log, runs[0].name), held);
    pool.resume(jobs[0]);
    await until('the paused run to step again', () => steps(log, runs[0].name) > held + 2);
    pool.stop();
    assert.equal(pool.state, 'stopping');
    await pool.idle();
    assert.deepEqual(log.finished.map((f) => [f.run, f.result.stopped]).sort(), runs.map((r) => [r.name, true]).sort());
    assert.equal(log.states.at(-1), 'idle');
    pool.dispose();
  });

  it('pausing all holds every run and the queue; stopping a queued run drops it', async () => {
    const runs = runsOf(SPEC(100000));
    const jobs = runs.map((run) => ({ run }));
    const { pool, log } = recorder(1);
    pool.start(jobs);
    await until('the first run stepping', () => steps(log, runs[0].name) >= 2);
    pool.stop(jobs[2]);
    assert.deepEqual(log.dropped, [runs[2].name]);
    pool.pause();
    assert.equal(pool.state, 'paused');
    pool.stop(jobs[0]);
    await until('the first run to report', () => log.finished.length === 1);
    // All paused: the second run waits in the queue although a worker is free.
    assert.deepEqual([pool.running.length, pool.queued.map((j) => j.run.name)], [0, [runs[1].name]]);
    assert.equal(pool.state, 'paused');
    pool.resume();
    await until('the second run stepping', () => steps(log, runs[1].name) >= 2);
    pool.stop();
    await pool.idle();
    assert.deepEqual(log.finished.map((f) => f.run), [runs[0].name, runs[1].name]);
    pool.dispose();
  });

  it('a new start replaces the queue: runs in progress stop and report, queued ones are dropped, the new ones train', async () => {
    const runs = runsOf(SPEC(100000));
    const next = runsOf(SPEC(5)).map((r) => ({ ...r, name: `next-${r.name}` }));
    const { pool, log } = recorder(1);
    pool.start(runs.map((run) => ({ run })));
    await until('the first run stepping', () => steps(log, runs[0].name) >= 2);
    pool.start(next.map((run) => ({ run })));
    assert.deepEqual(log.dropped, [runs[1].name, runs[2].name]);
    await pool.idle();
    assert.deepEqual(log.finished.map((f) => [f.run, f.result.stopped]), [[runs[0].name, true], ...next.map((r) => [r.name, false])]);
    pool.dispose();
  });

  it('a worker that dies fails only its run; the pool goes on with one worker fewer', async () => {
    const runs = runsOf(SPEC(100000));
    const threads: Worker[] = [];
    // The real platform, keeping a handle on each thread so the test can kill one from outside (as the OS would).
    const platform: TrainerPlatform = {
      spawn: async () => {
        const w = new Worker(join(DIST, 'cli-worker.js'));
        threads.push(w);
        return workerThread(w);
      },
      wasm: async () => ({ kind: 'path', dir: DIST }),
    };
    const { pool, log } = recorder(2, platform);
    const jobs = runs.map((run) => ({ run }));
    pool.start(jobs);
    await until('two runs stepping', () => steps(log, runs[0].name) >= 2 && steps(log, runs[1].name) >= 2);
    await nth(threads, 0).terminate();
    await until('the killed run to fail', () => log.failed.length === 1);
    assert.equal(nth(log.failed, 0).run, runs[0].name);
    assert.match(nth(log.failed, 0).message, /the training worker stopped: it exited with code 1/);
    assert.ok(log.logs.some((l) => /^error: a training worker stopped .* on up to 1 worker$/.test(l)), log.logs.join('\n'));
    assert.equal(pool.capacity, 1);
    // The other run trains on; the third waits for a worker, as the pool is down to one.
    const before = steps(log, runs[1].name);
    await until('the second run to go on', () => steps(log, runs[1].name) > before + 2);
    assert.equal(steps(log, runs[2].name), 0);
    pool.stop(jobs[1]);
    await until('the third run stepping on the freed worker', () => steps(log, runs[2].name) >= 2);
    pool.stop();
    await pool.idle();
    assert.deepEqual(log.finished.map((f) => f.run), [runs[1].name, runs[2].name]);
    pool.dispose();
  });

  // The timeout holds for the real cpu worker too: 10 s, so a busy machine still starts one in time.
  it('a worker that never answers init times out, and a fresh one on cpu takes over', async () => {
    let spawned = 0;
    const real = nodePlatform(DIST);
    // A worker that swallows every message: what a wasm compile that never settles looks like from outside.
    const silent: TrainerWorker = { post: () => undefined, listen: () => () => undefined, onDeath: () => undefined, terminate: () => undefined };
    const platform: TrainerPlatform = {
      spawn: async (backend) => (spawned++ === 0 ? silent : real.spawn(backend)),
      wasm: real.wasm,
    };
    const logs: string[] = [];
    const client = await TrainerClient.start(platform, 'wasm', { initTimeoutMs: 10_000, log: (m) => logs.push(m) });
    assert.equal(client.backend.name, 'cpu');
    assert.match(client.backend.reason, /^wasm failed \(no answer within 10 s\); cpu is 20-30x slower$/);
    assert.deepEqual(logs, ['the wasm backend failed, starting a fresh worker on cpu: no answer within 10 s']);
    client.terminate();
  });

  it('when no worker can start, the run fails with both reasons and the queued runs of that backend do not start', async () => {
    const silent = (): TrainerWorker => ({ post: () => undefined, listen: () => () => undefined, onDeath: () => undefined, terminate: () => undefined });
    const platform: TrainerPlatform = { spawn: async () => silent(), wasm: async () => undefined };
    const runs = runsOf(SPEC(5, 'wasm'));
    const { pool, log } = recorder(1, platform, 100);
    pool.start(runs.map((run) => ({ run })));
    await pool.idle();
    assert.match(nth(log.failed, 0).message, /^The training worker did not start\. wasm: no answer within 100 ms cpu: no answer within 100 ms$/);
    assert.deepEqual(log.failed.slice(1).map((f) => f.message), ['not started: the training worker could not start', 'not started: the training worker could not start']);
    assert.equal(pool.state, 'failed');
    assert.equal(pool.workers, 0);
    pool.dispose();
  });
});
