/**
 * Sweeps: a grid of runs written as `sweep: { network.N: [64, 128], noise.state: [0, 0.2] }`.
 * Each key names a field of the spec by its path, and its values are checked against
 * that field's own schema, so a sweep accepts exactly what the field accepts. The grid
 * is crossed with the variants and the seeds; a point's coordinates name its runs
 * (`oblique-n128-state0.2-s0`), so a run can be addressed, resumed and found again.
 */
import type { SweepValue, TaskKind } from '../core/types';
import { descriptionOf, definition, taskParamNames, taskSchema, TASK_KINDS, type JsonSchema } from './schema';
import { flatten } from './describe';
import { isObject, own, type Json, type JsonObject } from './json';
import { closest } from './suggest';
import { slug } from '../store/names';

export type SweepSection = 'task' | 'network' | 'noise' | 'training' | 'evaluation';

/** A field a sweep may vary. */
export interface SweepField {
  /** the sweep key, e.g. `network.N` */
  key: string;
  section: SweepSection;
  field: string;
  /** the field's own schema: what every value of the sweep must satisfy */
  schema: JsonSchema;
}

/** One value of one swept field at a grid point. */
export interface Coordinate {
  key: string;
  /** position of the value in the sweep's list, for diagnostics */
  index: number;
  value: Json;
}

/** A point of the grid: one coordinate per swept field, in the order the sweep writes them. */
export type GridPoint = readonly Coordinate[];

/** Above this many runs a spec is refused: no study needs it, and it is most likely a typo in a list. */
export const MAX_RUNS = 10_000;
/** Above this many runs the spec gets a warning that says how many it makes. */
export const MANY_RUNS = 1_000;

const SWEEP = definition('sweep');

export const SWEEP_SECTIONS: readonly SweepSection[] = (SWEEP['x-sweep-sections'] ?? []) as SweepSection[];

/** Fields of the sweep sections that must not be swept, and what to write instead. */
const NOT_SWEPT: Record<string, string> = {
  'task.kind': 'The task kind cannot be swept: all runs of a spec share one evaluation batch. Write one spec file per task.',
  'training.seed': 'Seeds are not swept: seeds: n repeats every grid point over training.seed, training.seed + 1, …, training.seed + n − 1.',
};

function sectionFields(section: SweepSection, kind: TaskKind | undefined): Record<string, JsonSchema> {
  if (section === 'task') {
    if (kind === undefined) return {};
    const props = taskSchema(kind).properties ?? {};
    return Object.fromEntries(taskParamNames(kind).flatMap((k) => (props[k] !== undefined ? [[k, props[k]]] : [])));
  }
  return flatten(definition(section)).properties ?? {};
}

/** Every field a sweep may vary, in schema order; task parameters once the task kind is known. */
export function sweepFields(kind: TaskKind | undefined): SweepField[] {
  return SWEEP_SECTIONS.flatMap((section) =>
    Object.entries(sectionFields(section, kind))
      .filter(([field]) => NOT_SWEPT[`${section}.${field}`] === undefined)
      .map(([field, schema]) => ({ key: `${section}.${field}`, section, field, schema })),
  );
}

export type SweepKeyProblem = { code: 'unknown-key' | 'not-sweepable'; message: string };

/**
 * The field a sweep key names, or why it names none. Task parameters cannot be told
 * apart before the spec has a task kind: then a `task.` key is taken on trust (undefined).
 */
export function sweepField(key: string, kind: TaskKind | undefined): SweepField | SweepKeyProblem | undefined {
  const known = sweepFields(kind);
  const found = known.find((f) => f.key === key);
  if (found !== undefined) return found;
  const refusal = own(NOT_SWEPT, key);
  if (refusal !== undefined) return { code: 'not-sweepable', message: `sweep: ${key} cannot be swept. ${refusal}` };
  const dot = key.indexOf('.');
  const section = dot < 0 ? key : key.slice(0, dot);
  const field = dot < 0 ? '' : key.slice(dot + 1);
  const sections = SWEEP_SECTIONS.join(', ');
  if (!(SWEEP_SECTIONS as readonly string[]).includes(section)) {
    if (dot > 0 && ['name', 'view', 'analysis', 'variants', 'seeds', 'sweep'].includes(section)) {
      return { code: 'not-sweepable', message: `sweep: ${key} cannot be swept; a sweep varies the settings of runs, in ${sections}.` };
    }
    const guess = closest(key, known.map((f) => f.key));
    return {
      code: 'unknown-key',
      message: `Unknown sweep path ${JSON.stringify(key)}.${guess !== undefined ? ` Did you mean ${guess}?` : ''} A sweep path is a section and one of its fields, e.g. network.N; the sections are ${sections}.`,
    };
  }
  if (section === 'task' && kind === undefined) return undefined;
  const fields = Object.keys(sectionFields(section as SweepSection, kind)).filter((f) => NOT_SWEPT[`${section}.${f}`] === undefined);
  const guess = closest(field, fields);
  const others = section === 'task' && kind !== undefined ? TASK_KINDS.filter((k) => k !== kind && taskParamNames(k).includes(field)) : [];
  const owner = others.length > 0 ? ` (${field} is a parameter of ${others.join(', ')}, not of ${kind}.)` : '';
  return {
    code: 'unknown-key',
    message: `Unknown sweep path ${JSON.stringify(key)}.${guess !== undefined ? ` Did you mean ${section}.${guess}?` : ''}${owner} ${section === 'task' ? `The ${kind} task has` : `${section} has`} ${fields.join(', ')}.`,
  };
}

export function isSweepField(x: SweepField | SweepKeyProblem | undefined): x is SweepField {
  return x !== undefined && 'schema' in x;
}

/** Named values of a field (enum members), or its plain default: what a new sweep list starts with. */
function startingValues(schema: JsonSchema): Json[] | undefined {
  const s = flatten(schema);
  const named = [...(s.enum ?? []), ...(s.anyOf ?? s.oneOf ?? []).flatMap((a) => flatten(a).enum ?? [])];
  if (named.length > 0) return named;
  return s.default !== undefined ? [s.default] : undefined;
}

/** The schema of a sweep entry: a list of values of its field, with the field's own description. */
export function sweepListSchema(f: SweepField): JsonSchema {
  const list = isObject(SWEEP.additionalProperties as Json) ? (SWEEP.additionalProperties as JsonSchema) : {};
  const own = descriptionOf(f.schema);
  const start = startingValues(f.schema);
  const lead = `The values of ${f.key} to sweep over: every variant and seed is trained once per value (crossed with the other swept fields).`;
  return {
    ...list,
    items: f.schema,
    ...(start !== undefined ? { examples: [start] } : {}),
    description: `${lead}${own.plain !== undefined ? ` ${f.key}: ${own.plain}` : ''}`,
    markdownDescription: `${lead.replace(f.key, `\`${f.key}\``)}${own.markdown !== undefined ? `\n\n---\n\n${own.markdown}` : ''}`,
  };
}

/** The sweep's keys and value lists as written, when the sweep is a mapping of lists. */
export function sweepEntries(value: Json | undefined): [string, Json[]][] {
  const sweep = isObject(value) ? value.sweep : undefined;
  if (!isObject(sweep)) return [];
  return Object.entries(sweep).flatMap(([k, v]) => (Array.isArray(v) ? [[k, v] as [string, Json[]]] : []));
}

/** The number of grid points, without building them (a typo can make it astronomical). */
export function gridSize(value: Json | undefined): number {
  return sweepEntries(value).reduce((n, [, vs]) => n * vs.length, 1);
}

/** Every point of the grid, the first swept field varying slowest. No sweep: one empty point. */
export function gridPoints(value: Json | undefined): GridPoint[] {
  const entries = sweepEntries(value);
  if (gridSize(value) > MAX_RUNS) throw new Error(`the sweep makes more than ${MAX_RUNS} grid points`);
  let points: Coordinate[][] = [[]];
  for (const [key, values] of entries) {
    points = points.flatMap((p) => values.map((v, index) => [...p, { key, index, value: v }]));
  }
  return points;
}

/** A point's values as section overrides, e.g. { network: { N: 64 } }, merged after the variant's. */
export function pointOverrides(point: GridPoint): Partial<Record<SweepSection, JsonObject>> {
  const out: Partial<Record<SweepSection, JsonObject>> = {};
  for (const c of point) {
    const dot = c.key.indexOf('.');
    const section = c.key.slice(0, dot) as SweepSection;
    (out[section] ??= {})[c.key.slice(dot + 1)] = structuredClone(c.value);
  }
  return out;
}

/** The coordinates of a point as the run records them: sweep key to value. */
export function pointCoordinates(point: GridPoint): Record<string, SweepValue> {
  return Object.fromEntries(point.map((c) => [c.key, structuredClone(c.value) as SweepValue]));
}

/**
 * Short names of the swept fields: the field's own name (N, g, state), or the whole path
 * where two swept fields share a name (training.batch and evaluation.batch).
 */
export function coordinateLabels(keys: readonly string[]): Map<string, string> {
  const short = (k: string) => k.slice(k.indexOf('.') + 1);
  return new Map(keys.map((k) => [k, keys.filter((o) => short(o) === short(k)).length > 1 ? k : short(k)]));
}

function valueText(v: Json): string {
  if (Array.isArray(v)) return v.map(valueText).join('+');
  if (isObject(v)) return Object.values(v).map(valueText).join('+');
  return String(v);
}

/** One coordinate as part of a run name: `N64`, `g1.5`, `lr0-0.02`, `output_scale-small`. */
export function coordinateName(label: string, value: Json): string {
  const text = valueText(value);
  return /[A-Za-z_]$/.test(label) && /^[0-9.]/.test(text) ? `${label}${text}` : `${label}-${text}`;
}

/** The part of a run's name that its grid point gives, e.g. `n64-g1.5` (empty without a sweep). */
export function pointName(point: GridPoint): string {
  const labels = coordinateLabels(point.map((c) => c.key));
  return point.map((c) => coordinateName(labels.get(c.key) ?? c.key, c.value)).join('-');
}

/**
 * The name of a run before its seed: the variant's name, then the point's coordinates.
 * A spec with a sweep and no variants leaves out the implicit variant's name `default`.
 */
export function runPrefix(variant: string | undefined, point: GridPoint): string {
  const parts = [variant, pointName(point)].filter((p): p is string => p !== undefined && p !== '');
  return slug(parts.length > 0 ? parts.join('-') : 'default');
}
