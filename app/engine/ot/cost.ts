/**
 * Ground costs between two point sets a (n x d) and b (m x d):
 *   sqeuclidean  c_ij = ||a_i - b_j||^2   (W2, minibatch OT couplings, Sinkhorn)
 *   euclidean    c_ij = ||a_i - b_j||     (W1)
 * as a dense row-major float64 matrix, or as rows computed on demand (`pointsRows`)
 * so that the exact solver can match 10,000 x 10,000 points without the 800 MB
 * matrix. Differences are taken coordinate by coordinate (not via
 * ||a||^2 + ||b||^2 - 2 a.b), so near-identical points get costs near 0, not
 * rounding noise, and everything is computed in float64 from the float32 points.
 */
import type { Points } from '../points.js';
import { takeRows } from '../points.js';
import { invalid } from '../../errors.js';

export type GroundCost = 'sqeuclidean' | 'euclidean';

/** Dense n x m cost matrix, row-major. */
export function costMatrix(a: Points, b: Points, cost: GroundCost = 'sqeuclidean'): Float64Array {
  if (a.d !== b.d) throw invalid('d', `the two point sets have ${a.d} and ${b.d} dimensions; they must match`);
  const n = a.n;
  const m = b.n;
  const d = a.d;
  const A = a.data;
  const B = b.data;
  const out = new Float64Array(n * m);
  if (d === 2) {
    for (let i = 0; i < n; i++) {
      const ax = A[2 * i];
      const ay = A[2 * i + 1];
      const off = i * m;
      for (let j = 0; j < m; j++) {
        const dx = ax - B[2 * j];
        const dy = ay - B[2 * j + 1];
        out[off + j] = dx * dx + dy * dy;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const ai = i * d;
      const off = i * m;
      for (let j = 0; j < m; j++) {
        const bj = j * d;
        let s = 0;
        for (let k = 0; k < d; k++) {
          const t = A[ai + k] - B[bj + k];
          s += t * t;
        }
        out[off + j] = s;
      }
    }
  }
  if (cost === 'euclidean') for (let k = 0; k < out.length; k++) out[k] = Math.sqrt(out[k]);
  return out;
}

export function sqEuclideanCost(a: Points, b: Points): Float64Array {
  return costMatrix(a, b, 'sqeuclidean');
}

export function euclideanCost(a: Points, b: Points): Float64Array {
  return costMatrix(a, b, 'euclidean');
}

/**
 * Rows of a square n x n cost matrix, as the assignment solver reads them. `row(i,
 * cols, from)` returns a float64 array indexed by column in which at least the
 * entries of columns cols[from..n) are valid (all n when cols is null); it may be a
 * view of stored costs or a scratch buffer that the next call overwrites.
 */
export interface CostRows {
  readonly n: number;
  row(i: number, cols: Int32Array | null, from: number): Float64Array;
  at(i: number, j: number): number;
  /** The costs between rows `rows` and columns `cols` (same length) as a new square source. */
  sub(rows: Int32Array, cols: Int32Array): CostRows;
}

/** Rows of a stored matrix: float64 rows are views, float32 rows are copied to float64. */
export function matrixRows(cost: Float64Array | Float32Array, n: number): CostRows {
  if (cost.length !== n * n) {
    throw invalid('cost', `the cost matrix has ${cost.length} entries, expected n*n = ${n}*${n}`);
  }
  const sub = (rows: Int32Array, cols: Int32Array): CostRows => {
    const k = rows.length;
    const out = new Float64Array(k * k);
    for (let r = 0; r < k; r++) {
      const off = rows[r] * n;
      for (let c = 0; c < k; c++) out[r * k + c] = cost[off + cols[c]];
    }
    return matrixRows(out, k);
  };
  if (cost instanceof Float64Array) {
    return {
      n,
      row: (i) => cost.subarray(i * n, i * n + n),
      at: (i, j) => cost[i * n + j],
      sub,
    };
  }
  const buf = new Float64Array(n);
  return {
    n,
    row(i, cols, from) {
      const off = i * n;
      if (cols === null) {
        for (let j = 0; j < n; j++) buf[j] = cost[off + j];
      } else {
        for (let k = from; k < n; k++) {
          const j = cols[k];
          buf[j] = cost[off + j];
        }
      }
      return buf;
    },
    at: (i, j) => cost[i * n + j],
    sub,
  };
}

/** Rows computed from the points when asked: O(n d) memory instead of O(n^2). */
export function pointsRows(a: Points, b: Points, cost: GroundCost): CostRows {
  if (a.n !== b.n) throw invalid('n', `the assignment needs equally many points on both sides (got ${a.n} and ${b.n})`);
  if (a.d !== b.d) throw invalid('d', `the two point sets have ${a.d} and ${b.d} dimensions; they must match`);
  const n = a.n;
  const d = a.d;
  const A = Float64Array.from(a.data);
  const B = Float64Array.from(b.data);
  const buf = new Float64Array(n);
  const sqrt = cost === 'euclidean';
  const sub = (rows: Int32Array, cols: Int32Array): CostRows => pointsRows(takeRows(a, rows), takeRows(b, cols), cost);
  const at = (i: number, j: number): number => {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const t = A[i * d + k] - B[j * d + k];
      s += t * t;
    }
    return sqrt ? Math.sqrt(s) : s;
  };
  if (d === 2) {
    return {
      n,
      row(i, cols, from) {
        const ax = A[2 * i];
        const ay = A[2 * i + 1];
        if (cols === null) {
          for (let j = 0; j < n; j++) {
            const dx = ax - B[2 * j];
            const dy = ay - B[2 * j + 1];
            buf[j] = dx * dx + dy * dy;
          }
          if (sqrt) for (let j = 0; j < n; j++) buf[j] = Math.sqrt(buf[j]);
        } else if (sqrt) {
          for (let k = from; k < n; k++) {
            const j = cols[k];
            const dx = ax - B[2 * j];
            const dy = ay - B[2 * j + 1];
            buf[j] = Math.sqrt(dx * dx + dy * dy);
          }
        } else {
          for (let k = from; k < n; k++) {
            const j = cols[k];
            const dx = ax - B[2 * j];
            const dy = ay - B[2 * j + 1];
            buf[j] = dx * dx + dy * dy;
          }
        }
        return buf;
      },
      at,
      sub,
    };
  }
  return {
    n,
    row(i, cols, from) {
      const ai = i * d;
      const start = cols === null ? 0 : from;
      for (let k = start; k < n; k++) {
        const j = cols === null ? k : cols[k];
        const bj = j * d;
        let s = 0;
        for (let q = 0; q < d; q++) {
          const t = A[ai + q] - B[bj + q];
          s += t * t;
        }
        buf[j] = sqrt ? Math.sqrt(s) : s;
      }
      return buf;
    },
    at,
    sub,
  };
}

/**
 * Throws a clear error when a point set holds NaN or an infinity (a diverged
 * model's samples, say): every solver here would otherwise loop or return NaN.
 */
export function assertFinitePoints(p: Points, field: string): void {
  const x = p.data;
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k])) {
      const row = Math.floor(k / Math.max(1, p.d));
      throw invalid(
        field,
        `row ${row} holds ${x[k]}; every coordinate must be finite (samples from a diverged model cannot be scored)`,
      );
    }
  }
}
