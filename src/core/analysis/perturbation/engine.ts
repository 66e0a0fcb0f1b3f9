/**
 * The batched perturbation engine: many perturbed copies of the evaluation batch run as
 * trials of one noise-free simulation (docs/science.md §4.6; docs/performance.md).
 *
 * A group is the B trials of the evaluation batch restarted at grid index `step` from
 * x_pre(step) + A v_b. All groups of a chunk share one [rows, N] state: the simulation
 * starts at the chunk's earliest step and appends each group's rows when its step comes,
 * so no group simulates the steps before its perturbation, and the input drive of every
 * row is the one of its own trial. Only the outputs at scored steps are read back, and
 * only their masked squared errors are kept. Chunks bound the memory (maxRows rows).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../../model';
import { driveFor, forwardStep, stepWeights } from '../../dynamics';
import { at } from '../../checked';

export interface PerturbedGroup {
  /** grid index k_p at which the state is replaced */
  step: number;
  amplitude: number;
  /** B unit vectors [B][N]; called once, when the group's rows are built */
  directions(): Float32Array;
}

export interface ScoredWindow {
  /** [T][B][dOut] */
  mask: Float32Array;
  targets: Float32Array;
  /** the simulation stops at this grid index (the last scored one) */
  lastStep: number;
}

export interface EngineOptions {
  /** rows (trials) simulated together at most; default about 2^21 / N, at least one group */
  maxRows?: number;
}

/** Progress of a long experiment, yielded after each chunk. */
export interface EngineProgress {
  groupsDone: number;
  groupsTotal: number;
}

/**
 * Sum over steps k >= group.step, trials and outputs of mask (z_k - y_k)^2 for each group.
 * Yields after each chunk (a caller can report progress or stop: leaving the loop
 * disposes everything) and returns the sums.
 * @param inputs the batch's inputs [T][B][dIn]
 * @param xPre the unperturbed states [T][B][N] the perturbations start from
 */
export async function* perturbedErrors(
  net: Network,
  dt: number,
  B: number,
  inputs: Float32Array,
  xPre: Float32Array,
  groups: readonly PerturbedGroup[],
  scored: ScoredWindow,
  opts: EngineOptions = {},
): AsyncGenerator<EngineProgress, Float64Array> {
  const { N, dOut } = net;
  const errors = new Float64Array(groups.length);
  const order = groups.map((_, i) => i).sort((a, b) => at(groups, a).step - at(groups, b).step || a - b);
  const perChunk = Math.max(1, Math.floor((opts.maxRows ?? Math.max(B, (1 << 21) / N)) / B));
  const w = stepWeights(net.W, dt);
  const wOutT = tf.tidy(() => tf.transpose(net.W_out) as tf.Tensor2D);
  try {
    for (let start = 0; start < order.length; start += perChunk) {
      const chunk = order.slice(start, start + perChunk);
      simulateChunk(net, dt, B, N, dOut, inputs, xPre, groups, chunk, scored, w, wOutT, errors);
      yield { groupsDone: Math.min(order.length, start + perChunk), groupsTotal: order.length };
    }
  } finally {
    w.Wfwd.dispose();
    wOutT.dispose();
  }
  return errors;
}

/** Runs a generator to its end and returns its value (for callers that need no progress). */
export async function drain<R>(gen: AsyncGenerator<unknown, R>): Promise<R> {
  for (;;) {
    const r = await gen.next();
    if (r.done) return r.value;
  }
}

function simulateChunk(
  net: Network,
  dt: number,
  B: number,
  N: number,
  dOut: number,
  inputs: Float32Array,
  xPre: Float32Array,
  groups: readonly PerturbedGroup[],
  chunk: readonly number[],
  scored: ScoredWindow,
  w: ReturnType<typeof stepWeights>,
  wOutT: tf.Tensor2D,
  errors: Float64Array,
): void {
  const drive = driveFor(net, dt, B, 0, null);
  const driveB = new Float32Array(B * N);
  const maxRows = chunk.length * B;
  const c = new Float32Array(maxRows * N);
  const active: number[] = [];
  let x: tf.Tensor2D | null = null;
  let next = 0;
  const per = B * dOut;
  try {
    for (let k = at(groups, at(chunk, 0)).step; ; k++) {
      // Groups perturbed at k join with x_pre(k) + A v.
      const joining: number[] = [];
      while (next < chunk.length && at(groups, at(chunk, next)).step === k) joining.push(chunk[next++] ?? 0);
      if (joining.length) {
        const block = new Float32Array(joining.length * B * N);
        const pre = xPre.subarray(k * B * N, (k + 1) * B * N);
        joining.forEach((g, j) => {
          const { amplitude, directions } = at(groups, g);
          const v = directions();
          const o = j * B * N;
          for (let i = 0; i < B * N; i++) block[o + i] = (pre[i] ?? 0) + amplitude * (v[i] ?? 0);
        });
        const added = tf.tensor2d(block, [joining.length * B, N]);
        if (x) {
          const joined: tf.Tensor2D = tf.concat([x, added], 0);
          x.dispose();
          added.dispose();
          x = joined;
        } else {
          x = added;
        }
        active.push(...joining);
      }
      if (!x) throw new Error('perturbedErrors: a chunk started without a group');

      if (isScored(scored.mask, k, per)) {
        const zt = tf.matMul(x, wOutT);
        const z = zt.dataSync();
        zt.dispose();
        active.forEach((g, j) => {
          let s = 0;
          for (let i = 0; i < per; i++) {
            const m = scored.mask[k * per + i] ?? 0;
            if (m === 0) continue;
            const e = (z[j * per + i] ?? 0) - (scored.targets[k * per + i] ?? 0);
            s += m * e * e;
          }
          errors[g] = (errors[g] ?? 0) + s;
        });
      }
      if (k >= scored.lastStep) break;

      drive.fill(k, inputs, driveB);
      const rows = active.length * B;
      for (let j = 0; j < active.length; j++) c.set(driveB, j * B * N);
      const { q, next: x1 } = forwardStep(x, tf.tensor2d(c.subarray(0, rows * N), [rows, N]), w);
      q.dispose();
      x.dispose();
      x = x1;
    }
  } finally {
    x?.dispose();
  }
}

function isScored(mask: Float32Array, k: number, per: number): boolean {
  for (let i = 0; i < per; i++) if (mask[k * per + i] !== 0) return true;
  return false;
}
