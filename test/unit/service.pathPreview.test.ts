import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import type { PathPreviewView } from '../../app/contract.js';
import { Rng } from '../../app/engine/rng.js';
import { apiError, makeFixture, type Fixture } from './service.fixtures.js';

let fx: Fixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

function sqCost(x0: Float32Array, x1: Float32Array, d: number, perm?: ArrayLike<number>): number {
  const n = x0.length / d;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const j = perm ? perm[i] : i;
    for (let k = 0; k < d; k++) c += (x0[i * d + k] - x1[j * d + k]) ** 2;
  }
  return c;
}

function rows(a: Float32Array, d: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length; i += d) out.push(Array.from(a.subarray(i, i + d)).join(','));
  return out;
}

function* permutations(n: number): Generator<number[]> {
  const p = Array.from({ length: n }, (_, i) => i);
  const c = new Array<number>(n).fill(0);
  yield p.slice();
  let i = 0;
  while (i < n) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      [p[j], p[i]] = [p[i], p[j]];
      yield p.slice();
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

const preview = (input: Record<string, unknown>) => fx.service.previewPath(input as never) as Promise<PathPreviewView>;

describe('path preview', () => {
  it('with sigma 0, x_t is the paired source at t = 0 and the paired target at t = 1', async () => {
    for (const method of ['icfm', 'otcfm', 'fm', 'vp', 'affine'] as const) {
      const p = await preview({ dataset: 'moons', method, sigma: 0, n: 64, times: [0, 0.5, 1], seed: 3 });
      expect(p.n, method).toBe(64);
      expect(p.d, method).toBe(2);
      expect(p.times).toEqual([0, 0.5, 1]);
      expect(p.xt).toHaveLength(3);
      expect(Array.from(p.xt[0]), method).toEqual(Array.from(p.x0));
      expect(Array.from(p.xt[2]), method).toEqual(Array.from(p.x1));
    }
  });

  it('icfm moves each point on the straight line between its pair: x_t = t x1 + (1 - t) x0 at sigma 0', async () => {
    const p = await preview({ dataset: '8gaussians', method: 'icfm', sigma: 0, n: 32, times: [0.25, 0.7] });
    p.times.forEach((t, k) => {
      for (let j = 0; j < p.x0.length; j++) expect(p.xt[k][j]).toBeCloseTo(t * p.x1[j] + (1 - t) * p.x0[j], 5);
    });
  });

  it('an affine path with the polynomial scheduler moves x_t by its exponent n: x_t = t^n x1 + (1 - t^n) x0', async () => {
    const t = 0.5;
    const seen: number[][] = [];
    for (const schedulerN of [3, 0.5]) {
      const p = await preview({ dataset: 'moons', method: 'affine', scheduler: 'polynomial', schedulerN, sigma: 0.2, n: 24, times: [t], seed: 2 });
      const a = Math.pow(t, schedulerN);
      const b = 1 - a;
      for (let j = 0; j < p.x0.length; j++) expect(p.xt[0][j], `n = ${schedulerN}, entry ${j}`).toBeCloseTo(a * p.x1[j] + b * p.x0[j], 5);
      seen.push(Array.from(p.xt[0]));
    }
    // Same draws (same seed), different exponents: the clouds differ.
    expect(seen[0]).not.toEqual(seen[1]);
  });

  it('refuses a polynomial exponent outside (0, 20], naming schedulerN', async () => {
    expect(await apiError(preview({ dataset: 'moons', method: 'affine', scheduler: 'polynomial', schedulerN: 0 }))).toMatchObject({ code: 'invalid_input', field: 'schedulerN' });
    expect(await apiError(preview({ dataset: 'moons', method: 'affine', scheduler: 'polynomial', schedulerN: 21 }))).toMatchObject({ code: 'invalid_input', field: 'schedulerN' });
  });

  it('uses one noise draw for every t, so the cloud moves smoothly (icfm: x_t - mu_t is the same at each t)', async () => {
    const sigma = 0.5;
    const times = [0, 0.1, 0.5, 0.9, 1];
    const p = await preview({ dataset: 'moons', method: 'icfm', sigma, n: 50, times });
    const residual = (k: number) => Array.from(p.xt[k], (v, j) => v - (times[k] * p.x1[j] + (1 - times[k]) * p.x0[j]));
    const r0 = residual(0);
    for (let k = 1; k < times.length; k++) residual(k).forEach((v, j) => expect(v).toBeCloseTo(r0[j], 5));
    // ... and that shared noise is really there, of about the size sigma says.
    const rms = Math.sqrt(r0.reduce((a, v) => a + v * v, 0) / r0.length);
    expect(rms).toBeGreaterThan(0.3 * sigma);
    expect(rms).toBeLessThan(2 * sigma);
  });

  it('sbcfm has no noise at the ends (sigma_t = sigma sqrt(t(1-t)))', async () => {
    const p = await preview({ dataset: 'moons', method: 'sbcfm', sigma: 0.3, n: 40, times: [0, 1] });
    expect(Array.from(p.xt[0])).toEqual(Array.from(p.x0));
    expect(Array.from(p.xt[1])).toEqual(Array.from(p.x1));
  });

  it('otcfm pairs by the exact assignment: the cheapest of all permutations of the same draws', async () => {
    const n = 7;
    const ot = await preview({ dataset: '8gaussians', method: 'otcfm', sigma: 0, n, seed: 11 });
    const ind = await preview({ dataset: '8gaussians', method: 'icfm', sigma: 0, n, seed: 11 });
    // Same draws, only the target rows reordered.
    expect(Array.from(ot.x0)).toEqual(Array.from(ind.x0));
    expect(rows(ot.x1, 2).sort()).toEqual(rows(ind.x1, 2).sort());
    // Brute force over all 7! pairings of the drawn points.
    let best = Infinity;
    for (const perm of permutations(n)) best = Math.min(best, sqCost(ind.x0, ind.x1, 2, perm));
    expect(sqCost(ot.x0, ot.x1, 2)).toBeCloseTo(best, 4);
  });

  it('otcfm on a larger batch costs no more than any random re-pairing', async () => {
    const p = await preview({ dataset: 'moons', method: 'otcfm', sigma: 0, n: 200, seed: 5 });
    const cost = sqCost(p.x0, p.x1, 2);
    const rng = new Rng(99);
    for (let trial = 0; trial < 200; trial++) {
      expect(cost).toBeLessThanOrEqual(sqCost(p.x0, p.x1, 2, rng.permutation(200)) + 1e-6);
    }
  });

  it('couples in minibatches of 256 rows, as a run with the default batch does', async () => {
    const big = await preview({ dataset: 'moons', method: 'otcfm', sigma: 0, n: 300, seed: 8 });
    const first = await preview({ dataset: 'moons', method: 'otcfm', sigma: 0, n: 256, seed: 8 });
    expect(big.n).toBe(300);
    // The first minibatch is the same draw and the same pairing as a 256-point preview.
    expect(Array.from(big.x1.subarray(0, 512))).toEqual(Array.from(first.x1));
    // The last 44 rows are paired among themselves, optimally.
    const x0 = big.x0.subarray(512);
    const x1 = big.x1.subarray(512);
    const rng = new Rng(3);
    for (let trial = 0; trial < 100; trial++) expect(sqCost(x0, x1, 2)).toBeLessThanOrEqual(sqCost(x0, x1, 2, rng.permutation(44)) + 1e-6);
  });

  it('is reproducible from its seed', async () => {
    const a = await preview({ dataset: 'scurve', method: 'sbcfm', seed: 4, n: 30 });
    const b = await preview({ dataset: 'scurve', method: 'sbcfm', seed: 4, n: 30 });
    const c = await preview({ dataset: 'scurve', method: 'sbcfm', seed: 5, n: 30 });
    expect(Array.from(a.xt[2])).toEqual(Array.from(b.xt[2]));
    expect(Array.from(a.x0)).not.toEqual(Array.from(c.x0));
  });

  it('works on an imported dataset of any dimension, with a dataset as the source', async () => {
    const lines = ['a,b,c', ...Array.from({ length: 30 }, (_, i) => `${i},${i % 3},${-i}`)].join('\n');
    await fx.service.importDataset({ name: 'cube3', fileName: 'cube3.csv', content: new TextEncoder().encode(lines) });
    const p = await preview({ dataset: 'cube3', source: 'cube3', method: 'icfm', n: 10, sigma: 0 });
    expect(p.d).toBe(3);
    expect(p.x0).toHaveLength(30);
  });

  it('refuses rf, whose pairs come from a trained model, and points to icfm', async () => {
    const e = await apiError(preview({ dataset: 'moons', method: 'rf' }));
    expect(e).toMatchObject({ code: 'invalid_input', field: 'method' });
    expect(e.message).toMatch(/trained model/);
    expect(e.message).toMatch(/preview icfm instead/);
  });

  it('refuses what a run would refuse: fm from a non-Gaussian source, sbcfm without noise, unknown datasets, mismatched dimensions', async () => {
    expect(await apiError(preview({ dataset: 'moons', source: '8gaussians', method: 'fm' }))).toMatchObject({ code: 'invalid_input', field: 'source' });
    expect(await apiError(preview({ dataset: 'moons', method: 'sbcfm', sigma: 0 }))).toMatchObject({ code: 'invalid_input', field: 'sigma' });
    const unknown = await apiError(preview({ dataset: 'no-such-data' }));
    expect(unknown).toMatchObject({ code: 'invalid_input', field: 'dataset' });
    expect(unknown.message).toMatch(/moons/);
    expect(await apiError(preview({ dataset: 'moons', source: 'cube3' }))).toMatchObject({ code: 'invalid_input', field: 'source' });
    expect(await apiError(preview({ dataset: 'moons', times: [0, 1.5] }))).toMatchObject({ code: 'invalid_input', field: 'times.1' });
  });
});
