'use strict';
// RNN Lab: Analyse recording… in a real extension host: the command on an .npz written
// with the product's own npz writer opens the recordings panel, whose analysis (the
// CLI bundle in a child process) reports the measures; a file that is no recording
// gives the loader's sentence, not a stack trace; a file without the default arrays asks
// which array holds the activity.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, closeAllEditors, loadSources, panelState, waitFor, workspaceRoot } = require('./helpers.cjs');

const src = loadSources([
  "export { recordingPopulationNpz } from './test/fixtures/recording-population';",
  "export { writeNpy } from './src/core/recording/npy';",
  "export { zipStore } from './src/core/recording/zip';",
]);

const recordingPanel = async (file) => (await panelState()).panels.find((p) => p.mode === 'recording' && p.key === vscode.Uri.file(file).toString());

async function settled(file, timeout = 120_000) {
  let last;
  return waitFor(
    async () => {
      last = await recordingPanel(file);
      return last && ['done', 'failed', 'cancelled'].includes(last.recording?.state) ? last : undefined;
    },
    { timeout, what: `the analysis of ${path.basename(file)}`, describe: () => JSON.stringify(last?.recording) },
  );
}

describe('RNN Lab: Analyse recording…', function () {
  this.timeout(240_000);
  before(activate);
  after(closeAllEditors);

  it('on an .npz with activity and behaviour: opens the recordings panel and reports the measures', async () => {
    const file = path.join(workspaceRoot(), 'pop.npz');
    fs.writeFileSync(file, src.recordingPopulationNpz());
    await vscode.commands.executeCommand('rnnlab.analyseRecording', vscode.Uri.file(file));
    const p = await settled(file);
    assert.equal(p.recording.state, 'done', JSON.stringify(p.recording));
    const m = p.recording.measures;
    assert.deepEqual([m.N, m.samples, m.outputs], [60, 16 * 80, 2]);
    assert.ok(m.rho > 0 && m.rho < 1, `rho ${m.rho}`);
    assert.equal(m.subsample.length, 10);
    assert.equal(p.title, 'RNN Lab: pop.npz');
    await waitFor(async () => (await recordingPanel(file)).sent.includes('recordingResult'), { what: 'the result posted to the page' });
    assert.equal((await recordingPanel(file)).rejected, 0);
    // the same file again shows the same panel
    await vscode.commands.executeCommand('rnnlab.analyseRecording', vscode.Uri.file(file));
    assert.equal((await panelState()).panels.filter((q) => q.mode === 'recording' && q.key === p.key).length, 1);
  });

  it('on a file that is no recording: the panel says so in the loader\'s words, without a stack trace', async () => {
    const file = path.join(workspaceRoot(), 'notes.npz');
    fs.writeFileSync(file, 'these are notes, not arrays\n');
    await vscode.commands.executeCommand('rnnlab.analyseRecording', vscode.Uri.file(file));
    const p = await settled(file);
    assert.equal(p.recording.state, 'failed');
    assert.match(p.recording.error, /^notes\.npz is not a recording format this tool reads \(\.npz, \.npy, \.safetensors, or HDF5: NWB, MATLAB v7\.3\)\.$/);
    assert.doesNotMatch(p.recording.error, /\n\s+at /);
    await waitFor(async () => (await recordingPanel(file)).sent.includes('recordingFailed'), { what: 'the failure posted to the page' });
  });

  it('on an .npz without an array called activity: asks which array holds it, then analyses that one', async () => {
    const file = path.join(workspaceRoot(), 'rates.npz');
    const T = 50, N = 12;
    const rates = Float32Array.from({ length: T * N }, (_, k) => Math.sin(0.1 * Math.floor(k / N) * (1 + (k % N))) + 0.01 * (k % 7));
    const beh = Float32Array.from({ length: T }, (_, t) => Math.sin(0.1 * t));
    fs.writeFileSync(file, src.zipStore([
      { name: 'rates.npy', data: src.writeNpy(rates, [T, N]) },
      { name: 'behaviour.npy', data: src.writeNpy(beh, [T]) },
    ]));
    await vscode.commands.executeCommand('rnnlab.analyseRecording', vscode.Uri.file(file));
    await waitFor(async () => (await recordingPanel(file))?.recording?.state === 'asking', { timeout: 60_000, what: 'the question' });
    // the quick pick offers the arrays of rank 2 or 3: rates is the first; accept until it was open to take it
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return (await recordingPanel(file))?.recording?.state !== 'asking';
      },
      { timeout: 30_000, interval: 250, what: 'the quick pick to take the first array' },
    );
    const p = await settled(file);
    assert.equal(p.recording.state, 'done', JSON.stringify(p.recording));
    assert.deepEqual([p.recording.measures.N, p.recording.measures.samples], [N, T]);
    assert.match(p.recording.measures.source, /activity \[50 x 12\]/);
  });
});
