/**
 * Checks on variants that the schema cannot express: a variant's task parameters must be
 * those of the spec's task kind (written once at the top), the kind cannot change, and
 * names must give distinct run folders.
 */
import type { TaskKind } from '../core/types';
import type { Diagnostic } from './diagnostics';
import { formatPath } from './diagnostics';
import { isObject, type Json, type JsonObject } from './json';
import { slug } from '../store/names';
import { diagnosticAt, issueDiagnostic } from './report';
import { isTaskKind, SCHEMA, specKind, TASK_KINDS, taskParamNames, taskSchema } from './schema';
import type { SpecSource } from './source-map';
import { validate, type SchemaIssue } from './validate';

export function variantDiagnostics(value: JsonObject, source: SpecSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const variants = Array.isArray(value.variants) ? value.variants : [];
  const kind = specKind(value);
  variants.forEach((v, i) => {
    if (!isObject(v) || !isObject(v.task) || kind === undefined) return;
    const own = v.task.kind;
    // A kind written in the variant makes the schema itself check the variant's task
    // against that kind's parameters (and report a kind that is no task kind at all).
    if (own !== undefined) {
      if (isTaskKind(own) && own !== kind) {
        const path = ['variants', i, 'task', 'kind'];
        out.push(diagnosticAt(source, path, 'value', 'variant-kind-change',
          `${formatPath(path)} is ${JSON.stringify(own)}, but the spec's task is ${kind}: a variant cannot change the task, since all runs of a spec share one evaluation batch. Remove this kind, or write another spec file for ${JSON.stringify(own)}.`));
      }
      return;
    }
    const issues = validate({ ...v.task, kind }, taskSchema(kind), SCHEMA, ['variants', i, 'task']);
    for (const issue of issues) out.push(issueDiagnostic(source, withTaskHint(issue, kind)));
  });
  out.push(...duplicateNames(variants, source));
  return out;
}

/** An unknown task key that belongs to another kind says so, since that is the usual mistake. */
export function withTaskHint(issue: SchemaIssue, kind: TaskKind): SchemaIssue {
  const key = issue.path[issue.path.length - 1];
  if (issue.code !== 'unknown-key' || typeof key !== 'string' || issue.path[issue.path.length - 2] !== 'task') return issue;
  const owners = TASK_KINDS.filter((k) => k !== kind && taskParamNames(k).includes(key));
  if (owners.length === 0) return issue;
  return { ...issue, message: `${issue.message} (${key} is a parameter of ${owners.join(', ')}, not of ${kind}.)` };
}

function duplicateNames(variants: Json[], source: SpecSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, { name: string; index: number }>();
  variants.forEach((v, i) => {
    if (!isObject(v) || typeof v.name !== 'string' || v.name === '') return;
    const key = slug(v.name);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, { name: v.name, index: i });
      return;
    }
    const same = first.name === v.name;
    const firstLine = source.lineNumber(source.span(['variants', first.index, 'name'], 'value').start);
    out.push(diagnosticAt(source, ['variants', i, 'name'], 'value', 'duplicate-variant',
      same
        ? `Variant name ${JSON.stringify(v.name)} is already used on line ${firstLine}; variant names must be unique. Rename this one.`
        : `Variant name ${JSON.stringify(v.name)} gives the same run folder (${key}) as ${JSON.stringify(first.name)} on line ${firstLine}; names must differ in more than case and punctuation. Rename this one.`));
  });
  return out;
}
