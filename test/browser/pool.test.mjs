// The panel's worker pool in real Chromium: a 3-run spec trains on three Web Workers at
// once (the page is told it has 4 hardware threads, so it may use 3; the workers are
// real), each run can be paused and stopped on its own, and a worker that crashes fails
// only its run while the others finish.
import assert from 'node:assert/strict';
import { openPanel, runsOf, waitFor } from './harness.mjs';
import { PROTOCOL_VERSION } from '../../src/protocol/version.ts';

const THREE = `
name: three
task: { kind: cycling, response: 11 }
network: { N: 16, train: [recurrent] }
training: { steps: 40, batch: 8, lr0: 0.05 }
evaluation: { batch: 8, every: 10, t_min: 1 }
view: { trials: 8 }
seeds: 3
`;
const LONG_THREE = THREE.replace('steps: 40', 'steps: 100000').replace('every: 10', 'every: 1000');

const SESSION = { id: 'pool-session', dir: '/ws/.rnnlab/runs/three-20260101-000000' };
const init = (runs, maxWorkers = 0) => ({ type: 'init', version: PROTOCOL_VERSION, specName: 'three', specFile: '/ws/three.rnn.yaml', runs, autoStart: true, session: SESSION, maxWorkers });

/** The pool as the page reports it, sampled until `until` holds; returns the largest number of runs seen training at once. */
async function watchPool(p, until, timeoutMs = 90_000) {
  let most = 0;
  await waitFor('the pool', async () => {
    const d = await p.host.diagnostics();
    most = Math.max(most, d.pool.running.filter((r) => !r.paused && !r.stopping).length);
    return until(d);
  }, timeoutMs, 25);
  return most;
}

async function statusOf(host) {
  return (await host.posted('status')).at(-1);
}

/** Steps of `run` in the latest status (the page reports every run in progress). */
async function stepOf(host, run) {
  return (await statusOf(host))?.runs?.find((r) => r.runName === run)?.step ?? 0;
}

export function poolTests({ context, baseUrl, helpers }) {
  const three = runsOf(helpers, THREE);
  const longThree = runsOf(helpers, LONG_THREE);

  return [
    {
      name: 'pool: a 3-run spec trains on three workers at once, and every result comes back',
      fn: async () => {
        const p = await openPanel(context, baseUrl, '', { threads: 4 });
        await p.host.send(init(three));
        const most = await watchPool(p, async (d) => (await p.host.count('runFinished')) === 3 && d.state === 'idle');
        assert.equal(most, 3, 'three runs trained at the same time');
        const d = await p.host.diagnostics();
        assert.deepEqual([d.pool.workers, d.pool.capacity], [3, 3]);
        assert.equal(p.page.workers().length, 3, 'one Web Worker per run');
        assert.ok(p.workers.every((w) => /^blob:/.test(w.url())), 'every worker from the bundle blob');
        const done = await p.host.posted('runFinished');
        assert.deepEqual(done.map((m) => m.runName).sort(), ['default-s0', 'default-s1', 'default-s2']);
        for (const m of done) {
          const r = helpers.fromEnvelope(m.result);
          assert.equal(r.losses.length, 40);
          assert.equal(r.stopped, false);
          assert.equal(m.session, SESSION.id);
        }
        assert.deepEqual(await p.host.posted('runFailed'), []);
        // The status carried every run while they trained.
        assert.ok((await p.host.posted('status')).some((s) => s.runs?.length === 3 && s.total === 3), 'a status with three runs in progress');
        assert.deepEqual(await p.host.violations(), []);
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'pool: with two hardware threads the page keeps one for itself and trains on one worker; rnnlab.maxWorkers caps it too',
      fn: async () => {
        const p = await openPanel(context, baseUrl, '', { threads: 2 });
        await p.host.send(init(three));
        const most = await watchPool(p, async (d) => (await p.host.count('runFinished')) === 3 && d.state === 'idle');
        assert.equal(most, 1);
        assert.deepEqual((await p.host.posted('runFinished')).map((m) => m.runName), ['default-s0', 'default-s1', 'default-s2'], 'in spec order, one after another');
        await p.page.close();
        const q = await openPanel(context, baseUrl, '', { threads: 8 });
        await q.host.send(init(three, 2));
        assert.equal(await watchPool(q, async (d) => (await q.host.count('runFinished')) === 3 && d.state === 'idle'), 2);
        assert.match(await q.page.locator('.run-strip-caption').textContent(), /^$|Training on 2 workers, as rnnlab\.maxWorkers allows\./);
        await q.page.close();
      },
    },
    {
      name: 'pool: each run has its own Pause and Stop; the header Stop stops them all',
      fn: async () => {
        const p = await openPanel(context, baseUrl, '', { threads: 4 });
        await p.host.send(init(longThree));
        await watchPool(p, (d) => d.pool.running.length === 3);
        await waitFor('all three stepping', async () => (await Promise.all(['default-s0', 'default-s1', 'default-s2'].map((r) => stepOf(p.host, r)))).every((s) => s >= 3), 60_000);
        assert.match(await p.page.locator('.run-strip-caption').textContent(), /Training on 3 workers, one per run\./);
        // Pause one from its row, by keyboard.
        const pauseS1 = p.page.getByRole('button', { name: 'Pause default-s1' });
        await pauseS1.focus();
        await p.page.keyboard.press('Enter');
        await waitFor('default-s1 paused', async () => (await statusOf(p.host))?.runs?.find((r) => r.runName === 'default-s1')?.state === 'paused');
        // No clock: the other runs' steps measure the time. By their fifth the pause has taken effect.
        const others = await stepOf(p.host, 'default-s0');
        await waitFor('default-s0 to train on', async () => (await stepOf(p.host, 'default-s0')) >= others + 5, 60_000);
        const held = await stepOf(p.host, 'default-s1');
        await waitFor('default-s0 to train on more', async () => (await stepOf(p.host, 'default-s0')) >= others + 15, 60_000);
        assert.equal(await stepOf(p.host, 'default-s1'), held, 'the paused run holds');
        assert.equal((await statusOf(p.host)).state, 'training');
        // The strip is drawn in the page's next frame, which a busy machine delays: wait for it.
        await waitFor('the Resume button of default-s1', async () => (await p.page.getByRole('button', { name: 'Resume default-s1' }).count()) === 1);
        // Stop another from its row: it reports a stopped result; the rest go on.
        await p.page.getByRole('button', { name: 'Stop default-s2' }).click();
        const [stopped] = await waitFor('default-s2 reported', async () => {
          const done = await p.host.posted('runFinished');
          return done.length ? done : null;
        }, 60_000);
        assert.equal(stopped.runName, 'default-s2');
        assert.equal(helpers.fromEnvelope(stopped.result).stopped, true);
        assert.deepEqual((await p.host.diagnostics()).pool.running.map((r) => [r.name, r.paused]), [['default-s0', false], ['default-s1', true]]);
        await waitFor('default-s2 marked stopped', async () => (await p.page.locator('.measures-table tr[data-run="default-s2"]').getAttribute('data-status')) === 'stopped');
        // Resume, then stop all from the header.
        await p.page.getByRole('button', { name: 'Resume default-s1' }).click();
        await waitFor('default-s1 stepping again', async () => (await stepOf(p.host, 'default-s1')) > held + 2);
        await p.page.getByRole('button', { name: 'Stop', exact: true }).click();
        await waitFor('all reported', async () => (await p.host.count('runFinished')) === 3, 60_000);
        await waitFor('idle', async () => (await statusOf(p.host))?.state === 'idle');
        assert.ok((await p.host.posted('runFinished')).every((m) => helpers.fromEnvelope(m.result).stopped === true));
        await waitFor('no run strip when nothing trains', () => p.page.locator('.run-strip').isHidden());
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
    {
      name: 'pool: a worker that crashes fails only its run; the others finish, and the pool goes on one worker smaller',
      fn: async () => {
        const p = await openPanel(context, baseUrl, '', { threads: 4 });
        const runs = runsOf(helpers, THREE.replace('steps: 40', 'steps: 400'));
        await p.host.send(init(runs));
        await watchPool(p, (d) => d.pool.running.length === 3);
        await waitFor('all three stepping', async () => (await Promise.all(['default-s0', 'default-s1', 'default-s2'].map((r) => stepOf(p.host, r)))).every((s) => s >= 2), 60_000);
        // An uncaught error inside one worker, as a bug or a failed allocation would throw it.
        const victim = p.page.workers()[1];
        await victim.evaluate(() => setTimeout(() => {
          throw new Error('simulated crash for the test');
        }, 0));
        const [failed] = await waitFor('a runFailed', async () => {
          const f = await p.host.posted('runFailed');
          return f.length ? f : null;
        }, 30_000);
        assert.match(failed.message, /^the training worker stopped: .*simulated crash for the test/);
        assert.equal(failed.session, SESSION.id);
        await waitFor('the other two finished', async () => (await p.host.count('runFinished')) === 2, 90_000);
        const finished = (await p.host.posted('runFinished')).map((m) => m.runName);
        assert.deepEqual([...finished, failed.runName].sort(), ['default-s0', 'default-s1', 'default-s2']);
        const d = await p.host.diagnostics();
        assert.equal(d.pool.capacity, 2);
        assert.ok((await p.host.posted('log')).some((l) => l.level === 'error' && /a training worker stopped .* on up to 2 workers/.test(l.message)));
        await waitFor('the failed run marked', async () => (await p.page.locator(`.measures-table tr[data-run="${failed.runName}"]`).getAttribute('data-status')) === 'failed');
        assert.deepEqual(p.pageErrors, []);
        await p.page.close();
      },
    },
  ];
}
