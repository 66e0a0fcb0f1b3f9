/**
 * Compare runs without VS Code: the quick pick's items over a real run store written by the
 * store code, the explorer selection resolved to run folders (session folders, folders that
 * are no run, duplicates), what the command says about it, and the set's names and note.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunConfig } from '../../../src/core/types';
import { batchNote, compareKey, compareLabels, compareTitle } from '../../../src/extension/compare/compareSet';
import { compareItems, pickedFolders, runFacts, syncSelection, type ComparePick, type RunFacts } from '../../../src/extension/compare/pickItems';
import { judgeSelection } from '../../../src/extension/compare/selection';
import { panelBoot, panelRestoreState } from '../../../src/protocol';
import { PROTOCOL_VERSION } from '../../../src/protocol/version';
import { listRuns, runSummary } from '../../../src/store/list';
import { storeDir } from '../../../src/store/paths';
import { readRunFolder } from '../../../src/store/runFolder';
import { resolveRunFolders } from '../../../src/store/runSet';
import { Session } from '../../../src/store/session';
import { fakeResult, tinyRun } from '../helpers/run-result';

const variantRun = (base: RunConfig, variant: string, seed: number): RunConfig => ({ ...base, name: `${variant}-s${seed}`, variant, training: { ...base.training, seed } });

describe('Compare runs (extension/compare)', () => {
  let tmp: string;
  let base: string;
  /** session folder -> its run folders */
  const sessions: Record<'old' | 'new', { dir: string; runs: string[] }> = { old: { dir: '', runs: [] }, new: { dir: '', runs: [] } };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(tmpdir(), 'rnnlab-compare-'));
    base = path.join(tmp, 'ws');
    fs.mkdirSync(base);
    const run = tinyRun();
    const place = { base, store: storeDir(base) };
    const write = async (key: 'old' | 'new', spec: string, at: Date, runs: RunConfig[], mtime: number) => {
      const s = await Session.create(place, spec, at);
      sessions[key].dir = s.dir;
      for (const r of runs) {
        const dir = await s.write(r.name, fakeResult(r), `name: ${spec}\n`);
        fs.utimesSync(dir, mtime, mtime);
        sessions[key].runs.push(dir);
      }
    };
    // The older session has one run, the newer one three (written out of name order).
    await write('old', 'cycling', new Date(2026, 0, 1, 10, 0, 0), [variantRun(run, 'aligned', 0)], 1_000_000);
    await write('new', 'cycling', new Date(2026, 0, 2, 10, 0, 0), [variantRun(run, 'oblique', 1), variantRun(run, 'aligned', 0), variantRun(run, 'oblique', 0)], 2_000_000);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('the quick pick', () => {
    let items: ComparePick[];
    before(async () => {
      const entries = await listRuns([base]);
      const facts = new Map<string, RunFacts>();
      for (const e of entries) facts.set(e.dir, await runFacts(e.dir, runSummary));
      items = compareItems(entries, facts, (ms) => `t${ms}`);
    });

    it('groups the runs by session, newest session first, runs by name, with a whole-session item where there is a choice', () => {
      const shape = items.map((i) => `${i.kind}:${i.label}`);
      const newName = path.basename(sessions.new.dir);
      const oldName = path.basename(sessions.old.dir);
      assert.deepEqual(shape, [
        `separator:${newName}`,
        `session:All 3 runs of ${newName}`,
        'run:aligned-s0',
        'run:oblique-s0',
        'run:oblique-s1',
        `separator:${oldName}`,
        // one run alone: no item that picks "the whole session"
        'run:aligned-s0',
      ]);
    });

    it('says each run\'s variant, seed, when, task, N and measures, read from the run folder', () => {
      const run = items.find((i): i is Extract<ComparePick, { kind: 'run' }> => i.kind === 'run' && i.label === 'oblique-s1');
      assert.ok(run);
      assert.equal(run.dir, path.join(sessions.new.dir, 'oblique-s1'));
      assert.match(run.description, /^oblique · seed 1 · t\d+$/);
      assert.match(run.detail, /^cycling, N 16: rho 0\.400, eval loss 0\.200$/);
    });

    it('a session checked checks its runs, unchecked unchecks them; one run unchecked unchecks the session', () => {
      const session = items.find((i) => i.kind === 'session');
      assert.ok(session && session.kind === 'session');
      const none = new Set<string>();
      const all = syncSelection(items, none, new Set([session.id]));
      assert.deepEqual(pickedFolders(items, all), [...sessions.new.runs].sort());
      assert.ok(all.has(session.id));
      const firstRun = session.runs[0] ?? '';
      const withoutOne = syncSelection(items, all, new Set([...all].filter((id) => id !== firstRun)));
      assert.equal(withoutOne.has(session.id), false, 'the session still looks checked with one of its runs unchecked');
      assert.equal(pickedFolders(items, withoutOne).length, 2);
      const cleared = syncSelection(items, all, new Set([...all].filter((id) => id !== session.id)));
      assert.deepEqual(pickedFolders(items, cleared), []);
      // Checking every run by hand checks the session too.
      const byHand = syncSelection(items, none, new Set(session.runs));
      assert.ok(byHand.has(session.id));
    });
  });

  describe('the folders named (explorer selection, rnnlab compare)', () => {
    it('a session folder stands for its run folders, in name order', async () => {
      const set = await resolveRunFolders([sessions.new.dir]);
      assert.deepEqual(set.runs, [...sessions.new.runs].sort());
      assert.deepEqual(set.problems, []);
    });

    it('names every folder that is no run or session folder, and keeps the runs', async () => {
      const empty = path.join(tmp, 'empty');
      fs.mkdirSync(empty, { recursive: true });
      const file = path.join(tmp, 'notes.txt');
      fs.writeFileSync(file, 'x');
      const set = await resolveRunFolders([empty, sessions.old.runs[0] ?? '', file, base]);
      assert.deepEqual(set.runs, sessions.old.runs);
      assert.deepEqual(set.problems.map((p) => p.folder), [empty, file, base]);
      assert.match(set.problems[0]?.message ?? '', /empty is neither a run folder \(no run\.json\) nor a session folder/);
      assert.match(set.problems[1]?.message ?? '', /notes\.txt is not a folder/);
    });

    it('a run named twice, or also through its session, is compared once', async () => {
      const run = sessions.new.runs[0] ?? '';
      const set = await resolveRunFolders([run, sessions.new.dir, `${run}/`]);
      assert.equal(set.runs.length, 3);
      assert.equal(new Set(set.runs.map((r) => path.resolve(r))).size, 3);
      assert.equal(set.runs[0], run);
      assert.deepEqual(set.duplicates, [run, `${run}/`]);
    });

    it('says what is wrong: fewer than two runs, and which folders are no runs', async () => {
      const one = judgeSelection(await resolveRunFolders([sessions.old.dir]));
      assert.equal(one.runs, undefined);
      assert.match(one.error ?? '', /needs two runs or more\. The selection holds only one run \(aligned-s0\)/);
      const empty = path.join(tmp, 'empty');
      const bad = judgeSelection(await resolveRunFolders([empty]));
      assert.match(bad.error ?? '', /empty is neither a run folder .* The rest holds no run/);
      const partly = judgeSelection(await resolveRunFolders([empty, sessions.new.dir]));
      assert.equal(partly.runs?.length, 3);
      assert.match(partly.warning ?? '', /empty is neither a run folder .* Comparing the other 3 runs\./);
      const fine = judgeSelection(await resolveRunFolders(sessions.new.runs));
      assert.deepEqual(fine, { runs: sessions.new.runs });
    });
  });

  describe('the set shown', () => {
    it('names runs plainly within one session, by spec or session across sessions, and uniquely', async () => {
      const one = await Promise.all(sessions.new.runs.map((d) => readRunFolder(d)));
      assert.deepEqual(compareLabels(one), ['oblique-s1', 'aligned-s0', 'oblique-s0']);
      const two = await Promise.all([sessions.new.runs[1] ?? '', sessions.old.runs[0] ?? ''].map((d) => readRunFolder(d)));
      // The same spec in two sessions: the whole session folder tells them apart.
      assert.deepEqual(compareLabels(two), [`${path.basename(sessions.new.dir)}/aligned-s0`, `${path.basename(sessions.old.dir)}/aligned-s0`]);
      const same = await readRunFolder(sessions.old.runs[0] ?? '');
      assert.deepEqual(compareLabels([same, same]), ['aligned-s0', 'aligned-s0 (2)']);
      assert.equal(compareTitle(['a', 'b', 'c', 'd', 'e']), 'RNN Lab: Compare a, b, c and 2 more');
    });

    it('one key per set, whatever the order', () => {
      const [a = '', b = ''] = sessions.new.runs;
      assert.equal(compareKey([a, b]), compareKey([b, `${a}/`]));
      assert.notEqual(compareKey([a, b]), compareKey([a]));
    });

    it('says so when the runs were evaluated on different trials, and only then', async () => {
      const runs = await Promise.all(sessions.new.runs.map((d) => readRunFolder(d)));
      const labels = compareLabels(runs);
      assert.equal(batchNote(runs, labels), undefined);
      const [first, ...rest] = runs;
      assert.ok(first);
      const other = { ...first, run: { ...first.run, evaluation: { ...first.run.evaluation, seed: first.run.evaluation.seed + 1 } } };
      const note = batchNote([other, ...rest], labels);
      assert.match(note ?? '', /not evaluated on the same trials .*: oblique-s1 \| aligned-s0, oblique-s0\), so the dissimilarity .* cannot be computed\. Everything else is shown\./);
    });

    it('the page keeps the compared folders for a window reload, and only a compare page has them', () => {
      const assets = { workerUrl: 'w', wasmUrls: {} };
      assert.equal(panelBoot.problem({ version: PROTOCOL_VERSION, assets, specName: 'c', mode: 'compare', resource: 'file:///a', folders: ['/a', '/b'] }), undefined);
      assert.match(panelBoot.problem({ version: PROTOCOL_VERSION, assets, specName: 'c', mode: 'compare', resource: 'file:///a' }) ?? '', /folders/);
      assert.match(panelBoot.problem({ version: PROTOCOL_VERSION, assets, specName: 'c', mode: 'stored', resource: 'file:///a', folders: ['/a'] }) ?? '', /compare panel only/);
      assert.equal(panelRestoreState.problem({ version: PROTOCOL_VERSION, mode: 'compare', resource: 'file:///a', folders: ['/a', '/b'] }), undefined);
      assert.match(panelRestoreState.problem({ version: PROTOCOL_VERSION, mode: 'live', resource: 'file:///a', folders: ['/a'] }) ?? '', /compare panel only/);
    });
  });
});
