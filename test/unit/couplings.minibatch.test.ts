/**
 * Minibatch couplings: independent keeps the draws, exact OT re-pairs them by
 * a permutation that minimises the squared pairing distance, and the Sinkhorn
 * coupling draws pairs from the entropic plan with the run's seeded Rng.
 */
import { describe, expect, it } from 'vitest';
import { CfmError } from '../../app/errors.js';
import type { Points } from '../../app/engine/points.js';
import { Rng } from '../../app/engine/rng.js';
import { makeCoupling } from '../../app/engine/couplings/index.js';
import { samplePlan } from '../../app/engine/couplings/sinkhorn.js';

function randomPoints(rng: Rng, n: number, shift = 0, scale = 1): Points {
  const data = new Float32Array(n * 2);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal() * scale + shift;
  return { data, n, d: 2 };
}

function meanSquaredPairDistance(x0: Points, x1: Points): number {
  let s = 0;
  for (let k = 0; k < x0.data.length; k++) s += (x0.data[k] - x1.data[k]) ** 2;
  return s / x0.n;
}

/** Index in `p` of the row equal to row i of `q`, or -1. */
function findRow(p: Points, q: Points, i: number): number {
  for (let r = 0; r < p.n; r++) {
    let same = true;
    for (let k = 0; k < p.d; k++) if (p.data[r * p.d + k] !== q.data[i * q.d + k]) same = false;
    if (same) return r;
  }
  return -1;
}

/** Minimum over all permutations of the mean squared pairing distance. */
function bruteForceBest(x0: Points, x1: Points): number {
  const n = x0.n;
  let best = Infinity;
  const perm = Array.from({ length: n }, (_, i) => i);
  const visit = (k: number): void => {
    if (k === n) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        for (let q = 0; q < 2; q++) s += (x0.data[i * 2 + q] - x1.data[perm[i] * 2 + q]) ** 2;
      }
      best = Math.min(best, s / n);
      return;
    }
    for (let i = k; i < n; i++) {
      [perm[k], perm[i]] = [perm[i], perm[k]];
      visit(k + 1);
      [perm[k], perm[i]] = [perm[i], perm[k]];
    }
  };
  visit(0);
  return best;
}

describe('independent coupling', () => {
  it('returns the batches as drawn', () => {
    const rng = new Rng(1);
    const x0 = randomPoints(rng, 5);
    const x1 = randomPoints(rng, 5, 3);
    const out = makeCoupling('independent', {}).pair(x0, x1, rng);
    expect(out.x0.data).toEqual(x0.data);
    expect(out.x1.data).toEqual(x1.data);
  });
});

describe('exact OT coupling', () => {
  it('uses every x1 row exactly once and keeps x0 as drawn', () => {
    const rng = new Rng(2);
    for (const n of [6, 64, 300]) {
      const x0 = randomPoints(rng, n);
      const x1 = randomPoints(rng, n, 4, 0.5);
      const out = makeCoupling('exact', {}).pair(x0, x1, rng);
      expect(out.x0.data).toEqual(x0.data);
      const used = new Set<number>();
      for (let i = 0; i < n; i++) used.add(findRow(x1, out.x1, i));
      expect(used.size).toBe(n);
      expect(used.has(-1)).toBe(false);
    }
  });

  it('lowers the mean squared pairing distance versus independent pairs, to the brute-force minimum', () => {
    const rng = new Rng(3);
    const exact = makeCoupling('exact', {});
    for (let trial = 0; trial < 5; trial++) {
      const x0 = randomPoints(rng, 7);
      const x1 = randomPoints(rng, 7, 2);
      const out = exact.pair(x0, x1, rng);
      expect(meanSquaredPairDistance(out.x0, out.x1)).toBeCloseTo(bruteForceBest(x0, x1), 4);
      expect(meanSquaredPairDistance(out.x0, out.x1)).toBeLessThanOrEqual(meanSquaredPairDistance(x0, x1));
    }
    const x0 = randomPoints(rng, 512);
    const x1 = randomPoints(rng, 512, 3, 0.3);
    const out = exact.pair(x0, x1, rng);
    const independent = meanSquaredPairDistance(x0, x1);
    const paired = meanSquaredPairDistance(out.x0, out.x1);
    expect(paired).toBeLessThan(independent);
    // No random re-pairing does better than the optimum.
    for (let k = 0; k < 20; k++) {
      const perm = rng.permutation(512);
      const shuffled: Points = { data: new Float32Array(1024), n: 512, d: 2 };
      for (let i = 0; i < 512; i++) shuffled.data.set(x1.data.subarray(perm[i] * 2, perm[i] * 2 + 2), i * 2);
      expect(meanSquaredPairDistance(x0, shuffled)).toBeGreaterThan(paired);
    }
  });

  it('rejects batches of different sizes with a message naming the sizes', () => {
    const rng = new Rng(4);
    expect(() => makeCoupling('exact', {}).pair(randomPoints(rng, 4), randomPoints(rng, 5), rng)).toThrow(
      /4 source and 5 target rows/,
    );
  });
});

describe('Sinkhorn coupling', () => {
  it('returns rows of the inputs, reproducibly for a given seed', () => {
    const rng = new Rng(5);
    const x0 = randomPoints(rng, 32);
    const x1 = randomPoints(rng, 32, 2);
    const coupling = makeCoupling('sinkhorn', { reg: 0.5 });
    const a = coupling.pair(x0, x1, new Rng(42));
    const b = coupling.pair(x0, x1, new Rng(42));
    expect(a.x0.data).toEqual(b.x0.data);
    expect(a.x1.data).toEqual(b.x1.data);
    expect(a.x0.n).toBe(32);
    for (let i = 0; i < 32; i++) {
      expect(findRow(x0, a.x0, i)).toBeGreaterThanOrEqual(0);
      expect(findRow(x1, a.x1, i)).toBeGreaterThanOrEqual(0);
    }
  });

  it('draws only optimal pairs when reg is small, and mixes pairs when reg is large', () => {
    // x0 at (k, 0), x1 at (k + 10, 0): the OT pairs are k <-> k.
    const n = 8;
    const line = (shift: number): Points => {
      const data = new Float32Array(n * 2);
      for (let k = 0; k < n; k++) data[k * 2] = k + shift;
      return { data, n, d: 2 };
    };
    const x0 = line(0);
    const x1 = line(10);
    const rng = new Rng(6);
    const sharp = makeCoupling('sinkhorn', { reg: 0.01 }).pair(x0, x1, rng);
    for (let i = 0; i < n; i++) expect(sharp.x1.data[i * 2] - sharp.x0.data[i * 2]).toBe(10);
    let offDiagonal = 0;
    const blurry = makeCoupling('sinkhorn', { reg: 1000 });
    for (let rep = 0; rep < 20; rep++) {
      const out = blurry.pair(x0, x1, rng);
      for (let i = 0; i < n; i++) if (out.x1.data[i * 2] - out.x0.data[i * 2] !== 10) offDiagonal++;
    }
    expect(offDiagonal).toBeGreaterThan(100); // about 7/8 of 160 draws when the plan is ~ uniform
  });

  it('samples pairs with the plan\'s probabilities', () => {
    // 2 x 3 plan, unnormalised: frequencies should follow P / sum(P).
    const plan = Float64Array.of(0.1, 0, 0.3, 0.2, 0.4, 0);
    const { rows, cols } = samplePlan(plan, 2, 3, 20000, new Rng(7));
    const counts = new Array<number>(6).fill(0);
    for (let s = 0; s < rows.length; s++) counts[rows[s] * 3 + cols[s]]++;
    expect(counts[1]).toBe(0);
    expect(counts[5]).toBe(0);
    for (const k of [0, 2, 3, 4]) expect(counts[k] / 20000).toBeCloseTo(plan[k], 1);
  });
});

describe('makeCoupling', () => {
  it('names each coupling and refuses sinkhorn without reg or an unknown name', () => {
    expect(makeCoupling('independent', {}).name).toBe('independent');
    expect(makeCoupling('exact', {}).name).toBe('exact');
    expect(makeCoupling('sinkhorn', { reg: 0.1 }).name).toBe('sinkhorn');
    expect(() => makeCoupling('sinkhorn', {})).toThrow(CfmError);
    expect(() => makeCoupling('sinkhorn', {})).toThrow(/reg/);
    expect(() => makeCoupling('sinkhorn', { reg: 0 })).toThrow(/> 0/);
    expect(() => makeCoupling('nearest' as never, {})).toThrow(/independent, exact, sinkhorn/);
  });
});
