'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, workspaceRoot, ourDiagnostics, closeAllEditors, show } = require('./helpers.cjs');

const SPEC = [
  'name: quick fixes',
  'task:',
  '  kind: cyclng', //             2: a misspelt value
  '  respnse: 31', //              3: a misspelt key (reported once the kind is known)
  'network: { N: 99999 }', //      4: out of range
  'training: { batch: 33 }', //    5: odd batch for cycling (reported once the kind is right)
  '',
].join('\n');

/** The Quick Fixes VS Code offers for a diagnostic, as the light bulb would list them. */
async function quickFixes(uri, d) {
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
  return (actions ?? []).filter((a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
}

describe('Quick Fixes for spec diagnostics', function () {
  this.timeout(60_000);
  const file = () => path.join(workspaceRoot(), 'quick-fixes.rnn.yaml');
  before(async () => {
    await activate();
    fs.writeFileSync(file(), SPEC);
  });
  after(async () => {
    await closeAllEditors();
    fs.rmSync(file(), { force: true });
  });

  it('offers the fix of every diagnostic that has one, and applying them all leaves a clean spec', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file()));
    await vscode.window.showTextDocument(doc);
    const expected = [
      ['bad-enum', 'Change to cycling', 'cycling'],
      ['unknown-key', 'Rename to response', 'response'],
      ['out-of-range', 'Change to 4096, the largest allowed value', '4096'],
    ];
    for (const [code, title, text] of expected) {
      const ds = await ourDiagnostics(doc.uri, { until: (x) => x.some((y) => y.code === code), what: `a ${code} diagnostic` });
      const d = ds.find((x) => x.code === code);
      const fixes = await quickFixes(doc.uri, d);
      assert.deepEqual(fixes.map((a) => a.title), [title], `${code}: ${show(d)}`);
      assert.equal(fixes[0].isPreferred, true);
      assert.ok(await vscode.workspace.applyEdit(fixes[0].edit));
      assert.equal(doc.getText(new vscode.Range(d.range.start, d.range.start.translate(0, text.length))), text);
      await ourDiagnostics(doc.uri, { until: (x) => !x.some((y) => y.code === code), what: `the ${code} diagnostic gone after its fix` });
    }
    // With the kind fixed the task's own check runs: the odd batch.
    const odd = await ourDiagnostics(doc.uri, { until: (x) => x.some((y) => y.code === 'task-constraint'), what: 'the odd-batch diagnostic' });
    const d = odd.find((y) => y.code === 'task-constraint');
    const [fix, ...more] = await quickFixes(doc.uri, d);
    assert.equal(more.length, 0);
    assert.equal(fix.title, 'Change to 34');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await ourDiagnostics(doc.uri, { until: (x) => x.length === 0, what: 'a clean spec' });
    assert.match(doc.getText(), /kind: cycling\n {2}response: 31\nnetwork: \{ N: 4096 \}\ntraining: \{ batch: 34 \}/);
    // Undo takes a fix back like any edit.
    await vscode.commands.executeCommand('undo');
    assert.match(doc.getText(), /batch: 33/);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('offers nothing for a diagnostic it has no sure fix for (an unknown key with no close match)', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'unknown-key.rnn.yaml'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const [d] = await ourDiagnostics(uri);
    assert.equal(d.code, 'unknown-key');
    assert.deepEqual((await quickFixes(uri, d)).map((a) => a.title), []);
  });
});
