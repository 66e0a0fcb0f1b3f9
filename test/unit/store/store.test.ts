/** The run store (src/store): sessions, durable writes that never replace, and bounded, checked reads. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { toEnvelope } from '../../../src/core/pack';
import { encodeSafetensors } from '../../../src/core/safetensors';
import type { RunConfig } from '../../../src/core/types';
import { PanelSessions } from '../../../src/extension/panel/training';
import { listRuns, runSummary } from '../../../src/store/list';
import { isSafeSegment, slug } from '../../../src/store/names';
import { decodeRunResult } from '../../../src/store/result';
import { readArrays, readRunFolder, removeStaleTemps, writeRunFolder } from '../../../src/store/runFolder';
import { Session } from '../../../src/store/session';
import { storeDir } from '../../../src/store/paths';
import { fakeResult, tinyRun } from '../helpers/run-result';

const AT = new Date(2026, 0, 2, 3, 4, 5);
const STAMP = '20260102-030405';

describe('run store', () => {
  let tmp: string;
  let run: RunConfig;
  let n = 0;
  /** a fresh folder for one test */
  const fresh = (label: string) => {
    const d = path.join(tmp, `${label}-${n++}`);
    fs.mkdirSync(d);
    return d;
  };
  const place = (base: string) => ({ base, store: storeDir(base) });

  before(() => {
    tmp = fs.mkdtempSync(path.join(tmpdir(), 'rnnlab-store-'));
    run = tinyRun();
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('sessions', () => {
    it('claims a folder of its own, even for sessions started in the same second, and skips folders already on disk', async () => {
      const base = fresh('claim');
      const [a, b] = await Promise.all([Session.create(place(base), 'spec', AT), Session.create(place(base), 'spec', AT)]);
      assert.ok(a !== undefined && b !== undefined);
      assert.deepEqual([a.dir, b.dir].sort(), [path.join(storeDir(base), `spec-${STAMP}`), path.join(storeDir(base), `spec-${STAMP}-2`)]);
      assert.ok(fs.statSync(a.dir).isDirectory() && fs.statSync(b.dir).isDirectory(), 'claimed at once, before any run finishes');
      // another process (the CLI, another window) took -3 already
      fs.mkdirSync(path.join(storeDir(base), `spec-${STAMP}-3`));
      const c = await Session.create(place(base), 'spec', AT);
      assert.equal(c.dir, path.join(storeDir(base), `spec-${STAMP}-4`));
    });

    it('release removes a session folder that stored nothing, and keeps one that did', async () => {
      const base = fresh('release');
      const empty = await Session.create(place(base), 'spec', AT);
      await empty.release();
      assert.equal(fs.existsSync(empty.dir), false);
      const used = await Session.create(place(base), 'spec', AT);
      await used.write(run.name, fakeResult(run), 'text');
      await used.release();
      assert.ok(fs.existsSync(path.join(used.dir, run.name, 'run.json')));
      // a run that reports after its session was released makes the folder again
      const late = await Session.create(place(base), 'spec', AT);
      await late.release();
      await late.write(run.name, fakeResult(run), '');
      assert.ok(fs.existsSync(path.join(late.dir, run.name, 'run.json')));
    });

    it('says in words why a store cannot hold a session: a file in the way', async () => {
      const base = fresh('file');
      fs.writeFileSync(path.join(base, 'out'), 'a file');
      await assert.rejects(Session.create({ base: path.join(base, 'out'), store: path.join(base, 'out') }, 'spec', AT), /cannot be stored in .*out: a file is in the way/);
      await assert.rejects(Session.create({ base, store: path.join(base, 'out', 'runs') }, 'spec', AT), /a file is in the way/);
    });

    it('refuses run names that are not one plain folder, and writes nothing for them', async () => {
      const base = fresh('names');
      const session = await Session.create(place(base), 'spec', AT);
      for (const name of ['../escape', '..', '.', 'a/b', 'a\\b', '.hidden', '', '/abs']) {
        assert.equal(isSafeSegment(name), false, name);
        await assert.rejects(session.write(name, fakeResult(run), ''), /nothing was written/, name);
      }
      assert.deepEqual(fs.readdirSync(session.dir), []);
      await assert.rejects(Session.create(place(base), '../x', AT), /cannot be a folder name/);
      for (const name of ['..\u0301', '\u0301a', '-a', 'a\u2028b', 'a b', 'a:b']) assert.equal(isSafeSegment(name), false, JSON.stringify(name));
    });

    it('stores runs of specs and variants named in any script, under the names slug gives them', async () => {
      const base = fresh('scripts');
      const name = slug('Альфа, 学习');
      assert.equal(name, 'альфа-学习');
      const session = await Session.create(place(base), name, new Date(2026, 0, 1));
      const dir = await session.write(`${slug('Вариант Ω')}-s0`, fakeResult(run), '');
      assert.equal(dir, path.join(storeDir(base), 'альфа-学习-20260101-000000', 'вариант-ω-s0'));
      assert.ok(fs.existsSync(path.join(dir, 'run.json')));
    });

    it('refuses a store that is a symlink to somewhere outside the base, before creating anything there', async () => {
      const base = fresh('linked');
      const outside = fresh('outside');
      fs.mkdirSync(path.join(base, '.rnnlab'));
      fs.symlinkSync(outside, path.join(base, '.rnnlab', 'runs'));
      await assert.rejects(Session.create(place(base), 'spec', AT), /outside .*nothing was written/);
      assert.deepEqual(fs.readdirSync(outside), [], 'no session folder in the symlink target');
    });
  });

  describe('writing a run folder', () => {
    it('never replaces a run folder that exists: the second write fails and the first stays whole', async () => {
      const parent = fresh('twice');
      const first = await writeRunFolder(parent, run.name, fakeResult(run), 'first');
      await assert.rejects(writeRunFolder(parent, run.name, fakeResult(run), 'second'), /exists already.*never replaced/);
      assert.equal(fs.readFileSync(path.join(first, 'spec.rnn.yaml'), 'utf8'), 'first');
      assert.deepEqual(fs.readdirSync(parent), [run.name], 'no temporary folder left either');
    });

    it('removes the temporary folders of writes that crashed, and only those', async () => {
      const parent = fresh('stale');
      const host = slug(hostname());
      // a pid that is not running: the highest pid the kernel hands out is below 2^22
      const dead = `.a-s0.tmp~${2 ** 22 + 7}~${host}~abc`;
      const alive = `.b-s0.tmp~${process.pid}~${host}~abc`;
      const otherHost = `.c-s0.tmp~1~some-other-machine~abc`;
      const oldOther = `.d-s0.tmp~1~some-other-machine~def`;
      const notOurs = '.e-s0.keep';
      for (const d of [dead, alive, otherHost, oldOther, notOurs]) fs.mkdirSync(path.join(parent, d));
      const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
      fs.utimesSync(path.join(parent, oldOther), twoDaysAgo, twoDaysAgo);
      await writeRunFolder(parent, run.name, fakeResult(run), '');
      assert.deepEqual(fs.readdirSync(parent).sort(), [alive, otherHost, notOurs, run.name].sort());
      assert.deepEqual(await removeStaleTemps(path.join(parent, 'missing')), []);
    });

    it('marks a run stopped before its last step in run.json, and reads it back', async () => {
      const parent = fresh('stopped');
      const dir = await writeRunFolder(parent, run.name, fakeResult(run, 12), '');
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(json.stopped, { steps_done: 12, steps_planned: 30 });
      const back = await readRunFolder(dir);
      assert.deepEqual(back.run.stopped, { steps_done: 12, steps_planned: 30 });
      assert.equal(back.metrics.stopped, true);
      assert.match(await runSummary(dir), /stopped after 12 steps/);
      const whole = await writeRunFolder(parent, 'whole-s0', fakeResult({ ...run, name: 'whole-s0' }), '');
      assert.equal('stopped' in (JSON.parse(fs.readFileSync(path.join(whole, 'run.json'), 'utf8')) as object), false);
    });
  });

  describe('reading a run folder back', () => {
    /** A complete run folder to damage. */
    const stored = async (label: string) => writeRunFolder(fresh(label), run.name, fakeResult(run), 'spec text');
    const rewrite = (dir: string, file: string, edit: (v: Record<string, unknown>) => void) => {
      const v = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
      edit(v);
      fs.writeFileSync(path.join(dir, file), JSON.stringify(v));
    };

    it('reads what it wrote', async () => {
      const back = await readRunFolder(await stored('ok'));
      assert.equal(back.run.name, run.name);
      assert.equal(back.metrics.rho, 0.4);
      assert.equal(back.view.projection.pca.trajectories.length, 2 * 4 * 3);
    });

    it('never follows a symbolic link: a metrics.json linked elsewhere is refused without showing its content', async () => {
      const dir = await stored('link');
      const secret = path.join(tmp, 'secret.txt');
      fs.writeFileSync(secret, 'TOP-SECRET-CONTENT');
      fs.rmSync(path.join(dir, 'metrics.json'));
      fs.symlinkSync(secret, path.join(dir, 'metrics.json'));
      await assert.rejects(readRunFolder(dir), (e: Error) => /symbolic link/.test(e.message) && !e.message.includes('TOP-SECRET'));
      assert.equal(await runSummary(dir), 'no readable metrics.json');
    });

    it('refuses devices and fifos without reading them (a link to /dev/zero would never end)', async () => {
      const dir = await stored('dev');
      fs.rmSync(path.join(dir, 'view.safetensors'));
      fs.symlinkSync('/dev/zero', path.join(dir, 'view.safetensors'));
      await assert.rejects(readRunFolder(dir), /symbolic link/);
      const fifo = await stored('fifo');
      fs.rmSync(path.join(fifo, 'metrics.json'));
      execFileSync('mkfifo', [path.join(fifo, 'metrics.json')]);
      await assert.rejects(readRunFolder(fifo), /not a regular file/);
    });

    it('refuses files over the size cap', async () => {
      const dir = await stored('big');
      fs.writeFileSync(path.join(dir, 'run.json'), ' '.repeat(5 * 2 ** 20));
      await assert.rejects(readRunFolder(dir), /run\.json is 5 MiB, more than the 4 MiB/);
    });

    it('refuses a run folder that is a link to a folder', async () => {
      const dir = await stored('folderlink');
      const link = path.join(tmp, 'folder-link');
      fs.symlinkSync(dir, link);
      await assert.rejects(readRunFolder(link), /not a run folder/);
    });

    it('checks run.json against the schema: sizes the panel would allocate from are bounded', async () => {
      const cases: [string, (v: Record<string, unknown>) => void, RegExp][] = [
        ['N', (v) => ((v.network as Record<string, unknown>).N = 1e9), /network\.N must be an integer from 2 to/],
        ['steps', (v) => ((v.training as Record<string, unknown>).steps = 1e12), /training\.steps must be an integer from 1 to 1000000/],
        ['kind', (v) => ((v.task as Record<string, unknown>).kind = 'bogus'), /task\.kind is not a task kind/],
        ['missing', (v) => delete (v.training as Record<string, unknown>).steps, /training\.steps is missing/],
        ['name', (v) => (v.name = '../x'), /name is not a plain run name/],
        ['old', (v) => delete (v.evaluation as Record<string, unknown>).t_min, /./],
        ['proto', (v) => Object.defineProperty(v, '__proto__', { value: { network: { N: 4 } }, enumerable: true }), /./],
      ];
      for (const [label, edit, expected] of cases) {
        const dir = await stored(`runjson-${label}`);
        rewrite(dir, 'run.json', edit);
        if (label === 'old') {
          // a field the schema gained later is missing from an older run: it still opens
          assert.equal((await readRunFolder(dir)).run.name, run.name);
          continue;
        }
        if (label === 'proto') {
          // an own "__proto__" key is data, not a prototype: the run still reads as written
          assert.equal((await readRunFolder(dir)).run.network.N, 16);
          continue;
        }
        await assert.rejects(readRunFolder(dir), (e: Error) => /run\.json is not a run description/.test(e.message) && expected.test(e.message), label);
      }
    });

    it('checks metrics.json and the view against run.json', async () => {
      let dir = await stored('metrics');
      rewrite(dir, 'metrics.json', (v) => (v.rho = { nested: true }));
      await assert.rejects(readRunFolder(dir), /metrics\.json: rho is not a number/);
      dir = await stored('view-size');
      const result = fakeResult(run);
      const view = { name: run.name, projection: result.evaluation.analysis.projection, condition: new Int32Array([0, 1]), conditionLabels: ['a', 'b'], losses: new Float32Array(31) };
      const { treeToSafetensors } = await import('../../../src/core/pack');
      fs.writeFileSync(path.join(dir, 'view.safetensors'), treeToSafetensors(view));
      await assert.rejects(readRunFolder(dir), /losses has 31 values for 30 steps/);
      view.losses = new Float32Array(3);
      view.projection = { ...view.projection, trials: [0, 5] };
      fs.writeFileSync(path.join(dir, 'view.safetensors'), treeToSafetensors(view));
      await assert.rejects(readRunFolder(dir), /projection\.trials has index 5, beyond 1/);
    });

    it('a safetensors header of null, a list or a number gives a clear error', async () => {
      for (const header of ['null', '[]', '7']) {
        const dir = await stored('header');
        const bytes = Buffer.alloc(8 + header.length);
        bytes.writeUInt32LE(header.length, 0);
        bytes.write(header, 8);
        fs.writeFileSync(path.join(dir, 'view.safetensors'), bytes);
        await assert.rejects(readRunFolder(dir), /view\.safetensors: Not a safetensors file: the header is (null|a list|a number), not a mapping/);
        fs.writeFileSync(path.join(dir, 'weights.safetensors'), bytes);
        await assert.rejects(readArrays(path.join(dir, 'weights.safetensors')), /the header is/);
      }
    });

    it('an array named __proto__ or constructor in a safetensors file is an array like any other', () => {
      const arrays = {};
      for (const [name, v] of [['__proto__', 1], ['constructor', 2]] as const) {
        Object.defineProperty(arrays, name, { value: { data: new Float32Array([v]), shape: [1] }, enumerable: true });
      }
      const bytes = encodeSafetensors(arrays);
      const file = path.join(tmp, 'proto.safetensors');
      fs.writeFileSync(file, bytes);
      return readArrays(file).then((arrays) => {
        assert.deepEqual(Object.keys(arrays).sort(), ['__proto__', 'constructor']);
        // biome-ignore lint/suspicious/noProto: the test is that a tensor named __proto__ is an own key
        assert.deepEqual([...(arrays.__proto__?.data ?? [])], [1]);
      });
    });
  });

  describe('listing stored runs', () => {
    it('lists run folders newest first, and skips links, hidden folders and folders that are no run', async () => {
      const base = fresh('list');
      const session = await Session.create(place(base), 'spec', AT);
      await session.write('a-s0', fakeResult({ ...run, name: 'a-s0' }), '');
      const outside = await writeRunFolder(fresh('elsewhere'), 'x-s0', fakeResult({ ...run, name: 'x-s0' }), '');
      fs.symlinkSync(outside, path.join(session.dir, 'linked-s0'));
      fs.symlinkSync(path.dirname(outside), path.join(storeDir(base), 'linked-session'));
      fs.mkdirSync(path.join(session.dir, '.b-s0.tmp~1~h~x'));
      // A sweep folder's Slurm scripts and logs (rnnlab submit) sit beside its runs.
      fs.mkdirSync(path.join(session.dir, 'slurm'));
      fs.writeFileSync(path.join(session.dir, 'slurm', '81234_0.log'), 'log');
      const runs = await listRuns([base]);
      assert.deepEqual(runs.map((r) => r.run), ['a-s0']);
      assert.match(await runSummary(runs[0]?.dir ?? ''), /^cycling, N 16: rho 0.400, eval loss 0.200$/);
    });
  });

  describe('results from the panel (decodeRunResult)', () => {
    it('accepts a complete result and keeps the host run config', () => {
      const echoed = { ...fakeResult(run), run: { ...run, training: { ...run.training, steps: 9999 } } };
      const decoded = decodeRunResult(toEnvelope(echoed), run);
      assert.equal(decoded.run, run, 'the host config, not the echoed one');
      assert.ok(decoded.final.W instanceof Float32Array && decoded.final.W.length === run.network.N ** 2);
      assert.ok(Number.isNaN(decoded.evaluation.analysis.dfit90), 'NaN survives the envelope');
    });

    it('names what is wrong with a malformed result', () => {
      const wrongW = fakeResult(run);
      wrongW.final.W = new Float32Array(5);
      assert.throws(() => decodeRunResult(toEnvelope(wrongW), run), /final\.W has 5 values, expected 256/);
      const otherRun = fakeResult({ ...run, name: 'oblique-s0' });
      assert.throws(() => decodeRunResult(toEnvelope(otherRun), run), /run\.name is "oblique-s0", expected "default-s0"/);
      const noTraj = fakeResult(run) as unknown as { evaluation: { analysis: { projection: { pca: { trajectories: unknown } } } } };
      noTraj.evaluation.analysis.projection.pca.trajectories = [1, 2, 3];
      assert.throws(() => decodeRunResult(toEnvelope(noTraj), run), /projection\.pca\.trajectories is not a Float32Array/);
      assert.throws(() => decodeRunResult(toEnvelope('just a string'), run), /result is not an object/);
    });

    it('does not take inherited members for fields: a result without its own fields is refused', () => {
      // "constructor" and "toString" exist on every object; they are not a result's fields
      assert.throws(() => decodeRunResult(toEnvelope({ constructor: 1 }), run), /backend is not a string/);
    });
  });

  describe("a panel's training sessions", () => {
    it('each its own folder even within one second, and a result goes to the session it names', async () => {
      const base = fresh('panel');
      const sessions = new PanelSessions();
      const a = await sessions.start([run], 'text a', 'e2e-small', place(base), AT);
      const b = await sessions.start([run], 'text b', 'e2e-small', place(base), AT);
      assert.equal(sessions.current, b);
      assert.equal(a.dir, path.join(storeDir(base), `e2e-small-${STAMP}`));
      assert.equal(b.dir, `${a.dir}-2`);
      assert.notEqual(a.id, b.id);
      // The first session's run reports after the second started: it lands in the first folder, with the first text.
      const folderA = await sessions.get(a.id)?.store(run.name, toEnvelope(fakeResult(run)));
      assert.equal(path.dirname(folderA ?? ''), a.dir);
      assert.equal(fs.readFileSync(path.join(folderA ?? '', 'spec.rnn.yaml'), 'utf8'), 'text a');
      await assert.rejects(sessions.get(a.id)?.store(run.name, toEnvelope(fakeResult(run))) ?? Promise.resolve(), /twice/);
      const folderB = await sessions.get(b.id)?.store(run.name, toEnvelope(fakeResult(run)));
      assert.equal(path.dirname(folderB ?? ''), b.dir);
      assert.equal(sessions.get('no such session'), undefined);
      // A folder already on disk (another window, the CLI) is not reused either.
      const c = await new PanelSessions().start([run], '', 'e2e-small', place(base), AT);
      assert.equal(c.dir, `${a.dir}-3`);
      // sessions that stored nothing leave no folder when the panel closes
      const d = await sessions.start([run], '', 'e2e-small', place(base), AT);
      await sessions.releaseAll();
      assert.equal(fs.existsSync(d.dir), false);
      assert.ok(fs.existsSync(folderB ?? ''));
    });
  });
});
