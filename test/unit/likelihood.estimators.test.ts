/**
 * Divergence estimators inside logLikelihood. For a linear field v = A x the
 * divergence is tr A everywhere, and the Hutchinson estimate with a probe eps
 * held fixed over the integration is eps^T A eps, so (with the same fixed-step
 * path) each point's error is exactly tr A - mean_k eps_k^T A eps_k: mean 0,
 * variance 2 |A_sym|_F^2 / K for Gaussian probes and 2 sum_{i!=j} A_sym,ij^2 / K
 * for Rademacher ones. Also: call counts, large batches split into passes,
 * option errors, and tensor hygiene.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../app/engine/backend.js';
import { CfmError } from '../../app/errors.js';
import { logLikelihood, type LikelihoodOptions } from '../../app/engine/likelihood.js';
import { MAX_ROWS } from '../../app/engine/ode/divergence.js';
import type { VelocityFn } from '../../app/engine/ode/types.js';
import { Rng } from '../../app/engine/rng.js';

const A = [
  [-0.3, 0.8, 0.1],
  [-0.6, 0.2, 0.4],
  [0.2, -0.5, -0.4],
];
const TRACE_A = -0.5;
const SYM = A.map((r, i) => r.map((v, j) => (v + A[j][i]) / 2));
const FROB2 = SYM.flat().reduce((s, v) => s + v * v, 0);
const OFFDIAG2 = FROB2 - SYM.reduce((s, r, i) => s + r[i] * r[i], 0);

const linear: VelocityFn = (_t, x) => tf.matMul(x, tf.tensor2d(A[0].map((_, j) => A.map((r) => r[j]))));

function randomPoints(n: number, d: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(rng.fillNormal(new Float32Array(n * d)), [n, d]);
}

function meanVar(a: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  return { mean, variance: v / (a.length - 1) };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Hutchinson divergence', () => {
  const N = 2000;
  const opts = { solver: 'rk4', steps: 4 } as const;

  async function hutchError(samples: number, noise: 'gaussian' | 'rademacher', seed: number): Promise<Float64Array> {
    const x1 = randomPoints(N, 3, 11);
    const exact = await logLikelihood(linear, x1, { ...opts, divergence: 'exact', rng: new Rng(0) });
    const hutch = await logLikelihood(linear, x1, {
      ...opts,
      divergence: 'hutchinson',
      hutchinsonSamples: samples,
      hutchinsonNoise: noise,
      rng: new Rng(seed),
    });
    expect(hutch.divergence).toBe('hutchinson');
    x1.dispose();
    return Float64Array.from(hutch.logp, (v, i) => v - exact.logp[i]);
  }

  it('is unbiased: the mean error over points is within 4 standard errors of 0', async () => {
    for (const samples of [1, 4]) {
      const { mean } = meanVar(await hutchError(samples, 'gaussian', 3));
      const stderr = Math.sqrt((2 * FROB2) / samples / N);
      expect(Math.abs(mean)).toBeLessThan(4 * stderr);
    }
  });

  it('has the variance 2 |A_sym|_F^2 / K of a fixed Gaussian probe, shrinking with more samples', async () => {
    for (const samples of [1, 4]) {
      const { variance } = meanVar(await hutchError(samples, 'gaussian', 7));
      const want = (2 * FROB2) / samples;
      expect(variance).toBeGreaterThan(0.8 * want);
      expect(variance).toBeLessThan(1.2 * want);
    }
  });

  it('Rademacher probes are unbiased with the smaller variance 2 sum_{i != j} A_sym,ij^2', async () => {
    const { mean, variance } = meanVar(await hutchError(1, 'rademacher', 9));
    const want = 2 * OFFDIAG2;
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(want / N));
    expect(variance).toBeGreaterThan(0.8 * want);
    expect(variance).toBeLessThan(1.2 * want);
  });

  it('the same seed gives the same estimate; another seed another one', async () => {
    const x1 = randomPoints(16, 3, 2);
    const run = (seed: number) =>
      logLikelihood(linear, x1, { ...opts, divergence: 'hutchinson', rng: new Rng(seed) }).then((r) => Array.from(r.logp));
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
    x1.dispose();
  });

  it('auto uses the exact divergence up to 8 dimensions and Hutchinson above', async () => {
    const field: VelocityFn = (_t, x) => tf.mul(x, -0.5);
    for (const [d, want] of [
      [8, 'exact'],
      [9, 'hutchinson'],
    ] as const) {
      const x1 = randomPoints(5, d, 1);
      const r = await logLikelihood(field, x1, { solver: 'euler', steps: 2, divergence: 'auto', rng: new Rng(0) });
      expect(r.divergence).toBe(want);
      x1.dispose();
    }
  });
});

describe('evaluation counts and batching', () => {
  it('one call of the field per stage: rk4 with 10 steps costs 40, exact or Hutchinson', async () => {
    let calls = 0;
    const counted: VelocityFn = (t, x) => {
      calls++;
      return linear(t, x);
    };
    const x1 = randomPoints(50, 3, 4);
    for (const o of [
      { divergence: 'exact' },
      { divergence: 'hutchinson', hutchinsonSamples: 3 },
    ] as const) {
      calls = 0;
      const r = await logLikelihood(counted, x1, { solver: 'rk4', steps: 10, rng: new Rng(1), ...o });
      expect(r.nfe).toBe(40);
      expect(calls).toBe(40);
      expect(r.steps).toBe(10);
    }
    x1.dispose();
  });

  it(`splits a tiled batch above ${MAX_ROWS} rows into several passes and still gets the exact answer`, async () => {
    // 3 unit probes of n rows each exceed MAX_ROWS, so two passes (2 probes + 1) per evaluation.
    const n = Math.ceil(MAX_ROWS / 3) + 1;
    const rows: number[] = [];
    const x1 = randomPoints(n, 3, 8);
    let maxRows = 0;
    const watched: VelocityFn = (t, x) => {
      rows.push(x.shape[0]);
      maxRows = Math.max(maxRows, x.shape[0]);
      return linear(t, x);
    };
    const r = await logLikelihood(watched, x1, { solver: 'euler', steps: 1, divergence: 'exact', rng: new Rng(0) });
    expect(rows).toEqual([2 * n, n]);
    expect(r.nfe).toBe(2);
    expect(maxRows).toBeLessThanOrEqual(MAX_ROWS);
    // One Euler step back from t = 1 of a linear field: x0 = (I - A) x1 and log q1 = log N(x0) - tr A.
    const x = await x1.data();
    for (const i of [0, 1, n - 1]) {
      const p = [x[3 * i], x[3 * i + 1], x[3 * i + 2]];
      const x0 = p.map((v, k) => v - A[k].reduce((s, a, j) => s + a * p[j], 0));
      const want = -0.5 * x0.reduce((s, v) => s + v * v, 0) - 1.5 * Math.log(2 * Math.PI) - TRACE_A;
      expect(Math.abs(r.logp[i] - want)).toBeLessThan(1e-4);
    }
    x1.dispose();
  });
});

describe('likelihood options and memory', () => {
  // Deliberately ill-typed values, as they would arrive from a form or the CLI.
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['divergence', { divergence: 'trace' }, /^divergence: unknown divergence "trace"; use one of exact, hutchinson, auto$/],
    ['hutchinsonSamples', { divergence: 'hutchinson', hutchinsonSamples: 0 }, /^hutchinsonSamples: 0 is not a positive integer/],
    ['hutchinsonNoise', { divergence: 'hutchinson', hutchinsonNoise: 'uniform' }, /^hutchinsonNoise: unknown noise "uniform"/],
    ['solver', { solver: 'adams' }, /^solver: unknown solver "adams"/],
    ['steps', { steps: 0 }, /^steps: 0 is not a positive integer/],
  ];
  for (const [field, patch, message] of bad) {
    it(`rejects a bad ${field} with a message naming the field, leaking nothing`, async () => {
      const x1 = randomPoints(4, 3, 1);
      const before = tf.memory().numTensors;
      const run = logLikelihood(linear, x1, { solver: 'rk4', rng: new Rng(0), ...patch } as unknown as LikelihoodOptions);
      await expect(run).rejects.toBeInstanceOf(CfmError);
      await expect(run).rejects.toMatchObject({ code: 'invalid_input', field });
      await expect(run).rejects.toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
      x1.dispose();
    });
  }

  it('leaves no tensors behind and keeps x1 alive, for every solver and estimator', async () => {
    const x1 = randomPoints(20, 3, 3);
    for (const solver of ['euler', 'midpoint', 'heun', 'rk4', 'dopri5'] as const) {
      for (const divergence of ['exact', 'hutchinson'] as const) {
        const before = tf.memory().numTensors;
        await logLikelihood(linear, x1, { solver, steps: 3, divergence, hutchinsonSamples: 2, rng: new Rng(0) });
        expect(tf.memory().numTensors, `${solver} ${divergence}`).toBe(before);
      }
    }
    expect(x1.isDisposed).toBe(false);
    x1.dispose();
  });

  it('leaks nothing when the field fails mid-integration', async () => {
    const x1 = randomPoints(4, 3, 3);
    const before = tf.memory().numTensors;
    let calls = 0;
    const failing: VelocityFn = (t, x) => {
      if (++calls === 5) throw new Error('boom');
      return linear(t, x);
    };
    await expect(logLikelihood(failing, x1, { solver: 'rk4', steps: 3, rng: new Rng(0) })).rejects.toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
    x1.dispose();
  });
});
