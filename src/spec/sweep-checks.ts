/**
 * Checks of a spec's `sweep` that the schema cannot express: every key must name a field
 * that can be swept, every value must be one that field accepts (checked against the
 * field's own schema, so the messages are the field's), a swept field must not also be
 * set where the sweep would silently replace it, and the grid must stay a sane size.
 */
import type { RunConfig } from '../core/types';
import type { Diagnostic, SpecPath } from './diagnostics';
import { formatPath } from './diagnostics';
import { isObject, type JsonObject } from './json';
import { diagnosticAt } from './report';
import { SCHEMA, specKind } from './schema';
import type { SpecSource } from './source-map';
import { gridSize, isSweepField, MANY_RUNS, MAX_RUNS, sweepEntries, sweepField } from './sweep';
import { validate, type SchemaIssue } from './validate';
import { valueAt } from './schema-walk';

/** Unknown or unsweepable keys (at the key) and values their field refuses (at the value). */
export function sweepIssues(value: JsonObject): SchemaIssue[] {
  const kind = specKind(value);
  const out: SchemaIssue[] = [];
  for (const [key, values] of sweepEntries(value)) {
    const f = sweepField(key, kind);
    if (f === undefined) continue; // a task parameter before the task has a kind: the kind's own error says enough
    if (!isSweepField(f)) {
      out.push({ path: ['sweep', key], on: 'key', code: f.code === 'not-sweepable' ? 'not-sweepable' : 'unknown-key', message: f.message });
      continue;
    }
    values.forEach((v, i) => out.push(...validate(v, f.schema, SCHEMA, ['sweep', key, i])));
  }
  return out;
}

/** How many runs a spec makes: variants x grid points x seeds. */
export function runCount(value: JsonObject): { runs: number; variants: number; points: number; seeds: number } {
  const variants = Array.isArray(value.variants) && value.variants.length > 0 ? value.variants.length : 1;
  const seeds = typeof value.seeds === 'number' && value.seeds >= 1 ? value.seeds : 1;
  const points = gridSize(value);
  return { runs: variants * points * seeds, variants, points, seeds };
}

/**
 * A swept field also written in a variant is an error (the variant would not get the
 * value it asks for); written at the top level, a warning (it is just replaced). A grid
 * of more than MAX_RUNS runs is refused, one of more than MANY_RUNS gets a warning.
 */
export function sweepDiagnostics(value: JsonObject, source: SpecSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const kind = specKind(value);
  const variants = Array.isArray(value.variants) ? value.variants : [];
  for (const [key] of sweepEntries(value)) {
    const f = sweepField(key, kind);
    if (!isSweepField(f)) continue;
    const where = `sweep.${key} (line ${source.lineNumber(source.span(['sweep', key], 'key').start)})`;
    const top: SpecPath = [f.section, f.field];
    if (valueAt(value, top) !== undefined) {
      out.push(diagnosticAt(source, top, 'key', 'sweep-conflict',
        `${formatPath(top)} is swept by ${where}, so this value is not used by any run. Remove it, or remove ${key} from the sweep.`, 'warning'));
    }
    variants.forEach((v, i) => {
      const path: SpecPath = ['variants', i, f.section, f.field];
      if (!isObject(v) || valueAt(value, path) === undefined) return;
      out.push(diagnosticAt(source, path, 'key', 'sweep-conflict',
        `${formatPath(path)} is also swept by ${where}: every run of this variant would take ${f.field} from the sweep instead. Remove ${f.field} from the variant, or ${key} from the sweep.`));
    });
  }
  if (sweepEntries(value).length > 0) {
    const n = runCount(value);
    const what = `${n.runs.toLocaleString('en')} runs (${n.variants} variant${n.variants === 1 ? '' : 's'} × ${n.points.toLocaleString('en')} grid point${n.points === 1 ? '' : 's'} × ${n.seeds} seed${n.seeds === 1 ? '' : 's'})`;
    if (n.runs > MAX_RUNS) {
      out.push(diagnosticAt(source, ['sweep'], 'key', 'sweep-size', `This sweep makes ${what}, more than the ${MAX_RUNS.toLocaleString('en')} a spec may have. Shorten its lists, or split the study into several specs.`));
    } else if (n.runs > MANY_RUNS) {
      out.push(diagnosticAt(source, ['sweep'], 'key', 'sweep-size', `This sweep makes ${what}. Check the cost first with rnnlab plan; a cluster (rnnlab submit --slurm) is the place for it.`, 'warning'));
    }
  }
  return out;
}

/** Two runs whose names (and so run folders) coincide, e.g. after a long name was cut short. */
export function duplicateRuns(runs: readonly RunConfig[], source: SpecSource): Diagnostic[] {
  const seen = new Map<string, RunConfig>();
  for (const r of runs) {
    const first = seen.get(r.name);
    if (first === undefined) {
      seen.set(r.name, r);
      continue;
    }
    const at = (x: RunConfig) => JSON.stringify(x.coordinates ?? {});
    return [diagnosticAt(source, ['sweep'], 'key', 'duplicate-run',
      `Two runs of this sweep get the same name ${r.name} (variant ${first.variant} at ${at(first)} and variant ${r.variant} at ${at(r)}), so one would overwrite the other's folder. Shorten the variant names or the swept values.`)];
  }
  return [];
}
