import { at } from '../core/checked';
/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => {
    const row = new Array<number>(t.length + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= t.length; j++) at(d, 0)[j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min((at(d, i - 1)[j] ?? 0) + 1, (at(d, i)[j - 1] ?? 0) + 1, (at(d, i - 1)[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, (at(d, i - 2)[j - 2] ?? 0) + 1);
      at(d, i)[j] = v;
    }
  }
  return at(d, s.length)[t.length] ?? 0;
}

/**
 * The candidate a typo most likely meant, or undefined when nothing is close. About a
 * third of the word may be wrong, so "nework" finds "network" but "x" finds nothing.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c.toLowerCase() === word.toLowerCase()) return c;
    // A truncated key ("resp") is a typo too, though far from "response" by edits.
    if (word.length >= 3 && c.toLowerCase().startsWith(word.toLowerCase()) && bestD > 1) {
      best = c;
      bestD = 1;
      continue;
    }
    const dist = editDistance(word, c);
    if (dist <= limit && dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  return best;
}
