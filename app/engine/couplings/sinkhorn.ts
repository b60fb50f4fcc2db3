/**
 * Entropic OT coupling (SB-CFM, Tong et al. 2024; TorchCFM's
 * SchrodingerBridgeConditionalFlowMatcher, whose OTPlanSampler uses
 * method "sinkhorn" with reg = 2 sigma^2): the plan P of the entropic OT problem
 * between the batches (squared Euclidean cost, uniform marginals), then pairs
 * drawn as OTPlanSampler.sample_plan draws them: batch-size (= x0.n) draws of a
 * flat index k from P / sum(P), with replacement, (i, j) = divmod(k, m), and
 * the rows x0[i], x1[j] returned. Draws use the run's Rng (inverse CDF by binary
 * search), so a seed reproduces the pairs.
 *
 * Difference from TorchCFM: POT's plain sinkhorn underflows to NaN when reg is
 * small against the costs (TorchCFM then prints an error); ours is stabilised in
 * the log domain and returns a valid plan for any reg > 0.
 */
import { invalid } from '../../errors.js';
import { takeRows } from '../points.js';
import { assertFinitePoints, costMatrix } from '../ot/cost.js';
import { sinkhorn } from '../ot/sinkhorn.js';
import type { SinkhornOptions } from '../ot/sinkhorn.js';
import type { Rng } from '../rng.js';
import type { Coupling } from './types.js';

export function sinkhornCoupling(reg: number, opts: SinkhornOptions = {}): Coupling {
  if (!(reg > 0) || !Number.isFinite(reg)) {
    throw invalid('reg', `the sinkhorn coupling needs an entropic regularisation > 0 (got ${reg}); sbcfm uses 2 sigma^2`);
  }
  return {
    name: 'sinkhorn',
    pair(x0, x1, rng) {
      if (x0.d !== x1.d) throw invalid('d', `source has ${x0.d} dimensions and target ${x1.d}; they must match`);
      assertFinitePoints(x0, 'x0');
      assertFinitePoints(x1, 'x1');
      const { plan } = sinkhorn(costMatrix(x0, x1, 'sqeuclidean'), x0.n, x1.n, reg, opts);
      const { rows, cols } = samplePlan(plan, x0.n, x1.n, x0.n, rng);
      return { x0: takeRows(x0, rows), x1: takeRows(x1, cols) };
    },
  };
}

/**
 * `draws` pairs (i, j) from a nonnegative n x m plan, with replacement, with
 * probability P_ij / sum(P).
 */
export function samplePlan(
  plan: Float64Array,
  n: number,
  m: number,
  draws: number,
  rng: Rng,
): { rows: Int32Array; cols: Int32Array } {
  if (plan.length !== n * m) throw new Error(`samplePlan: the plan has ${plan.length} entries, expected ${n}*${m}`);
  const cdf = new Float64Array(plan.length);
  let total = 0;
  for (let k = 0; k < plan.length; k++) {
    total += plan[k];
    cdf[k] = total;
  }
  if (!(total > 0) || !Number.isFinite(total)) throw new Error(`samplePlan: the plan's total mass is ${total}`);
  const rows = new Int32Array(draws);
  const cols = new Int32Array(draws);
  const last = plan.length - 1;
  for (let s = 0; s < draws; s++) {
    const t = rng.uniform() * total;
    // First k with cdf[k] > t: zero-mass entries are never chosen.
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    rows[s] = Math.floor(lo / m);
    cols[s] = lo - rows[s] * m;
  }
  return { rows, cols };
}
