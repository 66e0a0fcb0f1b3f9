import * as assert from 'node:assert/strict';
import { varianceDimension } from '../../../src/core/analysis/dimensions';
import { pcaFromGram } from '../../../src/core/analysis/pca';
import { constructedStates, exactGram, near, randomOrthogonal, TestRandom } from './fixtures';
import { at } from '../../../src/core/checked';

describe('analysis/pca (docs/science.md §4.3)', () => {
  const T = 30;
  const B = 4;
  const kMin = 5;
  const N = 12;
  const S = (T - kMin) * B;
  const amps = [5, 3, 2, 1, 0.5];
  const rng = new TestRandom(31);
  const axes = randomOrthogonal(N, rng);
  const mean = Float64Array.from({ length: N }, (_, i) => 2 - 0.3 * i);
  const states = constructedStates({ T, B, N, kMin, axes, amps, mean, rng });
  const pca = pcaFromGram(exactGram(states.subarray(kMin * B * N), S, N));

  it('recovers the constructed spectrum, unbiased like sklearn', () => {
    amps.forEach((a, j) => assert.ok(near(at(pca.variances, j), (a * a * S) / (S - 1), 1e-6)));
    for (let j = amps.length; j < N; j++) assert.ok(at(pca.variances, j) < 1e-9);
    const total = amps.reduce((s, a) => s + a * a, 0);
    assert.ok(near(pca.totalVariance, (total * S) / (S - 1), 1e-6));
  });

  it('explained-variance ratios are over the total variance of all N components', () => {
    const total = amps.reduce((s, a) => s + a * a, 0);
    // 25, 9, 4, 1, 0.25 over 39.25
    amps.forEach((a, j) => assert.ok(near(at(pca.explainedVarianceRatio, j), (a * a) / total, 1e-6)));
    assert.ok(near(pca.explainedVarianceRatio.reduce((s, v) => s + v, 0), 1, 1e-9));
    // cumulative 0.637, 0.866, 0.968: D_x,90 = 3
    assert.equal(varianceDimension(pca.explainedVarianceRatio), 3);
  });

  it('recovers the axes (up to sign) and the mean', () => {
    for (let j = 0; j < amps.length; j++) {
      let d = 0;
      for (let i = 0; i < N; i++) d += at(pca.components, j * N + i) * at(axes, j * N + i);
      assert.ok(Math.abs(Math.abs(d) - 1) < 1e-6, `axis ${j}: |cos| = ${Math.abs(d)}`);
    }
    mean.forEach((m, i) => assert.ok(Math.abs(at(pca.mean, i) - m) < 1e-5));
  });

  it('zero data gives zero ratios, not NaN', () => {
    const flat = pcaFromGram(exactGram(new Float64Array(3 * 4).fill(1), 3, 4));
    assert.equal(flat.totalVariance, 0);
    assert.deepEqual(Array.from(flat.explainedVarianceRatio), [0, 0, 0, 0]);
  });
});
