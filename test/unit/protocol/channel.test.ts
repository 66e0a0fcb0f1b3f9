import * as assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Channel } from '../../../src/protocol/channel';
import { portOf } from '../helpers/port';
import { messageValidator } from '../../../src/protocol/check';

type Ping = { type: 'ping'; n: number } | { type: 'data'; buffer: ArrayBuffer };
const ping = messageValidator<Ping>({
  ping: (c, m) => c.count(m.n, 'n'),
  data: (c, m) => (m.buffer instanceof ArrayBuffer ? undefined : c.fail('buffer', 'is not an ArrayBuffer')),
});

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('typed channel', () => {
  let a: Channel<Ping, Ping>;
  let b: Channel<Ping, Ping>;
  let raw: MessagePort;
  let problems: string[];
  beforeEach(() => {
    const mc = new MessageChannel();
    problems = [];
    a = new Channel<Ping, Ping>(portOf(mc.port1), ping, (why) => problems.push(`a: ${why}`));
    b = new Channel<Ping, Ping>(portOf(mc.port2), ping, (why) => problems.push(`b: ${why}`));
    raw = mc.port1;
  });
  afterEach(() => {
    a.close();
    b.close();
    raw.close();
  });

  it('routes checked messages by type, and to catch-all handlers', async () => {
    const pings: number[] = [];
    const all: string[] = [];
    b.on('ping', (m) => pings.push(m.n));
    b.onAny((m) => all.push(m.type));
    a.send({ type: 'ping', n: 1 });
    a.send({ type: 'ping', n: 2 });
    await tick();
    assert.deepEqual(pings, [1, 2]);
    assert.deepEqual(all, ['ping', 'ping']);
    assert.deepEqual(problems, []);
  });

  it('transfers buffers: the sender keeps a detached one', async () => {
    let got: ArrayBuffer | undefined;
    b.on('data', (m) => (got = m.buffer));
    const buffer = new Float32Array([1, 2, 3]).buffer;
    a.send({ type: 'data', buffer }, [buffer]);
    assert.equal(buffer.byteLength, 0, 'detached on send');
    await tick();
    assert.ok(got, 'received');
    assert.deepEqual([...new Float32Array(got)], [1, 2, 3]);
  });

  it('refuses what fails its check before any handler sees it, and counts it', async () => {
    const seen: unknown[] = [];
    b.onAny((m) => seen.push(m));
    raw.postMessage({ type: 'ping', n: -1 });
    raw.postMessage({ type: 'pong' });
    raw.postMessage('ping');
    await tick();
    assert.deepEqual(seen, []);
    assert.equal(b.refused, 3);
    assert.deepEqual(problems, ['b: ping: n is not a whole number >= 0', 'b: unknown message type "pong"', 'b: the message is not an object']);
  });

  it("reports a handler's exception and still calls the other handlers", async () => {
    const after: number[] = [];
    b.on('ping', () => {
      throw new Error('boom');
    });
    b.on('ping', (m) => after.push(m.n));
    a.send({ type: 'ping', n: 7 });
    await tick();
    assert.deepEqual(problems, ['b: ping failed: boom']);
    assert.deepEqual(after, [7]);
  });

  it('a removed handler hears nothing; a closed channel neither sends nor receives', async () => {
    const pings: number[] = [];
    const off = b.on('ping', (m) => pings.push(m.n));
    a.send({ type: 'ping', n: 1 });
    await tick();
    off();
    a.send({ type: 'ping', n: 2 });
    await tick();
    const later: number[] = [];
    b.onAny((m) => m.type === 'ping' && later.push(m.n));
    b.close();
    a.send({ type: 'ping', n: 3 });
    b.send({ type: 'ping', n: 4 });
    await tick();
    assert.deepEqual(pings, [1]);
    assert.deepEqual(later, []);
  });
});
