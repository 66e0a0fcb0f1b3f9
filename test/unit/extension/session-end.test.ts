/**
 * When a panel session's dissimilarity is due (src/extension/panel/training.ts): once every
 * run is stored or lost, or the page stopped training, and no result is still being
 * written; the folders in the session's order; the file written beside the runs; and a
 * session folder's dissimilarity.json read back with a sentence when it is broken.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { toEnvelope } from '../../../src/core/pack';
import type { RunConfig } from '../../../src/core/types';
import { PanelSessions } from '../../../src/extension/panel/training';
import { readStoredDissimilarity } from '../../../src/extension/panel/dissimilarityJobs';
import { DISSIMILARITY_FILE } from '../../../src/store/sessionFile';
import { storeDir } from '../../../src/store/paths';
import { fakeResult, tinyRun } from '../helpers/run-result';

describe("a panel session's end (when its dissimilarity is computed)", () => {
  let tmp: string;
  let runs: RunConfig[];
  let n = 0;
  const start = async () => {
    const base = path.join(tmp, `s${n++}`);
    fs.mkdirSync(base);
    return new PanelSessions().start(runs, 'spec', 'tiny', { base, store: storeDir(base) });
  };
  const result = (r: RunConfig) => toEnvelope(fakeResult(r));
  before(() => {
    tmp = fs.mkdtempSync(path.join(tmpdir(), 'rnnlab-session-end-'));
    const run = tinyRun();
    runs = ['aligned-s0', 'aligned-s1', 'oblique-s0'].map((name) => ({ ...run, name }));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('ends when every run is stored or has failed, with the folders in the spec order', async () => {
    const s = await start();
    const [a0, a1, o0] = runs as [RunConfig, RunConfig, RunConfig];
    await s.store(o0.name, result(o0));
    assert.equal(s.ended, false);
    s.failed(a1.name);
    assert.equal(s.ended, false);
    await s.store(a0.name, result(a0));
    assert.equal(s.ended, true);
    assert.deepEqual(s.storedFolders().map((f) => path.basename(f)), ['aligned-s0', 'oblique-s0']);
    const file = await s.writeFile(DISSIMILARITY_FILE, '{"kind":"x"}\n');
    assert.equal(file, path.join(s.dir, 'dissimilarity.json'));
    assert.deepEqual(fs.readdirSync(s.dir).sort(), ['aligned-s0', 'dissimilarity.json', 'oblique-s0'], 'no temporary file left');
  });

  it('a page that went idle ends it only once every run it trained has reported: it says idle before it sends the last result', async () => {
    const s = await start();
    const [a0, a1] = runs as [RunConfig, RunConfig];
    s.running(a0.name);
    s.running(a1.name);
    await s.store(a0.name, result(a0));
    s.pageEnded = true;
    assert.equal(s.ended, false, 'ended before the last run trained reported');
    await s.store(a1.name, result(a1));
    assert.equal(s.ended, true, 'the third run never started (a Stop dropped it): the session has ended');
    assert.equal(s.storedFolders().length, 2);
  });

  it('a page that stopped ends it, but not while a result is still being written', async () => {
    const s = await start();
    const [a0] = runs as [RunConfig];
    s.pageEnded = true;
    const writing = s.store(a0.name, result(a0));
    assert.equal(s.ended, false, 'ended while its last result was being written');
    await writing;
    assert.equal(s.ended, true);
    assert.equal(s.storedFolders().length, 1);
  });

  it('a result the store refused counts as lost, not stored', async () => {
    const s = await start();
    const [a0, a1, o0] = runs as [RunConfig, RunConfig, RunConfig];
    await assert.rejects(s.store(a0.name, toEnvelope({ broken: true })));
    await s.store(a1.name, result(a1));
    await s.store(o0.name, result(o0));
    assert.equal(s.ended, true);
    assert.deepEqual(s.storedFolders().map((f) => path.basename(f)), ['aligned-s1', 'oblique-s0']);
  });

  it("reads a session folder's dissimilarity.json back: none, broken (with a sentence) or checked", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'read-'));
    assert.equal(await readStoredDissimilarity(dir), undefined);
    fs.writeFileSync(path.join(dir, 'dissimilarity.json'), '{ not json');
    assert.match((await readStoredDissimilarity(dir) as { problem: string }).problem, /dissimilarity\.json is not JSON/);
    fs.writeFileSync(path.join(dir, 'dissimilarity.json'), JSON.stringify({ kind: 'dissimilarity', metric: 'angular_procrustes', runs: ['a', 'b'], groups: ['a'] }));
    assert.match((await readStoredDissimilarity(dir) as { problem: string }).problem, /is not a dissimilarity file: .*groups has 1 entries, expected 2/);
    const good = { kind: 'dissimilarity', metric: 'angular_procrustes', runs: ['a', 'b'], groups: ['v', 'v'], matrix: [[0, 0.5], [0.5, 0]], euclidean: [[0, 2], [2, 0]], within: { v: { mean: 0.5, sd: null, pairs: 1 } }, between: {}, incomparable: [] };
    fs.writeFileSync(path.join(dir, 'dissimilarity.json'), JSON.stringify(good));
    assert.deepEqual(await readStoredDissimilarity(dir), { result: good, file: path.join(dir, 'dissimilarity.json') });
  });
});
