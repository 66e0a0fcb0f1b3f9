/**
 * The bad inputs a probe of the spec path found, one test each: keys named after
 * Object.prototype, a malformed merge key, many keys, a huge file. Each fails on the
 * code before its fix (a stack trace, a spec accepted that should not be, or
 * diagnostics without a cap).
 */
import * as assert from 'node:assert/strict';
import { completionsAt, hoverAt } from '../../../src/spec/assist';
import { MAX_SPEC_CHARS } from '../../../src/spec/parse';
import { loadSpec, MAX_DIAGNOSTICS } from '../../../src/spec/resolve';
import { rangeOfDiagnostic } from './positions';

const VALID = 'name: p\ntask: { kind: cycling }\n';

/** loadSpec, hover and completion at every offset: none may throw. */
function assertNeverThrows(text: string): void {
  loadSpec(text, 'probe.rnn.yaml');
  for (let offset = 0; offset <= text.length; offset++) {
    hoverAt(text, offset);
    completionsAt(text, offset);
  }
}

describe('hostile specs', () => {
  describe('__proto__ is a key like any other', () => {
    for (const [label, text, line] of [
      ['with a bogus task kind (was: a stack trace)', 'name: p\n__proto__: { task: { kind: bogus } }\n', 1],
      ['with seeds: -1 (was: "ok, 0 runs", then a crash in train)', `${VALID}__proto__: { seeds: -1 }\n`, 2],
      ['with network.N: 2.5 (was: accepted, then a tfjs failure)', `${VALID}__proto__: { network: { N: 2.5 } }\n`, 2],
    ] as const) {
      it(label, () => {
        const { diagnostics, runs } = loadSpec(text, 'p.rnn.yaml');
        assert.deepEqual(runs, []);
        const d = diagnostics.find((x) => x.code === 'unknown-key');
        assert.ok(d !== undefined, diagnostics.map((x) => x.message).join('\n'));
        assert.match(d.message, /^Unknown key "__proto__" at the top level\./);
        assert.deepEqual(rangeOfDiagnostic(d), { line, column: 0, endLine: line, endColumn: 9 });
        assertNeverThrows(text);
      });
    }

    it('inside sections and variants too', () => {
      const text = `${VALID}network: { __proto__: { N: 3 } }\nvariants:\n  - { name: a, __proto__: { name: b } }\n`;
      const { diagnostics, runs } = loadSpec(text);
      assert.deepEqual(runs, []);
      assert.deepEqual(diagnostics.filter((d) => d.code === 'unknown-key').map((d) => d.path), [['network', '__proto__'], ['variants', 0, '__proto__']]);
    });
  });

  describe("keys named after Object.prototype's members are unknown keys", () => {
    const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'propertyIsEnumerable', 'toLocaleString'];
    for (const name of names) {
      it(`${name}, at the top level, in a section, in a task and in a variant`, () => {
        const text = `${VALID.replace('kind: cycling', `kind: cycling, ${name}: 1`)}${name}: 1\nnetwork: { ${name}: 1 }\nvariants:\n  - { name: v, ${name}: 1, training: { ${name}: 1 } }\n`;
        const { diagnostics, runs } = loadSpec(text);
        assert.deepEqual(runs, [], 'nothing is copied into a run');
        const paths = diagnostics.filter((d) => d.code === 'unknown-key').map((d) => d.path.join('.'));
        assert.deepEqual(paths.sort(), [name, `network.${name}`, `task.${name}`, `variants.0.${name}`, `variants.0.training.${name}`].sort());
      });
    }

    it('a valid spec stays valid, and its runs have only the schema\'s keys', () => {
      const { runs, diagnostics } = loadSpec(`${VALID}network: { N: 16 }\n`);
      assert.deepEqual(diagnostics, []);
      for (const run of runs) for (const section of [run.network, run.training, run.task]) assert.equal(Object.hasOwn(section, 'constructor'), false);
    });
  });

  describe('a malformed merge key', () => {
    const text = `${VALID}network:\n  train: [recurrent]\n  - { <<: large }\n`;

    it('gives YAML diagnostics at its line, never an exception (was: "Merge sources must be maps or map aliases")', () => {
      const { diagnostics, runs } = loadSpec(text);
      assert.deepEqual(runs, []);
      assert.ok(diagnostics.length > 0 && diagnostics.every((d) => d.code.startsWith('yaml.') && d.line === 4), diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
    });

    it('hover and completion answer on every character of it', () => {
      assertNeverThrows(text);
      assertNeverThrows(`${VALID}network: { <<: [large, 3] }\n`);
      assertNeverThrows(`${VALID}? { <<: large }\n: 1\n`);
    });
  });

  describe('size', () => {
    it(`reports at most ${MAX_DIAGNOSTICS} problems, and says how many more there are`, () => {
      let text = VALID;
      for (let i = 0; i < 5000; i++) text += `unknown_${i}: ${i}\n`;
      assert.ok(text.length < MAX_SPEC_CHARS);
      const { diagnostics } = loadSpec(text);
      assert.equal(diagnostics.length, MAX_DIAGNOSTICS + 1);
      const last = diagnostics[MAX_DIAGNOSTICS];
      assert.ok(last !== undefined);
      assert.equal(last.code, 'too-many-problems');
      assert.equal(last.severity, 'error');
      assert.match(last.message, /^…and 4,900 more problems from here on \(4,900 of them errors\), not listed: only the first 100 are shown\./);
      assert.equal(last.line, 2 + MAX_DIAGNOSTICS, 'at the first problem it stands for');
      assert.equal(last.fix, undefined, 'no quick fix: it stands for many problems');
      assert.ok(diagnostics.slice(0, MAX_DIAGNOSTICS).every((d, i) => d.code === 'unknown-key' && d.line === 2 + i));
    });

    it('refuses a spec over the size limit unread, with one diagnostic on its first line', () => {
      // one character over the limit; a long comment keeps the check below fast
      const text = `${VALID}#${'x'.repeat(MAX_SPEC_CHARS - VALID.length)}`;
      assert.equal(text.length, MAX_SPEC_CHARS + 1);
      const { diagnostics, runs } = loadSpec(text);
      assert.deepEqual(runs, []);
      assert.equal(diagnostics.length, 1);
      const d = diagnostics[0];
      assert.equal(d?.code, 'too-large');
      assert.deepEqual(d && rangeOfDiagnostic(d), { line: 0, column: 0, endLine: 0, endColumn: 7 });
      const n = (x: number) => x.toLocaleString('en');
      assert.ok(d?.message.startsWith(`This file is ${n(MAX_SPEC_CHARS + 1)} characters long; a spec may have at most ${n(MAX_SPEC_CHARS)} `), d?.message);
      assert.equal(hoverAt(text, 2), undefined);
      assert.deepEqual(completionsAt(text, text.length - 2), []);
      // one character less is read as usual
      assert.deepEqual(loadSpec(text.slice(0, MAX_SPEC_CHARS)).diagnostics, []);
    });
  });
});
