/**
 * Turns a dataset name from a run's config into something to draw from:
 * a built-in generator (fresh points every draw, as TorchCFM trains), the
 * stored train split of an imported dataset, or N(0, I) of the target's
 * dimension. Held-out points for evaluation come from fresh generator draws
 * (built-ins) or the stored test split (imports).
 */
import { invalid } from '../errors.js';
import { sampleRows } from '../engine/data/batch.js';
import { BUILTIN_DATASETS, generateDataset, isBuiltinDataset } from '../engine/data/registry.js';
import { takeRows, type Points } from '../engine/points.js';
import type { Rng } from '../engine/rng.js';
import type { PointSampler } from '../engine/train/pairs.js';
import type { Store } from '../store/interface.js';

function unknownDataset(field: string, name: string, store: Store): Error {
  const imported = store.listDatasets().map((d) => d.name);
  const known = [...BUILTIN_DATASETS, ...imported].join(', ');
  return invalid(field, `unknown dataset "${name}"; use one of ${known}, or import one with: cfm datasets import FILE --name NAME`);
}

/** Dimension of a named dataset; `gaussian` takes whatever `fallback` says. */
export function datasetDim(store: Store, name: string, fallback: number, field = 'dataset'): number {
  if (name === 'gaussian') return fallback;
  if (isBuiltinDataset(name)) return 2;
  const ds = store.getDataset(name);
  if (!ds) throw unknownDataset(field, name, store);
  return ds.dim;
}

/** Which stored split an imported dataset is drawn from (built-ins are drawn fresh either way). */
export type Split = 'train' | 'validation';

export function pointSampler(store: Store, name: string, dim: number, field = 'dataset', split: Split = 'train'): PointSampler {
  if (isBuiltinDataset(name)) {
    const d = name === 'gaussian' ? dim : 2;
    return { dim: d, sample: (n: number, rng: Rng) => generateDataset(name, n, rng, name === 'gaussian' ? d : undefined) };
  }
  const ds = store.getDataset(name);
  if (!ds) throw unknownDataset(field, name, store);
  const rows = split === 'validation' ? ds.validation : ds.train;
  return { dim: ds.dim, sample: (n: number, rng: Rng) => sampleRows(rows, n, rng) };
}

/**
 * The target and source samplers of a run, checked for matching dimensions.
 */
export function runSamplers(store: Store, dataset: string, source: string, split: Split = 'train'): { target: PointSampler; source: PointSampler } {
  const dim = datasetDim(store, dataset, 2, 'dataset');
  const sourceDim = datasetDim(store, source, dim, 'source');
  if (sourceDim !== dim) {
    throw invalid('source', `"${source}" has ${sourceDim} dimensions but dataset "${dataset}" has ${dim}; pick a source of the same dimension, or gaussian`);
  }
  return { target: pointSampler(store, dataset, dim, 'dataset', split), source: pointSampler(store, source, dim, 'source', split) };
}

/**
 * n held-out target points: fresh draws for a built-in, the test split for an
 * import (all of it when it has fewer than n points: the caller reports the n used).
 */
export function heldOutPoints(store: Store, dataset: string, n: number, rng: Rng): Points {
  if (isBuiltinDataset(dataset)) return generateDataset(dataset, n, rng);
  const ds = store.getDataset(dataset);
  if (!ds) throw unknownDataset('dataset', dataset, store);
  const test = ds.test;
  if (test.n <= n) return test;
  return takeRows(test, rng.permutation(test.n).subarray(0, n));
}
