import * as assert from 'node:assert/strict';
import { cholesky, orthonormalRows, solveSymmetric, symmetricEigen } from '../../../src/core/analysis/linalg';
import { topEigen } from '../../../src/core/analysis/topeigen';
import { fromSpectrum, near, randomOrthogonal, TestRandom, timesTranspose } from './fixtures';
import { at } from '../../../src/core/checked';

/** max over j of 1 - |<u_j, v_j>| for unit rows: 0 when the rows agree up to sign. */
function vectorMismatch(u: Float64Array, v: Float64Array, k: number, n: number): number {
  let worst = 0;
  for (let j = 0; j < k; j++) {
    let d = 0;
    for (let i = 0; i < n; i++) d += at(u, j * n + i) * at(v, j * n + i);
    worst = Math.max(worst, 1 - Math.abs(d));
  }
  return worst;
}

/** max_ij |(A V^T - V^T diag(values))_ij| for eigenvectors as rows of V. */
function residual(a: Float64Array, values: Float64Array, vectors: Float64Array, n: number): number {
  let worst = 0;
  for (let j = 0; j < values.length; j++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += at(a, r * n + c) * at(vectors, j * n + c);
      worst = Math.max(worst, Math.abs(s - at(values, j) * at(vectors, j * n + r)));
    }
  }
  return worst;
}

describe('analysis/linalg: symmetric eigendecomposition', () => {
  it('recovers a random orthogonal Q diag(lambda) Q^T (n = 40, mixed signs)', () => {
    const rng = new TestRandom(1);
    const n = 40;
    const q = randomOrthogonal(n, rng);
    const lambda = Array.from({ length: n }, (_, j) => 10 - j * 0.5 - 0.001 * j * j);
    const a = fromSpectrum(q, lambda, n);
    const e = symmetricEigen(a, n);
    const sorted = [...lambda].sort((x, y) => y - x);
    sorted.forEach((l, j) => assert.ok(near(at(e.values, j), l, 1e-12, 1e-12), `lambda_${j}: ${e.values[j]} vs ${l}`));
    // lambda is decreasing in j here, so the eigenvectors come back in the order of q's rows.
    assert.ok(vectorMismatch(e.vectors, q, n, n) < 1e-12);
    const vvt = timesTranspose(e.vectors, n, e.vectors, n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) assert.ok(Math.abs(at(vvt, i * n + j) - (i === j ? 1 : 0)) < 1e-12);
    }
  });

  it('handles repeated eigenvalues: spans the eigenspace, stays orthonormal', () => {
    const rng = new TestRandom(2);
    const n = 12;
    const q = randomOrthogonal(n, rng);
    const lambda = [5, 5, 5, 2, 2, 1, 1, 1, 1, 0, 0, 0];
    const a = fromSpectrum(q, lambda, n);
    const e = symmetricEigen(a, n);
    lambda.forEach((l, j) => assert.ok(Math.abs(at(e.values, j) - l) < 1e-12));
    assert.ok(residual(a, e.values, e.vectors, n) < 1e-12);
    // The projector on the lambda = 5 eigenspace is basis independent.
    const p1 = fromSpectrum(e.vectors, [1, 1, 1], n);
    const p2 = fromSpectrum(q, [1, 1, 1], n);
    for (let i = 0; i < n * n; i++) assert.ok(Math.abs(at(p1, i) - at(p2, i)) < 1e-12);
    const vvt = timesTranspose(e.vectors, n, e.vectors, n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) assert.ok(Math.abs(at(vvt, i * n + j) - (i === j ? 1 : 0)) < 1e-12);
    }
  });

  it('n = 1 and the identity', () => {
    const one = symmetricEigen(Float64Array.of(-3.5), 1);
    assert.deepEqual(Array.from(one.values), [-3.5]);
    assert.deepEqual(Array.from(one.vectors), [1]);
    const id = symmetricEigen(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), 3);
    assert.deepEqual(Array.from(id.values), [1, 1, 1]);
    assert.ok(residual(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), id.values, id.vectors, 3) < 1e-15);
  });

  it('n = 2 closed form: [[2,1],[1,2]] has 3 along (1,1)/sqrt2 and 1 along (1,-1)/sqrt2', () => {
    const e = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    assert.ok(Math.abs(at(e.values, 0) - 3) < 1e-15 && Math.abs(at(e.values, 1) - 1) < 1e-15);
    const h = Math.SQRT1_2;
    assert.ok(vectorMismatch(e.vectors, Float64Array.of(h, h, h, -h), 2, 2) < 1e-15);
  });

  it('n = 2 with a zero off-diagonal keeps the diagonal order descending', () => {
    const e = symmetricEigen(Float64Array.of(-1, 0, 0, 4), 2);
    assert.deepEqual(Array.from(e.values), [4, -1]);
    assert.deepEqual(Array.from(e.vectors), [0, 1, 1, 0]);
  });

  it('fixes signs: the largest entry of every eigenvector is positive', () => {
    const rng = new TestRandom(3);
    const n = 10;
    const a = fromSpectrum(randomOrthogonal(n, rng), Array.from({ length: n }, (_, j) => n - j), n);
    const e = symmetricEigen(a, n);
    for (let j = 0; j < n; j++) {
      const row = Array.from(e.vectors.subarray(j * n, j * n + n));
      const big = row.reduce((b, v, i) => (Math.abs(v) > Math.abs(at(row, b)) ? i : b), 0);
      assert.ok(at(row, big) > 0);
    }
  });

  // About 0.45 s on an idle 2-vCPU machine; the bound leaves room for a loaded shared
  // machine and still catches a gross regression (e.g. an extra factor of n).
  // Accuracy only: a time bound would fail on a busy machine (speed belongs in a benchmark).
  it('is accurate at N = 512', function () {
    this.timeout(120000);
    const rng = new TestRandom(4);
    const n = 512;
    const x = rng.normals(n * 600);
    const a = new Float64Array(n * n);
    for (let s = 0; s < 600; s++) {
      for (let i = 0; i < n; i++) {
        // plain reads in this 157M-step loop: at() here would take longer than the test's timeout
        const xi = x[s * n + i] ?? 0;
        for (let j = 0; j < n; j++) a[i * n + j] = (a[i * n + j] ?? 0) + xi * (x[s * n + j] ?? 0);
      }
    }
    const e = symmetricEigen(a, n);
    const checks = Float64Array.from([0, 1, 255, 511], (j) => j);
    for (const j of checks) {
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += at(a, r * n + c) * at(e.vectors, j * n + c);
        assert.ok(Math.abs(s - at(e.values, j) * at(e.vectors, j * n + r)) < 1e-9 * at(e.values, 0));
      }
    }
  });
});

describe('analysis/topeigen: leading eigenvectors by subspace iteration', () => {
  const n = 200;
  const rng = new TestRandom(5);
  const q = randomOrthogonal(n, rng);

  it('matches the full decomposition on a decaying spectrum', () => {
    const lambda = Array.from({ length: n }, (_, j) => Math.exp(-j / 4));
    const a = fromSpectrum(q, lambda, n);
    const top = topEigen(a, n, 3);
    lambda.slice(0, 3).forEach((l, j) => assert.ok(near(at(top.values, j), l, 1e-10)));
    assert.ok(vectorMismatch(top.vectors, q, 3, n) < 1e-10);
  });

  it('is exact on a rank-2 matrix (a rank-deficient block)', () => {
    const a = fromSpectrum(q, [7, 3], n);
    const top = topEigen(a, n, 2);
    assert.ok(near(at(top.values, 0), 7, 1e-12) && near(at(top.values, 1), 3, 1e-12));
    assert.ok(vectorMismatch(top.vectors, q, 2, n) < 1e-12);
  });

  it('on a flat spectrum (no convergence) falls back to the exact answer', () => {
    const lambda = Array.from({ length: n }, (_, j) => 2 - j * 1e-4);
    const a = fromSpectrum(q, lambda, n);
    const top = topEigen(a, n, 2);
    assert.ok(near(at(top.values, 0), 2, 1e-12) && near(at(top.values, 1), 2 - 1e-4, 1e-12));
    assert.ok(residual(a, top.values, top.vectors, n) < 1e-10);
  });

  it('a repeated top eigenvalue: any orthonormal basis of its eigenspace', () => {
    const a = fromSpectrum(q, [4, 4, 1, 0.5, 0.25], n);
    const top = topEigen(a, n, 2);
    assert.ok(near(at(top.values, 0), 4, 1e-10) && near(at(top.values, 1), 4, 1e-10));
    assert.ok(residual(a, top.values, top.vectors, n) < 1e-9);
    const p1 = fromSpectrum(top.vectors, [1, 1], n);
    const p2 = fromSpectrum(q, [1, 1], n);
    for (let i = 0; i < n * n; i++) assert.ok(Math.abs(at(p1, i) - at(p2, i)) < 1e-9);
  });

  it('small n goes straight to the full decomposition', () => {
    const e = topEigen(Float64Array.of(2, 1, 1, 2), 2, 1);
    assert.equal(e.values.length, 1);
    assert.ok(Math.abs(at(e.values, 0) - 3) < 1e-15);
    assert.equal(e.vectors.length, 2);
  });
});

describe('analysis/linalg: small solvers', () => {
  it('Cholesky of a hand-made SPD matrix, undefined for a singular one', () => {
    // [[4,2],[2,5]] = L L^T with L = [[2,0],[1,2]]
    assert.deepEqual(Array.from(cholesky(Float64Array.of(4, 2, 2, 5), 2) ?? []), [2, 0, 1, 2]);
    assert.equal(cholesky(Float64Array.of(1, 1, 1, 1), 2), undefined);
  });

  it('solves SPD systems with several right-hand sides', () => {
    // [[4,2],[2,5]] x = b with x = [[1, -2], [3, 0.5]] -> b = [[10, -7], [17, -1.5]]
    const x = solveSymmetric(Float64Array.of(4, 2, 2, 5), 2, Float64Array.of(10, -7, 17, -1.5), 2);
    [1, -2, 3, 0.5].forEach((v, i) => assert.ok(Math.abs(at(x, i) - v) < 1e-14));
  });

  it('gives the minimum-norm solution for a singular system', () => {
    // diag(2, 0): x = (b0/2, 0) whatever b1 is (b1 is outside the range).
    const x = solveSymmetric(Float64Array.of(2, 0, 0, 0), 2, Float64Array.of(3, 0), 1);
    assert.ok(Math.abs(at(x, 0) - 1.5) < 1e-15 && x[1] === 0);
    // [[1,1],[1,1]] x = [2,2]: minimum-norm solution (1, 1).
    const y = solveSymmetric(Float64Array.of(1, 1, 1, 1), 2, Float64Array.of(2, 2), 1);
    assert.ok(Math.abs(at(y, 0) - 1) < 1e-14 && Math.abs(at(y, 1) - 1) < 1e-14);
  });

  it('orthonormalises rows and drops dependent ones', () => {
    const basis = orthonormalRows(Float64Array.of(3, 4, 0, 6, 8, 0, 0, 0, 2), 3, 3);
    assert.equal(basis.length, 2);
    assert.deepEqual(Array.from(at(basis, 0)), [0.6, 0.8, 0]);
    assert.deepEqual(Array.from(at(basis, 1)), [0, 0, 1]);
  });
});
