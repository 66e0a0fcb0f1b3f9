import * as assert from 'node:assert/strict';
import type { EvaluationConfig, NetworkConfig, NoiseConfig, TaskKind, TaskParams, TrainingConfig, ViewConfig } from '../../../src/core/types';
import { defaultFor } from '../../../src/spec/defaults';
import { flatten } from '../../../src/spec/describe';
import { isObject } from '../../../src/spec/json';
import { loadSpec } from '../../../src/spec/resolve';
import { conforms } from '../../../src/spec/validate';
import { definition, SCHEMA, TASK_KINDS, taskSchema, type JsonSchema } from '../../../src/spec/schema';
import type { EvaluationSpec, NetworkSpec, NoiseSpec, TaskSpec, TrainingSpec, ViewSpec } from '../../../src/spec/types.gen';

// Compile-time contract (checked by tsc): the spec's sections have exactly the core's keys.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type KeysOf<T> = T extends unknown ? keyof T : never;
export const SAME_KEYS: [
  Equal<keyof NetworkSpec, keyof NetworkConfig>,
  Equal<keyof NoiseSpec, keyof NoiseConfig>,
  Equal<keyof TrainingSpec, keyof TrainingConfig>,
  Equal<keyof EvaluationSpec, keyof EvaluationConfig>,
  Equal<keyof ViewSpec, keyof ViewConfig>,
  Equal<KeysOf<TaskSpec>, KeysOf<TaskParams>>,
  Equal<Required<NetworkSpec>, NetworkConfig>,
] = [true, true, true, true, true, true, true];

/** Every property schema under a section, with its path. */
function fields(): [string, JsonSchema][] {
  const out: [string, JsonSchema][] = Object.entries(SCHEMA.properties ?? {}).map(([k, s]) => [k, s]);
  for (const name of ['network', 'noise', 'training', 'evaluation', 'view', 'variant']) {
    for (const [k, s] of Object.entries(definition(name).properties ?? {})) out.push([`${name}.${k}`, s]);
  }
  for (const kind of TASK_KINDS) {
    for (const [k, s] of Object.entries(taskSchema(kind).properties ?? {})) if (k !== 'kind') out.push([`${kind}.${k}`, s]);
  }
  return out;
}

describe('spec schema', () => {
  it('every field has a description and a Markdown description for hover', () => {
    const missing = fields().filter(([, s]) => {
      const f = flatten(s);
      return !f.description || !f.markdownDescription;
    });
    assert.deepEqual(missing.map(([p]) => p), []);
  });

  it('every field the core needs has a default or a by-task default', () => {
    const optional = new Set(['name', 'task', 'network', 'noise', 'training', 'evaluation', 'variants', 'sweep', 'view', 'variant.name', 'variant.task', 'variant.network', 'variant.noise', 'variant.training', 'variant.evaluation']);
    const missing = fields().filter(([p, s]) => !optional.has(p) && flatten(s).default === undefined && flatten(s)['x-default-by-task'] === undefined);
    assert.deepEqual(missing.map(([p]) => p), []);
  });

  it('every by-task table covers every task kind with numbers', () => {
    const tables = fields().filter(([, s]) => flatten(s)['x-default-by-task'] !== undefined);
    assert.deepEqual(tables.map(([p]) => p).sort(), ['network.h0_std', 'noise.state', 'training.lr0', 'training.steps']);
    for (const [path, s] of tables) {
      for (const kind of TASK_KINDS) {
        for (const output_scale of ['small', 'large'] as const) {
          for (const g of [0.7, 1.5]) {
            const d = defaultFor(s, { kind, output_scale, g });
            // a default must itself be a valid value of its field
            assert.ok(typeof d === 'number' && conforms(d, s), `${path} for ${kind}, ${output_scale}, g ${g}: ${String(d)}`);
          }
        }
      }
      const table = flatten(s)['x-default-by-task'];
      assert.ok(isObject(table));
      assert.deepEqual(Object.keys(table).sort(), [...TASK_KINDS].sort());
    }
  });

  it('the description of a by-task field says so', () => {
    for (const [path, s] of fields().filter(([, x]) => flatten(x)['x-default-by-task'] !== undefined)) {
      assert.match(flatten(s).description ?? '', /[Dd]efault (by task|from the paper's table by task)/, path);
    }
  });

  it('resolved runs have exactly the fields of the schema', () => {
    for (const kind of TASK_KINDS) {
      const run = loadSpec(`task: { kind: ${kind as TaskKind} }\n`).runs[0];
      assert.ok(run !== undefined, kind);
      assert.deepEqual(Object.keys(run.task).sort(), Object.keys(taskSchema(kind).properties ?? {}).sort());
      for (const section of ['network', 'noise', 'training', 'evaluation', 'view'] as const) {
        assert.deepEqual(Object.keys(run[section]).sort(), Object.keys(definition(section).properties ?? {}).sort(), section);
      }
    }
  });
});
