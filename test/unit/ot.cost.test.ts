/**
 * Ground-cost matrices agree with the distance formula entry by entry, in 2-D
 * and in other dimensions, and on-the-fly rows agree with the stored matrix.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../app/engine/rng.js';
import type { Points } from '../../app/engine/points.js';
import { costMatrix, euclideanCost, pointsRows, sqEuclideanCost } from '../../app/engine/ot/cost.js';

function randomPoints(rng: Rng, n: number, d: number): Points {
  const data = new Float32Array(n * d);
  for (let k = 0; k < data.length; k++) data[k] = rng.normal() * 3;
  return { data, n, d };
}

function distance2(a: Points, i: number, b: Points, j: number): number {
  let s = 0;
  for (let k = 0; k < a.d; k++) s += (a.data[i * a.d + k] - b.data[j * b.d + k]) ** 2;
  return s;
}

describe('cost matrices', () => {
  it('hold ||a_i - b_j||^2 and ||a_i - b_j|| row-major, for d = 1, 2, 5', () => {
    const rng = new Rng(1);
    for (const d of [1, 2, 5]) {
      const a = randomPoints(rng, 6, d);
      const b = randomPoints(rng, 4, d);
      const sq = sqEuclideanCost(a, b);
      const eu = euclideanCost(a, b);
      expect(sq.length).toBe(24);
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 4; j++) {
          expect(sq[i * 4 + j]).toBeCloseTo(distance2(a, i, b, j), 10);
          expect(eu[i * 4 + j]).toBeCloseTo(Math.sqrt(distance2(a, i, b, j)), 10);
        }
      }
    }
  });

  it('gives exactly 0 between a point and itself', () => {
    const a = randomPoints(new Rng(2), 5, 2);
    const c = costMatrix(a, a);
    for (let i = 0; i < 5; i++) expect(c[i * 5 + i]).toBe(0);
  });

  it('computes the same rows on the fly as the stored matrix', () => {
    const rng = new Rng(3);
    for (const d of [2, 3]) {
      const a = randomPoints(rng, 7, d);
      const b = randomPoints(rng, 7, d);
      for (const kind of ['sqeuclidean', 'euclidean'] as const) {
        const full = costMatrix(a, b, kind);
        const rows = pointsRows(a, b, kind);
        const cols = Int32Array.of(6, 0, 3, 5, 1, 2, 4);
        for (let i = 0; i < 7; i++) {
          const r = rows.row(i, null, 0);
          for (let j = 0; j < 7; j++) expect(r[j]).toBeCloseTo(full[i * 7 + j], 12);
          const partial = rows.row(i, cols, 3); // only columns cols[3..] are promised
          for (let k = 3; k < 7; k++) expect(partial[cols[k]]).toBeCloseTo(full[i * 7 + cols[k]], 12);
          expect(rows.at(i, 4)).toBeCloseTo(full[i * 7 + 4], 12);
        }
      }
    }
  });

  it('rejects point sets of different dimension', () => {
    const rng = new Rng(4);
    expect(() => costMatrix(randomPoints(rng, 3, 2), randomPoints(rng, 3, 3))).toThrow(/2 and 3 dimensions/);
  });
});
