/**
 * The paper's published values for its main experiment (docs/science.md §5.1: N = 512,
 * g = 1.5, mean over 5 seeds, read off the authors' figures to about ±10 % on log axes
 * and ±0.03 on linear ones). A = aligned (small initial W_out), O = oblique (large).
 */

export const PAPER_TASKS = ['cycling', 'flipflop', 'mante', 'romo', 'complex_sine'] as const;
export type PaperTask = (typeof PAPER_TASKS)[number];
export type Regime = 'aligned' | 'oblique';

/** The measures the report compares, keyed like metrics.json (dissim and rel_susceptibility included). */
export const PAPER_MEASURES = ['rho', 'rho_sqrtN', 'w_out_norm', 'x_norm', 'dx90', 'dfit90', 'dissim', 'rel_susceptibility', 'noise_ratio'] as const;
export type PaperMeasure = (typeof PAPER_MEASURES)[number];

export const MEASURE_LABELS: Record<PaperMeasure, string> = {
  rho: 'ρ',
  rho_sqrtN: 'ρ√N',
  w_out_norm: '‖w_out‖',
  x_norm: '‖x‖',
  dx90: 'D_x,90',
  dfit90: 'D_fit,90',
  dissim: 'dissim. (rad)',
  rel_susceptibility: 'rel. susceptibility',
  noise_ratio: 'noise ratio',
};

/** Where docs/science.md explains each measure. */
export const MEASURE_SECTIONS: Record<PaperMeasure, string> = {
  rho: '4.1',
  rho_sqrtN: '4.1',
  w_out_norm: '4.2',
  x_norm: '4.2',
  dx90: '4.3',
  dfit90: '4.4',
  dissim: '4.7',
  rel_susceptibility: '4.6',
  noise_ratio: '4.5',
};

const SQRT_512 = Math.sqrt(512);

type Pair = readonly [aligned: number, oblique: number];

const TABLE: Record<PaperTask, Record<Exclude<PaperMeasure, 'rho_sqrtN'>, Pair>> = {
  cycling: { rho: [0.5, 0.054], w_out_norm: [0.097, 0.93], x_norm: [25, 25], dx90: [4.4, 4.9], dfit90: [3.5, 8.2], dissim: [0.22, 1.0], rel_susceptibility: [0.92, 0.44], noise_ratio: [11.5, 0.7] },
  flipflop: { rho: [0.58, 0.081], w_out_norm: [0.13, 0.96], x_norm: [24, 23.5], dx90: [4, 4.4], dfit90: [3, 3], dissim: [0.33, 0.44], rel_susceptibility: [0.83, 0.27], noise_ratio: [6.0, 0.53] },
  mante: { rho: [0.5, 0.046], w_out_norm: [0.066, 0.83], x_norm: [32, 31], dx90: [5, 6], dfit90: [1, 3.6], dissim: [0.16, 0.28], rel_susceptibility: [0.64, 0.1], noise_ratio: [7.5, 0.33] },
  romo: { rho: [0.44, 0.053], w_out_norm: [0.106, 0.93], x_norm: [25, 26], dx90: [3.4, 5], dfit90: [1, 5.8], dissim: [0.21, 0.32], rel_susceptibility: [0.92, 0.45], noise_ratio: [7.5, 0.65] },
  complex_sine: { rho: [0.18, 0.029], w_out_norm: [0.15, 0.93], x_norm: [33, 33], dx90: [3.6, 4.4], dfit90: [4, 7.6], dissim: [0.16, 0.23], rel_susceptibility: [1.0, 0.69], noise_ratio: [10.4, 0.77] },
};

/** The paper's value of a measure for a task and regime (ρ√N from ρ at N = 512). */
export function paperValue(task: PaperTask, regime: Regime, measure: PaperMeasure): number {
  const i = regime === 'aligned' ? 0 : 1;
  if (measure === 'rho_sqrtN') return TABLE[task].rho[i] * SQRT_512;
  return TABLE[task][measure][i];
}

export const TASK_LABELS: Record<PaperTask, string> = {
  cycling: 'cycling',
  flipflop: '3-bit flip-flop',
  mante: 'Mante',
  romo: 'Romo',
  complex_sine: 'complex sine',
};
