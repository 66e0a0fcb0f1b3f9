/**
 * An indexed read that checks its index. Under `noUncheckedIndexedAccess` `xs[i]` reads as
 * `T | undefined`; `at` turns a miss into an error that names the index and the length,
 * where it happens, instead of a NaN or a TypeError further on. For arrays and test code;
 * the numeric inner loops read typed arrays directly (one shared helper there would see
 * every array kind and slow each read several times over).
 */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const v = xs[i];
  if (v === undefined && !(Number.isInteger(i) && i >= 0 && i < xs.length)) {
    throw new RangeError(`index ${i} is outside 0..${xs.length - 1}`);
  }
  // In range, an undefined element is one the array holds: T includes undefined.
  return v as T;
}

/** A record's own entry that must be there: a missing key is an error that names it. */
export function entry<T>(rec: Readonly<Record<string, T>>, key: string): T {
  const v = rec[key];
  if (v === undefined || !Object.hasOwn(rec, key)) {
    throw new RangeError(`no entry ${JSON.stringify(key)} (there are: ${Object.keys(rec).join(', ') || 'none'})`);
  }
  return v;
}

/** A value that must be there: null or undefined is an error that says what was missing. */
export function defined<T>(v: T | null | undefined, what = 'a value'): T {
  if (v === null || v === undefined) throw new TypeError(`expected ${what}, got ${v}`);
  return v;
}
