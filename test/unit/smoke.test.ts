import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './helpers/tf';

describe('tfjs backends in Node', () => {
  for (const b of ['cpu', 'wasm'] as const) {
    it(`${b}: matMul`, async () => {
      await useBackend(b);
      const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
      assert.deepEqual(Array.from(await y.data()), [17, 39]);
      y.dispose();
    });
  }
});
