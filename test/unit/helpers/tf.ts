/** Test helper: select a real tfjs backend for a suite (no mocks). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export type TestBackend = 'cpu' | 'wasm';

export async function useBackend(name: TestBackend): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
}
