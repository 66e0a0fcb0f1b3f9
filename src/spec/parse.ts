/**
 * YAML text to a value plus source positions. Syntax problems become diagnostics here;
 * everything about the meaning of the value is checked later against the schema.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { Diagnostic, DiagnosticCode, SpecPath } from './diagnostics';
import { formatPath } from './diagnostics';
import { toJson, type Json } from './json';
import { keyString, nodeSpan, SpecSource, type Span } from './source-map';
import { MAX_NESTING, tooDeepAt } from './nesting';

export interface ParsedText {
  source: SpecSource;
  /** The parsed value; undefined when the YAML has syntax errors (then diagnostics say where). */
  value: Json | undefined;
  diagnostics: Diagnostic[];
}

/** What to do about the yaml parser's most common complaints, in a spec's terms. */
const YAML_HINTS: Record<string, string> = {
  BAD_INDENT: 'Check the indentation and closing brackets here.',
  TAB_AS_INDENT: 'Indent with spaces; YAML does not allow tabs.',
  MULTILINE_IMPLICIT_KEY: 'A key needs a colon and a space after it: write key: value.',
  BLOCK_AS_IMPLICIT_KEY: 'Put a nested mapping on the lines below its key, indented.',
  MISSING_CHAR: 'A bracket, brace or quote is not closed.',
  UNEXPECTED_TOKEN: 'Check brackets, colons and indentation around here.',
  MULTIPLE_DOCS: 'A spec is a single YAML document: remove the --- separator and what follows it, or move it to another file.',
};

/**
 * Specs longer than this are refused unread. A real spec is a few hundred lines (the
 * examples are 1-3 KB), and checking takes time and memory in proportion: about 1.5 s of
 * CPU for this many characters of unknown keys, on every edit in the editor, and a 20 MB
 * list took gigabytes.
 */
export const MAX_SPEC_CHARS = 256 * 1024;

export function parseSpecText(text: string): ParsedText {
  if (text.length > MAX_SPEC_CHARS) return tooLarge(text);
  const deep = tooDeepAt(text);
  if (deep !== undefined) return tooDeep(text, deep);
  const lines = new LineCounter();
  // merge keys (<<: *base) let variants share settings; they are data, like the rest
  // uniqueKeys off: yaml checks it with a scan per key (quadratic); duplicateKeys() below does it in one pass
  // logLevel error: yaml would print a warning for a collection key, which the validator reports at its place
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, merge: true, logLevel: 'error' });
  const source = new SpecSource(text, doc, lines);
  const diagnostics: Diagnostic[] = [];
  let syntaxErrors = 0;
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') continue; // reported below with the key's path and first line
    syntaxErrors++;
    diagnostics.push(yamlDiagnostic(source, e, 'error'));
  }
  for (const w of doc.warnings) diagnostics.push(yamlDiagnostic(source, w, 'warning'));
  diagnostics.push(...duplicateKeys(source, doc.contents, []));
  if (syntaxErrors > 0) return { source, value: undefined, diagnostics };
  const expansion = expansionProblems(source, doc);
  if (expansion.length > 0) return { source, value: undefined, diagnostics: [...diagnostics, ...expansion] };
  try {
    return { source, value: toJson(doc.toJS({ maxAliasCount: 100 })), diagnostics };
  } catch (err) {
    // What is left to fail here is alias expansion past maxAliasCount (a "billion laughs" document).
    const reason = err instanceof Error ? err.message : String(err);
    const hint = /alias count/i.test(reason) ? ' Write the values out instead of using many aliases.' : '';
    diagnostics.push({ ...source.range({ start: 0, end: 0 }), severity: 'error', message: `The YAML cannot be expanded: ${reason}.${hint}`, code: 'yaml.ALIAS_EXPANSION', path: [] });
    return { source, value: undefined, diagnostics };
  }
}

/** A text refused before parsing, with its one diagnostic. */
function refused(text: string, span: Span, code: DiagnosticCode, message: string): ParsedText {
  const lines = new LineCounter();
  lines.addNewLine(0);
  let nl = text.indexOf('\n');
  while (nl >= 0) {
    lines.addNewLine(nl + 1);
    nl = text.indexOf('\n', nl + 1);
  }
  const source = new SpecSource(text, parseDocument('', { lineCounter: new LineCounter() }), lines);
  return { source, value: undefined, diagnostics: [{ ...source.range(span), severity: 'error', message, code, path: [] }] };
}

/** Over MAX_SPEC_CHARS: one diagnostic on the first line; nothing is parsed. */
function tooLarge(text: string): ParsedText {
  const nl = text.indexOf('\n');
  const message = `This file is ${text.length.toLocaleString('en')} characters long; a spec may have at most ${MAX_SPEC_CHARS.toLocaleString('en')} (a spec is usually a few hundred lines), so it was not read. Check that this is the spec you meant, or split it into several specs.`;
  return refused(text, { start: 0, end: Math.min(nl < 0 ? text.length : nl, 200) }, 'too-large', message);
}

function tooDeep(text: string, at: number): ParsedText {
  const message = `The spec nests more than ${MAX_NESTING} levels deep here (brackets or indentation); a spec needs at most 5. Check the brackets and the indentation above this point.`;
  return refused(text, { start: at, end: Math.min(at + 1, text.length) }, 'too-deep', message);
}

/**
 * Aliases without an anchor before them and merge keys (<<) whose value is not a mapping:
 * the yaml parser accepts both and only fails when it builds the value, without a position.
 */
function expansionProblems(source: SpecSource, doc: Document): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (node: unknown, fallback: unknown, code: DiagnosticCode, message: string): void => {
    const span = nodeSpan(node) ?? nodeSpan(fallback) ?? { start: 0, end: 0 };
    out.push({ ...source.range(span), severity: 'error', code, message, path: [] });
  };
  const target = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  // in document order, as yaml resolves an alias: to the last anchor of its name before it
  const anchors = new Set<string>();
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      if (!anchors.has(node.source)) {
        at(node, undefined, 'yaml.BAD_ALIAS', `YAML: the alias *${node.source} refers to no anchor. Write &${node.source} before the value it stands for, earlier in the file, or write the value out.`);
      }
    } else if ((isScalar(node) || isCollection(node)) && node.anchor !== undefined) {
      anchors.add(node.anchor);
    } else if (isPair(node) && isScalar(node.key) && typeof node.key.value === 'symbol') {
      // a merge key <<: its value, or each item of a list value, must be a mapping
      const value = target(node.value);
      const sources = isSeq(value) ? value.items : [node.value];
      for (const item of sources) {
        if (isAlias(item) && item.resolve(doc) === undefined) continue; // reported as an alias
        const merged = target(item);
        if (!isMap(merged)) {
          // through an alias of a list, the items are elsewhere: underline the alias here
          at(isAlias(node.value) ? node.value : item, node.key, 'yaml.BAD_MERGE', `YAML: a merge key << takes a mapping, an alias of one (<<: *base) or a list of them, not ${describeNode(merged)}.`);
        }
      }
    }
  });
  return out;
}

function describeNode(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (!isScalar(node) || node.value === null || node.value === undefined) return 'an empty value';
  return typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value);
}

function yamlDiagnostic(source: SpecSource, e: YAMLError, severity: 'error' | 'warning'): Diagnostic {
  const [start, end] = e.pos;
  const length = source.text.length;
  const span: Span = { start: Math.min(start, length), end: Math.min(end > start ? end : start + 1, length) };
  const first = e.message.split('\n')[0] ?? e.message;
  const hint = YAML_HINTS[e.code];
  const code: DiagnosticCode = `yaml.${e.code}`;
  return { ...source.range(span), severity, message: `YAML: ${first}${hint !== undefined ? ` ${hint}` : ''}`, code, path: [] };
}

/** Every repeated key of every mapping, underlined at the repeat, with where the first one is. */
function duplicateKeys(source: SpecSource, node: unknown, path: SpecPath): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = keyString(item.key, source.doc);
      const keyNode = item.key as Node | null;
      const start = keyNode?.range?.[0];
      const end = keyNode?.range?.[1];
      const first = seen.get(k);
      if (first !== undefined && start !== undefined && end !== undefined) {
        const where = path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`;
        out.push({
          ...source.range({ start, end }),
          severity: 'error',
          code: 'duplicate-key',
          path: [...path, k],
          message: `Duplicate key ${JSON.stringify(k)} ${where}; it is first written on line ${source.lineNumber(first)}. Keep one: YAML would silently use only the last.`,
        });
      } else if (start !== undefined) seen.set(k, start);
      out.push(...duplicateKeys(source, item.value, [...path, k]));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => out.push(...duplicateKeys(source, item, [...path, i])));
  }
  return out;
}
