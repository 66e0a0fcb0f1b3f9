/**
 * Values that mix plain JSON with typed arrays (evaluations, projections, run
 * results) cross process boundaries and go to disk without turning the arrays into
 * JSON: packTree swaps every typed array for a named reference. Messages then carry
 * { meta, buffer } with one transferable ArrayBuffer; files carry the arrays as
 * safetensors with the tree in the header's metadata.
 */
import { decodeSafetensors, encodeSafetensors, type ArrayMap, type TypedArray } from './safetensors';
import { at } from './checked';

type Ref = { $array: string };

export interface PackedTree {
  /** the value with every typed array replaced by { $array: name } */
  tree: unknown;
  arrays: ArrayMap;
}

/** The envelope of docs/architecture.md: JSON metadata plus one ArrayBuffer to transfer. */
export interface Envelope {
  meta: { tree: unknown; arrays: { name: string; dtype: 'F32' | 'F64' | 'I32'; offset: number; length: number }[] };
  buffer: ArrayBuffer;
}

export function packTree(value: unknown): PackedTree {
  const arrays: ArrayMap = Object.create(null) as ArrayMap;
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array) {
      arrays[path] = { data: v, shape: [v.length] };
      return { $array: path } satisfies Ref;
    }
    if (ArrayBuffer.isView(v)) throw new Error(`packTree: unsupported typed array at ${path}`);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) setOwn(out, k, walk(x, path ? `${path}.${k}` : k));
      return out;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) }; // NaN and Inf survive JSON
    return v;
  };
  return { tree: walk(value, ''), arrays };
}

export function unpackTree<T>(packed: PackedTree): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.$array === 'string') {
        const a = Object.hasOwn(packed.arrays, o.$array) ? packed.arrays[o.$array] : undefined;
        if (a === undefined) throw new Error(`Missing array ${o.$array}.`);
        return a.data;
      }
      if (typeof o.$number === 'string' && Object.keys(o).length === 1) return Number(o.$number);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) setOwn(out, k, walk(x));
      return out;
    }
    return v;
  };
  return walk(packed.tree) as T;
}

/**
 * Sets an own property, also for a key such as "__proto__", which plain assignment would
 * take as the object's prototype: trees come from files and messages.
 */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** One buffer for postMessage: copy every array into it (8-byte aligned). */
export function toEnvelope(value: unknown): Envelope {
  const { tree, arrays } = packTree(value);
  const entries = Object.entries(arrays);
  let size = 0;
  const layout = entries.map(([name, { data }]) => {
    const offset = size;
    size += Math.ceil(data.byteLength / 8) * 8;
    return { name, dtype: dtypeOf(data), offset, length: data.length };
  });
  const buffer = new ArrayBuffer(size);
  entries.forEach(([, { data }], i) => {
    new Uint8Array(buffer, at(layout, i).offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });
  return { meta: { tree, arrays: layout }, buffer };
}

export function fromEnvelope<T>(env: Envelope): T {
  const arrays: ArrayMap = Object.create(null) as ArrayMap;
  for (const a of env.meta.arrays) {
    const Ctor = a.dtype === 'F32' ? Float32Array : a.dtype === 'F64' ? Float64Array : Int32Array;
    if (a.offset < 0 || a.offset + a.length * Ctor.BYTES_PER_ELEMENT > env.buffer.byteLength) {
      throw new Error(`Envelope array ${a.name} lies outside its buffer.`);
    }
    arrays[a.name] = { data: new Ctor(env.buffer, a.offset, a.length), shape: [a.length] };
  }
  return unpackTree<T>({ tree: env.meta.tree, arrays });
}

/** A safetensors file holding the tree's arrays, with the tree itself in the metadata. */
export function treeToSafetensors(value: unknown): Uint8Array {
  const { tree, arrays } = packTree(value);
  return encodeSafetensors(arrays, { tree: JSON.stringify(tree) });
}

export function treeFromSafetensors<T>(bytes: Uint8Array): T {
  const { arrays, metadata } = decodeSafetensors(bytes);
  if (typeof metadata.tree !== 'string') throw new Error('This file holds arrays but no tree metadata.');
  return unpackTree<T>({ tree: JSON.parse(metadata.tree), arrays });
}

function dtypeOf(a: TypedArray): 'F32' | 'F64' | 'I32' {
  return a instanceof Float32Array ? 'F32' : a instanceof Float64Array ? 'F64' : 'I32';
}
