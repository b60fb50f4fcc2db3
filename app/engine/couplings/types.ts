/**
 * A minibatch coupling re-pairs independently drawn batches x0 ~ p0, x1 ~ q
 * before the CFM loss sees them: row i of the returned x0 is paired with row i
 * of the returned x1. Methods pick one by name (see paths/methods.ts):
 *   independent  icfm, fm, vp, ...  the batches as drawn;
 *   exact        otcfm              exact minibatch OT (squared Euclidean cost);
 *   sinkhorn     sbcfm              entropic OT with reg = 2 sigma^2.
 */
import type { Points } from '../points.js';
import type { Rng } from '../rng.js';

export const COUPLING_NAMES = ['independent', 'exact', 'sinkhorn'] as const;
export type CouplingName = (typeof COUPLING_NAMES)[number];

export interface Coupling {
  readonly name: CouplingName;
  pair(x0: Points, x1: Points, rng: Rng): { x0: Points; x1: Points };
}
