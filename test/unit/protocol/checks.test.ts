import * as assert from 'node:assert/strict';
import * as vm from 'node:vm';
import { toEnvelope } from '../../../src/core/pack';
import { loadSpec } from '../../../src/spec/resolve';
import {
  PROTOCOL_VERSION,
  decodeViewData,
  fromPanel,
  fromTrainer,
  isEnvelope,
  panelBoot,
  panelRestoreState,
  relay,
  toPanel,
  toTrainer,
  compareLine,
  dissimilarityResult,
} from '../../../src/protocol';
import { messageValidator } from '../../../src/protocol/check';
import type { TrainEvent } from '../../../src/core/train';

const SPEC = `
name: toy
task: { kind: cycling, response: 5 }
network: { N: 8 }
training: { steps: 6, batch: 4 }
evaluation: { batch: 4 }
`;
const [run] = loadSpec(SPEC, 'toy.rnn.yaml').runs;
if (run === undefined) throw new Error('the toy spec resolves to no run');
const env = toEnvelope({ a: new Float32Array([1, 2]), b: new Float64Array([3]), c: new Int32Array([4, 5, 6]) });
/** JSON of a message for assertion text, with buffers shown by size. */
const show = (m: unknown) => JSON.stringify(m, (_k, v: unknown) => (v instanceof ArrayBuffer ? `ArrayBuffer(${v.byteLength})` : v));

describe('protocol checks', () => {
  describe('envelopes', () => {
    it('accepts what toEnvelope makes, including from another realm (by tag, not instanceof)', () => {
      assert.ok(isEnvelope(env));
      assert.ok(isEnvelope(toEnvelope({})));
      const foreign = vm.runInNewContext('new ArrayBuffer(8)') as ArrayBuffer;
      assert.equal(foreign instanceof ArrayBuffer, false, 'a buffer of another realm');
      assert.ok(isEnvelope({ meta: { tree: {}, arrays: [{ name: 'a', dtype: 'F64', offset: 0, length: 1 }] }, buffer: foreign }));
    });

    it('refuses arrays outside the buffer, misaligned, of unknown dtype, or a buffer that is a view', () => {
      const one = (a: object, buffer: unknown = new ArrayBuffer(8)) => ({ meta: { tree: {}, arrays: [{ name: 'a', dtype: 'F32', offset: 0, length: 1, ...a }] }, buffer });
      for (const bad of [
        one({ length: 3 }),
        one({ offset: 2 }),
        one({ dtype: 'U8' }),
        one({ offset: -4 }),
        one({ length: 1.5 }),
        one({ dtype: 'F64', offset: 4 }),
        one({}, new Uint8Array(8)),
        { meta: { arrays: [] }, buffer: new ArrayBuffer(0) },
        { meta: { tree: {}, arrays: {} }, buffer: new ArrayBuffer(0) },
        null,
      ]) {
        assert.equal(isEnvelope(bad), false, show(bad));
      }
    });
  });

  describe('page -> host (FromPanel)', () => {
    it('accepts every well-formed message', () => {
      for (const msg of [
        { type: 'ready', version: PROTOCOL_VERSION },
        { type: 'status', state: 'training', runName: 'aligned-s0', step: 3, steps: 30, loss: 0.5, backend: 'wasm' },
        { type: 'status', state: 'idle' },
        { type: 'status', state: 'idle', loss: undefined },
        {
          type: 'status', state: 'training', runName: 'a-s0', step: 3, steps: 30, done: 1, total: 4,
          runs: [{ runName: 'a-s0', step: 3, steps: 30, state: 'training', loss: 0.5 }, { runName: 'a-s1', step: 2, steps: 30, state: 'paused' }],
        },
        { type: 'runFinished', session: 's1', runName: 'aligned-s0', result: env },
        { type: 'runFailed', session: 's1', runName: 'aligned-s0', message: 'diverged', step: 12 },
        { type: 'requestTrain' },
        { type: 'openSpec', folder: '/ws/.rnnlab/runs/a-1/aligned-s0' },
        { type: 'saveFile', name: 'loss.png', data: new ArrayBuffer(8), what: 'the loss chart' },
        { type: 'copyText', text: 'a,b', what: 'the measures table' },
        { type: 'log', level: 'warn', message: 'slow' },
      ]) {
        assert.equal(fromPanel.problem(msg), undefined, show(msg));
      }
    });

    it('refuses wrong types, unknown values and broken envelopes, and says which field', () => {
      const cases: [unknown, RegExp][] = [
        [null, /the message is not an object/],
        ['ready', /the message is not an object/],
        [[], /the message is not an object/],
        [{}, /has no type/],
        [{ type: 'hello' }, /unknown message type "hello"/],
        [{ type: 'toString' }, /unknown message type "toString"/],
        [{ type: '__proto__' }, /unknown message type/],
        [{ type: 'ready', version: '1' }, /ready: version is not a whole number/],
        [{ type: 'status', state: 'running' }, /status: state is not one of starting, idle/],
        [{ type: 'status', state: 'training', step: -1 }, /status: step is not a whole number >= 0/],
        [{ type: 'status', state: 'training', step: 1.5 }, /step is not a whole number/],
        [{ type: 'status', state: 'training', loss: null }, /loss is not a number/],
        [{ type: 'status', state: 'training', runName: 7 }, /runName is not a string/],
        [{ type: 'runFinished', session: 's1', runName: 'x' }, /result is not an object/],
        [{ type: 'runFinished', runName: 'x', result: env }, /session is not a string/],
        [{ type: 'runFinished', session: 's1', runName: 'x', result: { meta: env.meta, buffer: new Uint8Array(8) } }, /result\.buffer is not an ArrayBuffer/],
        [{ type: 'runFailed', session: 's1', runName: 'x' }, /message is not a string/],
        [{ type: 'log', level: 'debug', message: 'x' }, /level is not one of info, warn, error/],
        [{ type: 'status', state: 'training', runs: {} }, /status: runs is not a list/],
        [{ type: 'status', state: 'training', runs: [{ runName: 'a', step: 1, steps: 2, state: 'running' }] }, /runs\[0\]\.state is not one of training, paused, stopping/],
        [{ type: 'status', state: 'training', runs: [{ runName: 'a', step: 1, state: 'paused' }] }, /runs\[0\]\.steps is not a whole number/],
        [{ type: 'status', state: 'training', done: -1 }, /done is not a whole number/],
        [{ type: 'openSpec' }, /openSpec: folder is not a string/],
        [{ type: 'saveFile', name: 'a.png', data: new Uint8Array(8), what: 'x' }, /saveFile: data is not an ArrayBuffer/],
        [{ type: 'copyText', text: 3, what: 'x' }, /copyText: text is not a string/],
      ];
      for (const [msg, why] of cases) assert.match(fromPanel.problem(msg) ?? 'accepted', why, show(msg));
    });

    it('names at most three problems and counts the rest', () => {
      const why = fromPanel.problem({ type: 'status', state: 'x', runName: 1, step: 'a', steps: 'b', loss: 'c' });
      assert.match(why ?? '', /; .*; .* and 2 more problems$/);
    });
  });

  describe('host -> page (ToPanel)', () => {
    const session = { id: 's1', dir: '/ws/.rnnlab/runs/toy-1' };
    const init = { type: 'init', version: PROTOCOL_VERSION, specName: 'toy', specFile: '/ws/toy.rnn.yaml', runs: [run], autoStart: true, session, maxWorkers: 0 };

    it('accepts init, train, showRuns and the small messages', () => {
      const view = toEnvelope({});
      for (const msg of [
        init,
        { ...init, autoStart: false, session: undefined },
        { type: 'train', runs: [run], session, maxWorkers: 2 },
        { type: 'notice', level: 'info', message: 'x' },
        { type: 'pause' },
        { type: 'specChanged', changed: true, valid: false },
        { type: 'visibility', visible: false },
        { type: 'showRuns', purpose: 'stored', runs: [{ run, metrics: {}, view, losses: new Float32Array(3), folder: '/x' }] },
        { type: 'showRuns', purpose: 'restored', runs: [], variants: ['aligned', 'oblique'] },
        { type: 'showRuns', purpose: 'stored', runs: [{ run, metrics: {}, view, losses: new Float32Array(3), folder: '/x', perturbation: { directions: ['w_out', 'pc'], amplitudes: [0, 1], loss: [[1, 2], [1, NaN]], rel_susceptibility: 0.4 } }] },
        { type: 'stored', runName: 'a', folder: '/x' },
        { type: 'storeFailed', runName: 'a', message: 'disk full' },
      ]) {
        assert.equal(toPanel.problem(msg), undefined, show(msg));
      }
    });

    it('says what to do about a host of another version', () => {
      assert.match(toPanel.problem({ ...init, version: PROTOCOL_VERSION + 1 }) ?? '', new RegExp(`protocol version ${PROTOCOL_VERSION + 1} from the host; this panel speaks ${PROTOCOL_VERSION}\\. Reload the window`));
    });

    it('refuses runs the page would size buffers from without a check, and trains without a session', () => {
      const cases: [unknown, RegExp][] = [
        [{ ...init, session: undefined }, /session is not an object/],
        [{ ...init, runs: [{ ...run, training: { ...run.training, steps: -1 } }] }, /runs\[0\]\.training\.steps is not a whole number/],
        [{ ...init, runs: [{ ...run, network: { ...run.network, N: '8' } }] }, /runs\[0\]\.network\.N/],
        [{ ...init, runs: [{ ...run, name: undefined }] }, /runs\[0\]\.name is not a string/],
        [{ ...init, runs: {} }, /runs is not a list/],
        [{ type: 'train', runs: [run], maxWorkers: 0 }, /train: session is not an object/],
        [{ type: 'train', runs: [run], session: { id: 's1' }, maxWorkers: 0 }, /session\.dir is not a string/],
        [{ type: 'train', runs: [run], session }, /train: maxWorkers is not a whole number >= 0/],
        [{ ...init, maxWorkers: -1 }, /init: maxWorkers is not a whole number >= 0/],
        [{ type: 'visibility' }, /visible is not true or false/],
        [{ type: 'showRuns', purpose: 'stored', runs: [{ run, metrics: {}, view: {}, losses: [1], folder: '/x' }] }, /runs\[0\]\.view\.buffer is not an ArrayBuffer/],
        [{ type: 'showRuns', purpose: 'stored', runs: [{ run, metrics: {}, view: toEnvelope({}), losses: [1], folder: '/x' }] }, /runs\[0\]\.losses/],
        [{ type: 'showRuns', purpose: 'mine', runs: [] }, /purpose is not one of stored, compare, restored/],
        [{ type: 'showRuns', purpose: 'stored', runs: [{ run, metrics: {}, view: toEnvelope({}), losses: new Float32Array(1), folder: '/x', perturbation: { directions: ['w_out'], amplitudes: [0, 1], loss: [[1]], rel_susceptibility: 1 } }] }, /runs\[0\]\.perturbation\.loss\[0\] is not one number per amplitude/],
        [{ type: 'showRuns', purpose: 'compare', runs: {} }, /runs is not a list/],
        [{ type: 'showRuns', purpose: 'compare', runs: [], variants: [1] }, /variants/],
      ];
      for (const [msg, why] of cases) assert.match(toPanel.problem(msg) ?? 'accepted', why, show(msg));
    });
  });

  describe('the dissimilarity (compare --json lines, the page message)', () => {
    const result = {
      kind: 'dissimilarity',
      metric: 'angular_procrustes',
      runs: ['aligned-s0', 'aligned-s1', 'oblique-s0'],
      groups: ['aligned', 'aligned', 'oblique'],
      matrix: [[0, 0.2, 0.5], [0.2, 0, null], [0.5, null, 0]],
      euclidean: [[0, 1, 2], [1, 0, null], [2, null, 0]],
      within: { aligned: { mean: 0.2, sd: null, pairs: 1 } },
      between: { 'aligned|oblique': { mean: 0.5, sd: null, pairs: 1 } },
      incomparable: [{ runs: ['aligned-s1', 'oblique-s0'], reason: 'evaluated on different trials' }],
    };

    it('accepts a result, a progress line, and the three states of the page message', () => {
      assert.equal(dissimilarityResult.problem(result), undefined);
      assert.equal(compareLine.problem(result), undefined);
      assert.equal(compareLine.problem({ kind: 'progress', done: 1, total: 3 }), undefined);
      for (const msg of [
        { type: 'dissimilarity', state: 'computing', done: 0, total: 3, session: 's1' },
        { type: 'dissimilarity', state: 'ready', result, file: '/ws/.rnnlab/runs/toy-1/dissimilarity.json' },
        { type: 'dissimilarity', state: 'failed', message: 'no states' },
      ]) {
        assert.equal(toPanel.problem(msg), undefined, show(msg));
      }
    });

    it('refuses a matrix of the wrong size, a missing summary field, and states without their fields', () => {
      const cases: [unknown, RegExp][] = [
        [{ ...result, matrix: [[0, 1], [1, 0]] }, /matrix is not 3 rows/],
        [{ ...result, euclidean: [[0, 1, 2], [1, 0], [2, 1, 0]] }, /euclidean\[1\] is not 3 numbers or nulls/],
        [{ ...result, groups: ['aligned'] }, /groups has 1 entries, expected 3/],
        [{ ...result, within: { aligned: { mean: 0.2, pairs: 1 } } }, /within\.aligned\.sd is not a number or null/],
        [{ ...result, kind: 'run' }, /kind is "run", expected "dissimilarity"/],
        [{ ...result, incomparable: [{ runs: ['a'], reason: 'x' }] }, /incomparable\[0\]\.runs has 1 entries/],
      ];
      for (const [x, why] of cases) assert.match(dissimilarityResult.problem(x) ?? 'accepted', why, show(x));
      assert.match(compareLine.problem({ kind: 'progress', done: -1, total: 3 }) ?? 'accepted', /done is not a whole number/);
      const msgs: [unknown, RegExp][] = [
        [{ type: 'dissimilarity', state: 'computing', total: 3 }, /dissimilarity: done is not a whole number/],
        [{ type: 'dissimilarity', state: 'ready' }, /dissimilarity: result is not an object/],
        [{ type: 'dissimilarity', state: 'ready', result: { ...result, runs: [1, 2, 3] } }, /result\.runs is not a list of strings/],
        [{ type: 'dissimilarity', state: 'failed' }, /message is not a string/],
        [{ type: 'dissimilarity', state: 'done', result }, /state is not one of computing, ready, failed/],
      ];
      for (const [m, why] of msgs) assert.match(toPanel.problem(m) ?? 'accepted', why, show(m));
    });
  });

  describe('the page state kept for a window reload and the boot block', () => {
    const live = { version: PROTOCOL_VERSION, mode: 'live', resource: 'file:///ws/a.rnn.yaml', session: { dir: '/ws/.rnnlab/runs/a-1', training: [{ runName: 'default-s0', step: 12 }, { runName: 'default-s1', step: 7 }] } };

    it('accepts live and stored states', () => {
      for (const ok of [live, { ...live, session: undefined }, { ...live, session: { dir: '/x' } }, { ...live, prefs: { basis: 'readout', time: 0.5 } }, { version: PROTOCOL_VERSION, mode: 'stored', resource: 'file:///x' }]) {
        assert.ok(panelRestoreState.is(ok), show(ok));
      }
    });

    it('refuses anything else', () => {
      for (const bad of [undefined, null, 'x', {}, { ...live, version: '2' }, { ...live, mode: 'train' }, { ...live, resource: 3 }, { ...live, session: { dir: 1 } },
        { ...live, session: { dir: '/x', training: [{ runName: 'a', step: -1 }] } }, { ...live, session: { dir: '/x', training: [{ step: 1 }] } },
        { ...live, session: { dir: '/x', training: { runName: 'a', step: 1 } } },
        { version: PROTOCOL_VERSION, mode: 'stored', resource: 'x', session: { dir: '/x' } }, { ...live, prefs: { basis: ['pca'] } }, { ...live, prefs: 'pca' }]) {
        assert.equal(panelRestoreState.is(bad), false, show(bad));
      }
    });

    it('checks the boot block the host wrote', () => {
      const boot = { version: PROTOCOL_VERSION, assets: { workerUrl: 'w.js', wasmUrls: { 'a.wasm': 'u' } }, specName: 's', mode: 'live', resource: 'file:///s' };
      assert.equal(panelBoot.problem(boot), undefined);
      assert.match(panelBoot.problem({ ...boot, mode: 'other' }) ?? '', /mode is not one of live, stored/);
      assert.match(panelBoot.problem({ ...boot, assets: { workerUrl: 'w.js', wasmUrls: { 'a.wasm': 3 } } }) ?? '', /assets\.wasmUrls\.a\.wasm is not a string/);
      assert.match(panelBoot.problem({ ...boot, assets: undefined }) ?? '', /assets is not an object/);
    });
  });

  describe('worker <-> owner (trainer channel)', () => {
    const start: Extract<TrainEvent, { type: 'start' }> = {
      type: 'start',
      run: 'a',
      backend: 'fused',
      backendReason: 'auto: fastest measured at this shape',
      calibration: [
        { backend: 'fused', msPerStep: 1.5 },
        { backend: 'webgl', msPerStep: null, error: 'no WebGL' },
      ],
      N: 8, T: 30, B: 4, steps: 6, parameters: 64, memoryBytes: 1000 };
    const step: Extract<TrainEvent, { type: 'step' }> = { type: 'step', step: 1, loss: 0.5, gradRms: 0.1, ms: 3 };
    const moved: Extract<TrainEvent, { type: 'backend' }> = { type: 'backend', step: 0, from: 'webgl', to: 'fused', reason: 'the webgl context was lost' };

    it("relays the core's events with every field, under the message's type and the run id", () => {
      const { type: _s, ...startFields } = start;
      assert.deepEqual(relay(start, 'started', 'r1'), { ...startFields, type: 'started', runId: 'r1' });
      const { type: _t, ...stepFields } = step;
      assert.deepEqual(relay(step, 'step', 'r1'), { ...stepFields, type: 'step', runId: 'r1' });
    });

    it('accepts what the worker sends and checks every relayed field', () => {
      for (const msg of [
        relay(start, 'started', 'r1'),
        relay(step, 'step', 'r1'),
        relay(moved, 'backendChanged', 'r1'),
        { type: 'ready', version: PROTOCOL_VERSION, backend: { name: 'wasm', reason: 'default', simd: true, threads: 1 } },
        { type: 'initFailed', message: 'no wasm' },
        { type: 'evaluation', runId: 'r1', step: 2, final: false, summary: { eval_loss: 0.1, eval_loss_x0rand: null, rho: null, r2_curve: [0.5] }, view: env },
        { type: 'evaluation', runId: 'r1', step: 2, final: true, summary: { eval_loss: NaN, eval_loss_x0rand: 0.2 } },
        { type: 'finished', runId: 'r1', result: env },
        { type: 'failed', runId: 'r1', message: 'diverged', step: 3 },
      ]) {
        assert.equal(fromTrainer.problem(msg), undefined, show(msg));
      }
      for (const key of Object.keys(start).filter((k) => k !== 'type')) {
        const msg: Record<string, unknown> = relay(start, 'started', 'r1');
        delete msg[key];
        assert.match(fromTrainer.problem(msg) ?? 'accepted', new RegExp(`started: ${key} is not`), key);
      }
      assert.match(fromTrainer.problem({ ...relay(step, 'step', 'r1'), loss: '0.5' }) ?? '', /step: loss is not a number/);
      const badRow = { ...relay(start, 'started', 'r1'), calibration: [{ backend: 'wasm', msPerStep: '2' }] };
      assert.match(fromTrainer.problem(badRow) ?? '', /started: calibration\[0\]\.msPerStep is not a number or null/);
      assert.match(fromTrainer.problem({ type: 'finished', runId: 'r1' }) ?? '', /finished: result is not an object/);
      assert.match(fromTrainer.problem({ ...relay(moved, 'backendChanged', 'r1'), to: 'gpu' }) ?? '', /backendChanged: to is not one of fused, wasm, webgl, webgpu, cpu/);
    });

    it('checks what the owner sends the worker', () => {
      for (const msg of [
        { type: 'init', version: PROTOCOL_VERSION, backend: 'auto', wasm: { kind: 'path', dir: '/dist' } },
        { type: 'init', version: PROTOCOL_VERSION, backend: 'cpu', wasm: { kind: 'bytes', name: 'x.wasm', bytes: new ArrayBuffer(4) } },
        { type: 'init', version: PROTOCOL_VERSION, backend: 'fused', wasm: { kind: 'bytes', name: 'x.wasm', bytes: new ArrayBuffer(4), kernel: new ArrayBuffer(8) } },
        { type: 'train', runId: 'r1', run },
        { type: 'stop' },
      ]) {
        assert.equal(toTrainer.problem(msg), undefined, show(msg));
      }
      assert.match(toTrainer.problem({ type: 'init', version: PROTOCOL_VERSION, backend: 'gpu' }) ?? '', /backend is not one of auto/);
      assert.match(toTrainer.problem({ type: 'init', version: PROTOCOL_VERSION, backend: 'auto', wasm: { kind: 'bytes', name: 'x', bytes: new Uint8Array(4) } }) ?? '', /wasm\.bytes is not an ArrayBuffer/);
      assert.match(toTrainer.problem({ type: 'init', version: PROTOCOL_VERSION, backend: 'fused', wasm: { kind: 'bytes', name: 'x', bytes: new ArrayBuffer(4), kernel: 'k' } }) ?? '', /wasm\.kernel is not an ArrayBuffer/);
      assert.match(toTrainer.problem({ type: 'train', runId: 'r1', run: { ...run, training: undefined } }) ?? '', /run\.training is not an object/);
    });

    it('a message type without its check does not compile', () => {
      // @ts-expect-error: `b` has no check
      const v = messageValidator<{ type: 'a' } | { type: 'b' }>({ a: () => undefined });
      assert.match(v.problem({ type: 'b' }) ?? '', /unknown message type "b"/);
    });
  });

  describe('the 3D view data', () => {
    const N = 4;
    const trials = [0, 1];
    const steps = [0, 1, 2];
    const basis = () => ({
      axes: new Float64Array(3 * N), axis_labels: ['PC1', 'PC2', 'PC3'], trajectories: new Float32Array(trials.length * steps.length * 3), centre: [0, 0, 0], scale: 1,
      axis_variance: [1, 0.5, 0.2], readouts: [{ coords: [1, 0, 0], arrow: [1, 0, 0], fraction: 1, angle_deg: 0 }],
    });
    // biome-ignore lint/suspicious/noExplicitAny: the patches put wrong types in on purpose
    const view = (patch: (v: any) => void = () => undefined) => {
      const v = { projection: { trials, steps, pca: basis(), readout: basis() }, condition: new Int32Array([0, 1]), conditionLabels: ['a', 'b'] };
      patch(v);
      return toEnvelope(v);
    };

    it('decodes a well-formed view, with or without a readout basis', () => {
      assert.equal(decodeViewData(view(), N).projection.pca.trajectories.length, 18);
      assert.equal(decodeViewData(view((v) => (v.projection.readout = null))).projection.readout, null);
    });

    it('says what is wrong with a malformed one', () => {
      // biome-ignore lint/suspicious/noExplicitAny: the patches put wrong types in on purpose
      const cases: [(v: any) => void, RegExp][] = [
        [(v) => (v.projection.pca.trajectories = new Float32Array(5)), /view\.projection\.pca\.trajectories has 5 values, expected 18/],
        [(v) => (v.projection.trials = [0, 2]), /view\.projection\.trials has index 2, beyond 1/],
        [(v) => (v.condition = [0, 1]), /view\.condition is not an Int32Array/],
        [(v) => (v.projection.readout.readouts = [{ coords: [1, 0, 0], arrow: [1, 0], fraction: 1, angle_deg: 0 }]), /readout\.readouts\[0\]\.arrow has 2 numbers, expected 3/],
        [(v) => (v.projection.pca.axis_labels = ['a']), /pca\.axis_labels has 1 entries, expected 3/],
        [(v) => delete v.projection.pca, /view\.projection\.pca is not an object/],
      ];
      for (const [patch, why] of cases) assert.throws(() => decodeViewData(view(patch), N), why);
      assert.throws(() => decodeViewData(view(), 5), /pca\.axes has 12 values, expected 15/);
    });
  });
});
