import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../app/engine/backend.js';
import { AdamOptimizer, type OptimizerConfig } from '../../app/engine/train/optimizer.js';
import { learningRate } from '../../app/engine/train/schedule.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Adam/AdamW written out in float64, as the papers state them. */
function referenceAdam(p0: number[], gradOf: (p: number[]) => number[], cfg: OptimizerConfig, lr: number, steps: number): number[] {
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  let p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  for (let k = 1; k <= steps; k++) {
    let g = gradOf(p);
    if (cfg.gradClip > 0) {
      const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
      const scale = Math.min(1, cfg.gradClip / (norm + 1e-6));
      g = g.map((x) => x * scale);
    }
    if (cfg.name === 'adam') g = g.map((x, i) => x + cfg.weightDecay * p[i]);
    p = p.map((pi, i) => {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const base = cfg.name === 'adamw' ? pi * (1 - lr * cfg.weightDecay) : pi;
      return base - (lr * (m[i] / (1 - b1 ** k))) / (Math.sqrt(v[i] / (1 - b2 ** k)) + eps);
    });
  }
  return p;
}

describe('Adam and AdamW', () => {
  const target = [1.5, -2, 0.25, 4];
  const start = [0, 0.5, -1, 2];
  // f(p) = sum (p - target)^2 * weights: gradients of different sizes per coordinate.
  const weights = [1, 10, 0.1, 3];
  const gradOf = (p: number[]) => p.map((x, i) => 2 * weights[i] * (x - target[i]));

  for (const cfg of [
    { name: 'adam', weightDecay: 0, gradClip: 0 },
    { name: 'adam', weightDecay: 0.1, gradClip: 0 },
    { name: 'adamw', weightDecay: 0.1, gradClip: 0 },
    { name: 'adamw', weightDecay: 0, gradClip: 0.5 },
  ] as OptimizerConfig[]) {
    it(`${cfg.name} (weight decay ${cfg.weightDecay}, clip ${cfg.gradClip}) follows the textbook update for 20 steps`, () => {
      const p = tf.variable(tf.tensor1d(start));
      const opt = new AdamOptimizer([p], cfg);
      const w = tf.tensor1d(weights);
      const tgt = tf.tensor1d(target);
      for (let k = 0; k < 20; k++) {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(w, tf.square(tf.sub(p, tgt)))) as tf.Scalar, [p]);
        opt.apply([grads[p.name]], 0.05);
        tf.dispose(Object.values(grads));
      }
      const expected = referenceAdam(start, gradOf, cfg, 0.05, 20);
      Array.from(p.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 4));
      opt.dispose();
      tf.dispose([p, w, tgt]);
    });
  }

  it('state saved and restored continues the same trajectory', () => {
    const run = (restoreAt: number | null) => {
      const p = tf.variable(tf.tensor1d(start));
      let opt = new AdamOptimizer([p], { name: 'adam', weightDecay: 0, gradClip: 0 });
      const tgt = tf.tensor1d(target);
      for (let k = 0; k < 10; k++) {
        if (k === restoreAt) {
          const state = opt.getState();
          opt.dispose();
          opt = new AdamOptimizer([p], { name: 'adam', weightDecay: 0, gradClip: 0 });
          opt.setState(state);
        }
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(p, tgt))) as tf.Scalar, [p]);
        opt.apply([grads[p.name]], 0.1);
        tf.dispose(Object.values(grads));
      }
      const out = Array.from(p.dataSync());
      opt.dispose();
      tf.dispose([p, tgt]);
      return out;
    };
    expect(run(5)).toEqual(run(null));
  });
});

describe('learning-rate schedules', () => {
  it('warm up linearly, then hold, or decay to zero by cosine or linearly', () => {
    expect(learningRate(0, 100, 1, 'constant', 10)).toBeCloseTo(0.1);
    expect(learningRate(9, 100, 1, 'constant', 10)).toBeCloseTo(1);
    expect(learningRate(50, 100, 1, 'constant', 0)).toBe(1);
    expect(learningRate(0, 100, 1, 'cosine', 0)).toBeCloseTo(1);
    expect(learningRate(50, 100, 1, 'cosine', 0)).toBeCloseTo(0.5);
    expect(learningRate(100, 100, 1, 'cosine', 0)).toBeCloseTo(0);
    expect(learningRate(75, 100, 2, 'linear', 0)).toBeCloseTo(0.5);
  });
});

describe('EMA of the weights', () => {
  it('warms up: decay min(d, (1 + k) / (10 + k)) at step k, then the chosen decay', async () => {
    const { Ema } = await import('../../app/engine/train/ema.js');
    const p = tf.variable(tf.tensor1d([0]));
    const ema = new Ema([p], 0.9);
    let expected = 0;
    for (let k = 0; k < 40; k++) {
      p.assign(tf.tensor1d([k + 1]));
      ema.update([p], k);
      const d = Math.min(0.9, (1 + k) / (10 + k));
      expected = d * expected + (1 - d) * (k + 1);
      expect(ema.getWeights()[0][0]).toBeCloseTo(expected, 3);
    }
    ema.dispose();
    p.dispose();
  });
});
