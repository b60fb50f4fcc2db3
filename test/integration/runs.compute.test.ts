/**
 * Compute jobs run in the compute worker, never in the host: sampling (with
 * trajectories), evaluation and field grids come back with the contract's
 * shapes as Float32Arrays; the host's event loop keeps ticking while a long job
 * runs; a compute process that dies takes only its job down (a clear error
 * naming it), and the next job gets a fresh process; jobs leak no tensors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRunManager } from '../../app/runs/manager.js';
import type { Store } from '../../app/store/interface.js';
import { openRunsHost, TINY, type RecordingSpawner, type RunsHost } from './runsHarness.js';

let harness: RunsHost;
let store: Store;
let spawner: RecordingSpawner;
let manager: ProcessRunManager;
let runId: number;

const solver = { solver: 'rk4' as const, steps: 10, seed: 0 };

beforeAll(async () => {
  harness = await openRunsHost('runs-compute');
  ({ store, spawner, manager } = harness);
  runId = harness.dist.create.createRun(store, { ...TINY, steps: 200, seed: 5 }, { backend: 'wasm' }).id;
  manager.enqueue(runId);
  await harness.log.status(runId, 'completed');
  await manager.idle();
});

afterAll(() => harness?.close());

const computeWorkers = () => spawner.spawned.filter((s) => s.role === 'compute');

describe('compute jobs', () => {
  it('sample returns n points and, per saved time, the first k rows of the trajectories; the sample is stored', async () => {
    const s = await manager.compute('sample', { save: true, run: runId, n: 300, trajectories: 7, ...solver });
    expect(s).toMatchObject({ run: runId, n: 300, d: 2, checkpointStep: 200, nfe: 40 });
    expect(s.points).toBeInstanceOf(Float32Array);
    expect(s.points.length).toBe(600);
    expect(s.times).toHaveLength(11);
    expect(s.times![0]).toBe(0);
    expect(s.times![10]).toBeCloseTo(1, 12);
    expect(s.trajectory).toHaveLength(11);
    for (const frame of s.trajectory!) expect(frame.length).toBe(14);
    expect(Array.from(s.trajectory![10])).toEqual(Array.from(s.points.subarray(0, 14)));
    const stored = store.getSample(s.sampleId!)!;
    expect(Array.from(stored.points.data)).toEqual(Array.from(s.points));
    // A preview (save: false) returns points without adding a stored sample set.
    const before = store.listSamples(runId).length;
    const preview = await manager.compute('sample', { save: false, run: runId, n: 20, trajectories: 0, solver: 'euler', steps: 5, seed: 1 });
    expect(preview.sampleId).toBeNull();
    expect(preview.points.length).toBe(40);
    expect(store.listSamples(runId)).toHaveLength(before);
    // The host never trained or sampled: one compute process did.
    expect(computeWorkers()).toHaveLength(1);
    expect(computeWorkers()[0].handle.pid).not.toBe(process.pid);

    const plain = await manager.compute('sample', { save: true, run: runId, n: 5, trajectories: 0, ...solver });
    expect(plain.times).toBeUndefined();
    expect(plain.trajectory).toBeUndefined();
  });

  it('evaluate scores the run and records the evaluation; vectorField gives a velocity per grid point', async () => {
    const e = await manager.compute('evaluate', { run: runId, n: 200, nll: 20, ...solver });
    expect(e).toMatchObject({ run: runId, checkpointStep: 200, n: 200, solver: 'rk4', steps: 10, nfe: 40 });
    for (const k of ['w1', 'w2', 'mmd', 'npe', 'pathEnergy', 'nll'] as const) expect(Number.isFinite(e[k])).toBe(true);
    expect(e.w2).toBeGreaterThanOrEqual(e.w1 - 1e-9);
    expect(store.listEvaluations(runId).map((r) => r.id)).toContain(e.evaluation);

    const f = await manager.compute('vectorField', { run: runId, t: 0.5, grid: 9, extent: 2 });
    expect(f).toMatchObject({ run: runId, t: 0.5, grid: 9 });
    expect(f.positions.length).toBe(81 * 2);
    expect(f.vectors.length).toBe(81 * 2);
    expect([f.positions[0], f.positions[1]]).toEqual([-2, -2]);
    expect([f.positions[160], f.positions[161]]).toEqual([2, 2]);
    expect(f.vectors.every(Number.isFinite)).toBe(true);

    expect(await manager.compute('info', {})).toEqual({ name: 'wasm', description: expect.stringContaining('WebAssembly') });
  });

  it('errors come back as CfmError values with a code, the field and a one-line message', async () => {
    const err = await manager.compute('sample', { save: true, run: 9999, n: 5, trajectories: 0, ...solver }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'CfmError', code: 'not_found', field: 'run' });
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).not.toMatch(/\bat .*\.js:\d+/);
    // The process survived the error: still the same one.
    expect(computeWorkers()).toHaveLength(1);
  });

  it('the host keeps ticking while a long job runs in the compute process', async () => {
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 10);
    const started = performance.now();
    const s = await manager.compute('sample', { save: true, run: runId, n: 10_000, trajectories: 0, solver: 'rk4', steps: 50, seed: 1 });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    expect(s.points.length).toBe(20_000);
    const longest = Math.max(...gaps);
    console.log(`long sample job: ${seconds.toFixed(2)} s, host ticks ${gaps.length}, longest gap ${longest.toFixed(1)} ms`);
    // A host doing the job itself would not tick at all until it finished.
    expect(gaps.length).toBeGreaterThan((seconds * 1000) / 10 / 10);
    expect(longest).toBeLessThan(Math.max(500, (seconds * 1000) / 3));
  });

  it('a compute process that dies rejects its job with an error naming it, and the next job gets a new process', async () => {
    const before = computeWorkers().length;
    const job = manager.compute('sample', { save: true, run: runId, n: 50_000, trajectories: 0, solver: 'rk4', steps: 500, seed: 2 });
    const failure = job.catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    computeWorkers()[before - 1].handle.kill('SIGKILL');
    const err = await failure;
    expect(err).toMatchObject({ name: 'CfmError', code: 'internal' });
    expect((err as Error).message).toMatch(/^sample: the compute process was killed by SIGKILL/);

    const f = await manager.compute('vectorField', { run: runId, t: 0, grid: 4 });
    expect(f.vectors.length).toBe(32);
    expect(computeWorkers()).toHaveLength(before + 1);
  });

  it('jobs leave no tensors behind in the compute process', async () => {
    const round = async () => {
      await manager.compute('sample', { save: true, run: runId, n: 50, trajectories: 3, ...solver });
      await manager.compute('evaluate', { run: runId, n: 50, nll: 5, ...solver });
      await manager.compute('vectorField', { run: runId, t: 0.3, grid: 5 });
      await manager.compute('density', { run: runId, grid: 5, ...solver });
      await manager.compute('sample', { save: true, run: 424242, n: 5, trajectories: 0, ...solver }).catch(() => undefined);
    };
    await round();
    const first = await manager.workerMemory();
    for (let i = 0; i < 3; i++) await round();
    const later = await manager.workerMemory();
    expect(later.numTensors).toBe(first.numTensors);
    expect(later.numBytes).toBe(first.numBytes);
  });
});
