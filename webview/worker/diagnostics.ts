/**
 * What the training worker answers to diagnostics (the page has window.rnnlabPanel, the
 * worker self.rnnlabWorker): the browser tests and `rnnlab bench --browser` reach the
 * worker's real backends through it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate, ensurePrepared, notCandidate, unavailable } from '../../src/core/backend';
import { lossAndGrads, type ParamName } from '../../src/core/bptt';
import { Network, initWeights, initialStates } from '../../src/core/model';
import { makeRng } from '../../src/core/rng';
import { benchSteps, benchTask, type BenchShape, type StepTimes } from '../../src/core/steptimer';
import { generateBatch } from '../../src/core/tasks/registry';
import type { BackendName } from '../../src/core/types';
import { loseWebglContext } from './gpu';

export interface WorkerDiagnostics {
  /** Loss and gradients of the hand-written BPTT on a tfjs backend, for a small cycling network with noise. */
  gradients(backend: BackendName, shape: BenchShape): Promise<{ loss: number; grads: Partial<Record<ParamName, number[]>> }>;
  /** ms per training step on `backend`, as `rnnlab bench` measures it in Node. */
  bench(backend: BackendName, shape: BenchShape, seconds: number, maxIters: number): Promise<StepTimes>;
  /** Why `backend` cannot run in this worker, or null. */
  unavailable(backend: BackendName): Promise<string | null>;
  /** Why `auto` would not try `backend` here (it cannot run, or it is a software renderer), or null. */
  notCandidate(backend: BackendName): Promise<string | null>;
  /** Loses tfjs's WebGL context as a driver reset would; false when webgl never started. */
  loseWebglContext(): boolean;
}

async function ready(backend: BackendName): Promise<void> {
  await ensurePrepared(backend);
  const why = unavailable(backend);
  if (why) throw new Error(`${backend} cannot run here: ${why}`);
  await activate(backend);
}

export const diagnostics: WorkerDiagnostics = {
  async gradients(backend, shape) {
    if (backend === 'fused') throw new Error('gradients() checks the tfjs path; the fused kernel has its own tests');
    await ready(backend);
    const dt = 0.2;
    const train = ['input', 'recurrent', 'output'] as const;
    const w = initWeights({ N: shape.N, g: 1.5, dt, output_scale: 'large', train: [...train], h0_std: 0.5 }, { dIn: 2, dOut: 2 }, makeRng(1, 'weights'));
    const batch = generateBatch(benchTask(shape.T), shape.B, dt, makeRng(1, 'trials'));
    const noise = makeRng(1, 'noise');
    const x0 = initialStates(w.h0, shape.B, 1, noise);
    const net = new Network(w, [...train]);
    try {
      const { loss, grads } = lossAndGrads(net, dt, { batch, x0, noiseStd: Math.sqrt(dt) * 0.2, rng: noise });
      const out: Partial<Record<ParamName, number[]>> = {};
      for (const [name, g] of grads) out[name] = Array.from(await g.data());
      tf.dispose([...grads.values()]);
      return { loss, grads: out };
    } finally {
      net.dispose();
    }
  },
  async bench(backend, shape, seconds, maxIters) {
    await ready(backend);
    return benchSteps(backend, shape, { warmup: 2, minIters: 3, maxIters, seconds });
  },
  async unavailable(backend) {
    await ensurePrepared(backend);
    return unavailable(backend) ?? null;
  },
  async notCandidate(backend) {
    await ensurePrepared(backend);
    return notCandidate(backend) ?? null;
  },
  loseWebglContext,
};
