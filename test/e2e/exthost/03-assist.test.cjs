'use strict';
const assert = require('node:assert/strict');
const vscode = require('vscode');
const { activate, openSpec, closeAllEditors } = require('./helpers.cjs');

/** The Markdown of every hover at a position, joined. */
async function hoverText(uri, position) {
  const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, position);
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n---\n');
}

function positionOf(doc, needle, delta = 0) {
  const offset = doc.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} is in ${doc.fileName}`);
  return doc.positionAt(offset + delta);
}

describe('hover and completion', () => {
  before(activate);
  after(closeAllEditors);

  it('explains a key from the schema, with its default and range', async () => {
    const { doc } = await openSpec('small.rnn.yaml');
    const text = await hoverText(doc.uri, positionOf(doc, 'N: 16'));
    assert.match(text, /\*\*`network\.N`\*\* · `integer`/);
    assert.match(text, /Number of rate units/);
    assert.match(text, /Default: `512` · Range: 2 to 4096/);
  });

  it('explains task.kind: the list of kinds on the key, the task itself on the value', async () => {
    const { doc } = await openSpec('small.rnn.yaml');
    const onKey = await hoverText(doc.uri, positionOf(doc, 'kind', 1));
    assert.match(onKey, /\*\*`task\.kind`\*\*/);
    assert.match(onKey, /`flipflop`: 3-bit flip-flop memory/);
    const onValue = await hoverText(doc.uri, positionOf(doc, 'cycling', 2));
    assert.match(onValue, /^\*\*Cycling \(two contexts, opposite rotations\)\*\* \(`cycling`\)/);
    assert.match(onValue, /Russo et al\. \(2018\)/);
  });

  it('has no hover on a comment', async () => {
    const { doc } = await openSpec('small.rnn.yaml');
    assert.equal(await hoverText(doc.uri, new vscode.Position(0, 5)), '');
  });

  it('completes task kinds as values and network keys as properties, with their defaults', async () => {
    const { doc } = await openSpec('complete.rnn.yaml');
    const kinds = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(2, 8));
    const ours = kinds.items.filter((i) => i.kind === vscode.CompletionItemKind.EnumMember).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.deepEqual(ours, ['cycling', 'flipflop', 'mante', 'romo', 'complex_sine', 'sine']);
    const flipflop = kinds.items.find((i) => i.label === 'flipflop');
    assert.match(flipflop.documentation.value, /flip-flop/i);

    const keys = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(5, 2));
    const props = keys.items.filter((i) => i.kind === vscode.CompletionItemKind.Property);
    assert.deepEqual(props.map((i) => i.label), ['g', 'dt', 'output_scale', 'train', 'h0_std'], 'N is present already');
    const g = props.find((i) => i.label === 'g');
    assert.equal(typeof g.insertText === 'string' ? g.insertText : g.insertText.value, 'g: 1.5');
    assert.match(g.detail, /default 1\.5/);
  });
});
