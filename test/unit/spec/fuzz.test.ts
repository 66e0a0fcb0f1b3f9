/**
 * A fixed-seed batch of the spec fuzzer (test/fuzz/spec-fuzz.ts) in every test run; the
 * same batch every time, so a failure here is a regression, replayed with the command in
 * its message. `npm run fuzz -- --count 100000` runs more, with a new seed each time.
 */
import * as assert from 'node:assert/strict';
import { describeFailure, fuzzInput, fuzzSpecs } from '../../fuzz/spec-fuzz';
import { loadSpec } from '../../../src/spec/resolve';

const SEED = 20261204;
const COUNT = 2000;

describe('spec fuzzer', function () {
  this.timeout(900_000);

  it(`${COUNT} mutated examples keep every invariant`, async () => {
    const stats = await fuzzSpecs({ seed: SEED, count: COUNT });
    assert.deepEqual(stats.failures.map((f) => describeFailure(SEED, f)), []);
    assert.equal(stats.inputs, COUNT);
    // the batch reaches every stage, or it would prove little
    assert.ok(stats.accepted >= COUNT / 10, `only ${stats.accepted} of ${COUNT} inputs were valid specs`);
    assert.ok(stats.rejected >= COUNT / 10, `only ${stats.rejected} of ${COUNT} inputs were refused`);
    assert.ok(stats.trainingSetUps >= stats.accepted, 'every accepted spec started training');
    assert.ok(stats.stored >= 1, 'some accepted runs went through the run store');
  });

  it('covers the attacks that held up before: alias bombs, deep nesting, prototype keys', () => {
    const applied = new Set<string>();
    let bombs = 0;
    for (let i = 0; i < COUNT; i++) {
      const input = fuzzInput(SEED, i);
      for (const a of input.applied) applied.add(a);
      if (input.applied.includes('alias bomb')) bombs++;
    }
    for (const name of ['byte flip', 'line edit', 'value swap', 'random scalar', 'random collection', 'strange key', 'anchor and alias', 'alias bomb', 'deep nesting']) {
      assert.ok(applied.has(name), `no input of the batch had a ${name}`);
    }
    assert.ok(bombs >= 5);
  });

  it('an alias bomb and deep nesting each get their positioned error', () => {
    let bomb = 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 8; i++) bomb += `l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]\n`;
    assert.deepEqual(loadSpec(bomb).diagnostics.map((d) => d.code), ['yaml.ALIAS_EXPANSION']);
    const deep = loadSpec(`task: { kind: cycling }\nnetwork: ${'['.repeat(5000)}${']'.repeat(5000)}\n`).diagnostics;
    // network: is the first level, so its 64th bracket is the 65th
    assert.deepEqual(deep.map((d) => [d.code, d.line, d.column]), [['too-deep', 1, 9 + 63]]);
  });
});
