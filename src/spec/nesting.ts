/**
 * How deep a spec's text nests, found in one pass before the YAML parser sees it. The
 * parser recurses once per level: thousands of `[` or indented keys take it seconds and
 * end in a stack overflow, while a real spec nests four or five levels. Approximate on
 * purpose (quotes are followed within a line, block scalars are read as plain lines): it
 * can only overcount on text no spec contains.
 */

/** Deeper than this is refused; the deepest spec field (variants[i].task.param) is 4 levels. */
export const MAX_NESTING = 64;

/** The offset where the text first nests deeper than MAX_NESTING, or undefined. */
export function tooDeepAt(text: string): number | undefined {
  const indents: number[] = []; // the indentation of each open block level
  let flow = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    let i = lineStart;
    while (i < end && (text[i] === ' ' || text[i] === '-' || text[i] === '\t')) i++;
    const blank = i >= end || text[i] === '#' || text[i] === '\r';
    if (!blank && flow === 0) {
      const indent = i - lineStart;
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= indent) indents.pop();
      indents.push(indent);
      if (indents.length > MAX_NESTING) return i;
    }
    for (; i < end; i++) {
      const c = text[i];
      if (c === '#' && (i === lineStart || text[i - 1] === ' ' || text[i - 1] === '\t')) break;
      if (c === '"' || c === "'") {
        const close = text.indexOf(c, i + 1);
        if (close >= 0 && close < end) i = close;
      } else if (c === '[' || c === '{') {
        flow++;
        if (flow + indents.length > MAX_NESTING) return i;
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
    lineStart = end + 1;
  }
  return undefined;
}
