import * as assert from 'node:assert/strict';
import { fittingDimension, participationRatio, varianceDimension } from '../../../src/core/analysis/dimensions';
import { dctSignal, TestRandom } from './fixtures';
import { at } from '../../../src/core/checked';

describe('analysis/dimensions: D_x and participation ratio (docs/science.md §4.3)', () => {
  it('D_x is the first k whose cumulative ratio exceeds the threshold strictly', () => {
    assert.equal(varianceDimension([0.6, 0.25, 0.1, 0.05]), 3); // 0.6, 0.85, 0.95
    assert.equal(varianceDimension([0.95, 0.05]), 1);
    // dyadic ratios, exact sums: reaching the threshold is not enough
    assert.equal(varianceDimension([0.5, 0.25, 0.125, 0.125], 0.875), 4);
    assert.ok(Number.isNaN(varianceDimension([0, 0, 0])));
  });

  it('participation ratio of known spectra', () => {
    assert.equal(participationRatio([1, 1, 1, 1, 1]), 5);
    assert.equal(participationRatio([2, 2, 0, 0]), 2);
    assert.ok(Math.abs(participationRatio([3, 1]) - 1.6) < 1e-15); // 16 / 10
    assert.equal(participationRatio([0, 0]), 0);
  });
});

/** Least squares with an intercept column by Gaussian elimination on the uncentred normal equations. */
function referenceFit(features: number[][], targets: number[][]): number[][] {
  const p = at(features, 0).length + 1;
  const d = at(targets, 0).length;
  const a = Array.from({ length: p }, () => new Array<number>(p + d).fill(0));
  features.forEach((f, s) => {
    const row = [1, ...f];
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) at(a, i)[j] = at(at(a, i), j) + at(row, i) * at(row, j);
      for (let o = 0; o < d; o++) at(a, i)[p + o] = at(at(a, i), p + o) + at(row, i) * at(at(targets, s), o);
    }
  });
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(at(at(a, r), c)) > Math.abs(at(at(a, piv), c))) piv = r;
    [a[c], a[piv]] = [at(a, piv), at(a, c)];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = at(at(a, r), c) / at(at(a, c), c);
      for (let j = c; j < p + d; j++) at(a, r)[j] = at(at(a, r), j) - f * at(at(a, c), j);
    }
  }
  return a.map((row, i) => row.slice(p).map((v) => v / at(at(a, i), i)));
}

describe('analysis/dimensions: D_fit (docs/science.md §4.4)', () => {
  const T = 40;
  const B = 8;
  const kMax = 4;

  /** scores (k*B+b)*kMax + j: DCT signals, exactly uncorrelated over all samples */
  const scores = new Float64Array(T * B * kMax);
  for (let s = 0; s < T * B; s++) {
    for (let j = 0; j < kMax; j++) scores[s * kMax + j] = (4 - j) * dctSignal(j + 1, s, T * B);
  }

  it('output along PC 3 only: R^2 jumps to 1 at k = 3, D_fit = 3', () => {
    const outputs = Float64Array.from({ length: T * B }, (_, s) => 1.5 - 2 * at(scores, s * kMax + 2));
    const fit = fittingDimension({ scores, kMax, outputs, T, B, dOut: 1 });
    assert.equal(fit.dfit, 3);
    assert.ok(at(fit.r2, 0) < 0.1 && at(fit.r2, 1) < 0.1, `r2 = ${Array.from(fit.r2)}`);
    assert.ok(Math.abs(at(fit.r2, 2) - 1) < 1e-12 && Math.abs(at(fit.r2, 3) - 1) < 1e-12);
  });

  it('output along PC 1: D_fit = 1', () => {
    const outputs = Float64Array.from({ length: T * B }, (_, s) => 0.7 * at(scores, s * kMax));
    const fit = fittingDimension({ scores, kMax, outputs, T, B, dOut: 1 });
    assert.equal(fit.dfit, 1);
    assert.ok(Math.abs(at(fit.r2, 0) - 1) < 1e-12);
  });

  it('pools R^2 over outputs: PC1 and PC2 outputs of equal variance give R^2_1 about 1/2', () => {
    const outputs = new Float64Array(T * B * 2);
    for (let s = 0; s < T * B; s++) {
      outputs[s * 2] = at(scores, s * kMax) / 4; // amplitude 1
      outputs[s * 2 + 1] = at(scores, s * kMax + 1) / 3; // amplitude 1
    }
    const fit = fittingDimension({ scores, kMax, outputs, T, B, dOut: 2 });
    assert.ok(Math.abs(at(fit.r2, 0) - 0.5) < 0.05, `R^2_1 = ${fit.r2[0]}`);
    assert.equal(fit.dfit, 2);
  });

  it('equals an independent least-squares fit on the first 3/4 of the trials (random data)', () => {
    const rng = new TestRandom(41);
    const Tn = 9;
    const Bn = 8; // 6 training trials
    const k = 3;
    const sc = rng.normals(Tn * Bn * k);
    const dOut = 2;
    const outputs = Float64Array.from({ length: Tn * Bn * dOut }, (_, idx) => {
      const s = Math.floor(idx / dOut);
      return (idx % dOut === 0 ? at(sc, s * k) - 0.5 * at(sc, s * k + 2) : 2 * at(sc, s * k + 1)) + 0.8 * rng.normal() + 3;
    });
    const fit = fittingDimension({ scores: sc, kMax: k, outputs, T: Tn, B: Bn, dOut });
    for (let kk = 1; kk <= k; kk++) {
      const feats: number[][] = [];
      const targs: number[][] = [];
      for (let t = 0; t < Tn; t++) {
        for (let b = 0; b < 6; b++) {
          const s = t * Bn + b;
          feats.push(Array.from(sc.subarray(s * k, s * k + kk)));
          targs.push(Array.from(outputs.subarray(s * dOut, s * dOut + dOut)));
        }
      }
      const coef = referenceFit(feats, targs); // row 0 intercept
      const zbar = [0, 1].map((o) => outputs.filter((_, idx) => idx % dOut === o).reduce((a, v) => a + v, 0) / (Tn * Bn));
      let res = 0;
      let tot = 0;
      for (let s = 0; s < Tn * Bn; s++) {
        for (let o = 0; o < dOut; o++) {
          let zhat = at(at(coef, 0), o);
          for (let j = 0; j < kk; j++) zhat += at(sc, s * k + j) * at(at(coef, j + 1), o);
          res += (at(outputs, s * dOut + o) - zhat) ** 2;
          tot += (at(outputs, s * dOut + o) - at(zbar, o)) ** 2;
        }
      }
      assert.ok(Math.abs(at(fit.r2, kk - 1) - (1 - res / tot)) < 1e-12, `k=${kk}`);
    }
  });

  it('NaN when no k reaches 0.9, and when the output is constant', () => {
    const rng = new TestRandom(42);
    const noise = rng.normals(T * B);
    const none = fittingDimension({ scores, kMax, outputs: noise, T, B, dOut: 1 });
    assert.ok(Number.isNaN(none.dfit));
    assert.ok(none.r2.every((r) => r < 0.5));
    const flat = fittingDimension({ scores, kMax, outputs: new Float64Array(T * B).fill(0.1), T, B, dOut: 1 });
    assert.ok(Number.isNaN(flat.dfit) && flat.r2.every((r) => Number.isNaN(r)));
  });
});
