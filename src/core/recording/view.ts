/**
 * What the recordings panel draws (docs/science.md §4.9): the activity on its top three
 * principal components, the decoder's readout(s) in that basis, and how much of each
 * readout lies in the view (its projected fraction). Built from the same centred design
 * as the measures (analyse.ts), and drawn by the networks' 3D view code
 * (analysis/projection.ts), so a recording and a trained network are shown alike.
 *
 * Projected fraction of a readout w (a row of the decoder, neuron coefficients):
 * ||V3^T w|| / ||w||, where the columns of V3 are the top three unit principal axes of the
 * centred activity: the cosine of the angle between w and the 3-PC subspace. 1 when w lies
 * in it, 0 when it is orthogonal to it.
 */
import type { Pca } from '../analysis/pca';
import { projectForDisplay, type Projection, type Vec3 } from '../analysis/projection';
import type { EigenDesign } from './ridge';

export interface RecordingViewOptions {
  /** the recording's trials when its activity was trials x time x neurons (samples = trials x time, trial-major) */
  trials?: number;
  /** condition index of each trial (colours the trajectories) */
  condition?: Int32Array;
  /** the most points drawn (trials x time steps; default 20,000) */
  maxPoints?: number;
  /** the most trials drawn, evenly spread over the recording's (default 100) */
  maxTrials?: number;
}

/** A readout in the PC basis. */
export interface ReadoutInPcs {
  /** (v_j . w) / ||w|| for PC j = 1..3: its norm is `fraction` */
  pc_coords: Vec3;
  /** pc_coords / fraction: the readout's direction inside the view ([0, 0, 0] when fraction is 0) */
  unit: Vec3;
  /** ||V3^T w|| / ||w|| */
  fraction: number;
  /** angle between w and the 3-PC subspace, degrees */
  angle_deg: number;
}

export interface RecordingView {
  /** explained-variance ratios of PC1..PC3 */
  explained_variance: Vec3;
  /** one per decoder output */
  readouts: ReadoutInPcs[];
  /** the recording's trials (1 for time x neurons data) and samples per trial */
  trials: number;
  time: number;
  /** the networks' 3D view data: drawn trials (indices into the recording's trials) and time indices, both bases */
  projection: Projection;
  /** condition of every trial of the recording, and a label per condition */
  condition: Int32Array;
  conditionLabels: string[];
}

const vec3 = (f: (j: number) => number): Vec3 => [f(0), f(1), f(2)];

/**
 * The view of the uncentred activity (S x N, trial-major samples) given the eigen design
 * of its centred copy, its column means, the centred X^T X (`scatter`) and the decoder w
 * (d x N).
 */
export function recordingView(activity: ArrayLike<number>, S: number, N: number, mean: Float64Array, scatter: Float64Array, design: EigenDesign, w: Float64Array, d: number, o: RecordingViewOptions = {}): RecordingView {
  const trialsIn = o.trials !== undefined && o.trials >= 1 && S % o.trials === 0 ? o.trials : 1;
  const T = S / trialsIn;
  const maxPoints = Math.max(2, o.maxPoints ?? 20_000);
  const maxTrials = Math.max(1, Math.min(o.maxTrials ?? 100, trialsIn));
  // evenly spread trials, then a time stride that keeps the points under the cap
  const drawn = Array.from({ length: maxTrials }, (_, i) => Math.floor((i * trialsIn) / maxTrials));
  const stride = Math.max(1, Math.ceil((drawn.length * T) / maxPoints));
  const steps: number[] = [];
  for (let k = 0; k < T; k += stride) steps.push(k);
  if (steps[steps.length - 1] !== T - 1) steps.push(T - 1);

  // states [steps][drawn][N], time-major as projectForDisplay reads them
  const B = drawn.length;
  const states = new Float32Array(steps.length * B * N);
  steps.forEach((k, si) => {
    drawn.forEach((b, bi) => {
      const s = b * T + k;
      for (let i = 0; i < N; i++) states[(si * B + bi) * N + i] = activity[s * N + i] ?? 0;
    });
  });

  const total = design.lambda.reduce((a, v) => a + v, 0);
  const denom = Math.max(1, S - 1);
  const covariance = scatter.map((v) => v / denom);
  const variances = design.lambda.map((l) => l / denom);
  const pca: Pca = {
    N,
    S,
    mean,
    covariance,
    variances,
    totalVariance: total / denom,
    explainedVarianceRatio: design.lambda.map((l) => (total > 0 ? l / total : 0)),
    components: design.vectors,
  };
  const projected = projectForDisplay({ states, T: steps.length, B, N, pca, wOut: w, dOut: d });
  // indices of the recording, not of the subset drawn
  const projection: Projection = { ...projected, trials: drawn, steps };

  const readouts = projected.pca.readouts.map((r, out): ReadoutInPcs => {
    let norm = 0;
    for (let i = 0; i < N; i++) norm += (w[out * N + i] ?? 0) ** 2;
    norm = Math.sqrt(norm);
    const pc = vec3((j) => (norm > 0 ? (r.coords[j] ?? 0) / norm : 0));
    return { pc_coords: pc, unit: vec3((j) => (r.fraction > 0 ? (pc[j] ?? 0) / r.fraction : 0)), fraction: r.fraction, angle_deg: r.angle_deg };
  });
  const condition = o.condition && o.condition.length === trialsIn && o.condition.every((c) => c >= 0) ? Int32Array.from(o.condition) : new Int32Array(trialsIn);
  const conditions = condition.reduce((m, c) => Math.max(m, c + 1), 1);
  return {
    explained_variance: vec3((j) => pca.explainedVarianceRatio[j] ?? 0),
    readouts,
    trials: trialsIn,
    time: T,
    projection,
    condition,
    conditionLabels: Array.from({ length: conditions }, (_, c) => (o.condition ? `condition ${c + 1}` : trialsIn > 1 ? 'trials' : 'samples')),
  };
}
