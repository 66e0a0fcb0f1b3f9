/**
 * One seed's 3-D picture turned to face like another's (docs/science.md §4.7, "Aligning
 * the pictures of seeds"). Different seeds are different networks: there is no shared
 * neuron space, so what is shared is only the orientation of the picture. Both views were
 * drawn from the same evaluation trials (the batch does not depend on the training seed),
 * so point k of trial b in one picture matches point k of trial b in the other. Each view
 * is centred on its activity centre and divided by its RMS radius, as trajectory-lines.ts
 * draws it; the orthogonal Procrustes rotation (procrustes3.ts, reflections allowed) is
 * fitted on the matching points with t ≥ t_min and applied about the centre to the
 * trajectories, the axes and the readout arrows, so the arrows turn with the activity.
 * Pure: no DOM, no three.
 */
import type { ProjectedView, Vec3 } from '../../../src/core/analysis/projection';
import type { ViewData } from '../../../src/protocol';
import { apply3, procrustes3, type Mat3, type ProcrustesFit } from './procrustes3';

export interface AlignOptions {
  /** grid spacing and the start of the fitted stretch: points with k·dt ≥ tMin are fitted */
  dt: number;
  tMin: number;
  /** put before the reference's axis names on the turned view's axes (e.g. "s0") */
  tag: string;
}

export type BasisFit = ProcrustesFit | { reason: string };

export interface AlignedView {
  view: ViewData;
  /** per basis: the fit, or why the view was left as it is */
  pca: BasisFit;
  readout: BasisFit | undefined;
}

/** Fewer shared points than this leave the rotation undetermined. */
const MIN_POINTS = 3;

/** `view` turned onto `reference`, basis by basis (PCs onto PCs, readout basis onto readout basis). */
export function alignView(view: ViewData, reference: ViewData, opts: AlignOptions): AlignedView {
  const pca = alignBasis(view, reference, 'pca', opts);
  const readout = view.projection.readout && reference.projection.readout ? alignBasis(view, reference, 'readout', opts) : undefined;
  const projection = {
    ...view.projection,
    pca: 'rotation' in pca.fit ? pca.turned : view.projection.pca,
    readout: readout && 'rotation' in readout.fit ? readout.turned : view.projection.readout,
  };
  return { view: { ...view, projection }, pca: pca.fit, ...(readout ? { readout: readout.fit } : { readout: undefined }) };
}

function alignBasis(view: ViewData, reference: ViewData, basis: 'pca' | 'readout', opts: AlignOptions): { fit: BasisFit; turned: ProjectedView } {
  const own = basis === 'pca' ? view.projection.pca : view.projection.readout;
  const ref = basis === 'pca' ? reference.projection.pca : reference.projection.readout;
  if (!own || !ref) throw new Error(`alignView: no ${basis} basis`);
  const pairs = matchingPoints(view, reference, opts);
  if (pairs.length < MIN_POINTS) return { fit: { reason: 'the seeds share too few evaluation points to align' }, turned: own };
  const x = new Float64Array(pairs.length * 3);
  const y = new Float64Array(pairs.length * 3);
  pairs.forEach(([i, j], k) => {
    writeWorld(x, k, own, i);
    writeWorld(y, k, ref, j);
  });
  const fit = procrustes3(x, y);
  if (!Number.isFinite(fit.angleDeg)) return { fit: { reason: 'a picture without spread cannot be aligned' }, turned: own };
  const labels = ref.axis_labels.map((l) => `${opts.tag} ${l}`) as unknown as readonly [string, string, string];
  return { fit, turned: turnView(own, fit.rotation, labels) };
}

/**
 * Index pairs (point in view, point in reference) of the same trial at the same grid step,
 * for the steps with k·dt ≥ tMin; all shared steps when no step is that late.
 */
export function matchingPoints(view: ViewData, reference: ViewData, opts: Pick<AlignOptions, 'dt' | 'tMin'>): [number, number][] {
  const a = view.projection;
  const b = reference.projection;
  const stepIn = new Map(b.steps.map((k, s) => [k, s]));
  const trialIn = new Map(b.trials.map((t, i) => [t, i]));
  const shared = a.steps.flatMap((k, s) => {
    const r = stepIn.get(k);
    return r === undefined ? [] : [{ k, s, r }];
  });
  const late = shared.filter(({ k }) => k * opts.dt >= opts.tMin - 1e-9);
  const steps = late.length > 0 ? late : shared;
  const pairs: [number, number][] = [];
  a.trials.forEach((t, i) => {
    const j = trialIn.get(t);
    if (j === undefined) return;
    for (const { s, r } of steps) pairs.push([i * a.steps.length + s, j * b.steps.length + r]);
  });
  return pairs;
}

/** Point p of a view as drawn: (p − centre) / scale. */
function writeWorld(out: Float64Array, k: number, pv: ProjectedView, p: number): void {
  const scale = pv.scale > 0 && Number.isFinite(pv.scale) ? pv.scale : 1;
  for (let j = 0; j < 3; j++) out[3 * k + j] = ((pv.trajectories[3 * p + j] ?? 0) - (pv.centre[j] ?? 0)) / scale;
}

/**
 * The view with its picture turned by R about the centre: points c + R(p − c), axes R·A (the
 * rows a_j of the basis mixed as the picture's axes now are), readouts R·coords and R·arrow
 * (their fraction and angle are properties of the 3-D subspace, which R does not change).
 * The variance along each new axis is Σ_i R_ji² var_i: exact for the PC basis, whose axes are
 * uncorrelated; the total, and so the scale, is unchanged.
 */
export function turnView(pv: ProjectedView, r: Mat3, labels: readonly [string, string, string]): ProjectedView {
  const c = pv.centre;
  const trajectories = new Float32Array(pv.trajectories.length);
  for (let o = 0; o < trajectories.length; o += 3) {
    const p = apply3(r, [(pv.trajectories[o] ?? 0) - c[0], (pv.trajectories[o + 1] ?? 0) - c[1], (pv.trajectories[o + 2] ?? 0) - c[2]]);
    trajectories[o] = c[0] + p[0];
    trajectories[o + 1] = c[1] + p[1];
    trajectories[o + 2] = c[2] + p[2];
  }
  const N = pv.axes.length / 3;
  const axes = new Float64Array(pv.axes.length);
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 3; i++) {
      const w = r[3 * j + i] ?? 0;
      for (let n = 0; n < N; n++) axes[j * N + n] = (axes[j * N + n] ?? 0) + w * (pv.axes[i * N + n] ?? 0);
    }
  }
  const variance = pv.axis_variance;
  const axisVariance: Vec3 = [0, 1, 2].map((j) => [0, 1, 2].reduce((s, i) => s + (r[3 * j + i] ?? 0) ** 2 * (variance[i] ?? 0), 0)) as Vec3;
  return {
    ...pv,
    axes,
    axis_labels: labels,
    trajectories,
    axis_variance: axisVariance,
    readouts: pv.readouts.map((ro) => ({ ...ro, coords: apply3(r, ro.coords), arrow: apply3(r, ro.arrow) })),
  };
}
