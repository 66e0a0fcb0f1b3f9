/**
 * Checks on resolved variants, i.e. after merging and defaults: what the task itself
 * refuses (registry checkTask, e.g. an odd batch for cycling), and runs whose
 * backprop-through-time memory would not fit. A problem is reported at the written value
 * that causes it: the one whose default would make the problem go away.
 */
import { estimateRunBytes, TRAINING_BYTES_LIMIT } from '../core/memory';
import { checkTask, taskSteps } from '../core/tasks/registry';
import { defaultFor } from './defaults';
import type { Diagnostic, DiagnosticCode, Severity, SpecFix, SpecPath } from './diagnostics';
import { formatPath } from './diagnostics';
import { yamlLiteral } from './describe';
import { own, type Json, type JsonObject } from './json';
import { diagnosticAt } from './report';
import { definition, taskSchema, type JsonSchema } from './schema';
import { valueAt } from './schema-walk';
import type { SpecSource } from './source-map';
import type { ResolvedVariant } from './variants';
import { at } from '../core/checked';

type VariantConfig = ResolvedVariant['config'];
type Section = 'task' | 'network' | 'noise' | 'training' | 'evaluation';
/** A field of a run's config, e.g. ['training', 'batch']. */
type Field = readonly [Section, string];

const MB = 1024 * 1024;

interface Problem {
  path: SpecPath;
  code: DiagnosticCode;
  message: string;
  severity: Severity;
  variant: string | undefined;
  /** a value for the field at path that makes this problem go away (checked, not guessed) */
  fix?: SpecFix;
}

function has(value: Json | undefined, path: SpecPath): boolean {
  return valueAt(value, path) !== undefined;
}

/** Where a field of a variant's run was written: in the sweep, else in the variant, else at the top level, else nowhere. */
function origin(value: JsonObject, v: ResolvedVariant, field: Field): SpecPath | undefined {
  const swept = v.point.find((c) => c.key === field.join('.'));
  if (swept !== undefined) return ['sweep', swept.key, swept.index];
  if (v.index !== undefined && has(value, ['variants', v.index, ...field])) return ['variants', v.index, ...field];
  if (has(value, field)) return [...field];
  return undefined;
}

function fieldSchema(c: VariantConfig, [section, key]: Field): JsonSchema | undefined {
  const s = section === 'task' ? taskSchema(c.task.kind) : definition(section);
  return own(s.properties, key);
}

function fieldDefault(c: VariantConfig, field: Field): Json | undefined {
  const s = fieldSchema(c, field);
  return s === undefined ? undefined : defaultFor(s, { kind: c.task.kind, output_scale: c.network.output_scale, g: c.network.g });
}

function withField(c: VariantConfig, [section, key]: Field, v: Json): VariantConfig {
  const copy = structuredClone(c);
  (copy[section] as unknown as Record<string, Json>)[key] = v;
  return copy;
}

/**
 * The written field to blame for a problem: the one the message says to change ("write
 * f_max >= 2"), else the first whose default makes `fails` false, with that default.
 */
function blame(value: JsonObject, v: ResolvedVariant, candidates: readonly Field[], fails: (c: VariantConfig) => boolean, message = ''): { field: Field; fix?: Json } | undefined {
  const named = namedFields(message, candidates).find((f) => origin(value, v, f) !== undefined);
  if (named !== undefined) return { field: named };
  for (const field of candidates) {
    if (origin(value, v, field) === undefined) continue;
    const d = fieldDefault(v.config, field);
    if (d !== undefined && !fails(withField(v.config, field, d))) return { field, fix: d };
  }
  return undefined;
}

/** The candidates a message names after its "write", in the order it names them. */
function namedFields(message: string, candidates: readonly Field[]): Field[] {
  const m = /\bwrite\b(.*)$/is.exec(message);
  if (m === null) return [];
  const out: Field[] = [];
  for (const word of at(m, 1).match(/[A-Za-z_]\w*/g) ?? []) {
    const f = candidates.find(([, key]) => key === word);
    if (f !== undefined && !out.includes(f)) out.push(f);
  }
  return out;
}

function taskFields(c: VariantConfig): Field[] {
  return Object.keys(c.task).filter((k) => k !== 'kind').map((k): Field => ['task', k]);
}

/** Where to report when no single written value is to blame: the first written candidate, the variant, or the task. */
function fallbackPath(value: JsonObject, v: ResolvedVariant, candidates: readonly Field[]): SpecPath {
  for (const f of candidates) {
    const o = origin(value, v, f);
    if (o !== undefined) return o;
  }
  return v.index !== undefined ? ['variants', v.index] : ['task'];
}

function taskProblem(c: VariantConfig, batch: number): string | undefined {
  try {
    return checkTask(c.task, batch, c.network.dt);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The largest value in [lo, hi] for which ok holds, assuming ok is monotone (true up to some point). */
function largest(lo: number, hi: number, ok: (x: number) => boolean): number | undefined {
  if (!ok(lo)) return undefined;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The number a task's message tells the user to write for `key` ("...; write batch: 34."), if any. */
function suggestedValue(message: string, key: string): number | undefined {
  for (const m of message.matchAll(/\bwrite ([A-Za-z_]\w*): (-?[\d.]+(?:e[+-]?\d+)?)(?![\w.]*\s*(?:or|and)\b)/gi)) {
    const x = Number(at(m, 2).replace(/\.$/, ''));
    if (m[1] === key && Number.isFinite(x)) return x;
  }
  return undefined;
}

/** A Quick Fix writing x, offered only if `works` confirms that x resolves the problem. */
function checkedFix(x: Json | undefined, works: (x: Json) => boolean, why: string): SpecFix | undefined {
  return x !== undefined && works(x) ? { title: `Change to ${yamlLiteral(x)}${why}`, text: yamlLiteral(x) } : undefined;
}

/** A working value to write, unless the task's message already names one. */
function fixHint(message: string, field: Field, fix: Json | undefined): string {
  return fix === undefined || /\bwrite\b/i.test(message) ? '' : ` ${field[1]}: ${yamlLiteral(fix)} would work.`;
}

function checkVariant(value: JsonObject, v: ResolvedVariant): Problem[] {
  const problems: Problem[] = [];
  const c = v.config;
  const variant = v.index === undefined ? undefined : v.name;
  const trainFields: Field[] = [['training', 'batch'], ['network', 'dt'], ...taskFields(c)];
  const trainFails = (x: VariantConfig) => taskProblem(x, x.training.batch) !== undefined;
  const trainProblem = taskProblem(c, c.training.batch);
  const b = trainProblem === undefined ? undefined : blame(value, v, trainFields, trainFails, trainProblem);
  if (trainProblem !== undefined) {
    const path = (b !== undefined ? origin(value, v, b.field) : undefined) ?? fallbackPath(value, v, trainFields);
    const suggested = b === undefined ? undefined : suggestedValue(trainProblem, b.field[1]);
    const fix = b === undefined ? undefined
      : checkedFix(suggested ?? b.fix, (x) => !trainFails(withField(c, b.field, x)), suggested === undefined ? ', the default' : '');
    problems.push({ path, code: 'task-constraint', severity: 'error', variant, message: `${trainProblem}${b !== undefined ? fixHint(trainProblem, b.field, b.fix) : ''}`, ...(fix ? { fix } : {}) });
  }
  const evalProblem = taskProblem(c, c.evaluation.batch);
  // When the task's parameters are at fault, the evaluation batch fails for the same reason.
  const batchAtFault = trainProblem === undefined || (b !== undefined && b.field[1] === 'batch');
  if (evalProblem !== undefined && batchAtFault) {
    const path = origin(value, v, ['evaluation', 'batch']) ?? fallbackPath(value, v, trainFields);
    const d = fieldDefault(c, ['evaluation', 'batch']);
    const works = d !== undefined && taskProblem(c, Number(d)) === undefined;
    const written = origin(value, v, ['evaluation', 'batch']) !== undefined;
    const suggested = suggestedValue(evalProblem, 'batch');
    const fix = written ? checkedFix(suggested ?? d, (x) => typeof x === 'number' && taskProblem(c, x) === undefined, suggested === undefined ? ', the default' : '') : undefined;
    problems.push({ path, code: 'task-constraint', severity: 'error', variant, message: `evaluation.batch: ${evalProblem}${works ? fixHint(evalProblem, ['evaluation', 'batch'], d) : ''}`, ...(fix ? { fix } : {}) });
  }
  if (trainProblem === undefined) {
    const p = memoryProblem(value, v);
    if (p !== undefined) problems.push(p);
    const t = graceProblem(value, v);
    if (t !== undefined) problems.push(t);
  }
  return problems;
}

/**
 * evaluation.t_min at or past the end of the trial leaves no state to measure; the core
 * then measures the last step alone. A warning, like view.trials: the run still works.
 */
function graceProblem(value: JsonObject, v: ResolvedVariant): Problem | undefined {
  const c = v.config;
  const dt = c.network.dt;
  const steps = taskSteps(c.task, dt);
  const k = Math.round(c.evaluation.t_min / dt);
  if (k < steps) return undefined;
  // the largest t_min that still leaves a state: round(t_min / dt) = steps - 1
  let most = Number(((steps - 1) * dt).toPrecision(6));
  if (Math.round(most / dt) > steps - 1) most = (steps - 1) * dt;
  const written = origin(value, v, ['evaluation', 't_min']);
  const path = written ?? fallbackPath(value, v, [['network', 'dt'], ...taskFields(c)]);
  const fix = written === undefined ? undefined : checkedFix(most, (x) => Math.round(Number(x) / dt) < steps, ', the latest that leaves a state');
  return {
    ...(fix ? { fix } : {}),
    path, code: 't-min-past-trial', severity: 'warning', variant: v.index === undefined ? undefined : v.name,
    message: `evaluation.t_min = ${c.evaluation.t_min} is ${k} steps at dt = ${dt}, but a trial has only ${steps} steps, so no state is left for the measures after it (they would use only the last step). Write t_min: ${most} or less, or make the trials longer.`,
  };
}

function memoryProblem(value: JsonObject, v: ResolvedVariant): Problem | undefined {
  const c = v.config;
  const bytes = estimateRunBytes(c);
  if (bytes <= TRAINING_BYTES_LIMIT) return undefined;
  const fits = (x: VariantConfig): boolean => estimateRunBytes(x) <= TRAINING_BYTES_LIMIT;
  const fields: Field[] = [['network', 'N'], ['training', 'batch'], ['network', 'dt'], ...taskFields(c)];
  const b = blame(value, v, fields, (x) => !fits(x));
  const path = (b !== undefined ? origin(value, v, b.field) : undefined) ?? fallbackPath(value, v, fields);
  const maxN = largest(2, c.network.N, (n) => fits(withField(c, ['network', 'N'], n)));
  const maxB = largest(1, c.training.batch, (n) => fits(withField(c, ['training', 'batch'], n)));
  const steps = taskSteps(c.task, c.network.dt);
  const reduce = [maxN !== undefined ? `N to at most ${maxN}` : undefined, maxB !== undefined ? `batch to at most ${maxB}` : undefined].filter((x) => x !== undefined);
  const largestFitting = b === undefined ? undefined : b.field[1] === 'N' && b.field[0] === 'network' ? maxN : b.field[1] === 'batch' && b.field[0] === 'training' ? maxB : undefined;
  const fix = b === undefined ? undefined
    : checkedFix(largestFitting ?? b.fix, (x) => fits(withField(c, b.field, x)), largestFitting !== undefined ? ', the largest that fits' : ', the default');
  const advice = reduce.length > 0 ? `Reduce ${reduce.join(' or ')}, or shorten the task.` : 'Shorten the task (fewer steps per trial) or increase dt.';
  return {
    ...(fix ? { fix } : {}),
    path, code: 'memory-limit', severity: 'error', variant: v.index === undefined ? undefined : v.name,
    message: `Training this run needs about ${Math.ceil(bytes / MB)} MB for backprop through time (N = ${c.network.N}, batch ${c.training.batch}, ${steps} steps per trial), above the limit of ${Math.round(TRAINING_BYTES_LIMIT / MB)} MB. ${advice}`,
  };
}

/** view.trials beyond the evaluation batch cannot be shown; a warning, since the view just shows fewer. */
function viewProblem(value: JsonObject, variants: readonly ResolvedVariant[]): Problem | undefined {
  const trials = variants[0]?.config.view.trials;
  const batch = Math.min(...variants.map((v) => v.config.evaluation.batch));
  if (trials === undefined || trials <= batch || !has(value, ['view', 'trials'])) return undefined;
  return {
    fix: { title: `Change to ${batch}, the evaluation batch`, text: String(batch) },
    path: ['view', 'trials'], code: 'view-trials', severity: 'warning', variant: undefined,
    message: `view.trials is ${trials}, but the evaluation batch has only ${batch} trials; the view will show ${batch}. Write trials: ${batch} or less, or raise evaluation.batch.`,
  };
}

export function runDiagnostics(value: JsonObject, variants: readonly ResolvedVariant[], source: SpecSource): Diagnostic[] {
  const problems = variants.flatMap((v) => checkVariant(value, v));
  const view = viewProblem(value, variants);
  if (view !== undefined) problems.push(view);
  // A problem at a top-level value shows once, naming the variants it affects.
  const grouped = new Map<string, { p: Problem; variants: string[] }>();
  for (const p of problems) {
    const key = `${formatPath(p.path)}\u0000${p.code}\u0000${p.message}`;
    const g = grouped.get(key);
    if (g === undefined) grouped.set(key, { p, variants: p.variant !== undefined ? [p.variant] : [] });
    else {
      if (p.variant !== undefined && !g.variants.includes(p.variant)) g.variants.push(p.variant); // a variant at several grid points
      // one edit of a shared value must fix the problem in every variant it shows for
      if (g.p.fix?.text !== p.fix?.text) g.p = { ...g.p, fix: undefined };
    }
  }
  return [...grouped.values()].map(({ p, variants: names }) => {
    const inVariant = p.path[0] === 'variants';
    const which = !inVariant && names.length > 0 ? `In variant${names.length > 1 ? 's' : ''} ${names.join(', ')}: ` : '';
    return diagnosticAt(source, p.path, 'value', p.code, `${which}${p.message}`, p.severity, p.fix);
  });
}
