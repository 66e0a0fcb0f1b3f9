import * as assert from 'node:assert/strict';
import { loadSpec } from '../../../src/spec/resolve';
import { estimateRunBytes } from '../../../src/core/memory';
import { WORKER_OVERHEAD_BYTES, describePool, pageMemoryBudget, poolSize } from '../../../src/trainer/pool-size';

const GB = 1024 ** 3;
const runsOf = (N: number, seeds: number) =>
  loadSpec(`name: s\ntask: { kind: cycling }\nnetwork: { N: ${N} }\ntraining: { steps: 10, batch: 128 }\nseeds: ${seeds}\n`, 's.rnn.yaml').runs;

describe('pool size', () => {
  it('one worker per run, at most the threads left free, the cap, and what fits in memory', () => {
    const six = runsOf(64, 6);
    assert.deepEqual(pick(poolSize({ runs: six, threads: 16, reserve: 1, budget: 8 * GB })), [6, 'runs']);
    assert.deepEqual(pick(poolSize({ runs: six, threads: 4, reserve: 1, budget: 8 * GB })), [3, 'threads']);
    assert.deepEqual(pick(poolSize({ runs: six, threads: 16, reserve: 1, max: 2, budget: 8 * GB })), [2, 'setting']);
    assert.deepEqual(pick(poolSize({ runs: six, threads: 16, reserve: 0, max: 0, budget: 8 * GB })), [6, 'runs'], '0 is no cap');
    // The panel on a 2-thread machine: one worker, the other thread draws the views.
    assert.deepEqual(pick(poolSize({ runs: six, threads: 2, reserve: 1, budget: 8 * GB })), [1, 'threads']);
    // Never none, even on one thread.
    assert.deepEqual(pick(poolSize({ runs: six, threads: 1, reserve: 1, budget: 8 * GB })), [1, 'threads']);
  });

  it('counts every worker at the largest run of the spec plus its own footprint', () => {
    const big = runsOf(512, 4);
    const each = estimateRunBytes(big[0] ?? assert.fail('no run')) + WORKER_OVERHEAD_BYTES;
    const size = poolSize({ runs: big, threads: 16, reserve: 1, budget: 2.5 * each });
    assert.deepEqual(pick(size), [2, 'memory']);
    assert.equal(size.bytesPerWorker, each);
    // A spec whose largest run alone exceeds the budget still trains, on one worker (the spec check refused runs that cannot fit at all).
    assert.deepEqual(pick(poolSize({ runs: big, threads: 16, reserve: 1, budget: each / 2 })), [1, 'memory']);
    // Mixed sizes: the largest decides.
    const mixed = [...runsOf(32, 2), ...big.slice(0, 1)];
    assert.equal(poolSize({ runs: mixed, threads: 16, reserve: 1, budget: 8 * GB }).bytesPerWorker, each);
  });

  it('the panel budget is half the device memory Chromium reports, 2 GB when it reports none', () => {
    assert.equal(pageMemoryBudget(8), 4 * GB);
    assert.equal(pageMemoryBudget(0.5), 0.25 * GB);
    assert.equal(pageMemoryBudget(undefined), 2 * GB);
    assert.equal(pageMemoryBudget(0), 2 * GB);
  });

  it('says why there are not more workers', () => {
    const six = runsOf(64, 6);
    assert.equal(describePool(poolSize({ runs: six, threads: 16, reserve: 1, budget: 8 * GB })), '6 workers, one per run');
    assert.equal(describePool(poolSize({ runs: six, threads: 2, reserve: 1, budget: 8 * GB })), '1 worker for 2 hardware threads (1 kept for the page)');
    assert.equal(describePool(poolSize({ runs: six, threads: 4, reserve: 0, budget: 8 * GB }), '--jobs'), '4 workers, as --jobs asks');
    assert.equal(describePool(poolSize({ runs: six, threads: 16, reserve: 1, max: 2, budget: 8 * GB }), 'rnnlab.maxWorkers'), '2 workers, as rnnlab.maxWorkers allows');
    const big = runsOf(512, 4);
    const each = estimateRunBytes(big[0] ?? assert.fail('no run')) + WORKER_OVERHEAD_BYTES;
    assert.equal(describePool(poolSize({ runs: big, threads: 16, reserve: 1, budget: 2.5 * each })), `2 workers: each needs about ${Math.ceil(each / 1024 ** 2)} MB of a ${Math.ceil((2.5 * each) / 1024 ** 2)} MB memory budget`);
  });
});

function pick(p: ReturnType<typeof poolSize>): [number, string] {
  return [p.workers, p.limitedBy];
}
