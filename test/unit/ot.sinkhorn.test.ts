/**
 * Log-domain Sinkhorn: its plan has the uniform marginals, its transport cost
 * falls towards the exact OT cost (from the assignment solver) as reg shrinks,
 * and very small reg neither underflows nor returns NaN.
 */
import { describe, expect, it } from 'vitest';
import { CfmError } from '../../app/errors.js';
import type { Points } from '../../app/engine/points.js';
import { Rng } from '../../app/engine/rng.js';
import { assignmentCost, solveAssignment } from '../../app/engine/ot/assignment.js';
import { costMatrix } from '../../app/engine/ot/cost.js';
import { sinkhorn } from '../../app/engine/ot/sinkhorn.js';

function randomPoints(rng: Rng, n: number, shift: number, scale = 1): Points {
  const data = new Float32Array(n * 2);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal() * scale + shift;
  return { data, n, d: 2 };
}

function marginalErrors(plan: Float64Array, n: number, m: number): { rows: number; cols: number } {
  let rows = 0;
  const colSums = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) {
      s += plan[i * m + j];
      colSums[j] += plan[i * m + j];
    }
    rows = Math.max(rows, Math.abs(s - 1 / n));
  }
  let cols = 0;
  for (let j = 0; j < m; j++) cols = Math.max(cols, Math.abs(colSums[j] - 1 / m));
  return { rows, cols };
}

function transportCost(plan: Float64Array, cost: Float64Array): number {
  let s = 0;
  for (let k = 0; k < plan.length; k++) s += plan[k] * cost[k];
  return s;
}

describe('sinkhorn', () => {
  it('returns a plan with uniform row and column marginals, also when n != m', () => {
    const rng = new Rng(1);
    for (const [n, m] of [
      [30, 30],
      [25, 40],
    ]) {
      const a = randomPoints(rng, n, 0);
      const b = randomPoints(rng, m, 2);
      const res = sinkhorn(costMatrix(a, b), n, m, 0.5, { tol: 1e-10, maxIter: 5000 });
      expect(res.converged).toBe(true);
      const err = marginalErrors(res.plan, n, m);
      expect(err.rows).toBeLessThan(1e-10);
      expect(err.cols).toBeLessThan(1e-12);
      expect(res.plan.every((p) => p >= 0)).toBe(true);
    }
  });

  it('transport cost decreases towards the exact OT cost as reg shrinks, within 1% at small reg', () => {
    const rng = new Rng(2);
    const n = 40;
    const a = randomPoints(rng, n, 0);
    const b = randomPoints(rng, n, 3, 0.5);
    const cost = costMatrix(a, b);
    const exact = assignmentCost(cost, n, solveAssignment(cost, n)) / n;
    const costs: number[] = [];
    for (const reg of [4, 1, 0.25, 0.0625, 0.015625, 0.004]) {
      // Sinkhorn's tail is slow at small reg; the plan only needs near-uniform marginals here.
      const res = sinkhorn(cost, n, n, reg, { maxIter: 5000, tol: 1e-7 });
      const err = marginalErrors(res.plan, n, n);
      expect(Math.max(err.rows, err.cols)).toBeLessThan(1e-4);
      costs.push(transportCost(res.plan, cost));
    }
    for (let k = 1; k < costs.length; k++) expect(costs[k]).toBeLessThanOrEqual(costs[k - 1] + 1e-9);
    for (const c of costs) expect(c).toBeGreaterThanOrEqual(exact - 1e-6);
    expect(costs[costs.length - 1]).toBeLessThan(exact * 1.01);
  });

  it('stays finite for reg far below the cost scale (a plain Sinkhorn would underflow to NaN)', () => {
    const rng = new Rng(3);
    const n = 20;
    const a = randomPoints(rng, n, 0);
    const b = randomPoints(rng, n, 10);
    const cost = costMatrix(a, b); // costs ~ 200, exp(-200 / 1e-3) underflows
    const res = sinkhorn(cost, n, n, 1e-3, { maxIter: 2000, tol: 1e-8 });
    expect(res.plan.every((p) => Number.isFinite(p) && p >= 0)).toBe(true);
    const err = marginalErrors(res.plan, n, n);
    expect(Math.max(err.rows, err.cols)).toBeLessThan(1e-6);
    // With reg this small nearly all mass sits on the exact optimal matching.
    const exact = solveAssignment(cost, n);
    let onMatching = 0;
    for (let i = 0; i < n; i++) onMatching += res.plan[i * n + exact[i]];
    expect(onMatching).toBeGreaterThan(0.99);
    expect(transportCost(res.plan, cost)).toBeCloseTo(assignmentCost(cost, n, exact) / n, 2);
  });

  it('reports non-convergence instead of looping forever', () => {
    const rng = new Rng(4);
    const cost = costMatrix(randomPoints(rng, 30, 0), randomPoints(rng, 30, 1));
    const res = sinkhorn(cost, 30, 30, 0.001, { maxIter: 3, tol: 0 });
    expect(res.converged).toBe(false);
    expect(res.iterations).toBeGreaterThanOrEqual(3);
    expect(res.plan.every((p) => Number.isFinite(p))).toBe(true);
  });

  it('rejects reg <= 0, a cost matrix of the wrong size and non-finite costs', () => {
    const c = new Float64Array(4);
    expect(() => sinkhorn(c, 2, 2, 0)).toThrow(CfmError);
    expect(() => sinkhorn(c, 2, 2, -1)).toThrow(/reg/);
    expect(() => sinkhorn(c, 2, 3, 1)).toThrow(/expected n\*m = 2\*3/);
    expect(() => sinkhorn(Float64Array.of(0, 1, Infinity, 0), 2, 2, 1)).toThrow(/entry \(1, 0\)/);
  });
});
