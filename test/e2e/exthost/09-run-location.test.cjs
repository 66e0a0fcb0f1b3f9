// Where runs go: the extension follows the same rule as the CLI (src/store/location.ts:
// .rnnlab/runs in the spec's own folder), Open run finds every store of the workspace,
// and two specs with the same name: get distinct panel titles and run folders.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, panelState, waitFor, workspaceRoot, closeAllEditors, loadSources } = require('./helpers.cjs');

describe('run location and names', function () {
  this.timeout(300_000);
  const nested = () => path.join(workspaceRoot(), 'location-test');
  let m;

  before(async () => {
    m = loadSources(["export { specStore } from './src/store/location';", "export { workspaceStoreBases } from './src/extension/runStore';"]);
    await activate();
    await closeAllEditors();
    fs.mkdirSync(path.join(nested(), 'deeper'), { recursive: true });
    // the same spec, and so the same name:, in another file
    fs.copyFileSync(path.join(workspaceRoot(), 'small.rnn.yaml'), path.join(nested(), 'deeper', 'copy.rnn.yaml'));
  });
  after(async () => {
    await closeAllEditors();
    fs.rmSync(nested(), { recursive: true, force: true });
  });

  it('a spec in a subfolder trains into .rnnlab/runs beside it, the folder the CLI uses, with the file in the session name', async () => {
    const spec = vscode.Uri.file(path.join(nested(), 'deeper', 'copy.rnn.yaml'));
    await vscode.commands.executeCommand('rnnlab.train', spec);
    let last;
    const done = await waitFor(
      async () => {
        last = (await panelState(spec.toString())).current;
        return last && (last.stored.length === 2 || last.storeFailures.length > 0 || last.runFailures.length > 0) ? last : undefined;
      },
      { timeout: 240_000, interval: 500, what: 'two stored runs', describe: () => JSON.stringify(last) },
    );
    assert.deepEqual(done.storeFailures, []);
    const session = path.dirname(done.stored[0]);
    assert.equal(path.dirname(session), m.specStore(spec.fsPath));
    assert.equal(path.dirname(session), path.join(nested(), 'deeper', '.rnnlab', 'runs'));
    assert.match(path.basename(session), /^e2e-small-copy-\d{8}-\d{6}$/);
    assert.equal(done.title, 'RNN Lab: e2e small (copy.rnn.yaml)');
  });

  it('two specs with the same name: have panels with different titles', async () => {
    const original = vscode.Uri.file(path.join(workspaceRoot(), 'small.rnn.yaml'));
    await vscode.commands.executeCommand('rnnlab.openPanel', original);
    const s = await waitFor(async () => (await panelState(original.toString())).current, { what: 'the panel of small.rnn.yaml' });
    // name: differs from the file name in both, so both titles carry their file
    assert.equal(s.title, 'RNN Lab: e2e small (small.rnn.yaml)');
    const copy = (await panelState(vscode.Uri.file(path.join(nested(), 'deeper', 'copy.rnn.yaml')).toString())).current;
    assert.notEqual(copy.title, s.title);
  });

  it('Open run looks in every store of the workspace: beside each spec, and where runs are without a spec', async () => {
    // runs a CLI wrote for a spec that has since moved
    const orphan = path.join(nested(), 'moved', '.rnnlab', 'runs', 'gone-20260101-000000', 'aligned-s0');
    fs.mkdirSync(orphan, { recursive: true });
    fs.writeFileSync(path.join(orphan, 'run.json'), '{}');
    const bases = await m.workspaceStoreBases();
    for (const b of [workspaceRoot(), path.join(nested(), 'deeper'), path.join(nested(), 'moved')]) assert.ok(bases.includes(b), `${b} in ${JSON.stringify(bases)}`);
  });
});
