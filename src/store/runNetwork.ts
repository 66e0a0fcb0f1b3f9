/**
 * A run folder's final network and evaluation batch (weights.safetensors and
 * trajectories.safetensors, as runFolder.ts writes them): what the panel's perturbation
 * explorer needs to kick a stored run's trials. Read only when a user first kicks in such
 * a run's view; the arrays are checked against each other before anything is sent.
 */
import { join } from 'node:path';
import { Check } from '../protocol/check';
import { checkStoredNetwork, type StoredNetwork } from '../protocol/explorer';
import { RunStoreError } from './paths';
import { readArrays } from './runFolder';

/** The stored network of the run folder `dir`; a RunStoreError names the file and what is wrong with it. */
export async function readRunNetwork(dir: string): Promise<StoredNetwork> {
  const read = async (file: string) => {
    try {
      return await readArrays(join(dir, file));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is missing' : (e as Error).message;
      throw new RunStoreError(`${join(dir, file)} cannot be read: ${why}`);
    }
  };
  const [weights, trajectories] = await Promise.all([read('weights.safetensors'), read('trajectories.safetensors')]);
  const c = new Check();
  const f32 = (map: typeof weights, name: string, file: string): Float32Array | undefined => {
    const a = map[name];
    return a === undefined ? c.fail(`${file}: ${name}`, 'is missing') : c.array(a.data, Float32Array, `${file}: ${name}`);
  };
  const shape = (map: typeof weights, name: string) => map[name]?.shape ?? [];
  const W_out = f32(weights, 'W_out', 'weights');
  const targets = f32(trajectories, 'targets', 'trajectories');
  const [dOut = 0, N = 0] = shape(weights, 'W_out');
  const [T = 0, B = 0] = shape(trajectories, 'targets');
  // Without an input the store writes neither W_in nor inputs (runFolder.ts).
  const dIn = shape(weights, 'W_in')[1] ?? 0;
  const network = {
    N, dIn, dOut, T, B,
    W: f32(weights, 'W', 'weights'),
    W_in: dIn > 0 ? f32(weights, 'W_in', 'weights') : new Float32Array(0),
    W_out,
    h0: f32(weights, 'h0', 'weights'),
    inputs: dIn > 0 ? f32(trajectories, 'inputs', 'trajectories') : new Float32Array(0),
    targets,
    mask: f32(trajectories, 'mask', 'trajectories'),
  };
  if (c.ok) checkStoredNetwork(c, network);
  c.throwIfAny(`${dir} has no usable network for the explorer`, RunStoreError);
  return network as StoredNetwork;
}
