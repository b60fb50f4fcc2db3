/**
 * The exact assignment solver is optimal: equal to brute force over all
 * permutations for n <= 8, and, for larger problems (which take the auction and
 * sparse-path route), certified by LP duality with duals built here by
 * Bellman-Ford, independently of the solver's own potentials.
 */
import { describe, expect, it } from 'vitest';
import { CfmError } from '../../app/errors.js';
import type { Points } from '../../app/engine/points.js';
import { Rng } from '../../app/engine/rng.js';
import { assignmentCost, solveAssignment, solveAssignmentPoints } from '../../app/engine/ot/assignment.js';
import { costMatrix } from '../../app/engine/ot/cost.js';

function isPermutation(x: Int32Array): boolean {
  const seen = new Uint8Array(x.length);
  for (const j of x) {
    if (j < 0 || j >= x.length || seen[j]) return false;
    seen[j] = 1;
  }
  return true;
}

/** Minimum of sum_i c[i][p(i)] over all permutations p (Heap's algorithm). */
function bruteForceMin(c: Float64Array, n: number): number {
  const p = Array.from({ length: n }, (_, i) => i);
  const cost = (): number => p.reduce((s, j, i) => s + c[i * n + j], 0);
  let best = cost();
  const counters = new Array<number>(n).fill(0);
  let i = 0;
  while (i < n) {
    if (counters[i] < i) {
      const k = i % 2 === 0 ? 0 : counters[i];
      [p[k], p[i]] = [p[i], p[k]];
      best = Math.min(best, cost());
      counters[i]++;
      i = 0;
    } else {
      counters[i] = 0;
      i++;
    }
  }
  return best;
}

/**
 * Certifies optimality of `rowToCol` by LP duality: builds duals with
 * u_i + v_j <= c_ij (up to tol) and equality on the matching, so that
 * sum u + sum v equals the assignment's cost. Returns the worst violation of
 * u_i + v_j <= c_ij, or Infinity when the exchange graph has a negative cycle
 * (the assignment can be improved).
 *
 * w_k = v_(s(k)) are shortest distances on rows, with an edge i -> k of weight
 * c[i][s(k)] - c[i][s(i)] (row i giving up its column for row k's); then
 * u_i = c[i][s(i)] - v_(s(i)).
 */
function dualityViolation(c: Float64Array, n: number, s: Int32Array): number {
  const w = new Float64Array(n); // virtual source at distance 0 to every row
  let changed = true;
  for (let pass = 0; pass <= n && changed; pass++) {
    changed = false;
    for (let i = 0; i < n; i++) {
      const own = c[i * n + s[i]];
      for (let k = 0; k < n; k++) {
        const cand = w[i] + c[i * n + s[k]] - own;
        if (cand < w[k] - 1e-12 * (1 + Math.abs(w[k]))) {
          w[k] = cand;
          changed = true;
        }
      }
    }
  }
  if (changed) return Infinity;
  const v = new Float64Array(n);
  for (let k = 0; k < n; k++) v[s[k]] = w[k];
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = c[i * n + s[i]] - v[s[i]];
  let sumDuals = 0;
  for (let i = 0; i < n; i++) sumDuals += u[i] + v[i];
  expect(sumDuals).toBeCloseTo(assignmentCost(c, n, s), 6);
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, u[i] + v[j] - c[i * n + j]);
  return worst;
}

function randomPoints(rng: Rng, n: number, d: number, scale = 1, shift = 0): Points {
  const data = new Float32Array(n * d);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal() * scale + shift;
  return { data, n, d };
}

describe('exact assignment on small problems', () => {
  it('matches brute force over all permutations for n = 1..8 and several seeds', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const rng = new Rng(seed);
      for (let n = 1; n <= 8; n++) {
        const c = new Float64Array(n * n);
        for (let k = 0; k < c.length; k++) c[k] = rng.normal() * 10;
        const x = solveAssignment(c, n);
        expect(isPermutation(x)).toBe(true);
        expect(assignmentCost(c, n, x)).toBeCloseTo(bruteForceMin(c, n), 9);
      }
    }
  });

  it('matches brute force with many tied integer costs, and on float32 matrices', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + (trial % 7);
      const c = new Float64Array(n * n);
      for (let k = 0; k < c.length; k++) c[k] = rng.int(3);
      const x = solveAssignment(c, n);
      expect(isPermutation(x)).toBe(true);
      expect(assignmentCost(c, n, x)).toBe(bruteForceMin(c, n));
      const c32 = Float32Array.from(c, (z) => z + rng.uniform());
      const x32 = solveAssignment(c32, n);
      expect(assignmentCost(c32, n, x32)).toBeCloseTo(bruteForceMin(Float64Array.from(c32), n), 5);
    }
  });

  it('pairs each of two 2-D point sets with its brute-force optimal matching', () => {
    const rng = new Rng(3);
    const a = randomPoints(rng, 7, 2);
    const b = randomPoints(rng, 7, 2, 1, 2);
    const c = costMatrix(a, b, 'sqeuclidean');
    const x = solveAssignmentPoints(a, b, 'sqeuclidean');
    expect(assignmentCost(c, 7, x)).toBeCloseTo(bruteForceMin(c, 7), 5);
  });
});

describe('exact assignment on larger problems (LP duality)', () => {
  it('is optimal for n = 100 and n = 200 random matrices, Gaussian, uniform, and with ties', () => {
    const rng = new Rng(5);
    for (const [n, kind] of [100, 200].flatMap((size) => ['normal', 'uniform', 'ties'].map((k) => [size, k] as const))) {
      const c = new Float64Array(n * n);
      for (let k = 0; k < c.length; k++) {
        c[k] = kind === 'normal' ? rng.normal() : kind === 'uniform' ? rng.uniform() * 1000 : rng.int(4);
      }
      const x = solveAssignment(c, n);
      expect(isPermutation(x)).toBe(true);
      expect(dualityViolation(c, n, x)).toBeLessThan(1e-9);
    }
  });

  it('is optimal for n = 100, 200 and 400 point sets under squared and plain Euclidean cost', () => {
    const rng = new Rng(8);
    for (const n of [100, 200, 400]) {
      // A spread source against a shifted, tighter target, like N(0, I) to data.
      const a = randomPoints(rng, n, 2, 1);
      const b = randomPoints(rng, n, 2, 0.3, 3);
      for (const kind of ['sqeuclidean', 'euclidean'] as const) {
        const c = costMatrix(a, b, kind);
        const fromMatrix = solveAssignment(c, n);
        const fromPoints = solveAssignmentPoints(a, b, kind);
        expect(dualityViolation(c, n, fromMatrix)).toBeLessThan(1e-9);
        expect(dualityViolation(c, n, fromPoints)).toBeLessThan(1e-9);
      }
    }
  });

  it('the duality certificate itself rejects an assignment with two rows swapped', () => {
    const rng = new Rng(6);
    const n = 150;
    const a = randomPoints(rng, n, 2);
    const b = randomPoints(rng, n, 2, 1, 1);
    const c = costMatrix(a, b);
    const x = solveAssignment(c, n);
    const worse = Int32Array.from(x);
    [worse[0], worse[1]] = [worse[1], worse[0]];
    expect(assignmentCost(c, n, worse)).toBeGreaterThan(assignmentCost(c, n, x));
    expect(dualityViolation(c, n, worse)).toBe(Infinity);
  });

  it('is optimal when points repeat (massively tied costs) and in higher dimension', () => {
    const rng = new Rng(9);
    const n = 300;
    const grid = (d: number): Points => {
      const data = new Float32Array(n * d);
      for (let k = 0; k < data.length; k++) data[k] = rng.int(3);
      return { data, n, d };
    };
    const a = grid(2);
    const b = grid(2);
    const x = solveAssignmentPoints(a, b);
    expect(dualityViolation(costMatrix(a, b), n, x)).toBeLessThan(1e-9);
    const a8 = randomPoints(rng, 250, 8);
    const b8 = randomPoints(rng, 250, 8, 2);
    const x8 = solveAssignmentPoints(a8, b8);
    expect(dualityViolation(costMatrix(a8, b8), 250, x8)).toBeLessThan(1e-9);
  });

  it('returns the identity for identical point sets and any permutation for all-zero costs', () => {
    const rng = new Rng(10);
    const a = randomPoints(rng, 300, 2);
    const x = solveAssignmentPoints(a, a);
    expect(Array.from(x)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const zero = solveAssignment(new Float64Array(200 * 200), 200);
    expect(isPermutation(zero)).toBe(true);
  });
});

describe('assignment input checks', () => {
  it('rejects a matrix of the wrong size or with a non-finite entry, naming the entry', () => {
    expect(() => solveAssignment(new Float64Array(5), 2)).toThrow(CfmError);
    expect(() => solveAssignment(new Float64Array(5), 2)).toThrow(/expected n\*n = 2\*2/);
    const c = new Float64Array([1, 2, Number.NaN, 4]);
    expect(() => solveAssignment(c, 2)).toThrow(/entry \(1, 0\) is NaN/);
  });

  it('rejects point sets of different sizes or holding NaN', () => {
    const rng = new Rng(1);
    const a = randomPoints(rng, 4, 2);
    const b = randomPoints(rng, 5, 2);
    expect(() => solveAssignmentPoints(a, b)).toThrow(/equally many points/);
    const bad = randomPoints(rng, 4, 2);
    bad.data[5] = Number.NaN;
    expect(() => solveAssignmentPoints(a, bad)).toThrow(/row 2 holds NaN/);
  });

  it('handles the empty and the one-point problem', () => {
    expect(solveAssignment(new Float64Array(0), 0).length).toBe(0);
    expect(Array.from(solveAssignment(Float64Array.of(7), 1))).toEqual([0]);
  });
});
