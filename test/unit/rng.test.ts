import * as assert from 'node:assert/strict';
import { makeRng } from '../../src/core/rng';
import type { Rng } from '../../src/core/types';
import { at } from '../../src/core/checked';

/** Standard normal CDF via Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, ample for these tests). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function normals(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

function uniforms(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform();
  return out;
}

function meanVar(x: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += at(x, i);
  const mean = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (at(x, i) - mean) ** 2;
  return { mean, variance: v / (x.length - 1) };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>, lag = 0): number {
  const n = Math.min(a.length, b.length - lag);
  let sa = 0, sb = 0;
  for (let i = 0; i < n; i++) { sa += at(a, i); sb += at(b, i + lag); }
  const ma = sa / n, mb = sb / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = at(a, i) - ma, db = at(b, i + lag) - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Kolmogorov-Smirnov statistic of the sample against the standard normal. */
function ksNormal(sample: Float64Array): number {
  const x = Float64Array.from(sample).sort();
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = normalCdf(at(x, i));
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

describe('rng', () => {
  describe('reproducibility', () => {
    it('gives the same sequence, bit for bit, for the same (seed, stream)', () => {
      const a = makeRng(42, 'weights');
      const b = makeRng(42, 'weights');
      for (let i = 0; i < 1000; i++) {
        assert.equal(a.uniform(), b.uniform());
        assert.equal(a.normal(), b.normal());
        assert.equal(a.int(17), b.int(17));
        assert.equal(a.range(-3, 5), b.range(-3, 5));
      }
      const fa = new Float32Array(10000);
      const fb = new Float32Array(10000);
      a.fillNormal(fa, 0.3);
      b.fillNormal(fb, 0.3);
      assert.deepEqual(fa, fb);
    });

    it('matches pinned values, so a change of algorithm or platform shows up', () => {
      // If this fails, saved runs no longer reproduce: change it only on purpose.
      const r = makeRng(0, 'weights');
      assert.deepEqual(
        Array.from({ length: 4 }, () => r.uniform() * 4294967296),
        [3841435201, 854703263, 1459041467, 3720593416],
      );
      assert.deepEqual(
        Array.from({ length: 4 }, () => r.normal()),
        [-1.4794247846236013, 0.18954264564894302, 0.48276509457210587, 2.703951613111422],
      );
      const f = new Float32Array(4);
      r.fillNormal(f);
      assert.deepEqual(Array.from(f), [0.22834116220474243, 2.0565249919891357, 0.8643492460250854, 2.887732982635498]);
      assert.equal(r.int(1000), 618);
      assert.equal(r.range(-2, 3), -0.46781278494745493);
    });

    it('accepts any safe integer seed and rejects other seeds', () => {
      for (const seed of [0, 1, -1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1)]) {
        assert.ok(Number.isFinite(makeRng(seed, 'x').normal()));
      }
      assert.notEqual(makeRng(1, 'x').uniform(), makeRng(2 ** 32 + 1, 'x').uniform());
      assert.notEqual(makeRng(-1, 'x').uniform(), makeRng(2 ** 32 - 1, 'x').uniform());
      for (const seed of [0.5, NaN, Infinity, 2 ** 53]) {
        assert.throws(() => makeRng(seed, 'x'), RangeError);
      }
    });
  });

  describe('independence', () => {
    const n = 100_000;
    // |r| of two independent sequences is about N(0, 1/n); 5/sqrt(n) is a 5-sigma bound.
    const bound = 5 / Math.sqrt(n);

    it('decorrelates streams of one seed, similar stream names and neighbouring seeds', () => {
      const pairs: Array<[number, string, number, string]> = [
        [0, 'weights', 0, 'trials'],
        [0, 'noise', 0, 'eval'],
        [0, 'noise', 0, 'noisf'],
        [0, 'noise', 1, 'noise'],
        [7, 'trials', 8, 'trials'],
        [0, '', 0, 'a'],
      ];
      for (const [s1, n1, s2, n2] of pairs) {
        const a = uniforms(makeRng(s1, n1), n);
        const b = uniforms(makeRng(s2, n2), n);
        for (let lag = 0; lag <= 3; lag++) {
          const r = correlation(a, b, lag);
          assert.ok(Math.abs(r) < bound, `uniform corr(${s1}/${n1}, ${s2}/${n2}, lag ${lag}) = ${r}`);
        }
        const r = correlation(normals(makeRng(s1, n1), n), normals(makeRng(s2, n2), n));
        assert.ok(Math.abs(r) < bound, `normal corr(${s1}/${n1}, ${s2}/${n2}) = ${r}`);
      }
    });

    it('does not make one stream a shifted copy of another', () => {
      const a = uniforms(makeRng(3, 'weights'), 5000);
      const bValues = new Set(uniforms(makeRng(3, 'trials'), 5000));
      let shared = 0;
      for (const v of a) if (bValues.has(v)) shared++;
      // Two independent sets of 5000 draws out of 2^32 values almost never share one.
      assert.ok(shared <= 1, `${shared} values shared`);
    });

    it('has no serial correlation within a stream', () => {
      const a = uniforms(makeRng(11, 'noise'), n);
      for (let lag = 1; lag <= 5; lag++) {
        const r = correlation(a, a, lag);
        assert.ok(Math.abs(r) < bound, `lag ${lag}: ${r}`);
      }
    });
  });

  describe('uniform, range and int', () => {
    it('uniform lies in [0, 1) with mean 1/2 and variance 1/12', () => {
      const x = uniforms(makeRng(5, 'u'), 200_000);
      for (const v of x) assert.ok(v >= 0 && v < 1);
      const { mean, variance } = meanVar(x);
      assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / x.length), `mean ${mean}`);
      assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
    });

    it('range(lo, hi) stays in [lo, hi) and is uniform there', () => {
      const r = makeRng(5, 'range');
      let sum = 0;
      const n = 100_000;
      for (let i = 0; i < n; i++) {
        const v = r.range(-3, 5);
        assert.ok(v >= -3 && v < 5, `${v}`);
        sum += v;
      }
      assert.ok(Math.abs(sum / n - 1) < 5 * (8 / Math.sqrt(12 * n)));
      assert.equal(r.range(2, 2), 2);
      // Far from zero, lo + (hi - lo) * u can round up to hi; it must not be returned.
      for (let i = 0; i < 1000; i++) assert.ok(r.range(1e16, 1e16 + 2) < 1e16 + 2);
    });

    it('int(n) returns every value in {0, ..., n-1} equally often', () => {
      const r = makeRng(9, 'int');
      const n = 7;
      const draws = 70_000;
      const counts = new Array<number>(n).fill(0);
      for (let i = 0; i < draws; i++) {
        const v = r.int(n);
        assert.ok(Number.isInteger(v) && v >= 0 && v < n, `${v}`);
        counts[v] = at(counts, v) + 1;
      }
      const expected = draws / n;
      const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      assert.ok(chi2 < 22.46, `chi2 = ${chi2} (df 6, p = 0.001 at 22.46)`);
      assert.equal(r.int(1), 0);
      for (let i = 0; i < 1000; i++) {
        const v = r.int(2 ** 32);
        assert.ok(v >= 0 && v < 2 ** 32 && Number.isInteger(v));
      }
    });

    it('int rejects n that is not an integer in [1, 2^32]', () => {
      const r = makeRng(0, 'int');
      for (const n of [0, -1, 1.5, NaN, 2 ** 32 + 1]) assert.throws(() => r.int(n), RangeError);
    });
  });

  describe('normal', () => {
    it('has mean 0 and variance 1', () => {
      const x = normals(makeRng(1, 'normal'), 400_000);
      const { mean, variance } = meanVar(x);
      assert.ok(Math.abs(mean) < 5 / Math.sqrt(x.length), `mean ${mean}`);
      assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / x.length), `variance ${variance}`);
    });

    it('passes a Kolmogorov-Smirnov test against the normal CDF', () => {
      for (const seed of [0, 1, 2]) {
        const x = normals(makeRng(seed, 'ks'), 200_000);
        const d = ksNormal(x);
        // Critical value at p = 0.001 is 1.95/sqrt(n).
        assert.ok(d < 1.95 / Math.sqrt(x.length), `seed ${seed}: D = ${d}`);
      }
    });

    it('fills 64 equiprobable bins evenly (chi-square), wedges and tail included', () => {
      const n = 2_000_000;
      const x = new Float32Array(n);
      makeRng(4, 'chi2').fillNormal(x);
      const bins = 64;
      const counts = new Array<number>(bins).fill(0);
      for (const v of x) counts[Math.min(bins - 1, Math.floor(normalCdf(v) * bins))] = at(counts, Math.min(bins - 1, Math.floor(normalCdf(v) * bins))) + 1;
      const expected = n / bins;
      const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      assert.ok(chi2 < 103.4, `chi2 = ${chi2} (df 63, p = 0.001 at 103.4)`);
    });

    it('has the right tail frequencies on both sides of the ziggurat base (R = 3.654)', () => {
      const n = 4_000_000;
      const x = new Float32Array(n);
      makeRng(6, 'tails').fillNormal(x);
      // Two-sided tail probabilities of the standard normal.
      const tails: Array<[number, number]> = [[3, 2.6997961e-3], [3.5, 4.6525816e-4], [3.7, 2.1561e-4], [4, 6.3342484e-5], [4.5, 6.7953e-6]];
      for (const [t, p] of tails) {
        let count = 0;
        for (const v of x) if (Math.abs(v) > t) count++;
        const expected = n * p;
        assert.ok(Math.abs(count - expected) < 5 * Math.sqrt(expected) + 1, `|x| > ${t}: ${count}, expected ${expected.toFixed(1)}`);
      }
      let positive = 0, beyond = 0;
      for (const v of x) {
        if (v > 4) positive++;
        if (Math.abs(v) > 4) beyond++;
      }
      assert.ok(Math.abs(positive - beyond / 2) < 5 * Math.sqrt(beyond / 4), 'tails are symmetric');
    });

    it('makes normal() and fillNormal draw from the same distribution', () => {
      const n = 200_000;
      const f = new Float32Array(n);
      makeRng(8, 'fill').fillNormal(f);
      assert.ok(ksNormal(Float64Array.from(f)) < 1.95 / Math.sqrt(n));
      assert.ok(f.every(Number.isFinite));
    });
  });

  describe('fillNormal', () => {
    it('scales, adds and handles any length', () => {
      for (const n of [0, 1, 4095, 4096, 4097, 10_000]) {
        const base = new Float32Array(n);
        makeRng(2, 'f').fillNormal(base);
        const scaled = new Float32Array(n);
        makeRng(2, 'f').fillNormal(scaled, 2);
        for (let i = 0; i < n; i++) assert.equal(scaled[i], 2 * at(base, i));

        const added = new Float32Array(n).fill(0.75);
        makeRng(2, 'f').fillNormal(added, 0.5, true);
        const defaults = new Float32Array(n);
        makeRng(2, 'f').fillNormal(defaults, 1, false);
        for (let i = 0; i < n; i++) {
          // base[i] is already rounded to float32, so allow the one rounding step of difference.
          const expected = 0.75 + 0.5 * at(base, i);
          assert.ok(Math.abs(at(added, i) - expected) <= 2 ** -23 * Math.max(1, Math.abs(expected)), `${added[i]} vs ${expected}`);
          assert.equal(defaults[i], base[i]);
        }
      }
    });

    it('continues the stream: two half fills differ from a repeat of the first', () => {
      const r = makeRng(3, 'f');
      const a = new Float32Array(5000);
      const b = new Float32Array(5000);
      r.fillNormal(a);
      r.fillNormal(b);
      assert.ok(Math.abs(correlation(a, b)) < 5 / Math.sqrt(5000));
    });
  });
});
