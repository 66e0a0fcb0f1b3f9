import * as assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors } from '../../src/core/safetensors';
import { fromEnvelope, toEnvelope, treeFromSafetensors, treeToSafetensors } from '../../src/core/pack';
import { entry } from '../../src/core/checked';

const sample = () => ({
  name: 'run',
  rho: 0.5,
  undefinedFit: NaN,
  big: Infinity,
  nested: { a: Float32Array.from([1, 2, 3]), b: [Int32Array.from([4, -5]), { c: Float64Array.from([Math.PI]) }] },
  empty: new Float32Array(0),
});

describe('safetensors and packed trees', () => {
  it('round-trips named arrays through the safetensors layout', () => {
    const bytes = encodeSafetensors({ W: { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] }, c: { data: Int32Array.from([7]), shape: [1] } }, { note: 'x' });
    // header length, JSON header, data 8-byte aligned
    const len = new DataView(bytes.buffer).getUint32(0, true);
    assert.equal((8 + len) % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
    assert.deepEqual(header.W, { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    const { arrays, metadata } = decodeSafetensors(bytes);
    assert.deepEqual(Array.from(entry(arrays, 'W').data), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(entry(arrays, 'W').shape, [2, 3]);
    assert.deepEqual(Array.from(entry(arrays, 'c').data), [7]);
    assert.equal(metadata.note, 'x');
  });

  it('refuses truncated and malformed files with a clear error', () => {
    const bytes = encodeSafetensors({ W: { data: new Float32Array(10), shape: [10] } });
    assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4)), /truncated/);
    assert.throws(() => decodeSafetensors(new Uint8Array(4)), /shorter/);
    const bad = bytes.slice();
    bad[8] = 'x'.charCodeAt(0);
    assert.throws(() => decodeSafetensors(bad), /not JSON/);
    assert.throws(() => encodeSafetensors({ W: { data: new Float32Array(5), shape: [2, 3] } }), /holds 6 values/);
  });

  it('round-trips a tree through an envelope (one buffer) and through a file', () => {
    for (const back of [fromEnvelope<ReturnType<typeof sample>>(toEnvelope(sample())), treeFromSafetensors<ReturnType<typeof sample>>(treeToSafetensors(sample()))]) {
      assert.equal(back.name, 'run');
      assert.ok(Number.isNaN(back.undefinedFit));
      assert.equal(back.big, Infinity);
      assert.ok(back.nested.a instanceof Float32Array);
      assert.deepEqual(Array.from(back.nested.a), [1, 2, 3]);
      assert.ok(back.nested.b[0] instanceof Int32Array);
      assert.deepEqual(Array.from(back.nested.b[0] as Int32Array), [4, -5]);
      assert.equal((back.nested.b[1] as { c: Float64Array }).c[0], Math.PI);
      assert.equal(back.empty.length, 0);
    }
    assert.ok(toEnvelope(sample()).buffer instanceof ArrayBuffer);
  });
});
