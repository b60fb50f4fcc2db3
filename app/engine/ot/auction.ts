/**
 * Bertsekas' auction with epsilon-scaling, used only to bring the column duals
 * v of a large assignment problem close to optimal before the exact finish
 * (assignment.ts). In cost-minimisation form: an unassigned row i finds its
 * cheapest column j1 by reduced cost w1 = c_ij1 - v_j1 and the second cheapest
 * w2, takes j1 (evicting its owner) and lowers v_j1 by (w2 - w1) + eps. At the
 * end of a phase every row is assigned and within eps of its cheapest column
 * (eps-complementary slackness); eps then shrinks by SCALE_FACTOR and rows
 * outside the new eps are re-auctioned, down to the last phase with eps >= epsEnd.
 *
 * Duals only decrease, so each row's candidate list and bound (sparse.ts) stay
 * valid, and most bids read k candidates; a row whose second-best candidate is
 * beyond its bound is rebuilt densely first, so bids are exact.
 */
import type { CostRows } from './cost.js';
import type { Candidates } from './sparse.js';

/** Epsilon shrinks by this factor between phases. */
const SCALE_FACTOR = 8;

export function auction(
  src: CostRows,
  cand: Candidates,
  x: Int32Array,
  y: Int32Array,
  v: Float64Array,
  epsStart: number,
  epsEnd: number,
): { bids: number; rebuilds: number } {
  const n = src.n;
  const k = cand.k;
  const cols = cand.cols;
  const costs = cand.costs;
  const bound = cand.bound;
  const queue = new Int32Array(n);
  let bids = 0;
  let rebuilds = 0;

  // Phases at epsStart / SCALE_FACTOR^t down to the last one not below epsEnd.
  for (let eps = Math.max(epsStart, epsEnd); eps >= epsEnd; eps /= SCALE_FACTOR) {
    // Rows outside eps-slackness for this phase bid again.
    let head = 0;
    let tail = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      if (xi >= 0) {
        const off = i * k;
        let w1 = Infinity;
        for (let q = 0; q < k; q++) {
          const r = costs[off + q] - v[cols[off + q]];
          if (r < w1) w1 = r;
        }
        if (w1 > bound[i]) w1 = bound[i]; // a lower bound on the row minimum is enough here
        if (src.at(i, xi) - v[xi] - w1 <= eps) continue;
        x[i] = -1;
        y[xi] = -1;
      }
      queue[tail++] = i;
    }
    let pending = tail;
    if (tail === n) tail = 0;
    while (pending > 0) {
      const i = queue[head];
      head = head + 1 === n ? 0 : head + 1;
      pending--;
      bids++;
      // Best and second-best reduced cost among the candidates. If the second best
      // lies beyond the row's bound, a column outside the list may be cheaper:
      // rebuild the list densely once and scan again, capping w2 at the new bound.
      const off = i * k;
      let w1 = Infinity;
      let w2 = Infinity;
      let j1 = -1;
      for (let rebuilt = false; ; rebuilt = true) {
        w1 = Infinity;
        w2 = Infinity;
        for (let q = 0; q < k; q++) {
          const j = cols[off + q];
          const r = costs[off + q] - v[j];
          if (r < w2) {
            if (r < w1) {
              w2 = w1;
              w1 = r;
              j1 = j;
            } else {
              w2 = r;
            }
          }
        }
        if (w2 <= bound[i]) break;
        if (rebuilt) {
          w2 = bound[i];
          break;
        }
        rebuilds++;
        cand.build(i, src.row(i, null, 0), v);
      }
      v[j1] -= w2 - w1 + eps;
      const prev = y[j1];
      y[j1] = i;
      x[i] = j1;
      if (prev >= 0) {
        x[prev] = -1;
        queue[tail] = prev;
        tail = tail + 1 === n ? 0 : tail + 1;
        pending++;
      }
    }
  }
  return { bids, rebuilds };
}
