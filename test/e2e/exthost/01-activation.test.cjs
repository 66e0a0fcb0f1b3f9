'use strict';
const assert = require('node:assert/strict');
const vscode = require('vscode');
const { EXTENSION_ID, waitFor } = require('./helpers.cjs');

describe('activation', () => {
  it('activates by itself in a workspace that contains *.rnn.yaml (workspaceContains)', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    // No ext.activate() here: the activation event alone must start it.
    await waitFor(() => ext.isActive, { timeout: 20_000, what: 'the extension to activate through workspaceContains:**/*.rnn.yaml' });
  });

  it('registers every contributed command, and the test-only one without a palette entry', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    const contributed = ext.packageJSON.contributes.commands.map((c) => c.command);
    assert.deepEqual(contributed.sort(), [
      'rnnlab.analyseRecording', 'rnnlab.compareRuns', 'rnnlab.newExperiment', 'rnnlab.openPanel', 'rnnlab.openRun', 'rnnlab.pause', 'rnnlab.resume',
      'rnnlab.showLog', 'rnnlab.stop', 'rnnlab.train', 'rnnlab.trainVariant',
    ]);
    for (const c of ext.packageJSON.contributes.commands) assert.equal(c.category, 'RNN Lab', `${c.command} shows as "RNN Lab: ${c.title}"`);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of [...contributed, 'rnnlab._test.panelState', 'rnnlab._revealProblem']) assert.ok(registered.has(id), `${id} is registered`);
  });

  it('maps the spec schema for the YAML extension and keeps *.rnn.yaml in the YAML language', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.deepEqual(ext.packageJSON.contributes.yamlValidation, [{ fileMatch: '*.rnn.yaml', url: './dist/rnn-spec.schema.json' }]);
    const schema = await vscode.workspace.fs.stat(vscode.Uri.joinPath(ext.extensionUri, 'dist', 'rnn-spec.schema.json'));
    assert.ok(schema.size > 1000, 'the schema is built into dist/');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'small.rnn.yaml'));
    assert.equal(doc.languageId, 'yaml');
  });
});
