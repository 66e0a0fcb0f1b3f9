/**
 * Typed access to rnn-spec.schema.json, the single source of truth for every field of a
 * spec: validation, defaults, hover text, completion, generated types and docs.
 */
import raw from './rnn-spec.schema.json';
import { isObject, type Json } from './json';
import type { TaskKind } from '../core/types';

export type SchemaType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

/** The draft-07 subset the spec's schema uses, plus our annotations. */
export interface JsonSchema {
  $schema?: string;
  $ref?: string;
  title?: string;
  description?: string;
  markdownDescription?: string;
  default?: Json;
  examples?: Json[];
  type?: SchemaType | SchemaType[];
  enum?: Json[];
  const?: Json;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  definitions?: Record<string, JsonSchema>;
  /** Defaults that depend on the task (and for lr0 on output scale and g); see defaults.ts. */
  'x-default-by-task'?: Json;
  /** The sections whose fields a `sweep` may vary; see sweep.ts. */
  'x-sweep-sections'?: string[];
}

export const SCHEMA: JsonSchema = raw as JsonSchema;

/** Follows `$ref` (only local `#/definitions/...` pointers occur) until a schema without one. */
export function deref(s: JsonSchema, root: JsonSchema = SCHEMA): JsonSchema {
  let cur = s;
  for (let hops = 0; cur.$ref !== undefined; hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${s.$ref}`);
    cur = resolvePointer(cur.$ref, root);
  }
  return cur;
}

function resolvePointer(ref: string, root: JsonSchema): JsonSchema {
  if (!ref.startsWith('#')) throw new Error(`only local $ref is supported, not ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(1).split('/').filter((p) => p !== '')) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node !== 'object' || node === null) throw new Error(`unresolved $ref ${ref}`);
  return node as JsonSchema;
}

export function definition(name: string): JsonSchema {
  const d = SCHEMA.definitions?.[name];
  if (d === undefined) throw new Error(`schema has no definition ${name}`);
  return d;
}

export const TASK_KINDS: readonly TaskKind[] = (definition('taskKind').enum ?? []) as TaskKind[];

export function isTaskKind(v: Json | undefined): v is TaskKind {
  return typeof v === 'string' && (TASK_KINDS as readonly string[]).includes(v);
}

/** The task kind of a (possibly partial) spec, when it names one. */
export function specKind(value: Json | undefined): TaskKind | undefined {
  return isObject(value) && isObject(value.task) && isTaskKind(value.task.kind) ? value.task.kind : undefined;
}

/** The parameter schema of one task kind: the `then` branch its `kind` selects. */
export function taskSchema(kind: TaskKind): JsonSchema {
  for (const branch of definition('task').allOf ?? []) {
    if (branch.if?.properties?.kind?.const === kind && branch.then !== undefined) return deref(branch.then);
  }
  throw new Error(`schema has no parameters for task kind ${kind}`);
}

/** Parameter names of a task kind, without `kind`. */
export function taskParamNames(kind: TaskKind): string[] {
  return Object.keys(taskSchema(kind).properties ?? {}).filter((k) => k !== 'kind');
}

/** Human-readable descriptions of a schema, for hover text, generated docs and messages alike. */
export function descriptionOf(s: JsonSchema): { plain?: string; markdown?: string } {
  const own = { plain: s.description, markdown: s.markdownDescription ?? s.description };
  if (own.plain !== undefined) return own;
  for (const part of [s.$ref !== undefined ? deref(s) : undefined, ...(s.allOf ?? [])]) {
    if (part === undefined) continue;
    const inner = descriptionOf(part);
    if (inner.plain !== undefined) return inner;
  }
  return {};
}
