/**
 * The explorer channel end to end in Node: the page's KickClient and the worker's
 * ExplorerService over a real structured-clone MessageChannel, through the typed channel
 * and its checks. A drag of many amplitudes is coalesced (fewer simulations than requests,
 * the last answer is the last amplitude), amplitude 0 coincides with the unperturbed run
 * and a positive one does not, and bad setups and kicks come back as sentences.
 */
import * as assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Channel } from '../../../src/protocol/channel';
import { portOf } from '../helpers/port';
import { fromExplorer, toExplorer, decodeExplorerSetup, type ExplorerSetup, type FromExplorer, type KickAnswer, type ToExplorer } from '../../../src/protocol';
import { toEnvelope } from '../../../src/core/pack';
import { makeRng } from '../../../src/core/rng';
import { ExplorerService } from '../../../webview/worker/explorer-service';
import { KickClient } from '../../../webview/panel/explorer/kick-client';

function setupOf(N = 16, T = 40, B = 3): ExplorerSetup {
  const rng = makeRng(3, 'explorer-test');
  const dIn = 2;
  const dOut = 1;
  const fill = (n: number, s: number) => {
    const a = new Float32Array(n);
    rng.fillNormal(a, s);
    return a;
  };
  const axes = (offset: number) => {
    const a = new Float64Array(3 * N);
    for (let j = 0; j < 3; j++) a[j * N + j + offset] = 1;
    return a;
  };
  return {
    N, dIn, dOut, T, B, dt: 0.2,
    W: fill(N * N, 1.3 / Math.sqrt(N)), W_in: fill(N * dIn, 1), W_out: fill(dOut * N, 1 / Math.sqrt(N)),
    x0: fill(B * N, 0.2), inputs: fill(T * B * dIn, 0.5),
    bases: { pca: axes(0), readout: axes(3) }, seed: 7,
  };
}

describe('explorer channel: page client <-> worker service', () => {
  let page: Channel<FromExplorer, ToExplorer>;
  let worker: Channel<ToExplorer, FromExplorer>;
  let service: ExplorerService;
  let ports: MessagePort[];
  let answers: { answer: KickAnswer; latencyMs: number }[];
  let failures: string[];
  let problems: string[];
  let client: KickClient;

  beforeEach(() => {
    const mc = new MessageChannel();
    ports = [mc.port1, mc.port2];
    problems = [];
    answers = [];
    failures = [];
    page = new Channel<FromExplorer, ToExplorer>(portOf(mc.port1), fromExplorer, (why) => problems.push(why));
    worker = new Channel<ToExplorer, FromExplorer>(portOf(mc.port2), toExplorer, (why) => problems.push(why));
    service = new ExplorerService({
      post: (m, t) => worker.send(m, t),
      yieldTurn: () => new Promise((r) => setImmediate(r)),
      now: () => performance.now(),
    });
    worker.onAny((m) => service.handle(m));
    client = new KickClient({
      key: 'view-a',
      send: (m, t) => page.send(m, t),
      answered: (answer, latencyMs) => answers.push({ answer, latencyMs }),
      failed: (m) => failures.push(m),
      now: () => performance.now(),
    });
    page.onAny((m) => client.receive(m));
  });
  afterEach(() => {
    page.close();
    worker.close();
    for (const p of ports) p.close();
  });

  const settle = async () => {
    for (let i = 0; i < 200 && client.busy; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(client.busy, false, 'every kick was answered');
  };

  it('amplitude 0 draws the unperturbed trajectory and outputs; a positive amplitude moves away from them', async () => {
    const s = setupOf();
    client.setup(s);
    client.request({ trial: 1, step: 10, direction: 'pc1', amplitude: 0 });
    await settle();
    client.request({ trial: 1, step: 10, direction: 'pc1', amplitude: 2 });
    await settle();
    assert.deepEqual(problems, []);
    assert.deepEqual(failures, []);
    assert.equal(answers.length, 2);
    const [zero, kicked] = answers.map((a) => a.answer);
    if (!zero || !kicked) throw new Error('two answers');
    const from = (a: Float32Array, k: number, w: number) => a.slice(k * w);
    assert.deepEqual(zero.perturbed.pca, from(zero.unperturbed.pca, 10, 3));
    assert.deepEqual(zero.perturbed.readout, from(zero.unperturbed.readout ?? new Float32Array(), 10, 3));
    assert.deepEqual(zero.perturbed.outputs, from(zero.unperturbed.outputs, 10, 1));
    assert.equal(zero.finalDistance, 0);
    // PC1 is unit 0 here: the kicked point sits 2 sqrt(N) = 8 further along the first axis
    assert.ok(Math.abs((kicked.perturbed.pca[0] ?? 0) - (zero.unperturbed.pca[30] ?? 0) - 8) < 1e-5);
    assert.notDeepEqual(kicked.perturbed.pca, zero.perturbed.pca);
    assert.notDeepEqual(kicked.perturbed.outputs, zero.perturbed.outputs);
    assert.deepEqual(kicked.request, { trial: 1, step: 10, direction: 'pc1', amplitude: 2 });
    assert.ok(answers.every((a) => a.latencyMs >= 0 && a.answer.ms >= 0));
  });

  it('a drag of 30 amplitudes simulates fewer kicks than it asks for, and ends on the last amplitude', async () => {
    client.setup(setupOf(64, 200));
    for (let i = 0; i < 30; i++) client.request({ trial: 0, step: 20, direction: 'w_out', amplitude: i / 10 });
    await settle();
    assert.deepEqual(problems, []);
    assert.ok(service.simulated < 30, `${service.simulated} simulated`);
    assert.ok(answers.length <= service.simulated);
    assert.equal(answers.at(-1)?.answer.request.amplitude, 2.9);
  });

  it('the worker answers only the newest kick of those queued for a view', async () => {
    client.setup(setupOf());
    // three kicks sent straight to the worker, as a page without a client might
    for (let seq = 1; seq <= 3; seq++) page.send({ type: 'kick', key: 'view-a', seq, request: { trial: 0, step: 5, direction: 'rand', amplitude: seq } });
    const seen: number[] = [];
    page.on('kicked', (m) => seen.push(m.seq));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, [3]);
    assert.equal(service.simulated, 1);
  });

  it('says why when a kick cannot be made: no input direction, no such trial, a forgotten view, a bad setup', async () => {
    const s = setupOf();
    client.setup({ ...s, dIn: 0, W_in: new Float32Array(0), inputs: new Float32Array(0) });
    client.request({ trial: 0, step: 1, direction: 'w_in', amplitude: 1 });
    await settle();
    client.request({ trial: 5, step: 1, direction: 'w_out', amplitude: 1 });
    await settle();
    client.forget();
    client.request({ trial: 0, step: 1, direction: 'w_out', amplitude: 1 });
    await settle();
    client.setup({ ...s, W: new Float32Array(3) });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(failures.length, 4, failures.join(' | '));
    assert.match(failures[0] ?? '', /no w_in direction \(the task has no input\)/);
    assert.match(failures[1] ?? '', /no trial 5: the evaluation batch has 3/);
    assert.match(failures[2] ?? '', /no network for this view/);
    assert.match(failures[3] ?? '', /W has 3 values, expected 256/);
    assert.equal(answers.length, 0);
  });

  it('the channel refuses a kick with a non-finite amplitude or an unknown direction', () => {
    const kick = (request: unknown) => toExplorer.problem({ type: 'kick', key: 'k', seq: 1, request });
    assert.match(kick({ trial: 0, step: 0, direction: 'w_out', amplitude: Number.POSITIVE_INFINITY }) ?? '', /amplitude is not finite/);
    assert.match(kick({ trial: 0, step: 0, direction: 'sideways', amplitude: 1 }) ?? '', /direction is not one of w_out, pc1, pc2, rand, w_in/);
    assert.equal(kick({ trial: 0, step: 0, direction: 'pc2', amplitude: -1 }), undefined);
    const s = setupOf();
    assert.throws(() => decodeExplorerSetup(toEnvelope({ ...s, bases: { pca: new Float64Array(5), readout: null } })), /bases\.pca has 5 values, expected 48/);
    assert.throws(() => decodeExplorerSetup(toEnvelope({ ...s, dt: 2 })), /dt is not in \(0, 1\]/);
  });
});
