import * as assert from 'node:assert/strict';
import { completeSpecName, freshSpecName, specNameProblem } from '../../../src/extension/specFileName';

describe('extension/specFileName: names for New experiment', () => {
  it('completes a name typed without .rnn.yaml instead of rejecting it', () => {
    assert.equal(completeSpecName('my-run'), 'my-run.rnn.yaml');
    assert.equal(completeSpecName('  my-run  '), 'my-run.rnn.yaml');
    assert.equal(completeSpecName('runs/my-run'), 'runs/my-run.rnn.yaml');
    assert.equal(completeSpecName('my-run.yaml'), 'my-run.rnn.yaml');
    assert.equal(completeSpecName('my-run.yml'), 'my-run.rnn.yaml');
    assert.equal(completeSpecName('my-run.rnn'), 'my-run.rnn.yaml');
    assert.equal(completeSpecName('my-run.rnn.yml'), 'my-run.rnn.yaml');
    assert.equal(completeSpecName('my-run.'), 'my-run.rnn.yaml');
    assert.equal(completeSpecName('my-run.rnn.yaml'), 'my-run.rnn.yaml');
    for (const typed of ['my-run', 'a/b', 'x.yaml']) assert.equal(specNameProblem(completeSpecName(typed)), undefined, typed);
  });

  it('still refuses what no completion can fix', () => {
    for (const bad of ['', '   ', '../out', 'a/../../b', '/abs', 'a\\b', 'dir/']) {
      assert.ok(specNameProblem(completeSpecName(bad)) !== undefined, JSON.stringify(bad));
    }
  });

  it('suggests a name that does not exist: never the example the workspace already holds', async () => {
    const files = new Set(['cycling.rnn.yaml', 'cycling-2.rnn.yaml']);
    const taken = async (n: string) => files.has(n);
    assert.equal(await freshSpecName('cycling', taken), 'cycling-3.rnn.yaml');
    assert.equal(await freshSpecName('flipflop-oblique', taken), 'flipflop-oblique.rnn.yaml');
    assert.equal(await freshSpecName('cycling', async () => false), 'cycling.rnn.yaml');
    assert.match(await freshSpecName('x', async () => true, 3), /^x-\d+\.rnn\.yaml$/);
  });
});
