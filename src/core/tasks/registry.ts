/** The six tasks by kind, and dispatch on a resolved spec's task parameters. */
import type { Rng, TaskBatch, TaskDef, TaskKind, TaskParams } from '../types';
import { complexSine } from './complex_sine';
import { cycling } from './cycling';
import { flipflop } from './flipflop';
import { mante } from './mante';
import { romo } from './romo';
import { sine } from './sine';

type ParamsOf<K extends TaskKind> = Extract<TaskParams, { kind: K }>;

export const TASKS: { [K in TaskKind]: TaskDef<ParamsOf<K>> } = {
  cycling,
  flipflop,
  mante,
  romo,
  complex_sine: complexSine,
  sine,
};

export function getTask<K extends TaskKind>(kind: K): TaskDef<ParamsOf<K>> {
  return TASKS[kind];
}

/**
 * Calls `use` with the task definition that matches p.kind. The switch is what lets the
 * compiler pair each params type with its own definition, without a cast.
 */
function withTask<R>(p: TaskParams, use: <P extends TaskParams>(def: TaskDef<P>, params: P) => R): R {
  switch (p.kind) {
    case 'cycling': return use(TASKS.cycling, p);
    case 'flipflop': return use(TASKS.flipflop, p);
    case 'mante': return use(TASKS.mante, p);
    case 'romo': return use(TASKS.romo, p);
    case 'complex_sine': return use(TASKS.complex_sine, p);
    case 'sine': return use(TASKS.sine, p);
    default: return assertNever(p);
  }
}

function assertNever(p: never): never {
  throw new Error(`unknown task kind: ${JSON.stringify((p as { kind?: unknown }).kind)}`);
}

/** A fresh batch of the task in p. Throws a RangeError with check()'s message on impossible parameters. */
export function generateBatch(p: TaskParams, B: number, dt: number, rng: Rng, evaluation = false): TaskBatch {
  return withTask(p, (def, params) => def.generate(params, B, dt, rng, evaluation));
}

export function taskDims(p: TaskParams): { dIn: number; dOut: number } {
  return withTask(p, (def, params) => def.dims(params));
}

/** Grid points n_t of a training batch. */
export function taskSteps(p: TaskParams, dt: number): number {
  return withTask(p, (def, params) => def.steps(params, dt));
}

/** Why p cannot work with this batch size and dt, as one sentence, or undefined. */
export function checkTask(p: TaskParams, B: number, dt: number): string | undefined {
  return withTask(p, (def, params) => def.check?.(params, B, dt));
}
