/**
 * The one way this code base checks a value that crossed a boundary (a message from
 * another thread or process, an envelope, a page's saved state, a result read back):
 * a Check walks the value and collects each problem with where it was found, so a
 * refusal can say what was wrong instead of only that something was.
 *
 * Each method takes the value and its place (`at`, a dotted path for the message) and
 * returns the value with its type when it passes, else undefined. Nothing here throws.
 */
import type { Envelope } from '../core/pack';

export type Rec = Record<string, unknown>;

type TypedArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;
const ENVELOPE_DTYPES = { F32: 4, F64: 8, I32: 4 } as const;

export class Check {
  readonly problems: string[] = [];

  get ok(): boolean {
    return this.problems.length === 0;
  }

  fail(at: string, problem: string): undefined {
    this.problems.push(at ? `${at} ${problem}` : problem);
    return undefined;
  }

  /** Throws one `Err` naming the first few problems, if there are any. */
  throwIfAny(what: string, Err: new (message: string) => Error = Error): void {
    if (!this.ok) throw new Err(`${what}: ${this.summary()}.`);
  }

  /** The first few problems as one clause. */
  summary(max = 3): string {
    const more = this.problems.length > max ? ` and ${this.problems.length - max} more problem${this.problems.length - max > 1 ? 's' : ''}` : '';
    return this.problems.slice(0, max).join('; ') + more;
  }

  /**
   * A plain object (not null, an array or a typed array), as a copy of its own fields
   * without a prototype: a key such as "constructor" or "__proto__" in data from the
   * other side must not be answered by Object.prototype.
   */
  rec(x: unknown, at: string): Rec | undefined {
    return isRecord(x) ? own(x) : this.fail(at, 'is not an object');
  }

  str(x: unknown, at: string): string | undefined {
    return typeof x === 'string' ? x : this.fail(at, 'is not a string');
  }

  bool(x: unknown, at: string): boolean | undefined {
    return typeof x === 'boolean' ? x : this.fail(at, 'is not true or false');
  }

  /** Any number (NaN and Infinity included: measures may be NaN); `nullable` also lets null pass. */
  num(x: unknown, at: string, nullable = false): number | null | undefined {
    if (typeof x === 'number' || (nullable && x === null)) return x;
    return this.fail(at, nullable ? 'is not a number or null' : 'is not a number');
  }

  /** A whole number >= 0 that counts or indexes something. */
  count(x: unknown, at: string): number | undefined {
    return isCount(x) ? x : this.fail(at, 'is not a whole number >= 0');
  }

  int(x: unknown, at: string): number | undefined {
    return Number.isSafeInteger(x) ? (x as number) : this.fail(at, 'is not a whole number');
  }

  oneOf<T extends string>(x: unknown, values: readonly T[], at: string): T | undefined {
    return typeof x === 'string' && (values as readonly string[]).includes(x) ? (x as T) : this.fail(at, `is not one of ${values.join(', ')}`);
  }

  literal<T extends string | number | boolean>(x: unknown, value: T, at: string): T | undefined {
    return x === value ? value : this.fail(at, `is ${short(x)}, expected ${JSON.stringify(value)}`);
  }

  strings(x: unknown, at: string, length?: number): string[] | undefined {
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) return this.fail(at, 'is not a list of strings');
    if (length !== undefined && x.length !== length) return this.fail(at, `has ${x.length} entries, expected ${length}`);
    return x as string[];
  }

  /** A list of numbers; of exactly `length` when given. */
  nums(x: unknown, at: string, length?: number): number[] | undefined {
    if (!Array.isArray(x) || !x.every((v) => typeof v === 'number')) return this.fail(at, 'is not a list of numbers');
    if (length !== undefined && x.length !== length) return this.fail(at, `has ${x.length} numbers, expected ${length}`);
    return x as number[];
  }

  /** A list of indices, each below `below` when given. */
  indices(x: unknown, at: string, below?: number): number[] | undefined {
    if (!Array.isArray(x) || !x.every(isCount)) return this.fail(at, 'is not a list of indices');
    if (below !== undefined) {
      const out = x.find((i: number) => i >= below);
      if (out !== undefined) return this.fail(at, `has index ${out}, beyond ${below - 1}`);
    }
    return x as number[];
  }

  /** A typed array of this kind; of exactly `length` values when that is known (a negative length is unknown). */
  array<C extends TypedArrayCtor>(x: unknown, ctor: C, at: string, length?: number): InstanceType<C> | undefined {
    if (!(x instanceof ctor)) return this.fail(at, `is not ${/^[AEIOU]/.test(ctor.name) ? 'an' : 'a'} ${ctor.name}`);
    if (length !== undefined && length >= 0 && x.length !== length) return this.fail(at, `has ${x.length} values, expected ${length}`);
    return x as InstanceType<C>;
  }

  /** Absent (or undefined) passes; anything else must pass `check`. Null is not absent: no type here allows it. */
  optional<T>(o: Rec, key: string, at: string, check: (x: unknown, at: string) => T | undefined): T | undefined {
    return key in o && o[key] !== undefined ? check(o[key], join(at, key)) : undefined;
  }

  /**
   * The layout of a { meta, buffer } envelope is sane: every array lies inside the buffer,
   * aligned for its type, so fromEnvelope can then only fail on the tree's content.
   */
  envelope(x: unknown, at: string): Envelope | undefined {
    const e = this.rec(x, at);
    if (e === undefined) return undefined;
    if (!isArrayBuffer(e.buffer)) return this.fail(join(at, 'buffer'), 'is not an ArrayBuffer');
    const meta = this.rec(e.meta, join(at, 'meta'));
    if (meta === undefined) return undefined;
    if (!('tree' in meta)) return this.fail(join(at, 'meta'), 'has no tree');
    if (!Array.isArray(meta.arrays)) return this.fail(join(at, 'meta.arrays'), 'is not a list');
    const size = e.buffer.byteLength;
    const before = this.problems.length;
    meta.arrays.forEach((a: unknown, i: number) => {
      const where = `${join(at, 'meta.arrays')}[${i}]`;
      const r = this.rec(a, where);
      if (r === undefined) return;
      this.str(r.name, `${where}.name`);
      const dtype = this.oneOf(r.dtype, Object.keys(ENVELOPE_DTYPES) as (keyof typeof ENVELOPE_DTYPES)[], `${where}.dtype`);
      const offset = this.count(r.offset, `${where}.offset`);
      const length = this.count(r.length, `${where}.length`);
      if (dtype === undefined || offset === undefined || length === undefined) return;
      const bytes = ENVELOPE_DTYPES[dtype];
      if (offset % bytes !== 0 || offset + length * bytes > size) this.fail(where, `lies outside the ${size}-byte buffer or is misaligned`);
    });
    return this.problems.length === before ? (x as Envelope) : undefined;
  }
}

/** A check of a whole value, and the type guard and reason that go with it. */
export interface Validator<T> {
  /** undefined when `x` is a T, else what is wrong with it */
  problem(x: unknown): string | undefined;
  is(x: unknown): x is T;
}

export function validator<T>(walk: (c: Check, x: unknown) => void): Validator<T> {
  const problem = (x: unknown): string | undefined => {
    const c = new Check();
    walk(c, x);
    return c.ok ? undefined : c.summary();
  };
  return { problem, is: (x: unknown): x is T => problem(x) === undefined };
}

/** A check of one field: takes the value and its place, returns the value when it passes. */
export type FieldCheck = (c: Check, x: unknown, at: string) => unknown;

/** One check per field of T: a field added to T without its check does not compile. */
export type FieldChecks<T> = { [K in keyof T]-?: FieldCheck };

/** The field checks Check's methods make, for FieldChecks tables. */
export const field = {
  str: (c, x, at) => c.str(x, at),
  bool: (c, x, at) => c.bool(x, at),
  num: (c, x, at) => c.num(x, at),
  count: (c, x, at) => c.count(x, at),
  int: (c, x, at) => c.int(x, at),
  envelope: (c, x, at) => c.envelope(x, at),
} satisfies Record<string, FieldCheck>;

/** Checks every field of `o` named in `checks`; `optional` names those that may be absent. */
export function checkFields<T>(c: Check, o: Rec, checks: FieldChecks<T>, at = '', optional: readonly (keyof T)[] = []): void {
  for (const key of Object.keys(checks) as (keyof T & string)[]) {
    const where = at ? `${at}.${key}` : key;
    if (optional.includes(key)) c.optional(o, key, at, (x) => checks[key](c, x, where));
    else checks[key](c, o[key], where);
  }
}

/** One check per message type: a new message type without its check does not compile. */
export type MessageChecks<M extends { type: string }> = { [K in M['type']]: (c: Check, m: Rec) => void };

/** The validator of a discriminated union of messages, from one check per `type`. */
export function messageValidator<M extends { type: string }>(checks: MessageChecks<M>): Validator<M> {
  return validator<M>((c, x) => {
    const m = c.rec(x, 'the message');
    if (m === undefined) return;
    if (typeof m.type !== 'string') return void c.fail('the message', 'has no type');
    if (!Object.hasOwn(checks, m.type)) return void c.fail('', `unknown message type ${short(m.type)}`);
    const before = c.problems.length;
    checks[m.type as M['type']](c, m);
    // Name the message in every problem it has: "status: step is not a whole number >= 0".
    for (let i = before; i < c.problems.length; i++) c.problems[i] = `${m.type}: ${c.problems[i]}`;
  });
}

export function isRecord(x: unknown): x is Rec {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && !isArrayBuffer(x);
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/**
 * ArrayBuffers from postMessage may come from another realm, where instanceof fails,
 * so the tag decides.
 */
export function isArrayBuffer(x: unknown): x is ArrayBuffer {
  return Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

/** The place of `key` inside the value at `at` ('' is the value itself). */
export function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

function own(x: Rec): Rec {
  const out = Object.create(null) as Rec;
  for (const [k, v] of Object.entries(x)) out[k] = v;
  return out;
}

/** A value as a refusal quotes it: short, and never the whole of a large one. */
export function short(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (typeof x === 'object') return x === null ? 'null' : Array.isArray(x) ? 'a list' : 'an object';
  return String(x);
}
