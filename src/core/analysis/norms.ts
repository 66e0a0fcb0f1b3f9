/**
 * The two norms of docs/science.md §4.2, both as RMS times sqrt(N) so they read as the
 * typical norm of one readout vector and of one state vector (1.4: sqrt(N) vs O(1)).
 */

/** ||w_out||: RMS of all W_out entries times sqrt(N) (the average per-output norm). */
export function outputWeightNorm(wOut: ArrayLike<number>, N: number): number {
  if (wOut.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < wOut.length; i++) s += (wOut[i] ?? 0) * (wOut[i] ?? 0);
  return Math.sqrt(s / wOut.length) * Math.sqrt(N);
}

/**
 * ||x||: RMS over (trial, k >= kMin, neuron) of the states [T][B][N] times sqrt(N).
 * Time-major layout makes the kept steps one contiguous tail of the array.
 */
export function stateNorm(states: ArrayLike<number>, T: number, B: number, N: number, kMin: number): number {
  if (states.length !== T * B * N) throw new Error('stateNorm: shape mismatch');
  const start = Math.max(0, kMin) * B * N;
  const count = states.length - start;
  if (count <= 0) return Number.NaN;
  let s = 0;
  for (let i = start; i < states.length; i++) s += (states[i] ?? 0) * (states[i] ?? 0);
  return Math.sqrt(s / count) * Math.sqrt(N);
}
