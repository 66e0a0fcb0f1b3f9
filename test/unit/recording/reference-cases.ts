/**
 * Synthetic recordings with a scikit-learn reference (sklearn-reference.jsonl, made by
 * scripts/peer/recording_reference.py, the authors' comp_ridge with RidgeCV). The data
 * come from the project's seeded streams, which are the same bit for bit everywhere, so
 * the cases are rebuilt here rather than stored. To remake the reference:
 *
 *   node --import tsx scripts/peer/recording-cases.ts /tmp/cases
 *   /usr/bin/python3 scripts/peer/recording_reference.py /tmp/cases/*.npz | sed 's|/tmp/cases/\(.*\)\.npz|\1|' > test/unit/recording/sklearn-reference.jsonl
 */
import { makeRng } from '../../../src/core/rng';
import { at } from '../../../src/core/checked';

export interface ReferenceCase {
  name: string;
  /** trials x time x N, float32 */
  activity: Float32Array;
  /** trials x time x d */
  behaviour: Float32Array;
  shape: [number, number, number];
  d: number;
}

/** Latents with sds `sds` (slow sines plus noise) embedded in N neurons, private noise, behaviour from chosen latents plus noise. */
function latentCase(name: string, seed: number, trials: number, T: number, N: number, sds: number[], readout: number[][], noise: number, behaviourNoise: number): ReferenceCase {
  const rng = makeRng(seed, name);
  const k = sds.length;
  const emb = Array.from({ length: k }, () => Float64Array.from({ length: N }, () => rng.normal()));
  const d = readout.length;
  const activity = new Float32Array(trials * T * N);
  const behaviour = new Float32Array(trials * T * d);
  for (let b = 0; b < trials; b++) {
    const phase = sds.map(() => rng.range(0, 2 * Math.PI));
    for (let t = 0; t < T; t++) {
      const z = sds.map((sd, j) => sd * (Math.sin(0.1 * (j + 1) * t + at(phase, j)) + 0.3 * rng.normal()));
      const s = b * T + t;
      for (let i = 0; i < N; i++) {
        let v = 0.5;
        for (let j = 0; j < k; j++) v += at(z, j) * at(at(emb, j), i);
        activity[s * N + i] = v + noise * rng.normal();
      }
      readout.forEach((w, o) => {
        behaviour[s * d + o] = w.reduce((acc, wj, j) => acc + wj * at(z, j), 0) + behaviourNoise * rng.normal();
      });
    }
  }
  return { name, activity, behaviour, shape: [trials, T, N], d };
}

export function referenceCases(): ReferenceCase[] {
  return [
    latentCase('aligned-like', 1, 8, 50, 24, [3, 2, 0.5, 0.2], [[1, 0, 0, 0], [0, 1, 0, 0]], 0.3, 0.1),
    latentCase('oblique-like', 2, 8, 50, 24, [3, 2, 0.5, 0.2], [[0, 0, 1, 0], [0, 0, 0.3, 1]], 0.3, 0.05),
    latentCase('noisy', 3, 6, 40, 30, [2, 1.5, 1, 0.7, 0.5], [[0.5, -0.2, 0.8, 0, 0.1]], 1.5, 0.5),
  ];
}
