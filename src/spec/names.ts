/** Names of a spec's runs (their folder names follow src/store/names.ts). */
import type { RunConfig } from '../core/types';

/** The variants of these runs, each once, in the order of their first run. */
export function variantNames(runs: readonly RunConfig[]): string[] {
  return [...new Set(runs.map((r) => r.variant))];
}
