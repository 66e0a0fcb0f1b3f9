/**
 * The recordings view (docs/science.md §4.9): on a population whose principal axes and
 * readout are planted, the top-3 PC projection, the explained variances and the
 * readout's projected fraction against closed forms computed from the planted axes
 * (no PCA in the test), and the view file's JSON round trip.
 */
import * as assert from 'node:assert/strict';
import { useBackend } from '../helpers/tf';
import { analyseRecording } from '../../../src/core/recording/analyse';
import { makeRng } from '../../../src/core/rng';
import { recordingViewFromJson, recordingViewJson } from '../../../src/protocol/recording';
import { TestRandom } from '../analysis/fixtures';
import { at, defined } from '../../../src/core/checked';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += at(a, i) * at(b, i);
  return s;
};

/**
 * 4 latents cos(2 pi k_j s / T) with sds 3, 2, 1.2, 0.4 (distinct whole frequencies: exactly
 * uncorrelated and zero-mean over each trial) along orthonormal neuron directions e_j, plus
 * an offset per neuron; behaviour y = sum_j c_j z_j, so the least-squares decoder is
 * sum_j c_j e_j and the top 3 PCs are e_1..e_3.
 */
function planted(N: number, trials: number, T: number, c: readonly number[]) {
  const rng = new TestRandom(7);
  const sds = [3, 2, 1.2, 0.4];
  const freqs = [1, 2, 3, 5];
  // Gram-Schmidt on random vectors: orthonormal directions
  const e: Float64Array[] = [];
  for (let j = 0; j < sds.length; j++) {
    const v = rng.normals(N);
    for (const u of e) {
      const p = dot(v, u);
      for (let i = 0; i < N; i++) v[i] = at(v, i) - p * at(u, i);
    }
    const n = Math.sqrt(dot(v, v));
    e.push(v.map((x) => x / n));
  }
  const offset = rng.normals(N, 5);
  const S = trials * T;
  const x = new Float64Array(S * N);
  const y = new Float64Array(S);
  for (let b = 0; b < trials; b++) {
    for (let t = 0; t < T; t++) {
      const s = b * T + t;
      const z = sds.map((sd, j) => sd * Math.cos((2 * Math.PI * at(freqs, j) * t) / T + b * 0.3 * (j === 0 ? 1 : 0)));
      for (let i = 0; i < N; i++) x[s * N + i] = at(offset, i) + z.reduce((acc, zj, j) => acc + zj * at(at(e, j), i), 0);
      y[s] = z.reduce((acc, zj, j) => acc + zj * (c[j] ?? 0), 0);
    }
  }
  return { x, y, e, sds, S };
}

describe('recording/view: the top PCs and the readout in their basis', function () {
  this.timeout(60_000);
  before(() => useBackend('wasm'));
  const N = 24, trials = 4, T = 60;

  it('the projected fraction is ||E3^T w|| / ||w|| of the decoder, and the closed form of the planted readout', async () => {
    // readout mostly along the weak 4th latent: an oblique-like decoder
    const c = [0.3, 0, 0.2, 1.5];
    const { x, y, e, sds } = planted(N, trials, T, c);
    const r = await analyseRecording(x, y, trials * T, N, 1, { rng: makeRng(1, 'sub'), draws: 2, view: { trials } });
    const view = defined(r.view, 'the view');
    const w = r.w_out;
    const wn = Math.sqrt(dot(w, w));
    const e3 = e.slice(0, 3);
    // independent: the planted axes, not a PCA
    const inPlane = Math.hypot(...e3.map((ej) => dot(ej, w)));
    const ro = at(view.readouts, 0);
    assert.ok(Math.abs(ro.fraction - inPlane / wn) < 1e-9, `fraction ${ro.fraction} vs ${inPlane / wn}`);
    // and the closed form: the decoder is sum_j c_j e_j up to the ridge's tiny shrinkage
    const closed = Math.hypot(at(c, 0), at(c, 1), at(c, 2)) / Math.hypot(...c);
    assert.ok(Math.abs(ro.fraction - closed) < 2e-3, `fraction ${ro.fraction}, closed form ${closed}`);
    // the PC coordinates are the planted ones up to each PC's sign; their norm is the fraction
    e3.forEach((ej, j) => assert.ok(Math.abs(Math.abs(at(ro.pc_coords, j)) - Math.abs(dot(ej, w)) / wn) < 1e-9, `PC${j + 1}`));
    assert.ok(Math.abs(Math.hypot(...ro.pc_coords) - ro.fraction) < 1e-12);
    assert.ok(Math.abs(Math.hypot(...ro.unit) - 1) < 1e-12);
    assert.ok(Math.abs(Math.cos((ro.angle_deg * Math.PI) / 180) - ro.fraction) < 1e-9);
    // explained variance: sd_j^2 / sum sd^2 (cosines over whole periods)
    const total = sds.reduce((a, s) => a + s * s, 0);
    view.explained_variance.forEach((v, j) => assert.ok(Math.abs(v - at(sds, j) ** 2 / total) < 1e-9, `PC${j + 1} explains ${v}`));
  });

  it('a readout inside the top-3 span has fraction 1; one along the 4th latent has fraction 0', async () => {
    for (const [c, want] of [[[1, -0.5, 0.3, 0], 1], [[0, 0, 0, 1], 0]] as const) {
      const { x, y } = planted(N, trials, T, c);
      const r = await analyseRecording(x, y, trials * T, N, 1, { rng: makeRng(1, 'sub'), draws: 2, view: { trials } });
      const f = at(defined(r.view).readouts, 0).fraction;
      assert.ok(Math.abs(f - want) < 1e-3, `c = ${c.join(', ')}: fraction ${f}, expected ${want}`);
    }
  });

  it('the trajectories are the activity on the planted axes, per trial and time step, and the size is capped', async () => {
    const { x, y, e } = planted(N, trials, T, [1, 0, 0, 0.5]);
    const r = await analyseRecording(x, y, trials * T, N, 1, { rng: makeRng(1, 'sub'), draws: 2, view: { trials } });
    const v = defined(r.view);
    assert.equal(v.trials, trials);
    assert.equal(v.time, T);
    assert.deepEqual(v.projection.trials, [0, 1, 2, 3]);
    assert.equal(v.projection.steps.length, T);
    const pv = v.projection.pca;
    for (const [b, k] of [[0, 0], [2, 17], [3, T - 1]] as const) {
      const s = b * T + k;
      const xs = x.subarray(s * N, (s + 1) * N);
      for (let j = 0; j < 3; j++) {
        const got = at(pv.trajectories, (b * T + k) * 3 + j);
        assert.ok(Math.abs(Math.abs(got) - Math.abs(dot(at(e, j), xs))) < 1e-3, `trial ${b}, t ${k}, PC${j + 1}: ${got}`);
      }
    }
    // capped: at most 3 trials spread over the 4, every other time step plus the last
    const capped = await analyseRecording(x, y, trials * T, N, 1, { rng: makeRng(1, 'sub'), draws: 2, view: { trials, maxTrials: 3, maxPoints: 100 } });
    const cv = defined(capped.view);
    assert.deepEqual(cv.projection.trials, [0, 1, 2]);
    assert.ok(cv.projection.trials.length * cv.projection.steps.length <= 100 + 3, `${cv.projection.steps.length} steps`);
    assert.equal(cv.projection.steps.at(-1), T - 1);
    // continuous data (no trials): one trajectory over all samples
    const flat = await analyseRecording(x, y, trials * T, N, 1, { rng: makeRng(1, 'sub'), draws: 2, view: {} });
    assert.equal(defined(flat.view).trials, 1);
    assert.equal(defined(flat.view).time, trials * T);
  });

  it('the view file round-trips through JSON with its typed arrays, and a malformed one is named', async () => {
    const { x, y } = planted(N, trials, T, [1, 0, 0, 0.5]);
    const r = await analyseRecording(x, y, trials * T, N, 1, { rng: makeRng(1, 'sub'), draws: 2, view: { trials, condition: Int32Array.of(0, 1, 0, 1) } });
    const v = defined(r.view);
    const back = recordingViewFromJson(JSON.parse(recordingViewJson(v)));
    assert.ok(back.projection.pca.trajectories instanceof Float32Array);
    assert.deepEqual(Array.from(back.projection.pca.trajectories), Array.from(v.projection.pca.trajectories));
    assert.deepEqual(Array.from(back.condition), [0, 1, 0, 1]);
    assert.equal(back.conditionLabels.length, 2);
    assert.deepEqual(back.readouts, v.readouts);
    const broken = JSON.parse(recordingViewJson(v)) as { projection: { pca: { trajectories: number[] } } };
    broken.projection.pca.trajectories.pop();
    assert.throws(() => recordingViewFromJson(broken), /malformed: .*trajectories has \d+ values, expected \d+/);
    assert.throws(() => recordingViewFromJson({ rho: 1 }), /not a recording view file/);
  });
});
