/**
 * One shuffle, three parts: a dataset is split once into train / validation /
 * test and stored, so every run on it sees the same held-out points.
 * Sizes: n_val = max(1, round(n f_val)), n_test = max(1, round(n f_test)),
 * trimmed one at a time (the larger part, validation on a tie) until train
 * keeps at least one point; the rest is train. Train takes the first rows of
 * the permutation, then validation, then test.
 */
import type { Rng } from '../rng.js';
import { takeRows, type Points } from '../points.js';
import { invalid } from '../../errors.js';

export interface SplitFractions {
  readonly validation: number;
  readonly test: number;
}

export interface DatasetSplit {
  readonly train: Points;
  readonly validation: Points;
  readonly test: Points;
}

export function splitSizes(n: number, fractions: SplitFractions): { train: number; validation: number; test: number } {
  const { validation: fv, test: ft } = fractions;
  for (const [name, f] of [['validation', fv], ['test', ft]] as const) {
    if (!Number.isFinite(f) || f < 0 || f >= 1) {
      throw invalid(`split.${name}`, `${f} is not a valid fraction; use a number from 0 to below 1, e.g. 0.1`);
    }
  }
  if (fv + ft >= 1) {
    throw invalid('split', `validation ${fv} + test ${ft} leave nothing to train on; make their sum below 1`);
  }
  if (!Number.isInteger(n) || n < 3) {
    throw invalid('dataset', `${n} point${n === 1 ? '' : 's'} cannot be split into train, validation and test; use at least 3 points`);
  }
  let nv = Math.max(1, Math.round(n * fv));
  let nt = Math.max(1, Math.round(n * ft));
  while (n - nv - nt < 1) {
    if (nv >= nt && nv > 1) nv--;
    else nt--;
  }
  return { train: n - nv - nt, validation: nv, test: nt };
}

export function splitDataset(p: Points, rng: Rng, fractions: SplitFractions = { validation: 0.1, test: 0.1 }): DatasetSplit {
  const sizes = splitSizes(p.n, fractions);
  const perm = rng.permutation(p.n);
  const a = sizes.train;
  const b = a + sizes.validation;
  return {
    train: takeRows(p, perm.subarray(0, a)),
    validation: takeRows(p, perm.subarray(a, b)),
    test: takeRows(p, perm.subarray(b)),
  };
}
