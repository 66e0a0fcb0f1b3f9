/**
 * Where the cursor is in a spec being typed, from the text alone: while a key is half
 * written the YAML usually does not parse (or parses into something else), so the
 * structure is read from indentation and `- ` items, and flow `{ }` / `[ ]` on the
 * cursor's line are followed bracket by bracket.
 */
import type { SpecPath } from './diagnostics';
import type { Span } from './source-map';
import { at } from '../core/checked';

/** Typing a key of the mapping at `path`. */
export interface KeyContext {
  mode: 'key';
  path: SpecPath;
  word: Span;
  /** keys the mapping already has (not counting the one being typed) */
  present: string[];
  flow: boolean;
  /** column of the key being typed, for the indentation of a nested insert */
  column: number;
  /**
   * Set on a new `- ` list item: path is then the item, and when the list holds scalars
   * rather than mappings these are the items it already has.
   */
  listItems?: string[];
}

/** Typing the value of `path`, or (item) an item of the list at `path`. */
export interface ValueContext {
  mode: 'value';
  path: SpecPath;
  item: boolean;
  word: Span;
  /** items the list already has */
  present: string[];
}

export type CursorContext = KeyContext | ValueContext;

interface LineInfo {
  indent: number;
  dash: boolean;
  /** column where the content after `- ` starts */
  keyCol: number;
  key?: string;
  /** the scalar after `- `, for list items */
  item?: string;
  blank: boolean;
}

const KEY = /^("[^"]*"|'[^']*'|[A-Za-z_$][\w.$-]*)\s*:(?:\s|$)/;

function unquote(k: string): string {
  return /^["']/.test(k) ? k.slice(1, -1) : k;
}

function lineInfo(line: string): LineInfo {
  // `s`: a lone \r or U+2028 inside a line is content like any other character, not an end
  const m = /^(\s*)(-(?:\s+|$))?(.*)$/s.exec(line);
  if (m === null) throw new Error('lineInfo: the pattern matches every line');
  const indent = at(m, 1).length;
  const dash = m[2] !== undefined;
  const content = at(m, 3);
  const blank = !dash && (content.trim() === '' || content.trimStart().startsWith('#'));
  const k = KEY.exec(content);
  const info: LineInfo = { indent, dash, keyCol: indent + (m[2]?.length ?? 0), blank };
  if (k !== null) info.key = unquote(at(k, 1));
  else if (dash) {
    const item = content.replace(/\s+#.*$/, '').trim();
    if (/^[\w.-]+$/.test(item)) info.item = item;
  }
  return info;
}

/**
 * The path of the mapping or list item that holds the entry on line j: a key starting at
 * column col, or (isItem) a list item whose dash is at column col.
 */
function containerOf(lines: LineInfo[], j: number, col: number, isItem: boolean): SpecPath {
  const path: (string | number)[] = [];
  let line = j;
  let c = col;
  let item = isItem;
  for (let guard = 0; guard < 10_000; guard++) {
    if (item) {
      let index = 0;
      let owner = -1;
      for (let k = line - 1; k >= 0; k--) {
        const L = at(lines, k);
        if (L.blank) continue;
        if (L.dash && L.indent === c) {
          index++;
          continue;
        }
        if (L.indent > c) continue;
        if (L.key !== undefined && (!L.dash || L.keyCol <= c)) owner = k;
        break;
      }
      path.unshift(index);
      if (owner < 0) return path;
      const ownerLine = at(lines, owner);
      if (ownerLine.key === undefined) return path;
      path.unshift(ownerLine.key);
      line = owner;
      c = ownerLine.keyCol;
      item = false;
    }
    const here = at(lines, line);
    if (here.dash && here.keyCol === c) {
      item = true; // the first key of a list item's mapping
      c = here.indent;
      continue;
    }
    let parent = -1;
    for (let k = line - 1; k >= 0; k--) {
      const L = at(lines, k);
      if (L.blank) continue;
      if ((L.dash && L.keyCol === c) || L.indent < c) {
        parent = k;
        break;
      }
    }
    if (parent < 0) return path;
    const P = at(lines, parent);
    if (P.dash && (P.keyCol === c || P.key === undefined)) {
      item = true; // a later key of a list item's mapping
      line = parent;
      c = P.indent;
    } else if (P.key !== undefined) {
      path.unshift(P.key);
      line = parent;
      c = P.keyCol;
    } else return path;
  }
  return path;
}

/** Keys at column col of the block mapping around line j, other than line j's own. */
function siblingKeys(lines: LineInfo[], j: number, col: number): string[] {
  const keys: string[] = [];
  for (let k = j - 1; k >= 0; k--) {
    const L = at(lines, k);
    if (L.blank || L.indent > col) continue;
    if (L.key !== undefined && L.keyCol === col) {
      keys.push(L.key);
      if (L.dash) break; // a list item's first key starts its mapping
      continue;
    }
    if (L.dash && L.indent === col) continue; // items of a sibling's list, written at its column
    break;
  }
  for (let k = j + 1; k < lines.length; k++) {
    const L = at(lines, k);
    if (L.blank || L.indent > col || (L.dash && L.indent === col)) continue;
    if (L.dash || L.indent !== col || L.key === undefined) break;
    keys.push(L.key);
  }
  return keys;
}

/** Scalar items of the block list whose dashes are at column col, around line j. */
function siblingItems(lines: LineInfo[], j: number, col: number): string[] {
  const items: string[] = [];
  for (const dir of [-1, 1]) {
    for (let k = j + dir; k >= 0 && k < lines.length; k += dir) {
      const L = at(lines, k);
      if (L.blank || L.indent > col) continue;
      if (!L.dash || L.indent !== col) break;
      if (L.item !== undefined) items.push(L.item);
    }
  }
  return items;
}

interface Frame {
  open: '{' | '[';
  /** the key whose value this bracket opens, or the list index for a mapping inside a list */
  seg: string | number | undefined;
  segStart: number;
  keys: string[];
  items: string[];
  index: number;
}

/** Keys or items at depth 0 of flow text after the cursor, up to the bracket that closes it. */
function entriesAfter(after: string, open: '{' | '['): string[] {
  const out: string[] = [];
  let depth = 0;
  for (const part of after.split(/(?=[,{}[\]])/)) {
    const ch = part[0];
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      if (depth === 0) break;
      depth--;
    }
    if (depth !== 0) continue;
    const body = part.replace(/^[,\]}]/, '').trim();
    const m = open === '{' ? /^([\w.-]+)\s*:/.exec(body) : /^([\w.-]+)$/.exec(body);
    if (m !== null) out.push(at(m, 1));
  }
  return out;
}

function wordAround(text: string, offset: number): Span {
  let start = offset;
  while (start > 0 && /[\w.-]/.test(at(text, start - 1))) start--;
  let end = offset;
  while (end < text.length && /[\w.-]/.test(at(text, end))) end++;
  return { start, end };
}

export function cursorContext(text: string, offset: number): CursorContext | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  if (text[lineEnd - 1] === '\r') lineEnd--;
  const before = text.slice(lineStart, offset);
  const after = text.slice(offset, lineEnd);
  if (/(^|\s)#/.test(before)) return undefined;
  const lines = text.split('\n').map((l) => lineInfo(l.replace(/\r$/, '')));
  const j = text.slice(0, lineStart).split('\n').length - 1;
  const here = lineInfo(before);
  const word = wordAround(text, offset);
  const rest = before.slice(here.keyCol);

  // the structure left of the cursor on this line: block key, then flow brackets
  const frames: Frame[] = [];
  let blockKey: string | undefined;
  let pending: string | undefined;
  let segStart = 0;
  for (let i = 0; i < rest.length; i++) {
    const ch = at(rest, i);
    if (ch === '"' || ch === "'") {
      const close = rest.indexOf(ch, i + 1);
      if (close < 0) return undefined; // inside a quoted string
      i = close;
    } else if (ch === '{' || ch === '[') {
      const parent = frames[frames.length - 1];
      const seg = pending ?? (parent?.open === '[' ? parent.index : undefined);
      frames.push({ open: ch, seg, segStart: i + 1, keys: [], items: [], index: 0 });
      pending = undefined;
      segStart = i + 1;
    } else if (ch === '}' || ch === ']') {
      frames.pop();
      pending = undefined;
    } else if (ch === ',') {
      const f = frames[frames.length - 1];
      if (f !== undefined) {
        const done = rest.slice(f.segStart, i).trim();
        if (f.open === '[' && /^[\w.-]+$/.test(done)) f.items.push(done);
        f.index++;
        f.segStart = i + 1;
      }
      pending = undefined;
      segStart = i + 1;
    } else if (ch === ':' && (i + 1 === rest.length || /\s/.test(at(rest, i + 1)))) {
      const k = rest.slice(segStart, i).trim().replace(/^[{[,]\s*/, '');
      if (KEY.test(`${k}: `)) {
        pending = unquote(k);
        if (frames.length === 0) blockKey = pending;
        else at(frames, frames.length - 1).keys.push(pending);
      }
    }
  }

  // the mapping (or list item) this line's entry belongs to
  const container = here.dash ? containerOf(lines, j, here.indent, true) : containerOf(lines, j, here.keyCol, false);
  if (frames.length === 0) {
    if (blockKey !== undefined) {
      if (!/:\s*[\w.-]*$/.test(rest)) return undefined;
      return { mode: 'value', path: [...container, blockKey], item: false, word, present: [] };
    }
    if (!/^[\w.-]*$/.test(rest)) return undefined;
    if (here.dash) {
      // a new list item: the first key of a mapping, or a scalar item; the schema decides
      return { mode: 'key', path: container, word, present: [], flow: false, column: here.keyCol, listItems: siblingItems(lines, j, here.indent) };
    }
    return { mode: 'key', path: container, word, present: siblingKeys(lines, j, here.keyCol), flow: false, column: here.keyCol };
  }

  const path: (string | number)[] = [...container];
  for (const f of frames) if (f.seg !== undefined) path.push(f.seg);
  const inner = at(frames, frames.length - 1);
  const t = rest.slice(inner.segStart);
  if (inner.open === '[') {
    if (!/^\s*[\w.-]*$/.test(t)) return undefined;
    return { mode: 'value', path, item: true, word, present: [...inner.items, ...entriesAfter(after, '[')] };
  }
  const kv = /^\s*([\w.-]+)\s*:\s*(\S*)$/.exec(t);
  if (kv !== null) return { mode: 'value', path: [...path, at(kv, 1)], item: false, word, present: [] };
  if (!/^\s*[\w.-]*$/.test(t)) return undefined;
  return { mode: 'key', path, word, present: [...inner.keys, ...entriesAfter(after, '{')], flow: true, column: here.keyCol };
}
