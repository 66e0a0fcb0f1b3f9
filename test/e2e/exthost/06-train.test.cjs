// Train from the spec, through the real panel (the webview engineer's bundle) into the
// run store, then open the stored run. Needs dist/webview/panel.js and worker.js.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const vscode = require('vscode');
const { activate, openSpec, panelState, waitFor, workspaceRoot, closeAllEditors, loadSources } = require('./helpers.cjs');

const BUSY = ['training', 'starting', 'stopping', 'paused'];

describe('train, store and open a run', function () {
  this.timeout(300_000);
  let spec;
  let folders = [];
  /** the files of a run folder, as src/store/runFolder.ts lists them */
  let RUN_FILES;

  before(async () => {
    ({ RUN_FILES } = loadSources(["export { RUN_FILES } from './src/store/runFolder';"]));
    assert.equal(RUN_FILES.length, 6);
    const ext = await activate();
    const missing = ['dist/webview/panel.js', 'dist/webview/worker.js'].filter((f) => !fs.existsSync(path.join(ext.extensionPath, f)));
    // Fail, not skip: a missing bundle is a build problem, not a pass.
    assert.deepEqual(missing, [], 'the webview bundle is built (node esbuild.mjs --only extension,webview,worker)');
    await closeAllEditors();
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await closeAllEditors();
  });

  it('Train opens the panel beside the spec, and both runs land in the run store with metrics', async () => {
    const { doc } = await openSpec('small.rnn.yaml', vscode.ViewColumn.One);
    spec = doc;
    await vscode.commands.executeCommand('rnnlab.train', doc.uri);
    const key = doc.uri.toString();
    // viewColumn is set once the workbench has placed the panel.
    const opened = await waitFor(async () => {
      const s = (await panelState(key)).current;
      return s && s.viewColumn !== undefined ? s : undefined;
    }, { what: 'the spec panel in an editor column' });
    assert.equal(opened.mode, 'spec');
    assert.equal(opened.viewColumn, vscode.ViewColumn.Two, 'beside the editor in column 1');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), key, 'the spec editor keeps the focus');

    let last;
    const done = await waitFor(
      async () => {
        last = (await panelState(key)).current;
        return last && (last.stored.length === 2 || last.storeFailures.length > 0 || last.runFailures.length > 0 || last.lastStatus?.state === 'failed') ? last : undefined;
      },
      { timeout: 240_000, interval: 500, what: 'two stored runs', describe: () => JSON.stringify(last) },
    );
    assert.deepEqual(done.storeFailures, []);
    assert.deepEqual(done.runFailures, []);
    assert.ok(done.ready);
    assert.equal(done.sent[0], 'init', 'init is the first message after ready');
    assert.equal(done.rejected, 0, 'the panel sent nothing the protocol refuses');

    folders = [...done.stored].sort();
    assert.deepEqual(folders.map((f) => path.basename(f)), ['aligned-s0', 'oblique-s0']);
    const session = path.dirname(folders[0]);
    assert.equal(path.dirname(folders[1]), session, 'one session folder');
    assert.equal(path.dirname(session), path.join(workspaceRoot(), '.rnnlab', 'runs'));
    assert.match(path.basename(session), /^e2e-small-small-\d{8}-\d{6}$/); // name: e2e small, in small.rnn.yaml
    assert.equal(done.sessionDir, session);
    for (const f of folders) {
      for (const file of RUN_FILES) assert.ok(fs.existsSync(path.join(f, file)), `${f}/${file}`);
      const metrics = JSON.parse(fs.readFileSync(path.join(f, 'metrics.json'), 'utf8'));
      assert.equal(typeof metrics.rho, 'number', `${f}: rho is a number`);
      assert.ok(metrics.rho >= 0 && metrics.rho <= 1, `${f}: rho ${metrics.rho} in [0, 1]`);
      assert.equal(metrics.N, 16);
      assert.equal(metrics.steps, 30);
      assert.equal(fs.readFileSync(path.join(f, 'spec.rnn.yaml'), 'utf8'), doc.getText(), 'the spec as trained');
    }
  });

  it("the session's dissimilarity: computed by the forked rnnlab compare once both runs are stored, stored as dissimilarity.json, sent to the page", async () => {
    const key = spec.uri.toString();
    const session = path.dirname(folders[0]);
    const file = path.join(session, 'dissimilarity.json');
    let last;
    const done = await waitFor(async () => {
      last = (await panelState(key)).current;
      return last.dissimilarity?.state !== 'computing' && last.dissimilarity !== undefined && last.dissimilarityJobs === 0 ? last : undefined;
    }, { timeout: 120_000, interval: 300, what: 'the dissimilarity of the session', describe: () => JSON.stringify(last && { d: last.dissimilarity, jobs: last.dissimilarityJobs }) });
    assert.deepEqual(done.dissimilarity, { state: 'ready', runs: ['aligned-s0', 'oblique-s0'] });
    assert.ok(done.sent.filter((t) => t === 'dissimilarity').length >= 2, 'progress, then the matrix');
    const d = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(d.kind, 'dissimilarity');
    assert.deepEqual(d.groups, ['aligned', 'oblique']);
    const v = d.matrix[0][1];
    assert.ok(d.matrix[0][0] === 0 && v === d.matrix[1][0] && v > 0 && v <= Math.PI / 2, JSON.stringify(d.matrix));
    // the numbers of the CLI for the same folders
    const ext = await activate();
    // (asynchronously: a synchronous child would block the extension host for seconds)
    const cli = await promisify(execFile)(process.execPath, [path.join(ext.extensionPath, 'dist/cli.js'), 'compare', ...folders, '--json'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 120_000 });
    assert.deepEqual(JSON.parse(cli.stdout.trim().split('\n').pop()), d);
    // no temporary file left beside it
    assert.deepEqual(fs.readdirSync(session).sort(), ['aligned-s0', 'dissimilarity.json', 'oblique-s0']);
  });

  it('tells the panel when it is hidden and shown again', async () => {
    const key = spec.uri.toString();
    const before = (await panelState(key)).current.sent.filter((t) => t === 'visibility').length;
    // Another editor in the panel's group hides it.
    const other = await vscode.workspace.openTextDocument({ content: 'hide the panel', language: 'plaintext' });
    await vscode.window.showTextDocument(other, { viewColumn: vscode.ViewColumn.Two, preview: false });
    const hidden = await waitFor(async () => {
      const s = (await panelState(key)).current;
      return !s.visible && s.sent.filter((t) => t === 'visibility').length === before + 1 ? s : undefined;
    }, { what: 'a visibility message on hide' });
    assert.equal(hidden.visible, false);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor(async () => {
      const s = (await panelState(key)).current;
      return s.visible && s.sent.filter((t) => t === 'visibility').length === before + 2;
    }, { what: 'a visibility message on show' });
  });

  it('marks the spec as changed after training, and back when the edit is undone, without training again', async () => {
    const key = spec.uri.toString();
    const before = (await panelState(key)).current;
    const trains = before.sent.filter((t) => t === 'train').length;
    const changes = (c) => c.sent.filter((t) => t === 'specChanged').length;
    const noRetraining = (c, when) => {
      assert.equal(c.sent.filter((t) => t === 'train').length, trains, `no automatic retraining ${when}`);
      assert.ok(!BUSY.includes(c.lastStatus?.state), `not training ${when}: ${JSON.stringify(c.lastStatus)}`);
      assert.equal(c.stored.length, before.stored.length, `nothing new stored ${when}`);
    };
    const editor = await vscode.window.showTextDocument(spec, { viewColumn: vscode.ViewColumn.One });
    const line = () => spec.lineAt(3);
    const original = line().text;
    let last;
    try {
      await editor.edit((e) => e.replace(line().range, 'network: { N: 24 }'));
      const changed = await waitFor(async () => {
        last = (await panelState(key)).current;
        return last.specChange?.changed === true ? last : undefined;
      }, { what: 'specChanged after the edit', describe: () => JSON.stringify(last.specChange) });
      assert.deepEqual(changed.specChange, { changed: true, valid: true });
      const count = changes(changed);
      await new Promise((r) => setTimeout(r, 1000));
      noRetraining((await panelState(key)).current, 'after the edit');

      // Back to the trained text by an edit: the web workbench may have auto-saved the first
      // one already, so a revert could find nothing to revert.
      await editor.edit((e) => e.replace(line().range, original));
      const back = await waitFor(async () => {
        last = (await panelState(key)).current;
        return changes(last) > count && last.specChange?.changed === false ? last : undefined;
      }, { what: 'specChanged back to unchanged after the edit was undone', describe: () => JSON.stringify(last.specChange) });
      assert.deepEqual(back.specChange, { changed: false, valid: true });
      await new Promise((r) => setTimeout(r, 1000));
      noRetraining((await panelState(key)).current, 'after the edit was undone');
    } finally {
      if (line().text !== original) await editor.edit((e) => e.replace(line().range, original));
      await spec.save();
    }
  });

  it('Pause, Resume and Stop act on the training panel; a stopped run is stored as stopped', async () => {
    const { doc } = await openSpec('long.rnn.yaml', vscode.ViewColumn.One);
    const key = doc.uri.toString();
    await vscode.commands.executeCommand('rnnlab.train', doc.uri);
    const state = async () => (await panelState(key)).current;
    let last;
    const seen = (what) => ({ what, timeout: 120_000, interval: 200, describe: () => JSON.stringify(last?.lastStatus) });
    await waitFor(async () => (last = await state()) && last.lastStatus?.state === 'training' && last.lastStatus.step >= 5, seen('training past step 5'));

    await vscode.commands.executeCommand('rnnlab.pause');
    await waitFor(async () => (last = await state()).lastStatus?.state === 'paused', seen('the paused state'));
    // The page says "paused" at once; a step already in flight still reports after it. So
    // the paused step is the one two polls half a second apart agree on.
    let previous;
    const { step: pausedAt } = await waitFor(async () => {
      last = await state();
      const step = last.lastStatus?.state === 'paused' ? last.lastStatus.step : undefined;
      const settled = step !== undefined && step === previous;
      previous = step;
      return settled ? { step } : undefined;
    }, { ...seen('the step to settle while paused'), interval: 500 });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await state()).lastStatus.step, pausedAt, 'no steps while paused');

    await vscode.commands.executeCommand('rnnlab.resume');
    await waitFor(async () => (last = await state()).lastStatus?.state === 'training' && last.lastStatus.step > pausedAt, seen('training again after resume'));

    await vscode.commands.executeCommand('rnnlab.stop');
    const done = await waitFor(async () => {
      last = await state();
      return last.stored.length > 0 || last.storeFailures.length > 0 || last.runFailures.length > 0 ? last : undefined;
    }, seen('the stopped run in the store'));
    assert.deepEqual(done.storeFailures, []);
    assert.deepEqual(done.runFailures, []);
    assert.deepEqual(done.sent.filter((t) => ['pause', 'resume', 'stop'].includes(t)), ['pause', 'resume', 'stop']);
    const metrics = JSON.parse(fs.readFileSync(path.join(done.stored[0], 'metrics.json'), 'utf8'));
    assert.equal(metrics.stopped, true);
    assert.ok(metrics.steps > pausedAt && metrics.steps < 100000, `stopped after ${metrics.steps} steps`);
    await waitFor(async () => !BUSY.includes((last = await state()).lastStatus?.state), seen('the panel to leave the training state'));
  });

  it('a Train while the last run is still stopping stores that run with the session that started it', async () => {
    const { doc } = await openSpec('long.rnn.yaml', vscode.ViewColumn.One);
    const key = doc.uri.toString();
    const state = async () => (await panelState(key)).current;
    let last;
    const seen = (what) => ({ what, timeout: 120_000, interval: 200, describe: () => JSON.stringify(last && { status: last.lastStatus, stored: last.stored, failures: last.storeFailures }) });
    await vscode.commands.executeCommand('rnnlab.train', doc.uri);
    const first = await state();
    const storedBefore = first.stored.length;
    await waitFor(async () => (last = await state()).lastStatus?.state === 'training' && last.lastStatus.step >= 5, seen('the first session training past step 5'));

    // The page stops the run in progress and starts the new session after it reports.
    await vscode.commands.executeCommand('rnnlab.train', doc.uri);
    const second = await state();
    assert.notEqual(second.sessionDir, first.sessionDir, 'each session has its own folder, even within the same second');
    const stopped = await waitFor(async () => {
      last = await state();
      return last.stored.length > storedBefore || last.storeFailures.length > 0 ? last : undefined;
    }, seen('the stopped run of the first session in the store'));
    assert.deepEqual(stopped.storeFailures, []);
    assert.equal(path.dirname(stopped.stored[storedBefore]), first.sessionDir, 'stored with the session that started it');
    assert.equal(JSON.parse(fs.readFileSync(path.join(stopped.stored[storedBefore], 'metrics.json'), 'utf8')).stopped, true);

    await waitFor(async () => (last = await state()).lastStatus?.state === 'training' && last.lastStatus.step >= 5, seen('the second session training past step 5'));
    await vscode.commands.executeCommand('rnnlab.stop');
    const done = await waitFor(async () => {
      last = await state();
      return last.stored.length > storedBefore + 1 || last.storeFailures.length > 0 ? last : undefined;
    }, seen("the second session's run in the store"));
    assert.deepEqual(done.storeFailures, [], 'no run was stored twice or into a folder that had it already');
    assert.equal(path.dirname(done.stored[storedBefore + 1]), second.sessionDir);
    assert.deepEqual(fs.readdirSync(first.sessionDir), ['default-s0']);
    await waitFor(async () => !BUSY.includes((last = await state()).lastStatus?.state), seen('the panel to leave the training state'));
  });

  it('Open run shows a stored run folder in its own panel', async () => {
    assert.equal(folders.length, 2, 'the training test stored two runs');
    const folder = vscode.Uri.file(folders[0]);
    await vscode.commands.executeCommand('rnnlab.openRun', folder);
    const shown = await waitFor(async () => {
      const s = (await panelState(folder.toString())).current;
      return s?.ready && s.sent.includes('showRuns') ? s : undefined;
    }, { timeout: 60_000, what: 'the stored-run panel to get showRuns' });
    assert.equal(shown.mode, 'stored');
    assert.deepEqual(shown.sent.slice(0, 2), ['init', 'showRuns']);
    assert.match(shown.title, /aligned-s0/);
    // its session's dissimilarity.json (written when the session ended) is shown, not computed again
    const withMap = await waitFor(async () => {
      const s = (await panelState(folder.toString())).current;
      return s.dissimilarity ? s : undefined;
    }, { timeout: 30_000, what: "the session's dissimilarity in the stored-run panel" });
    assert.deepEqual(withMap.dissimilarity, { state: 'ready', runs: ['aligned-s0', 'oblique-s0'] });
    assert.equal(withMap.sent.filter((t) => t === 'dissimilarity').length, 1, 'read from the file: no progress messages');
  });

  it('Open run on a broken folder opens no panel', async () => {
    const broken = path.join(workspaceRoot(), '.rnnlab', 'runs', 'broken-20000101-000000', 'aligned-s0');
    fs.mkdirSync(broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'run.json'), '{ not json');
    try {
      const before = (await panelState()).panels.length;
      await vscode.commands.executeCommand('rnnlab.openRun', vscode.Uri.file(broken));
      const after = await panelState(vscode.Uri.file(broken).toString());
      assert.equal(after.current, undefined);
      assert.equal(after.panels.length, before);
    } finally {
      fs.rmSync(path.dirname(broken), { recursive: true, force: true });
    }
  });
});
