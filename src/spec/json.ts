/** Plain JSON data: what a YAML spec becomes after parsing, and what the validator checks. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value of one of the object's own keys. Keys come from the spec: a plain `o[k]`
 * would answer "constructor" or "toString" with Object.prototype's members.
 */
export function own<T>(o: Readonly<Record<string, T>> | undefined, k: string): T | undefined {
  return o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined;
}

/**
 * Converts the output of yaml's toJS() into Json, or says why it cannot be. YAML can
 * produce values JSON cannot hold (Infinity, NaN); they are kept as numbers so the
 * validator reports them with the field's position instead of failing here.
 */
export function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(toJson);
  // `!!timestamp 2001-12-14`, or a plain date under `%YAML 1.1`, parses to a Date
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    // No prototype: a key written "__proto__" stays a key (assigning it would set the
    // prototype and hide it from the validator), and "constructor" reads as absent.
    const out = Object.create(null) as JsonObject;
    for (const [k, x] of Object.entries(v)) out[k] = toJson(x);
    return out;
  }
  return String(v);
}

export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i] as Json));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k] as Json, b[k] as Json));
  }
  return false;
}

/** How a value reads in a message: strings quoted, lists and maps abbreviated. */
export function showValue(v: Json): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.slice(0, 4).map(showValue).join(', ')}${v.length > 4 ? ', …' : ''}]`;
  if (isObject(v)) return Object.keys(v).length === 0 ? '{}' : 'a mapping';
  return String(v);
}

/** The JSON type name of a value as the schema's `type` keyword sees it. */
export function jsonTypeOf(v: Json): 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object' {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}
