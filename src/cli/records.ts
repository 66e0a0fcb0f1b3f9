/**
 * The JSON record of a finished run ("kind": "run"), one line each: what `rnnlab train
 * --json` prints as a run finishes and what `rnnlab collect --json` prints for every stored run. The keys
 * the docs name come first, then the swept coordinates (sweep key to value, e.g.
 * "network.N": 128), whether the run was stopped early and its steps (done and
 * planned), then everything else of metrics.json.
 */
import type { RunMetrics } from '../core/metrics';
import type { RunConfig } from '../core/types';

export function runRecord(m: RunMetrics, run: Pick<RunConfig, 'seed_index' | 'coordinates' | 'training'>, folder: string): Record<string, unknown> {
  const { name, variant, seed, task, N, output_scale, rho, rho_sqrtN, dx90, dfit90, w_out_norm, x_norm, noise_ratio, rel_susceptibility, eval_loss, learned, train_loss, ms_per_step, backend, stopped, steps, ...rest } = m;
  return {
    kind: 'run', name, variant, seed, task, N, ...run.coordinates,
    // a run stopped early (Ctrl-C) says so, with the steps it trained of those planned
    stopped, steps, steps_planned: run.training.steps,
    output_scale, rho, rho_sqrtN, dx90, dfit90, w_out_norm, x_norm, noise_ratio, rel_susceptibility, eval_loss, learned, train_loss, ms_per_step, backend,
    ...rest, seed_index: run.seed_index, folder,
  };
}
