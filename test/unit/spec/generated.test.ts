/** The generated types and reference must be what the generator makes of the current schema. */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_REFERENCE_PATH, generateSpecReference } from '../../../scripts/spec-codegen/reference';
import { GENERATED_TYPES_PATH, generateSpecTypes } from '../../../scripts/spec-codegen/types';
import { SCHEMA, TASK_KINDS, taskParamNames } from '../../../src/spec/schema';

const ROOT = join(__dirname, '..', '..', '..');
const FIX = 'out of date: run node scripts/gen-spec-types.mjs and commit the result';

describe('generated spec files', () => {
  it(`${GENERATED_TYPES_PATH} is in sync with the schema`, () => {
    assert.equal(readFileSync(join(ROOT, GENERATED_TYPES_PATH), 'utf8'), generateSpecTypes(SCHEMA), `${GENERATED_TYPES_PATH} is ${FIX}`);
  });

  it(`${GENERATED_REFERENCE_PATH} is in sync with the schema`, () => {
    assert.equal(readFileSync(join(ROOT, GENERATED_REFERENCE_PATH), 'utf8'), generateSpecReference(SCHEMA), `${GENERATED_REFERENCE_PATH} is ${FIX}`);
  });

  it('the types make the task a union discriminated on kind', () => {
    const types = generateSpecTypes(SCHEMA);
    assert.match(types, /export type TaskSpec = CyclingTaskSpec \| FlipflopTaskSpec \| ManteTaskSpec \| RomoTaskSpec \| ComplexSineTaskSpec \| SineTaskSpec;/);
    assert.match(types, /kind: "cycling";/);
    assert.match(types, /task: TaskSpec;/); // required
    assert.match(types, /N\?: number;/); // has a default, so optional
    assert.match(types, /output_scale\?: "small" \| "large" \| number;/);
  });

  it('the reference lists every field of every task kind with its default', () => {
    const ref = generateSpecReference(SCHEMA);
    for (const kind of TASK_KINDS) {
      assert.ok(ref.includes(`### \`kind: ${kind}\``), kind);
      for (const p of taskParamNames(kind)) assert.ok(ref.includes(`| \`${p}\` |`), `${kind}.${p}`);
    }
    assert.match(ref, /\| `N` \| integer \| `512` \| 2 to 4096 \|/);
    assert.match(ref, /\| `mante` \| 0\.002 \| 0\.02 \| 0\.002 \| 0\.002 \|/);
  });
});
