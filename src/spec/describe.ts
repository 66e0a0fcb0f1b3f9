/**
 * Short texts about a schema: its type, range, default and what a valid value looks
 * like. Validation messages, hover and the generated reference all say it the same way.
 */
import { isObject, type Json } from './json';
import { deref, type JsonSchema } from './schema';
import { at } from '../core/checked';

/** A schema with `$ref` followed and plain `allOf: [{$ref}]` wrappers merged (own keywords win). */
export function flatten(s: JsonSchema): JsonSchema {
  let out: JsonSchema = { ...s };
  if (out.$ref !== undefined) {
    const { $ref: _ref, ...own } = out;
    out = { ...flatten(deref(s)), ...own };
  }
  const parts = out.allOf;
  if (parts?.every((p) => p.if === undefined)) {
    let merged: JsonSchema = {};
    for (const p of parts) merged = { ...merged, ...flatten(p) };
    const { allOf: _all, ...own } = out;
    out = { ...merged, ...own };
  }
  return out;
}

/** A value as it would be written in YAML flow style. */
export function yamlLiteral(v: Json): string {
  if (typeof v === 'string') {
    const plain = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v);
    return plain ? v : JSON.stringify(v);
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(yamlLiteral).join(', ')}]`;
  if (isObject(v)) return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${yamlLiteral(x)}`).join(', ')} }`;
  return String(v);
}

function types(s: JsonSchema): string[] {
  return s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
}

/** The type as a reader would name it: `integer`, `small | large | number`, `list of ...`. */
export function typeText(schema: JsonSchema): string {
  const s = flatten(schema);
  if (s.const !== undefined) return yamlLiteral(s.const);
  if (s.enum !== undefined) return s.enum.map(yamlLiteral).join(' | ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts !== undefined) return alts.map(typeText).join(' | ');
  const ts = types(s);
  if (ts.includes('array')) return s.items === undefined ? 'list' : `list of ${typeText(s.items)}`;
  if (ts.includes('object') || s.properties !== undefined) return 'mapping';
  return ts.length > 0 ? ts.join(' | ') : 'any';
}

/** The allowed range, e.g. `2 to 4096` or `> 0, ≤ 1`; empty when unconstrained. */
export function rangeText(schema: JsonSchema): string {
  const s = flatten(schema);
  const parts: string[] = [];
  if (s.minimum !== undefined && s.maximum !== undefined) parts.push(`${s.minimum} to ${s.maximum}`);
  else {
    if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
    if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
  }
  if (s.exclusiveMinimum !== undefined) parts.unshift(`> ${s.exclusiveMinimum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  if (s.minItems !== undefined) parts.push(`at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
  if (s.maxItems !== undefined) parts.push(`at most ${s.maxItems} items`);
  if (s.uniqueItems === true) parts.push('no repeats');
  if (s.minLength !== undefined && s.maxLength !== undefined) parts.push(`${s.minLength} to ${s.maxLength} characters`);
  const alts = s.anyOf ?? s.oneOf;
  if (alts !== undefined) {
    for (const a of alts) {
      const r = rangeText(a);
      if (r !== '') parts.push(`${typeText(a)}: ${r}`);
    }
  }
  if (s.items !== undefined) {
    const r = rangeText(s.items);
    if (r !== '') parts.push(`each ${r}`);
  }
  return parts.join(', ');
}

function numberPhrase(s: JsonSchema, noun: string): string {
  const lo = s.minimum !== undefined ? { v: s.minimum, strict: false } : s.exclusiveMinimum !== undefined ? { v: s.exclusiveMinimum, strict: true } : undefined;
  const hi = s.maximum !== undefined ? { v: s.maximum, strict: false } : s.exclusiveMaximum !== undefined ? { v: s.exclusiveMaximum, strict: true } : undefined;
  if (lo !== undefined && hi !== undefined && !lo.strict && !hi.strict) return `${noun} from ${lo.v} to ${hi.v}`;
  const bits: string[] = [];
  if (lo !== undefined) bits.push(lo.strict ? `greater than ${lo.v}` : `at least ${lo.v}`);
  if (hi !== undefined) bits.push(hi.strict ? `less than ${hi.v}` : `at most ${hi.v}`);
  return bits.length === 0 ? noun : `${noun} ${bits.join(' and ')}`;
}

/** What a valid value is, as a phrase: `an integer from 2 to 4096`, `small, large or a number greater than 0`. */
export function expectation(schema: JsonSchema): string {
  const s = flatten(schema);
  if (s.const !== undefined) return yamlLiteral(s.const);
  if (s.enum !== undefined) return oneOf(s.enum.map(yamlLiteral));
  const alts = s.anyOf ?? s.oneOf;
  if (alts !== undefined) return orList(alts.flatMap((a) => {
    const f = flatten(a);
    return f.enum !== undefined ? f.enum.map(yamlLiteral) : [expectation(a)];
  }));
  const ts = types(s);
  if (ts.includes('integer')) return numberPhrase(s, 'an integer');
  if (ts.includes('number')) return numberPhrase(s, 'a number');
  if (ts.includes('boolean')) return 'true or false';
  if (ts.includes('string')) return 'a text';
  if (ts.includes('array')) return s.items === undefined ? 'a list' : `a list of ${plural(expectation(s.items))}`;
  if (ts.includes('object')) return 'a mapping of keys to values';
  return 'a value';
}

function plural(phrase: string): string {
  return phrase.startsWith('one of ') ? `values, each ${phrase}` : phrase.replace(/^(an?) (\w+)/, (_m, _a: string, w: string) => `${w}s`);
}

export function oneOf(items: string[]): string {
  return items.length === 1 ? at(items, 0) : `one of ${items.join(', ')}`;
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The default as written in YAML, `by task` when it depends on the task, or undefined when there is none. */
export function defaultText(schema: JsonSchema): string | undefined {
  const s = flatten(schema);
  if (s['x-default-by-task'] !== undefined) return 'by task';
  return s.default === undefined ? undefined : yamlLiteral(s.default);
}
