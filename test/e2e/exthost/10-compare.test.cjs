// Compare runs: the explorer passes (clicked, selected) and the command opens one compare
// panel for the selected run folders (a session folder standing for its runs), one panel
// per set; a folder that is no run folder, or a single run, gets a message that says so.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { activate, panelState, waitFor, workspaceRoot, closeAllEditors, loadSources } = require('./helpers.cjs');

describe('Compare runs', function () {
  this.timeout(120_000);
  let m;
  let session;
  /** the runs stored by the store code, as training would: aligned-s0, oblique-s0, and one evaluated on other trials */
  const runs = {};
  const base = () => path.join(workspaceRoot(), 'compare-test');

  before(async () => {
    m = loadSources([
      "export { Session } from './src/store/session';",
      "export { storeDir } from './src/store/paths';",
      "export { fakeResult, tinyRun } from './test/unit/helpers/run-result';",
      "export { restoreTarget } from './src/extension/panel/restore';",
      "export { isWorkspaceStore } from './src/extension/runStore';",
      "export { PROTOCOL_VERSION } from './src/protocol/version';",
    ]);
    await activate();
    await closeAllEditors();
    fs.mkdirSync(base(), { recursive: true });
    const s = await m.Session.create({ base: base(), store: m.storeDir(base()) }, 'compare-e2e');
    session = s.dir;
    const run = m.tinyRun();
    const variant = (v, evaluationSeed = run.evaluation.seed) => ({ ...run, name: `${v}-s0`, variant: v, evaluation: { ...run.evaluation, seed: evaluationSeed } });
    runs.aligned = await s.write('aligned-s0', m.fakeResult(variant('aligned')), 'name: compare e2e\n');
    runs.oblique = await s.write('oblique-s0', m.fakeResult(variant('oblique')), 'name: compare e2e\n');
    const other = await m.Session.create({ base: base(), store: m.storeDir(base()) }, 'other-trials');
    runs.otherTrials = await other.write('aligned-s0', m.fakeResult(variant('aligned', run.evaluation.seed + 7)), 'name: other trials\n');
  });
  after(async () => {
    await closeAllEditors();
    fs.rmSync(base(), { recursive: true, force: true });
  });

  const comparePanels = async () => (await panelState()).panels.filter((p) => p.mode === 'compare');
  const shown = (folders) =>
    waitFor(async () => (await comparePanels()).find((p) => p.ready && p.sent.includes('showRuns') && JSON.stringify(p.folders) === JSON.stringify(folders)), {
      timeout: 60_000,
      what: `a compare panel of ${folders.join(', ')} that got showRuns`,
      describe: () => 'see panelState',
    });

  it('opens a compare panel for two run folders given as the explorer passes them', async () => {
    const [a, b] = [vscode.Uri.file(runs.aligned), vscode.Uri.file(runs.oblique)];
    await vscode.commands.executeCommand('rnnlab.compareRuns', a, [a, b]);
    const panel = await shown([runs.aligned, runs.oblique]);
    assert.deepEqual(panel.sent.slice(0, 2), ['init', 'showRuns']);
    assert.equal(panel.title, 'RNN Lab: Compare aligned-s0, oblique-s0');
    assert.equal(panel.sent.includes('notice'), false, 'runs evaluated on the same trials need no note');
    // Their dissimilarity, from the host's service (the product's own rnnlab compare, forked), for the page's heat map.
    const ready = await waitFor(async () => {
      const d = (await panelState(panel.key)).current?.dissimilarity;
      return d && d.state !== 'computing' ? d : undefined;
    }, { timeout: 60_000, what: 'the dissimilarity of the compared runs' });
    assert.deepEqual(ready, { state: 'ready', runs: ['aligned-s0', 'oblique-s0'] });
    assert.ok((await panelState(panel.key)).current.sent.filter((t) => t === 'dissimilarity').length >= 2, 'computing, then the matrix');
  });

  it('a session folder stands for its runs: the same set reveals the same panel', async () => {
    const before = (await comparePanels()).length;
    const s = vscode.Uri.file(session);
    await vscode.commands.executeCommand('rnnlab.compareRuns', s, [s]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await comparePanels()).length, before, 'a second panel for the same runs');
  });

  it('runs evaluated on other trials are compared, with a note that their dissimilarity cannot be', async () => {
    const [a, c] = [vscode.Uri.file(runs.aligned), vscode.Uri.file(runs.otherTrials)];
    await vscode.commands.executeCommand('rnnlab.compareRuns', c, [a, c]);
    const panel = await shown([runs.aligned, runs.otherTrials]);
    await waitFor(async () => (await panelState(panel.key)).current?.sent.includes('notice'), { what: 'the note about the trials' });
    // Runs of two sessions go by their spec's name.
    assert.equal(panel.title, 'RNN Lab: Compare compare-e2e/aligned-s0, other-trials/aligned-s0');
  });

  it('after a window reload the compared folders come back, only those in a run store of the workspace', async () => {
    const state = (folders) => ({ version: m.PROTOCOL_VERSION, mode: 'compare', resource: vscode.Uri.file(runs.aligned).toString(), folders });
    const outside = path.join(require('node:os').tmpdir(), '.rnnlab', 'runs', 's', 'aligned-s0');
    const target = m.restoreTarget(state([runs.aligned, outside, runs.oblique]), m.isWorkspaceStore);
    assert.deepEqual(target, { mode: 'compare', folders: [runs.aligned, runs.oblique] });
    const left = m.restoreTarget(state([runs.aligned, outside]), m.isWorkspaceStore);
    assert.equal(left.mode, 'none');
    assert.match(left.problem, /fewer than two are run folders of a run store of this workspace/);
  });

  it('a folder that is no run or session folder, or a single run, opens nothing and says why', async () => {
    const plain = path.join(base(), 'notes');
    fs.mkdirSync(plain, { recursive: true });
    const before = (await comparePanels()).length;
    const p = vscode.Uri.file(plain);
    const a = vscode.Uri.file(runs.aligned);
    await vscode.commands.executeCommand('rnnlab.compareRuns', p, [p, a]);
    let messages = (await panelState()).messages;
    assert.match(messages.at(-1).message, /needs two runs or more\. .*notes is neither a run folder \(no run\.json\) nor a session folder with run folders in it\. The rest holds only one run \(aligned-s0\)/);
    assert.equal(messages.at(-1).level, 'error');
    await vscode.commands.executeCommand('rnnlab.compareRuns', a, [a]);
    messages = (await panelState()).messages;
    assert.match(messages.at(-1).message, /needs two runs or more\. The selection holds only one run \(aligned-s0\)/);
    assert.equal((await comparePanels()).length, before);
  });
});
