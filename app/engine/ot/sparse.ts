/**
 * LAPJV's shortest augmenting path (see lapjv.ts) made cheap for large problems
 * with good column duals v, and still exact.
 *
 * Each row keeps its k columns of smallest reduced cost c_ij - v_j (as of when
 * the list was built) and `bound_i`, the (k+1)-th smallest. Column duals only
 * ever decrease (in the auction and in augmentation), so every column outside the list keeps
 * c_ij - v_j >= bound_i. Dijkstra therefore relaxes only a row's candidates and
 * pushes one stand-in entry for "all its other columns" keyed by the lower
 * bound of their distances; if the search ever reaches that key, the row is
 * expanded densely (and its list rebuilt). Every column is thus settled at its
 * true shortest distance, as in dense LAPJV: the result is exactly optimal,
 * while most rows cost O(k log) instead of O(n) per search.
 */
import type { CostRows } from './cost.js';

/** Entries sampled to set the selection threshold of long rows. */
const SAMPLE = 64;

export class Candidates {
  readonly cols: Int32Array;
  readonly costs: Float64Array;
  /** Lower bound on c_ij - v_j for every column j not in row i's list. */
  readonly bound: Float64Array;
  private readonly selR: Float64Array;
  private readonly selJ: Int32Array;

  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.cols = new Int32Array(n * k);
    this.costs = new Float64Array(n * k);
    this.bound = new Float64Array(n);
    this.selR = new Float64Array(n);
    this.selJ = new Int32Array(n);
  }

  /**
   * Rebuild row i's list from its full cost row: the k smallest reduced costs
   * (unordered) and the (k+1)-th as the bound. For long rows a threshold from a
   * strided sample keeps only ~2(k+1) values for the final quickselect; if too few
   * pass it, the whole row is selected. Returns the column of smallest reduced cost.
   */
  build(i: number, row: Float64Array, v: Float64Array): number {
    const n = this.n;
    const k = this.k;
    const R = this.selR;
    const J = this.selJ;
    let cnt = 0;
    const m = SAMPLE;
    if (n >= 4 * m && k + 1 < m) {
      // Threshold: the t-th smallest of m evenly spaced entries, t chosen so that
      // about 2(k+1) of the row's n entries are expected to fall below it.
      const step = n / m;
      for (let q = 0; q < m; q++) {
        const j = Math.floor(q * step);
        R[q] = row[j] - v[j];
        J[q] = j;
      }
      const t = Math.min(m - 1, Math.ceil((2 * (k + 1) * m) / n));
      select(R, J, m, t);
      const tau = R[t];
      for (let j = 0; j < n; j++) {
        const r = row[j] - v[j];
        if (r <= tau) {
          R[cnt] = r;
          J[cnt] = j;
          cnt++;
        }
      }
    }
    if (cnt <= k) {
      cnt = n;
      for (let j = 0; j < n; j++) {
        R[j] = row[j] - v[j];
        J[j] = j;
      }
    }
    if (k < cnt) select(R, J, cnt, k);
    const off = i * k;
    let best = J[0];
    let bestR = R[0];
    for (let q = 0; q < k; q++) {
      const j = J[q];
      this.cols[off + q] = j;
      this.costs[off + q] = row[j];
      if (R[q] < bestR) {
        bestR = R[q];
        best = j;
      }
    }
    // Entries left out by the threshold are > tau >= R[k], so R[k] bounds them too.
    this.bound[i] = k < n ? R[k] : Infinity;
    return best;
  }
}

/**
 * Reorders R (and J alongside) so that R[k] is the (k+1)-th smallest value,
 * everything before it is <= R[k] and everything after >= R[k] (Hoare
 * quickselect, median-of-three pivots; expected O(n)).
 */
function select(R: Float64Array, J: Int32Array, n: number, k: number): void {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three to R[mid], then use it as the pivot value.
    if (R[mid] < R[lo]) swap(R, J, mid, lo);
    if (R[hi] < R[lo]) swap(R, J, hi, lo);
    if (R[hi] < R[mid]) swap(R, J, hi, mid);
    const pivot = R[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (R[i] < pivot) i++;
      while (R[j] > pivot) j--;
      if (i <= j) {
        swap(R, J, i, j);
        i++;
        j--;
      }
    }
    // Now R[lo..j] <= pivot <= R[i..hi], and lo <= j < i <= hi + 1.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return; // j < k < i: R[k] equals the pivot and is in place
  }
}

function swap(R: Float64Array, J: Int32Array, a: number, b: number): void {
  const r = R[a];
  R[a] = R[b];
  R[b] = r;
  const t = J[a];
  J[a] = J[b];
  J[b] = t;
}

/** Shortest augmenting paths over candidate lists with lazy dense expansion; scratch reused. */
export class PathSearch {
  private readonly dist: Float64Array;
  private readonly pred: Int32Array;
  private readonly settled: Uint8Array;
  private readonly touched: Int32Array;
  private readonly isTouched: Uint8Array;
  private readonly order: Int32Array;
  /** Offset at which each row was expanded in the current search. */
  private readonly rowBase: Float64Array;
  private heapKey = new Float64Array(1024);
  private heapVal = new Int32Array(1024);
  private heapSize = 0;
  private nTouched = 0;

  constructor(
    private readonly src: CostRows,
    private readonly cand: Candidates,
  ) {
    const n = src.n;
    this.dist = new Float64Array(n).fill(Infinity);
    this.pred = new Int32Array(n);
    this.settled = new Uint8Array(n);
    this.touched = new Int32Array(n);
    this.isTouched = new Uint8Array(n);
    this.order = new Int32Array(n);
    this.rowBase = new Float64Array(n);
  }

  /** Augment the matching along a shortest path from free row `start`; updates x, y, v. */
  augment(start: number, x: Int32Array, y: Int32Array, v: Float64Array): void {
    const n = this.src.n;
    const { dist, pred, settled, order } = this;
    let nSettled = 0;
    let endJ = -1;
    this.heapSize = 0;
    this.nTouched = 0;
    this.expandRow(start, 0, v);

    while (this.heapSize > 0) {
      const key = this.heapKey[0];
      const val = this.heapVal[0];
      this.pop();
      if (val >= n) {
        // Stand-in for row (val - n)'s other columns: their turn has come.
        const i = val - n;
        this.expandDense(i, this.rowBase[i], v);
        continue;
      }
      const j = val;
      if (settled[j] === 1 || key > dist[j]) continue; // stale entry
      settled[j] = 1;
      order[nSettled++] = j;
      if (y[j] < 0) {
        endJ = j;
        break;
      }
      const i = y[j];
      const xi = x[i];
      this.expandRow(i, key - (this.src.at(i, xi) - v[xi]), v);
    }
    if (endJ < 0) throw new Error('assignment: no augmenting path (internal error)');

    const dEnd = dist[endJ];
    for (let q = 0; q < nSettled - 1; q++) {
      const j = order[q];
      v[j] += dist[j] - dEnd;
    }
    let j = endJ;
    for (let steps = 0; ; steps++) {
      const i = pred[j];
      y[j] = i;
      const next = x[i];
      x[i] = j;
      if (i === start) break;
      j = next;
      if (steps > n) throw new Error('assignment: augmenting path did not close (internal error)');
    }
    for (let q = 0; q < this.nTouched; q++) {
      const t = this.touched[q];
      dist[t] = Infinity;
      settled[t] = 0;
      this.isTouched[t] = 0;
    }
  }

  /** Relax row i's candidates at offset `base` (path length to row i minus its u) and queue its stand-in. */
  private expandRow(i: number, base: number, v: Float64Array): void {
    const k = this.cand.k;
    const off = i * k;
    const cols = this.cand.cols;
    const costs = this.cand.costs;
    for (let q = 0; q < k; q++) {
      const j = cols[off + q];
      this.relax(j, base + costs[off + q] - v[j], i);
    }
    const b = this.cand.bound[i];
    this.rowBase[i] = base;
    if (b !== Infinity) this.push(base + b, this.src.n + i);
  }

  /** Relax every column of row i and rebuild its list. */
  private expandDense(i: number, base: number, v: Float64Array): void {
    const row = this.src.row(i, null, 0);
    const n = this.src.n;
    for (let j = 0; j < n; j++) {
      if (this.settled[j] === 1) continue;
      this.relax(j, base + row[j] - v[j], i);
    }
    this.cand.build(i, row, v);
  }

  private relax(j: number, d: number, i: number): void {
    if (this.settled[j] === 1 || d >= this.dist[j]) return;
    if (this.isTouched[j] === 0) {
      this.isTouched[j] = 1;
      this.touched[this.nTouched++] = j;
    }
    this.dist[j] = d;
    this.pred[j] = i;
    this.push(d, j);
  }

  private push(d: number, val: number): void {
    if (this.heapSize === this.heapKey.length) {
      const key = new Float64Array(this.heapKey.length * 2);
      key.set(this.heapKey);
      const vals = new Int32Array(this.heapVal.length * 2);
      vals.set(this.heapVal);
      this.heapKey = key;
      this.heapVal = vals;
    }
    const key = this.heapKey;
    const vals = this.heapVal;
    let p = this.heapSize++;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (key[parent] <= d) break;
      key[p] = key[parent];
      vals[p] = vals[parent];
      p = parent;
    }
    key[p] = d;
    vals[p] = val;
  }

  private pop(): void {
    const size = --this.heapSize;
    if (size === 0) return;
    const key = this.heapKey;
    const vals = this.heapVal;
    const lastK = key[size];
    const lastV = vals[size];
    let p = 0;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= size) break;
      if (c + 1 < size && key[c + 1] < key[c]) c++;
      if (key[c] >= lastK) break;
      key[p] = key[c];
      vals[p] = vals[c];
      p = c;
    }
    key[p] = lastK;
    vals[p] = lastV;
  }
}
