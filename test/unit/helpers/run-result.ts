/** A small but complete RunResult for store and host-check tests, without training anything. */
import type { RunResult } from '../../../src/core/train';
import type { RunConfig } from '../../../src/core/types';
import { loadSpec } from '../../../src/spec';

/** The first run of a tiny cycling spec (N = 16, 30 steps), resolved by the spec layer. */
export function tinyRun(): RunConfig {
  const loaded = loadSpec('name: store test\ntask: { kind: cycling, response: 11 }\nnetwork: { N: 16 }\ntraining: { steps: 30, batch: 8 }\n');
  const run = loaded.runs[0];
  if (run === undefined) throw new Error(`the tiny spec has no runs: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  return run;
}

/** Sizes from run.network.N, with dIn = 2, dOut = 2, T = 4, B = 2. */
export function fakeResult(run: RunConfig, stoppedAfter?: number): RunResult {
  const N = run.network.N, dIn = 2, dOut = 2, T = 4, B = 2;
  const f32 = (n: number, v = 0.5) => new Float32Array(n).fill(v);
  const weights = () => ({ N, dIn, dOut, W: f32(N * N), W_in: f32(N * dIn), W_out: f32(dOut * N), h0: f32(N, 0) });
  const view = () => ({
    axes: new Float64Array(3 * N), axis_labels: ['PC1', 'PC2', 'PC3'], trajectories: f32(B * T * 3), centre: [0, 0, 0], scale: 1,
    axis_variance: [1, 0.5, 0.25], readouts: [{ coords: [1, 0, 0], fraction: 0.5, angle_deg: 60, arrow: [0.5, 0, 0] }],
  });
  const batch = { B, T, dIn, dOut, inputs: f32(T * B * dIn), targets: f32(T * B * dOut), mask: f32(T * B * dOut, 1), condition: new Int32Array([0, 1]), conditionLabels: ['a', 'b'] };
  return {
    run, backend: 'wasm', losses: f32(stoppedAfter ?? run.training.steps, 0.1), msPerStep: 3, seconds: 1, stopped: stoppedAfter !== undefined,
    initial: weights(), final: weights(),
    evalBatch: batch,
    evaluation: {
      eval_loss: 0.2, eval_loss_x0rand: null, learned: false, perturbation: null, perturbation_skipped: 'not learned', condition: new Int32Array([0, 1]), conditionLabels: ['a', 'b'],
      trajectories: { T, B, N, dOut, states: f32(T * B * N), outputs: f32(T * B * dOut) },
      analysis: {
        rho: 0.4, rho_naive: 0.3, rho_sqrtN: 1.6, w_out_norm: 1, x_norm: 1, dx90: 2, dfit90: NaN, r2_curve: [0.5, 0.8], explained_variance: [0.6, 0.3],
        noise_ratio: null, noise_ratio_pc: null, noise_ratio_tmin: null, var_out: null, var_rand: null, var_pc: null,
        projection: { trials: [0, 1], steps: [0, 1, 2, 3], pca: view(), readout: null },
      },
    },
  } as unknown as RunResult;
}
