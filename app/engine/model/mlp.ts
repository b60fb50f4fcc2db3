/**
 * The vector field v_theta(t, x): an MLP on [x, time features] with `depth`
 * hidden layers of `width` units (TorchCFM's MLP is depth 3, width 64, SELU).
 * Weights start as PyTorch's nn.Linear does, U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * drawn from the run's Rng so a seed fixes them on every backend.
 */
import { tf } from '../backend.js';
import type { Rng } from '../rng.js';
import { activate, type ActivationName } from './activations.js';
import { denseLayer } from './dense.js';
import { timeFeatureCount, writeTimeFeatures } from './timeEmbedding.js';
import { readVariables, writeVariables } from './variables.js';

export interface MlpConfig {
  dim: number;
  width: number;
  depth: number;
  activation: ActivationName;
  /** 0: t is one input column; K > 0: 2K sinusoidal features. */
  timeFrequencies: number;
}

export class Mlp {
  readonly config: MlpConfig;
  readonly inputWidth: number;
  /** [w0, b0, w1, b1, ...], trainable. */
  readonly params: tf.Variable[];

  private constructor(config: MlpConfig, values: Float32Array[]) {
    this.config = config;
    this.inputWidth = config.dim + timeFeatureCount(config.timeFrequencies);
    const shapes = Mlp.shapes(config);
    if (values.length !== shapes.length) {
      throw new Error(`Mlp: expected ${shapes.length} weight arrays, got ${values.length}`);
    }
    this.params = shapes.map((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      if (values[i].length !== size) throw new Error(`Mlp: weight ${i} has ${values[i].length} values, expected ${size}`);
      return tf.tidy(() => tf.variable(tf.tensor(values[i], shape), true, undefined, 'float32'));
    });
  }

  static shapes(c: MlpConfig): number[][] {
    const widths = [c.dim + timeFeatureCount(c.timeFrequencies), ...Array<number>(c.depth).fill(c.width), c.dim];
    const shapes: number[][] = [];
    for (let i = 0; i + 1 < widths.length; i++) shapes.push([widths[i], widths[i + 1]], [widths[i + 1]]);
    return shapes;
  }

  static create(config: MlpConfig, rng: Rng): Mlp {
    const values = Mlp.shapes(config).map((shape, i, all) => {
      const fanIn = shape.length === 2 ? shape[0] : all[i - 1][0];
      const bound = 1 / Math.sqrt(fanIn);
      return rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -bound, bound);
    });
    return new Mlp(config, values);
  }

  static fromWeights(config: MlpConfig, values: Float32Array[]): Mlp {
    return new Mlp(config, values);
  }

  /** Input rows [x_i, features(t_i)] built on the CPU, ready for one upload. */
  inputRows(x: Float32Array, t: Float32Array, n: number): Float32Array {
    const { dim, timeFrequencies } = this.config;
    const w = this.inputWidth;
    const out = new Float32Array(n * w);
    for (let i = 0; i < n; i++) {
      out.set(x.subarray(i * dim, (i + 1) * dim), i * w);
      writeTimeFeatures(t[i], timeFrequencies, out, i * w + dim);
    }
    return out;
  }

  forward(input: tf.Tensor2D): tf.Tensor2D {
    const p = this.params;
    let h = input;
    const layers = p.length / 2;
    for (let l = 0; l < layers; l++) {
      h = denseLayer(h, p[2 * l] as tf.Tensor2D, p[2 * l + 1] as tf.Tensor1D);
      if (l < layers - 1) h = activate(this.config.activation, h);
    }
    return h;
  }

  /** v(t, x) for one t shared by the batch: what the ODE solvers call. */
  velocity(t: number, x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const k = timeFeatureCount(this.config.timeFrequencies);
      const feats = new Float32Array(k);
      writeTimeFeatures(t, this.config.timeFrequencies, feats, 0);
      const n = x.shape[0];
      const tcol = tf.tile(tf.tensor2d(feats, [1, k]), [n, 1]);
      return this.forward(tf.concat([x, tcol], 1) as tf.Tensor2D);
    });
  }

  getWeights(): Float32Array[] {
    return readVariables(this.params);
  }

  setWeights(values: Float32Array[]): void {
    writeVariables(this.params, values);
  }

  parameterCount(): number {
    return this.params.reduce((s, p) => s + p.size, 0);
  }

  dispose(): void {
    for (const p of this.params) p.dispose();
  }
}
