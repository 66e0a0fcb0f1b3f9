import * as assert from 'node:assert/strict';
import { TASKS } from '../../../src/core/tasks/registry';
import { completionsAt, hoverAt, type SpecCompletion } from '../../../src/spec/assist';
import { cursor } from './positions';
import { at } from '../../../src/core/checked';

const DOC = [
  'name: demo', // 0
  'task:', // 1
  '  kind: mante', // 2
  '  stim: 20', // 3
  'network:', // 4
  '  N: 128', // 5
  '  output_scale: small', // 6
  'training:', // 7
  '  lr0: 0.01', // 8
  'variants:', // 9
  '  - name: a', // 10
  '    task: { decision: 10 }', // 11
  '    network: { g: 0.7 }', // 12
  '# a comment about N', // 13
  'analysis: [correlation, noise]', // 14
  '',
].join('\n');

function hover(needle: string, nth = 0, into = 1): ReturnType<typeof hoverAt> {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = DOC.indexOf(needle, at + 1);
  assert.ok(at >= 0, needle);
  return hoverAt(DOC, at + into);
}

function complete(marked: string): SpecCompletion[] {
  const { text, offset } = cursor(marked);
  return completionsAt(text, offset);
}

function labels(cs: SpecCompletion[]): string[] {
  return cs.map((c) => c.label);
}

describe('spec hover', () => {
  it('on a key: path, type, description, default and range, spanning the key', () => {
    const h = hover('N: 128');
    assert.ok(h !== undefined);
    assert.equal(DOC.slice(h.start, h.end), 'N');
    assert.match(h.markdown, /^\*\*`network\.N`\*\* · `integer`/);
    assert.ok(h.markdown.includes('Number of rate units'));
    assert.ok(h.markdown.includes('Default: `512`'));
    assert.ok(h.markdown.includes('Range: 2 to 4096'));
  });

  it('on a value: the field it belongs to', () => {
    const h = hover('small');
    assert.ok(h !== undefined);
    assert.equal(DOC.slice(h.start, h.end), 'small');
    assert.ok(h.markdown.includes('`network.output_scale`'));
    assert.ok(h.markdown.includes('**aligned**'));
  });

  it('on a task kind value: the task from the registry', () => {
    const h = hover('mante');
    assert.ok(h !== undefined);
    assert.ok(h.markdown.includes(TASKS.mante.title));
    assert.ok(h.markdown.includes(TASKS.mante.citation));
    assert.ok(h.markdown.includes('`coherences` = [0.125, 0.25, 0.5, 1]'));
  });

  it('on the kind key: the field and the current task', () => {
    const h = hover('kind');
    assert.ok(h !== undefined);
    assert.ok(h.markdown.includes('`task.kind`'));
    assert.ok(h.markdown.includes(TASKS.mante.title));
  });

  it("a by-task default is worked out for this spec", () => {
    const h = hover('lr0');
    assert.ok(h !== undefined);
    assert.ok(h.markdown.includes('| mante | 0.002 | 0.02 | 0.002 | 0.002 |'));
    assert.ok(h.markdown.includes('Default here: `0.002` (mante, small output'), h.markdown);
  });

  it("inside a variant, task parameters are those of the spec's kind", () => {
    const h = hover('decision');
    assert.ok(h !== undefined);
    assert.ok(h.markdown.includes('`variants[0].task.decision`'));
    assert.ok(h.markdown.includes('Default: `20`'));
  });

  it('on a list item: the list field', () => {
    const h = hover('noise]');
    assert.ok(h !== undefined);
    assert.ok(h.markdown.includes('`analysis`'));
    assert.equal(DOC.slice(h.start, h.end), 'noise');
  });

  it('nothing on comments, blank space or unknown keys', () => {
    assert.equal(hover('about N'), undefined);
    assert.equal(hoverAt('task: { kind: cycling }\nbogus: 1\n', 26), undefined);
  });
});

describe('spec completion', () => {
  it('top-level keys that are not yet present, with their defaults to insert', () => {
    const cs = complete('task: { kind: cycling }\nse|\n');
    assert.ok(!labels(cs).includes('task'));
    assert.deepEqual(labels(cs).slice(0, 3), ['name', 'network', 'noise']);
    const seeds = cs.find((c) => c.label === 'seeds');
    assert.equal(seeds?.insertText, 'seeds: 1');
    assert.equal(seeds?.detail, 'integer · default 1');
    assert.deepEqual([seeds?.start, seeds?.end], [24, 26]);
    assert.ok(seeds?.documentation?.includes('Repeat every variant'));
  });

  it('a section key opens a nested block, with the first required key', () => {
    const cs = complete('ta|');
    assert.equal(cs.find((c) => c.label === 'task')?.insertText, 'task:\n  kind: ');
    assert.equal(cs.find((c) => c.label === 'network')?.insertText, 'network:\n  ');
    assert.equal(cs.find((c) => c.label === 'variants')?.insertText, 'variants:\n  - name: ');
  });

  it("task keys are the parameters of the task's kind, minus those written", () => {
    const cs = complete('task:\n  kind: cycling\n  response: 31\n  |\n');
    assert.deepEqual(labels(cs), ['stim', 'freq', 'mask_step']);
    assert.equal(cs.find((c) => c.label === 'mask_step')?.insertText, 'mask_step: 5');
  });

  it('by-task defaults are inserted for this spec', () => {
    const cs = complete('task: { kind: romo }\nnetwork:\n  output_scale: small\ntraining:\n  batch: 16\n  |\n');
    assert.deepEqual(labels(cs), ['steps', 'lr0', 'seed', 'backend']);
    assert.equal(cs.find((c) => c.label === 'lr0')?.insertText, 'lr0: 0.005');
    assert.equal(cs.find((c) => c.label === 'steps')?.insertText, 'steps: 6000');
  });

  it('task kinds, with the task titles', () => {
    const cs = complete('task:\n  kind: |\n');
    assert.deepEqual(labels(cs), ['cycling', 'flipflop', 'mante', 'romo', 'complex_sine', 'sine']);
    assert.equal(at(cs, 0).detail, TASKS.cycling.title);
    assert.equal(at(cs, 0).kind, 'value');
  });

  it('enum values replace the word being typed', () => {
    const { text, offset } = cursor('task: { kind: cycling }\ntraining:\n  backend: w|as\n');
    const cs = completionsAt(text, offset);
    assert.deepEqual(labels(cs), ['auto', 'fused', 'wasm', 'webgl', 'webgpu', 'cpu']);
    assert.equal(text.slice(at(cs, 0).start, at(cs, 0).end), 'was');
  });

  it('booleans', () => {
    assert.deepEqual(labels(complete('task: { kind: cycling }\nview: { readout_arrows: | }\n')), ['true', 'false']);
  });

  it('items of a flow list, minus those present', () => {
    assert.deepEqual(labels(complete('task: { kind: cycling }\nnetwork: { train: [input, |] }\n')), ['recurrent', 'output']);
    assert.deepEqual(labels(complete('task: { kind: cycling }\nanalysis: [|, noise]\n')), ['correlation', 'dimensions', 'perturbation']);
  });

  it('items of a block list, minus those present', () => {
    assert.deepEqual(labels(complete('task: { kind: cycling }\nanalysis:\n  - noise\n  - |\n')), ['correlation', 'dimensions', 'perturbation']);
  });

  it('keys of a variant, in block and flow style', () => {
    assert.deepEqual(labels(complete('task: { kind: romo }\nvariants:\n  - name: x\n    |\n')), ['task', 'network', 'noise', 'training', 'evaluation']);
    assert.deepEqual(labels(complete('task: { kind: romo }\nvariants:\n  - |\n')), ['name', 'task', 'network', 'noise', 'training', 'evaluation']);
    assert.deepEqual(labels(complete('task: { kind: romo }\nvariants:\n  - { name: x, |}\n')), ['task', 'network', 'noise', 'training', 'evaluation']);
  });

  it("a variant's task offers the spec kind's parameters, without kind", () => {
    const cs = complete('task: { kind: sine }\nvariants:\n  - { name: x, task: { freq: 0.2, | } }\n');
    assert.deepEqual(labels(cs), ['duration', 'eval_duration', 'mask_step']);
  });

  it('values inside a variant', () => {
    assert.deepEqual(labels(complete('task: { kind: romo }\nvariants:\n  - name: x\n    network: { output_scale: | }\n')), ['small', 'large']);
  });

  it('nested block mappings inside a list item', () => {
    const cs = complete('task: { kind: romo }\nvariants:\n- name: x\n  network:\n    N: 64\n    |\n');
    assert.deepEqual(labels(cs), ['g', 'dt', 'output_scale', 'train', 'h0_std']);
  });

  it('never throws on a line holding a lone \\r, U+2028 or U+2029', () => {
    const texts = [
      'task: { kind: cycling }\rnetwork: { N: 3 }\n',
      'name: "a\rb"\ntask: { kind: cycling }\n',
      'name: "a\u2028b"\ntask:\n  kind: cycling\n',
      '# note\u2029\ntask: { kind: cycling }\nnetwork:\n  N: 3\n',
    ];
    for (const text of texts) {
      for (let offset = 0; offset <= text.length; offset++) {
        assert.doesNotThrow(() => completionsAt(text, offset), `${JSON.stringify(text)} at ${offset}`);
        assert.doesNotThrow(() => hoverAt(text, offset), `${JSON.stringify(text)} at ${offset}`);
      }
    }
    const { text, offset } = cursor('name: "a\u2028b"\ntask:\n  kind: cycling\n  |\n');
    assert.ok(labels(completionsAt(text, offset)).includes('response'));
  });

  it('nothing in a comment or a quoted string', () => {
    assert.deepEqual(complete('task: { kind: cycling }\n# net|\n'), []);
    assert.deepEqual(complete('name: "net|\n'), []);
  });
});
