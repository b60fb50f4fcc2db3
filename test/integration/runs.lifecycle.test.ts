/**
 * A run's life in the background: queued, trained in its own worker process
 * with live progress and snapshots, cancelled (with a checkpoint) and resumed,
 * or cancelled before it ever starts; runs left 'running' by a host that died
 * are found at the next start; a cancel written to the database by another
 * process stops even a foreground `cfm train`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent, SnapshotEvent, StatusEvent } from '../../app/contract.js';
import type { ProcessRunManager } from '../../app/runs/manager.js';
import type { Store } from '../../app/store/interface.js';
import { startCfm, TINY as TINY_FLAGS } from './cliHarness.js';
import { EventLog, expectStepsOneTo, openRunsHost, TINY, type Dist, type RecordingSpawner, type RunsHost } from './runsHarness.js';

let harness: RunsHost;
let dist: Dist;
let store: Store;
let spawner: RecordingSpawner;
let manager: ProcessRunManager;
let log: EventLog;

beforeAll(async () => {
  harness = await openRunsHost('runs-life');
  ({ dist, store, spawner, manager, log } = harness);
});

afterAll(() => harness?.close());

const newRun = (config: Record<string, unknown>) => dist.create.createRun(store, { ...TINY, ...config }, { backend: 'wasm' });

describe('background runs', () => {
  it('a queued run trains in its own process, streaming progress and snapshots, and its losses land in the database', async () => {
    const run = newRun({ steps: 300, checkpointEvery: 100, seed: 1 });
    manager.enqueue(run.id);
    expect(store.getRun(run.id).status).toBe('queued');
    await log.status(run.id, 'completed');
    await manager.idle();

    expect(log.statuses(run.id)).toEqual(['queued', 'running', 'completed']);
    // Trained by a worker process, not by this one.
    const workers = spawner.trainersFor(run.id);
    expect(workers).toHaveLength(1);
    expect(workers[0].handle.pid).not.toBe(process.pid);
    expect(workers[0].exited).toBe(true);

    const progress = log.ofType('progress', run.id) as ProgressEvent[];
    expect(progress.length).toBeGreaterThan(0);
    const steps = progress.map((p) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps[steps.length - 1]).toBe(300);
    for (const p of progress) {
      expect(p.totalSteps).toBe(300);
      expect(Number.isFinite(p.loss) && p.loss > 0).toBe(true);
      expect(p.lr).toBe(1e-3);
    }

    // 300 steps: snapshots every max(100, 300 / 50) = 100 steps.
    const snaps = log.ofType('snapshot', run.id) as SnapshotEvent[];
    expect(snaps.map((s) => s.step)).toEqual([100, 200, 300]);
    for (const s of snaps) {
      expect(s.d).toBe(2);
      expect(s.samples).toBeInstanceOf(Float32Array);
      expect(s.samples.length).toBe(1000 * 2);
      expect(s.samples.every(Number.isFinite)).toBe(true);
      // euler, 20 steps: 21 times from 0 to 1; 30 trajectories each.
      expect(s.times).toHaveLength(21);
      expect(s.times[0]).toBe(0);
      expect(s.times[20]).toBeCloseTo(1, 12);
      expect(s.trajectory).toHaveLength(21);
      for (const frame of s.trajectory) expect(frame.length).toBe(30 * 2);
      // The last frame holds the first 30 generated points.
      expect(Array.from(s.trajectory[20])).toEqual(Array.from(s.samples.subarray(0, 60)));
      // The vector field on a 20 x 20 grid at t = 0, 0.5, 1, spanning the data.
      expect(s.field?.times).toEqual([0, 0.5, 1]);
      expect(s.field?.positions.length).toBe(20 * 20 * 2);
      expect(s.field?.vectors.map((v) => v.length)).toEqual([800, 800, 800]);
      expect(s.field?.vectors.every((v) => v.every(Number.isFinite))).toBe(true);
      expect(s.field?.extent).toBeGreaterThan(2);
    }
    // The same source points every snapshot: the first frames agree.
    expect(Array.from(snaps[2].trajectory[0])).toEqual(Array.from(snaps[0].trajectory[0]));

    const final = store.getRun(run.id);
    expect(final).toMatchObject({ status: 'completed', step: 300, pid: null, backend: 'wasm' });
    expect(expectStepsOneTo(store.metricSeries(run.id, 'loss').steps, 300)).toBe(true);
    expect(store.latestCheckpoint(run.id)?.step).toBe(300);
  });

  it('a queued run cancelled before it starts never trains; a running one checkpoints, then resume finishes it', async () => {
    const long = newRun({ steps: 600, checkpointEvery: 10_000, seed: 2 });
    const waiting = newRun({ steps: 1000, seed: 3 });
    manager.enqueue(long.id);
    manager.enqueue(waiting.id);
    // Concurrency 1: `waiting` is still queued behind `long`.
    expect(manager.queued).toEqual([waiting.id]);
    await manager.cancel(waiting.id);
    expect(store.getRun(waiting.id).status).toBe('cancelled');
    expect(log.statuses(waiting.id)).toEqual(['queued', 'cancelled']);

    const seen = (await log.waitFor(
      (e) => e.type === 'progress' && e.run === long.id && e.step >= 50,
      'progress past step 50',
    )) as ProgressEvent;
    await manager.cancel(long.id);
    const cancelled = store.getRun(long.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.step).toBeGreaterThanOrEqual(seen.step);
    expect(cancelled.step).toBeLessThan(600);
    // The checkpoint is at the step where it stopped (checkpointEvery alone would give none).
    expect(store.listCheckpoints(long.id).map((c) => c.step)).toEqual([cancelled.step]);
    expect(store.cancelRequested(long.id)).toBe(false);
    expect(log.statuses(long.id)).toEqual(['queued', 'running', 'cancelled']);

    manager.resume(long.id);
    await log.waitFor((e) => e.type === 'status' && e.run === long.id && e.status === 'completed', 'resumed run completed');
    await manager.idle();
    const resumed = log.ofType('status', long.id) as StatusEvent[];
    // Resumed from the checkpoint, not from the start.
    expect(resumed.filter((e) => e.status === 'running').map((e) => e.step)).toEqual([0, cancelled.step]);
    expect(store.getRun(long.id)).toMatchObject({ status: 'completed', step: 600 });
    expect(expectStepsOneTo(store.metricSeries(long.id, 'loss').steps, 600)).toBe(true);

    // The cancelled queued run never had a process, a checkpoint or a metric.
    expect(spawner.trainersFor(waiting.id)).toHaveLength(0);
    expect(store.listCheckpoints(waiting.id)).toHaveLength(0);
    expect(store.metricNames(waiting.id)).toEqual([]);
  });

  it('refuses to queue a completed run or one already queued, and to cancel a finished one', async () => {
    const done = store.listRuns({ status: 'completed' })[0];
    expect(() => manager.enqueue(done.id)).toThrow(/already completed/);
    await expect(manager.cancel(done.id)).rejects.toMatchObject({ code: 'conflict' });
    expect(() => manager.enqueue(999_999)).toThrow(/no such run/);
  });

  it('a cancel written to the database by another process stops a foreground `cfm train`', async () => {
    const db = path.join(harness.dir, 'fg.db');
    const cli = startCfm(db, ['train', ...TINY_FLAGS, '--width', '16', '--steps', '50000', '--json']);
    const other = dist.store.openStore(db);
    try {
      let runId = 0;
      for (let i = 0; i < 600 && runId === 0; i++) {
        const r = other.listRuns({ status: 'running' })[0];
        if (r && r.step > 0) runId = r.id;
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(runId).toBeGreaterThan(0);
      expect(other.requestCancel(runId)).toBe(true);
      const result = await cli.exited;
      expect(result.code).toBe(130);
      const run = other.getRun(runId);
      expect(run.status).toBe('cancelled');
      expect(run.step).toBeLessThan(50_000);
      expect(other.latestCheckpoint(runId)?.step).toBe(run.step);
      expect(other.cancelRequested(runId)).toBe(false);
    } finally {
      other.close();
    }
  });

  it('a trainer that cannot start marks its run failed with the reason, and a compute job gets the same reason', async () => {
    const broken = dist.manager.createRunManager({ store, backend: 'no-such-backend', concurrency: 1, spawner, recoverStale: false });
    const brokenLog = new EventLog(broken);
    const run = newRun({ steps: 10 });
    broken.enqueue(run.id);
    const failed = (await brokenLog.status(run.id, 'failed')) as StatusEvent;
    await broken.idle();
    expect(failed.error).toMatch(/^backend: unknown backend "no-such-backend"; use one of /);
    expect(store.getRun(run.id)).toMatchObject({ status: 'failed', error: failed.error });
    await expect(broken.compute('info', {})).rejects.toMatchObject({ name: 'CfmError', code: 'invalid_input', field: 'backend' });
    await broken.close();
    expect(() => broken.enqueue(run.id)).toThrow(/run manager is closed/);
  });

  it('closing the manager checkpoints and cancels the runs it trains, and waits for every worker to exit', async () => {
    const run = newRun({ steps: 50_000, checkpointEvery: 1_000_000 });
    manager.enqueue(run.id);
    await manager.compute('info', {});
    await log.waitFor((e) => e.type === 'progress' && e.run === run.id && e.step >= 20, 'progress');
    await manager.close();
    const closed = store.getRun(run.id);
    expect(closed.status).toBe('cancelled');
    expect(store.latestCheckpoint(run.id)?.step).toBe(closed.step);
    expect(spawner.spawned.every((w) => w.exited)).toBe(true);
    expect(log.statuses(run.id)).toEqual(['queued', 'running', 'cancelled']);
  });

  it('at start, runs left running by a host whose trainer is gone become interrupted; a live trainer is left alone', async () => {
    const db = path.join(harness.dir, 'stale.db');
    const s = dist.store.openStore(db);
    try {
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      const orphan = dist.create.createRun(s, { ...TINY, steps: 10 }, { backend: 'wasm' });
      const alive = dist.create.createRun(s, { ...TINY, steps: 10 }, { backend: 'wasm' });
      s.updateRun(orphan.id, { status: 'running', pid: dead });
      s.updateRun(alive.id, { status: 'running', pid: process.pid });
      const m = dist.manager.createRunManager({ store: s, backend: 'wasm', spawner });
      expect(m.recovered).toEqual([orphan.id]);
      expect(s.getRun(orphan.id)).toMatchObject({ status: 'interrupted', pid: null });
      expect(s.getRun(orphan.id).error).toContain(String(dead));
      expect(s.getRun(alive.id)).toMatchObject({ status: 'running', pid: process.pid });
      await m.close();
    } finally {
      s.close();
    }
  });
});
