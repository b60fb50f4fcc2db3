import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../app/engine/backend.js';
import { activate } from '../../app/engine/model/activations.js';
import { denseLayer } from '../../app/engine/model/dense.js';
import { Mlp } from '../../app/engine/model/mlp.js';
import { Rng } from '../../app/engine/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('dense layer with explicit-transpose gradient', () => {
  it("gives the same value and gradients as tfjs's own matMul + add", () => {
    const rng = new Rng(5);
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(37 * 5)), [37, 5]);
    const w = tf.tensor2d(rng.fillNormal(new Float32Array(5 * 11)), [5, 11]);
    const b = tf.tensor1d(rng.fillNormal(new Float32Array(11)));
    const probe = tf.tensor2d(rng.fillNormal(new Float32Array(37 * 11)), [37, 11]);
    const loss = (f: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D) => (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
      tf.sum(tf.mul(tf.tanh(f(xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D)), probe)) as tf.Scalar;
    const ours = tf.grads(loss(denseLayer))([x, w, b]);
    const stock = tf.grads(loss((x, w, b) => tf.add(tf.matMul(x, w), b)))([x, w, b]);
    expect(maxAbsDiff(denseLayer(x, w, b).dataSync(), tf.add(tf.matMul(x, w), b).dataSync())).toBeLessThan(1e-5);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(ours[i].dataSync(), stock[i].dataSync())).toBeLessThan(1e-4);
  });
});

describe('MLP vector field', () => {
  it('starts with PyTorch nn.Linear bounds: |w|, |b| <= 1/sqrt(fan_in)', () => {
    const mlp = Mlp.create({ dim: 2, width: 64, depth: 3, activation: 'selu', timeFrequencies: 0 }, new Rng(1));
    const shapes = Mlp.shapes(mlp.config);
    mlp.getWeights().forEach((values, i) => {
      const fanIn = shapes[i - (i % 2)][0];
      const bound = 1 / Math.sqrt(fanIn);
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
      // Weight matrices are large enough that their extreme values approach the bound.
      if (i % 2 === 0) expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    });
    mlp.dispose();
  });

  it('velocity(t, x) equals the network applied to rows [x, t] built on the CPU', () => {
    for (const timeFrequencies of [0, 3]) {
      const mlp = Mlp.create({ dim: 3, width: 16, depth: 2, activation: 'gelu', timeFrequencies }, new Rng(2));
      const x = new Rng(3).fillNormal(new Float32Array(10 * 3));
      const t = 0.37;
      const viaVelocity = mlp.velocity(t, tf.tensor2d(x, [10, 3])).dataSync();
      const rows = mlp.inputRows(x, new Float32Array(10).fill(t), 10);
      const viaRows = mlp.forward(tf.tensor2d(rows, [10, mlp.inputWidth])).dataSync();
      expect(maxAbsDiff(viaVelocity, viaRows)).toBeLessThan(1e-6);
      mlp.dispose();
    }
  });

  it("SELU gives tfjs's own selu value and gradient (it is computed differently for speed)", () => {
    const x = tf.tensor2d(new Rng(6).fillNormal(new Float32Array(40 * 7), 2), [40, 7]);
    const probe = tf.tensor2d(new Rng(7).fillNormal(new Float32Array(40 * 7)), [40, 7]);
    const f = (act: (x: tf.Tensor2D) => tf.Tensor2D) => (xs: tf.Tensor) => tf.sum(tf.mul(act(xs as tf.Tensor2D), probe)) as tf.Scalar;
    expect(maxAbsDiff(activate('selu', x).dataSync(), tf.selu(x).dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(tf.grad(f((v) => activate('selu', v)))(x).dataSync(), tf.grad(f((v) => tf.selu(v)))(x).dataSync())).toBeLessThan(1e-5);
  });

  it('every activation is differentiable end to end', () => {
    for (const activation of ['selu', 'silu', 'relu', 'elu', 'tanh', 'gelu'] as const) {
      const mlp = Mlp.create({ dim: 2, width: 8, depth: 2, activation, timeFrequencies: 0 }, new Rng(4));
      const input = tf.tensor2d(new Rng(5).fillNormal(new Float32Array(6 * 3)), [6, 3]);
      const { grads } = tf.variableGrads(() => tf.mean(tf.square(mlp.forward(input))) as tf.Scalar, mlp.params);
      for (const p of mlp.params) expect(Number.isFinite(tf.sum(tf.abs(grads[p.name])).dataSync()[0])).toBe(true);
      tf.dispose(Object.values(grads));
      mlp.dispose();
    }
  });
});
