/**
 * A resolved run (run.json in a run folder, or a run a page names) checked against the
 * schema, section by section: the same rules as the spec it came from. What a stored
 * run says is not trusted: the panel sizes its arrays from these numbers.
 */
import type { RunConfig } from '../core/types';
import { formatPath } from './diagnostics';
import { expectation } from './describe';
import { isObject, own, showValue, type Json } from './json';
import { definition, isTaskKind, SCHEMA, taskSchema, type JsonSchema } from './schema';
import { validate } from './validate';
import { isSafeSegment } from '../store/names';

const SECTIONS = ['network', 'noise', 'training', 'evaluation', 'view', 'analysis'] as const;

/** Problems of a value that should be a RunConfig, as short phrases (none when it is one). */
export function runConfigProblems(value: Json): string[] {
  if (!isObject(value)) return ['it is not a mapping'];
  const out: string[] = [];
  const name = value.name;
  if (typeof name !== 'string' || !isSafeSegment(name)) out.push('name is not a plain run name');
  if (typeof value.variant !== 'string') out.push('variant is not a text');
  const seedIndex = value.seed_index;
  if (typeof seedIndex !== 'number' || !Number.isSafeInteger(seedIndex) || seedIndex < 0) out.push('seed_index is not a whole number');
  const task = Object.hasOwn(value, 'task') ? value.task : undefined;
  const kind = isObject(task) ? task.kind : undefined;
  if (!isObject(task) || !isTaskKind(kind)) out.push('task.kind is not a task kind');
  else out.push(...issues(task, taskSchema(kind), ['task']));
  for (const section of SECTIONS) {
    const v = Object.hasOwn(value, section) ? value[section] : undefined;
    if (v === undefined) out.push(`${section} is missing`);
    else out.push(...issues(v, definition(section), [section]));
  }
  return out;
}

/**
 * Fields every reader of a stored run uses (the panel sizes its arrays from them). Other
 * fields may be missing: a run stored before the schema gained a field still opens.
 */
const ESSENTIAL: Readonly<Record<string, readonly string[]>> = { network: ['N', 'dt', 'output_scale'], training: ['steps', 'seed', 'batch'], evaluation: ['batch'] };

/** The schema's verdict on one section, and the essential fields it must have. */
function issues(v: Json, schema: JsonSchema, path: [string]): string[] {
  const out = validate(v, schema, SCHEMA, path).map((i) => i.message.replace(/\.$/, ''));
  if (isObject(v)) for (const k of own(ESSENTIAL, path[0]) ?? []) if (!Object.hasOwn(v, k)) out.push(`${formatPath([...path, k])} is missing`);
  return out;
}

/** The value is a RunConfig when runConfigProblems found nothing. */
export function asRunConfig(value: Json): RunConfig {
  return value as unknown as RunConfig;
}

/**
 * Why a value cannot stand for one field of a run (a command-line override such as
 * `--steps`), in the schema's words: `takes an integer from 1 to 1000000, not 1e12`.
 */
export function fieldProblem(section: (typeof SECTIONS)[number], key: string, value: Json): string | undefined {
  const props = definition(section).properties ?? {};
  const schema = Object.hasOwn(props, key) ? props[key] : undefined;
  if (schema === undefined) return `is not a field of ${section}`;
  if (validate(value, schema).length === 0) return undefined;
  return `takes ${expectation(schema)}, not ${showValue(value)}`;
}
