'use strict';
const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, openSpec, closeAllEditors, waitFor } = require('./helpers.cjs');

async function lenses(uri) {
  const all = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 10);
  return all.filter((l) => l.command?.command.startsWith('rnnlab.'));
}

describe('CodeLens', () => {
  before(activate);
  after(closeAllEditors);

  it('offers Train, Train <variant> and Open panel on a valid spec', async () => {
    const { doc } = await openSpec('small.rnn.yaml');
    const ls = await lenses(doc.uri);
    assert.deepEqual(ls.map((l) => l.command.title), ['▶ Train', 'Train aligned', 'Train oblique', 'Open panel']);
    assert.deepEqual(ls.map((l) => l.command.command), ['rnnlab.train', 'rnnlab.trainVariant', 'rnnlab.trainVariant', 'rnnlab.openPanel']);
    assert.equal(ls[1].command.arguments[1], 'aligned');
    assert.equal(ls[0].command.arguments[0].toString(), doc.uri.toString());
    for (const l of ls) assert.equal(l.range.start.line, 0);
  });

  it('shows the first error instead of Train on an invalid spec, and a click goes to its line', async () => {
    const { doc } = await openSpec('unknown-key.rnn.yaml');
    const ls = await lenses(doc.uri);
    assert.deepEqual(ls.map((l) => l.command.command), ['rnnlab._revealProblem', 'rnnlab.openPanel']);
    const title = ls[0].command.title;
    assert.ok(title.startsWith('⚠ Unknown key "gain" in network.'), title);
    assert.ok(title.endsWith(' (line 6)'), title);
    assert.ok(title.length <= 80 + ' (line 6)'.length + 2, `shortened: ${title}`);

    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(0, 0, 0, 0) });
    await vscode.commands.executeCommand(ls[0].command.command, ...ls[0].command.arguments);
    const editor = await waitFor(() => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.toString() === doc.uri.toString() && e.selection.active.line === 5 ? e : undefined;
    }, { what: 'the cursor on line 6' });
    assert.equal(editor.selection.active.character, 2);
  });

  it('turns into Train once the error is fixed', async () => {
    const { doc, editor } = await openSpec('unknown-key.rnn.yaml');
    try {
      await editor.edit((e) => e.replace(new vscode.Range(5, 2, 5, 6), 'g'));
      const titles = await waitFor(async () => {
        const t = (await lenses(doc.uri)).map((l) => l.command.title);
        return t[0] === '▶ Train' ? t : undefined;
      }, { what: 'the Train lens after the fix' });
      assert.deepEqual(titles, ['▶ Train', 'Open panel'], 'one variant: no per-variant lenses');
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
