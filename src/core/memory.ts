/**
 * Peak memory of one training step of the hand-written BPTT (src/core/bptt.ts),
 * as a function of the problem size. The spec validator uses it to refuse runs that
 * would not fit in a wasm32 heap before any tensor is allocated.
 */
export interface TrainingShape {
  N: number;
  /** grid points n_t */
  T: number;
  B: number;
  dIn: number;
  dOut: number;
}

/** Bytes kept alive at the peak of a training step (float32), including weights and Adam moments. */
export function estimateTrainingBytes(s: TrainingShape): number {
  const stateBytes = s.T * s.B * s.N * 4;
  // Kept over the step: tanh(x_k) for all k, the adjoints for all k, their two
  // concatenations for the weight-gradient matmuls and one transpose, plus x at the
  // masked steps (at most all of them). 6 state-sized buffers bound it from above.
  const perState = 6;
  const weights = (s.N * s.N + s.N * s.dIn + s.N * s.dOut) * 4;
  // parameters, gradients, two Adam moments, and the transposed copies
  const weightCopies = 6;
  return perState * stateBytes + weightCopies * weights;
}

/** Refuse above this many bytes: wasm32 heaps stop at 4 GiB and browsers often allow less. */
export const TRAINING_BYTES_LIMIT = 2 * 1024 ** 3;
