/**
 * MATLAB v7.3 files (save -v7.3): HDF5 with a 512-byte MATLAB header. MATLAB stores
 * arrays column-major, so an m x n matrix appears in HDF5 as n x m; variables are
 * read back in MATLAB's shape. Struct fields are groups (path "s/field" or "s.field");
 * a cell array of per-trial matrices (HDF5 object references) is stacked along its
 * rows, so trials x time becomes one long time axis.
 */
import type * as H5 from 'h5wasm';
import { attrText, readDataset } from './hdf5';
import { fortranToC, type NdArray } from './npy';
import { at } from '../checked';

type H5Module = typeof import('h5wasm');

export function isMatlab73(bytes: Uint8Array, file: H5.File): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 20));
  if (head.startsWith('MATLAB 7.3 MAT-file')) return true;
  for (const k of file.keys()) {
    const o = file.get(k);
    if (o && 'attrs' in o && attrText(o as H5.Dataset, 'MATLAB_class') !== undefined) return true;
  }
  return false;
}

/** A MATLAB variable (or struct field) as an array in MATLAB's dimension order, C order. */
export function matlabVariable(file: H5.File, h5: H5Module, name: string): NdArray {
  const path = '/' + name.replace(/^\/+/, '').split(/[./]/).join('/');
  const obj = file.get(path);
  if (obj instanceof h5.Dataset) {
    if (attrText(obj, 'MATLAB_class') === 'cell' || (typeof obj.dtype === 'string' && obj.dtype.toLowerCase().includes('reference'))) return stackCell(file, h5, obj, path);
    return fromMatlab(readDataset(obj, path));
  }
  if (obj instanceof h5.Group) throw new Error(`${name} is a struct; name one of its fields: ${obj.keys().map((k) => `${name}.${k}`).join(', ')}.`);
  throw new Error(`No variable ${name} in this MAT file.`);
}

/** HDF5's view of a MATLAB array (dims reversed, same bytes) turned into MATLAB's shape in C order. */
function fromMatlab(a: NdArray): NdArray {
  const shape = [...a.shape].reverse();
  // HDF5's C-order bytes of the reversed dims are MATLAB's column-major array of `shape`.
  return { data: fortranToC(a.data, shape), shape, dtype: a.dtype };
}

/** The matrices a cell array refers to, stacked along their first (MATLAB) dimension. */
function stackCell(file: H5.File, h5: H5Module, ds: H5.Dataset, path: string): NdArray {
  const refs = ds.value;
  const list = Array.isArray(refs) ? refs.flat(8) : [refs];
  const parts: NdArray[] = [];
  for (const r of list) {
    if (!(r instanceof h5.Reference)) throw new Error(`${path} is a cell array of something other than numeric arrays.`);
    const target = file.dereference(r);
    if (!(target instanceof h5.Dataset)) throw new Error(`${path} refers to something other than numeric arrays.`);
    parts.push(fromMatlab(readDataset(target, `${path}{${parts.length + 1}}`)));
  }
  if (!parts.length) throw new Error(`${path} is an empty cell array.`);
  const rest = at(parts, 0).shape.slice(1);
  for (const p of parts) {
    if (p.shape.slice(1).join('x') !== rest.join('x')) {
      throw new Error(`${path}: the cells do not stack along their rows (shapes ${parts.map((q) => q.shape.join('x')).slice(0, 4).join(', ')}, ...).`);
    }
  }
  const rows = parts.reduce((s, p) => s + (p.shape[0] ?? 0), 0);
  const data = new Float64Array(parts.reduce((s, p) => s + p.data.length, 0));
  let o = 0;
  for (const p of parts) {
    data.set(p.data, o);
    o += p.data.length;
  }
  return { data, shape: [rows, ...rest], dtype: at(parts, 0).dtype };
}
