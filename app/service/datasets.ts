/**
 * Datasets for the API: the built-in generators (engine/data/registry.ts)
 * and the imported ones in the store; a preview of points (a built-in drawn
 * with the given seed, an import's first n train rows); and importing a file's
 * bytes: .csv/.tsv/.txt as delimited text, .npy as a NumPy array, split once
 * into train / validation / test (engine/data/split.ts) with the given seed.
 * Parse errors name the file, line and column; they are reported on the
 * `content` field (the bytes), naming problems on `name`, the format on `fileName`.
 */
import { extname } from 'node:path';
import { CfmError, invalid } from '../errors.js';
import { parseCsv, type LabeledPoints } from '../engine/data/csv.js';
import { parsePointsFile as parsePoints, pointFileExtension } from '../engine/data/parseFile.js';
import { parseNpy } from '../engine/data/npy.js';
import { BUILTIN_DATASETS, DATASETS, generateDataset, isBuiltinDataset } from '../engine/data/registry.js';
import { splitDataset, type DatasetSplit } from '../engine/data/split.js';
import { sliceRows } from '../engine/points.js';
import { Rng } from '../engine/rng.js';
import type { ApiParsed, DatasetView, PointsView } from '../contract.js';
import type { DatasetInfo, Store } from '../store/interface.js';

function storedView(d: DatasetInfo): DatasetView {
  const source = typeof d.meta.source === 'string' ? d.meta.source : '';
  const columns = Array.isArray(d.meta.columns) ? ` (columns ${d.meta.columns.join(', ')})` : '';
  return {
    name: d.name,
    kind: d.kind,
    dim: d.dim,
    description: source ? `imported from ${source}${columns}` : `stored dataset${columns}`,
    nTrain: d.nTrain,
    nValidation: d.nValidation,
    nTest: d.nTest,
  };
}

export function listDatasetViews(store: Store): DatasetView[] {
  const builtins: DatasetView[] = DATASETS.map((d) => ({
    name: d.name,
    kind: 'builtin',
    dim: d.dim,
    description: d.description,
    nTrain: null,
    nValidation: null,
    nTest: null,
  }));
  return [...builtins, ...store.listDatasets().map(storedView)];
}

export function previewDataset(store: Store, p: ApiParsed<'previewDataset'>): PointsView {
  if (isBuiltinDataset(p.name)) {
    const pts = generateDataset(p.name, p.n, new Rng(p.seed));
    return { n: pts.n, d: pts.d, points: pts.data };
  }
  const ds = store.getDataset(p.name);
  if (!ds) {
    const known = [...BUILTIN_DATASETS, ...store.listDatasets().map((d) => d.name)].join(', ');
    throw new CfmError('not_found', `name: no dataset "${p.name}"; use one of ${known}`, 'name');
  }
  const pts = sliceRows(ds.train, 0, Math.min(p.n, ds.train.n));
  return { n: pts.n, d: pts.d, points: pts.data };
}

/** The bytes of a points file, by the extension of its name; errors name the file and blame `content` (or `fileName`). */
export function parsePointsFile(fileName: string, content: Uint8Array): LabeledPoints {
  pointFileExtension(fileName, 'fileName');
  return parsePoints(fileName, content, 'content');
}

export function importDataset(store: Store, p: ApiParsed<'importDataset'>): DatasetView {
  if (isBuiltinDataset(p.name)) throw invalid('name', `"${p.name}" is a built-in dataset; choose another name`);
  if (store.listDatasets().some((d) => d.name === p.name)) {
    throw new CfmError('conflict', `name: a dataset "${p.name}" already exists; choose another name (stored datasets are never overwritten)`, 'name');
  }
  const points = parsePointsFile(p.fileName, p.content);
  let split: DatasetSplit;
  try {
    split = splitDataset(points, new Rng(p.seed));
  } catch (e) {
    if (e instanceof CfmError && e.field === 'dataset') {
      throw new CfmError(e.code, `${p.fileName} has ${points.n} point${points.n === 1 ? '' : 's'}; at least 3 are needed to split it into train, validation and test`, 'content');
    }
    throw e;
  }
  const info = store.saveDataset({
    name: p.name,
    kind: 'import',
    ...split,
    meta: { source: p.fileName, seed: p.seed, ...(points.columns ? { columns: points.columns } : {}) },
  });
  return storedView(info);
}
