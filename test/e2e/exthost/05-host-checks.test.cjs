// The host's checks on what comes from the webview (protocol validators, run results)
// and on where runs are written, exercised on the real sources: they are bundled here
// with esbuild, `vscode` resolving to the extension host's API.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');

function loadSources() {
  const esbuild = require(path.join(ROOT, 'node_modules/esbuild'));
  const out = esbuild.buildSync({
    stdin: {
      contents: [
        "export { isFromPanel, isEnvelope, PROTOCOL_VERSION } from './src/protocol';",
        "export { decodeRunResult } from './src/extension/runResult';",
        "export { Session, isSafeSegment } from './src/extension/runStore';",
        "export { toEnvelope } from './src/core/pack';",
        "export { loadSpec } from './src/spec';",
        "export { readRunFolder } from './src/store/runFolder';",
        "export { statusText } from './src/extension/statusBar';",
        "export { renderPanelHtml, contentSecurityPolicy } from './src/extension/panel/html';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], write: false, logLevel: 'silent',
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-hostchecks-')), 'bundle.cjs');
  fs.writeFileSync(file, out.outputFiles[0].text);
  return require(file);
}

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
    m = loadSources();
    const spec = fs.readFileSync(path.join(ROOT, 'test/e2e/fixtures/workspace/small.rnn.yaml'), 'utf8');
    run = m.loadSpec(spec, 'small.rnn.yaml').runs[0];
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-store-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('renders the page with the measured CSP, a fresh nonce, and the boot block as inert JSON', () => {
    const vscode = require('vscode');
    const ext = vscode.Uri.file('/ext');
    const webview = { cspSource: 'https://cdn.example', asWebviewUri: (u) => u.with({ scheme: 'https', authority: 'cdn.example' }) };
    const html = m.renderPanelHtml(webview, ext, 'evil</script><script>alert(1)</script>');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)[1];
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)[1];
    assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}' 'wasm-unsafe-eval'; worker-src blob:; style-src https://cdn.example; img-src https://cdn.example data: blob:; connect-src https://cdn.example`);
    assert.notEqual(nonce, /script-src 'nonce-([^']+)'/.exec(m.renderPanelHtml(webview, ext, 'x'))[1], 'a new nonce per render');
    assert.equal((html.match(/<script/g) || []).length, 2, 'the spec name adds no script element');
    assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, '\\$&')}" src="https://cdn.example/ext/dist/webview/panel.js"></script>`));
    assert.match(html, /<link rel="stylesheet" href="https:\/\/cdn.example\/ext\/media\/panel.css">/);
    assert.match(html, /<div id="app"><\/div>/);
    const boot = JSON.parse(/<script type="application\/json" id="rnnlab-boot">(.*?)<\/script>/s.exec(html)[1]);
    assert.equal(boot.version, m.PROTOCOL_VERSION);
    assert.equal(boot.specName, 'evil</script><script>alert(1)</script>');
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
      { type: 'runFinished', runName: 'aligned-s0', result: env },
      { type: 'runFailed', runName: 'aligned-s0', message: 'diverged', step: 12 },
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
      { type: 'runFinished', runName: 'x' },
      { type: 'runFinished', runName: 'x', result: { meta: env.meta, buffer: new Uint8Array(8) } },
      { type: 'runFinished', runName: 'x', result: { meta: { tree: {}, arrays: [{ name: 'a', dtype: 'F32', offset: 0, length: 3 }] }, buffer: new ArrayBuffer(8) } },
      { type: 'runFinished', runName: 'x', result: { meta: { tree: {}, arrays: [{ name: 'a', dtype: 'F32', offset: 2, length: 1 }] }, buffer: new ArrayBuffer(8) } },
      { type: 'runFinished', runName: 'x', result: { meta: { tree: {}, arrays: [{ name: 'a', dtype: 'U8', offset: 0, length: 1 }] }, buffer: new ArrayBuffer(8) } },
      { type: 'runFinished', runName: 3, result: env },
      { type: 'runFailed', runName: 'x' },
      { type: 'log', level: 'debug', message: 'x' },
      { type: 'log', level: 'info' },
    ];
    for (const msg of bad) assert.equal(m.isFromPanel(msg), false, JSON.stringify(msg, (k, v) => (v instanceof ArrayBuffer ? `ArrayBuffer(${v.byteLength})` : v)));
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
