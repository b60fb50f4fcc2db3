/**
 * Exact W1 / W2 between equal-size point sets, checked against closed forms:
 * a translated copy is |c| away in W2, identical sets are 0 apart, and in 1-D
 * the optimal matching pairs the sorted values.
 */
import { describe, expect, it } from 'vitest';
import { CfmError } from '../../app/errors.js';
import type { Points } from '../../app/engine/points.js';
import { Rng } from '../../app/engine/rng.js';
import { wasserstein } from '../../app/engine/metrics/wasserstein.js';

function randomPoints(rng: Rng, n: number, d: number, scale = 1, shift = 0): Points {
  const data = new Float32Array(n * d);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal() * scale + shift;
  return { data, n, d };
}

/** Closed form in 1-D: sorted a against sorted b. */
function sortedMatching(a: Float32Array, b: Float32Array, p: 1 | 2): number {
  const sa = Array.from(a).sort((x, y) => x - y);
  const sb = Array.from(b).sort((x, y) => x - y);
  let s = 0;
  for (let i = 0; i < sa.length; i++) s += Math.abs(sa[i] - sb[i]) ** p;
  return p === 1 ? s / sa.length : Math.sqrt(s / sa.length);
}

describe('wasserstein', () => {
  it('W2 between a point set and its translate by c equals |c|', () => {
    const rng = new Rng(1);
    for (const n of [50, 400]) {
      const a = randomPoints(rng, n, 2);
      const c = [0.7, -1.1];
      const b: Points = { data: a.data.map((x, k) => x + c[k % 2]), n, d: 2 };
      const norm = Math.hypot(c[0], c[1]);
      expect(Math.abs(wasserstein(a, b, 2) - norm) / norm).toBeLessThan(1e-5);
    }
  });

  it('W1 and W2 of identical sets (in any order) are 0', () => {
    const rng = new Rng(2);
    const a = randomPoints(rng, 300, 3);
    const perm = rng.permutation(300);
    const shuffled: Points = { data: new Float32Array(900), n: 300, d: 3 };
    for (let i = 0; i < 300; i++) shuffled.data.set(a.data.subarray(perm[i] * 3, perm[i] * 3 + 3), i * 3);
    expect(wasserstein(a, shuffled, 1)).toBe(0);
    expect(wasserstein(a, shuffled, 2)).toBe(0);
  });

  it('in 1-D equals the sorted-matching closed form, for W1 and W2', () => {
    const rng = new Rng(3);
    for (const n of [40, 500]) {
      const a = randomPoints(rng, n, 1);
      const b = randomPoints(rng, n, 1, 2, 1.5);
      expect(wasserstein(a, b, 2)).toBeCloseTo(sortedMatching(a.data, b.data, 2), 9);
      expect(wasserstein(a, b, 1)).toBeCloseTo(sortedMatching(a.data, b.data, 1), 9);
    }
  });

  it('does not depend on the order of either set', () => {
    const rng = new Rng(4);
    const a = randomPoints(rng, 200, 2);
    const b = randomPoints(rng, 200, 2, 0.5, 2);
    const perm = rng.permutation(200);
    const shuffled: Points = { data: new Float32Array(400), n: 200, d: 2 };
    for (let i = 0; i < 200; i++) shuffled.data.set(b.data.subarray(perm[i] * 2, perm[i] * 2 + 2), i * 2);
    expect(wasserstein(a, shuffled, 2)).toBeCloseTo(wasserstein(a, b, 2), 9);
    expect(wasserstein(shuffled, a, 1)).toBeCloseTo(wasserstein(b, a, 1), 9);
  });

  it('explains unequal sizes, dimensions, NaN samples and bad p', () => {
    const rng = new Rng(5);
    const a = randomPoints(rng, 10, 2);
    expect(() => wasserstein(a, randomPoints(rng, 9, 2), 2)).toThrow(CfmError);
    expect(() => wasserstein(a, randomPoints(rng, 9, 2), 2)).toThrow(/got 10 and 9/);
    expect(() => wasserstein(a, randomPoints(rng, 10, 3), 2)).toThrow(/2 and 3 dimensions/);
    const bad = randomPoints(rng, 10, 2);
    bad.data[7] = Number.NaN;
    expect(() => wasserstein(bad, a, 1)).toThrow(/samples: row 3 holds NaN/);
    expect(() => wasserstein(a, a, 3 as never)).toThrow(/use 1 \(W1\) or 2 \(W2\)/);
    expect(() => wasserstein({ data: new Float32Array(0), n: 0, d: 2 }, { data: new Float32Array(0), n: 0, d: 2 }, 2)).toThrow(
      /at least one point/,
    );
  });
});
