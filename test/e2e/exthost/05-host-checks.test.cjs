// The host's checks on what comes from the webview (run results, restored state; the
// message checks themselves are unit tests, test/unit/protocol)
// and on where runs are written, exercised on the real sources: they are bundled here
// with esbuild, `vscode` resolving to the extension host's API.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadSources } = require('./helpers.cjs');

const SOURCES = [
  "export { isPanelRestoreState, PROTOCOL_VERSION } from './src/protocol';",
  "export { restoreTarget, reloadNotice } from './src/extension/panel/restore';",
  "export { isWorkspaceStore } from './src/extension/runStore';",
  "export { toEnvelope } from './src/core/pack';",
  "export { statusText, statusTooltip } from './src/extension/statusBar';",
  "export { renderPanelHtml } from './src/extension/panel/html';",
  "export { contentSecurityPolicy } from './src/extension/panel/csp';",
];

describe('host checks on webview input and the run store', function () {
  this.timeout(60_000);
  let m, tmp;
  before(() => {
    m = loadSources(SOURCES);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-store-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('renders the page with the measured CSP, a fresh nonce, and the boot block as inert JSON', () => {
    const vscode = require('vscode');
    const ext = vscode.Uri.file('/ext');
    const webview = { cspSource: 'https://cdn.example', asWebviewUri: (u) => u.with({ scheme: 'https', authority: 'cdn.example' }) };
    const html = m.renderPanelHtml(webview, ext, 'evil</script><script>alert(1)</script>', 'live', vscode.Uri.file('/ws/evil.rnn.yaml'));
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)[1];
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)[1];
    assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}' 'wasm-unsafe-eval'; worker-src blob:; style-src https://cdn.example; img-src https://cdn.example data: blob:; connect-src https://cdn.example`);
    assert.equal(csp, m.contentSecurityPolicy('https://cdn.example', nonce), "csp.ts's policy, which the browser tests serve too");
    assert.notEqual(nonce, /script-src 'nonce-([^']+)'/.exec(m.renderPanelHtml(webview, ext, 'x', 'live', vscode.Uri.file('/ws/x.rnn.yaml')))[1], 'a new nonce per render');
    assert.equal((html.match(/<script/g) || []).length, 2, 'the spec name adds no script element');
    assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, '\\$&')}" src="https://cdn.example/ext/dist/webview/panel.js"></script>`));
    assert.match(html, /<link rel="stylesheet" href="https:\/\/cdn.example\/ext\/media\/panel.css">/);
    assert.match(html, /<div id="app"><\/div>/);
    const boot = JSON.parse(/<script type="application\/json" id="rnnlab-boot">(.*?)<\/script>/s.exec(html)[1]);
    assert.equal(boot.version, m.PROTOCOL_VERSION);
    assert.equal(boot.specName, 'evil</script><script>alert(1)</script>');
    assert.equal(boot.mode, 'live');
    assert.equal(boot.resource, 'file:///ws/evil.rnn.yaml');
    const stored = JSON.parse(/id="rnnlab-boot">(.*?)<\/script>/s.exec(m.renderPanelHtml(webview, ext, 's', 'stored', vscode.Uri.file('/ws/.rnnlab/runs/s-1/a-s0')))[1]);
    assert.deepEqual([stored.mode, stored.resource], ['stored', 'file:///ws/.rnnlab/runs/s-1/a-s0']);
    assert.equal(boot.assets.workerUrl, 'https://cdn.example/ext/dist/webview/worker.js');
    assert.deepEqual(Object.keys(boot.assets.wasmUrls).sort(), ['rnn-kernel.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm']);
  });

  it('formats the status bar text from a status message, and hides it when idle', () => {
    const status = (s) => m.statusText({ lastStatus: { type: 'status', ...s } });
    assert.equal(status({ state: 'training', runName: 'aligned-s0', step: 312, steps: 500, loss: 0.02134 }), '$(sync~spin) RNN Lab: aligned-s0 312/500 loss 0.021');
    assert.equal(status({ state: 'paused', runName: 'aligned-s0', step: 312, steps: 500 }), '$(debug-pause) RNN Lab: paused aligned-s0 312/500');
    assert.equal(status({ state: 'starting' }), '$(sync~spin) RNN Lab: starting…');
    assert.equal(status({ state: 'idle', runName: 'aligned-s0' }), undefined);
    assert.equal(status({ state: 'failed', message: 'x' }), undefined);
    // Several runs at once: their progress together, and each run in the tooltip.
    const runs = [
      { runName: 'aligned-s0', step: 300, steps: 500, state: 'training', loss: 0.0213 },
      { runName: 'aligned-s1', step: 100, steps: 500, state: 'paused' },
      { runName: 'aligned-s2', step: 50, steps: 500, state: 'stopping' },
    ];
    assert.equal(status({ state: 'training', runName: 'aligned-s0', step: 300, steps: 500, runs, done: 1, total: 6 }), '$(sync~spin) RNN Lab: 3 runs 30% · 1/6 done');
    assert.equal(m.statusTooltip({ lastStatus: { type: 'status', state: 'training', runs } }, 'RNN Lab: x'), 'RNN Lab: x\naligned-s0 300/500 loss 0.021\naligned-s1 100/500 (paused)\naligned-s2 50/500 (stopping)\nClick to stop training.');
  });

  it('checks the state a page kept for a window reload before restoring from it', () => {
    const vscode = require('vscode');
    const ws = vscode.workspace.workspaceFolders[0].uri.fsPath;
    const spec = vscode.Uri.file(path.join(ws, 'long.rnn.yaml'));
    const dir = path.join(ws, '.rnnlab', 'runs', 'e2e-long-20260101-000000');
    const live = { version: m.PROTOCOL_VERSION, mode: 'live', resource: spec.toString(), session: { dir, training: [{ runName: 'default-s0', step: 12 }, { runName: 'default-s1', step: 10 }] } };
    for (const ok of [live, { ...live, session: undefined }, { ...live, session: { dir } }, { version: m.PROTOCOL_VERSION, mode: 'stored', resource: vscode.Uri.file(dir).toString() }]) {
      assert.ok(m.isPanelRestoreState(ok), JSON.stringify(ok));
    }
    for (const bad of [undefined, null, 'x', {}, { ...live, version: '2' }, { ...live, mode: 'train' }, { ...live, resource: 3 }, { ...live, session: { dir: 1 } },
      { ...live, session: { dir, training: [{ runName: 'a', step: -1 }] } }, { ...live, session: { dir, training: [{ step: 1 }] } }, { ...live, session: { dir, training: { runName: 'a', step: 1 } } }, { version: m.PROTOCOL_VERSION, mode: 'stored', resource: 'x', session: { dir } }]) {
      assert.equal(m.isPanelRestoreState(bad), false, JSON.stringify(bad));
    }
    const stores = m.isWorkspaceStore;
    // a store is <folder>/.rnnlab/runs for any folder in the workspace (runs sit next to their spec)
    for (const s of [path.join(ws, '.rnnlab', 'runs'), path.join(ws, 'sub', 'deeper', '.rnnlab', 'runs')]) assert.equal(stores(s), true, s);
    for (const s of [path.join(os.tmpdir(), 'x', '.rnnlab', 'runs'), path.join(ws, 'runs'), path.join(ws, '.rnnlab'), path.join(ws, 'x', 'runs', '.rnnlab')]) assert.equal(stores(s), false, s);
    const t = m.restoreTarget(live, stores);
    assert.equal(t.mode, 'live');
    assert.equal(t.spec.toString(), spec.toString());
    assert.deepEqual(t.session, { dir, training: [{ runName: 'default-s0', step: 12 }, { runName: 'default-s1', step: 10 }] });
    // Nothing in the state is followed unless it is where the host itself would have put it.
    assert.deepEqual(m.restoreTarget({ ...live, session: { dir: '/etc', training: [{ runName: '../x', step: 1 }] } }, stores).session, {});
    assert.deepEqual(m.restoreTarget({ ...live, session: { dir: path.join(dir, 'default-s0') } }, stores).session, {});
    assert.equal(m.restoreTarget({ ...live, resource: 'https://example.com/a.rnn.yaml' }, stores).mode, 'none');
    assert.equal(m.restoreTarget({ ...live, resource: vscode.Uri.file(path.join(ws, 'notes.txt')).toString() }, stores).mode, 'none');
    assert.match(m.restoreTarget({ junk: true }, stores).problem, /kept no state/);
    // A stored run is a run folder of a run store of this workspace, nothing else.
    const stored = (p) => m.restoreTarget({ version: m.PROTOCOL_VERSION, mode: 'stored', resource: vscode.Uri.file(p).toString() }, stores);
    const runDir = path.join(dir, 'default-s0');
    assert.equal(stored(runDir).mode, 'stored');
    assert.equal(stored(runDir).folder.fsPath, runDir);
    assert.equal(stored(path.join(ws, 'sub', '.rnnlab', 'runs', 's-1', 'a-s0')).mode, 'stored');
    const elsewhere = path.join(os.tmpdir(), 'x', '.rnnlab', 'runs', 's-1', 'a-s0');
    for (const bad of [elsewhere, dir, path.join(ws, '.rnnlab', 'runs'), ws, '/etc', path.join(ws, 'other', 's-1', 'a-s0'), path.join(ws, '.rnnlab', 'runs', 's-1', '.a-s0.tmp-1-x'), path.join(runDir, 'deeper')]) {
      assert.match(stored(bad).problem, /not a run folder of a run store of this workspace/, bad);
    }
  });

  it('words the reload notice from what is in the session folder', async () => {
    const dir = path.join(tmp, 'notice', 'spec-20260101-000000');
    const training = [{ runName: 'oblique-s0', step: 340 }];
    assert.equal(await m.reloadNotice({ dir, training }), 'The window was reloaded: training stopped at oblique-s0 step 340; no run of it had finished before. Press Train to start again.');
    assert.equal(await m.reloadNotice({ dir }), undefined, 'nothing trained, nothing stored: nothing to say');
    assert.equal(await m.reloadNotice(undefined), undefined);
    fs.mkdirSync(path.join(dir, 'aligned-s0'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.oblique-s0.tmp-1-x'));
    assert.equal(await m.reloadNotice({ dir, training }), `The window was reloaded: training stopped at oblique-s0 step 340; runs finished before are in ${dir}. Press Train to start again.`);
    assert.equal(await m.reloadNotice({ dir }), `The window was reloaded: runs finished before are in ${dir}. Press Train to start again.`);
    assert.equal(await m.reloadNotice({ training }), 'The window was reloaded: training stopped at oblique-s0 step 340. Press Train to start again.');
    assert.equal(await m.reloadNotice({ training: [...training, { runName: 'aligned-s1', step: 12 }] }), 'The window was reloaded: training stopped at oblique-s0 step 340, aligned-s1 step 12. Press Train to start again.');
  });
});
