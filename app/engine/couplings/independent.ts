/**
 * The independent coupling pi(x0, x1) = p0(x0) q(x1): the batches are paired
 * row by row as drawn (TorchCFM's ConditionalFlowMatcher, i.e. icfm).
 */
import type { Coupling } from './types.js';

export function independentCoupling(): Coupling {
  return {
    name: 'independent',
    pair: (x0, x1) => ({ x0, x1 }),
  };
}
