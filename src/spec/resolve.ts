/**
 * The public entry of the spec layer: YAML text in, validated and fully resolved runs
 * out, or diagnostics that say where and what to write instead.
 */
import type { RunConfig } from '../core/types';
import type { Diagnostic, SpecPath } from './diagnostics';
import { isObject, type Json, type JsonObject } from './json';
import { parseSpecText } from './parse';
import { diagnosticAt, issueDiagnostic } from './report';
import { runDiagnostics } from './run-checks';
import { isTaskKind } from './schema';
import type { RnnSpec } from './types.gen';
import { validate, type SchemaIssue } from './validate';
import { variantDiagnostics, withTaskHint } from './variant-checks';
import { expandSeeds, resolveVariants, seedCount } from './variants';
import { specName } from './names';
import type { SpecSource } from './source-map';

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
  const issues = validate(value);
  for (const issue of issues) diagnostics.push(issueDiagnostic(source, kind !== undefined ? withTaskHint(issue, kind) : issue));
  diagnostics.push(...variantDiagnostics(value, source));
  if (diagnostics.some((d) => d.severity === 'error')) {
    if (!parsed.diagnostics.some((d) => d.severity === 'error')) diagnostics.push(...checksDespiteErrors(value, issues, source));
    return done();
  }
  const spec = asSpec(value);
  const variants = resolveVariants(spec);
  diagnostics.push(...runDiagnostics(value, variants, source));
  return done(spec, expandSeeds(variants, seedCount(spec)));
}

/**
 * "Every problem at once": cross-field checks (an odd cycling batch, the memory limit)
 * still run when some fields are invalid, on a copy without those fields (so their
 * defaults apply). Findings about a removed field are dropped: they would describe a
 * value the user did not write.
 */
function checksDespiteErrors(value: JsonObject, issues: readonly SchemaIssue[], source: SpecSource): Diagnostic[] {
  const repaired = structuredClone(value);
  const removed: SpecPath[] = [];
  for (const issue of issues) {
    if (issue.on === 'map') return []; // a required key is missing: nothing to resolve from
    // a bad list item takes its whole list with it (the default list applies)
    const cut = issue.path.findIndex((seg) => typeof seg === 'number');
    const path = cut > 0 && issue.path[0] !== 'variants' ? issue.path.slice(0, cut) : issue.path;
    if (path.length === 0 || !removeAt(repaired, path)) return [];
    removed.push(path);
  }
  if (validate(repaired).length || variantDiagnostics(repaired, source).some((d) => d.severity === 'error')) return [];
  const variants = resolveVariants(asSpec(repaired));
  const related = (a: SpecPath, b: SpecPath) => a.slice(0, b.length).every((seg, i) => seg === b[i]) || b.slice(0, a.length).every((seg, i) => seg === a[i]);
  return runDiagnostics(repaired, variants, source).filter((d) => !removed.some((p) => related(d.path, p)));
}

function removeAt(root: JsonObject, path: SpecPath): boolean {
  let node: Json | undefined = root;
  for (const seg of path.slice(0, -1)) {
    if (Array.isArray(node) && typeof seg === 'number') node = node[seg];
    else if (isObject(node) && typeof seg === 'string') node = node[seg];
    else return false;
  }
  const last = path[path.length - 1];
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else if (isObject(node) && typeof last === 'string') delete node[last];
  else return false;
  return true;
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
