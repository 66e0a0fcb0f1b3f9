import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { computeGram } from '../../../src/core/analysis/gram';
import { projectRows } from '../../../src/core/analysis/rowprojection';
import { useBackend } from '../helpers/tf';
import { gramOf, TestRandom } from './fixtures';
import { at } from '../../../src/core/checked';

function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(at(expected, i)));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(at(actual, i) - at(expected, i)));
  return worst / scale;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`analysis/gram on ${backend}`, () => {
    before(() => useBackend(backend));

    it('equals the plain float64 Gram, column sums and centred Gram on small data', async () => {
      const rng = new TestRandom(11);
      const S = 37;
      const N = 9;
      const x = Float32Array.from(rng.normals(S * N), (v, i) => v + (i % N) * 0.5);
      const g = await computeGram(x, S, N);
      assert.ok(maxRelError(g.gram, gramOf(x, S, N)) < 1e-6);
      const sums = new Float64Array(N);
      for (let s = 0; s < S; s++) for (let i = 0; i < N; i++) sums[i] = at(sums, i) + at(x, s * N + i);
      assert.ok(maxRelError(g.colSums, sums) < 1e-12);
      sums.forEach((v, i) => assert.ok(Math.abs(at(g.mean, i) - v / S) < 1e-12));
      const xc = Float64Array.from(x, (v, idx) => v - at(sums, idx % N) / S);
      assert.ok(maxRelError(g.centred, gramOf(xc, S, N)) < 1e-6);
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) assert.equal(g.gram[i * N + j], g.gram[j * N + i]);
    });

    it('hand-checked 3 x 2 case', async () => {
      // X = [[1,2],[3,4],[5,6]]: X^T X = [[35,44],[44,56]], sums (9,12),
      // centred X = [[-2,-2],[0,0],[2,2]] -> [[8,8],[8,8]].
      const g = await computeGram(Float32Array.of(1, 2, 3, 4, 5, 6), 3, 2);
      assert.deepEqual(Array.from(g.gram), [35, 44, 44, 56]);
      assert.deepEqual(Array.from(g.colSums), [9, 12]);
      assert.deepEqual(Array.from(g.centred), [8, 8, 8, 8]);
    });

    it('gives the same result for any block size', async () => {
      const rng = new TestRandom(12);
      const S = 50;
      const N = 6;
      const x = Float32Array.from(rng.normals(S * N));
      const whole = await computeGram(x, S, N);
      const blocks = await computeGram(x, S, N, { blockRows: 7 });
      assert.ok(maxRelError(blocks.gram, whole.gram) < 1e-6);
      assert.ok(maxRelError(blocks.centred, whole.centred) < 1e-6);
    });

    it('keeps the fluctuations exact when the means are large', async () => {
      // mean 1000 per neuron, fluctuations of order 1: a float32 X^T X minus
      // S mean mean^T would have errors of order 1e-7 * 1e6 * S.
      const rng = new TestRandom(13);
      const S = 200;
      const N = 4;
      const dev = rng.normals(S * N);
      const x = Float32Array.from(dev, (v) => 1000 + v);
      const g = await computeGram(x, S, N);
      const x64 = Float64Array.from(x);
      const mean = [0, 1, 2, 3].map((i) => x64.filter((_, idx) => idx % N === i).reduce((a, b) => a + b, 0) / S);
      const xc = Float64Array.from(x64, (v, idx) => v - at(mean, idx % N));
      assert.ok(maxRelError(g.centred, gramOf(xc, S, N)) < 1e-5);
    });

    it('reads a subarray view (states with t >= t_min)', async () => {
      const all = Float32Array.from({ length: 5 * 3 }, (_, i) => i);
      const g = await computeGram(all.subarray(2 * 3), 3, 3);
      assert.ok(maxRelError(g.gram, gramOf(all.subarray(6), 3, 3)) < 1e-7);
    });

    it('leaks no tensors', async () => {
      const before = tf.memory().numTensors;
      await computeGram(Float32Array.from({ length: 300 }, (_, i) => Math.sin(i)), 30, 10, { blockRows: 8 });
      await projectRows(Float32Array.from({ length: 300 }, (_, i) => Math.cos(i)), 30, 10, new Float64Array(30).fill(0.1), 3, new Float64Array(10));
      assert.equal(tf.memory().numTensors, before);
    });

    it('projectRows: (x - shift) . v_j against plain float64, across blocks', async () => {
      const rng = new TestRandom(14);
      const S = 5000; // two blocks of 2^21 / N = 4194 rows at N = 500
      const N = 500;
      const k = 3;
      const x = Float32Array.from(rng.normals(S * N), (v) => v + 3);
      const basis = rng.normals(k * N);
      const shift = Float64Array.from({ length: N }, () => 3);
      const got = await projectRows(x, S, N, basis, k, shift);
      let worst = 0;
      for (const s of [0, 1, 4193, 4194, 4195, S - 1]) {
        for (let j = 0; j < k; j++) {
          let e = 0;
          for (let i = 0; i < N; i++) e += (at(x, s * N + i) - at(shift, i)) * at(basis, j * N + i);
          worst = Math.max(worst, Math.abs(at(got, s * k + j) - e));
        }
      }
      assert.ok(worst < 1e-3, `max error ${worst}`);
    });
  });
}
