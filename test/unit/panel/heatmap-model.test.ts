/**
 * The dissimilarity heat map's content (webview/panel/views/heatmap-model.ts): runs in
 * variant-then-seed order whatever order the host sent, the matrix permuted with them,
 * pairs not compared with their reason, the colour scale's top, and the within/between
 * means against numbers worked out by hand (docs/science.md §4.7).
 */
import * as assert from 'node:assert/strict';
import { loadSpec } from '../../../src/spec/resolve';
import type { DissimilarityResult } from '../../../src/protocol';
import { Session } from '../../../webview/panel/session';
import { heatmapModel, heatmapTable, summaryText } from '../../../webview/panel/views/heatmap-model';

import { defined } from '../../../src/core/checked';

const SPEC = `name: t
task: { kind: cycling }
network: { N: 8 }
seeds: 3
variants:
  - { name: aligned, network: { output_scale: small } }
  - { name: oblique, network: { output_scale: large } }
`;

describe('the dissimilarity heat map model', () => {
  const session = new Session('live', loadSpec(SPEC, 't.rnn.yaml').runs);
  // sent oblique first and seeds shuffled; o-s2 was evaluated on other trials
  const sent = ['oblique-s1', 'aligned-s2', 'oblique-s0', 'aligned-s0', 'oblique-s2', 'aligned-s1'];
  const value: Record<string, number> = {
    'aligned-s0|aligned-s1': 0.2, 'aligned-s0|aligned-s2': 0.4, 'aligned-s1|aligned-s2': 0.3,
    'oblique-s0|oblique-s1': 0.8,
    'aligned-s0|oblique-s0': 1.0, 'aligned-s0|oblique-s1': 1.1, 'aligned-s1|oblique-s0': 1.2, 'aligned-s1|oblique-s1': 1.3, 'aligned-s2|oblique-s0': 1.4, 'aligned-s2|oblique-s1': 1.5,
  };
  const v = (a: string, b: string) => (a === b ? 0 : (value[`${a}|${b}`] ?? value[`${b}|${a}`] ?? null));
  const result: DissimilarityResult = {
    kind: 'dissimilarity', metric: 'angular_procrustes', runs: sent, groups: sent.map((n) => n.replace(/-s\d$/, '')),
    matrix: sent.map((a) => sent.map((b) => v(a, b))),
    euclidean: sent.map((a) => sent.map((b) => { const x = v(a, b); return x === null ? null : 2 * x; })),
    within: {}, between: {},
    incomparable: sent.filter((n) => n !== 'oblique-s2').map((n) => ({ runs: [n, 'oblique-s2'] as [string, string], reason: 'evaluated on different trials' })),
  };

  it('orders the runs by variant, then seed, and permutes the matrix with them', () => {
    const m = heatmapModel(result, 'angular', session);
    const names = m.runs.map((r) => r.name);
    assert.deepEqual(names, ['aligned-s0', 'aligned-s1', 'aligned-s2', 'oblique-s0', 'oblique-s1', 'oblique-s2']);
    assert.deepEqual(m.runs.map((r) => r.short), ['s0', 's1', 's2', 's0', 's1', 's2']);
    assert.deepEqual(m.runs.map((r) => r.colour), [0, 0, 0, 1, 1, 1]);
    names.forEach((a, i) => names.forEach((b, j) => assert.equal(m.values[i]?.[j], v(a, b), `${a} x ${b}`)));
    assert.equal(m.max, 1.5);
    assert.equal(m.notCompared.size, 5, 'o-s2 against each other run, once per pair');
    assert.equal(m.notCompared.get('0|5'), 'evaluated on different trials');
  });

  it('the within- and between-variant means of the shown matrix, as worked out by hand', () => {
    const m = heatmapModel(result, 'angular', session);
    const within = Object.fromEntries(m.within.map((w) => [w.group, w.summary]));
    // aligned: 0.2, 0.4, 0.3 -> mean 0.3, sd 0.1; oblique: only s0-s1 was compared
    assert.ok(Math.abs(defined(within.aligned).mean - 0.3) < 1e-12 && Math.abs((defined(within.aligned).sd ?? 0) - 0.1) < 1e-12);
    assert.deepEqual(within.oblique, { mean: 0.8, sd: null, pairs: 1 });
    // between: 1.0 .. 1.5 -> mean 1.25, sd sqrt(0.175 / 5)
    const [b] = m.between;
    assert.equal(m.between.length, 1);
    assert.deepEqual([b?.a, b?.b, b?.summary.pairs], ['aligned', 'oblique', 6]);
    assert.ok(Math.abs((b?.summary.mean ?? 0) - 1.25) < 1e-12 && Math.abs((b?.summary.sd ?? 0) - Math.sqrt(0.035)) < 1e-12);
    assert.equal(summaryText(defined(within.aligned)), '0.3 ± 0.1 (3 pairs)');
    // Euclidean: the other matrix (here twice the angular one), its own means
    const e = heatmapModel(result, 'euclidean', session);
    assert.ok(Math.abs((e.within[0]?.summary.mean ?? 0) - 0.6) < 1e-12);
    assert.equal(e.max, 3);
  });

  it('copies the matrix as shown, in display order', () => {
    const t = heatmapTable(heatmapModel(result, 'angular', session));
    assert.deepEqual(t.columns, ['run', 'aligned-s0', 'aligned-s1', 'aligned-s2', 'oblique-s0', 'oblique-s1', 'oblique-s2']);
    assert.deepEqual(t.rows[5], ['oblique-s2', '–', '–', '–', '–', '–', '0']);
    assert.deepEqual(t.rows[0], ['aligned-s0', '0', '0.2', '0.4', '1', '1.1', '–']);
  });

  it('marks a network that has not learned, with its reason', () => {
    const s = new Session('live', loadSpec(SPEC, 't.rnn.yaml').runs);
    const entry = defined(s.byName('oblique-s1'));
    entry.learned = { ok: false, reason: 'not learned: evaluation loss 0.3 > 0.05' };
    const m = heatmapModel(result, 'angular', s);
    assert.deepEqual(m.runs.filter((r) => r.notLearned).map((r) => [r.name, r.notLearned]), [['oblique-s1', 'not learned: evaluation loss 0.3 > 0.05']]);
    assert.ok(heatmapModel(result, 'angular', session).runs.every((r) => r.notLearned === undefined));
  });

  it('runs the page does not show (Open run of one seed) take their seed from the name, their variant from the row', () => {
    const one = new Session('stored', [defined(loadSpec(SPEC, 't.rnn.yaml').runs[4])], undefined, ['aligned', 'oblique']);
    const m = heatmapModel({ ...result, groups: sent.map((n) => `${n.replace(/-s\d$/, '')} [N=8]`) }, 'angular', one);
    assert.deepEqual(m.runs.map((r) => r.name), ['aligned-s0', 'aligned-s1', 'aligned-s2', 'oblique-s0', 'oblique-s1', 'oblique-s2']);
    assert.deepEqual(m.runs.map((r) => r.colour), [0, 0, 0, 1, 1, 1]);
  });
});
