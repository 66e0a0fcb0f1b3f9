// The host's checks on what comes from the webview (protocol validators, run results)
// and on where runs are written, exercised on the real sources: they are bundled here
// with esbuild, `vscode` resolving to the extension host's API.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, loadSources } = require('./helpers.cjs');

const SOURCES = [
  "export { isFromPanel, isEnvelope, isPanelRestoreState, PROTOCOL_VERSION } from './src/protocol';",
  "export { restoreTarget, reloadNotice } from './src/extension/panel/restore';",
  "export { PanelSessions } from './src/extension/panel/training';",
  "export { decodeRunResult } from './src/extension/runResult';",
  "export { Session, isSafeSegment } from './src/extension/runStore';",
  "export { toEnvelope } from './src/core/pack';",
  "export { loadSpec } from './src/spec';",
  "export { slug } from './src/spec/names';",
  "export { readRunFolder } from './src/store/runFolder';",
  "export { statusText } from './src/extension/statusBar';",
  "export { renderPanelHtml } from './src/extension/panel/html';",
  "export { contentSecurityPolicy } from './src/extension/panel/csp';",
];

/** A small but complete RunResult for `run` (sizes from N, dIn = 2, dOut = 2, T = 4, B = 2). */
function fakeResult(run) {
  const N = run.network.N, dIn = 2, dOut = 2, T = 4, B = 2;
  const f32 = (n, v = 0.5) => new Float32Array(n).fill(v);
  const weights = () => ({ N, dIn, dOut, W: f32(N * N), W_in: f32(N * dIn), W_out: f32(dOut * N), h0: f32(N, 0) });
  const view = () => ({
    axes: new Float64Array(3 * N), axis_labels: ['PC1', 'PC2', 'PC3'], trajectories: f32(B * T * 3), centre: [0, 0, 0], scale: 1,
    axis_variance: [1, 0.5, 0.25], readouts: [{ coords: [1, 0, 0], fraction: 0.5, angle_deg: 60, arrow: [0.5, 0, 0] }],
  });
  return {
    run, backend: 'wasm', losses: f32(run.training.steps, 0.1), msPerStep: 3, seconds: 1, stopped: false,
    initial: weights(), final: weights(),
    evalBatch: { B, T, dIn, dOut, inputs: f32(T * B * dIn), targets: f32(T * B * dOut), mask: f32(T * B * dOut, 1), condition: new Int32Array([0, 1]), conditionLabels: ['a', 'b'] },
    evaluation: {
      eval_loss: 0.2, eval_loss_x0rand: null, condition: new Int32Array([0, 1]), conditionLabels: ['a', 'b'],
      trajectories: { T, B, N, dOut, states: f32(T * B * N), outputs: f32(T * B * dOut) },
      analysis: {
        rho: 0.4, rho_naive: 0.3, rho_sqrtN: 1.6, w_out_norm: 1, x_norm: 1, dx90: 2, dfit90: NaN, r2_curve: [0.5, 0.8], explained_variance: [0.6, 0.3],
        noise_ratio: null, noise_ratio_pc: null, var_out: null, var_rand: null, var_pc: null,
        projection: { trials: [0, 1], steps: [0, 1, 2, 3], pca: view(), readout: null },
      },
    },
  };
}

describe('host checks on webview input and the run store', function () {
  this.timeout(60_000);
  let m, run, tmp;
  before(() => {
    m = loadSources(SOURCES);
    const spec = fs.readFileSync(path.join(ROOT, 'test/e2e/fixtures/workspace/small.rnn.yaml'), 'utf8');
    run = m.loadSpec(spec, 'small.rnn.yaml').runs[0];
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
    assert.deepEqual(Object.keys(boot.assets.wasmUrls).sort(), ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm']);
  });

  it('formats the status bar text from a status message, and hides it when idle', () => {
    const status = (s) => m.statusText({ lastStatus: { type: 'status', ...s } });
    assert.equal(status({ state: 'training', runName: 'aligned-s0', step: 312, steps: 500, loss: 0.02134 }), '$(sync~spin) RNN Lab: aligned-s0 312/500 loss 0.021');
    assert.equal(status({ state: 'paused', runName: 'aligned-s0', step: 312, steps: 500 }), '$(debug-pause) RNN Lab: paused aligned-s0 312/500');
    assert.equal(status({ state: 'starting' }), '$(sync~spin) RNN Lab: starting…');
    assert.equal(status({ state: 'idle', runName: 'aligned-s0' }), undefined);
    assert.equal(status({ state: 'failed', message: 'x' }), undefined);
  });

  it('isFromPanel accepts every well-formed message', () => {
    const env = m.toEnvelope({ a: new Float32Array([1, 2]) });
    for (const msg of [
      { type: 'ready', version: m.PROTOCOL_VERSION },
      { type: 'status', state: 'training', runName: 'aligned-s0', step: 3, steps: 30, loss: 0.5, backend: 'wasm' },
      { type: 'status', state: 'idle' },
      { type: 'runFinished', session: 's1', runName: 'aligned-s0', result: env },
      { type: 'runFailed', session: 's1', runName: 'aligned-s0', message: 'diverged', step: 12 },
      { type: 'requestTrain' },
      { type: 'log', level: 'warn', message: 'slow' },
    ]) assert.ok(m.isFromPanel(msg), JSON.stringify(msg));
  });

  it('isFromPanel refuses wrong types, unknown values and broken envelopes', () => {
    const env = m.toEnvelope({ a: new Float32Array([1, 2]) });
    const bad = [
      null, 'ready', [], {}, { type: 'hello' },
      { type: 'ready', version: '1' },
      { type: 'status', state: 'running' },
      { type: 'status', state: 'training', step: -1 },
      { type: 'status', state: 'training', step: 1.5 },
      { type: 'status', state: 'training', loss: null },
      { type: 'status', state: 'training', runName: 7 },
      { type: 'runFinished', session: 's1', runName: 'x' },
      { type: 'runFinished', runName: 'x', result: env },
      { type: 'runFinished', session: 7, runName: 'x', result: env },
      { type: 'runFailed', runName: 'x', message: 'diverged' },
      // Broken envelopes, in messages that are otherwise complete: the envelope is what is refused.
      { type: 'runFinished', session: 's1', runName: 'x', result: { meta: env.meta, buffer: new Uint8Array(8) } },
      { type: 'runFinished', session: 's1', runName: 'x', result: { meta: { tree: {}, arrays: [{ name: 'a', dtype: 'F32', offset: 0, length: 3 }] }, buffer: new ArrayBuffer(8) } },
      { type: 'runFinished', session: 's1', runName: 'x', result: { meta: { tree: {}, arrays: [{ name: 'a', dtype: 'F32', offset: 2, length: 1 }] }, buffer: new ArrayBuffer(8) } },
      { type: 'runFinished', session: 's1', runName: 'x', result: { meta: { tree: {}, arrays: [{ name: 'a', dtype: 'U8', offset: 0, length: 1 }] }, buffer: new ArrayBuffer(8) } },
      { type: 'runFinished', session: 's1', runName: 3, result: env },
      { type: 'runFailed', session: 's1', runName: 'x' },
      { type: 'log', level: 'debug', message: 'x' },
      { type: 'log', level: 'info' },
    ];
    for (const msg of bad) assert.equal(m.isFromPanel(msg), false, JSON.stringify(msg, (k, v) => (v instanceof ArrayBuffer ? `ArrayBuffer(${v.byteLength})` : v)));
  });

  it('checks the state a page kept for a window reload before restoring from it', () => {
    const vscode = require('vscode');
    const ws = vscode.workspace.workspaceFolders[0].uri.fsPath;
    const spec = vscode.Uri.file(path.join(ws, 'long.rnn.yaml'));
    const dir = path.join(ws, '.rnnlab', 'runs', 'e2e-long-20260101-000000');
    const live = { version: m.PROTOCOL_VERSION, mode: 'live', resource: spec.toString(), session: { dir, training: { runName: 'default-s0', step: 12 } } };
    for (const ok of [live, { ...live, session: undefined }, { ...live, session: { dir } }, { version: m.PROTOCOL_VERSION, mode: 'stored', resource: vscode.Uri.file(dir).toString() }]) {
      assert.ok(m.isPanelRestoreState(ok), JSON.stringify(ok));
    }
    for (const bad of [undefined, null, 'x', {}, { ...live, version: '2' }, { ...live, mode: 'train' }, { ...live, resource: 3 }, { ...live, session: { dir: 1 } },
      { ...live, session: { dir, training: { runName: 'a', step: -1 } } }, { ...live, session: { dir, training: { step: 1 } } }, { version: m.PROTOCOL_VERSION, mode: 'stored', resource: 'x', session: { dir } }]) {
      assert.equal(m.isPanelRestoreState(bad), false, JSON.stringify(bad));
    }
    const t = m.restoreTarget(live);
    assert.equal(t.mode, 'live');
    assert.equal(t.spec.toString(), spec.toString());
    assert.deepEqual(t.session, { dir, training: { runName: 'default-s0', step: 12 } });
    // Nothing in the state is followed unless it is where the host itself would have put it.
    assert.deepEqual(m.restoreTarget({ ...live, session: { dir: '/etc', training: { runName: '../x', step: 1 } } }).session, {});
    assert.deepEqual(m.restoreTarget({ ...live, session: { dir: path.join(dir, 'default-s0') } }).session, {});
    assert.equal(m.restoreTarget({ ...live, resource: 'https://example.com/a.rnn.yaml' }).mode, 'none');
    assert.equal(m.restoreTarget({ ...live, resource: vscode.Uri.file(path.join(ws, 'notes.txt')).toString() }).mode, 'none');
    assert.match(m.restoreTarget({ junk: true }).problem, /kept no state/);
    // A stored run is a run folder of a run store, nothing else.
    const stored = (p) => m.restoreTarget({ version: m.PROTOCOL_VERSION, mode: 'stored', resource: vscode.Uri.file(p).toString() });
    const runDir = path.join(dir, 'default-s0');
    assert.equal(stored(runDir).mode, 'stored');
    assert.equal(stored(runDir).folder.fsPath, runDir);
    assert.equal(stored(path.join(os.tmpdir(), 'x', '.rnnlab', 'runs', 's-1', 'a-s0')).mode, 'stored', 'any base: a spec outside the workspace keeps its runs beside it');
    for (const bad of [dir, path.join(ws, '.rnnlab', 'runs'), ws, '/etc', path.join(ws, 'other', 's-1', 'a-s0'), path.join(ws, '.rnnlab', 'runs', 's-1', '.a-s0.tmp-1-x'), path.join(runDir, 'deeper')]) {
      assert.match(stored(bad).problem, /not a run folder of a \.rnnlab\/runs store/, bad);
    }
  });

  it('words the reload notice from what is in the session folder', async () => {
    const dir = path.join(tmp, 'notice', 'spec-20260101-000000');
    const training = { runName: 'oblique-s0', step: 340 };
    assert.equal(await m.reloadNotice({ dir, training }), 'The window was reloaded: training stopped at oblique-s0 step 340; no run of it had finished before. Press Train to start again.');
    assert.equal(await m.reloadNotice({ dir }), undefined, 'nothing trained, nothing stored: nothing to say');
    assert.equal(await m.reloadNotice(undefined), undefined);
    fs.mkdirSync(path.join(dir, 'aligned-s0'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.oblique-s0.tmp-1-x'));
    assert.equal(await m.reloadNotice({ dir, training }), `The window was reloaded: training stopped at oblique-s0 step 340; runs finished before are in ${dir}. Press Train to start again.`);
    assert.equal(await m.reloadNotice({ dir }), `The window was reloaded: runs finished before are in ${dir}. Press Train to start again.`);
    assert.equal(await m.reloadNotice({ training }), 'The window was reloaded: training stopped at oblique-s0 step 340. Press Train to start again.');
  });

  it("a panel's sessions: each its own folder even within one second, and a result goes to the session it names", async () => {
    const base = path.join(tmp, 'sessions');
    fs.mkdirSync(base);
    const sessions = new m.PanelSessions();
    const at = new Date(2026, 0, 2, 3, 4, 5);
    const a = await sessions.start([run], 'text a', 'e2e-small', base, at);
    const b = await sessions.start([run], 'text b', 'e2e-small', base, at);
    assert.equal(sessions.current, b);
    assert.equal(a.dir, path.join(base, '.rnnlab', 'runs', 'e2e-small-20260102-030405'));
    assert.equal(b.dir, `${a.dir}-2`);
    assert.notEqual(a.id, b.id);
    // The first session's run reports after the second started: it lands in the first folder, with the first text.
    const result = m.toEnvelope(fakeResult(run));
    const folderA = await sessions.get(a.id).store(run.name, result);
    assert.equal(path.dirname(folderA), a.dir);
    assert.equal(fs.readFileSync(path.join(folderA, 'spec.rnn.yaml'), 'utf8'), 'text a');
    const folderB = await sessions.get(b.id).store(run.name, m.toEnvelope(fakeResult(run)));
    assert.equal(path.dirname(folderB), b.dir);
    assert.equal(sessions.get('no such session'), undefined);
    // A folder already on disk (another window, the CLI) is not reused either.
    const c = await new m.PanelSessions().start([run], '', 'e2e-small', base, at);
    assert.equal(c.dir, `${a.dir}-3`);
  });

  it('decodeRunResult accepts a complete result and keeps the host run config', () => {
    const echoed = { ...fakeResult(run), run: { ...run, training: { ...run.training, steps: 9999 } } };
    const decoded = m.decodeRunResult(m.toEnvelope(echoed), run);
    assert.equal(decoded.run, run, 'the host config, not the echoed one');
    assert.ok(decoded.final.W instanceof Float32Array && decoded.final.W.length === run.network.N ** 2);
    assert.ok(Number.isNaN(decoded.evaluation.analysis.dfit90), 'NaN survives the envelope');
  });

  it('decodeRunResult names what is wrong with a malformed result', () => {
    const wrongW = fakeResult(run);
    wrongW.final.W = new Float32Array(5);
    assert.throws(() => m.decodeRunResult(m.toEnvelope(wrongW), run), /final\.W has 5 values, expected 256/);
    const otherRun = fakeResult({ ...run, name: 'oblique-s0' });
    assert.throws(() => m.decodeRunResult(m.toEnvelope(otherRun), run), /run\.name is "oblique-s0", expected "aligned-s0"/);
    const noTraj = fakeResult(run);
    noTraj.evaluation.analysis.projection.pca.trajectories = [1, 2, 3];
    assert.throws(() => m.decodeRunResult(m.toEnvelope(noTraj), run), /projection\.pca\.trajectories is not a Float32Array/);
    assert.throws(() => m.decodeRunResult(m.toEnvelope('just a string'), run), /result is not an object/);
  });

  it('writes a run inside <base>/.rnnlab/runs/<spec>-<time>/<run> and reads it back', async () => {
    const session = new m.Session(tmp, 'e2e-small', new Date(2026, 10, 25, 9, 8, 7));
    assert.equal(session.dir, path.join(tmp, '.rnnlab', 'runs', 'e2e-small-20261125-090807'));
    const dir = await session.write('aligned-s0', m.decodeRunResult(m.toEnvelope(fakeResult(run)), run), 'name: e2e small\n');
    assert.equal(dir, path.join(session.dir, 'aligned-s0'));
    const back = await m.readRunFolder(dir);
    assert.equal(back.run.name, 'aligned-s0');
    assert.equal(back.metrics.rho, 0.4);
    assert.equal(fs.readFileSync(path.join(dir, 'spec.rnn.yaml'), 'utf8'), 'name: e2e small\n');
  });

  it('refuses run names that are not one plain folder, and writes nothing for them', async () => {
    const base = path.join(tmp, 'names');
    fs.mkdirSync(base);
    const session = new m.Session(base, 'spec', new Date());
    const result = m.decodeRunResult(m.toEnvelope(fakeResult(run)), run);
    for (const name of ['../escape', '..', '.', 'a/b', 'a\\b', '.hidden', '', '/abs']) {
      assert.equal(m.isSafeSegment(name), false, name);
      await assert.rejects(session.write(name, result, ''), /nothing was written/, name);
    }
    assert.deepEqual(fs.readdirSync(base), [], 'not even the store folder was created');
    assert.throws(() => new m.Session(base, '../x', new Date()), /cannot be a folder name/);
    for (const name of ['..\u0301', '\u0301a', '-a', 'a\u2028b', 'a b', 'a:b']) assert.equal(m.isSafeSegment(name), false, JSON.stringify(name));
  });

  it('stores runs of specs and variants named in any script, under the names slug gives them', async () => {
    const base = path.join(tmp, 'scripts');
    fs.mkdirSync(base);
    const name = m.slug('Альфа, 学习');
    assert.equal(name, 'альфа-学习');
    const session = new m.Session(base, name, new Date(2026, 0, 1));
    const dir = await session.write(`${m.slug('Вариант Ω')}-s0`, m.decodeRunResult(m.toEnvelope(fakeResult(run)), run), '');
    assert.equal(dir, path.join(base, '.rnnlab', 'runs', 'альфа-学习-20260101-000000', 'вариант-ω-s0'));
    assert.ok(fs.existsSync(path.join(dir, 'run.json')));
  });

  it('refuses a store that is a symlink to somewhere outside the workspace', async () => {
    const base = path.join(tmp, 'linked');
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(path.join(base, '.rnnlab'), { recursive: true });
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(base, '.rnnlab', 'runs'));
    const session = new m.Session(base, 'spec', new Date());
    await assert.rejects(session.write('aligned-s0', m.decodeRunResult(m.toEnvelope(fakeResult(run)), run), ''), /outside .*nothing was written/);
    const written = fs.readdirSync(outside).flatMap((s) => fs.readdirSync(path.join(outside, s)));
    assert.deepEqual(written, [], 'no run folder in the symlink target');
  });
});
