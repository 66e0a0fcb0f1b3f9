/**
 * Defaults: the schema's `default`s, and the paper's hyper-parameter table for fields
 * whose default depends on the task (training.steps, training.lr0, noise.state). The
 * table lives in the schema as `x-default-by-task`, next to the field it belongs to.
 */
import type { TaskKind } from '../core/types';
import { flatten } from './describe';
import { isObject, own, type Json, type JsonObject } from './json';
import type { JsonSchema } from './schema';

/** What a by-task default may depend on besides the task. */
export interface DefaultContext {
  kind: TaskKind;
  output_scale: 'small' | 'large' | number;
  g: number;
}

/**
 * The paper's table has columns for "small" and "large" output weights only; a numeric
 * sigma_out is nearer to large (sigma_out = 1) than to small (1/sqrt(N)) from 0.5 up.
 */
export function outputScaleColumn(scale: 'small' | 'large' | number): 'small' | 'large' {
  if (typeof scale === 'number') return scale >= 0.5 ? 'large' : 'small';
  return scale;
}

/** The nearest of the table's g columns (0.7, 1.5); a tie goes to the larger, the paper's main setting. */
function gColumn(g: number, columns: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of columns) {
    const d = Math.abs(Number(c) - g);
    if (d < bestD || (d === bestD && best !== undefined && Number(c) > Number(best))) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** The default of a field in a given context, or undefined when the schema gives none. */
export function defaultFor(schema: JsonSchema, ctx: DefaultContext): Json | undefined {
  const s = flatten(schema);
  const table = s['x-default-by-task'];
  const entry = isObject(table) ? own(table, ctx.kind) : undefined;
  if (entry !== undefined) return lookupByTask(entry, ctx);
  return s.default ?? s.const;
}

function lookupByTask(entry: Json, ctx: DefaultContext): Json | undefined {
  if (!isObject(entry)) return entry;
  const cell = tableCell(entry, ctx);
  return cell === undefined ? undefined : cell.value;
}

/** The cell of a task's table (output-scale column, then g column) that applies in ctx. */
export function tableCell(entry: JsonObject, ctx: DefaultContext): { scale: 'small' | 'large'; g: string; value: Json } | undefined {
  const scale = outputScaleColumn(ctx.output_scale);
  const byScale = entry[scale];
  if (!isObject(byScale)) return undefined;
  const g = gColumn(ctx.g, Object.keys(byScale));
  const value = g === undefined ? undefined : byScale[g];
  return g === undefined || value === undefined ? undefined : { scale, g, value };
}

/**
 * Merges the given layers (later ones win, absent keys fall through) and fills every
 * property the schema knows with its default. A property without any default is a bug
 * in the schema, not in the spec, hence the throw.
 */
export function completeObject(schema: JsonSchema, ctx: DefaultContext, ...layers: (object | undefined)[]): Record<string, Json> {
  // a Map, so that no key of a layer (they were validated, but this is the last line) can reach a prototype
  const merged = new Map<string, Json>();
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) merged.set(k, v as Json);
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of merged) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, sub] of Object.entries(flatten(schema).properties ?? {})) {
    if (merged.get(k) !== undefined) continue;
    const d = defaultFor(sub, ctx);
    if (d === undefined) throw new Error(`the schema gives no default for ${k}`);
    out[k] = structuredClone(d);
  }
  return out;
}
