/**
 * Exact minibatch OT coupling (OT-CFM, Tong et al. 2024; TorchCFM's
 * ExactOptimalTransportConditionalFlowMatcher): pair the two batches by the
 * permutation s minimising sum_i ||x0_i - x1_s(i)||^2, solved exactly with LAPJV.
 *
 * Difference from TorchCFM, on purpose: TorchCFM computes the plan with POT's
 * emd and then draws batch-size pairs from it with replacement, so some rows
 * repeat and others are dropped. With equal batch sizes and uniform weights the
 * plan is a permutation matrix / n, so we use the permutation itself: every x0
 * and every x1 row is used exactly once, the same pairs without the resampling
 * noise. The returned x0 is the input; x1 is reordered so row i pairs with x0 row i.
 */
import { invalid } from '../../errors.js';
import { takeRows } from '../points.js';
import { solveAssignment } from '../ot/assignment.js';
import { assertFinitePoints, costMatrix } from '../ot/cost.js';
import type { Coupling } from './types.js';

export function exactCoupling(): Coupling {
  return {
    name: 'exact',
    pair(x0, x1) {
      if (x0.n !== x1.n) {
        throw invalid('batchSize', `the exact OT coupling pairs equal batches; got ${x0.n} source and ${x1.n} target rows`);
      }
      if (x0.d !== x1.d) throw invalid('d', `source has ${x0.d} dimensions and target ${x1.d}; they must match`);
      assertFinitePoints(x0, 'x0');
      assertFinitePoints(x1, 'x1');
      const rowToCol = solveAssignment(costMatrix(x0, x1, 'sqeuclidean'), x0.n);
      return { x0, x1: takeRows(x1, rowToCol) };
    },
  };
}
