/**
 * Which runs of a spec a command works on: all of them, the named variants, the named
 * run ids, and of those one shard. The selection depends only on the spec and the
 * arguments, so every process given `--shard i/n` agrees on what shard i is.
 */
import type { RunConfig } from '../core/types';
import { variantNames } from '../spec/names';
import { closest } from '../spec/suggest';
import { UsageError } from './args';

/** Shard `index` of `count`, 1-based as written: `--shard 1/4` ... `--shard 4/4`. */
export interface Shard {
  index: number;
  count: number;
}

export interface RunSelection {
  variants: readonly string[];
  ids: readonly string[];
  shard?: Shard;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || !(count >= 1) || !(index >= 1) || index > count) {
    throw new UsageError(`--shard takes I/N with 1 <= I <= N (e.g. --shard 2/4: the second of four shards), not "${text}".`);
  }
  return { index, count };
}

/**
 * Every n-th run, round robin over the spec's order: shards of an N sweep then get a
 * mix of sizes, so they take about as long as each other.
 */
export function shardOf<T>(runs: readonly T[], shard: Shard): T[] {
  return runs.filter((_, i) => i % shard.count === shard.index - 1);
}

export function selectRuns(all: readonly RunConfig[], sel: RunSelection, specFile: string): RunConfig[] {
  let runs = [...all];
  if (sel.variants.length > 0) {
    const known = variantNames(all);
    const missing = sel.variants.filter((v) => !known.includes(v));
    if (missing.length) throw new UsageError(`no variant ${missing.join(', ')} in ${specFile}; it has ${known.join(', ')}.`);
    runs = runs.filter((r) => sel.variants.includes(r.variant));
  }
  if (sel.ids.length > 0) {
    const names = all.map((r) => r.name);
    const unknown = sel.ids.filter((id) => !names.includes(id));
    if (unknown.length) {
      const guesses = unknown.map((id) => closest(id, names)).filter((g): g is string => g !== undefined);
      throw new UsageError(
        `no run ${unknown.join(', ')} in ${specFile}${guesses.length ? ` (did you mean ${guesses.join(', ')}?)` : ''}; \`rnnlab plan ${specFile}\` lists its run ids.`,
      );
    }
    runs = runs.filter((r) => sel.ids.includes(r.name));
  }
  return sel.shard !== undefined ? shardOf(runs, sel.shard) : runs;
}
