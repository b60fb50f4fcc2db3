/**
 * Pieces shared by the dataset generators: the generator type, balanced mode
 * labels (counts floor(n/k), the remainder n mod k going one each to the first
 * modes, then shuffled) and the n check every generator makes.
 *
 * Balanced rather than one random mode per point: with multinomial counts the
 * W2 between two samples of the same dataset is dominated by the imbalance
 * (DESIGN.md, reference datasets).
 */
import type { Rng } from '../rng.js';
import type { Points } from '../points.js';
import { invalid } from '../../errors.js';

/** A seeded 2-D dataset: n points drawn with rng, row-major float32. */
export type Generator2D = (n: number, rng: Rng) => Points;

/** Largest n a generator accepts: keeps a typo from allocating gigabytes. */
export const MAX_POINTS = 10_000_000;

export function checkCount(n: number, field = 'n'): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_POINTS) {
    throw invalid(field, `${n} is not a valid number of points; use an integer from 1 to ${MAX_POINTS}`);
  }
}

/** Number of points of mode j when n points are split over k modes. */
export function modeCount(n: number, k: number, j: number): number {
  return Math.floor(n / k) + (j < n % k ? 1 : 0);
}

/** Mode label of every point, balanced as above, in shuffled order. */
export function balancedLabels(n: number, k: number, rng: Rng): Int32Array {
  const sorted = new Int32Array(n);
  let i = 0;
  for (let j = 0; j < k; j++) {
    for (let c = modeCount(n, k, j); c > 0; c--) sorted[i++] = j;
  }
  const perm = rng.permutation(n);
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) out[r] = sorted[perm[r]];
  return out;
}

/** linspace(a, b, m) as numpy writes it (endpoint included; m = 1 gives [a]). */
export function linspace(a: number, b: number, m: number, endpoint = true): Float64Array {
  const out = new Float64Array(m);
  const div = endpoint ? m - 1 : m;
  const step = div > 0 ? (b - a) / div : 0;
  for (let i = 0; i < m; i++) out[i] = a + i * step;
  if (endpoint && m > 1) out[m - 1] = b;
  return out;
}

/** Rows of a float64 n x 2 array in the order of perm, as float32 Points. */
export function permuted2D(xy: Float64Array, perm: Int32Array): Points {
  const n = perm.length;
  const out = new Float32Array(2 * n);
  for (let r = 0; r < n; r++) {
    out[2 * r] = xy[2 * perm[r]];
    out[2 * r + 1] = xy[2 * perm[r] + 1];
  }
  return { data: out, n, d: 2 };
}
