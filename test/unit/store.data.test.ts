import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type MetricRow, type Store } from '../../app/store/index.js';
import { Rng } from '../../app/engine/rng.js';
import type { Points } from '../../app/engine/points.js';
import { errorOf } from './errorOf.js';

let dir: string;
let store: Store;
let runId: number;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cfm-store-data-'));
  store = openStore(path.join(dir, 'w.sqlite'));
  runId = store.createRun({ experimentName: 'e', config: {}, seed: 1, backend: 'cpu', totalSteps: 10 }).id;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});


const bits = (a: Float32Array): number[] => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

/** Hand-picked float32 bit patterns plus seeded random ones (random NaN patterns replaced by the canonical NaN). */
function awkwardFloats(): Float32Array {
  const special = [
    0x00000000, // +0
    0x80000000, // -0
    0x00000001, // smallest subnormal
    0x80000001, // its negative
    0x007fffff, // largest subnormal
    0x00800000, // smallest normal
    0x7f7fffff, // largest finite
    0xff7fffff,
    0x7f800000, // +Infinity
    0xff800000, // -Infinity
    0x7fc00000, // NaN (no payload)
    0x3f800000, // 1
    0x3eaaaaab, // 1/3 rounded
  ];
  const rng = new Rng(20240611);
  const out = new Uint32Array(special.length + 2003); // 2016 values: even halves
  out.set(special);
  for (let i = special.length; i < out.length; i++) {
    const u = (rng.int(0x10000) * 0x10000 + rng.int(0x10000)) >>> 0;
    const isNaN = (u & 0x7f800000) === 0x7f800000 && (u & 0x007fffff) !== 0;
    out[i] = isNaN ? 0x7fc00000 : u;
  }
  return new Float32Array(out.buffer);
}

function pts(data: Float32Array, d: number): Points {
  return { data, n: data.length / d, d };
}

describe('float arrays', () => {
  it('dataset splits round trip bit for bit (-0, subnormals, infinities, NaN), from views with an offset', () => {
    const all = awkwardFloats();
    // a view into a larger buffer, not starting at byte 0
    const backing = new Float32Array(all.length + 6);
    backing.set(all, 3);
    const view = backing.subarray(3, 3 + all.length);
    expect(view.byteOffset).toBe(12);
    const d = 2;
    const half = all.length / 2;
    store.saveDataset({
      name: 'awkward',
      kind: 'import',
      train: pts(view.subarray(0, half), d),
      validation: pts(view.subarray(half, half + 2), d),
      test: pts(view.subarray(half + 2), d),
      meta: { columns: ['x', 'y'], source: '/data/a.csv', seed: 3 },
    });
    const got = store.getDataset('awkward')!;
    expect(bits(got.train.data)).toEqual(bits(all.subarray(0, half)));
    expect(bits(got.validation.data)).toEqual(bits(all.subarray(half, half + 2)));
    expect(bits(got.test.data)).toEqual(bits(all.subarray(half + 2)));
    expect(got.train).toMatchObject({ n: half / d, d });
    expect(got.meta).toEqual({ columns: ['x', 'y'], source: '/data/a.csv', seed: 3 });
    // the returned arrays own their memory
    expect(got.train.data.byteOffset).toBe(0);
    expect(got.train.data.buffer.byteLength).toBe(got.train.data.byteLength);
  });

  it('samples round trip bit for bit and keep their provenance', () => {
    const data = awkwardFloats().slice(0, 300);
    const info = store.saveSample({ runId, points: pts(data, 3), solver: 'dopri5', steps: null, seed: 9, nfe: 86, checkpointStep: 10 });
    expect(info).toMatchObject({ runId, n: 100, d: 3, solver: 'dopri5', steps: null, seed: 9, nfe: 86, checkpointStep: 10 });
    const back = store.latestSample(runId)!;
    expect(bits(back.points.data)).toEqual(bits(data));
    expect(store.getSample(info.id)!.points.n).toBe(100);
  });

  it('the file holds little-endian float32, 4 bytes a value (as numpy <f4 reads it)', () => {
    store.saveSample({ runId, points: pts(new Float32Array([1, -2]), 1), solver: 'euler', steps: 1, seed: 0, nfe: 1, checkpointStep: 0 });
    // read the raw column with a separate connection: 1.0f is 00 00 80 3f, -2.0f is 00 00 00 c0
    const raw = new Database(store.path, { readonly: true });
    const blob = raw.prepare('SELECT data FROM samples').pluck().get() as Buffer;
    raw.close();
    expect([...blob]).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });
});

describe('datasets', () => {
  const small = (name: string, kind: 'builtin' | 'import' = 'builtin') => ({
    name,
    kind,
    train: pts(new Float32Array([1, 2, 3, 4]), 2),
    validation: pts(new Float32Array([5, 6]), 2),
    test: pts(new Float32Array([]), 2),
  });

  it('refuses to overwrite a dataset of the same name, and keeps the first', () => {
    store.saveDataset(small('moons'));
    const err = errorOf(() => store.saveDataset({ ...small('moons'), train: pts(new Float32Array([9, 9]), 2) }));
    expect(err.code).toBe('conflict');
    expect(err.message).toContain('"moons"');
    expect([...store.getDataset('moons')!.train.data]).toEqual([1, 2, 3, 4]);
  });

  it('lists datasets by name without their arrays', () => {
    store.saveDataset(small('zeta', 'import'));
    store.saveDataset(small('alpha'));
    const list = store.listDatasets();
    expect(list.map((d) => d.name)).toEqual(['alpha', 'zeta']);
    expect(list[1]).toMatchObject({ kind: 'import', dim: 2, nTrain: 2, nValidation: 1, nTest: 0, meta: {} });
    expect('train' in list[0]).toBe(false);
    expect(store.getDataset('missing')).toBeUndefined();
  });

  it('refuses splits of different dimensions or wrong lengths', () => {
    expect(errorOf(() => store.saveDataset({ ...small('a'), test: pts(new Float32Array([1, 2, 3]), 3) })).code).toBe('invalid_input');
    expect(
      errorOf(() => store.saveDataset({ ...small('b'), train: { data: new Float32Array(3), n: 2, d: 2 } })).field,
    ).toBe('train');
  });
});

describe('metrics', () => {
  it('10,000 rows go in with one call and come back in step order', () => {
    const n = 5000;
    const order = new Rng(5).permutation(n);
    const rows: MetricRow[] = [];
    for (const i of order) {
      rows.push({ step: i, wallTime: 1_700_000_000_000 + i * 7, name: 'loss', value: 1 / (i + 1) });
      rows.push({ step: i, wallTime: 1_700_000_000_000 + i * 7, name: 'lr', value: 1e-3 * Math.cos(i) });
    }
    expect(rows).toHaveLength(10_000);
    store.appendMetrics(runId, rows);
    expect(store.metricNames(runId)).toEqual(['loss', 'lr']);
    const loss = store.metricSeries(runId, 'loss');
    expect(loss.steps.length).toBe(n);
    for (let i = 0; i < n; i++) {
      expect(loss.steps[i]).toBe(i);
      expect(loss.values[i]).toBe(1 / (i + 1));
      expect(loss.wallTimes[i]).toBe(1_700_000_000_000 + i * 7);
    }
    const lr = store.metricSeries(runId, 'lr');
    expect(lr.values[123]).toBe(1e-3 * Math.cos(123));
    expect(store.lastMetric(runId, 'loss')).toEqual({ step: n - 1, wallTime: 1_700_000_000_000 + (n - 1) * 7, value: 1 / n });
  });

  it('a batch with a bad row stores nothing', () => {
    store.appendMetrics(runId, [{ step: 0, wallTime: 0, name: 'loss', value: 1 }]);
    const bad = [
      { step: 1, wallTime: 1, name: 'loss', value: 0.9 },
      { step: -2, wallTime: 2, name: 'loss', value: 0.8 },
    ];
    expect(errorOf(() => store.appendMetrics(runId, bad)).field).toBe('step');
    expect([...store.metricSeries(runId, 'loss').steps]).toEqual([0]);
    expect(errorOf(() => store.appendMetrics(runId + 50, [{ step: 1, wallTime: 1, name: 'loss', value: 1 }])).code).toBe('not_found');
  });

  it('a NaN loss is kept as NaN, infinities as infinities', () => {
    store.appendMetrics(runId, [
      { step: 1, wallTime: 1, name: 'loss', value: 0.5 },
      { step: 2, wallTime: 2, name: 'loss', value: NaN },
      { step: 3, wallTime: 3, name: 'loss', value: Infinity },
    ]);
    const s = store.metricSeries(runId, 'loss');
    expect([...s.values]).toEqual([0.5, NaN, Infinity]);
    expect(store.lastMetric(runId, 'loss')!.value).toBe(Infinity);
  });

  it('resuming from an older step drops later points, and a re-logged step replaces the old value', () => {
    store.appendMetrics(
      runId,
      [0, 1, 2, 3, 4, 5].map((s) => ({ step: s * 100, wallTime: s, name: 'loss', value: s })),
    );
    store.appendMetrics(runId, [{ step: 300, wallTime: 9, name: 'val', value: 1 }]);
    expect(store.deleteMetricsAfter(runId, 300)).toBe(2);
    expect([...store.metricSeries(runId, 'loss').steps]).toEqual([0, 100, 200, 300]);
    store.appendMetrics(runId, [{ step: 300, wallTime: 10, name: 'loss', value: 42 }]);
    const s = store.metricSeries(runId, 'loss');
    expect([...s.steps]).toEqual([0, 100, 200, 300]);
    expect(s.values[3]).toBe(42);
    expect(store.metricSeries(runId, 'val').values[0]).toBe(1);
  });

  it('a live curve can fetch only the points after the last one it has', () => {
    store.appendMetrics(runId, [10, 20, 30, 40].map((s) => ({ step: s, wallTime: s, name: 'loss', value: s / 10 })));
    expect([...store.metricSeries(runId, 'loss', 20).steps]).toEqual([30, 40]);
    expect(store.metricSeries(runId, 'nothing').steps.length).toBe(0);
    expect(store.lastMetric(runId, 'nothing')).toBeUndefined();
  });
});

describe('checkpoints', () => {
  const blob = (step: number): Uint8Array => Uint8Array.from({ length: 64 }, (_, i) => (step * 31 + i) & 0xff);

  it('keeps the three most recent checkpoints of a run by default', () => {
    for (const s of [100, 200, 300, 400, 500]) store.saveCheckpoint(runId, s, blob(s));
    expect(store.listCheckpoints(runId).map((c) => c.step)).toEqual([300, 400, 500]);
    const latest = store.latestCheckpoint(runId)!;
    expect(latest.step).toBe(500);
    expect([...latest.data]).toEqual([...blob(500)]);
    expect(latest.data.byteOffset).toBe(0);
    expect(latest.data.buffer.byteLength).toBe(64);
    expect(store.checkpointAt(runId, 100)).toBeUndefined();
    expect([...store.checkpointAt(runId, 300)!.data]).toEqual([...blob(300)]);
    expect(store.listCheckpoints(runId)[0].bytes).toBe(64);
  });

  it("retention is per run: another run's checkpoints are untouched", () => {
    const other = store.createRun({ experimentName: 'e', config: {}, seed: 2, backend: 'cpu', totalSteps: 10 }).id;
    store.saveCheckpoint(other, 1, blob(1));
    for (const s of [10, 20, 30, 40]) store.saveCheckpoint(runId, s, blob(s));
    expect(store.listCheckpoints(other).map((c) => c.step)).toEqual([1]);
  });

  it('after resuming from an older step, the newly saved checkpoint is the latest and survives', () => {
    for (const s of [100, 200, 300]) store.saveCheckpoint(runId, s, blob(s));
    store.saveCheckpoint(runId, 150, blob(150));
    expect(store.latestCheckpoint(runId)!.step).toBe(150);
    expect(store.listCheckpoints(runId).map((c) => c.step)).toEqual([200, 300, 150]);
    // saving the same step again replaces it and makes it the latest
    store.saveCheckpoint(runId, 200, blob(7));
    expect(store.latestCheckpoint(runId)!.step).toBe(200);
    expect([...store.checkpointAt(runId, 200)!.data]).toEqual([...blob(7)]);
    expect(store.listCheckpoints(runId).map((c) => c.step)).toEqual([300, 150, 200]);
  });

  it('with K = 1 only the newest is kept, never none', () => {
    const file = path.join(dir, 'k1.sqlite');
    const s1 = openStore(file, { keepCheckpoints: 1 });
    const id = s1.createRun({ experimentName: 'e', config: {}, seed: 1, backend: 'cpu', totalSteps: 1 }).id;
    for (const s of [1, 2, 3]) s1.saveCheckpoint(id, s, blob(s));
    expect(s1.listCheckpoints(id).map((c) => c.step)).toEqual([3]);
    s1.close();
    expect(errorOf(() => openStore(file, { keepCheckpoints: 0 })).field).toBe('keepCheckpoints');
  });

  it('a checkpoint given as a view into a larger buffer stores only the view', () => {
    const big = Uint8Array.from({ length: 100 }, (_, i) => i);
    store.saveCheckpoint(runId, 1, big.subarray(10, 20));
    expect([...store.latestCheckpoint(runId)!.data]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });
});

describe('evaluations', () => {
  it('keep their metrics, including NaN and infinities, and their settings', () => {
    const ev = store.saveEvaluation({
      runId,
      checkpointStep: 2000,
      solver: 'euler',
      steps: 100,
      n: 10_000,
      seed: 3,
      nfe: 100,
      metrics: { w2: 0.183, w1: 0.12, nll: NaN, mmd: Infinity, neg: -Infinity },
    });
    const [back] = store.listEvaluations(runId);
    expect(back.id).toBe(ev.id);
    expect(back).toMatchObject({ checkpointStep: 2000, solver: 'euler', steps: 100, n: 10_000, seed: 3, nfe: 100 });
    expect(back.metrics).toEqual({ w2: 0.183, w1: 0.12, nll: NaN, mmd: Infinity, neg: -Infinity });
  });

  it('are listed in the order they were made', () => {
    for (const w2 of [3, 2, 1]) {
      store.saveEvaluation({ runId, checkpointStep: w2, solver: 'rk4', steps: 10, n: 10, seed: 0, nfe: 40, metrics: { w2 } });
    }
    expect(store.listEvaluations(runId).map((e) => e.metrics.w2)).toEqual([3, 2, 1]);
  });
});
