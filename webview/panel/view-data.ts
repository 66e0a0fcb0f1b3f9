/**
 * Unpacking the 3D view's data (a ViewData envelope from the worker or the run store)
 * with its shape checked, so a stale or damaged stored run gives a sentence, not a
 * renderer crash.
 */
import { fromEnvelope, type Envelope } from '../../src/core/pack';
import type { ProjectedView } from '../../src/core/analysis/projection';
import type { ViewData } from '../../src/protocol';

export function decodeViewData(env: Envelope): ViewData {
  const v = fromEnvelope<ViewData>(env);
  const p = v?.projection;
  if (!p || !Array.isArray(p.trials) || !Array.isArray(p.steps)) throw new Error('The view data has no projection with trials and steps.');
  checkView(p.pca, 'pca', p.trials.length, p.steps.length);
  if (p.readout !== null) checkView(p.readout, 'readout', p.trials.length, p.steps.length);
  if (!(v.condition instanceof Int32Array) || !Array.isArray(v.conditionLabels)) throw new Error('The view data has no conditions.');
  for (const b of p.trials) {
    if (!Number.isInteger(b) || b < 0 || b >= v.condition.length) throw new Error(`The view data draws trial ${b}, which has no condition.`);
  }
  return v;
}

function checkView(pv: ProjectedView | undefined, name: string, trials: number, steps: number): void {
  if (!pv) throw new Error(`The view data lacks the ${name} basis.`);
  if (!(pv.trajectories instanceof Float32Array) || pv.trajectories.length !== trials * steps * 3) {
    throw new Error(`The ${name} trajectories should hold ${trials} trials x ${steps} steps x 3 values.`);
  }
  const vec3 = (x: unknown) => Array.isArray(x) && x.length === 3 && x.every((n) => typeof n === 'number');
  if (!vec3(pv.centre) || typeof pv.scale !== 'number') throw new Error(`The ${name} view has no centre or scale.`);
  if (!Array.isArray(pv.axis_labels) || pv.axis_labels.length !== 3 || !pv.axis_labels.every((l) => typeof l === 'string')) throw new Error(`The ${name} view has no axis labels.`);
  if (!Array.isArray(pv.readouts)) throw new Error(`The ${name} view has no readouts.`);
  for (const r of pv.readouts as unknown[]) {
    const o = r as Partial<Record<'arrow' | 'fraction' | 'angle_deg', unknown>> | null;
    if (typeof o !== 'object' || o === null || !vec3(o.arrow) || typeof o.fraction !== 'number' || typeof o.angle_deg !== 'number') throw new Error(`A readout of the ${name} view lacks arrow, fraction or angle.`);
  }
}
