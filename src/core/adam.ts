/**
 * Adam with PyTorch's semantics (docs/science.md §2: betas 0.9/0.999, eps 1e-8, no weight
 * decay, no clipping), written out so the moments can be checkpointed and the update
 * matches torch.optim.Adam term for term:
 *   m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2
 *   w <- w - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** number of updates applied so far */
  t = 0;
  private readonly slots = new Map<tf.Variable, Slot>();

  constructor(opts: AdamOptions) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
  }

  /** Applies one update to every variable that has a gradient. Does not dispose the gradients. */
  apply(grads: ReadonlyArray<readonly [tf.Variable, tf.Tensor]>): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    const stepSize = this.lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    for (const [variable, g] of grads) {
      const slot = this.slot(variable);
      tf.tidy(() => {
        const m = tf.add(tf.mul(slot.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), this.eps);
        slot.m.assign(m);
        slot.v.assign(v);
        variable.assign(tf.sub(variable, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  /** Copies of the moments of `variable` (zeros before its first update). */
  moments(variable: tf.Variable): { m: Float32Array; v: Float32Array } {
    const s = this.slot(variable);
    return { m: Float32Array.from(s.m.dataSync()), v: Float32Array.from(s.v.dataSync()) };
  }

  /** Sets the moments of `variable`: a run continued on another backend goes on where it was. */
  setMoments(variable: tf.Variable, m: Float32Array, v: Float32Array): void {
    const s = this.slot(variable);
    tf.tidy(() => {
      s.m.assign(tf.tensor(m, variable.shape));
      s.v.assign(tf.tensor(v, variable.shape));
    });
  }

  private slot(variable: tf.Variable): Slot {
    let s = this.slots.get(variable);
    if (!s) {
      s = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) }));
      this.slots.set(variable, s);
    }
    return s;
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}
