// Fixtures shared by the browser tests: specs, host messages, a constructed view with
// known readouts, and waits on what the page posts.
import { hexRgb, waitFor } from './harness.mjs';
import { PROTOCOL_VERSION } from '../../src/protocol/version.ts';

export const TINY = `
name: tiny
task: { kind: cycling, response: 11 }
network: { N: 16, train: [recurrent] }
training: { steps: 20, batch: 8, lr0: 0.05 }
evaluation: { batch: 8, every: 5, t_min: 1 }
view: { trials: 8 }
variants:
  - { name: aligned, network: { output_scale: small } }
  - { name: oblique, network: { output_scale: large } }
`;

/** Long enough to be still training when checked, also on the fused kernel (a tiny step there takes microseconds). */
export const LONG_STEPS = 400_000;
export const LONG = TINY.replace('steps: 20', `steps: ${LONG_STEPS}`).replace('every: 5', 'every: 20000');
export const MEDIUM = TINY.replace('N: 16', 'N: 64').replace('steps: 20', 'steps: 400').replace('every: 5', 'every: 20').replace('response: 11', 'response: 31');

export const DEFAULT_PREFS = { basis: 'pca', time: 1, finalMeasure: 'rho' };
export const BG = { dark: hexRgb('#1f1f1f'), light: hexRgb('#ffffff'), 'high-contrast': hexRgb('#000000') };
export const FG_DARK = hexRgb('#cccccc');
/** Condition-coloured pixels a trained view must show (a 4:3 view here is about 440 x 330 px). */
export const MIN_TRAJECTORY_PIXELS = 400;

export const canvasOf = (page, variant) => page.locator(`figure.view[data-variant="${variant}"] canvas.view-canvas`);
export const lastStatus = async (host) => (await host.posted('status')).at(-1);
/** The host's training session: results name its id, the page keeps its folder for a reload. */
export const SESSION = { id: 'session-1', dir: '/ws/.rnnlab/runs/tiny-20260101-000000' };
export const init = (runs, autoStart, session = SESSION) => ({ type: 'init', version: PROTOCOL_VERSION, specName: 'tiny', specFile: '/ws/tiny.rnn.yaml', runs, autoStart, maxWorkers: 0, ...(autoStart ? { session } : {}) });
export const train = (runs, session = SESSION) => ({ type: 'train', runs, session, maxWorkers: 0 });
/** As the host's stored-run panel sends one run folder. */
export const stored = (data, purpose = 'stored') => ({ type: 'showRuns', purpose, runs: [data] });
/** Resources a page fetched to start a training worker: the worker bundle and a wasm binary. */
export const workerFetches = (page) => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /worker\.js|\.wasm/.test(n)));

export async function finishedRuns(host, n, timeoutMs = 60_000) {
  return waitFor(`${n} runFinished`, async () => {
    const failed = await host.posted('runFailed');
    if (failed.length) throw new Error(`run failed: ${failed[0].message}`);
    const done = await host.posted('runFinished');
    return done.length >= n ? done : null;
  }, timeoutMs);
}

/**
 * A ViewData with a known readout: `fraction` of w_out in view, `angle` degrees out of it;
 * `dirs` gives one unit direction per readout (default one, in the PC1-PC2 plane).
 */
export function constructedView(fraction, angle, dirs = [[0.6, 0.8, 0]]) {
  const trials = 4;
  const steps = 60;
  const N = 8;
  const traj = new Float32Array(trials * steps * 3);
  for (let b = 0; b < trials; b++) {
    for (let k = 0; k < steps; k++) {
      const a = (k / (steps - 1)) * 1.6 * Math.PI + b * 0.4;
      const r = 1 + 1.2 * (k / steps);
      const o = (b * steps + k) * 3;
      traj[o] = r * Math.cos(a) * (b % 2 ? 1 : -1);
      traj[o + 1] = r * Math.sin(a);
      traj[o + 2] = 0.3 * Math.sin(3 * a) + (b - 1.5) * 0.15;
    }
  }
  const scale = 1.6;
  const readouts = dirs.map((dir) => ({ coords: dir.map((d) => d * fraction), fraction, angle_deg: angle, arrow: dir.map((d) => d * fraction * scale) }));
  const view = (labels) => ({
    axes: new Float64Array(3 * N), axis_labels: labels, trajectories: traj, centre: [0, 0, 0], scale,
    axis_variance: [1, 0.8, 0.05], readouts,
  });
  return {
    projection: {
      trials: [0, 1, 2, 3],
      steps: Array.from({ length: steps }, (_, k) => k),
      pca: view(['PC1', 'PC2', 'PC3']),
      readout: view(['w_out,1', 'PC1 without w_out,1', 'PC2 without w_out,1']),
    },
    condition: new Int32Array([0, 1, 0, 1]),
    conditionLabels: ['context 1 (+)', 'context 2 (-)'],
  };
}

