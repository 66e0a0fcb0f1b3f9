/**
 * The within- and between-group summaries of a dissimilarity matrix (docs/science.md
 * §4.7, the paper's Fig 4), against means and sample sds worked out by hand.
 */
import * as assert from 'node:assert/strict';
import { pairSummaries } from '../../../src/core/analysis/pair-summaries';
import { defined } from '../../../src/core/checked';

describe('pairSummaries (within / between the groups of a dissimilarity matrix)', () => {
  // two aligned seeds, three oblique ones
  const groups = ['aligned', 'aligned', 'oblique', 'oblique', 'oblique'];
  const m = [
    [0, 0.2, 0.3, 0.4, 0.5],
    [0.2, 0, 0.6, 0.7, 0.8],
    [0.3, 0.6, 0, 0.5, 0.7],
    [0.4, 0.7, 0.5, 0, 0.9],
    [0.5, 0.8, 0.7, 0.9, 0],
  ];

  it('means and sample sds over the pairs i < j of a group, and over every pair across two groups', () => {
    const { within, between } = pairSummaries(groups, m);
    // one aligned pair: sd is null
    assert.deepEqual(within.aligned, { mean: 0.2, sd: null, pairs: 1 });
    // oblique: 0.5, 0.7, 0.9 -> mean 0.7, sd sqrt((0.04 + 0 + 0.04) / 2) = 0.2
    const ob = defined(within.oblique);
    assert.equal(ob.pairs, 3);
    assert.ok(Math.abs(ob.mean - 0.7) < 1e-12 && Math.abs((ob.sd ?? 0) - 0.2) < 1e-12, JSON.stringify(ob));
    // across: 0.3..0.8 in steps of 0.1 -> mean 0.55, sd sqrt(0.175 / 5)
    const ab = defined(between['aligned|oblique']);
    assert.equal(ab.pairs, 6);
    assert.ok(Math.abs(ab.mean - 0.55) < 1e-12 && Math.abs((ab.sd ?? 0) - Math.sqrt(0.035)) < 1e-12, JSON.stringify(ab));
    assert.deepEqual(Object.keys(between), ['aligned|oblique'], 'one key per unordered pair of groups, in order of first appearance');
  });

  it('leaves out pairs not compared (null), and a group with none has no entry', () => {
    const holes = m.map((r) => [...r]) as (number | null)[][];
    for (const [i, j] of [[0, 1], [1, 0], [0, 2], [2, 0]] as const) defined(holes[i])[j] = null;
    const { within, between } = pairSummaries(groups, holes);
    assert.equal(within.aligned, undefined);
    assert.equal(defined(between['aligned|oblique']).pairs, 5);
    assert.ok(Math.abs(defined(between['aligned|oblique']).mean - 0.6) < 1e-12);
  });

  it('groups in order of first appearance, whatever the order of the runs', () => {
    const { between } = pairSummaries(['b', 'a', 'b'], [[0, 1, 2], [1, 0, 3], [2, 3, 0]]);
    assert.deepEqual(between, { 'b|a': { mean: 2, sd: Math.SQRT2, pairs: 2 } });
  });
});
