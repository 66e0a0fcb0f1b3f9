/** Test helpers: where a piece of text sits, as a 0-based range, and the offset of a cursor marker. */
import type { Diagnostic } from '../../../src/spec/diagnostics';
import { at } from '../../../src/core/checked';

export interface Range0 {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function rangeOf(text: string, needle: string, nth = 0): Range0 {
  let found = -1;
  for (let i = 0; i <= nth; i++) {
    found = text.indexOf(needle, found + 1);
    if (found < 0) throw new Error(`${JSON.stringify(needle)} (#${nth}) not in the text`);
  }
  const before = text.slice(0, found).split('\n');
  const line = before.length - 1;
  const column = at(before, line).length;
  return { line, column, endLine: line, endColumn: column + needle.length };
}

export function rangeOfDiagnostic(d: Diagnostic): Range0 {
  return { line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn };
}

/** Text with a `|` cursor marker removed, and the marker's offset. */
export function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  if (offset < 0) throw new Error('no | marker');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}
