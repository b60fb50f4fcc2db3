/**
 * Where a training step's (x0, x1) pairs come from: independent draws from a
 * source and a target, re-paired by the method's minibatch coupling, or (for
 * rectified flow) rows of a fixed pool of pairs made by a previous model.
 */
import type { Coupling } from '../couplings/types.js';
import type { Points } from '../points.js';
import { takeRows } from '../points.js';
import type { Rng } from '../rng.js';

export interface PointSampler {
  readonly dim: number;
  sample(n: number, rng: Rng): Points;
}

export interface Pairs {
  x0: Points;
  x1: Points;
}

export interface PairSampler {
  readonly dim: number;
  sample(n: number, rng: Rng): Pairs;
}

export function coupledPairs(source: PointSampler, target: PointSampler, coupling: Coupling): PairSampler {
  if (source.dim !== target.dim) {
    throw new Error(`source has ${source.dim} dimensions but the target has ${target.dim}`);
  }
  return {
    dim: target.dim,
    sample(n, rng) {
      const x0 = source.sample(n, rng);
      const x1 = target.sample(n, rng);
      return coupling.pair(x0, x1, rng);
    },
  };
}

/** Rows drawn with replacement from a fixed set of pairs (x0[i], x1[i]). */
export function poolPairs(x0: Points, x1: Points): PairSampler {
  return {
    dim: x0.d,
    sample(n, rng) {
      const idx = new Int32Array(n);
      for (let i = 0; i < n; i++) idx[i] = rng.int(x0.n);
      return { x0: takeRows(x0, idx), x1: takeRows(x1, idx) };
    },
  };
}
