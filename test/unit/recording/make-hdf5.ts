/** Test files: an HDF5 file built with h5wasm in its in-memory file system, returned as bytes. */
import { h5wasm } from '../../../src/core/recording/hdf5';

type H5 = Awaited<ReturnType<typeof h5wasm>>;
let made = 0;

export async function makeHdf5(build: (f: InstanceType<H5['File']>) => void): Promise<Uint8Array> {
  const h5 = await h5wasm();
  const FS = h5.FS;
  if (!FS) throw new Error('h5wasm: the file system is not ready');
  const name = `/test-made-${++made}.h5`;
  const f = new h5.File(name, 'w');
  build(f);
  f.close();
  const bytes = FS.readFile(name);
  FS.unlink(name);
  return bytes;
}
