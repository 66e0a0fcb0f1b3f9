/**
 * Mutations of spec text for the fuzzer: byte flips, line deletions and duplications,
 * value swaps between fields, random YAML scalars and collections, anchors, aliases and
 * merge keys, keys named after Object.prototype, indentation changes, and the two
 * attacks the parser must survive (alias bombs, deep nesting). Each is a pure function
 * of the text and a seeded random stream, so an input is replayed from (seed, index).
 */
import type { Rng } from '../../src/core/types';

export type Mutation = (text: string, rng: Rng) => string;

const pick = <T>(rng: Rng, xs: readonly T[]): T => {
  const x = xs[rng.int(xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
};

/** Characters that matter to YAML, and some that do not. */
const CHARS = [...' \t\n:-,{}[]&*!|>\'"#%@`?<=~.0123456789eE+_aAxz', '\r', '\u2028', '\u00a0', 'é', '\uFEFF', '\0'];

const SCALARS = [
  '0', '-1', '1', '2', '3', '2.5', '1e12', '-1e-300', '1e400', '.nan', '.inf', '-.inf', '~', 'null', 'true', 'false', 'yes', 'no',
  '""', "''", 'x', '0x10', '0o17', '+12', '99999999999999999999', '2001-12-14', '!!binary aGk=', '!!str 3', '!!int "7"', '!!float x',
  '__proto__', 'constructor', 'toString', 'small', 'large', 'cycling', 'flipflop', 'recurrent', 'wasm', 'auto', '"a\\u0000b"', '|\n  block', '>-\n  folded',
];

const COLLECTIONS = [
  '[]', '{}', '[1, 2]', '[recurrent, recurrent]', '[input, output, recurrent]', '{ a: 1 }', '{ kind: cycling }', '[[1], [2]]', '{ N: 16 }',
  '[correlation, dimensions, noise]', '[{ name: a }, { name: b }]', '{ __proto__: { N: 3 } }', '{ constructor: 1 }', '[1, {x: [2, {y: 3}]}]',
];

const KEYS = [
  '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'name', 'task', 'network', 'noise', 'training', 'evaluation',
  'analysis', 'variants', 'seeds', 'view', 'sweep', 'kind', 'N', 'g', 'dt', 'steps', 'batch', 'seed', '<<', '"quoted key"', '? complex', '[a, b]',
];

/** `key: value` lines, with the column where the value starts. */
function valueLines(text: string): { line: number; at: number }[] {
  const out: { line: number; at: number }[] = [];
  text.split('\n').forEach((l, line) => {
    const m = /^(\s*(?:- )?[\w"'<.-]+\s*:\s+)(\S.*)$/.exec(l);
    if (m?.[1] !== undefined) out.push({ line, at: m[1].length });
  });
  return out;
}

function replaceValue(text: string, rng: Rng, value: (rng: Rng) => string): string {
  const lines = text.split('\n');
  const targets = valueLines(text);
  if (targets.length === 0) return text;
  const t = pick(rng, targets);
  const l = lines[t.line] ?? '';
  lines[t.line] = l.slice(0, t.at) + value(rng);
  return lines.join('\n');
}

const byteFlip: Mutation = (text, rng) => {
  if (text.length === 0) return pick(rng, CHARS);
  const i = rng.int(text.length);
  const op = rng.int(3);
  const c = pick(rng, CHARS);
  if (op === 0) return text.slice(0, i) + c + text.slice(i + 1); // replace
  if (op === 1) return text.slice(0, i) + c + text.slice(i); // insert
  return text.slice(0, i) + text.slice(i + 1); // delete
};

const lineEdit: Mutation = (text, rng) => {
  const lines = text.split('\n');
  const i = rng.int(lines.length);
  const op = rng.int(4);
  if (op === 0) lines.splice(i, 1); // delete
  else if (op === 1) lines.splice(i, 0, lines[i] ?? ''); // duplicate
  else if (op === 2) {
    const j = rng.int(lines.length); // swap two lines
    const a = lines[i] ?? '';
    lines[i] = lines[j] ?? '';
    lines[j] = a;
  } else {
    const l = lines[i] ?? ''; // indent or outdent
    lines[i] = rng.uniform() < 0.5 ? `  ${l}` : l.replace(/^ {1,2}/, '');
  }
  return lines.join('\n');
};

const valueSwap: Mutation = (text, rng) => {
  const lines = text.split('\n');
  const targets = valueLines(text);
  if (targets.length < 2) return text;
  const a = pick(rng, targets);
  const b = pick(rng, targets);
  const la = lines[a.line] ?? '';
  const lb = lines[b.line] ?? '';
  lines[a.line] = la.slice(0, a.at) + lb.slice(b.at);
  lines[b.line] = lb.slice(0, b.at) + la.slice(a.at);
  return lines.join('\n');
};

const randomScalar: Mutation = (text, rng) => replaceValue(text, rng, (r) => pick(r, SCALARS));

const randomCollection: Mutation = (text, rng) => replaceValue(text, rng, (r) => pick(r, COLLECTIONS));

const strangeKey: Mutation = (text, rng) => {
  const lines = text.split('\n');
  const i = rng.int(lines.length + 1);
  const indent = ' '.repeat(2 * rng.int(3));
  lines.splice(i, 0, `${indent}${pick(rng, KEYS)}: ${pick(rng, [...SCALARS, ...COLLECTIONS])}`);
  return lines.join('\n');
};

/** An anchor on one value and an alias (or a merge key) of it somewhere else. */
const anchorAlias: Mutation = (text, rng) => {
  const lines = text.split('\n');
  const targets = valueLines(text);
  if (targets.length === 0) return text;
  const a = pick(rng, targets);
  const name = pick(rng, ['a', 'base', 'x1']);
  const la = lines[a.line] ?? '';
  lines[a.line] = `${la.slice(0, a.at)}&${name} ${la.slice(a.at)}`;
  const b = pick(rng, targets);
  const lb = lines[b.line] ?? '';
  lines[b.line] = rng.uniform() < 0.3 ? `${lb.slice(0, b.at)}{ <<: *${name} }` : `${lb.slice(0, b.at)}*${pick(rng, [name, name, 'missing'])}`;
  return lines.join('\n');
};

/** A "billion laughs": each level aliases the one before ten times. */
const aliasBomb: Mutation = (text, rng) => {
  const levels = 3 + rng.int(6);
  let bomb = 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < levels; i++) bomb += `l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]\n`;
  return rng.uniform() < 0.5 ? bomb + text : text + '\n' + bomb;
};

/** Brackets or block indentation nested thousands deep. */
const deepNesting: Mutation = (text, rng) => {
  const depth = 100 + rng.int(5000);
  if (rng.uniform() < 0.5) return `${text}\nnetwork: ${'['.repeat(depth)}${']'.repeat(rng.uniform() < 0.8 ? depth : rng.int(depth))}\n`;
  let block = 'view:\n';
  for (let i = 1; i < Math.min(depth, 400); i++) block += `${' '.repeat(i)}k${i}:\n`;
  return `${text}\n${block}`;
};

export const MUTATIONS: readonly { name: string; weight: number; apply: Mutation }[] = [
  { name: 'byte flip', weight: 6, apply: byteFlip },
  { name: 'line edit', weight: 4, apply: lineEdit },
  { name: 'value swap', weight: 3, apply: valueSwap },
  { name: 'random scalar', weight: 5, apply: randomScalar },
  { name: 'random collection', weight: 3, apply: randomCollection },
  { name: 'strange key', weight: 3, apply: strangeKey },
  { name: 'anchor and alias', weight: 2, apply: anchorAlias },
  { name: 'alias bomb', weight: 0.3, apply: aliasBomb },
  { name: 'deep nesting', weight: 0.3, apply: deepNesting },
];

const TOTAL = MUTATIONS.reduce((s, m) => s + m.weight, 0);

/** One to four weighted mutations (mostly one) of the seed text; returns the text and their names. */
export function mutate(seed: string, rng: Rng): { text: string; applied: string[] } {
  let text = seed;
  const applied: string[] = [];
  // mostly one or two, so that many inputs stay valid specs and reach the later checks
  const u = rng.uniform();
  const n = u < 0.55 ? 1 : u < 0.85 ? 2 : 3 + rng.int(2);
  for (let k = 0; k < n; k++) {
    let r = rng.uniform() * TOTAL;
    const m = MUTATIONS.find((x) => (r -= x.weight) < 0) ?? MUTATIONS[0];
    if (m === undefined) break;
    text = m.apply(text, rng);
    applied.push(m.name);
  }
  return { text, applied };
}
