/**
 * A collector of problems for checking untrusted nested data (a run result from the
 * panel, a stored run read back): each check names the field at fault, and the caller
 * reports the first few at once.
 */
export type Rec = Record<string, unknown>;

export class Shape {
  constructor(private readonly list: string[] = []) {}

  /** Throws one error naming the first three problems, if there are any. */
  throwIfAny(what: string, Err: new (message: string) => Error = Error): void {
    if (this.list.length === 0) return;
    const more = this.list.length > 3 ? ` and ${this.list.length - 3} more problems` : '';
    throw new Err(`${what}: ${this.list.slice(0, 3).join('; ')}${more}.`);
  }

  fail(problem: string): void {
    this.list.push(problem);
  }

  get problems(): readonly string[] {
    return this.list;
  }

  rec(x: unknown, at: string): Rec | undefined {
    if (typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x)) return own(x as Rec);
    this.list.push(`${at} is not an object`);
    return undefined;
  }

  count(x: unknown, at: string): number {
    if (Number.isSafeInteger(x) && (x as number) >= 0) return x as number;
    this.list.push(`${at} is not a whole number`);
    return -1;
  }

  num(x: unknown, at: string, nullable = false): void {
    if (typeof x === 'number' || (nullable && x === null)) return;
    this.list.push(`${at} is not a number`);
  }

  str(x: unknown, at: string): void {
    if (typeof x !== 'string') this.list.push(`${at} is not a string`);
  }

  strings(x: unknown, at: string, length?: number): void {
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) this.list.push(`${at} is not a list of strings`);
    else if (length !== undefined && x.length !== length) this.list.push(`${at} has ${x.length} entries, expected ${length}`);
  }

  nums(x: unknown, at: string, length: number): void {
    if (!Array.isArray(x) || x.length !== length || !x.every((v) => typeof v === 'number')) this.list.push(`${at} is not a list of ${length} numbers`);
  }

  array(x: unknown, ctor: Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor, at: string, length?: number): void {
    if (!(x instanceof ctor)) this.list.push(`${at} is not a ${ctor.name}`);
    else if (length !== undefined && length >= 0 && x.length !== length) this.list.push(`${at} has ${x.length} values, expected ${length}`);
  }
}

/**
 * The record's own fields only: a key such as "constructor" or "__proto__" in untrusted
 * data must not be answered by Object.prototype.
 */
function own(x: Rec): Rec {
  const out: Rec = Object.create(null) as Rec;
  for (const [k, v] of Object.entries(x)) out[k] = v;
  return out;
}
