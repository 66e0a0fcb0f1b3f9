/**
 * The initial scale of the output weights, the paper's regime switch. Plain arithmetic in
 * a module of its own, so that metrics and the panel can use it without loading tfjs.
 */
import type { NetworkConfig } from './types';

/** Standard deviation of the W_out entries at initialisation (docs/science.md §1.3). */
export function outputStd(scale: NetworkConfig['output_scale'], N: number): number {
  if (scale === 'small') return 1 / N; // sigma_out = 1/sqrt(N): aligned
  if (scale === 'large') return 1 / Math.sqrt(N); // sigma_out = 1: oblique
  return scale / Math.sqrt(N);
}
