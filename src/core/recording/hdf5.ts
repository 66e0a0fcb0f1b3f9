/**
 * HDF5 files (NWB, MATLAB v7.3) through h5wasm, the HDF5 C library compiled to
 * WebAssembly with the binary inside its JavaScript: it loads in Node and in a browser
 * worker alike and downloads nothing. The file's bytes are put in h5wasm's in-memory
 * file system for reading, so a file costs about twice its size in memory while open.
 */
import type * as H5 from 'h5wasm';
import type { NdArray } from './npy';
import { at } from '../checked';

type H5Module = typeof import('h5wasm');
let loading: Promise<H5Module> | undefined;

/** h5wasm, started on first use (its wasm compiles when the module is evaluated). */
export function h5wasm(): Promise<H5Module> {
  loading ??= import('h5wasm').then(async (m) => {
    await m.ready;
    return m;
  });
  return loading;
}

/** HDF5's signature, at offset 0 or, after a user block (MATLAB's 512-byte header), at 512, 1024, 2048, ... */
export function isHdf5(bytes: Uint8Array): boolean {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (sig.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

let opened = 0;

/** Opens the bytes read-only; call close() when done. */
export async function openHdf5(bytes: Uint8Array): Promise<{ file: H5.File; h5: H5Module; close(): void }> {
  const h5 = await h5wasm();
  const FS = h5.FS;
  if (!FS) throw new Error('h5wasm: the file system is not ready');
  const name = `/rnnlab-${++opened}.h5`;
  FS.writeFile(name, bytes);
  const file = new h5.File(name, 'r');
  return {
    file,
    h5,
    close: () => {
      file.close();
      FS.unlink(name);
    },
  };
}

/** A dataset read into float64 in C order, with HDF5's own shape. Numbers only. */
export function readDataset(ds: H5.Dataset, path: string): NdArray {
  const shape = ds.shape ?? [];
  const value = ds.value;
  const dtype = typeof ds.dtype === 'string' ? ds.dtype : JSON.stringify(ds.dtype);
  let data: Float64Array;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const v = value as unknown as ArrayLike<number | bigint>;
    data = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) data[i] = Number(at(v, i));
  } else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    data = Float64Array.of(Number(value));
  } else {
    throw new Error(`${path} holds ${dtype} values, not numbers.`);
  }
  return { data, shape, dtype };
}

/** Every numeric-looking dataset with its HDF5 shape (MATLAB's internals skipped), at most `limit`. */
export function datasetList(file: H5.File, h5: H5Module, limit = 200): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  const walk = (g: H5.Group) => {
    for (const key of g.keys()) {
      if (out.length >= limit || key === '#refs#' || key === '#subsystem#') continue;
      let obj: H5.Entity | null;
      try {
        obj = g.get(key);
      } catch {
        continue;
      }
      if (obj instanceof h5.Dataset) out.push({ name: obj.path.replace(/^\//, ''), shape: [...(obj.shape ?? [])] });
      else if (obj instanceof h5.Group) walk(obj);
    }
  };
  walk(file);
  return out;
}

/** One line per object for an error message: datasets with their shapes, groups with their kind. */
export function describeTree(file: H5.File, h5: H5Module, limit = 60): string[] {
  const lines: string[] = [];
  const walk = (g: H5.Group, depth: number) => {
    for (const key of g.keys()) {
      if (lines.length >= limit) return;
      // MATLAB's storage of cell and struct contents, not variables
      if (key === '#refs#' || key === '#subsystem#') continue;
      const path = g.path === '/' ? `/${key}` : `${g.path}/${key}`;
      let obj: H5.Entity | null;
      try {
        obj = g.get(key);
      } catch {
        continue;
      }
      if (obj instanceof h5.Dataset) {
        lines.push(`${'  '.repeat(depth)}${path}  [${(obj.shape ?? []).join(' x ')}] ${typeof obj.dtype === 'string' ? obj.dtype : 'compound'}`);
      } else if (obj instanceof h5.Group) {
        const kind = attrText(obj, 'neurodata_type') ?? attrText(obj, 'MATLAB_class');
        lines.push(`${'  '.repeat(depth)}${path}/${kind ? `  (${kind})` : ''}`);
        walk(obj, depth + 1);
      }
    }
  };
  walk(file, 0);
  if (lines.length >= limit) lines.push('  ...');
  return lines;
}

/** A string attribute, or undefined. */
export function attrText(obj: H5.Group | H5.Dataset, name: string): string | undefined {
  try {
    const a = obj.attrs[name];
    const v = a?.value;
    return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
  } catch {
    return undefined;
  }
}

/** A numeric attribute, or undefined. */
export function attrNumber(obj: H5.Group | H5.Dataset, name: string): number | undefined {
  try {
    const v = obj.attrs[name]?.value;
    if (typeof v === 'number') return v;
    if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length > 0) return Number((v as unknown as ArrayLike<number>)[0]);
    return undefined;
  } catch {
    return undefined;
  }
}
