'use strict';
const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, openSpec, ourDiagnostics, closeAllEditors } = require('./helpers.cjs');

function rangeOf(d) {
  return [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
}

describe('diagnostics', () => {
  before(activate);
  afterEach(async () => {
    // The edit test leaves its spec dirty: revert it, so closing asks nothing.
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await closeAllEditors();
  });

  it('puts an unknown key at its exact range, as an error with source and code', async () => {
    const { doc } = await openSpec('unknown-key.rnn.yaml');
    const [d, ...rest] = await ourDiagnostics(doc.uri);
    assert.equal(rest.length, 0);
    assert.deepEqual(rangeOf(d), [5, 2, 5, 6], 'the key `gain` on line 6');
    assert.equal(doc.getText(d.range), 'gain');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.source, 'rnnlab');
    assert.equal(d.code, 'unknown-key');
    assert.match(d.message, /Unknown key "gain" in network\. Allowed keys: N, g,/);
  });

  it('reports bad YAML where the parser stops, with the parser code', async () => {
    const { doc } = await openSpec('bad-yaml.rnn.yaml');
    const ds = await ourDiagnostics(doc.uri);
    assert.equal(ds.length, 1, ds.map((d) => d.message).join(' | '));
    assert.deepEqual(rangeOf(ds[0]), [4, 0, 4, 1]);
    assert.equal(ds[0].code, 'yaml.BAD_INDENT');
    assert.equal(ds[0].severity, vscode.DiagnosticSeverity.Error);
  });

  it('follows edits: fixed after the debounce, back at the new place when broken again', async () => {
    const { doc, editor } = await openSpec('unknown-key.rnn.yaml');
    await ourDiagnostics(doc.uri);
    await editor.edit((e) => e.replace(new vscode.Range(5, 2, 5, 6), 'g'));
    await ourDiagnostics(doc.uri, { until: (ds) => ds.length === 0, what: 'no diagnostics once gain became g' });
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '\n\nbogus: 1\n'));
    const [d] = await ourDiagnostics(doc.uri, { what: 'the new unknown key' });
    assert.deepEqual(rangeOf(d), [2, 0, 2, 5]);
    assert.equal(d.code, 'unknown-key');
    assert.equal(doc.getText(d.range), 'bogus');
  });
});
