/**
 * Ridge with leave-one-out alpha (the authors' RidgeCV, docs/science.md §4.9), checked
 * against brute force: refitting without each sample, and plain least squares as alpha -> 0.
 */
import * as assert from 'node:assert/strict';
import { eigenDesign, neuronCoefficients, ridgeCV, ridgePrefixes, RIDGE_ALPHAS } from '../../../src/core/recording/ridge';
import { TestRandom } from '../analysis/fixtures';
import { at } from '../../../src/core/checked';

/** Solves the small dense system a x = b (Gaussian elimination with pivoting), b with m columns. */
function solve(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = at(b, 0).length;
  const A = a.map((r, i) => [...r, ...at(b, i)]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(at(at(A, r), c)) > Math.abs(at(at(A, p), c))) p = r;
    [A[c], A[p]] = [at(A, p), at(A, c)];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = at(at(A, r), c) / at(at(A, c), c);
      for (let k = c; k < n + m; k++) at(A, r)[k] = at(at(A, r), k) - f * at(at(A, c), k);
    }
  }
  return A.map((r, i) => r.slice(n).map((v) => v / at(at(A, i), i)));
}

/** Ridge with an unpenalised intercept on rows `rows`: centre on them, solve (X^T X + alpha I) w = X^T y. */
function ridgeFit(x: number[][], y: number[][], rows: number[], alpha: number) {
  const n = at(x, 0).length, d = at(y, 0).length;
  const mx = Array.from({ length: n }, (_, j) => rows.reduce((s, r) => s + at(at(x, r), j), 0) / rows.length);
  const my = Array.from({ length: d }, (_, o) => rows.reduce((s, r) => s + at(at(y, r), o), 0) / rows.length);
  const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => rows.reduce((s, r) => s + (at(at(x, r), i) - at(mx, i)) * (at(at(x, r), j) - at(mx, j)), 0) + (i === j ? alpha : 0)));
  const b = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, o) => rows.reduce((s, r) => s + (at(at(x, r), i) - at(mx, i)) * (at(at(y, r), o) - at(my, o)), 0)));
  const w = solve(a, b); // n x d
  return (row: number[]) => Array.from({ length: d }, (_, o) => at(my, o) + row.reduce((s, v, i) => s + (v - at(mx, i)) * at(at(w, i), o), 0));
}

function dataset(seed: number, S: number, n: number, d: number) {
  const rng = new TestRandom(seed);
  const x = Array.from({ length: S }, () => Array.from({ length: n }, (_, j) => (j + 1) * rng.normal() + 2));
  const w = Array.from({ length: d }, () => Array.from({ length: n }, () => rng.normal()));
  const y = x.map((r) => w.map((wo) => r.reduce((s, v, j) => s + v * at(wo, j), 0) + 3 * rng.normal() + 5));
  // the analysis centres its inputs; so do we for the design
  const centre = (m: number[][]) => {
    const k = at(m, 0).length;
    const mean = Array.from({ length: k }, (_, j) => m.reduce((s, r) => s + at(r, j), 0) / m.length);
    return m.map((r) => r.map((v, j) => v - at(mean, j)));
  };
  return { x: centre(x), y: centre(y) };
}

describe('recording/ridge (RidgeCV with leave-one-out alpha)', () => {
  it('the LOO errors equal refitting without each sample, for every alpha', () => {
    const S = 14, n = 3, d = 2;
    const { x, y } = dataset(1, S, n, d);
    const design = eigenDesign(x.flat(), S, n);
    const fit = ridgeCV(design, Float64Array.from(y.flat()), d);
    RIDGE_ALPHAS.forEach((alpha, a) => {
      let e = 0;
      for (let i = 0; i < S; i++) {
        const rows = Array.from({ length: S }, (_, r) => r).filter((r) => r !== i);
        const pred = ridgeFit(x, y, rows, alpha)(at(x, i));
        for (let o = 0; o < d; o++) e += (at(at(y, i), o) - at(pred, o)) ** 2;
      }
      e /= S * d;
      assert.ok(Math.abs(at(fit.looErrors, a) - e) < 1e-9 * e, `alpha ${alpha}: ${fit.looErrors[a]} vs ${e}`);
    });
    // the chosen alpha is the first with the smallest error
    const min = Math.min(...fit.looErrors);
    assert.equal(fit.alpha, RIDGE_ALPHAS[fit.looErrors.indexOf(min)]);
  });

  it('as alpha -> 0 the coefficients are least squares; R^2 is the mean over outputs', () => {
    const S = 40, n = 4, d = 2;
    const { x, y } = dataset(2, S, n, d);
    const design = eigenDesign(x.flat(), S, n);
    const fit = ridgeCV(design, Float64Array.from(y.flat()), d, [1e-10]);
    const w = neuronCoefficients(design, fit, d);
    const ls = solve(
      Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => x.reduce((s, r) => s + at(r, i) * at(r, j), 0))),
      Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, o) => x.reduce((s, r, k) => s + at(r, i) * at(at(y, k), o), 0))),
    );
    for (let o = 0; o < d; o++) for (let i = 0; i < n; i++) assert.ok(Math.abs(at(w, o * n + i) - at(at(ls, i), o)) < 1e-8, `w[${o}][${i}]`);
    const r2 = Array.from({ length: d }, (_, o) => {
      let res = 0, tot = 0;
      x.forEach((r, k) => {
        const pred = r.reduce((s, v, i) => s + v * at(at(ls, i), o), 0);
        res += (at(at(y, k), o) - pred) ** 2;
        tot += at(at(y, k), o) ** 2;
      });
      return 1 - res / tot;
    });
    assert.ok(Math.abs(fit.r2 - (at(r2, 0) + at(r2, 1)) / 2) < 1e-10);
  });

  it('the fit on the first k components equals RidgeCV on X projected on its first k principal axes', () => {
    const S = 30, n = 5, d = 1;
    const { x, y } = dataset(3, S, n, d);
    const design = eigenDesign(x.flat(), S, n);
    const yy = Float64Array.from(y.flat());
    const byK: number[] = [];
    ridgePrefixes(design, yy, d, (k, fit) => {
      // X_k = X V_k, its own eigen design and RidgeCV
      const xk = x.map((r) => Array.from({ length: k }, (_, j) => r.reduce((s, v, i) => s + v * at(design.vectors, j * n + i), 0)));
      const own = ridgeCV(eigenDesign(xk.flat(), S, k), yy, d);
      assert.equal(fit.alpha, own.alpha, `k ${k}`);
      assert.ok(Math.abs(fit.r2 - own.r2) < 1e-9, `k ${k}: ${fit.r2} vs ${own.r2}`);
      byK.push(fit.r2);
    });
    assert.equal(byK.length, n);
    assert.ok(Math.abs(at(byK, n - 1) - ridgeCV(design, yy, d).r2) < 1e-12);
  });

  it('one pass over the samples (ridgeCV) equals the prefix path bit for bit and the direct solve for every alpha', () => {
    for (const [seed, S, n, d] of [[4, 9, 4, 1], [5, 25, 6, 3], [6, 40, 8, 2]] as const) {
      const { x, y } = dataset(seed, S, n, d);
      const yy = Float64Array.from(y.flat());
      for (const withXty of [false, true]) {
        const design = eigenDesign(x.flat(), S, n);
        if (withXty) design.xty = Float64Array.from({ length: n * d }, (_, k) => x.reduce((s, r, i) => s + at(r, Math.floor(k / d)) * at(at(y, i), k % d), 0));
        const fast = ridgeCV(design, yy, d);
        let last: ReturnType<typeof ridgeCV> | undefined;
        ridgePrefixes(design, yy, d, (_k, fit) => {
          last = fit;
        });
        assert.deepEqual(fast, last, `S ${S}, n ${n}, d ${d}, xty ${withXty}`);
        // every alpha: the LOO errors of refits without each sample, and the coefficients of (X^T X + alpha I) w = X^T y
        RIDGE_ALPHAS.forEach((alpha, a) => {
          let e = 0;
          for (let i = 0; i < S; i++) {
            const pred = ridgeFit(x, y, Array.from({ length: S }, (_, r) => r).filter((r) => r !== i), alpha)(at(x, i));
            for (let o = 0; o < d; o++) e += (at(at(y, i), o) - at(pred, o)) ** 2;
          }
          e /= S * d;
          assert.ok(Math.abs(at(fast.looErrors, a) - e) < 1e-9 * e, `S ${S} alpha ${alpha}: ${fast.looErrors[a]} vs ${e}`);
        });
        const w = neuronCoefficients(design, fast, d);
        const direct = solve(
          Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => x.reduce((s, r) => s + at(r, i) * at(r, j), 0) + (i === j ? fast.alpha : 0))),
          Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, o) => x.reduce((s, r, k) => s + at(r, i) * at(at(y, k), o), 0))),
        );
        for (let o = 0; o < d; o++) for (let i = 0; i < n; i++) assert.ok(Math.abs(at(w, o * n + i) - at(at(direct, i), o)) < 1e-9 * (1 + Math.abs(at(at(direct, i), o))), `w[${o}][${i}]`);
      }
    }
  });

  it('fewer samples than regressors: still the prefix path bit for bit', () => {
    const S = 6, n = 9, d = 2;
    const { x, y } = dataset(7, S, n, d);
    const design = eigenDesign(x.flat(), S, n);
    const yy = Float64Array.from(y.flat());
    let last: ReturnType<typeof ridgeCV> | undefined;
    ridgePrefixes(design, yy, d, (_k, fit) => {
      last = fit;
    });
    assert.deepEqual(ridgeCV(design, yy, d), last);
  });
});
