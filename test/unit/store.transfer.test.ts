import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type NewDataset, type Store } from '../../app/store/index.js';
import { errorOf } from './errorOf.js';

let dir: string;
let a: Store;
let b: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cfm-store-transfer-'));
  a = openStore(path.join(dir, 'a.sqlite'));
  b = openStore(path.join(dir, 'b.sqlite'));
});
afterEach(() => {
  a.close();
  b.close();
  rmSync(dir, { recursive: true, force: true });
});


const dataset = (name: string, first = 1): NewDataset => ({
  name,
  kind: 'import',
  train: { data: new Float32Array([first, 2, 3, 4, 5, 6]), n: 3, d: 2 },
  validation: { data: new Float32Array([7, 8]), n: 1, d: 2 },
  test: { data: new Float32Array([9, 10]), n: 1, d: 2 },
  meta: { columns: ['a', 'b'], source: '/data/mine.csv' },
});

/** A finished run in store `a` with everything a run can have. */
function populate(): number {
  a.saveDataset(dataset('mine'));
  // another run first, so that ids differ between the stores
  a.createRun({ experimentName: 'other', config: {}, seed: 0, backend: 'cpu', totalSteps: 1 });
  const run = a.createRun({
    experimentName: 'moons',
    name: 'best-ot',
    config: { method: 'otcfm', dataset: 'mine' },
    seed: 11,
    backend: 'wasm',
    totalSteps: 300,
    tags: ['paper'],
    notes: 'figure 3',
  });
  a.updateRun(run.id, { status: 'completed', step: 300, seconds: 4.25, startedAt: 1000, finishedAt: 5250 });
  a.appendMetrics(
    run.id,
    Array.from({ length: 300 }, (_, s) => ({ step: s, wallTime: 1000 + s, name: 'loss', value: Math.exp(-s / 50) })),
  );
  a.appendMetrics(run.id, [{ step: 299, wallTime: 1299, name: 'val_loss', value: NaN }]);
  for (const s of [100, 200, 300]) {
    a.saveCheckpoint(run.id, s, Uint8Array.from({ length: 1000 }, (_, i) => (i * s) % 251));
  }
  a.saveSample({
    runId: run.id,
    points: { data: new Float32Array([0.5, -0, 1e-40, 3]), n: 2, d: 2 },
    solver: 'euler',
    steps: 100,
    seed: 4,
    nfe: 100,
    checkpointStep: 300,
  });
  a.saveEvaluation({ runId: run.id, checkpointStep: 300, solver: 'euler', steps: 100, n: 2, seed: 4, nfe: 100, metrics: { w2: 0.25 } });
  return run.id;
}

describe('exporting and importing a run', () => {
  it('a run exported from one store and imported into another has the same metrics, checkpoints, samples and evaluations', () => {
    const id = populate();
    const file = path.join(dir, 'run.cfmrun');
    a.exportRun(id, file, 'mine');
    for (let i = 0; i < 3; i++) b.createRun({ experimentName: 'unrelated', config: {}, seed: 0, backend: 'cpu', totalSteps: 1 });
    const imported = b.importRun(file);
    const src = a.getRun(id);

    expect(imported.id).not.toBe(src.id);
    expect(imported).toMatchObject({
      name: 'best-ot',
      experiment: 'moons',
      config: src.config,
      seed: 11,
      status: 'completed',
      backend: 'wasm',
      step: 300,
      totalSteps: 300,
      seconds: 4.25,
      startedAt: 1000,
      finishedAt: 5250,
      tags: ['paper'],
      notes: 'figure 3',
      parentRunId: null,
      pid: null,
    });
    expect(imported.importedDataset).toEqual({ name: 'mine', outcome: 'added' });

    expect(b.metricNames(imported.id)).toEqual(['loss', 'val_loss']);
    const sa = a.metricSeries(id, 'loss');
    const sb = b.metricSeries(imported.id, 'loss');
    expect([...sb.steps]).toEqual([...sa.steps]);
    expect([...sb.values]).toEqual([...sa.values]);
    expect([...sb.wallTimes]).toEqual([...sa.wallTimes]);
    expect(b.metricSeries(imported.id, 'val_loss').values[0]).toBeNaN();

    expect(b.listCheckpoints(imported.id).map((c) => c.step)).toEqual([100, 200, 300]);
    for (const s of [100, 200, 300]) {
      expect(Buffer.from(b.checkpointAt(imported.id, s)!.data).equals(Buffer.from(a.checkpointAt(id, s)!.data))).toBe(true);
    }
    expect(b.latestCheckpoint(imported.id)!.step).toBe(300);

    const sample = b.latestSample(imported.id)!;
    expect(new Uint32Array(sample.points.data.buffer)).toEqual(new Uint32Array(a.latestSample(id)!.points.data.buffer));
    expect(b.listEvaluations(imported.id).map((e) => e.metrics)).toEqual([{ w2: 0.25 }]);

    const ds = b.getDataset('mine')!;
    expect([...ds.train.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ds.meta).toEqual({ columns: ['a', 'b'], source: '/data/mine.csv' });
    expect(b.integrityCheck()).toBe('ok');
  });

  it('the exported file is one self-contained file, not touched by importing it', () => {
    const id = populate();
    const file = path.join(dir, 'one.cfmrun');
    a.exportRun(id, file);
    expect(readdirSync(dir).filter((f) => f.startsWith('one.cfmrun'))).toEqual(['one.cfmrun']);
    const before = readFileSync(file);
    b.importRun(file);
    b.importRun(file);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(b.listRuns({ experiment: 'moons' })).toHaveLength(2);
    expect(b.listExperiments().filter((e) => e.name === 'moons')).toHaveLength(1);
  });

  it('an existing dataset of the same name is kept, and the import says whether it differs', () => {
    const id = populate();
    const file = path.join(dir, 'ds.cfmrun');
    a.exportRun(id, file, 'mine');
    b.saveDataset(dataset('mine', 100));
    expect(b.importRun(file).importedDataset).toEqual({ name: 'mine', outcome: 'differs' });
    expect(b.getDataset('mine')!.train.data[0]).toBe(100);

    const c = openStore(path.join(dir, 'c.sqlite'));
    c.saveDataset(dataset('mine'));
    expect(c.importRun(file).importedDataset).toEqual({ name: 'mine', outcome: 'same' });
    c.close();
  });

  it('refuses to overwrite an existing file', () => {
    const id = populate();
    const file = path.join(dir, 'taken');
    writeFileSync(file, 'keep me');
    const err = errorOf(() => a.exportRun(id, file));
    expect(err.code).toBe('conflict');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('exporting an unknown run or dataset fails without leaving a file', () => {
    const id = populate();
    expect(errorOf(() => a.exportRun(id + 99, path.join(dir, 'x1'))).code).toBe('not_found');
    expect(errorOf(() => a.exportRun(id, path.join(dir, 'x2'), 'nope')).code).toBe('not_found');
    expect(existsSync(path.join(dir, 'x1'))).toBe(false);
    expect(existsSync(path.join(dir, 'x2'))).toBe(false);
  });

  it('a run exported while running arrives interrupted, since nothing trains it there', () => {
    const run = a.createRun({ experimentName: 'e', config: {}, seed: 0, backend: 'cpu', totalSteps: 9 });
    a.updateRun(run.id, { status: 'running', pid: 1234 });
    const file = path.join(dir, 'live.cfmrun');
    a.exportRun(run.id, file);
    expect(b.importRun(file)).toMatchObject({ status: 'interrupted', pid: null });
    expect(a.getRun(run.id).status).toBe('running');
  });

  it('importing something that is not an export is a clear error', () => {
    expect(errorOf(() => b.importRun(path.join(dir, 'missing'))).code).toBe('not_found');
    const junk = path.join(dir, 'junk');
    writeFileSync(junk, 'hello');
    expect(errorOf(() => b.importRun(junk)).message).toContain('not an SQLite database');
    // a whole workbench database with two runs is not a single-run export
    const id = populate();
    a.createRun({ experimentName: 'x', config: {}, seed: 0, backend: 'cpu', totalSteps: 1 });
    expect(id).toBeGreaterThan(0);
    expect(errorOf(() => b.importRun(a.path)).message).toContain('expected exactly 1');
  });
});
