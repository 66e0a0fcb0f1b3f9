/** What the extension shows of a forked CLI's failure (dissimilarity and recordings). */
import * as assert from 'node:assert/strict';
import { cliFailure } from '../../../src/extension/panel/cliChild';

describe('a forked CLI bundle\'s failure, in words', () => {
  it('is the text after the last rnnlab: line, without the pointer to --help', () => {
    assert.equal(cliFailure('progress line\nrnnlab: x is not a folder.\nRun rnnlab --help for usage.\n'), 'x is not a folder.');
  });

  it('keeps a listing of several lines and drops stack frames and the Error: prefix', () => {
    assert.equal(cliFailure('rnnlab: bad.npz has no activity; it has\n  rates [4 x 3]\n'), 'bad.npz has no activity; it has\n  rates [4 x 3]');
    assert.equal(cliFailure('rnnlab: Error: out of memory\n    at f (x.js:1:1)\n    at g (y.js:2:2)\n'), 'out of memory');
  });

  it('a crash without an rnnlab: line gives what it printed; nothing gives undefined', () => {
    assert.equal(cliFailure('Segmentation fault\n'), 'Segmentation fault');
    assert.equal(cliFailure(''), undefined);
    assert.equal(cliFailure('   \n'), undefined);
  });

  it('cuts a very long text', () => {
    const t = cliFailure(`rnnlab: ${'x'.repeat(5000)}`);
    assert.equal(t?.length, 4001);
  });
});
