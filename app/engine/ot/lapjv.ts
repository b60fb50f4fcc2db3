/**
 * The dense steps of Jonker & Volgenant (1987), "A shortest augmenting path
 * algorithm for dense and sparse linear assignment problems" (LAPJV), over column
 * duals v and a partial assignment x (row -> column), y (column -> row):
 *   1. column reduction: v_j = min_i c_ij, each column offered to its cheapest
 *      row; reduction transfer for rows that got exactly one column;
 *   2. augmenting row reduction: a free row takes its cheapest column j1 by
 *      reduced cost c_ij - v_j, lowering v_j1 to the second-cheapest, and evicts
 *      j1's previous row;
 *   3. augmentation: from each free row a Dijkstra shortest path over reduced
 *      costs to a free column, then the duals of the columns settled before it
 *      move so that reduced costs stay >= 0 and are 0 along the new matching.
 * Invariant for step 3 (kept by steps 1-3): each assigned row's column has the
 * smallest reduced cost c_ij - v_j in its row. Any v and partial assignment
 * with that invariant is a valid start, which the exact finish of large
 * problems (assignment.ts, sparse.ts) relies on.
 */
import type { CostRows } from './cost.js';

/** Plain LAPJV from scratch: returns the optimal assignment and its column duals. */
export function lapjvDense(src: CostRows): { x: Int32Array; v: Float64Array } {
  const n = src.n;
  const x = new Int32Array(n).fill(-1);
  const y = new Int32Array(n).fill(-1);
  const v = new Float64Array(n);
  const free = new Int32Array(n);
  let nFree = columnReduction(src, x, y, v, free);
  for (let pass = 0; pass < 2 && nFree > 0; pass++) nFree = augmentingRowReduction(src, x, y, v, free, nFree);
  if (nFree > 0) augmentDense(src, x, y, v, free, nFree);
  return { x, v };
}

/** Step 1: column reduction and reduction transfer. Returns the number of free rows. */
export function columnReduction(src: CostRows, x: Int32Array, y: Int32Array, v: Float64Array, free: Int32Array): number {
  const n = src.n;
  v.fill(Infinity);
  for (let i = 0; i < n; i++) {
    const r = src.row(i, null, 0);
    for (let j = 0; j < n; j++) {
      if (r[j] < v[j]) {
        v[j] = r[j];
        y[j] = i;
      }
    }
  }
  const unique = new Uint8Array(n).fill(1);
  for (let j = n - 1; j >= 0; j--) {
    const i = y[j];
    if (x[i] < 0) {
      x[i] = j;
    } else {
      unique[i] = 0;
      y[j] = -1;
    }
  }
  let nFree = 0;
  for (let i = 0; i < n; i++) {
    if (x[i] < 0) {
      free[nFree++] = i;
    } else if (unique[i] === 1) {
      // Reduction transfer: give row i's slack to its column's dual.
      const j1 = x[i];
      const r = src.row(i, null, 0);
      let min = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === j1) continue;
        const c = r[j] - v[j];
        if (c < min) min = c;
      }
      v[j1] -= min;
    }
  }
  return nFree;
}

/** Step 2: augmenting row reduction. Returns the number of rows still free (listed in `free`). */
export function augmentingRowReduction(
  src: CostRows,
  x: Int32Array,
  y: Int32Array,
  v: Float64Array,
  free: Int32Array,
  nFree: number,
): number {
  const n = src.n;
  let current = 0;
  let newFree = 0;
  let rrCount = 0;
  while (current < nFree) {
    rrCount++;
    const freeI = free[current++];
    const r = src.row(freeI, null, 0);
    // Cheapest (j1, u1) and second-cheapest (j2, u2) columns by reduced cost.
    let j1 = 0;
    let u1 = r[0] - v[0];
    let j2 = -1;
    let u2 = Infinity;
    for (let j = 1; j < n; j++) {
      const c = r[j] - v[j];
      if (c < u2) {
        if (c >= u1) {
          u2 = c;
          j2 = j;
        } else {
          u2 = u1;
          u1 = c;
          j2 = j1;
          j1 = j;
        }
      }
    }
    let i0 = y[j1];
    const v1New = v[j1] - (u2 - u1);
    const lowers = v1New < v[j1];
    // The guard bounds the work when float ties make rows evict each other forever.
    if (rrCount < current * n) {
      if (lowers) {
        v[j1] = v1New;
      } else if (i0 >= 0 && j2 >= 0) {
        j1 = j2;
        i0 = y[j2];
      }
      if (i0 >= 0) {
        if (lowers) free[--current] = i0;
        else free[newFree++] = i0;
      }
    } else if (i0 >= 0) {
      free[newFree++] = i0;
    }
    x[freeI] = j1;
    y[j1] = freeI;
  }
  return newFree;
}

/** Step 3: a shortest augmenting path from each remaining free row. */
export function augmentDense(src: CostRows, x: Int32Array, y: Int32Array, v: Float64Array, free: Int32Array, nFree: number): void {
  const n = src.n;
  const pred = new Int32Array(n);
  const cols = new Int32Array(n);
  const dist = new Float64Array(n);
  for (let f = 0; f < nFree; f++) {
    const start = free[f];
    let j = findPath(src, start, y, v, pred, cols, dist);
    let i = -1;
    let steps = 0;
    while (i !== start) {
      i = pred[j];
      y[j] = i;
      const k = j;
      j = x[i];
      x[i] = k;
      if (++steps > n) throw new Error('assignment: augmenting path did not close (internal error)');
    }
  }
}

/**
 * Dijkstra over reduced costs from row `start` to the nearest free column.
 * cols is partitioned into READY [0, lo), SCAN [lo, hi) (all at the current
 * minimum distance) and TODO [hi, n). Updates the duals v of READY columns and
 * returns the free column reached; pred holds the path.
 */
function findPath(
  src: CostRows,
  start: number,
  y: Int32Array,
  v: Float64Array,
  pred: Int32Array,
  cols: Int32Array,
  dist: Float64Array,
): number {
  const n = src.n;
  const r0 = src.row(start, null, 0);
  for (let j = 0; j < n; j++) {
    cols[j] = j;
    pred[j] = start;
    dist[j] = r0[j] - v[j];
  }
  let lo = 0;
  let hi = 0;
  let nReady = 0;
  let mind = 0;
  let finalJ = -1;
  while (finalJ === -1) {
    if (lo === hi) {
      // Move every TODO column at the minimum distance into SCAN.
      nReady = lo;
      hi = lo + 1;
      mind = dist[cols[lo]];
      for (let k = hi; k < n; k++) {
        const j = cols[k];
        const dj = dist[j];
        if (dj <= mind) {
          if (dj < mind) {
            hi = lo;
            mind = dj;
          }
          cols[k] = cols[hi];
          cols[hi++] = j;
        }
      }
      for (let k = lo; k < hi; k++) {
        if (y[cols[k]] < 0) {
          finalJ = cols[k];
          break;
        }
      }
      if (finalJ !== -1) break;
    }
    // Scan one SCAN column: relax TODO columns through its row.
    const j0 = cols[lo++];
    const i = y[j0];
    const h = src.at(i, j0) - v[j0] - mind;
    const r = src.row(i, cols, hi);
    for (let k = hi; k < n; k++) {
      const j = cols[k];
      const c = r[j] - v[j] - h;
      if (c < dist[j]) {
        dist[j] = c;
        pred[j] = i;
        if (c === mind) {
          if (y[j] < 0) {
            finalJ = j;
            break;
          }
          cols[k] = cols[hi];
          cols[hi++] = j;
        }
      }
    }
  }
  // Dual update: READY columns move by how much closer than the free column they were.
  for (let k = 0; k < nReady; k++) {
    const j = cols[k];
    v[j] += dist[j] - mind;
  }
  return finalJ;
}
