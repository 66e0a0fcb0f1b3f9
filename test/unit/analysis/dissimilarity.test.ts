/**
 * Dissimilarity (docs/science.md §4.7): the angular and Euclidean Procrustes distances of
 * ridge_CCA(alpha = 1), checked on cases with a known answer and the nuclear norm
 * against an independent SVD (one-sided Jacobi, written here).
 */
import * as assert from 'node:assert/strict';
import { useBackend } from '../helpers/tf';
import { centreColumns, crossProduct, nuclearNorm, shapeDistance } from '../../../src/core/analysis/dissimilarity';
import { dissimilarityMatrix, type RunStates } from '../../../src/core/analysis/dissimilarity-matrix';
import { randomOrthogonal, TestRandom } from './fixtures';
import { at, entry } from '../../../src/core/checked';

/** Singular values by one-sided Jacobi rotations on the columns (Hestenes), float64. */
function jacobiSingularValues(a: Float64Array, m: number, n: number): number[] {
  const u = Float64Array.from(a);
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < m; i++) {
          const up = at(u, i * n + p), uq = at(u, i * n + q);
          alpha += up * up;
          beta += uq * uq;
          gamma += up * uq;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < m; i++) {
          const up = at(u, i * n + p), uq = at(u, i * n + q);
          u[i * n + p] = c * up - s * uq;
          u[i * n + q] = s * up + c * uq;
        }
      }
    }
    if (off < 1e-14) break;
  }
  return Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += at(u, i * n + j) ** 2;
    return Math.sqrt(s);
  });
}

/** Entry (i, j) of a run-by-run matrix, which must hold a number there. */
function cell(m: readonly (readonly (number | null)[])[], i: number, j: number): number {
  const v = at(at(m, i), j);
  assert.ok(v !== null, `entry (${i}, ${j}) is null`);
  return v;
}

function randomMatrix(rng: TestRandom, rows: number, cols: number, scale = 1): Float64Array {
  return rng.normals(rows * cols, scale);
}

/** Low-dimensional trajectories: S samples of a k-dim latent embedded in N neurons, plus offsets. */
function latentStates(rng: TestRandom, S: number, N: number, k: number): Float64Array {
  const z = randomMatrix(rng, S, k);
  const emb = randomMatrix(rng, k, N);
  const x = new Float64Array(S * N);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < N; i++) {
      let v = 3 + 0.1 * i; // column offsets, removed by the centring
      for (let j = 0; j < k; j++) v += at(z, s * k + j) * at(emb, j * N + i);
      x[s * N + i] = v + 0.05 * rng.normal();
    }
  }
  return x;
}

function matmul(a: Float64Array, m: number, k: number, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) {
    const v = at(a, i * k + t);
    for (let j = 0; j < n; j++) c[i * n + j] = at(c, i * n + j) + v * at(b, t * n + j);
  }
  return c;
}

describe('analysis/dissimilarity: nuclear norm', () => {
  it('equals the sum of singular values from a Jacobi SVD (square, tall and wide)', () => {
    const rng = new TestRandom(11);
    for (const [m, n] of [[20, 20], [30, 12], [9, 25], [1, 7], [6, 1]] as const) {
      const a = randomMatrix(rng, m, n);
      const expected = m >= n ? jacobiSingularValues(a, m, n).reduce((s, v) => s + v, 0) : jacobiSingularValues(transpose(a, m, n), n, m).reduce((s, v) => s + v, 0);
      const got = nuclearNorm(a, m, n);
      assert.ok(Math.abs(got - expected) < 1e-9 * expected, `${m}x${n}: ${got} vs ${expected}`);
    }
  });

  it('of a rank-deficient matrix: only the nonzero singular values count', () => {
    const rng = new TestRandom(12);
    const a = matmul(randomMatrix(rng, 15, 3), 15, 3, randomMatrix(rng, 3, 15), 15);
    const expected = jacobiSingularValues(a, 15, 15).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(nuclearNorm(a, 15, 15) - expected) < 1e-7 * expected);
  });
});

function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = at(a, i * n + j);
  return t;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`analysis/dissimilarity: shape distances (${backend})`, () => {
    before(() => useBackend(backend));
    const S = 400, N = 24;

    it('the cross product of centred states equals a float64 reference', async () => {
      const rng = new TestRandom(21);
      const x = centreColumns(latentStates(rng, S, N, 4), S, N);
      const y = centreColumns(latentStates(rng, S, 16, 3), S, 16);
      const got = await crossProduct(x, y, 64);
      const ref = matmul(transpose(Float64Array.from(x.data), S, N), N, S, Float64Array.from(y.data), 16);
      const scale = Math.max(...ref.map(Math.abs));
      for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(at(got, i) - at(ref, i)) < 1e-5 * scale, `entry ${i}`);
    });

    it('identical states: distance 0', async () => {
      const x = centreColumns(latentStates(new TestRandom(22), S, N, 4), S, N);
      const d = await shapeDistance(x, x);
      assert.ok(d.angular < 2e-3, `angular ${d.angular}`);
      assert.ok(d.euclidean < 2e-3 * Math.sqrt(x.sumSq), `euclidean ${d.euclidean}`);
    });

    it('a rotated copy (any orthogonal map of the neurons, offsets added) has distance 0; a scaled one has angle 0 and Euclidean distance (c - 1)|X|', async () => {
      const rng = new TestRandom(23);
      const raw = latentStates(rng, S, N, 5);
      const q = randomOrthogonal(N, rng);
      const rotated = matmul(raw, S, N, q, N).map((v, i) => v - 7 + (i % N));
      const x = centreColumns(raw, S, N);
      const d = await shapeDistance(x, centreColumns(rotated, S, N));
      assert.ok(d.angular < 2e-3, `angular ${d.angular}`);
      assert.ok(d.euclidean < 2e-3 * Math.sqrt(x.sumSq), `euclidean ${d.euclidean}`);
      const scaled = await shapeDistance(x, centreColumns(raw.map((v) => 3 * v), S, N));
      assert.ok(scaled.angular < 2e-3);
      assert.ok(Math.abs(scaled.euclidean - 2 * Math.sqrt(x.sumSq)) < 1e-4 * Math.sqrt(x.sumSq), `euclidean ${scaled.euclidean}`);
    });

    it('one neuron each: arccos |Pearson r|', async () => {
      const rng = new TestRandom(24);
      const a = rng.normals(S);
      const b = a.map((v) => -0.6 * v + 0.8 * rng.normal() + 2);
      const ma = a.reduce((s, v) => s + v, 0) / S, mb = b.reduce((s, v) => s + v, 0) / S;
      let sab = 0, saa = 0, sbb = 0;
      for (let i = 0; i < S; i++) {
        sab += (at(a, i) - ma) * (at(b, i) - mb);
        saa += (at(a, i) - ma) ** 2;
        sbb += (at(b, i) - mb) ** 2;
      }
      const r = sab / Math.sqrt(saa * sbb);
      const d = await shapeDistance(centreColumns(a, S, 1), centreColumns(b, S, 1));
      assert.ok(Math.abs(d.angular - Math.acos(Math.abs(r))) < 1e-5, `${d.angular} vs ${Math.acos(Math.abs(r))}`);
      assert.ok(Math.abs(d.euclidean ** 2 - (saa + sbb - 2 * Math.abs(sab))) < 1e-4 * (saa + sbb));
    });

    it('orthogonal subspaces: pi/2; the angle and the Euclidean distance agree with ridge_CCA\'s formulas on random data', async () => {
      const rng = new TestRandom(25);
      // X lives on neurons 0-1, Y on neurons 2-3, with uncorrelated latents: X~^T Y~ is about 0
      const zx = rng.normals(S * 2), zy = rng.normals(S * 2);
      const x = new Float64Array(S * 4), y = new Float64Array(S * 4);
      for (let s = 0; s < S; s++) {
        x[s * 4] = at(zx, 2 * s); x[s * 4 + 1] = at(zx, 2 * s + 1);
        y[s * 4 + 2] = at(zy, 2 * s); y[s * 4 + 3] = at(zy, 2 * s + 1);
      }
      const cx = centreColumns(x, S, 4), cy = centreColumns(y, S, 4);
      const d = await shapeDistance(cx, cy);
      // independent latents leave a sample correlation of order 1/sqrt(S)
      assert.ok(d.angular > Math.PI / 2 - 0.15, `angular ${d.angular}`);
      const nuc = jacobiSingularValues(matmul(transpose(Float64Array.from(cx.data), S, 4), 4, S, Float64Array.from(cy.data), 4), 4, 4).reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(d.angular - Math.acos(nuc / Math.sqrt(cx.sumSq * cy.sumSq))) < 1e-6);
      assert.ok(Math.abs(d.euclidean - Math.sqrt(cx.sumSq + cy.sumSq - 2 * nuc)) < 1e-6 * Math.sqrt(cx.sumSq));
    });

    it('the matrix over runs: within and between groups, and pairs on other trials left out with the reason', async () => {
      const rng = new TestRandom(26);
      const T = 30, B = 4, Nn = 10, kMin = 10;
      const run = (name: string, group: string, batchKey = 'k'): RunStates => ({
        name, group, batchKey, T, B, N: Nn, kMin,
        states: Float32Array.from(latentStates(rng, T * B, Nn, 3)),
      });
      const runs = [run('a-s0', 'a'), run('a-s1', 'a'), run('b-s0', 'b'), run('b-s1', 'b'), run('c-s0', 'c', 'other')];
      const res = await dissimilarityMatrix(runs);
      assert.deepEqual(res.runs, ['a-s0', 'a-s1', 'b-s0', 'b-s1', 'c-s0']);
      assert.deepEqual(res.groups, ['a', 'a', 'b', 'b', 'c']);
      for (let i = 0; i < 5; i++) assert.equal(at(res.matrix, i)[i], 0);
      // each entry is the shape distance of the tails (k >= kMin) of the two runs
      const tail = (r: RunStates) => centreColumns(r.states.subarray(kMin * B * Nn), (T - kMin) * B, Nn);
      const d01 = await shapeDistance(tail(at(runs, 0)), tail(at(runs, 1)));
      assert.ok(Math.abs(cell(res.matrix, 0, 1) - d01.angular) < 1e-12 && at(res.matrix, 1)[0] === at(res.matrix, 0)[1]);
      assert.ok(Math.abs(cell(res.euclidean, 0, 1) - d01.euclidean) < 1e-12);
      assert.deepEqual(res.within.a, { mean: at(res.matrix, 0)[1], sd: null, pairs: 1 });
      const between = [cell(res.matrix, 0, 2), cell(res.matrix, 0, 3), cell(res.matrix, 1, 2), cell(res.matrix, 1, 3)];
      const mean = between.reduce((s, v) => s + v, 0) / 4;
      const ab = entry(res.between, 'a|b');
      assert.ok(ab.mean !== null && Math.abs(ab.mean - mean) < 1e-12);
      assert.equal(ab.pairs, 4);
      assert.ok(ab.sd !== null && Math.abs(ab.sd - Math.sqrt(between.reduce((s, v) => s + (v - mean) ** 2, 0) / 3)) < 1e-12);
      // run c was evaluated on other trials
      assert.equal(at(res.matrix, 0)[4], null);
      assert.equal(res.incomparable.length, 4);
      assert.match(at(res.incomparable, 0).reason, /different trials/);
      assert.equal(res.within.c, undefined);
      assert.equal(res.between['a|c'], undefined);
    });
  });
}
