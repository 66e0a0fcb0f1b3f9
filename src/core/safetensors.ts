import { entry } from './checked';
/**
 * Arrays on disk in the safetensors layout: an 8-byte little-endian header length, a
 * small JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian
 * data. Chosen because it is exactly "binary arrays with a small JSON header" and
 * loads in Python with `safetensors.numpy.load_file(path)` (or by hand with numpy:
 * read the header, then np.frombuffer at the offsets). Pure bytes in and out; the
 * callers do the file I/O.
 */

export type TypedArray = Float32Array | Float64Array | Int32Array;
export type ArrayMap = Record<string, { data: TypedArray; shape: number[] }>;

interface HeaderEntry {
  dtype: 'F32' | 'F64' | 'I32';
  shape: number[];
  data_offsets: [number, number];
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const BYTES = { F32: 4, F64: 8, I32: 4 } as const;

/** Serialises arrays (and optional string metadata) into one buffer. */
export function encodeSafetensors(arrays: ArrayMap, metadata: Record<string, string> = {}): Uint8Array {
  // null prototype: an array named "__proto__" is a key like any other
  const header: Record<string, HeaderEntry | Record<string, string>> = Object.create(null) as Record<string, HeaderEntry>;
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(arrays).sort();
  for (const name of names) {
    const { data, shape } = entry(arrays, name);
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`Array ${name}: shape [${shape}] holds ${count} values, data has ${data.length}.`);
    const dtype = data instanceof Float32Array ? 'F32' : data instanceof Float64Array ? 'F64' : 'I32';
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  // pad the header with spaces so the data starts 8-byte aligned, as the format recommends
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = entry(arrays, name);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (!isLittleEndian()) throw new Error('Writing arrays needs a little-endian platform.');
    out.set(bytes, pos);
    pos += data.byteLength;
  }
  return out;
}

/** Parses a buffer written by encodeSafetensors (F32, F64, I32); throws a clear error on anything else. */
export function decodeSafetensors(buf: Uint8Array): { arrays: ArrayMap; metadata: Record<string, string> } {
  if (buf.byteLength < 8) throw new Error('Not a safetensors file: shorter than its 8-byte header length.');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const len = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (len > MAX_HEADER_BYTES || 8 + len > buf.byteLength) throw new Error('Not a safetensors file: bad header length.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + len)));
  } catch {
    throw new Error('Not a safetensors file: the header is not JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Not a safetensors file: the header is ${parsed === null ? 'null' : Array.isArray(parsed) ? 'a list' : `a ${typeof parsed}`}, not a mapping of array names.`);
  }
  const dataStart = 8 + len;
  // Names come from the file: a null-prototype map keeps "__proto__" an array name like any other.
  const arrays: ArrayMap = Object.create(null) as ArrayMap;
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
        throw new Error('Not a safetensors file: __metadata__ is not a mapping of strings.');
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as HeaderEntry | null;
    if (
      typeof e !== 'object' || e === null || !Object.hasOwn(BYTES, e.dtype) ||
      !Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2 || !e.data_offsets.every((d) => Number.isSafeInteger(d))
    ) {
      throw new Error(`Array ${name}: unsupported entry (only F32, F64 and I32 arrays with whole-number shapes and offsets are read).`);
    }
    const [begin, end] = e.data_offsets;
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (!(begin >= 0 && end >= begin && dataStart + end <= buf.byteLength && end - begin === count * BYTES[e.dtype])) {
      throw new Error(`Array ${name}: its offsets do not match its shape or the file size (truncated file?).`);
    }
    const bytes = buf.slice(dataStart + begin, dataStart + end); // copy: aligned and owned
    arrays[name] = {
      data: e.dtype === 'F32' ? new Float32Array(bytes.buffer) : e.dtype === 'F64' ? new Float64Array(bytes.buffer) : new Int32Array(bytes.buffer),
      shape: e.shape,
    };
  }
  return { arrays, metadata };
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}
