/**
 * Quick-fix data on diagnostics: every fix the checker offers, applied to the text,
 * removes its diagnostic and adds no new problem.
 */
import * as assert from 'node:assert/strict';
import type { Diagnostic } from '../../../src/spec/diagnostics';
import { loadSpec } from '../../../src/spec/resolve';

/** The text with a diagnostic's range replaced by its fix. */
function applyFix(text: string, d: Diagnostic): string {
  assert.ok(d.fix, `no fix on ${d.code}: ${d.message}`);
  const lines = text.split('\n');
  const offset = (line: number, column: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + column;
  return text.slice(0, offset(d.line, d.column)) + d.fix.text + text.slice(offset(d.endLine, d.endColumn));
}

/** The first diagnostic of `text` with `code` (the test fails when there is none). */
function diagnosticOf(text: string, code: string): Diagnostic {
  const d = loadSpec(text).diagnostics.find((x) => x.code === code);
  assert.ok(d, `no ${code} diagnostic`);
  return d;
}

/** The one diagnostic with `code`, its fix applied: returns the fixed text and what it reports. */
function fixOnly(text: string, code: string): { fixed: string; title: string; after: Diagnostic[] } {
  const found = loadSpec(text).diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got: ${loadSpec(text).diagnostics.map((d) => `${d.code}: ${d.message}`).join(' | ')}`);
  const d = diagnosticOf(text, code);
  const fixed = applyFix(text, d);
  return { fixed, title: d.fix?.title ?? '', after: loadSpec(fixed).diagnostics };
}

const messages = (ds: Diagnostic[]) => ds.map((d) => `${d.code}: ${d.message}`);

/** One test per case: the fix of its `code` diagnostic, titled as `titled`, gives a clean spec containing `expected`. */
function cleanAfterFix(code: string, titled: RegExp, verb: string, cases: [what: string, text: string, expected: string][]): void {
  for (const [what, text, expected] of cases) {
    it(`${what}: ${verb}, and the spec is clean`, () => {
      const { fixed, title, after } = fixOnly(text, code);
      assert.ok(fixed.includes(expected), fixed);
      assert.match(title, titled);
      assert.deepEqual(messages(after), []);
    });
  }
}

describe('spec quick fixes', () => {
  describe('misspelt keys ("did you mean")', () => {
    cleanAfterFix('unknown-key', /^Rename to /, 'renamed', [
      ['a task parameter', 'task:\n  kind: cycling\n  respnse: 31\n', 'response: 31'],
      ['a section', 'task: { kind: cycling }\nnetwrok:\n  N: 64\n', 'network:'],
      ['a key inside a flow mapping', 'task: { kind: cycling }\ntraining: { stpes: 10 }\n', '{ steps: 10 }'],
      ['a case slip', 'task: { kind: cycling }\nnetwork: { n: 64 }\n', '{ N: 64 }'],
      ['a key inside a variant', 'task: { kind: cycling }\nvariants:\n  - name: a\n    network: { outptu_scale: small }\n', 'output_scale: small'],
      ['a quoted key', 'task: { kind: cycling }\n"sedes": 2\n', 'seeds: 2'],
    ]);

    it('no fix when the guessed key is already set (it would only make a duplicate key)', () => {
      const d = diagnosticOf('task: { kind: cycling }\nnetwork: { N: 64, n: 32 }\n', 'unknown-key');
      assert.equal(d.fix, undefined);
      assert.ok(d.message.includes('already set'), d.message);
    });

    it('no fix when nothing is close', () => {
      const d = diagnosticOf('task: { kind: cycling }\nzzzzzz: 1\n', 'unknown-key');
      assert.equal(d.fix, undefined);
    });
  });

  describe('misspelt values', () => {
    cleanAfterFix('bad-enum', /^Change to /, 'replaced', [
      ['the task kind', 'task: { kind: cyclng }\n', 'kind: cycling'],
      ['an output scale (enum or number)', 'task: { kind: cycling }\nnetwork: { output_scale: smal }\n', 'output_scale: small'],
      ['a backend', 'task: { kind: cycling }\ntraining: { backend: wsam }\n', 'backend: wasm'],
      ['a list item', 'task: { kind: cycling }\nanalysis: [correlation, dimension]\n', '[correlation, dimensions]'],
      ['a quoted value', 'task: { kind: cycling }\nnetwork: { train: ["recurent"] }\n', '[recurrent]'],
    ]);
  });

  describe('values out of range go to the nearest bound', () => {
    const cases: [string, string, string, RegExp][] = [
      ['below an inclusive minimum', 'task: { kind: cycling }\nnetwork: { N: 1 }\n', 'N: 2 }', /smallest/],
      ['above an inclusive maximum', 'task: { kind: cycling }\nnetwork: { N: 99999 }\n', 'N: 4096 }', /largest/],
      ['a negative gain', 'task: { kind: cycling }\nnetwork: { g: -1.5 }\n', 'g: 0 }', /smallest/],
      ['a fraction above its maximum', 'task: { kind: cycling }\nnetwork: { dt: 2 }\n', 'dt: 1 }', /largest/],
      ['an integer at its exclusive bound', 'task: { kind: cycling }\nseeds: 0\n', 'seeds: 1', /smallest/],
      ['a number at an exclusive bound takes the default', 'task: { kind: cycling }\nnetwork: { dt: 0 }\n', 'dt: 0.2 }', /default/],
      ['a list item', 'task: { kind: mante, coherences: [0.5, 20] }\n', '[0.5, 10]', /largest/],
      ['in a variant', 'task: { kind: cycling }\nvariants:\n  - { name: a, training: { batch: 0 } }\n', 'batch: 1 }', /smallest/],
    ];
    for (const [what, text, expected, titled] of cases) {
      it(`${what}`, () => {
        const { fixed, title, after } = fixOnly(text, 'out-of-range');
        assert.ok(fixed.includes(expected), fixed);
        assert.match(title, titled);
        assert.ok(!after.some((d) => d.code === 'out-of-range'), messages(after).join('\n'));
      });
    }
  });

  describe('an odd batch for cycling', () => {
    it('training.batch: made even', () => {
      const { fixed, after } = fixOnly('task: { kind: cycling }\ntraining: { batch: 33 }\n', 'task-constraint');
      assert.ok(fixed.includes('batch: 34'), fixed);
      assert.deepEqual(messages(after), []);
    });

    it('evaluation.batch: made even', () => {
      const { fixed, after } = fixOnly('task: { kind: cycling }\nevaluation: { batch: 31 }\n', 'task-constraint');
      assert.ok(fixed.includes('batch: 32'), fixed);
      assert.deepEqual(messages(after), []);
    });

    it('in a variant: the variant\'s own value', () => {
      const text = 'task: { kind: cycling }\nvariants:\n  - { name: a }\n  - { name: b, training: { batch: 7 } }\n';
      const { fixed, after } = fixOnly(text, 'task-constraint');
      assert.ok(fixed.includes('{ name: b, training: { batch: 8 } }'), fixed);
      assert.deepEqual(messages(after), []);
    });

    it('no fix where the batch is not what was written (the default evaluation batch with an odd training batch is fine)', () => {
      const ds = loadSpec('task: { kind: cycling }\ntraining: { batch: 5 }\n').diagnostics;
      assert.equal(ds.length, 1, messages(ds).join('\n'));
      assert.equal(ds[0]?.fix?.text, '6');
    });
  });

  describe('other checks that know the value to write', () => {
    it('evaluation.t_min past the end of the trial: the latest that leaves a state', () => {
      const { fixed, after } = fixOnly('task: { kind: flipflop, duration: 5 }\nevaluation: { t_min: 9 }\n', 't-min-past-trial');
      assert.ok(/t_min: 4\.8 \}/.test(fixed), fixed);
      assert.deepEqual(messages(after), []);
    });

    it('view.trials beyond the evaluation batch: the batch', () => {
      const { fixed, after } = fixOnly('task: { kind: cycling }\nevaluation: { batch: 8 }\nview: { trials: 20 }\n', 'view-trials');
      assert.ok(fixed.includes('trials: 8 }'), fixed);
      assert.deepEqual(messages(after), []);
    });

    it('a run too big for memory: the largest N that fits', () => {
      const { fixed, title, after } = fixOnly('task: { kind: cycling }\nnetwork: { N: 4096 }\ntraining: { batch: 4096 }\n', 'memory-limit');
      assert.match(title, /largest that fits|default/);
      assert.ok(!after.some((d) => d.code === 'memory-limit'), `${fixed}\n${messages(after).join('\n')}`);
    });
  });
});
