/**
 * The queue: runs start in the order they were queued, never more at once than
 * the concurrency limit (which can be raised while runs wait), and several
 * trainers writing to one database at the same time lose no metric rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRunManager } from '../../app/runs/manager.js';
import type { Store } from '../../app/store/interface.js';
import { expectStepsOneTo, openRunsHost, TINY, type Dist, type EventLog, type RecordingSpawner, type RunsHost } from './runsHarness.js';

let harness: RunsHost;
let dist: Dist;
let store: Store;
let spawner: RecordingSpawner;
let manager: ProcessRunManager;
let log: EventLog;

beforeAll(async () => {
  harness = await openRunsHost('runs-conc');
  ({ dist, store, spawner, manager, log } = harness);
});

afterAll(() => harness?.close());

describe('the run queue', () => {
  it('three runs at concurrency 2 all complete, first come first served, with every metric row and never three at once', async () => {
    const runs = [21, 22, 23].map((seed) => dist.create.createRun(store, { ...TINY, steps: 300, checkpointEvery: 100, seed }, { backend: 'wasm' }));
    for (const r of runs) manager.enqueue(r.id);
    expect(manager.running).toEqual([runs[0].id]);
    expect(manager.queued).toEqual([runs[1].id, runs[2].id]);
    // Raised while two wait: the next one starts at once, the third still waits.
    manager.setConcurrency(2);
    expect(manager.concurrency).toBe(2);
    expect(manager.running).toEqual([runs[0].id, runs[1].id]);
    expect(manager.queued).toEqual([runs[2].id]);

    // Running counted from the events as a subscriber sees them.
    let running = 0;
    let maxRunning = 0;
    manager.subscribe((e) => {
      if (e.type !== 'status') return;
      if (e.status === 'running') maxRunning = Math.max(maxRunning, ++running);
      if (e.status === 'completed' || e.status === 'failed' || e.status === 'cancelled' || e.status === 'interrupted') running--;
    });
    await manager.idle();

    expect(spawner.spawned.filter((s) => s.role === 'trainer').map((s) => s.runId)).toEqual(runs.map((r) => r.id));
    expect(spawner.maxLiveTrainers).toBe(2);
    expect(maxRunning).toBeLessThanOrEqual(2);
    for (const r of runs) {
      expect(log.statuses(r.id)).toEqual(['queued', 'running', 'completed']);
      expect(store.getRun(r.id)).toMatchObject({ status: 'completed', step: 300 });
      expect(expectStepsOneTo(store.metricSeries(r.id, 'loss').steps, 300)).toBe(true);
      // lr is logged at step 1 and every 100 steps.
      expect(Array.from(store.metricSeries(r.id, 'lr').steps)).toEqual([1, 100, 200, 300]);
    }
    expect(store.integrityCheck()).toBe('ok');
  });

  it('rejects a concurrency below one', () => {
    expect(() => manager.setConcurrency(0)).toThrow(/concurrency: 0 is not a whole number >= 1/);
    expect(manager.concurrency).toBe(2);
  });
});
