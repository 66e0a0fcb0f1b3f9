import { at } from '../checked';
/**
 * NumPy's .npy format (numpy.lib.format, versions 1.0-3.0), read and written in plain
 * TypeScript: a magic string, a header dict {'descr', 'fortran_order', 'shape'}, then
 * the raw array. Numeric dtypes of any byte order are read into float64 (what the
 * analyses use); Fortran order is turned into C order. Written arrays are
 * little-endian float32/float64/int32, C order, version 1.0.
 */

export interface NdArray {
  /** C order (row-major) */
  data: Float64Array;
  shape: number[];
  /** numpy's descr of the source, e.g. "<f4" */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses one .npy file; throws an error that says what is wrong with it. */
export function readNpy(bytes: Uint8Array, what = 'the .npy file'): NdArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${what} is not a .npy file (no \\x93NUMPY magic).`);
  const major = bytes[6] ?? 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${what} is truncated.`);
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new Error(`${what} has .npy format version ${major}.${bytes[7]}, which is not supported (1.0 to 3.0 are).`);
  }
  if (start + headerLen > bytes.length) throw new Error(`${what} is truncated in its header.`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`${what} has a header numpy did not write: ${header.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!shape.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new Error(`${what} has shape (${shapeText}).`);
  const count = shape.reduce((a, b) => a * b, 1);
  const kind = dtypeOf(descr, what);
  const offset = start + headerLen;
  if (offset + count * kind.size > bytes.length) throw new Error(`${what} holds ${bytes.length - offset} bytes of data; shape (${shape.join(', ')}) of ${descr} needs ${count * kind.size}.`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, count * kind.size);
  let data: Float64Array = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = kind.read(dv, i * kind.size);
  if (fortran === 'True' && shape.length > 1) data = fortranToC(data, shape);
  return { data, shape, dtype: descr };
}

interface Kind {
  size: number;
  read(dv: DataView, at: number): number;
}

function dtypeOf(descr: string, what: string): Kind {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new Error(`${what} holds ${descr} values; only numbers (float, int, uint, bool) can be analysed.`);
  const little = m[1] !== '>';
  const size = Number(m[3]);
  const t = at(m, 2);
  const reader: Record<string, ((dv: DataView, at: number) => number) | undefined> = {
    f2: (dv, at) => half(dv.getUint16(at, little)),
    f4: (dv, at) => dv.getFloat32(at, little),
    f8: (dv, at) => dv.getFloat64(at, little),
    i1: (dv, at) => dv.getInt8(at),
    i2: (dv, at) => dv.getInt16(at, little),
    i4: (dv, at) => dv.getInt32(at, little),
    i8: (dv, at) => Number(dv.getBigInt64(at, little)),
    u1: (dv, at) => dv.getUint8(at),
    u2: (dv, at) => dv.getUint16(at, little),
    u4: (dv, at) => dv.getUint32(at, little),
    u8: (dv, at) => Number(dv.getBigUint64(at, little)),
    b1: (dv, at) => (dv.getUint8(at) ? 1 : 0),
  };
  const read = reader[`${t}${size}`];
  if (!read) throw new Error(`${what} holds ${descr} values, which cannot be read.`);
  return { size, read };
}

/** IEEE half precision to a number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Column-major data of `shape` reordered to row-major. */
export function fortranToC(src: Float64Array, shape: readonly number[]): Float64Array {
  const n = shape.length;
  const out = new Float64Array(src.length);
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < src.length; c++) {
    // c walks row-major; the Fortran offset of the same index
    let f = 0;
    let stride = 1;
    for (let d = 0; d < n; d++) {
      f += (idx[d] ?? 0) * stride;
      stride *= shape[d] ?? 0;
    }
    out[c] = src[f] ?? 0;
    for (let d = n - 1; d >= 0; d--) {
      const next = (idx[d] ?? 0) + 1;
      if (next < (shape[d] ?? 0)) {
        idx[d] = next;
        break;
      }
      idx[d] = 0;
    }
  }
  return out;
}

/** A .npy file (version 1.0, C order, little-endian) of a float32, float64 or int32 array. */
export function writeNpy(data: Float32Array | Float64Array | Int32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`writeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const descr = data instanceof Float32Array ? '<f4' : data instanceof Float64Array ? '<f8' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // pad with spaces so that the data starts at a multiple of 64 bytes, ending in a newline
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const dv = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Int32Array) dv.setInt32(i * 4, (data[i] ?? 0), true);
    else if (data instanceof Float32Array) dv.setFloat32(i * 4, (data[i] ?? 0), true);
    else dv.setFloat64(i * 8, (data[i] ?? 0), true);
  }
  return out;
}
