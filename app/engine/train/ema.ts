/**
 * Exponential moving average of the weights, ema <- d ema + (1 - d) p after
 * each step (d warms up to the chosen decay, see update); samples from EMA
 * weights are usually cleaner than from the last iterate. Kept on the device
 * so it costs no read-back per step.
 */
import { tf } from '../backend.js';
import { readVariables, writeVariables } from '../model/variables.js';

export class Ema {
  readonly decay: number;
  private readonly shadow: tf.Variable[];

  constructor(params: tf.Variable[], decay: number) {
    this.decay = decay;
    // tidy frees the temporary; the variable keeps its own reference to the data.
    this.shadow = tf.tidy(() => params.map((p) => tf.variable(p.clone(), false)));
  }

  /**
   * After optimisation step `step` (0-based). The decay warms up as
   * min(decay, (1 + step) / (10 + step)), as common EMA implementations do, so
   * a short run's EMA is not stuck near its random initial weights.
   */
  update(params: tf.Variable[], step: number): void {
    const d = Math.min(this.decay, (1 + step) / (10 + step));
    tf.tidy(() => params.forEach((p, i) => this.shadow[i].assign(tf.add(tf.mul(this.shadow[i], d), tf.mul(p, 1 - d)))));
  }

  getWeights(): Float32Array[] {
    return readVariables(this.shadow);
  }

  setWeights(values: Float32Array[]): void {
    writeVariables(this.shadow, values);
  }

  dispose(): void {
    for (const s of this.shadow) s.dispose();
  }
}
