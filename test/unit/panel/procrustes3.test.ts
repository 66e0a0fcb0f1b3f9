/**
 * The seeds layout's alignment (webview/panel/scene/procrustes3.ts, seed-alignment.ts): a
 * turned and mirrored copy aligns exactly; the fit's angle and residual do not depend on the
 * rotation applied to either cloud; on random clouds the SVD reproduces M, its singular
 * values match the closed-form eigenvalues of MᵀM (an independent computation), and no
 * orthogonal matrix found by a brute-force search beats the fitted one; and two networks that
 * differ only by an orthogonal mixing of their neurons look the same once aligned (through
 * the real projectForDisplay, both bases).
 */
import * as assert from 'node:assert/strict';
import { apply3, det3, multiply3, procrustes3, svd3, transpose3, type Mat3 } from '../../../webview/panel/scene/procrustes3';
import { alignView, matchingPoints } from '../../../webview/panel/scene/seed-alignment';
import type { ViewData } from '../../../src/protocol';
import { makeRng } from '../../../src/core/rng';
import { pcaFromGram } from '../../../src/core/analysis/pca';
import { projectForDisplay } from '../../../src/core/analysis/projection';
import { constructedStates, exactGram, randomOrthogonal as randomOrthogonalN, TestRandom } from '../analysis/fixtures';

const rng = makeRng(7, 'procrustes-test');
const gauss = (): number => rng.normal();

/** A rotation from a random unit quaternion; `mirror` multiplies one axis by −1 after it. */
function randomOrthogonal(mirror = false): Mat3 {
  const q = [gauss(), gauss(), gauss(), gauss()];
  const n = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / n) as [number, number, number, number];
  const r: Mat3 = [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
  return mirror ? multiply3([1, 0, 0, 0, 1, 0, 0, 0, -1], r) : r;
}

function cloud(n: number, stretch: [number, number, number] = [3, 1.5, 0.4]): Float64Array {
  const p = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < 3; j++) p[3 * k + j] = (stretch[j] ?? 1) * gauss() + j;
  return p;
}

function turned(p: Float64Array, r: Mat3, shift: [number, number, number] = [0, 0, 0]): Float64Array {
  const out = new Float64Array(p.length);
  for (let k = 0; k < p.length / 3; k++) {
    const v = apply3(r, [p[3 * k] ?? 0, p[3 * k + 1] ?? 0, p[3 * k + 2] ?? 0]);
    for (let j = 0; j < 3; j++) out[3 * k + j] = (v[j] ?? 0) + (shift[j] ?? 0);
  }
  return out;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs((a[i] ?? 0) - (b[i] ?? 0)) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

const isOrthogonal = (r: Mat3): void => close(multiply3(r, transpose3(r)), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-12, 'R Rᵀ');

/** Eigenvalues of a symmetric 3×3 matrix in closed form (trigonometric solution of the characteristic cubic). */
function symmetricEigenvalues(a: Mat3): number[] {
  const [a00, a01, a02, , a11, a12, , , a22] = a;
  const p1 = a01 ** 2 + a02 ** 2 + a12 ** 2;
  const q = (a00 + a11 + a22) / 3;
  const p2 = (a00 - q) ** 2 + (a11 - q) ** 2 + (a22 - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  if (p === 0) return [q, q, q];
  const b = a.map((v, i) => (v - (i % 4 === 0 ? q : 0)) / p) as Mat3;
  const r = Math.min(1, Math.max(-1, det3(b) / 2));
  const phi = Math.acos(r) / 3;
  const e1 = q + 2 * p * Math.cos(phi);
  const e3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  return [e1, 3 * q - e1 - e3, e3];
}

const crossCovariance = (x: Float64Array, y: Float64Array): Mat3 => {
  const n = x.length / 3;
  const mean = (p: Float64Array, j: number) => p.filter((_, i) => i % 3 === j).reduce((s, v) => s + v, 0) / n;
  const mx = [0, 1, 2].map((j) => mean(x, j));
  const my = [0, 1, 2].map((j) => mean(y, j));
  const m: Mat3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let k = 0; k < n; k++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) m[3 * i + j] = (m[3 * i + j] ?? 0) + ((y[3 * k + i] ?? 0) - (my[i] ?? 0)) * ((x[3 * k + j] ?? 0) - (mx[j] ?? 0));
  return m;
};

const trace = (m: Mat3): number => m[0] + m[4] + m[8];

describe('procrustes3', () => {
  it('aligns a turned, mirrored and shifted copy exactly: R undoes the turn, the angle and residual are 0', () => {
    const x = cloud(80);
    for (const mirror of [false, true]) {
      const q = randomOrthogonal(mirror);
      const y = turned(x, q, [5, -2, 1]);
      const fit = procrustes3(x, y);
      isOrthogonal(fit.rotation);
      close(fit.rotation, q, 1e-10, `R (mirror ${mirror})`);
      assert.equal(fit.reflected, mirror);
      assert.ok(fit.angleDeg < 1e-5, `angle ${fit.angleDeg}`);
      assert.ok(fit.residual < 1e-20 + 1e-12, `residual ${fit.residual}`);
      // The aligned copy lands on the reference, once both are centred.
      const back = turned(x, fit.rotation);
      const shift = [0, 1, 2].map((j) => (y[j] ?? 0) - (back[j] ?? 0)) as [number, number, number];
      close(turned(x, fit.rotation, shift), y, 1e-9, 'aligned points');
    }
  });

  it('the angle and residual are invariant to a rotation (or reflection) of either cloud', () => {
    const x = cloud(60);
    const y = cloud(60, [2, 2, 1]);
    const base = procrustes3(x, y);
    assert.ok(base.angleDeg > 5, `two unrelated clouds should differ: ${base.angleDeg}°`);
    for (const mirror of [false, true]) {
      const onX = procrustes3(turned(x, randomOrthogonal(mirror)), y);
      const onY = procrustes3(x, turned(y, randomOrthogonal(mirror), [1, 2, 3]));
      for (const f of [onX, onY]) {
        assert.ok(Math.abs(f.angleDeg - base.angleDeg) < 1e-9, `${f.angleDeg} vs ${base.angleDeg}`);
        assert.ok(Math.abs(f.residual - base.residual) < 1e-9, `${f.residual} vs ${base.residual}`);
      }
    }
  });

  it('on random clouds: U diag(s) Vᵀ = M, s matches the closed-form eigenvalues of MᵀM, and a brute-force search finds no better R', () => {
    for (let trial = 0; trial < 20; trial++) {
      const x = cloud(25);
      const y = cloud(25, [1, 2, 3]);
      const m = crossCovariance(x, y);
      const { u, s, v } = svd3(m);
      isOrthogonal(u);
      isOrthogonal(v);
      close(multiply3(multiply3(u, [s[0], 0, 0, 0, s[1], 0, 0, 0, s[2]]), transpose3(v)), m, 1e-9 * Math.max(...m.map(Math.abs)), 'U S Vᵀ');
      const independent = symmetricEigenvalues(multiply3(transpose3(m), m)).map((e) => Math.sqrt(Math.max(0, e))).sort((a, b) => b - a);
      close([...s].sort((a, b) => b - a), independent, 1e-7 * (independent[0] ?? 1), 'singular values');
      const fit = procrustes3(x, y);
      const best = trace(multiply3(transpose3(fit.rotation), m));
      assert.ok(Math.abs(best - (s[0] + s[1] + s[2])) < 1e-9 * best, 'tr(Rᵀ M) is the nuclear norm at the optimum');
      for (let k = 0; k < 400; k++) {
        const r = randomOrthogonal(k % 2 === 1);
        assert.ok(trace(multiply3(transpose3(r), m)) <= best + 1e-9 * best, `a random orthogonal matrix beat the fit (trial ${trial})`);
      }
    }
  });

  it('planar and collinear clouds (rank-deficient M) still give an orthogonal R that maps them exactly', () => {
    const flat = cloud(40, [2, 1, 0]);
    for (let k = 0; k < 40; k++) flat[3 * k + 2] = 0;
    const line = new Float64Array(3 * 30).map((_, i) => (i % 3 === 0 ? Math.floor(i / 3) - 15 : 0));
    for (const x of [flat, line]) {
      const q = randomOrthogonal(true);
      const fit = procrustes3(x, turned(x, q));
      isOrthogonal(fit.rotation);
      close(turned(x, fit.rotation), turned(x, q), 1e-9, 'mapped points');
      assert.ok(fit.angleDeg < 1e-5, `angle ${fit.angleDeg}`);
    }
  });

  it('says NaN for a cloud without spread, and refuses clouds of different sizes', () => {
    assert.ok(Number.isNaN(procrustes3(new Float64Array(9).fill(1), cloud(3)).angleDeg));
    assert.throws(() => procrustes3(cloud(3), cloud(4)), /matching/);
  });
});

/** A two-trial ViewData whose picture is `points` turned by q about `centre`, drawn at grid steps 0..steps−1. */
function viewOf(points: Float64Array, q: Mat3, centre: [number, number, number], scale: number, steps: number): ViewData {
  const t = turned(points, q);
  const traj = Float32Array.from(t, (v, i) => (centre[i % 3] ?? 0) + v * scale);
  const basis = (labels: [string, string, string]) => ({
    axes: new Float64Array(3 * 4), axis_labels: labels, trajectories: traj, centre, scale, axis_variance: [1, 1, 1] as [number, number, number],
    readouts: [{ coords: apply3(q, [1, 0, 0]), fraction: 0.5, angle_deg: 60, arrow: apply3(q, [scale * 0.5, 0, 0]) }],
  });
  return {
    projection: { trials: [0, 1], steps: Array.from({ length: steps }, (_, k) => k), pca: basis(['PC1', 'PC2', 'PC3']), readout: basis(['w_out,1', 'a', 'b']) },
    condition: new Int32Array([0, 1]),
    conditionLabels: ['a', 'b'],
  };
}

describe('alignView', () => {
  it('turns a rotated, mirrored, rescaled copy back onto the reference: same drawn points and readout arrows', () => {
    const steps = 30;
    const base = cloud(2 * steps);
    const reference = viewOf(base, [1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0], 1, steps);
    const q = randomOrthogonal(true);
    const copy = viewOf(base, q, [4, -1, 2], 2.5, steps);
    const aligned = alignView(copy, reference, { dt: 0.1, tMin: 1, tag: 's0' });
    for (const b of ['pca', 'readout'] as const) {
      const fit = aligned[b];
      assert.ok(fit && 'rotation' in fit, `${b}: ${JSON.stringify(fit)}`);
      const pv = aligned.view.projection[b];
      const rv = reference.projection[b];
      assert.ok(pv && rv);
      const drawn = Array.from(pv.trajectories, (v, i) => (v - (pv.centre[i % 3] ?? 0)) / pv.scale);
      close(drawn, rv.trajectories, 1e-5, `${b} drawn points`);
      close((pv.readouts[0]?.arrow ?? []).map((v) => v / pv.scale), rv.readouts[0]?.arrow ?? [], 1e-6, `${b} arrow`);
      assert.deepEqual(pv.axis_labels.slice(0, 1), [`s0 ${rv.axis_labels[0]}`]);
    }
    // The input is left as it was.
    assert.notDeepEqual(Array.from(copy.projection.pca.trajectories.slice(0, 3)), Array.from(aligned.view.projection.pca.trajectories.slice(0, 3)));
  });

  it('fits only the points with t ≥ t_min of the trials both views drew', () => {
    const a = viewOf(cloud(2 * 10), [1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0], 1, 10);
    const b = { ...a, projection: { ...a.projection, trials: [1, 5] } };
    // trial 1 is shared (index 1 in a, index 0 in b); steps 0.1·k ≥ 0.65 leaves k = 7, 8, 9
    assert.deepEqual(matchingPoints(a, b, { dt: 0.1, tMin: 0.65 }), [[17, 7], [18, 8], [19, 9]]);
    // No step that late: every shared step counts.
    assert.equal(matchingPoints(a, b, { dt: 0.1, tMin: 99 }).length, 10);
    const none = alignView(a, { ...a, projection: { ...a.projection, trials: [7, 8] } }, { dt: 0.1, tMin: 0, tag: 's0' });
    assert.ok('reason' in none.pca && /too few/.test(none.pca.reason));
    assert.equal(none.view.projection.pca, a.projection.pca);
  });
});

describe('alignView on the real projection (projectForDisplay)', () => {
  /** A ViewData of states [T][B][N] and readout w, as an evaluation draws it (t ≥ t_min fits the PCA). */
  function projected(states: Float64Array | Float32Array, w: Float64Array, T: number, B: number, N: number, kMin: number): ViewData {
    const f32 = Float32Array.from(states);
    const pca = pcaFromGram(exactGram(f32.subarray(kMin * B * N), (T - kMin) * B, N));
    return { projection: projectForDisplay({ states: f32, T, B, N, pca, wOut: w, dOut: 1, stride: 2 }), condition: new Int32Array(B), conditionLabels: ['all'] };
  }

  it('a network that is another with its neurons mixed by an orthogonal matrix looks the same once aligned, in both bases', () => {
    const [T, B, N, kMin] = [30, 4, 12, 6];
    const rng = new TestRandom(5);
    const axes = randomOrthogonalN(N, rng);
    const states = constructedStates({ T, B, N, kMin, axes, amps: [5, 3, 2, 1], mean: new Float64Array(N).fill(0.5), rng });
    const w = Float64Array.from({ length: N }, (_, i) => 0.3 * (axes[i] ?? 0) + 0.1 * (axes[4 * N + i] ?? 0));
    // The same dynamics in another neuron basis: x' = Q x, w' = Q w (so the output w'·x' is unchanged).
    const q = randomOrthogonalN(N, rng);
    const mix = (v: ArrayLike<number>): Float64Array => Float64Array.from({ length: N }, (_, i) => {
      let sum = 0;
      for (let j = 0; j < N; j++) sum += (q[i * N + j] ?? 0) * (v[j] ?? 0);
      return sum;
    });
    const mixed = new Float64Array(states.length);
    for (let o = 0; o < states.length; o += N) mixed.set(mix(states.subarray(o, o + N)), o);
    const a = projected(states, w, T, B, N, kMin);
    const b = projected(mixed, mix(w), T, B, N, kMin);
    // Each picture on its own PCs: the same up to the signs (and, where variances tie, the order) of the axes.
    const before = Array.from(b.projection.pca.trajectories, (x, i) => Math.abs(x - (a.projection.pca.trajectories[i] ?? 0)));
    assert.ok(Math.max(...before) > 1, 'the two pictures should differ before aligning (else the test shows nothing)');
    const aligned = alignView(b, a, { dt: 1, tMin: kMin, tag: 's0' });
    for (const basis of ['pca', 'readout'] as const) {
      const fit = aligned[basis];
      assert.ok(fit && 'angleDeg' in fit && fit.angleDeg < 0.05, `${basis}: ${JSON.stringify(fit)}`);
      const pv = aligned.view.projection[basis];
      const rv = a.projection[basis];
      assert.ok(pv && rv);
      const world = (v: typeof pv) => Array.from(v.trajectories, (x, i) => (x - (v.centre[i % 3] ?? 0)) / v.scale);
      close(world(pv), world(rv), 1e-3, `${basis} points`);
      close((pv.readouts[0]?.arrow ?? []).map((x) => x / pv.scale), (rv.readouts[0]?.arrow ?? []).map((x) => x / rv.scale), 1e-3, `${basis} arrow`);
    }
  });
});
