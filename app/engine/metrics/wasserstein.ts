/**
 * Exact Wasserstein distances between two empirical measures with n points
 * each and equal weights 1/n (the 2-D protocol of Tong et al. compares 10,000
 * generated with 10,000 held-out points):
 *   W1 = min_s (1/n) sum_i ||a_i - b_s(i)||,
 *   W2 = sqrt( min_s (1/n) sum_i ||a_i - b_s(i)||^2 ),
 * the minimum over permutations s (an optimal plan between equal-size uniform
 * measures is a permutation, Birkhoff), found exactly by LAPJV with the costs
 * computed on the fly (no n^2 matrix). Same quantity as TorchCFM's
 * `wasserstein(x0, x1, power)` (POT's emd2 on cdist or cdist^2).
 */
import { invalid } from '../../errors.js';
import type { Points } from '../points.js';
import { solveAssignmentPoints } from '../ot/assignment.js';
import { assertFinitePoints } from '../ot/cost.js';

export function wasserstein(a: Points, b: Points, p: 1 | 2): number {
  if (p !== 1 && p !== 2) throw invalid('p', `${String(p)} is not supported; use 1 (W1) or 2 (W2)`);
  if (a.n !== b.n) {
    throw invalid('n', `W${p} needs equally many points in both sets (got ${a.n} and ${b.n}); draw as many samples as reference points`);
  }
  if (a.d !== b.d) throw invalid('d', `the two sets have ${a.d} and ${b.d} dimensions; they must match`);
  if (a.n === 0) throw invalid('n', `W${p} of empty sets is undefined; give at least one point`);
  assertFinitePoints(a, 'samples');
  assertFinitePoints(b, 'reference');
  const rowToCol = solveAssignmentPoints(a, b, p === 1 ? 'euclidean' : 'sqeuclidean');
  const { n, d } = a;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = rowToCol[i];
    let s = 0;
    for (let k = 0; k < d; k++) {
      const t = a.data[i * d + k] - b.data[j * d + k];
      s += t * t;
    }
    total += p === 1 ? Math.sqrt(s) : s;
  }
  return p === 1 ? total / n : Math.sqrt(total / n);
}
