import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../app/engine/backend.js';
import { makeCoupling } from '../../app/engine/couplings/index.js';
import { generateDataset } from '../../app/engine/data/registry.js';
import { generate } from '../../app/engine/generate.js';
import { Mlp } from '../../app/engine/model/mlp.js';
import { wasserstein } from '../../app/engine/metrics/wasserstein.js';
import { Rng } from '../../app/engine/rng.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../app/engine/train/checkpoint.js';
import { parseRunConfig, type RunConfigInput } from '../../app/engine/train/config.js';
import { coupledPairs, type PointSampler } from '../../app/engine/train/pairs.js';
import { Trainer } from '../../app/engine/train/trainer.js';
import { CfmError } from '../../app/errors.js';

const gaussian: PointSampler = { dim: 2, sample: (n, rng) => generateDataset('gaussian', n, rng, 2) };
const eight: PointSampler = { dim: 2, sample: (n, rng) => generateDataset('8gaussians', n, rng) };

function trainer(overrides: RunConfigInput = {}, target = eight): Trainer {
  const config = parseRunConfig({ dataset: '8gaussians', width: 32, batch: 64, method: 'icfm', ...overrides });
  return Trainer.create(config, coupledPairs(gaussian, target, makeCoupling(config.method === 'otcfm' ? 'exact' : 'independent')));
}

function losses(t: Trainer, steps: number): number[] {
  return Array.from({ length: steps }, () => t.stepOnce().loss);
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('trainer', () => {
  it('the same seed gives the same losses, step for step; another seed does not', () => {
    const a = trainer({ seed: 7 });
    const b = trainer({ seed: 7 });
    const c = trainer({ seed: 8 });
    const la = losses(a, 25);
    expect(losses(b, 25)).toEqual(la);
    expect(losses(c, 25)).not.toEqual(la);
    [a, b, c].forEach((t) => t.dispose());
  });

  it('a run restored from a checkpoint logs exactly the losses of an uninterrupted run', () => {
    const cfg = { seed: 3, ema: 0.99, optimizer: 'adamw' as const, weightDecay: 0.01, gradClip: 1, lrSchedule: 'cosine' as const, steps: 40 };
    const whole = trainer(cfg);
    const reference = losses(whole, 40);
    const first = trainer(cfg);
    losses(first, 20);
    const bytes = encodeCheckpoint(first.checkpoint());
    first.dispose();
    const config = parseRunConfig({ dataset: '8gaussians', width: 32, batch: 64, method: 'icfm', ...cfg });
    const resumed = Trainer.restore(config, coupledPairs(gaussian, eight, makeCoupling('independent')), decodeCheckpoint(bytes));
    expect(resumed.step).toBe(20);
    expect(losses(resumed, 20)).toEqual(reference.slice(20));
    expect(resumed.samplingWeights()).toEqual(whole.samplingWeights());
    whole.dispose();
    resumed.dispose();
  });

  it('holds no more tensors after 50 steps, validation and a checkpoint than after the first step', () => {
    const t = trainer({ ema: 0.9, gradClip: 1, timeFrequencies: 4 });
    t.stepOnce();
    t.validationLoss();
    const before = tf.memory().numTensors;
    losses(t, 50);
    t.validationLoss();
    t.checkpoint();
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });

  it('a non-finite loss stops training with an error that names the learning rate', () => {
    const broken: PointSampler = { dim: 2, sample: (n) => ({ data: new Float32Array(n * 2).fill(NaN), n, d: 2 }) };
    const t = trainer({}, broken);
    let error: unknown;
    try {
      t.stepOnce();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CfmError);
    expect((error as CfmError).code).toBe('numeric');
    expect((error as CfmError).message).toMatch(/lr|learning rate/);
    expect(t.step).toBe(0);
    t.dispose();
  });

  it('validation loss comes from the held-out pairs it is given, never from the training pairs', () => {
    const config = parseRunConfig({ dataset: '8gaussians', width: 16, batch: 32, method: 'icfm' });
    const far: PointSampler = { dim: 2, sample: (n, rng) => ({ ...eight.sample(n, rng), data: eight.sample(n, rng).data.map((v) => v + 1000) }) };
    const train = coupledPairs(gaussian, eight, makeCoupling('independent'));
    const t = Trainer.create(config, train, coupledPairs(gaussian, far, makeCoupling('independent')));
    const same = Trainer.create(config, train);
    losses(t, 3);
    losses(same, 3);
    // Targets 1000 away: the loss of u = x1 - x0 is of order 1000^2 on the held-out pairs only.
    expect(t.validationLoss()).toBeGreaterThan(1e5);
    expect(same.validationLoss()).toBeLessThan(1e3);
    t.dispose();
    same.dispose();
  });

  it('validation loss is computed on a fixed batch: unchanged weights give the same value', () => {
    const t = trainer();
    losses(t, 5);
    expect(t.validationLoss()).toBe(t.validationLoss());
    t.dispose();
  });

  it('a short OT-CFM run on 8gaussians lowers W2 to the data several-fold', async () => {
    const t = trainer({ method: 'otcfm', width: 64, batch: 256, lr: 3e-3, steps: 400, seed: 1 });
    const rng = new Rng(99);
    const x0 = gaussian.sample(1000, rng);
    const heldOut = eight.sample(1000, rng);
    const w2Of = async () => {
      const mlp = Mlp.fromWeights(t.model.config, t.samplingWeights());
      const { points } = await generate(mlp, x0, { solver: 'rk4', steps: 20 });
      mlp.dispose();
      return wasserstein(points, heldOut, 2);
    };
    const before = await w2Of();
    losses(t, 400);
    const after = await w2Of();
    expect(after).toBeLessThan(before / 3);
    t.dispose();
  });
});
