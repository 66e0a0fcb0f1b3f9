/**
 * The public entry of the spec layer: YAML text in, validated and fully resolved runs
 * out, or diagnostics that say where and what to write instead.
 */
import type { RunConfig } from '../core/types';
import type { Diagnostic } from './diagnostics';
import { isObject, type Json, type JsonObject } from './json';
import { parseSpecText } from './parse';
import { diagnosticAt, issueDiagnostic } from './report';
import { runDiagnostics } from './run-checks';
import { isTaskKind } from './schema';
import type { RnnSpec } from './types.gen';
import { validate } from './validate';
import { variantDiagnostics, withTaskHint } from './variant-checks';
import { expandSeeds, resolveVariants, seedCount } from './variants';
import { specName } from './names';

export { specName };
export { resolveRuns } from './variants';

export interface LoadedSpec {
  /** Every run of the spec; empty when any diagnostic is an error. */
  runs: RunConfig[];
  diagnostics: Diagnostic[];
  /** Filesystem-safe name of the spec (its name:, else the file name), for the run store. */
  name: string;
  /** The spec as written, once the text is a valid spec; its runs may still be refused (task constraints, memory). */
  spec?: RnnSpec;
}

const START = 'Start with a line task: { kind: cycling } (or flipflop, mante, romo, complex_sine, sine).';

export function loadSpec(text: string, fileName?: string): LoadedSpec {
  const parsed = parseSpecText(text);
  const { source, value } = parsed;
  const diagnostics = [...parsed.diagnostics];
  const done = (spec?: RnnSpec, runs: RunConfig[] = []): LoadedSpec => ({
    runs: diagnostics.some((d) => d.severity === 'error') ? [] : runs,
    diagnostics: sortDiagnostics(diagnostics),
    name: specName(spec ?? nameOnly(value), fileName),
    ...(spec !== undefined ? { spec } : {}),
  });
  if (value === undefined) return done();
  if (!isObject(value)) {
    const message = value === null ? `The spec is empty. ${START}` : `A spec is a mapping of keys such as task:, network:, training:, not ${Array.isArray(value) ? 'a list' : 'a single value'}. ${START}`;
    diagnostics.push(diagnosticAt(source, [], 'map', 'not-a-mapping', message));
    return done();
  }
  const task = value.task;
  const kind = isObject(task) && isTaskKind(task.kind) ? task.kind : undefined;
  for (const issue of validate(value)) diagnostics.push(issueDiagnostic(source, kind !== undefined ? withTaskHint(issue, kind) : issue));
  diagnostics.push(...variantDiagnostics(value, source));
  if (diagnostics.some((d) => d.severity === 'error')) return done();
  const spec = asSpec(value);
  const variants = resolveVariants(spec);
  diagnostics.push(...runDiagnostics(value, variants, source));
  return done(spec, expandSeeds(variants, seedCount(spec)));
}

/** The name survives other errors, so a run folder keeps its name while the spec is being fixed. */
function nameOnly(value: Json | undefined): { name: string } | undefined {
  return isObject(value) && typeof value.name === 'string' ? { name: value.name } : undefined;
}

/** The value passed the schema, which is what RnnSpec is generated from. */
function asSpec(value: JsonObject): RnnSpec {
  return value as unknown as RnnSpec;
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.column - b.column);
}
