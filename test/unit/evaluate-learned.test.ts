/**
 * The learned flag judges the better of two noise-free losses: from x_0 = h_0 (where the
 * measures are taken) and from the initial states the network was trained from
 * (x_0 = h_0 + sigma_init xi, frozen); x_0 = h_0 is a start that training with
 * sigma_init > 0 never visits (docs/analyses.md: Romo).
 */
import * as assert from 'node:assert/strict';
import { useBackend } from './helpers/tf';
import { loadSpec } from '../../src/spec/resolve';
import { Network, initWeights } from '../../src/core/model';
import { makeRng } from '../../src/core/rng';
import { simulate } from '../../src/core/simulate';
import { evaluationLoss } from '../../src/core/loss';
import { generateBatch, taskDims } from '../../src/core/tasks/registry';
import { evaluate, frozenInitialStates, learnedLoss } from '../../src/core/evaluate';
import { offStartNote } from '../../src/cli/table';
import type { RunConfig } from '../../src/core/types';
import { at } from '../../src/core/checked';

function runOf(yaml: string): RunConfig {
  const loaded = loadSpec(yaml, 'l.rnn.yaml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return at(loaded.runs, 0);
}

describe('learned: the loss from the initial states of training', function () {
  this.timeout(60_000);
  before(() => useBackend('cpu'));

  async function losses(yaml: string, weightSeed = 0) {
    const run = runOf(yaml);
    const net = new Network(initWeights(run.network, taskDims(run.task), makeRng(weightSeed, 'weights')), run.network.train);
    try {
      const batch = generateBatch(run.task, run.evaluation.batch, run.network.dt, makeRng(run.evaluation.seed, 'eval'), true);
      const e = await evaluate(net, run, batch);
      const fromZero = evaluationLoss(batch, simulate(net, run.network.dt, batch, { x0: new Float32Array(batch.B * run.network.N), noiseStd: 0, rng: null }).outputs);
      const fromTrained = evaluationLoss(batch, simulate(net, run.network.dt, batch, { x0: frozenInitialStates(net, run, batch.B), noiseStd: 0, rng: null }).outputs);
      return { run, e, fromZero, fromTrained };
    } finally {
      net.dispose();
    }
  }

  it('eval_loss is from x_0 = h_0 = 0, eval_loss_x0rand from the frozen sigma_init states; learned takes the better', async () => {
    const spec = (extra = '') => `task: { kind: flipflop }\nnetwork: { N: 16, output_scale: small }\nevaluation: { batch: 8${extra} }\nanalysis: []`;
    const { e, fromZero, fromTrained } = await losses(spec());
    assert.equal(e.eval_loss, fromZero);
    assert.equal(e.eval_loss_x0rand, fromTrained);
    // this untrained fixture does better from the trained starts, as the trained Romo networks did
    assert.ok(fromTrained < fromZero, `${fromTrained} vs ${fromZero}`);
    assert.equal(learnedLoss(e), fromTrained);
    for (const [threshold, learned] of [[(fromZero + fromTrained) / 2, true], [fromTrained * 0.99, false], [fromZero * 1.01, true]] as const) {
      const { e: judged } = await losses(spec(`, learned_threshold: ${threshold}`));
      assert.equal(judged.learned, learned, `threshold ${threshold}`);
    }
  });

  it('and when x_0 = h_0 does better, that one', async () => {
    const spec = (extra = '') => `task: { kind: romo }\nnetwork: { N: 16, output_scale: large }\nevaluation: { batch: 8${extra} }\nanalysis: []`;
    const { e } = await losses(spec(), 3);
    const fromTrained = e.eval_loss_x0rand ?? Number.NaN;
    assert.ok(e.eval_loss < fromTrained, `${e.eval_loss} vs ${fromTrained}`);
    const { e: judged } = await losses(spec(`, learned_threshold: ${(e.eval_loss + fromTrained) / 2}`), 3);
    assert.equal(judged.learned, true);
  });

  it('without initial noise (sigma_init = 0) both are the loss from x_0 = h_0', async () => {
    const { e, fromZero } = await losses('task: { kind: romo }\nnetwork: { N: 16 }\nnoise: { initial: 0 }\nevaluation: { batch: 8 }\nanalysis: []');
    assert.equal(e.eval_loss, fromZero);
    assert.equal(e.eval_loss_x0rand, fromZero);
  });

  it('a learned run whose loss from x_0 = h_0 is above the threshold gets a note; others do not', () => {
    const base = { name: 'oblique-s0', learned: true, learned_threshold: 0.05 };
    assert.match(offStartNote({ ...base, eval_loss: 0.81, eval_loss_x0rand: 0.023 }) ?? '', /^oblique-s0: learned \(eval loss 0\.023 from the initial states of training\), but 0\.81 from x_0 = h_0/);
    assert.equal(offStartNote({ ...base, eval_loss: 0.01, eval_loss_x0rand: 0.02 }), undefined);
    assert.equal(offStartNote({ ...base, learned: false, eval_loss: 0.81, eval_loss_x0rand: 0.3 }), undefined);
    assert.equal(offStartNote({ ...base, eval_loss: 0.81, eval_loss_x0rand: null }), undefined);
    // metrics.json of older runs may lack the key
    assert.equal(offStartNote({ ...base, eval_loss: 0.81 } as Parameters<typeof offStartNote>[0]), undefined);
    assert.equal(learnedLoss({ eval_loss: 0.2 } as Parameters<typeof learnedLoss>[0]), 0.2);
    // older runs without eval_loss_x0rand: judged on eval_loss; otherwise the better start
    assert.equal(learnedLoss({ eval_loss: 0.2, eval_loss_x0rand: null }), 0.2);
    assert.equal(learnedLoss({ eval_loss: 0.02, eval_loss_x0rand: 0.04 }), 0.02);
    assert.equal(learnedLoss({ eval_loss: 0.8, eval_loss_x0rand: 0.04 }), 0.04);
  });
});
