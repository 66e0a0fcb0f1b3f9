'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vscode = require('vscode');
const { activate, workspaceRoot, waitFor, closeAllEditors } = require('./helpers.cjs');

/** A valid spec gets the Train lens (an invalid one its first error instead). */
async function trainLens(uri, name) {
  let titles = [];
  await waitFor(async () => {
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
    titles = lenses.filter((l) => l.command).map((l) => l.command.title);
    return titles.includes('▶ Train');
  }, { what: `the Train lens on ${name}`, describe: () => titles.join(' | ') });
}

describe('New experiment', function () {
  this.timeout(60_000);
  const dir = () => path.join(workspaceRoot(), 'new-experiments');
  before(activate);
  after(async () => {
    await closeAllEditors();
    fs.rmSync(dir(), { recursive: true, force: true });
  });

  it('has an example spec per task to start from, each a valid spec', async () => {
    const ext = await activate();
    for (const kind of ['cycling', 'flipflop', 'mante', 'romo', 'complex_sine', 'sine']) {
      const uri = vscode.Uri.joinPath(ext.extensionUri, 'examples', `${kind}.rnn.yaml`);
      assert.ok(fs.existsSync(uri.fsPath), `examples/${kind}.rnn.yaml exists`);
      await vscode.workspace.openTextDocument(uri);
      await trainLens(uri, `examples/${kind}.rnn.yaml`);
    }
  });

  for (const [task, regime, expectVariants] of [['flipflop', 'oblique', false], ['sine', 'both', true]]) {
    it(`writes ${task} (${regime}) into the workspace, opens it, and it is a valid spec`, async () => {
      const fileName = `new-experiments/${task}-${regime}.rnn.yaml`;
      const uri = await vscode.commands.executeCommand('rnnlab.newExperiment', { task, regime, fileName });
      assert.ok(uri, 'the command returns the new file');
      assert.equal(uri.fsPath, path.join(workspaceRoot(), ...fileName.split('/')));
      const editor = await waitFor(() => {
        const e = vscode.window.activeTextEditor;
        return e && e.document.uri.fsPath === uri.fsPath ? e : undefined;
      }, { what: 'the new spec in the active editor' });
      const text = editor.document.getText();
      assert.match(text, new RegExp(`kind: ${task}\\b`));
      if (expectVariants) {
        assert.match(text, /output_scale: small/);
        assert.match(text, /output_scale: large/);
      } else {
        assert.doesNotMatch(text, /^variants:/m);
        assert.match(text, /output_scale: large/);
      }
      await trainLens(uri, fileName);
      const errors = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'rnnlab' && d.severity === vscode.DiagnosticSeverity.Error);
      assert.deepEqual(errors.map((d) => d.message), []);
    });
  }

  it('creates a new file as one undoable edit: Undo deletes it', async () => {
    const fileName = 'new-experiments/undo-me.rnn.yaml';
    const file = path.join(workspaceRoot(), ...fileName.split('/'));
    const uri = await vscode.commands.executeCommand('rnnlab.newExperiment', { task: 'cycling', regime: 'aligned', fileName });
    assert.ok(uri && fs.existsSync(file));
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('undo');
    await waitFor(() => !fs.existsSync(file), { what: 'Undo to delete the new spec', timeout: 5000 });
  });

  it('replaces an existing file when told to, and Undo brings its text back', async () => {
    fs.mkdirSync(dir(), { recursive: true });
    const fileName = 'new-experiments/keep.rnn.yaml';
    const file = path.join(workspaceRoot(), 'new-experiments', 'keep.rnn.yaml');
    const mine = 'name: mine\ntask: { kind: sine }\n';
    fs.writeFileSync(file, mine);
    const uri = await vscode.commands.executeCommand('rnnlab.newExperiment', { task: 'mante', regime: 'aligned', fileName, overwrite: true });
    assert.ok(uri);
    await waitFor(() => fs.readFileSync(file, 'utf8').includes('kind: mante'), { what: 'the replaced spec saved to disk' });
    const editor = await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('undo');
    await waitFor(() => editor.document.getText() === mine, { what: 'Undo to restore the previous text', timeout: 5000, describe: () => editor.document.getText().slice(0, 80) });
    await vscode.commands.executeCommand('workbench.action.files.save');
    assert.equal(fs.readFileSync(file, 'utf8'), mine);
  });

  it('refuses file names that leave the workspace folder or are not specs', async () => {
    for (const fileName of ['../outside.rnn.yaml', 'a/../../b.rnn.yaml', 'plain.yaml', '/abs.rnn.yaml']) {
      const uri = await vscode.commands.executeCommand('rnnlab.newExperiment', { task: 'sine', regime: 'both', fileName });
      assert.equal(uri, undefined, fileName);
    }
    assert.ok(!fs.existsSync(path.join(path.dirname(workspaceRoot()), 'outside.rnn.yaml')));
    assert.ok(!fs.existsSync(path.join(workspaceRoot(), 'plain.yaml')));
  });

  it('writes only into a workspace folder or a folder inside one, even when told to overwrite', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-outside-'));
    try {
      const fileName = 'escaped.rnn.yaml';
      fs.writeFileSync(path.join(outside, fileName), 'keep me\n');
      for (const folder of [vscode.Uri.file(outside), vscode.Uri.file(path.dirname(workspaceRoot())), 'not a uri']) {
        const uri = await vscode.commands.executeCommand('rnnlab.newExperiment', { task: 'sine', regime: 'both', fileName, folder, overwrite: true });
        assert.equal(uri, undefined, String(folder));
      }
      assert.equal(fs.readFileSync(path.join(outside, fileName), 'utf8'), 'keep me\n');
      assert.ok(!fs.existsSync(path.join(path.dirname(workspaceRoot()), fileName)));
      // A folder inside the workspace folder is fine.
      const inside = vscode.Uri.file(dir());
      const uri = await vscode.commands.executeCommand('rnnlab.newExperiment', { task: 'sine', regime: 'both', fileName, folder: inside });
      assert.equal(uri?.fsPath, path.join(dir(), fileName));
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
