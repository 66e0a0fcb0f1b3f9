/** The schema of the field at a spec path, choosing `if`/`then` branches by the value (the task kind). */
import type { SpecPath } from './diagnostics';
import { isObject, own, type Json, type JsonObject } from './json';
import { deref, SCHEMA, specKind, type JsonSchema } from './schema';
import { conforms } from './validate';
import { isSweepField, sweepField, sweepFields, sweepListSchema } from './sweep';
import type { TaskKind } from '../core/types';

/**
 * A variant's task override has no kind of its own; give it the spec's, so its
 * parameters resolve to the right task's schema.
 */
export function withVariantKinds(value: Json | undefined): Json | undefined {
  if (!isObject(value) || !Array.isArray(value.variants)) return value;
  const kind = specKind(value);
  if (kind === undefined) return value;
  const variants = value.variants.map((v): Json => {
    if (!isObject(v)) return v;
    const task: JsonObject = isObject(v.task) ? { ...v.task } : {};
    if (task.kind === undefined) task.kind = kind;
    return { ...v, task };
  });
  return { ...value, variants };
}

function childSchema(schema: JsonSchema, seg: string | number, value: Json | undefined, kind: TaskKind | undefined): JsonSchema | undefined {
  const s = deref(schema);
  if (typeof seg === 'number') return s.items;
  if (s['x-sweep-sections'] !== undefined) {
    // a sweep key is the path of a field; its value a list of that field's values
    const f = sweepField(seg, kind);
    return isSweepField(f) ? sweepListSchema(f) : undefined;
  }
  const prop = own(s.properties, seg);
  if (prop !== undefined) return prop;
  for (const part of s.allOf ?? []) {
    if (part.if !== undefined) {
      if (value !== undefined && part.then !== undefined && conforms(value, part.if)) {
        const c = childSchema(part.then, seg, value, kind);
        if (c !== undefined) return c;
      }
    } else {
      const c = childSchema(part, seg, value, kind);
      if (c !== undefined) return c;
    }
  }
  for (const alt of s.anyOf ?? s.oneOf ?? []) {
    const c = childSchema(alt, seg, value, kind);
    if (c !== undefined) return c;
  }
  return undefined;
}

function child(value: Json | undefined, seg: string | number): Json | undefined {
  if (typeof seg === 'number') return Array.isArray(value) ? value[seg] : undefined;
  return isObject(value) ? own(value, seg) : undefined;
}

/** The value at a path, if the (possibly partial) document has one. */
export function valueAt(value: Json | undefined, path: SpecPath): Json | undefined {
  let v = value;
  for (const seg of path) v = child(v, seg);
  return v;
}

/** The schema at path, or undefined for a path the schema does not know. */
export function schemaAt(path: SpecPath, value: Json | undefined): JsonSchema | undefined {
  let s: JsonSchema | undefined = SCHEMA;
  let v = withVariantKinds(value);
  const kind = specKind(value);
  for (const seg of path) {
    if (s === undefined) return undefined;
    s = childSchema(s, seg, v, kind);
    v = child(v, seg);
  }
  return s;
}

/** Every key a mapping at path may have (for a task, those of its kind), in schema order. */
export function keysAt(path: SpecPath, value: Json | undefined): { key: string; schema: JsonSchema }[] {
  const s = schemaAt(path, value);
  if (s === undefined) return [];
  if (deref(s)['x-sweep-sections'] !== undefined) return sweepFields(specKind(value)).map((f) => ({ key: f.key, schema: sweepListSchema(f) }));
  const container = valueAt(withVariantKinds(value), path);
  const out = new Map<string, JsonSchema>();
  const collect = (x: JsonSchema): void => {
    const d = deref(x);
    for (const [k, sub] of Object.entries(d.properties ?? {})) if (!out.has(k)) out.set(k, sub);
    for (const part of d.allOf ?? []) {
      if (part.if === undefined) collect(part);
      else if (container !== undefined && part.then !== undefined && conforms(container, part.if)) collect(part.then);
    }
  };
  collect(s);
  return [...out.entries()].map(([key, schema]) => ({ key, schema }));
}
