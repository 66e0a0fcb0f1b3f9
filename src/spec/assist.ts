/**
 * Hover and completion for spec files, as pure functions of text and offset so the
 * extension host, a webview and the tests use them alike (no vscode import). The text
 * comes from the schema (descriptions, defaults, ranges) and, for task kinds, from the
 * task registry.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { TASKS } from '../core/tasks/registry';
import { cursorContext, type KeyContext, type ValueContext } from './cursor-context';
import { defaultFor, type DefaultContext } from './defaults';
import { defaultText, flatten, typeText, yamlLiteral } from './describe';
import type { SpecPath } from './diagnostics';
import { defaultContext, fieldMarkdown, taskMarkdown } from './field-docs';
import { isObject, toJson, type Json } from './json';
import { keysAt, schemaAt, valueAt, withVariantKinds } from './schema-walk';
import { isTaskKind, type JsonSchema } from './schema';
import { keyString, nodeSpan, type Span } from './source-map';
import { MAX_SPEC_CHARS } from './parse';
import { tooDeepAt } from './nesting';

export interface SpecHover {
  markdown: string;
  /** the key or value the hover is about, as offsets into the text */
  start: number;
  end: number;
}

export interface SpecCompletion {
  label: string;
  kind: 'key' | 'value';
  /** replaces the text from start to end (the word at the cursor) */
  insertText: string;
  start: number;
  end: number;
  /** type and default, one line */
  detail?: string;
  /** Markdown */
  documentation?: string;
}

/** Hover and completion work on half-written specs: repeated keys are no obstacle. */
const TOLERANT = { uniqueKeys: false, merge: true, logLevel: 'error' } as const;

/** The document's value, as far as it parses. */
function documentValue(doc: Document): Json | undefined {
  try {
    return toJson(doc.toJS({ maxAliasCount: 100 }));
  } catch {
    return undefined;
  }
}

function tolerantValue(text: string): Json | undefined {
  return documentValue(parseDocument(text, TOLERANT));
}

/**
 * The rest of the document while a word is being typed: without the word first (so a
 * flow mapping on the line keeps its context), else without the whole line.
 */
function documentAround(text: string, offset: number, word: Span): Json | undefined {
  const withoutWord = tolerantValue(text.slice(0, word.start) + text.slice(word.end));
  if (isObject(withoutWord)) return withoutWord;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  return tolerantValue(text.slice(0, lineStart) + (nl < 0 ? '' : text.slice(nl)));
}

interface Hit {
  path: SpecPath;
  on: 'key' | 'value';
  span: Span;
}

function contains(span: Span | undefined, offset: number): span is Span {
  return span !== undefined && span.start <= offset && offset <= span.end;
}

/** The innermost key or scalar value under the cursor. */
function hitAt(doc: Document, node: unknown, offset: number, path: SpecPath): Hit | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = keyString(pair.key, doc);
      const ks = nodeSpan(pair.key);
      if (contains(ks, offset)) return { path: [...path, k], on: 'key', span: ks };
      const inner = hitAt(doc, pair.value, offset, [...path, k]);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const inner = hitAt(doc, node.items[i], offset, [...path, i]);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  const span = nodeSpan(node);
  if (isScalar(node) && contains(span, offset)) return { path, on: 'value', span };
  return undefined;
}

function isKindPath(path: SpecPath): boolean {
  return path[path.length - 1] === 'kind' && path[path.length - 2] === 'task';
}

/**
 * Hover and completion never throw: a bug in them must not reach the editor. The
 * fuzzer calls the ...OrThrow forms, which must not throw either, to see such bugs.
 */
function guarded<T>(fallback: T, body: () => T): T {
  try {
    return body();
  } catch {
    return fallback;
  }
}

/** Files loadSpec refuses unread (too large, nested too deep) get no hover or completion either. */
function refused(text: string): boolean {
  return text.length > MAX_SPEC_CHARS || tooDeepAt(text) !== undefined;
}

export function hoverAt(text: string, offset: number): SpecHover | undefined {
  return guarded(undefined, () => hoverAtOrThrow(text, offset));
}

/** hoverAt without the guard against exceptions, for the fuzzer. */
export function hoverAtOrThrow(text: string, offset: number): SpecHover | undefined {
  if (refused(text)) return undefined;
  const doc = parseDocument(text, TOLERANT);
  const hit = hitAt(doc, doc.contents, offset, []);
  if (hit === undefined) return undefined;
  const value = documentValue(doc);
  if (isKindPath(hit.path)) {
    const here = valueAt(withVariantKinds(value), hit.path);
    if (hit.on === 'value' && isTaskKind(here)) return { markdown: taskMarkdown(here), ...hit.span };
    const schema = schemaAt(hit.path, value);
    if (schema === undefined) return undefined;
    const current = isTaskKind(here) ? `\n\n---\n\n${taskMarkdown(here)}` : '';
    return { markdown: `${fieldMarkdown(hit.path, schema, undefined)}${current}`, ...hit.span };
  }
  // an item of a list (train: [input, output]) is explained by the list's field
  const path = typeof hit.path[hit.path.length - 1] === 'number' && hit.on === 'value' ? hit.path.slice(0, -1) : hit.path;
  const schema = schemaAt(path, value);
  if (schema === undefined || path.length === 0) return undefined;
  return { markdown: fieldMarkdown(path, schema, defaultContext(value, path)), ...hit.span };
}

function isMapping(s: JsonSchema): boolean {
  const f = flatten(s);
  return f.properties !== undefined || f.type === 'object';
}

/** What to insert for a key: `key: default`, or the opening of a nested mapping or list. */
function keyInsert(key: string, schema: JsonSchema, ctx: DefaultContext | undefined, c: KeyContext): string {
  const s = flatten(schema);
  const indent = ' '.repeat(c.column + 2);
  if (isMapping(schema)) {
    if (c.flow) return `${key}: { }`;
    const first = s.required?.[0];
    return `${key}:\n${indent}${first !== undefined ? `${first}: ` : ''}`;
  }
  if (s.items !== undefined && isMapping(s.items)) {
    const first = flatten(s.items).required?.[0];
    return c.flow ? `${key}: []` : `${key}:\n${indent}- ${first !== undefined ? `${first}: ` : ''}`;
  }
  // a list without a default (a sweep entry) starts from its example: [small, large], [512]
  const d = (ctx !== undefined ? defaultFor(schema, ctx) : s.default) ?? (s.type === 'array' ? s.examples?.[0] : undefined);
  return d !== undefined ? `${key}: ${yamlLiteral(d)}` : `${key}: `;
}

function detailOf(schema: JsonSchema): string {
  const d = defaultText(schema);
  return d !== undefined ? `${typeText(schema)} · default ${d}` : typeText(schema);
}

function keyCompletions(c: KeyContext, value: Json | undefined): SpecCompletion[] {
  const present = new Set(c.present);
  const ctx = defaultContext(value, c.path);
  // a variant's task has the spec's kind; writing it again is allowed but never useful
  const variantTask = c.path.length === 3 && c.path[0] === 'variants' && c.path[2] === 'task';
  return keysAt(c.path, value)
    .filter(({ key }) => !present.has(key) && !(variantTask && key === 'kind'))
    .map(({ key, schema }) => ({
      label: key,
      kind: 'key' as const,
      insertText: keyInsert(key, schema, ctx, c),
      start: c.word.start,
      end: c.word.end,
      detail: detailOf(schema),
      documentation: fieldMarkdown([...c.path, key], schema, ctx),
    }));
}

/** The values a field allows by name: enum members, booleans. */
function namedValues(schema: JsonSchema): Json[] {
  const s = flatten(schema);
  if (s.const !== undefined) return [s.const];
  if (s.enum !== undefined) return s.enum;
  const alts = s.anyOf ?? s.oneOf;
  if (alts !== undefined) return alts.flatMap(namedValues);
  if (s.type === 'boolean') return [true, false];
  return [];
}

function valueCompletions(c: ValueContext, value: Json | undefined): SpecCompletion[] {
  const field = schemaAt(c.path, value);
  if (field === undefined) return [];
  const schema = c.item ? flatten(field).items : field;
  if (schema === undefined) return [];
  const present = new Set(c.present);
  const kindField = isKindPath(c.path);
  return namedValues(schema)
    .filter((v) => !present.has(String(v)))
    .map((v) => {
      const label = yamlLiteral(v);
      const task = kindField && isTaskKind(v) ? TASKS[v] : undefined;
      return {
        label,
        kind: 'value' as const,
        insertText: label,
        start: c.word.start,
        end: c.word.end,
        detail: task !== undefined ? task.title : typeText(field),
        documentation: task !== undefined && isTaskKind(v) ? taskMarkdown(v) : fieldMarkdown(c.path, field, defaultContext(value, c.path)),
      };
    });
}

export function completionsAt(text: string, offset: number): SpecCompletion[] {
  return guarded([], () => completionsAtOrThrow(text, offset));
}

/** completionsAt without the guard against exceptions, for the fuzzer. */
export function completionsAtOrThrow(text: string, offset: number): SpecCompletion[] {
  if (refused(text)) return [];
  const c = cursorContext(text, offset);
  if (c === undefined) return [];
  const value = documentAround(text, offset, c.word);
  if (c.mode === 'value') return valueCompletions(c, value);
  if (c.listItems !== undefined) {
    const item = schemaAt(c.path, value);
    if (item !== undefined && !isMapping(item)) {
      return valueCompletions({ mode: 'value', path: c.path.slice(0, -1), item: true, word: c.word, present: c.listItems }, value);
    }
  }
  return keyCompletions(c, value);
}
