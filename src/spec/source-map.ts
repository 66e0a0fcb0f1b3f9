/**
 * From a spec path to the text it came from, using the yaml AST's node ranges, so a
 * diagnostic underlines the key or value at fault, inside a variant when it is a
 * variant's value.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, Pair, YAMLMap, type Document, type LineCounter, type Node } from 'yaml';
import type { SpecPath } from './diagnostics';
import { at } from '../core/checked';

export interface Span {
  start: number;
  end: number;
}

export interface Range0 {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What a diagnostic at a path underlines: the key, the value, or the mapping that lacks a key. */
export type Anchor = 'key' | 'value' | 'map';

/**
 * The string a YAML key stands for in the parsed value: yaml's toJS turns an empty key
 * into "" and writes a collection key (or an alias of one) in flow style, `[ a, b ]`; the
 * key is put through toJS the same way, in its document, so the two always agree.
 */
export function keyString(key: unknown, doc: Document): string {
  if (isScalar(key) && (key.value === null || key.value === undefined)) return '';
  if (isScalar(key) && typeof key.value !== 'object') return String(key.value);
  if (isScalar(key) || isCollection(key) || isAlias(key)) {
    const probe = new YAMLMap();
    probe.items.push(new Pair(key, null));
    const logLevel = doc.options.logLevel;
    doc.options.logLevel = 'error'; // toJS warns about collection keys; the real parse did already
    try {
      const k = Object.keys(probe.toJS(doc, { maxAliasCount: 100 }) as object)[0];
      if (k !== undefined) return k;
    } catch {
      // an alias that does not resolve, a merge key of something else: parse reports them
    } finally {
      doc.options.logLevel = logLevel;
    }
    // A key the parser could not build has no name in the value either; its place names it.
    const at = nodeSpan(key);
    return at === undefined ? '' : `(key at ${at.start})`;
  }
  return typeof key === 'string' ? key : '';
}

/** The pairs of a mapping by key, the last of duplicate keys winning as in the parsed value. */
type KeyIndex = Map<string, Pair>;

interface Step {
  node: Node | undefined;
  /** the pair that holds node, when node is a mapping value */
  pair: Pair | undefined;
}

export class SpecSource {
  /** built once per mapping on first use, so positioning n diagnostics is linear, not quadratic */
  private readonly keyIndex = new WeakMap<YAMLMap, KeyIndex>();

  constructor(
    readonly text: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  private resolve(node: unknown): Node | undefined {
    if (isAlias(node)) return node.resolve(this.doc) ?? undefined;
    return isScalar(node) || isCollection(node) ? node : undefined;
  }

  /** The nodes along path, as far as they exist; the first entry is the document root. */
  walk(path: SpecPath): Step[] {
    const steps: Step[] = [{ node: this.resolve(this.doc.contents), pair: undefined }];
    for (const seg of path) {
      const cur = at(steps, steps.length - 1).node;
      let next: Step | undefined;
      if (isMap(cur) && typeof seg === 'string') {
        const pair = this.pairsOf(cur).get(seg);
        if (pair !== undefined) next = { node: this.resolve(pair.value), pair };
      } else if (isSeq(cur) && typeof seg === 'number') {
        const item = cur.items[seg];
        if (item !== undefined) next = { node: this.resolve(item), pair: undefined };
      }
      if (next === undefined) break;
      steps.push(next);
    }
    return steps;
  }

  private pairsOf(map: YAMLMap): KeyIndex {
    let index = this.keyIndex.get(map);
    if (index === undefined) {
      index = new Map();
      for (const p of map.items) if (isPair(p)) index.set(keyString(p.key, this.doc), p);
      this.keyIndex.set(map, index);
    }
    return index;
  }

  /** The text to underline for path; a path that does not exist falls back to its nearest ancestor. */
  span(path: SpecPath, anchor: Anchor): Span {
    const steps = this.walk(path);
    const found = steps.length === path.length + 1;
    const last = at(steps, steps.length - 1);
    if (!found) return this.headSpan(last);
    if (anchor === 'key') return last.pair !== undefined ? nodeSpan(last.pair.key) ?? this.headSpan(last) : this.headSpan(last);
    if (anchor === 'map') return this.headSpan(last);
    const value = nodeSpan(last.node);
    // Empty values and block collections read better underlined at their key.
    if (value === undefined || value.end <= value.start || (isCollection(last.node) && !last.node.flow)) return this.headSpan(last);
    return value;
  }

  /** A one-line span that names a node: its key, or for a list item or the root, its first key. */
  private headSpan(step: Step): Span {
    if (step.pair !== undefined) {
      const k = nodeSpan(step.pair.key);
      if (k !== undefined) return k;
    }
    const node = step.node;
    if (isMap(node) && node.items.length > 0) {
      // a block mapping is named by its first key; a flow one `{ ... }` by its opening line
      const k = nodeSpan(at(node.items, 0).key);
      if (k !== undefined) return node.flow ? this.lineOf(nodeSpan(node) ?? k) : k;
    }
    const own = nodeSpan(node);
    if (own !== undefined) return this.lineOf(own);
    return this.lineOf({ start: 0, end: 0 });
  }

  /** The span cut at the end of its first line (at least one character when the line has any). */
  private lineOf(span: Span): Span {
    const nl = this.text.indexOf('\n', span.start);
    const lineEnd = nl < 0 ? this.text.length : nl;
    const end = Math.min(Math.max(span.end, span.start + 1), lineEnd);
    return { start: span.start, end: Math.max(end, span.start) };
  }

  range(span: Span): Range0 {
    const a = this.lines.linePos(span.start);
    const b = this.lines.linePos(span.end);
    return { line: a.line - 1, column: a.col - 1, endLine: b.line - 1, endColumn: b.col - 1 };
  }

  /** 1-based line of an offset, for messages such as "first written on line 3". */
  lineNumber(offset: number): number {
    return this.lines.linePos(offset).line;
  }
}

export function nodeSpan(node: unknown): Span | undefined {
  if ((isScalar(node) || isCollection(node) || isAlias(node)) && node.range) return { start: node.range[0], end: node.range[1] };
  return undefined;
}
