/**
 * Exact linear assignment: for a square n x n cost c, the permutation s that
 * minimises sum_i c[i][s(i)]. This is exact minibatch OT between two equally
 * sized uniform point sets (an optimal plan of that LP is a permutation matrix /
 * n, Birkhoff), and the exact W1 / W2 between two empirical measures.
 *
 * Small problems (n <= DIRECT_MAX) run plain LAPJV (Jonker & Volgenant 1987,
 * lapjv.ts). Plain LAPJV is slow on geometric costs (its row reduction wages
 * price wars and its paths scan whole rows), so larger problems go:
 *   1. warm start: solve the problem between random n/4-subsets of rows and
 *      columns (recursively) and extend its duals to all columns (c-transform);
 *   2. epsilon-scaling auction (auction.ts) on per-row lists of the k cheapest
 *      columns by reduced cost, to make the duals nearly optimal;
 *   3. exact finish: free every row that is not exactly at its cheapest
 *      column and re-augment it with LAPJV's Dijkstra step, which relaxes
 *      candidate lists and expands a row densely only when the search reaches
 *      the bound of its unlisted columns (sparse.ts).
 * Step 3 is LAPJV's shortest augmenting path with the same invariant, so the
 * result satisfies LP duality (u_i + v_j <= c_ij, equality on the matching):
 * optimal up to float64 rounding, whatever steps 1-2 produced. The tests check
 * it against brute force and against duals built independently of this code.
 *
 * Costs are read through `CostRows`, so a stored matrix (float64 or float32) and
 * costs computed on the fly from points (no n^2 memory) share one solver.
 * Measured on a shared 2-core machine, N(0, I) against 8-Gaussian / moons sets:
 * 512 x 512 in 15-40 ms (scipy's C++ linear_sum_assignment: ~200 ms), squared
 * cost between 10,000 and 10,000 points in 5-15 s; metric cost (W1), whose ties
 * make it harder, 25-60 s.
 */
import { invalid } from '../../errors.js';
import type { Points } from '../points.js';
import { Rng } from '../rng.js';
import { auction } from './auction.js';
import { assertFinitePoints, matrixRows, pointsRows } from './cost.js';
import type { CostRows, GroundCost } from './cost.js';
import { lapjvDense } from './lapjv.js';
import { Candidates, PathSearch } from './sparse.js';

/**
 * Optimal assignment for a dense row-major n x n cost matrix.
 * @returns rowToCol: row i is assigned column rowToCol[i].
 */
export function solveAssignment(cost: Float64Array | Float32Array, n: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw invalid('n', `${n} is not a valid matrix size; use a whole number >= 0`);
  if (cost.length !== n * n) {
    throw invalid('cost', `the cost matrix has ${cost.length} entries, expected n*n = ${n}*${n}`);
  }
  for (let k = 0; k < cost.length; k++) {
    if (!Number.isFinite(cost[k])) {
      throw invalid('cost', `entry (${Math.floor(k / n)}, ${k % n}) is ${cost[k]}; every cost must be finite`);
    }
  }
  return solveAssignmentRows(matrixRows(cost, n));
}

/**
 * Optimal assignment between two equally sized point sets, costs computed on
 * the fly (O(n d) memory): what exact W1 / W2 use for 10,000 points.
 */
export function solveAssignmentPoints(a: Points, b: Points, cost: GroundCost = 'sqeuclidean'): Int32Array {
  assertFinitePoints(a, 'points');
  assertFinitePoints(b, 'points');
  const candidates = cost === 'euclidean' ? Math.max(CANDIDATES, Math.ceil(2 * Math.sqrt(a.n))) : CANDIDATES;
  return solveAssignmentRows(pointsRows(a, b, cost), { candidates });
}

/** Problems up to this size are solved by plain dense LAPJV. */
const DIRECT_MAX = 128;
/** The warm start's coarse problem has n / COARSE_RATIO rows and columns. */
const COARSE_RATIO = 4;
/** Cheapest columns kept per row (32 measured best among 16-128). */
const CANDIDATES = 32;
/** Auction epsilon, first and last, relative to the largest |cost|. */
const EPS_START = 1e-3;
const EPS_END = 1e-4;

export interface AssignmentOptions {
  /**
   * Cheapest columns kept per row on large problems (default 32). Metric costs
   * (W1) need more: their reduced costs are flat along whole transport rays, so
   * about sqrt(n) columns tie near each row's minimum.
   */
  candidates?: number;
}

/** The optimal assignment (row -> column) over any source of finite cost rows. */
export function solveAssignmentRows(src: CostRows, opts: AssignmentOptions = {}): Int32Array {
  const candidates = opts.candidates ?? CANDIDATES;
  if (!Number.isInteger(candidates) || candidates < 2) {
    throw invalid('candidates', `${candidates} is not valid; use a whole number >= 2`);
  }
  return solveWithDuals(src, candidates).x;
}

/** The assignment and column duals v (row duals are u_i = c_i,x(i) - v_x(i)). */
function solveWithDuals(src: CostRows, candidates: number): { x: Int32Array; v: Float64Array } {
  const n = src.n;
  if (n === 0) return { x: new Int32Array(0), v: new Float64Array(0) };
  if (n === 1) return { x: Int32Array.of(0), v: Float64Array.of(src.at(0, 0)) };
  if (n <= DIRECT_MAX) return lapjvDense(src);

  const v = coarseDuals(src, candidates);
  const cand = new Candidates(n, Math.min(candidates, n - 1));
  let costMax = 0;
  for (let i = 0; i < n; i++) {
    const row = src.row(i, null, 0);
    for (let j = 0; j < n; j++) {
      const c = Math.abs(row[j]);
      if (c > costMax) costMax = c;
    }
    cand.build(i, row, v);
  }
  const x = new Int32Array(n).fill(-1);
  const y = new Int32Array(n).fill(-1);
  if (costMax === 0) {
    // All costs are 0: every assignment is optimal.
    for (let i = 0; i < n; i++) x[i] = i;
    return { x, v: new Float64Array(n) };
  }
  auction(src, cand, x, y, v, costMax * EPS_START, costMax * EPS_END);

  // Exact finish. Fresh lists (the auction made the old bounds loose), and any
  // row not exactly at its cheapest column is freed, which restores LAPJV's
  // invariant for the rows that stay assigned.
  const free = new Int32Array(n);
  let nFree = 0;
  for (let i = 0; i < n; i++) {
    const row = src.row(i, null, 0);
    const best = cand.build(i, row, v);
    const xi = x[i];
    if (row[xi] - v[xi] > row[best] - v[best]) {
      x[i] = -1;
      y[xi] = -1;
      free[nFree++] = i;
    }
  }
  const search = new PathSearch(src, cand);
  for (let f = 0; f < nFree; f++) search.augment(free[f], x, y, v);
  return { x, v };
}

/**
 * Column duals for a warm start: the assignment between random subsets of
 * n / COARSE_RATIO rows and columns (solved recursively) has row duals u_r; the
 * c-transform v_j = min_r (c_rj - u_r) extends them to every column. Any v is a
 * valid start; a good one keeps the auction short. The subsets come from a
 * fixed seed, so results do not vary from call to call.
 */
function coarseDuals(src: CostRows, candidates: number): Float64Array {
  const n = src.n;
  const m = Math.ceil(n / COARSE_RATIO);
  const rng = new Rng(n);
  const rows = rng.permutation(n).subarray(0, m);
  const cols = rng.permutation(n).subarray(0, m);
  const coarse = solveWithDuals(src.sub(rows, cols), candidates);
  const v = new Float64Array(n).fill(Infinity);
  for (let r = 0; r < m; r++) {
    const c = coarse.x[r];
    const ur = src.at(rows[r], cols[c]) - coarse.v[c];
    const row = src.row(rows[r], null, 0);
    for (let j = 0; j < n; j++) {
      const t = row[j] - ur;
      if (t < v[j]) v[j] = t;
    }
  }
  return v;
}

/** sum_i cost[i][rowToCol[i]] for a dense row-major matrix. */
export function assignmentCost(cost: Float64Array | Float32Array, n: number, rowToCol: Int32Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += cost[i * n + rowToCol[i]];
  return s;
}
