/**
 * What the File menu does after the native dialog (main/fileActions.ts), on a
 * real SQLite file and the real service: importing a points file under a
 * free name the contract accepts, finding the run the window shows, and
 * exporting it as `cfm export` does, replacing an existing file only once the
 * new one is complete. No worker processes: none of this trains.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../app/contract.js';
import { createManager } from '../../app/runs/manager.js';
import { createService, type Service } from '../../app/service.js';
import { openStore, type Store } from '../../app/store/index.js';
import { datasetNameFor, exportRunFile, importDatasetFile, runIdFromPageUrl, suggestedExportName } from '../../main/fileActions.js';
import { asyncErrorOf } from '../unit/errorOf.js';
import { makeTempDir } from './cliHarness.js';

let tmp: ReturnType<typeof makeTempDir>;
let store: Store;
let service: Service;

beforeAll(() => {
  tmp = makeTempDir('main-files');
  store = openStore(path.join(tmp.dir, 'workbench.sqlite'));
  service = createService({ store, manager: createManager({ store, backend: 'wasm' }), version: 'test' });
});
afterAll(async () => {
  await service?.close();
  store?.close();
  tmp?.remove();
});

const nameSchema = API_METHODS.importDataset.shape.name;
/** A CSV of n 2-D points (i, 2i + 0.5). */
const csv = (n: number) => `x,y\n${Array.from({ length: n }, (_, i) => `${i},${2 * i + 0.5}`).join('\n')}\n`;

describe('importing a dataset from the File menu', () => {
  it('names it after the file, in a form the contract accepts, avoiding taken and built-in names', () => {
    const none = new Set<string>();
    expect(datasetNameFor('/home/me/data/my data (1).csv', none)).toBe('my-data-1');
    expect(datasetNameFor('C:/Users/me/spirals.npy', none)).toBe('spirals');
    expect(datasetNameFor('moons.csv', none)).toBe('moons-2');
    expect(datasetNameFor('cells.csv', new Set(['cells', 'cells-2']))).toBe('cells-3');
    expect(datasetNameFor('__.csv', none)).toBe('dataset');
    expect(datasetNameFor('.hidden.tsv', none)).toBe('hidden');
    expect(datasetNameFor('ünïcode-名前.csv', none)).toBe('n-code');
    const long = datasetNameFor(`${'a'.repeat(200)}.csv`, new Set([`${'a'.repeat(56)}`]));
    for (const n of ['my-data-1', 'spirals', 'moons-2', 'cells-3', 'dataset', 'hidden', 'n-code', long]) {
      expect(nameSchema.safeParse(n).success, n).toBe(true);
    }
    expect(long).toBe(`${'a'.repeat(56)}-2`);
  });

  it('imports the file’s points split into train, validation and test, and a second copy under the next name', async () => {
    const file = path.join(tmp.dir, 'two moons.csv');
    writeFileSync(file, csv(40));
    const first = await importDatasetFile(service, file);
    expect(first).toMatchObject({ name: 'two-moons', kind: 'import', dim: 2 });
    expect(first.nTrain! + first.nValidation! + first.nTest!).toBe(40);
    const second = await importDatasetFile(service, file);
    expect(second.name).toBe('two-moons-2');
    const preview = await service.previewDataset({ name: 'two-moons', n: 100 });
    expect(preview.n).toBe(first.nTrain);
    // Every stored point is one of the file's rows (x, 2x + 0.5).
    for (let i = 0; i < preview.n; i++) expect(preview.points[2 * i + 1]).toBeCloseTo(2 * preview.points[2 * i] + 0.5, 5);
  });

  it('refuses a malformed file with the service’s message and stores nothing; a missing file is not_found', async () => {
    const before = store.listDatasets().length;
    const bad = path.join(tmp.dir, 'bad.csv');
    writeFileSync(bad, 'x,y\n1,2\n3,abc\n');
    const e = await asyncErrorOf(importDatasetFile(service, bad));
    expect(e.code).toBe('invalid_input');
    expect(e.field).toBe('content');
    expect(e.message).toMatch(/abc/);
    const missing = await asyncErrorOf(importDatasetFile(service, path.join(tmp.dir, 'nope.csv')));
    expect(missing).toMatchObject({ code: 'not_found', field: 'file' });
    expect(store.listDatasets().length).toBe(before);
  });
});

describe('exporting the run the window shows', () => {
  it('finds the run id only on a run page', () => {
    expect(runIdFromPageUrl('app://workbench/index.html#/runs/12')).toBe(12);
    for (const url of ['app://workbench/index.html#/runs', 'app://workbench/index.html#/runs/0', 'app://workbench/index.html#/compare/1,2', 'app://workbench/index.html', 'app://workbench/index.html#/runs/12/x', 'nonsense']) {
      expect(runIdFromPageUrl(url), url).toBeUndefined();
    }
  });

  it('writes a file `cfm import` reads back, with the imported dataset the run trains on, and replaces an old file only when complete', async () => {
    const data = path.join(tmp.dir, 'cells.csv');
    writeFileSync(data, csv(30));
    const ds = await importDatasetFile(service, data);
    const run = store.createRun({
      experimentName: 'exp',
      name: 'cells run/1',
      config: { dataset: ds.name, method: 'icfm', steps: 10 },
      seed: 3,
      backend: 'wasm',
      totalSteps: 10,
    });
    store.saveCheckpoint(run.id, 5, new Uint8Array([1, 2, 3, 4]));
    expect(suggestedExportName(run)).toBe(`run-${run.id}-cells-run-1.cfmrun`);

    const target = path.join(tmp.dir, 'out.cfmrun');
    writeFileSync(target, 'an older export');
    const { out } = await exportRunFile(store, run.id, target);
    expect(out).toBe(target);
    expect(readFileSync(target).subarray(0, 15).toString()).toBe('SQLite format 3');
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.partial'))).toEqual([]);

    const other = openStore(path.join(tmp.dir, 'other.sqlite'));
    try {
      const copy = other.importRun(target);
      expect(copy.name).toBe('cells run/1');
      expect(copy.config).toEqual(run.config);
      expect(copy.importedDataset).toEqual({ name: ds.name, outcome: 'added' });
      expect(other.listCheckpoints(copy.id).map((c) => c.step)).toEqual([5]);
    } finally {
      other.close();
    }
  });

  it('leaves the old file and no partial file behind when the export fails', async () => {
    const target = path.join(tmp.dir, 'missing-folder', 'x.cfmrun');
    const run = store.listRuns()[0];
    const e = await asyncErrorOf(exportRunFile(store, run.id, target));
    expect(e.field).toBe('path');
    expect(e.message).toContain(target);
    expect(e.message).not.toContain('.partial');
    expect(existsSync(target)).toBe(false);
    const nope = await asyncErrorOf(exportRunFile(store, 9999, path.join(tmp.dir, 'y.cfmrun')));
    expect(nope.code).toBe('not_found');
  });
});
