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
import { specKind, TASK_KINDS } from './schema';
import { valueAt } from './schema-walk';
import type { RnnSpec } from './types.gen';
import { validate, type SchemaIssue } from './validate';
import { variantDiagnostics, withTaskHint } from './variant-checks';
import { duplicateRuns, sweepDiagnostics, sweepIssues } from './sweep-checks';
import { expandSeeds, resolveVariants, seedCount } from './variants';
import { specFileStem, specName, slug } from '../store/names';
import type { SpecSource } from './source-map';
import { at } from '../core/checked';

export { specName };

export interface LoadedSpec {
  /** Every run of the spec; empty when any diagnostic is an error. */
  runs: RunConfig[];
  diagnostics: Diagnostic[];
  /** Filesystem-safe name of the spec (its name: and file name), for the run store. */
  name: string;
  /** The spec as people name it, for panel titles: its name: as written, with the file name when that differs. */
  title: string;
  /** The spec as written, once the text is a valid spec; its runs may still be refused (task constraints, memory). */
  spec?: RnnSpec;
}

const START = `Start with a line task: { kind: ${TASK_KINDS[0]} } (or ${TASK_KINDS.slice(1).join(', ')}).`;

/** At most this many diagnostics are reported; one more says how many were left out. */
export const MAX_DIAGNOSTICS = 100;

/**
 * Never throws: the editor calls this on every keystroke (diagnostics, CodeLens, hover)
 * and the CLI on every file, so a bug in a check becomes a diagnostic on line 1 that
 * says so, not a stack trace in the extension host or the terminal.
 */
export function loadSpec(text: string, fileName?: string): LoadedSpec {
  try {
    return loadChecked(text, fileName);
  } catch (err) {
    const message = `RNN Lab could not check this spec: ${err instanceof Error ? err.message : String(err)}. This is a bug in RNN Lab; please report it with the spec.`;
    return { runs: [], diagnostics: [{ line: 0, column: 0, endLine: 0, endColumn: 0, severity: 'error', message, code: 'internal-error', path: [] }], name: specName(undefined, fileName), title: specTitle(undefined, fileName) };
  }
}

function loadChecked(text: string, fileName?: string): LoadedSpec {
  const parsed = parseSpecText(text);
  const { source, value } = parsed;
  const diagnostics = [...parsed.diagnostics];
  const done = (spec?: RnnSpec, runs: RunConfig[] = []): LoadedSpec => ({
    runs: diagnostics.some((d) => d.severity === 'error') ? [] : runs,
    diagnostics: capped(sortDiagnostics(diagnostics)),
    name: specName(nameOnly(value), fileName),
    title: specTitle(nameOnly(value), fileName),
    ...(spec !== undefined ? { spec } : {}),
  });
  if (value === undefined) return done();
  if (!isObject(value)) {
    const message = value === null ? `The spec is empty. ${START}` : `A spec is a mapping of keys such as task:, network:, training:, not ${Array.isArray(value) ? 'a list' : 'a single value'}. ${START}`;
    diagnostics.push(diagnosticAt(source, [], 'map', 'not-a-mapping', message));
    return done();
  }
  const kind = specKind(value);
  const issues = [...validate(value), ...sweepIssues(value)];
  for (const issue of issues) diagnostics.push(issueDiagnostic(source, kind !== undefined ? withTaskHint(issue, kind) : issue));
  diagnostics.push(...variantDiagnostics(value, source), ...sweepDiagnostics(value, source));
  if (diagnostics.some((d) => d.severity === 'error')) {
    if (!parsed.diagnostics.some((d) => d.severity === 'error')) diagnostics.push(...checksDespiteErrors(value, issues, source));
    return done();
  }
  const spec = asSpec(value);
  const variants = resolveVariants(spec);
  diagnostics.push(...runDiagnostics(value, variants, source));
  const runs = expandSeeds(variants, seedCount(spec));
  diagnostics.push(...duplicateRuns(runs, source));
  return done(spec, runs);
}

const startsWith = (path: SpecPath, prefix: SpecPath): boolean => prefix.length <= path.length && prefix.every((seg, i) => seg === path[i]);

/**
 * "Every problem at once": cross-field checks (an odd cycling batch, the memory limit)
 * still run when some fields are invalid, on a copy without those fields (so their
 * defaults apply). A bad list item takes its whole list with it (the default list
 * applies), except in variants: a variant that is itself bad (not a mapping, no valid name) is
 * left out of the checks, and the others keep their indices. Findings about a removed
 * field are dropped, and so is the memory limit whenever a field was removed: it depends
 * on nearly every field, and the defaults standing in would be values the user did not write.
 */
function checksDespiteErrors(value: JsonObject, issues: readonly SchemaIssue[], source: SpecSource): Diagnostic[] {
  const repaired = structuredClone(value);
  const removed: SpecPath[] = [];
  const skipped = new Set<number>();
  for (const issue of issues) {
    const variant = issue.path[0] === 'variants' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
    if (variant !== undefined && (issue.path.length === 2 || issue.path[2] === 'name')) {
      skipped.add(variant);
      continue;
    }
    if (issue.on === 'map') return []; // a required key is missing: nothing to resolve from
    const cut = issue.path.findIndex((seg, i) => typeof seg === 'number' && i >= (variant !== undefined ? 2 : 0));
    const path = cut >= 0 ? issue.path.slice(0, cut) : issue.path;
    if (removed.some((p) => startsWith(path, p))) continue; // already gone with an enclosing field
    if (path.length === 0 || !removeAt(repaired, path)) return [];
    removed.push(path);
  }
  // the kept variants, checked and resolved on their own, then given back their indices
  const kept = Array.isArray(repaired.variants) ? repaired.variants.flatMap((v, i) => (skipped.has(i) ? [] : [{ v, i }])) : [];
  const checked: JsonObject = skipped.size === 0 ? repaired : { ...repaired, variants: kept.map(({ v }) => v) };
  if (validate(checked).length || sweepIssues(checked).length) return [];
  if ([...variantDiagnostics(checked, source), ...sweepDiagnostics(checked, source)].some((d) => d.severity === 'error')) return [];
  const variants = resolveVariants(asSpec(checked)).map((v) => (v.index === undefined ? v : { ...v, index: at(kept, v.index).i }));
  const related = (a: SpecPath, b: SpecPath) => startsWith(a, b) || startsWith(b, a);
  return runDiagnostics(repaired, variants, source).filter(
    (d) => !removed.some((p) => related(d.path, p)) && !(d.code === 'memory-limit' && removed.length > 0),
  );
}

/** Deletes the key at path (never a list item: that would shift the indices after it). */
function removeAt(root: JsonObject, path: SpecPath): boolean {
  const parent = valueAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!isObject(parent) || typeof last !== 'string') return false;
  delete parent[last];
  return true;
}

/**
 * `cycling` for name: cycling in cycling.rnn.yaml, `cycling (copy.rnn.yaml)` in
 * copy.rnn.yaml: two specs with one name: get two titles. Without a name, the file's stem.
 */
export function specTitle(spec: { name?: string } | undefined, fileName?: string): string {
  const name = spec?.name?.trim() ?? '';
  const stem = specFileStem(fileName);
  if (name === '') return stem === '' ? 'spec' : stem;
  const file = fileName?.split(/[\\/]/).pop() ?? '';
  return stem === '' || slug(name) === slug(stem) ? name : `${name} (${file})`;
}

/** The name survives other errors, so a run folder keeps its name while the spec is being fixed. */
function nameOnly(value: Json | undefined): { name: string } | undefined {
  return isObject(value) && typeof value.name === 'string' ? { name: value.name } : undefined;
}

/** The value passed the schema, which is what RnnSpec is generated from. */
function asSpec(value: JsonObject): RnnSpec {
  return value as unknown as RnnSpec;
}

/** The first MAX_DIAGNOSTICS by position, and a last one at the next problem saying how many more there are. */
function capped(ds: Diagnostic[]): Diagnostic[] {
  const next = ds[MAX_DIAGNOSTICS];
  if (next === undefined) return ds;
  const rest = ds.slice(MAX_DIAGNOSTICS);
  const errors = rest.filter((d) => d.severity === 'error').length;
  const more = rest.length === 1 ? '1 more problem' : `${rest.length.toLocaleString('en')} more problems`;
  const message = `…and ${more} from here on (${errors.toLocaleString('en')} of them errors), not listed: only the first ${MAX_DIAGNOSTICS} are shown. Fix those first, or check that this file is a spec.`;
  // at the next problem's place, but none of its fix: it stands for all of them
  const { line, column, endLine, endColumn } = next;
  return [...ds.slice(0, MAX_DIAGNOSTICS), { line, column, endLine, endColumn, severity: errors > 0 ? 'error' : next.severity, message, code: 'too-many-problems', path: [] }];
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.column - b.column);
}
