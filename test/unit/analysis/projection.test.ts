import * as assert from 'node:assert/strict';
import { pcaFromGram } from '../../../src/core/analysis/pca';
import { projectForDisplay } from '../../../src/core/analysis/projection';
import { constructedStates, exactGram, near, randomOrthogonal, TestRandom } from './fixtures';
import { at } from '../../../src/core/checked';

describe('analysis/projection (3D view)', () => {
  const T = 24;
  const B = 5;
  const kMin = 4;
  const N = 10;
  const S = (T - kMin) * B;
  const rng = new TestRandom(61);
  const q = randomOrthogonal(N, rng);
  const amps = [4, 3, 2, 1];
  const mean = Float64Array.from({ length: N }, (_, i) => 1 + 0.1 * i);
  const states = constructedStates({ T, B, N, kMin, axes: q, amps, mean, rng });
  const pca = pcaFromGram(exactGram(states.subarray(kMin * B * N), S, N));
  const row = (j: number) => q.slice(j * N, j * N + N);

  // readouts: inside the PC1-3 space; along axis 5 (orthogonal); halfway between PC1 and axis 6
  const inside = row(0).map((v, i) => 2 * v - at(row(2), i));
  const outside = row(5).map((v) => 0.7 * v);
  const diagonal = row(0).map((v, i) => v + at(row(6), i));
  const wOut = Float64Array.from([...inside, ...outside, ...diagonal]);
  const view = projectForDisplay({ states, T, B, N, pca, wOut, dOut: 3, trials: [4, 1], stride: 5 });

  it('fractions and angles: inside -> 1 and 0 deg, orthogonal -> 0 and 90 deg, 45 deg -> 1/sqrt2', () => {
    const a = at(view.pca.readouts, 0);
    const b = at(view.pca.readouts, 1);
    const c = at(view.pca.readouts, 2);
    assert.ok(Math.abs(a.fraction - 1) < 1e-6 && a.angle_deg < 1e-4);
    assert.ok(b.fraction < 1e-6 && Math.abs(b.angle_deg - 90) < 1e-4);
    assert.ok(Math.abs(c.fraction - Math.SQRT1_2) < 1e-6 && Math.abs(c.angle_deg - 45) < 1e-4);
  });

  it('coordinates of w in the PC basis, and arrows of length fraction x scale', () => {
    const a = at(view.pca.readouts, 0);
    // inside = 2 PC1 - PC3 up to the signs of the axes
    assert.ok(Math.abs(Math.abs(at(a.coords, 0)) - 2) < 1e-6);
    assert.ok(Math.abs(at(a.coords, 1)) < 1e-6);
    assert.ok(Math.abs(Math.abs(at(a.coords, 2)) - 1) < 1e-6);
    for (const r of view.pca.readouts) {
      assert.ok(near(Math.hypot(...r.arrow), r.fraction * view.pca.scale, 1e-9, 1e-12));
    }
  });

  it('scale is the RMS radius of the fitted states around the centre in the 3-D view', () => {
    // the data lie in PC1-4 with variances a_j^2 S/(S-1): mean squared radius in PC1-3 is 16 + 9 + 4
    assert.ok(near(view.pca.scale, Math.sqrt(29), 1e-6));
    [16, 9, 4].forEach((v, j) => assert.ok(near(at(view.pca.axis_variance, j), (v * S) / (S - 1), 1e-6)));
  });

  it('trajectories are uncentred projections of the selected trials at every 5th step plus the last', () => {
    assert.deepEqual(view.steps, [0, 5, 10, 15, 20, 23]);
    assert.deepEqual(view.trials, [4, 1]);
    assert.equal(view.pca.trajectories.length, 2 * 6 * 3);
    view.trials.forEach((b, ti) => {
      view.steps.forEach((k, si) => {
        for (let j = 0; j < 3; j++) {
          let e = 0;
          for (let i = 0; i < N; i++) e += at(states, (k * B + b) * N + i) * at(view.pca.axes, j * N + i);
          assert.ok(Math.abs(at(view.pca.trajectories, (ti * 6 + si) * 3 + j) - e) < 1e-5);
        }
      });
    });
    // centre = PCA mean in the same coordinates
    for (let j = 0; j < 3; j++) {
      const e = mean.reduce((s, m, i) => s + m * at(view.pca.axes, j * N + i), 0);
      assert.ok(Math.abs(at(view.pca.centre, j) - e) < 1e-5);
    }
  });

  it('readout basis: w_out,1 direction, then the top PCs of the activity without it', () => {
    const r = view.readout;
    assert.ok(r);
    const axis = (j: number) => r.axes.subarray(j * N, j * N + N);
    const dotp = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x).reduce((s, v, i) => s + v * at(y, i), 0);
    const wn = Math.hypot(...inside);
    assert.ok(Math.abs(dotp(axis(0), inside) - wn) < 1e-9);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(dotp(axis(i), axis(j)) - (i === j ? 1 : 0)) < 1e-9);
    }
    // w_out,1 lies in the PC1-PC3 plane; removing it leaves variance along PC2 (9) and
    // along the PC1-PC3 direction orthogonal to w: u = (PC1 + 2 PC3)/sqrt5 with
    // variance (16 + 4 * 4)/5 = 6.4, then PC4 (1).
    const u = row(0).map((v, i) => (v + 2 * at(row(2), i)) / Math.sqrt(5));
    assert.ok(Math.abs(Math.abs(dotp(axis(1), row(1))) - 1) < 1e-6);
    assert.ok(Math.abs(Math.abs(dotp(axis(2), u)) - 1) < 1e-6);
    assert.ok(Math.abs(at(r.readouts, 0).fraction - 1) < 1e-12);
    assert.ok(near(at(r.readouts, 0).arrow[0], r.scale, 1e-12));
    // the orthogonal readout stays orthogonal in this basis too
    assert.ok(at(r.readouts, 1).fraction < 1e-6);
  });

  it('defaults: all trials, every step; no readout basis for a zero w_out,1', () => {
    const v = projectForDisplay({ states, T, B, N, pca, wOut: new Float64Array(N), dOut: 1 });
    assert.deepEqual(v.trials, [0, 1, 2, 3, 4]);
    assert.equal(v.steps.length, T);
    assert.equal(v.readout, null);
    assert.equal(at(v.pca.readouts, 0).fraction, 0);
    assert.throws(() => projectForDisplay({ states, T, B, N, pca, wOut, dOut: 3, trials: [5] }), /no trial 5/);
  });
});
