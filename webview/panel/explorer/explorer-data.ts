/**
 * What a view's perturbation explorer needs from a finished run, taken out of its result
 * before the page hands the result's buffer to the host: the final weights, the evaluation
 * batch (inputs, and targets and mask for the output traces), and the largest amplitude of
 * docs/science.md §4.6. Copies, since the buffer they lie in is transferred. A stored run's
 * come from its run folder instead, through the host (storedExplorerData).
 */
import type { WeightArrays } from '../../../src/core/model';
import type { RunConfig, TaskBatch } from '../../../src/core/types';
import { maxAmplitude } from '../../../src/core/analysis/perturbation/protocol';
import type { ExplorerSetup, StoredNetwork } from '../../../src/protocol';

export interface ExplorerData {
  /** the setup without the view's bases (they come with each view's data) */
  setup: Omit<ExplorerSetup, 'bases'>;
  /** [T][B][dOut] */
  targets: Float32Array;
  mask: Float32Array;
  /** the slider's end, in units of sqrt(N): §4.6's A_max */
  aMax: number;
}

/** The explorer's data of a RunResult (only the fields it reads), or undefined when it lacks them. */
export function explorerDataOf(r: { run?: RunConfig; final?: WeightArrays; evalBatch?: Pick<TaskBatch, 'T' | 'B' | 'inputs' | 'targets' | 'mask'> }): ExplorerData | undefined {
  const { run, final: w, evalBatch: b } = r;
  if (!run || !w || !b || !(w.W instanceof Float32Array) || !(b.inputs instanceof Float32Array)) return undefined;
  const { N } = w;
  const x0 = new Float32Array(b.B * N);
  // the view's trajectories start from x_0 = h_0 (core/evaluate.ts)
  for (let t = 0; t < b.B; t++) x0.set(w.h0.subarray(0, N), t * N);
  return {
    setup: {
      N, dIn: w.dIn, dOut: w.dOut, T: b.T, B: b.B, dt: run.network.dt,
      W: w.W.slice(), W_in: w.W_in.slice(), W_out: w.W_out.slice(), x0, inputs: b.inputs.slice(),
      seed: run.evaluation.seed,
    },
    targets: b.targets.slice(),
    mask: b.mask.slice(),
    aMax: maxAmplitude(run.task),
  };
}

/** The explorer's data of a stored run: its network as the host read it from the run folder (the same as explorerDataOf of its result). */
export function storedExplorerData(run: RunConfig, n: StoredNetwork): ExplorerData | undefined {
  const { N, dIn, dOut, T, B, W, W_in, W_out, h0, inputs, targets, mask } = n;
  return explorerDataOf({ run, final: { N, dIn, dOut, W, W_in, W_out, h0 }, evalBatch: { T, B, inputs, targets, mask } });
}
