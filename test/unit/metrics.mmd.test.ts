/**
 * MMD with a sum of RBF kernels: the unbiased estimator equals the formula
 * written out pair by pair, a set is 0 from itself, and the distance grows as
 * one sample is shifted away from the other.
 */
import { describe, expect, it } from 'vitest';
import { CfmError } from '../../app/errors.js';
import type { Points } from '../../app/engine/points.js';
import { Rng } from '../../app/engine/rng.js';
import { MMD_BANDWIDTHS, mmd, mmd2 } from '../../app/engine/metrics/mmd.js';

function randomPoints(rng: Rng, n: number, d: number, shift = 0): Points {
  const data = new Float32Array(n * d);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal() + shift;
  return { data, n, d };
}

/** The estimator written out over every pair, with the kernel spelled out. */
function naiveMmd2(a: Points, b: Points, sigmas: readonly number[], biased: boolean): number {
  const k = (p: Points, i: number, q: Points, j: number): number => {
    let r = 0;
    for (let c = 0; c < p.d; c++) r += (p.data[i * p.d + c] - q.data[j * q.d + c]) ** 2;
    return sigmas.reduce((s, sigma) => s + Math.exp(-r / (2 * sigma * sigma)), 0);
  };
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < a.n; i++) for (let j = 0; j < a.n; j++) if (biased || i !== j) xx += k(a, i, a, j);
  for (let i = 0; i < b.n; i++) for (let j = 0; j < b.n; j++) if (biased || i !== j) yy += k(b, i, b, j);
  for (let i = 0; i < a.n; i++) for (let j = 0; j < b.n; j++) xy += k(a, i, b, j);
  const nn = biased ? a.n * a.n : a.n * (a.n - 1);
  const mm = biased ? b.n * b.n : b.n * (b.n - 1);
  return xx / nn + yy / mm - (2 * xy) / (a.n * b.n);
}

describe('mmd', () => {
  it('uses the bandwidths of TorchCFM\'s evaluation by default', () => {
    expect([...MMD_BANDWIDTHS]).toEqual([0.01, 0.1, 1, 10, 100]);
  });

  it('equals the pair-by-pair formula, unbiased and biased, for unequal set sizes', () => {
    const rng = new Rng(1);
    const a = randomPoints(rng, 30, 2);
    const b = randomPoints(rng, 20, 2, 0.7);
    expect(mmd2(a, b)).toBeCloseTo(naiveMmd2(a, b, MMD_BANDWIDTHS, false), 10);
    expect(mmd2(a, b, { estimator: 'biased' })).toBeCloseTo(naiveMmd2(a, b, MMD_BANDWIDTHS, true), 10);
    expect(mmd2(a, b, { bandwidths: [0.5, 2] })).toBeCloseTo(naiveMmd2(a, b, [0.5, 2], false), 10);
    expect(mmd(a, b)).toBeCloseTo(Math.sqrt(naiveMmd2(a, b, MMD_BANDWIDTHS, false)), 10);
  });

  it('is 0 between a set and itself and grows as one set is shifted away', () => {
    const rng = new Rng(2);
    const a = randomPoints(rng, 400, 2);
    expect(mmd(a, a)).toBe(0);
    const values = [0, 0.25, 0.5, 1, 2, 4].map((shift) => mmd(a, randomPoints(rng, 400, 2, shift)));
    for (let k = 1; k < values.length; k++) expect(values[k]).toBeGreaterThan(values[k - 1]);
    expect(values[0]).toBeLessThan(0.1 * values[values.length - 1]);
  });

  it('explains sets too small, of different dimension, with NaN, or bad bandwidths', () => {
    const rng = new Rng(3);
    const a = randomPoints(rng, 5, 2);
    expect(() => mmd2(a, randomPoints(rng, 1, 2))).toThrow(CfmError);
    expect(() => mmd2(a, randomPoints(rng, 1, 2))).toThrow(/at least 2 points/);
    expect(() => mmd2(a, randomPoints(rng, 5, 3))).toThrow(/2 and 3 dimensions/);
    const bad = randomPoints(rng, 5, 2);
    bad.data[0] = Number.POSITIVE_INFINITY;
    expect(() => mmd2(a, bad)).toThrow(/reference: row 0 holds Infinity/);
    expect(() => mmd2(a, a, { bandwidths: [1, 0] })).toThrow(/bandwidths/);
  });
});
