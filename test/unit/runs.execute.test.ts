/**
 * executeRun's hooks for background training: snapshots every N steps of the
 * weights a sampler would use (EMA when kept) that never change the losses,
 * and cancel requests written to the database (by any process) that stop the
 * run with a checkpoint, even one made before the run started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from '../../app/engine/backend.js';
import { decodeCheckpoint } from '../../app/engine/train/checkpoint.js';
import { createRun } from '../../app/runs/create.js';
import { defaultSnapshotEvery, executeRun } from '../../app/runs/execute.js';
import { openStore, type Store } from '../../app/store/index.js';

let backend: BackendInfo;
let dir: string;
let store: Store;
let other: Store;

const tiny = { dataset: 'moons', method: 'icfm', batch: 16, width: 8, depth: 2, validateEvery: 0 };
const newRun = (config: Record<string, unknown>) => createRun(store, { ...tiny, ...config }, { backend: 'wasm' }).id;

beforeAll(async () => {
  backend = await initBackend('wasm');
  dir = mkdtempSync(path.join(tmpdir(), 'cfm-execute-'));
  store = openStore(path.join(dir, 'w.sqlite'));
  other = openStore(path.join(dir, 'w.sqlite'));
});
afterAll(() => {
  store.close();
  other.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('executeRun in the background', () => {
  it('snapshots every N steps and at the end, with the EMA weights, and the losses stay those of a run without them', async () => {
    const config = { steps: 22, ema: 0.9, seed: 3 };
    const watched = newRun(config);
    const plain = newRun(config);
    const seen: { step: number; weights: Float32Array[] }[] = [];
    const starts: number[] = [];
    await executeRun(store, watched, backend, {
      snapshotEvery: 5,
      onStart: (step) => starts.push(step),
      onSnapshot: (step, model) => void seen.push({ step, weights: model.getWeights() }),
    });
    await executeRun(store, plain, backend);
    expect(starts).toEqual([0]);
    expect(seen.map((s) => s.step)).toEqual([5, 10, 15, 20, 22]);
    expect(seen[4].weights).toEqual(decodeCheckpoint(store.latestCheckpoint(watched)!.data).ema);
    expect(Array.from(store.metricSeries(watched, 'loss').values)).toEqual(Array.from(store.metricSeries(plain, 'loss').values));
  });

  it('snapshots about 50 times a run, at most every 100 steps', () => {
    expect(defaultSnapshotEvery(300)).toBe(100);
    expect(defaultSnapshotEvery(20_000)).toBe(400);
    expect(defaultSnapshotEvery(20_001)).toBe(401);
  });

  it('a cancel requested through another connection stops the run at the next flush, with a checkpoint', async () => {
    const run = newRun({ steps: 100_000, checkpointEvery: 1_000_000 });
    let asked = 0;
    const summary = await executeRun(store, run, backend, {
      flushIntervalMs: 0,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.step === 5) {
          asked = p.step;
          other.requestCancel(run);
        }
      },
    });
    expect(asked).toBe(5);
    expect(summary.status).toBe('cancelled');
    // Polled at the flush after step 6 (flushes come before progress within a step).
    expect(summary.steps).toBe(6);
    expect(store.latestCheckpoint(run)?.step).toBe(6);
    expect(other.cancelRequested(run)).toBe(false);
  });

  it('a cancel requested while the run waited to start stops it before its first step', async () => {
    const run = newRun({ steps: 50 });
    other.requestCancel(run);
    const summary = await executeRun(store, run, backend);
    expect(summary).toMatchObject({ status: 'cancelled', steps: 0 });
    expect(store.metricSeries(run, 'loss').values.length).toBe(0);
    // Nothing pending any more: resuming trains.
    expect((await executeRun(store, run, backend)).status).toBe('completed');
  });
});
