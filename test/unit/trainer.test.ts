import * as assert from 'node:assert/strict';
import { useBackend } from './helpers/tf';
import { TrainerService } from '../../src/trainer/service';
import { loadSpec } from '../../src/spec/resolve';
import { fromEnvelope } from '../../src/core/pack';
import type { RunResult } from '../../src/core/train';
import { PROTOCOL_VERSION, type FromTrainer } from '../../src/protocol';
import { at } from '../../src/core/checked';

const SPEC = `
task: { kind: cycling, response: 5 }
network: { N: 8, train: [recurrent] }
training: { steps: 6, batch: 4, lr0: 0.05, backend: cpu }
evaluation: { batch: 4, every: 2, t_min: 1 }
variants:
  - { name: a, network: { output_scale: small } }
  - { name: b, network: { output_scale: large } }
`;

function runs() {
  const loaded = loadSpec(SPEC, 'toy.rnn.yaml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return loaded.runs;
}

/** A service whose owner reacts to messages synchronously, like a fast main thread. */
function harness(onMessage: (m: FromTrainer, svc: TrainerService) => void) {
  const seen: FromTrainer[] = [];
  const svc: TrainerService = new TrainerService({
    post: (m) => {
      seen.push(m);
      onMessage(m, svc);
    },
    yieldTurn: () => new Promise((r) => setImmediate(r)),
    sendViews: true,
  });
  return { svc, seen };
}

const until = async (cond: () => boolean, ms = 20000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('training worker service', () => {
  before(() => useBackend('cpu'));

  it('accepts the next run the moment it reports the previous one finished', async () => {
    const both = runs();
    const a = at(both, 0);
    const b = at(both, 1);
    const { svc, seen } = harness((m, s) => {
      if (m.type === 'finished' && m.runId === 'a') void s.handle({ type: 'train', runId: 'b', run: b });
    });
    await svc.handle({ type: 'init', version: PROTOCOL_VERSION, backend: 'cpu' });
    assert.equal(at(seen, 0).type, 'ready');
    void svc.handle({ type: 'train', runId: 'a', run: a });
    await until(() => seen.some((m) => (m.type === 'finished' || m.type === 'failed') && m.runId === 'b'));
    const ends = seen.filter((m) => m.type === 'finished' || m.type === 'failed');
    assert.deepEqual(ends.map((m) => `${m.type}:${m.runId}`), ['finished:a', 'finished:b']);
    const steps = seen.filter((m) => m.type === 'step' && m.runId === 'a').length;
    assert.equal(steps, 6);
    const evals = seen.filter((m) => m.type === 'evaluation' && m.runId === 'a');
    assert.deepEqual(evals.map((m) => (m.type === 'evaluation' ? [m.step, m.final] : [])), [[2, false], [4, false], [6, true]]);
    const fin = at(ends, 0);
    assert.ok(fin.type === 'finished');
    const result = fromEnvelope<RunResult>(fin.result);
    assert.equal(result.losses.length, 6);
    assert.ok(result.final.W instanceof Float32Array);
  });

  it('stops between steps and still reports what it has; pause holds it', async () => {
    const a = at(runs(), 0);
    const long = { ...a, training: { ...a.training, steps: 10000 } };
    const { svc, seen } = harness(() => undefined);
    await svc.handle({ type: 'init', version: PROTOCOL_VERSION, backend: 'cpu' });
    void svc.handle({ type: 'train', runId: 'a', run: long });
    await until(() => seen.filter((m) => m.type === 'step').length >= 3);
    await svc.handle({ type: 'pause' });
    await new Promise((r) => setTimeout(r, 50));
    const held = seen.filter((m) => m.type === 'step').length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(seen.filter((m) => m.type === 'step').length, held, 'no steps while paused');
    await svc.handle({ type: 'stop' });
    await until(() => seen.some((m) => m.type === 'finished' || m.type === 'failed'));
    const fin = seen.find((m) => m.type === 'finished');
    assert.ok(fin && fin.type === 'finished');
    const result = fromEnvelope<RunResult>(fin.result);
    assert.equal(result.stopped, true);
    assert.equal(result.losses.length, held);
  });

  it('refuses a protocol version it does not speak', async () => {
    const { svc, seen } = harness(() => undefined);
    await svc.handle({ type: 'init', version: PROTOCOL_VERSION + 1, backend: 'cpu' });
    assert.equal(at(seen, 0).type, 'initFailed');
  });
});
