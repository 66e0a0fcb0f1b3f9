/**
 * What the recordings page says (webview/panel/recording/recording-model.ts): the fitted
 * line of the subsampling chart is the least-squares power law (its log-log slope is the
 * measured slope and it passes through the points' centre), and the placement sentence
 * follows the two signatures of docs/science.md §4.9, saying when they disagree.
 */
import * as assert from 'node:assert/strict';
import type { RecordingMeasures } from '../../../src/protocol';
import { logLogSlope } from '../../../src/core/recording/analyse';
import { measuresTable, placement, subsamplingModel, type ChartColours } from '../../../webview/panel/recording/recording-model';

const theme: ChartColours = { foreground: [200, 200, 200], muted: [150, 150, 150], series: [[55, 148, 255], [209, 134, 22]] };

function measures(over: Partial<RecordingMeasures>): RecordingMeasures {
  const subsample = [6, 12, 24, 48, 60].map((n) => ({ n, mean: 0.3 * n ** 0.27 * (1 + 0.03 * Math.sin(n)), sd: 0.01, draws: 20 }));
  return {
    file: 'x.npz', source: 'the .npz x.npz', dropped: 0, N: 60, samples: 500, outputs: 1, rho: 0.2, rho_sqrtN: 1.55, d_var: 6, d_fit: 2, rel_fit_dim: 2 / 6,
    participation_ratio: 3.1, r2: 0.9, alpha: 1, r2_curve: [0.5, 0.85], explained_variance: [0.4, 0.2], subsample, subsample_slope: logLogSlope(subsample), ...over,
  };
}

describe('recordings page model', () => {
  it('the fitted line has the measured log-log slope and passes through the centre of the points', () => {
    const m = measures({});
    const model = subsamplingModel(m, theme);
    assert.equal(model.xLog && model.yLog, true);
    const fit = model.ys[1] ?? [];
    const [x0, x1] = [model.x[0] ?? 1, model.x.at(-1) ?? 1];
    const [f0, f1] = [fit[0] ?? NaN, fit.at(-1) ?? NaN];
    assert.ok(Math.abs(Math.log(f1 / f0) / Math.log(x1 / x0) - (m.subsample_slope ?? NaN)) < 1e-12);
    const meanLog = (xs: number[]) => xs.reduce((s, v) => s + Math.log(v), 0) / xs.length;
    assert.ok(Math.abs(meanLog(fit.map((v) => v ?? NaN)) - meanLog(m.subsample.map((p) => p.mean))) < 1e-12);
  });

  it('places by the two signatures and says when they disagree; never without the caveat', () => {
    assert.equal(placement(measures({ rel_fit_dim: 0.2, subsample_slope: 0.3 })).lean, 'aligned');
    assert.equal(placement(measures({ rel_fit_dim: 0.9, subsample_slope: 0.02 })).lean, 'oblique');
    const mixed = placement(measures({ rel_fit_dim: 2, subsample_slope: 0.48 }));
    assert.equal(mixed.lean, 'between');
    assert.match(mixed.text, /^Mixed signatures: .*oblique-like.*aligned-like.*not a classification/);
    assert.equal(placement(measures({ rel_fit_dim: null, d_fit: null, subsample_slope: 0.02 })).lean, 'oblique');
  });

  it('the measures table has every measure of the brief, with the paper\'s values beside', () => {
    const t = measuresTable(measures({}), undefined);
    const names = t.rows.map((r) => r[0] ?? '');
    for (const want of ['ρ', 'ρ√N', 'D_var', 'D_fit', 'relative fitting dimension', 'participation ratio', 'R²', 'subsampling slope']) assert.ok(names.some((n) => n.includes(want)), `no ${want}`);
    assert.match(t.rows.find((r) => r[0] === 'ρ')?.[2] ?? '', /cycling 0\.04–0\.07/);
  });
});
