/**
 * The explorer's data taken out of a finished run's result (webview/panel/explorer/explorer-data.ts):
 * copies (the result's buffer is transferred to the host right after), x_0 = h_0 for every
 * trial as the view's trajectories start, and §4.6's A_max per task.
 */
import * as assert from 'node:assert/strict';
import { loadSpec } from '../../../src/spec/resolve';
import { initWeights } from '../../../src/core/model';
import { makeRng } from '../../../src/core/rng';
import { generateBatch, taskDims } from '../../../src/core/tasks/registry';
import { explorerDataOf } from '../../../webview/panel/explorer/explorer-data';
import { at } from '../../../src/core/checked';

function result(kind: string) {
  const run = at(loadSpec(`task: { kind: ${kind} }\nnetwork: { N: 8, h0_std: 0.5 }`, 'x.rnn.yaml').runs, 0);
  const evalBatch = generateBatch(run.task, 4, run.network.dt, makeRng(1, 'eval'), true);
  const final = initWeights(run.network, taskDims(run.task), makeRng(1, 'weights'));
  return { run, final, evalBatch };
}

describe('explorer data of a finished run', () => {
  it('copies the final weights and the evaluation batch, starts every trial at h_0, and takes A_max of the task', () => {
    const r = result('cycling');
    const d = explorerDataOf(r);
    if (!d) throw new Error('no data');
    assert.deepEqual(d.setup.W, r.final.W);
    assert.notEqual(d.setup.W.buffer, r.final.W.buffer, 'a copy, not a view of the result');
    assert.deepEqual(d.setup.inputs, r.evalBatch.inputs);
    assert.deepEqual(d.targets, r.evalBatch.targets);
    assert.deepEqual(d.mask, r.evalBatch.mask);
    assert.deepEqual([d.setup.N, d.setup.T, d.setup.B, d.setup.dt, d.setup.seed], [8, r.evalBatch.T, 4, r.run.network.dt, r.run.evaluation.seed]);
    assert.ok(r.final.h0.some((x) => x !== 0));
    for (let b = 0; b < 4; b++) assert.deepEqual(d.setup.x0.slice(b * 8, (b + 1) * 8), r.final.h0);
    assert.equal(d.aMax, 10);
    assert.equal(explorerDataOf(result('romo'))?.aMax, 5);
  });

  it('is undefined for a result without weights or batch (a result of another version)', () => {
    const r = result('cycling');
    assert.equal(explorerDataOf({ run: r.run, evalBatch: r.evalBatch }), undefined);
    assert.equal(explorerDataOf({ run: r.run, final: r.final }), undefined);
  });
});
