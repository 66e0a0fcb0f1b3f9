/**
 * Our validator must say valid/invalid exactly when ajv does, on the same schema. The
 * corpus is hand-written edge cases plus, for every field of every section (at the top
 * and inside a variant), a set of wrong and borderline values generated from the schema.
 */
import * as assert from 'node:assert/strict';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { flatten } from '../../../src/spec/describe';
import { isObject, toJson, type Json, type JsonObject } from '../../../src/spec/json';
import { definition, SCHEMA, TASK_KINDS, taskSchema, type JsonSchema } from '../../../src/spec/schema';
import { ANNOTATION_KEYWORDS, validate, VALIDATION_KEYWORDS } from '../../../src/spec/validate';
import { defined } from '../../../src/core/checked';

function makeAjv(): Ajv {
  // strict mode refuses unknown keywords, so the schema may use only draft-07 and our annotations
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  ajv.addVocabulary(['markdownDescription', 'x-default-by-task', 'x-sweep-sections']);
  return ajv;
}

const HAND_WRITTEN: string[] = [
  'task: { kind: cycling }',
  'task: { kind: cycling, response: 31 }\nnetwork: { N: 128, output_scale: small, train: [recurrent] }',
  'task: { kind: mante, coherences: [0.1, 0.2] }',
  'task: { kind: mante, coherences: [] }',
  'task: { kind: mante, coherences: [0.1, 0.1] }',
  'task: { kind: mante, coherences: [0] }',
  'task: { kind: cycling, bits: 3 }',
  'task: { kind: flipflop, bits: 3 }',
  'task: { kind: flipflop, bits: 2.5 }',
  'task: { kind: flipflop, bits: 3.0 }',
  'task: { kind: nope }',
  'task: { kind: 3 }',
  'task: {}',
  'task: { response: 3 }',
  'task: cycling',
  'task: null',
  'network: { N: 3 }',
  'name: ""\ntask: { kind: sine }',
  'name: x\ntask: { kind: sine }\nextra: 1',
  'task: { kind: sine }\nnetwork: { N: 1.0 }',
  'task: { kind: sine }\nnetwork: { N: 2 }',
  'task: { kind: sine }\nnetwork: { N: .inf }',
  'task: { kind: sine }\nnetwork: { g: .nan }',
  'task: { kind: sine }\nnetwork: { output_scale: 0 }',
  'task: { kind: sine }\nnetwork: { output_scale: 1e-3 }',
  'task: { kind: sine }\nnetwork: { output_scale: "1" }',
  'task: { kind: sine }\nnetwork: { output_scale: LARGE }',
  'task: { kind: sine }\nnetwork: { dt: 1 }',
  'task: { kind: sine }\nnetwork: { dt: 0 }',
  'task: { kind: sine }\nnetwork: { train: [] }',
  'task: { kind: sine }\nnetwork: { train: [output, output] }',
  'task: { kind: sine }\nanalysis: []',
  'task: { kind: sine }\nanalysis: [noise, noise]',
  'task: { kind: sine }\nseeds: 0',
  'task: { kind: sine }\nseeds: 1',
  'task: { kind: sine }\nvariants: []',
  'task: { kind: sine }\nvariants: [{}]',
  'task: { kind: sine }\nvariants: [{ name: a }, { name: a }]',
  'task: { kind: sine }\nvariants: [{ name: a, task: { kind: sine, freq: 0.2 } }]',
  'task: { kind: sine }\nvariants: [{ name: a, task: { kind: romo, freq: 0.2 } }]',
  'task: { kind: sine }\nvariants: [{ name: a, task: { freq: 0.2, bits: 3 } }]',
  'task: { kind: sine }\nvariants: [{ name: a, view: { trials: 3 } }]',
  'task: { kind: sine }\nvariants: { name: a }',
  'task: { kind: sine }\nview: { trials: 8, readout_arrows: "yes" }',
  'task: { kind: sine }\ntraining: { backend: webgl, seed: 4294967295 }',
  'task: { kind: sine }\ntraining: { seed: 4294967296 }',
  'task: { kind: sine }\nevaluation: { every: 0, t_min: 0 }',
  'task: { kind: complex_sine, offset: -0.5 }',
  '[]',
  '42',
  '"text"',
  'null',
];

/** Values that break or stress a field of the given schema. */
function probes(s: JsonSchema): Json[] {
  const f = flatten(s);
  const out: Json[] = [null, 'text', true, {}, [], -1e9, 1e9, 0, 1, 0.5, 2.5, -1];
  for (const bound of [f.minimum, f.maximum, f.exclusiveMinimum, f.exclusiveMaximum]) {
    if (bound !== undefined) out.push(bound, bound - 1, bound + 1, bound - 0.001, bound + 0.001);
  }
  for (const e of [...(f.enum ?? []), ...(f.anyOf ?? []).flatMap((a) => flatten(a).enum ?? [])]) out.push(e, `${String(e)}x`);
  if (f.items !== undefined) {
    const item = flatten(f.items);
    const first = item.enum?.[0] ?? 1;
    out.push([first], [first, first], ['zzz'], [null], [-1]);
    if (item.enum !== undefined) out.push(item.enum);
  }
  if (f.default !== undefined) out.push(f.default);
  return out;
}

function sectionsOf(kind: (typeof TASK_KINDS)[number]): [string, JsonSchema][] {
  return [
    ['task', taskSchema(kind)],
    ...(['network', 'noise', 'training', 'evaluation', 'view'] as const).map((k): [string, JsonSchema] => [k, definition(k)]),
  ];
}

function generated(): { label: string; value: Json }[] {
  const out: { label: string; value: Json }[] = [];
  for (const kind of TASK_KINDS) {
    for (const [section, schema] of sectionsOf(kind)) {
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        for (const probe of probes(sub)) {
          const base: JsonObject = { task: { kind } };
          const top: JsonObject = { ...base, [section]: { ...(isObject(base[section]) ? base[section] : {}), [key]: probe } };
          out.push({ label: `${kind} ${section}.${key} = ${JSON.stringify(probe)}`, value: top });
          if (section !== 'view') {
            const override: JsonObject = { [key]: probe };
            out.push({ label: `${kind} variants[0].${section}.${key} = ${JSON.stringify(probe)}`, value: { ...base, variants: [{ name: 'v', [section]: override }] } });
          }
        }
      }
    }
  }
  for (const probe of probes(defined(defined(SCHEMA.properties).seeds))) out.push({ label: `seeds = ${JSON.stringify(probe)}`, value: { task: { kind: 'cycling' }, seeds: probe } });
  for (const probe of probes(definition('analysis'))) out.push({ label: `analysis = ${JSON.stringify(probe)}`, value: { task: { kind: 'cycling' }, analysis: probe } });
  return out;
}

function keywordsIn(node: unknown, out: Set<string>, underProperties = false): void {
  if (Array.isArray(node)) {
    for (const x of node) keywordsIn(x, out);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [k, v] of Object.entries(node)) {
    if (!underProperties) out.add(k);
    if (k === 'x-default-by-task' || k === 'default' || k === 'enum' || k === 'const') continue;
    keywordsIn(v, out, !underProperties && (k === 'properties' || k === 'definitions'));
  }
}

describe('spec validator agrees with ajv', () => {
  it('the schema is valid draft-07 for ajv, in strict mode', () => {
    const ajv = makeAjv();
    assert.equal(ajv.validateSchema(SCHEMA), true, JSON.stringify(ajv.errors));
    assert.doesNotThrow(() => ajv.compile(SCHEMA));
    assert.equal(SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
  });

  it('the schema uses only keywords our validator implements or annotations it may ignore', () => {
    const used = new Set<string>();
    keywordsIn(SCHEMA, used);
    const known = new Set([...VALIDATION_KEYWORDS, ...ANNOTATION_KEYWORDS]);
    assert.deepEqual([...used].filter((k) => !known.has(k)), []);
  });

  it('same verdict on every spec of the corpus', () => {
    const check = makeAjv().compile(SCHEMA);
    const corpus = [...HAND_WRITTEN.map((text) => ({ label: text, value: toJson(parse(text)) })), ...generated()];
    const disagreements: string[] = [];
    let valid = 0;
    for (const { label, value } of corpus) {
      const ajvValid = check(value) === true;
      const ours = validate(value);
      if (ajvValid !== (ours.length === 0)) {
        disagreements.push(`${label}: ajv ${ajvValid ? 'valid' : JSON.stringify(check.errors)}, ours ${ours.map((i) => i.message).join(' / ') || 'valid'}`);
      }
      if (ajvValid) valid++;
    }
    assert.deepEqual(disagreements, []);
    // both verdicts must be well represented, or the agreement says little
    assert.ok(corpus.length > 2000, `corpus of ${corpus.length}`);
    assert.ok(valid > 300 && corpus.length - valid > 1000, `${valid} valid of ${corpus.length}`);
  });
});
