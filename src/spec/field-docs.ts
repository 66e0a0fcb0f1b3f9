/** Markdown about a field or a task, shared by hover and completion. */
import { TASKS } from '../core/tasks/registry';
import type { TaskKind } from '../core/types';
import { defaultFor, outputScaleColumn, tableCell, type DefaultContext } from './defaults';
import { defaultText, flatten, rangeText, typeText, yamlLiteral } from './describe';
import type { SpecPath } from './diagnostics';
import { formatPath } from './diagnostics';
import { isObject, own, type Json } from './json';
import { definition, descriptionOf, specKind, taskParamNames, taskSchema, type JsonSchema } from './schema';

function networkField<T>(network: Json | undefined, key: string, ok: (v: Json) => v is T & Json): T | undefined {
  const v = isObject(network) ? own(network, key) : undefined;
  return v !== undefined && ok(v) ? v : undefined;
}

const isScale = (v: Json): v is 'small' | 'large' | number => v === 'small' || v === 'large' || (typeof v === 'number' && v > 0);
const isNumber = (v: Json): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * What by-task defaults depend on, read from a possibly partial document: the task kind
 * and, for a path inside a variant, the variant's network over the top-level one.
 */
export function defaultContext(value: Json | undefined, path: SpecPath): DefaultContext | undefined {
  const kind = specKind(value);
  if (kind === undefined || !isObject(value)) return undefined;
  const net = definition('network').properties ?? {};
  const layers: (Json | undefined)[] = [value.network];
  if (path[0] === 'variants' && typeof path[1] === 'number' && Array.isArray(value.variants)) {
    const v = value.variants[path[1]];
    if (isObject(v)) layers.push(v.network);
  }
  const pick = <T,>(key: string, ok: (v: Json) => v is T & Json): T => {
    let found: T | undefined;
    for (const l of layers) found = networkField(l, key, ok) ?? found;
    return found ?? (flatten(net[key] ?? {}).default as T);
  };
  return { kind, output_scale: pick('output_scale', isScale), g: pick('g', isNumber) };
}

function defaultLine(schema: JsonSchema, ctx: DefaultContext | undefined): string | undefined {
  const text = defaultText(schema);
  if (text === undefined) return undefined;
  if (text !== 'by task') return `Default: \`${text}\``;
  if (ctx === undefined) return 'Default: by task (see above)';
  const d = defaultFor(schema, ctx);
  if (d === undefined) return 'Default: by task (see above)';
  const table = flatten(schema)['x-default-by-task'];
  const entry = isObject(table) ? table[ctx.kind] : undefined;
  const cell = isObject(entry) ? tableCell(entry, ctx) : undefined;
  const detail = isObject(entry) ? `${ctx.kind}, ${outputScaleColumn(ctx.output_scale)} output, g column ${cell?.g ?? '?'}` : ctx.kind;
  return `Default here: \`${yamlLiteral(d)}\` (${detail})`;
}

/** Hover text for a field: name and type, its description, default and range. */
export function fieldMarkdown(path: SpecPath, schema: JsonSchema, ctx: DefaultContext | undefined): string {
  const parts = [`**\`${formatPath(path)}\`** · \`${typeText(schema)}\``];
  const d = descriptionOf(schema).markdown;
  if (d !== undefined) parts.push(d);
  const facts = [defaultLine(schema, ctx), rangeText(schema) !== '' ? `Range: ${rangeText(schema)}` : undefined].filter((x) => x !== undefined);
  if (facts.length > 0) parts.push(facts.join(' · '));
  return parts.join('\n\n');
}

/** Hover text for a task kind: the registry's title, description and citation, and its parameters with defaults. */
export function taskMarkdown(kind: TaskKind): string {
  const def = TASKS[kind];
  const props = taskSchema(kind).properties ?? {};
  const params = taskParamNames(kind).map((k) => {
    const d = props[k] === undefined ? undefined : defaultText(props[k]);
    return `\`${k}\`${d !== undefined ? ` = ${d}` : ''}`;
  });
  return [`**${def.title}** (\`${kind}\`)`, def.description, `*Source:* ${def.citation}`, `Parameters: ${params.join(', ')}`].join('\n\n');
}
