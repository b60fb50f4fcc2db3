/**
 * Maximum mean discrepancy with a sum of Gaussian (RBF) kernels,
 *   k(x, y) = sum_s exp(-||x - y||^2 / (2 s^2)),  s in MMD_BANDWIDTHS,
 * and the unbiased U-statistic
 *   MMD^2_u = 1/(n(n-1)) sum_{i!=j} k(a_i, a_j) + 1/(m(m-1)) sum_{i!=j} k(b_i, b_j)
 *           - 2/(nm) sum_{i,j} k(a_i, b_j),
 * reported as mmd = sqrt(max(0, MMD^2_u)) (the U-statistic can dip below 0
 * when the sets come from one distribution).
 *
 * Bandwidths: fixed [0.01, 0.1, 1, 10, 100], the list of TorchCFM's evaluation
 * (runner distribution_distances.py, "RBF_MMD"), so kernels do not depend on the
 * samples being scored (a median heuristic would change the kernel from model to
 * model) and spanning four decades covers the 2-D benchmarks' scales. Note that
 * TorchCFM reports the biased MMD^2 itself, not its root; `estimator: 'biased'`
 * with `mmd2` gives that number.
 *
 * O((n + m)^2 d) over float64 copies; exp is skipped once it would underflow
 * (exact: exp(-x) is 0 in float64 for x > 745).
 */
import { invalid } from '../../errors.js';
import type { Points } from '../points.js';
import { assertFinitePoints } from '../ot/cost.js';

export const MMD_BANDWIDTHS: readonly number[] = [0.01, 0.1, 1, 10, 100];

export interface MmdOptions {
  bandwidths?: readonly number[];
  /** 'unbiased' (default): the U-statistic; 'biased': the V-statistic with the diagonal, as TorchCFM reports. */
  estimator?: 'unbiased' | 'biased';
}

const EXP_UNDERFLOW = 745;

/** MMD^2 between a and b (may be slightly negative for the unbiased estimator). */
export function mmd2(a: Points, b: Points, opts: MmdOptions = {}): number {
  const bandwidths = opts.bandwidths ?? MMD_BANDWIDTHS;
  const estimator = opts.estimator ?? 'unbiased';
  if (a.d !== b.d) throw invalid('d', `the two sets have ${a.d} and ${b.d} dimensions; they must match`);
  const minN = estimator === 'unbiased' ? 2 : 1;
  if (a.n < minN || b.n < minN) {
    throw invalid('n', `MMD needs at least ${minN} points in each set (got ${a.n} and ${b.n})`);
  }
  if (bandwidths.length === 0 || bandwidths.some((s) => !(s > 0) || !Number.isFinite(s))) {
    throw invalid('bandwidths', `[${bandwidths.join(', ')}] is not a list of kernel bandwidths; give one or more numbers > 0`);
  }
  assertFinitePoints(a, 'samples');
  assertFinitePoints(b, 'reference');
  // gamma = 1 / (2 s^2), ascending: once one underflows, the rest do too.
  const gammas = Float64Array.from(bandwidths.map((s) => 1 / (2 * s * s))).sort();
  const A = Float64Array.from(a.data);
  const B = Float64Array.from(b.data);
  const n = a.n;
  const m = b.n;
  const nk = gammas.length;
  const sAA = pairSum(A, n, A, n, a.d, gammas, true);
  const sBB = pairSum(B, m, B, m, a.d, gammas, true);
  const sAB = pairSum(A, n, B, m, a.d, gammas, false);
  if (estimator === 'unbiased') return sAA / (n * (n - 1)) + sBB / (m * (m - 1)) - (2 * sAB) / (n * m);
  return (sAA + n * nk) / (n * n) + (sBB + m * nk) / (m * m) - (2 * sAB) / (n * m);
}

/** sqrt(max(0, MMD^2)) with the unbiased estimator unless told otherwise. */
export function mmd(a: Points, b: Points, opts: MmdOptions = {}): number {
  return Math.sqrt(Math.max(0, mmd2(a, b, opts)));
}

/** sum over pairs of k(x_i, y_j); for one set (symmetric) the off-diagonal sum i != j. */
function pairSum(
  X: Float64Array,
  nx: number,
  Y: Float64Array,
  ny: number,
  d: number,
  gammas: Float64Array,
  symmetric: boolean,
): number {
  const nk = gammas.length;
  let total = 0;
  for (let i = 0; i < nx; i++) {
    const xi = i * d;
    let rowSum = 0;
    for (let j = symmetric ? i + 1 : 0; j < ny; j++) {
      const yj = j * d;
      let r = 0;
      for (let k = 0; k < d; k++) {
        const t = X[xi + k] - Y[yj + k];
        r += t * t;
      }
      for (let q = 0; q < nk; q++) {
        const z = gammas[q] * r;
        if (z > EXP_UNDERFLOW) break;
        rowSum += Math.exp(-z);
      }
    }
    total += rowSum;
  }
  return symmetric ? 2 * total : total;
}
