import * as assert from 'node:assert/strict';
import { TRAINING_BYTES_LIMIT } from '../../../src/core/memory';
import type { Diagnostic } from '../../../src/spec/diagnostics';
import { loadSpec } from '../../../src/spec/resolve';
import { rangeOf, rangeOfDiagnostic, type Range0 } from './positions';
import { at } from '../../../src/core/checked';

/** The only diagnostic of a spec, which must have exactly one. */
function only(text: string): Diagnostic {
  const { diagnostics } = loadSpec(text);
  assert.equal(diagnostics.length, 1, diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return at(diagnostics, 0);
}

function expectAt(d: Diagnostic, code: string, range: Range0, ...phrases: string[]): void {
  assert.equal(d.code, code, d.message);
  assert.deepEqual(rangeOfDiagnostic(d), range, d.message);
  for (const p of phrases) assert.ok(d.message.includes(p), `${JSON.stringify(d.message)} should mention ${JSON.stringify(p)}`);
}

describe('spec diagnostics', () => {
  describe('YAML syntax', () => {
    it('reports every syntax error the parser finds, at its position', () => {
      const text = 'task: { kind: cycling\nnetwork: [1\n';
      const { diagnostics, runs } = loadSpec(text);
      assert.deepEqual(diagnostics.map((d) => d.code), ['yaml.BAD_INDENT', 'yaml.BAD_INDENT']);
      assert.deepEqual(rangeOfDiagnostic(at(diagnostics, 0)), { line: 1, column: 0, endLine: 1, endColumn: 1 });
      assert.deepEqual(rangeOfDiagnostic(at(diagnostics, 1)), { line: 2, column: 0, endLine: 2, endColumn: 0 }); // the end of the text
      assert.ok(at(diagnostics, 0).message.includes('end with a }'));
      assert.deepEqual(runs, []);
    });

    it('explains a tab used for indentation', () => {
      const d = only('task:\n\tkind: cycling\n');
      expectAt(d, 'yaml.TAB_AS_INDENT', { line: 1, column: 0, endLine: 1, endColumn: 1 }, 'spaces');
    });

    it('says a spec is a single document', () => {
      const d = only('task: { kind: cycling }\n---\nseeds: 2\n');
      assert.equal(d.code, 'yaml.MULTIPLE_DOCS');
      assert.ok(d.message.includes('single YAML document'));
    });

    it('reports a duplicate key at the repeat, naming the first line', () => {
      const text = 'task: { kind: cycling }\nnetwork:\n  N: 64\n  g: 1.5\n  N: 128\n';
      const d = only(text);
      expectAt(d, 'duplicate-key', rangeOf(text, 'N', 1), '"N"', 'network', 'line 3');
      assert.deepEqual(d.path, ['network', 'N']);
    });

    it('an alias without an anchor before it is reported at the alias', () => {
      const text = 'task: { kind: cycling }\nname: *nope\n';
      const d = only(text);
      expectAt(d, 'yaml.BAD_ALIAS', rangeOf(text, '*nope'), '*nope', '&nope');
      assert.ok(!d.message.includes('many aliases'), d.message);
    });

    it('a merge key whose value is not a mapping is reported at that value', () => {
      const text = 'task: { kind: cycling }\nnetwork:\n  <<: 3\n';
      const d = only(text);
      expectAt(d, 'yaml.BAD_MERGE', rangeOf(text, '3'), 'mapping', 'not 3');
      assert.ok(!d.message.includes('many aliases'), d.message);
      const list = 'base: &b { N: 8 }\ntask: { kind: cycling }\nnetwork: { <<: [*b, 7] }\n';
      const bad = loadSpec(list).diagnostics.filter((x) => x.code.startsWith('yaml.'));
      assert.equal(bad.length, 1);
      expectAt(at(bad, 0), 'yaml.BAD_MERGE', rangeOf(list, '7'), 'not 7');
    });

    it('too many aliases is still explained as such', () => {
      const text = 'a: &a [1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
      const d = only(text);
      assert.equal(d.code, 'yaml.ALIAS_EXPANSION');
      assert.ok(d.message.includes('many aliases'), d.message);
    });

    it('an empty key and a collection key are reported at the key itself', () => {
      const empty = 'task: { kind: cycling }\n? \n: 1\n';
      const e = only(empty);
      assert.equal(e.code, 'unknown-key');
      assert.deepEqual(e.path, ['']);
      assert.equal(e.line, 1, e.message); // not at task: on line 0
      const flow = 'task: { kind: cycling }\n[a, b]: 1\n';
      expectAt(only(flow), 'unknown-key', rangeOf(flow, '[a, b]'), '"[ a, b ]"');
      const nested = 'task: { kind: cycling }\nnetwork:\n  {x: 1}: 2\n';
      expectAt(only(nested), 'unknown-key', rangeOf(nested, '{x: 1}'), 'in network');
    });
  });

  describe('document shape', () => {
    it('an empty spec says how to start', () => {
      const d = only('# nothing yet\n');
      expectAt(d, 'not-a-mapping', { line: 0, column: 0, endLine: 0, endColumn: 1 }, 'task: { kind: cycling }');
    });

    it('a list is not a spec', () => {
      assert.equal(only('- task\n').code, 'not-a-mapping');
    });

    it('a missing task is reported at the first key, with what to add', () => {
      const text = 'network:\n  N: 64\n';
      expectAt(only(text), 'missing-key', rangeOf(text, 'network'), 'needs task', 'task: { kind: cycling }');
    });

    it('a task without kind lists the kinds', () => {
      const text = 'task:\n  response: 31\n';
      expectAt(only(text), 'missing-key', rangeOf(text, 'task'), 'task needs kind', 'cycling', 'complex_sine');
    });
  });

  describe('schema violations', () => {
    it('unknown key: on the key itself, with the closest key and the allowed ones', () => {
      const text = 'nework: { N: 64 }\ntask: { kind: cycling }\n';
      const d = only(text);
      expectAt(d, 'unknown-key', rangeOf(text, 'nework'), 'Did you mean network?', 'Allowed keys: name, task, network');
      assert.deepEqual(d.path, ['nework']);
    });

    it('unknown key in a section', () => {
      const text = 'task: { kind: cycling }\ntraining:\n  stesp: 100\n';
      expectAt(only(text), 'unknown-key', rangeOf(text, 'stesp'), 'in training', 'Did you mean steps?', 'lr0');
    });

    it('a truncated key is recognised', () => {
      const text = 'task: { kind: cycling, resp: 31 }\n';
      expectAt(only(text), 'unknown-key', rangeOf(text, 'resp'), 'Did you mean response?');
    });

    it("a parameter of another task kind names the kind it belongs to", () => {
      const text = 'task:\n  kind: cycling\n  bits: 3\n';
      expectAt(only(text), 'unknown-key', rangeOf(text, 'bits'), 'for cycling', 'stim, response, freq, mask_step', 'parameter of flipflop');
    });

    it('wrong type: on the value, with the expected type and an example', () => {
      const text = 'task: { kind: cycling }\nnetwork:\n  N: lots\n';
      expectAt(only(text), 'wrong-type', rangeOf(text, 'lots'), 'network.N must be an integer from 2 to 4096, not "lots"', 'N: 512');
    });

    it('a fraction where an integer is required', () => {
      const text = 'task: { kind: cycling }\ntraining: { steps: 10.5 }\n';
      expectAt(only(text), 'wrong-type', rangeOf(text, '10.5'), 'an integer');
    });

    it('.inf is not a number', () => {
      const text = 'task: { kind: cycling }\nnetwork: { g: .inf }\n';
      expectAt(only(text), 'wrong-type', rangeOf(text, '.inf'), 'not .inf');
    });

    it('an empty section is underlined at its key', () => {
      const text = 'task: { kind: cycling }\nnetwork:\n';
      expectAt(only(text), 'wrong-type', rangeOf(text, 'network'), 'network has no value', 'mapping');
    });

    it('out of range: says the range', () => {
      const text = 'task: { kind: cycling }\nnetwork:\n  N: 10000\n';
      expectAt(only(text), 'out-of-range', rangeOf(text, '10000'), 'from 2 to 4096', 'not 10000');
    });

    it('out of range with an exclusive bound', () => {
      const text = 'task: { kind: cycling }\nnetwork: { dt: 0.0 }\n';
      expectAt(only(text), 'out-of-range', rangeOf(text, '0.0'), 'greater than 0 and at most 1');
    });

    it('bad enum value: lists the allowed values and guesses', () => {
      const text = 'task: { kind: cycling }\ntraining: { backend: wasn }\n';
      expectAt(only(text), 'bad-enum', rangeOf(text, 'wasn'), 'one of auto, fused, wasm, webgl, webgpu, cpu', 'Did you mean wasm?');
    });

    it('bad task kind', () => {
      const text = 'task:\n  kind: cyclng\n';
      expectAt(only(text), 'bad-enum', rangeOf(text, 'cyclng'), 'Did you mean cycling?', 'complex_sine');
    });

    it('output_scale names both words and numbers', () => {
      const text = 'task: { kind: cycling }\nnetwork: { output_scale: medium }\n';
      expectAt(only(text), 'bad-enum', rangeOf(text, 'medium'), 'small, large or a number greater than 0');
    });

    it('a negative output_scale is out of range', () => {
      const text = 'task: { kind: cycling }\nnetwork: { output_scale: -1 }\n';
      expectAt(only(text), 'out-of-range', rangeOf(text, '-1'), 'greater than 0');
    });

    it('a repeated list item is underlined at the repeat', () => {
      const text = 'task: { kind: cycling }\nnetwork: { train: [input, recurrent, input] }\n';
      expectAt(only(text), 'duplicate-item', rangeOf(text, 'input', 1), 'lists "input" twice');
    });

    it('an empty train list', () => {
      const text = 'task: { kind: cycling }\nnetwork: { train: [] }\n';
      expectAt(only(text), 'too-few-items', rangeOf(text, '[]'), 'at least 1 item');
    });

    it('reports all violations at once, in document order', () => {
      const text = 'task: { kind: romo, fix_min: -1 }\nnetwork: { N: 1, g: x }\nview: { trials: 0 }\n';
      const { diagnostics } = loadSpec(text);
      assert.deepEqual(diagnostics.map((d) => d.path.join('.')), ['task.fix_min', 'network.N', 'network.g', 'view.trials']);
    });
  });

  describe('impossible combinations', () => {
    it('an odd training batch for cycling is an error at the batch value', () => {
      const text = 'task: { kind: cycling }\ntraining:\n  batch: 33\n';
      const { diagnostics, runs } = loadSpec(text);
      assert.equal(diagnostics.length, 1);
      expectAt(at(diagnostics, 0), 'task-constraint', rangeOf(text, '33'), 'even', 'batch: 34');
      assert.deepEqual(runs, []);
    });

    it('an odd evaluation batch for cycling is an error at evaluation.batch', () => {
      const text = 'task: { kind: cycling }\nevaluation:\n  batch: 7\n';
      expectAt(only(text), 'task-constraint', rangeOf(text, '7'), 'evaluation.batch', 'even');
    });

    it('both odd batches are reported', () => {
      const text = 'task: { kind: cycling }\ntraining: { batch: 3 }\nevaluation: { batch: 5 }\n';
      const { diagnostics } = loadSpec(text);
      assert.deepEqual(diagnostics.map((d) => d.path.join('.')), ['training.batch', 'evaluation.batch']);
    });

    it('task parameters the task refuses are reported at the parameter at fault', () => {
      // a 0.1-long pulse rounds to no step at dt = 0.2
      const text = 'task:\n  kind: cycling\n  stim: 0.05\n';
      const d = only(text);
      expectAt(d, 'task-constraint', rangeOf(text, '0.05'), 'stim');
    });

    it('a run above the BPTT memory limit is refused at N, with the estimate and what to reduce', () => {
      const text = 'task: { kind: cycling }\nnetwork:\n  N: 4096\ntraining:\n  batch: 256\n';
      const d = only(text);
      expectAt(d, 'memory-limit', rangeOf(text, '4096'), 'MB', `${Math.round(TRAINING_BYTES_LIMIT / 2 ** 20)} MB`, 'Reduce N to at most', 'batch to at most');
      const mb = Number(/about (\d+) MB/.exec(d.message)?.[1]);
      assert.ok(mb > TRAINING_BYTES_LIMIT / 2 ** 20, d.message);
    });

    it('a memory problem caused by the batch alone is reported at the batch', () => {
      const text = 'task: { kind: cycling }\ntraining:\n  batch: 4096\n';
      expectAt(only(text), 'memory-limit', rangeOf(text, '4096'), 'batch to at most');
    });

    it('the field a task message says to change is the one underlined', () => {
      const text = 'task:\n  kind: romo\n  f_min: 2\n  f_max: 1\n';
      const d = only(text);
      expectAt(d, 'task-constraint', rangeOf(text, '1'), 'write f_max >= 2');
      assert.deepEqual(d.path, ['task', 'f_max']);
      const ff = 'task: { kind: flipflop, gap_min: 50, gap_max: 10 }\n';
      expectAt(only(ff), 'task-constraint', rangeOf(ff, '10'), 'write gap_max >= 50');
      // when the named field is not written, the written one whose default helps is blamed
      const one = 'task: { kind: romo, f_min: 2 }\n';
      expectAt(only(one), 'task-constraint', rangeOf(one, '2'), 'write f_max >= 2');
    });

    it('evaluation.t_min past the end of the trial is a warning at t_min with the largest useful value', () => {
      const text = 'task: { kind: cycling }\nevaluation: { t_min: 1000 }\n';
      const { diagnostics, runs } = loadSpec(text);
      assert.equal(diagnostics.length, 1);
      assert.equal(at(diagnostics, 0).severity, 'warning');
      expectAt(at(diagnostics, 0), 't-min-past-trial', rangeOf(text, '1000'), '360 steps', 'Write t_min: 71.8 or less');
      assert.equal(runs.length, 1);
      assert.deepEqual(loadSpec('task: { kind: cycling }\nevaluation: { t_min: 71.8 }\n').diagnostics, []);
      // the default t_min with a short task: at the value that makes the trial short
      const short = 'task: { kind: cycling, response: 1 }\n';
      expectAt(only(short), 't-min-past-trial', rangeOf(short, '1'), 'evaluation.t_min = 10', 'Write t_min: 1.8 or less');
    });

    it('view.trials above the evaluation batch is a warning, and the runs still resolve', () => {
      const text = 'task: { kind: cycling }\nview: { trials: 40 }\n';
      const { diagnostics, runs } = loadSpec(text);
      assert.equal(diagnostics.length, 1);
      assert.equal(at(diagnostics, 0).severity, 'warning');
      expectAt(at(diagnostics, 0), 'view-trials', rangeOf(text, '40'), 'only 32 trials');
      assert.equal(runs.length, 1);
    });
  });

  describe('variants', () => {
    it('positions point into the variant that wrote the value', () => {
      const text = [
        'task: { kind: cycling }',
        'variants:',
        '  - name: ok',
        '  - name: bad',
        '    network:',
        '      N: 1',
        '      gg: 2',
        '',
      ].join('\n');
      const { diagnostics } = loadSpec(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, d.path.join('.')]), [['out-of-range', 'variants.1.network.N'], ['unknown-key', 'variants.1.network.gg']]);
      assert.deepEqual(rangeOfDiagnostic(at(diagnostics, 0)), { line: 5, column: 9, endLine: 5, endColumn: 10 });
      assert.deepEqual(rangeOfDiagnostic(at(diagnostics, 1)), { line: 6, column: 6, endLine: 6, endColumn: 8 });
      assert.ok(at(diagnostics, 1).message.includes('Did you mean g?'));
    });

    it('an odd batch set in a variant is reported in the variant, not at the top', () => {
      const text = 'task: { kind: cycling }\ntraining: { batch: 32 }\nvariants:\n  - { name: a }\n  - { name: b, training: { batch: 31 } }\n';
      const d = only(text);
      expectAt(d, 'task-constraint', rangeOf(text, '31'), 'even');
      assert.deepEqual(d.path, ['variants', 1, 'training', 'batch']);
    });

    it('a top-level value that fails only with one variant names the variant', () => {
      const text = 'task: { kind: cycling }\ntraining: { batch: 256 }\nvariants:\n  - { name: small }\n  - { name: big, network: { N: 4096 } }\n';
      const d = only(text);
      assert.equal(d.code, 'memory-limit');
      assert.deepEqual(d.path, ['variants', 1, 'network', 'N']);
      expectAt(d, 'memory-limit', rangeOf(text, '4096'), 'N = 4096');
    });

    it('variant names must be unique, also after making them filesystem-safe', () => {
      const text = 'task: { kind: cycling }\nvariants:\n  - name: aligned\n  - name: aligned\n  - name: Aligned\n';
      const { diagnostics } = loadSpec(text);
      assert.equal(diagnostics.length, 2);
      expectAt(at(diagnostics, 0), 'duplicate-variant', rangeOf(text, 'aligned', 1), 'already used on line 3');
      expectAt(at(diagnostics, 1), 'duplicate-variant', rangeOf(text, 'Aligned'), 'same run folder', 'line 3');
    });

    it('a variant name is required', () => {
      const text = 'task: { kind: cycling }\nvariants:\n  - network: { N: 64 }\n';
      expectAt(only(text), 'missing-key', rangeOf(text, 'network'), 'variants[0] needs name: add name: aligned');
    });

    it('a variant cannot change the task kind', () => {
      const text = 'task: { kind: cycling }\nvariants:\n  - { name: a, task: { kind: romo } }\n';
      expectAt(only(text), 'variant-kind-change', rangeOf(text, 'romo'), 'cannot change the task', 'another spec file');
    });

    it("a variant that repeats the spec's kind has its task checked once", () => {
      const text = 'task: { kind: cycling }\nvariants:\n  - { name: a, task: { kind: cycling, bits: 2 } }\n';
      expectAt(only(text), 'unknown-key', rangeOf(text, 'bits'), 'parameter of flipflop');
    });

    it('a variant kind that is no task kind is one error, not also a kind change', () => {
      const text = 'task: { kind: cycling }\nvariants:\n  - { name: a, task: { kind: 3 } }\n';
      expectAt(only(text), 'wrong-type', rangeOf(text, '3'), 'variants[0].task.kind');
      const word = 'task: { kind: cycling }\nvariants:\n  - { name: a, task: { kind: nope } }\n';
      expectAt(only(word), 'bad-enum', rangeOf(word, 'nope'), 'variants[0].task.kind');
    });

    it("a variant's task parameters are checked against the spec's kind", () => {
      const text = 'task: { kind: flipflop }\nvariants:\n  - name: long\n    task:\n      response: 71\n      bits: 0\n';
      const { diagnostics } = loadSpec(text);
      assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-key', 'out-of-range']);
      expectAt(at(diagnostics, 0), 'unknown-key', rangeOf(text, 'response'), 'for flipflop', 'parameter of cycling');
      expectAt(at(diagnostics, 1), 'out-of-range', rangeOf(text, '0'), 'variants[0].task.bits');
    });

    it('keys that cannot vary are unknown in a variant', () => {
      const text = 'task: { kind: cycling }\nvariants:\n  - { name: a, seeds: 2 }\n';
      expectAt(only(text), 'unknown-key', rangeOf(text, 'seeds'), 'in variants[0]', 'name, task, network');
    });
  });
});
