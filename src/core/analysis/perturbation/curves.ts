/**
 * The loss-vs-amplitude curves of a perturbation experiment (docs/science.md §4.6, the
 * paper's Fig 5): per direction family, the loss averaged over the perturbation times, at
 * each amplitude in units of sqrt(N). Small enough to send to the panel as JSON.
 */
import type { PerturbationResult } from './index';

export interface PerturbationCurves {
  /** direction families, in the order of `loss` */
  directions: string[];
  /** amplitudes in units of sqrt(N): 0 .. a_max */
  amplitudes: number[];
  /** loss[direction][amplitude], mean over the perturbation times */
  loss: number[][];
  rel_susceptibility: number;
}

export function perturbationCurves(r: PerturbationResult): PerturbationCurves {
  const A = r.amplitudes.length;
  const P = r.times.length;
  const top = r.amplitudes[A - 1] ?? 0;
  // Amplitudes are linspace(0, a_max sqrt(N), A): dividing by the last one and scaling by a_max gives A / sqrt(N).
  const amplitudes = r.amplitudes.map((a) => (top > 0 ? (a / top) * r.a_max : 0));
  const loss = r.directions.map((_, d) =>
    Array.from({ length: A }, (_, a) => {
      let sum = 0;
      for (let p = 0; p < P; p++) sum += r.loss[(d * A + a) * P + p] ?? NaN;
      return P > 0 ? sum / P : NaN;
    }),
  );
  return { directions: [...r.directions], amplitudes, loss, rel_susceptibility: r.rel_susceptibility };
}
