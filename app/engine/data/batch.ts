/**
 * A minibatch drawn with replacement from stored points: row indices i.i.d.
 * uniform on 0..n-1 from the Rng, so a batch is a pure function of the Rng state.
 */
import type { Rng } from '../rng.js';
import { takeRows, type Points } from '../points.js';
import { invalid } from '../../errors.js';

export function sampleRows(p: Points, batch: number, rng: Rng): Points {
  if (!Number.isInteger(batch) || batch < 1) {
    throw invalid('batch', `${batch} is not a valid batch size; use a positive integer`);
  }
  if (p.n < 1) throw invalid('dataset', 'has no points to draw a batch from; use a dataset with at least 1 point');
  const idx = new Int32Array(batch);
  for (let i = 0; i < batch; i++) idx[i] = rng.int(p.n);
  return takeRows(p, idx);
}
