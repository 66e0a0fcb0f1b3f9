/**
 * One optimiser step: the loss and gradients of one batch (bptt.ts), a finiteness check,
 * and the Adam update, in one tf.tidy. Training (train.ts) and `rnnlab bench` both call
 * this, so the bench times what training runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from './model';
import type { Adam } from './adam';
import { lossAndGrads, type BatchRun, type BpttOptions, type ParamName } from './bptt';

/** A run that diverged (NaN or Inf in the loss, the states or the gradients). */
export class DivergenceError extends Error {
  constructor(
    readonly step: number,
    what: string,
    lr0: number,
  ) {
    super(
      `Training diverged at step ${step}: ${what} is not finite. Try a smaller learning rate, e.g. training.lr0: ${+(lr0 / 4).toPrecision(2)}.`,
    );
    this.name = 'DivergenceError';
  }
}

/** One optimiser step in one tf.tidy; refuses to apply non-finite gradients. */
export function trainStep(
  net: Network,
  adam: Adam,
  dt: number,
  batchRun: BatchRun,
  step: number,
  lr0: number,
  opts: BpttOptions = {},
): { loss: number; gradRms: number } {
  return tf.tidy(() => {
    const { loss, grads } = lossAndGrads(net, dt, batchRun, opts);
    if (!Number.isFinite(loss)) throw new DivergenceError(step, 'the loss', lr0);
    // A NaN state after the last masked step cannot reach the loss but does reach dW.
    let sq = 0;
    let count = 0;
    for (const g of grads.values()) {
      sq += tf.sum(tf.square(g)).dataSync()[0] ?? NaN;
      count += g.size;
    }
    if (!Number.isFinite(sq)) throw new DivergenceError(step, 'the gradient (so the states)', lr0);
    adam.apply([...grads].map(([name, g]) => [variableOf(net, name), g] as const));
    return { loss, gradRms: count ? Math.sqrt(sq / count) : 0 };
  });
}

function variableOf(net: Network, name: ParamName): tf.Variable {
  if (name === 'W') return net.W;
  if (name === 'W_out') return net.W_out;
  if (!net.W_in) throw new Error('W_in has a gradient but the network has no input weights.');
  return net.W_in;
}
