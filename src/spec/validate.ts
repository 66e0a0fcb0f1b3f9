/**
 * A validator for the draft-07 subset the spec's schema uses. It is ours rather than
 * ajv's so that messages say what to write and every issue carries the path of the key
 * or value at fault, and so that it needs no `new Function` (a strict-CSP webview
 * forbids it). test/unit/spec/ajv-agreement.test.ts keeps its verdicts equal to ajv's.
 */
import type { DiagnosticCode, SpecFix, SpecPath } from './diagnostics';
import { formatPath } from './diagnostics';
import { expectation, flatten, yamlLiteral } from './describe';
import { isObject, jsonEqual, jsonTypeOf, own, showValue, type Json, type JsonObject } from './json';
import { deref, SCHEMA, type JsonSchema, type SchemaType } from './schema';
import { closest } from './suggest';

export interface SchemaIssue {
  path: SpecPath;
  /** key: the key at path; value: the value at path; map: the mapping at path (a key is missing). */
  on: 'key' | 'value' | 'map';
  code: DiagnosticCode;
  message: string;
  /** a replacement for the key or value at path that resolves the issue */
  fix?: SpecFix;
}

/** Keywords the validator implements; any other keyword in the schema must be an annotation. */
export const VALIDATION_KEYWORDS: readonly string[] = [
  '$ref', 'type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'items', 'minItems', 'maxItems', 'uniqueItems', 'properties',
  'required', 'additionalProperties', 'propertyNames', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else',
];
export const ANNOTATION_KEYWORDS: readonly string[] = [
  '$schema', 'title', 'description', 'markdownDescription', 'default', 'examples', 'definitions', 'x-default-by-task', 'x-sweep-sections',
];

export function validate(value: Json, schema: JsonSchema = SCHEMA, root: JsonSchema = SCHEMA, at: SpecPath = []): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  check(schema, value, at, out, root);
  return out;
}

export function conforms(value: Json, schema: JsonSchema, root: JsonSchema = SCHEMA): boolean {
  return validate(value, schema, root).length === 0;
}

function typeMatches(t: SchemaType, v: Json): boolean {
  const actual = jsonTypeOf(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return false;
  return t === actual || (t === 'number' && actual === 'integer');
}

function label(path: SpecPath): string {
  return path.length === 0 ? 'The spec' : formatPath(path);
}

function lastKey(path: SpecPath): string | undefined {
  const k = path[path.length - 1];
  return typeof k === 'string' ? k : undefined;
}

/** A value worth showing as an example for a schema: its default, its first allowed value, or a minimal mapping. */
function exampleValue(schema: JsonSchema, root: JsonSchema = SCHEMA): Json | undefined {
  const s = flatten(schema);
  if (s.default !== undefined) return s.default;
  if (s.examples?.[0] !== undefined) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.enum !== undefined) return s.enum[0];
  const byTask = s['x-default-by-task'];
  if (isObject(byTask)) {
    const first = Object.values(byTask)[0];
    if (typeof first === 'number') return first;
  }
  for (const alt of s.anyOf ?? s.oneOf ?? []) {
    const e = exampleValue(alt, root);
    if (e !== undefined) return e;
  }
  if (s.properties !== undefined || s.required !== undefined) {
    const obj: JsonObject = {};
    for (const k of s.required ?? []) {
      const sub = own(s.properties, k);
      const e = sub === undefined ? undefined : exampleValue(sub, root);
      obj[k] = e ?? null;
    }
    return obj;
  }
  return undefined;
}

function writeHint(path: SpecPath, s: JsonSchema, root: JsonSchema): string {
  const key = lastKey(path);
  const ex = exampleValue(s, root);
  if (key === undefined || ex === undefined) return '';
  if (isObject(ex) && Object.keys(ex).length === 0) return ` Write its keys indented below ${key}:, or remove it.`;
  return ` Write e.g. ${key}: ${yamlLiteral(ex)}.`;
}

function check(schema: JsonSchema, v: Json, path: SpecPath, out: SchemaIssue[], root: JsonSchema): void {
  if (schema.$ref !== undefined) {
    check(deref(schema, root), v, path, out, root);
    return;
  }
  const s = schema;
  if (s.type !== undefined) {
    const ts = Array.isArray(s.type) ? s.type : [s.type];
    if (!ts.some((t) => typeMatches(t, v))) {
      const what = v === null ? 'has no value' : `must be ${expectation(s)}, not ${showValue(v)}`;
      const fix = v === null ? `; write ${expectation(s)}.` : '.';
      out.push({ path, on: 'value', code: 'wrong-type', message: `${label(path)} ${what}${fix}${writeHint(path, s, root)}` });
      return; // everything else about a value of the wrong type is noise
    }
  }
  if (s.enum !== undefined && !s.enum.some((e) => jsonEqual(e, v))) {
    const guess = typeof v === 'string' ? closest(v, s.enum.filter((e): e is string => typeof e === 'string')) : undefined;
    out.push({
      path, on: 'value', code: 'bad-enum',
      message: `${label(path)} must be ${expectation({ enum: s.enum })}, not ${showValue(v)}.${guess !== undefined ? ` Did you mean ${guess}?` : ''}`,
      ...replaceWith(guess, 'Change to'),
    });
  }
  if (s.const !== undefined && !jsonEqual(s.const, v)) {
    out.push({ path, on: 'value', code: 'bad-enum', message: `${label(path)} must be ${yamlLiteral(s.const)}, not ${showValue(v)}.` });
  }
  if (typeof v === 'number') checkNumber(s, v, path, out);
  if (typeof v === 'string') checkString(s, v, path, out);
  if (Array.isArray(v)) checkArray(s, v, path, out, root);
  if (isObject(v)) checkObject(s, v, path, out, root);
  for (const sub of s.allOf ?? []) check(sub, v, path, out, root);
  if (s.anyOf !== undefined && !s.anyOf.some((a) => conforms(v, a, root))) out.push(noMatch(s, s.anyOf, v, path, root));
  if (s.oneOf !== undefined) {
    const n = s.oneOf.filter((a) => conforms(v, a, root)).length;
    if (n === 0) out.push(noMatch(s, s.oneOf, v, path, root));
    else if (n > 1) out.push({ path, on: 'value', code: 'no-match', message: `${label(path)} is ambiguous: ${showValue(v)} fits more than one of ${expectation(s)}.` });
  }
  if (s.not !== undefined && conforms(v, s.not, root)) {
    out.push({ path, on: 'value', code: 'no-match', message: `${label(path)} must not be ${expectation(s.not)}.` });
  }
  if (s.if !== undefined) {
    const branch = conforms(v, s.if, root) ? s.then : s.else;
    if (branch !== undefined) check(branch, v, path, out, root);
  }
}

/** One message for a value that fits no alternative, coded by the nearest alternative. */
function noMatch(s: JsonSchema, alts: JsonSchema[], v: Json, path: SpecPath, root: JsonSchema): SchemaIssue {
  const flat = alts.map(flatten);
  const sameType = flat.find((a) => a.type !== undefined && (Array.isArray(a.type) ? a.type : [a.type]).some((t) => typeMatches(t, v)));
  const code: DiagnosticCode = sameType === undefined ? 'wrong-type' : sameType.enum !== undefined ? 'bad-enum' : 'out-of-range';
  const words = flat.flatMap((a) => (a.enum ?? []).filter((e): e is string => typeof e === 'string'));
  const guess = typeof v === 'string' ? closest(v, words) : undefined;
  return {
    path, on: 'value', code,
    message: `${label(path)} must be ${expectation(s)}, not ${showValue(v)}.${guess !== undefined ? ` Did you mean ${guess}?` : writeHint(path, s, root)}`,
    ...replaceWith(guess, 'Change to'),
  };
}

/** The fix that writes `guess` in place of the key or value at fault. */
function replaceWith(guess: string | undefined, verb: 'Change to' | 'Rename to'): { fix?: SpecFix } {
  return guess === undefined ? {} : { fix: { title: `${verb} ${guess}`, text: yamlLiteral(guess) } };
}

/**
 * The allowed value nearest to an out-of-range v: the bound itself when it is inclusive,
 * the next integer past an exclusive bound for an integer, else the field's default (a
 * number just past an exclusive bound is never what anyone meant).
 */
function nearestAllowed(s: JsonSchema, v: number, allowed: (x: number) => boolean): SpecFix | undefined {
  const integer = s.type === 'integer' || (Array.isArray(s.type) && s.type.includes('integer') && !s.type.includes('number'));
  let x: number | undefined;
  if (s.minimum !== undefined && v < s.minimum) x = integer ? Math.ceil(s.minimum) : s.minimum;
  else if (s.maximum !== undefined && v > s.maximum) x = integer ? Math.floor(s.maximum) : s.maximum;
  else if (integer && s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) x = Math.floor(s.exclusiveMinimum) + 1;
  else if (integer && s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) x = Math.ceil(s.exclusiveMaximum) - 1;
  if (x !== undefined && allowed(x)) return { title: `Change to ${x}, the ${x < v ? 'largest' : 'smallest'} allowed value`, text: String(x) };
  if (typeof s.default === 'number' && allowed(s.default)) return { title: `Change to ${s.default}, the default`, text: String(s.default) };
  return undefined;
}

function checkNumber(s: JsonSchema, v: number, path: SpecPath, out: SchemaIssue[]): void {
  const bad =
    (s.minimum !== undefined && v < s.minimum) ||
    (s.maximum !== undefined && v > s.maximum) ||
    (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) ||
    (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum);
  if (bad) {
    const range = { type: s.type, minimum: s.minimum, maximum: s.maximum, exclusiveMinimum: s.exclusiveMinimum, exclusiveMaximum: s.exclusiveMaximum };
    const fix = nearestAllowed(s, v, (x) => conforms(x, range));
    out.push({ path, on: 'value', code: 'out-of-range', message: `${label(path)} must be ${expectation(range)}, not ${showValue(v)}.`, ...(fix ? { fix } : {}) });
  }
}

function checkString(s: JsonSchema, v: string, path: SpecPath, out: SchemaIssue[]): void {
  const length = [...v].length; // code points, as JSON Schema counts them
  if (s.minLength !== undefined && length < s.minLength) {
    out.push({ path, on: 'value', code: 'bad-length', message: s.minLength === 1 ? `${label(path)} must not be empty.` : `${label(path)} needs at least ${s.minLength} characters.` });
  }
  if (s.maxLength !== undefined && length > s.maxLength) {
    out.push({ path, on: 'value', code: 'bad-length', message: `${label(path)} must be at most ${s.maxLength} characters long, not ${length}.` });
  }
  if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) {
    out.push({ path, on: 'value', code: 'no-match', message: `${label(path)} must match the pattern ${s.pattern}.` });
  }
}

function checkArray(s: JsonSchema, v: Json[], path: SpecPath, out: SchemaIssue[], root: JsonSchema): void {
  if (s.minItems !== undefined && v.length < s.minItems) {
    out.push({ path, on: 'value', code: 'too-few-items', message: `${label(path)} needs at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}.${writeHint(path, s, root)}` });
  }
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    out.push({ path, on: 'value', code: 'too-many-items', message: `${label(path)} takes at most ${s.maxItems} items, not ${v.length}.` });
  }
  if (s.uniqueItems === true) {
    v.forEach((x, i) => {
      const first = v.findIndex((y) => jsonEqual(x, y));
      if (first < i) out.push({ path: [...path, i], on: 'value', code: 'duplicate-item', message: `${label(path)} lists ${showValue(x)} twice; remove one.` });
    });
  }
  if (s.items !== undefined) {
    const items = s.items;
    v.forEach((x, i) => check(items, x, [...path, i], out, root));
  }
}

function checkObject(s: JsonSchema, v: JsonObject, path: SpecPath, out: SchemaIssue[], root: JsonSchema): void {
  const props = s.properties ?? {};
  for (const k of s.required ?? []) {
    if (!Object.hasOwn(v, k)) {
      const sub = own(props, k);
      const ex = sub === undefined ? undefined : exampleValue(sub, root);
      const hint = ex === undefined ? '' : `: add ${k}: ${yamlLiteral(ex)}`;
      const where = path.length === 0 ? 'The spec' : label(path);
      const options = sub !== undefined && flatten(sub).enum !== undefined ? ` (${expectation(sub)})` : '';
      out.push({ path, on: 'map', code: 'missing-key', message: `${where} needs ${k}${hint}${options}.` });
    }
  }
  for (const [k, x] of Object.entries(v)) {
    const sub = own(props, k);
    if (sub !== undefined) check(sub, x, [...path, k], out, root);
    else if (s.additionalProperties === false) out.push(unknownKey(k, Object.keys(props), s, path, v));
    else if (typeof s.additionalProperties === 'object') check(s.additionalProperties, x, [...path, k], out, root);
    if (s.propertyNames !== undefined) {
      for (const issue of validate(k, s.propertyNames, root, [...path, k])) out.push({ ...issue, on: 'key' });
    }
  }
}

function unknownKey(k: string, allowed: string[], s: JsonSchema, path: SpecPath, mapping: JsonObject): SchemaIssue {
  const where = path.length === 0 ? 'at the top level' : `in ${formatPath(path)}${s.title !== undefined ? ` for ${s.title}` : ''}`;
  const guess = closest(k, allowed);
  // Renaming the key to one the mapping already has would only make a duplicate key.
  const taken = guess !== undefined && Object.hasOwn(mapping, guess);
  const mean = guess === undefined ? '' : taken ? ` Did you mean ${guess}? (${guess} is already set here.)` : ` Did you mean ${guess}?`;
  return {
    path: [...path, k], on: 'key', code: 'unknown-key',
    message: `Unknown key ${JSON.stringify(k)} ${where}.${mean} Allowed keys: ${allowed.join(', ')}.`,
    ...replaceWith(taken ? undefined : guess, 'Rename to'),
  };
}
