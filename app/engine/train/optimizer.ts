/**
 * Adam (Kingma & Ba) and AdamW (Loshchilov & Hutter) on tfjs variables, with
 * optional clipping of the global gradient norm. Written here rather than
 * taken from tf.train because AdamW's decoupled decay is missing there and the
 * moment estimates must round-trip through our checkpoints exactly.
 *
 *   g <- g * min(1, clip / ||g||)                 (if clip > 0)
 *   adam:  g <- g + wd * p                         (L2, as torch.optim.Adam)
 *   m <- b1 m + (1-b1) g,  v <- b2 v + (1-b2) g^2
 *   p <- p - lr * (m / (1-b1^k)) / (sqrt(v / (1-b2^k)) + eps)
 *   adamw: p <- p - lr * wd * p                    (decoupled, before the step)
 */
import { tf } from '../backend.js';
import { readVariables, writeVariables } from '../model/variables.js';

import type { OptimizerName } from './optimizerNames.js';

export { OPTIMIZERS, type OptimizerName } from './optimizerNames.js';

export interface OptimizerConfig {
  name: OptimizerName;
  weightDecay: number;
  /** Max global gradient norm; 0 disables clipping. */
  gradClip: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface OptimizerState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class AdamOptimizer {
  private readonly cfg: Required<OptimizerConfig>;
  private readonly params: tf.Variable[];
  private m: tf.Variable[];
  private v: tf.Variable[];
  private k = 0;

  constructor(params: tf.Variable[], cfg: OptimizerConfig) {
    this.cfg = { beta1: 0.9, beta2: 0.999, eps: 1e-8, ...cfg };
    this.params = params;
    this.m = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p), false)));
    this.v = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p), false)));
  }

  /** Applies one update; grads[i] belongs to params[i]. Does not dispose grads. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.k += 1;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, gradClip, name } = this.cfg;
    const c1 = 1 - b1 ** this.k;
    const c2 = 1 - b2 ** this.k;
    tf.tidy(() => {
      let gs = grads;
      if (gradClip > 0) {
        const sq = tf.addN(gs.map((g) => tf.sum(tf.square(g))));
        // Kept on the device: no read-back, so GPU backends are not synchronised.
        const scale = tf.minimum(1, tf.div(gradClip, tf.add(tf.sqrt(sq), 1e-6)));
        gs = gs.map((g) => tf.mul(g, scale));
      }
      this.params.forEach((p, i) => {
        let g = gs[i];
        if (name === 'adam' && wd > 0) g = tf.add(g, tf.mul(p, wd));
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        let base: tf.Tensor = p;
        if (name === 'adamw' && wd > 0) base = tf.mul(p, 1 - lr * wd);
        const update = tf.div(tf.mul(m, lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        p.assign(tf.sub(base, update));
      });
    });
  }

  getState(): OptimizerState {
    return { step: this.k, m: readVariables(this.m), v: readVariables(this.v) };
  }

  setState(s: OptimizerState): void {
    this.k = s.step;
    writeVariables(this.m, s.m);
    writeVariables(this.v, s.v);
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
