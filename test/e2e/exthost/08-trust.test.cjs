// Restricted Mode: what the manifest declares, and the one gate every Train passes. The
// harness runs code-server with workspace trust off (a trusted workspace), so the
// untrusted case goes through the same code with the trust state given to it.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { ROOT, activate, closeAllEditors, loadSources, openSpec } = require('./helpers.cjs');

describe('Restricted Mode', () => {
  let m;
  before(async () => {
    await activate();
    m = loadSources([
      "export { trainingAllowed, TRUST_NEEDED } from './src/extension/trust';",
      "export { SpecCodeLensProvider } from './src/extension/codelens';",
      "export { SpecCache } from './src/extension/specs';",
    ]);
  });
  after(closeAllEditors);

  it('is declared: limited support, saying what works and what needs trust', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const u = manifest.capabilities.untrustedWorkspaces;
    assert.equal(u.supported, 'limited');
    assert.match(u.description, /checks specs .*shows stored runs/);
    assert.match(u.description, /Train.*needs a trusted workspace/);
  });

  it('lets training start in a trusted workspace only, and says why not otherwise', () => {
    const shown = [];
    const log = { showWarning: (message, actions) => shown.push({ message, actions: actions.map((a) => a.title) }) };
    assert.equal(vscode.workspace.isTrusted, true, 'the harness workspace is trusted');
    assert.equal(m.trainingAllowed(log), true);
    assert.deepEqual(shown, []);
    assert.equal(m.trainingAllowed(log, false), false);
    assert.deepEqual(shown, [{ message: m.TRUST_NEEDED, actions: ['Manage Workspace Trust'] }]);
  });

  it('shows a lock lens instead of Train while the workspace is not trusted, and errors as usual', async () => {
    const { doc } = await openSpec('small.rnn.yaml');
    const specs = new m.SpecCache();
    const never = new vscode.EventEmitter();
    try {
      const titles = (trusted) => new m.SpecCodeLensProvider(specs, never.event, () => trusted).provideCodeLenses(doc).map((l) => [l.command.title, l.command.command]);
      assert.deepEqual(titles(false), [['🔒 Train needs a trusted workspace', 'workbench.trust.manage'], ['Open panel', 'rnnlab.openPanel']]);
      assert.deepEqual(titles(true).map((t) => t[0]), ['▶ Train', 'Train aligned', 'Train oblique', 'Open panel']);
      const bad = await openSpec('unknown-key.rnn.yaml');
      const lens = new m.SpecCodeLensProvider(specs, never.event, () => false).provideCodeLenses(bad.doc)[0];
      assert.match(lens.command.title, /^⚠ Unknown key "gain"/, 'spec errors show in Restricted Mode too');
    } finally {
      specs.dispose();
      never.dispose();
    }
  });
});
