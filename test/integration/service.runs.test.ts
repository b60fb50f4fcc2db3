/**
 * The service on the real run manager (the build: worker processes forked from
 * dist/, tfjs on wasm, a real SQLite file): start a run and see it in the list,
 * cancel it mid-training and resume it to completion, queue a 2 x 2 sweep in
 * one experiment, and sample and evaluate a trained run through the compute
 * worker. Needs `npm run build` first (npm test does it).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../app/contract.js';
import type { ProcessRunManager } from '../../app/runs/manager.js';
import type { Store } from '../../app/store/interface.js';
import type { Service } from '../../app/service.js';
import { EventLog, loadDist, makeTempDir, REPO_ROOT, TINY } from './runsHarness.js';

type ServiceModule = typeof import('../../app/service.js');

let tmp: ReturnType<typeof makeTempDir>;
let store: Store;
let manager: ProcessRunManager;
let service: Service;
let log: EventLog;
let serviceModule: ServiceModule;

beforeAll(async () => {
  const dist = await loadDist();
  serviceModule = (await import(pathToFileURL(path.join(REPO_ROOT, 'dist', 'app', 'service.js')).href)) as ServiceModule;
  tmp = makeTempDir('service-runs');
  store = dist.store.openStore(path.join(tmp.dir, 'cfm.db'));
  manager = dist.manager.createRunManager({ store, backend: 'wasm', concurrency: 2 });
  service = serviceModule.createService({ store, manager, version: 'test' });
  log = new EventLog(manager);
});

afterAll(async () => {
  await service?.close();
  store?.close();
  tmp?.remove();
});

const apiError = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return serviceModule.toApiError(e);
  }
  throw new Error('expected the call to fail');
};

describe('the service on real worker processes', () => {
  it('starts a run, lists it, cancels it mid-training (with a checkpoint) and resumes it to completion', async () => {
    const started = await service.startRun({ config: { ...TINY, steps: 2000, checkpointEvery: 500, seed: 2 }, name: 'long', tags: ['it'] });
    expect(started.status).toBe('queued');
    expect((await service.listRuns({ tag: 'it' })).map((r) => r.id)).toEqual([started.id]);

    // Let it train a little, then cancel: the trainer checkpoints, then stops.
    await log.waitFor((e) => e.type === 'progress' && e.run === started.id && e.step >= 100, 'progress past step 100');
    const cancelled = await service.cancelRun({ run: started.id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.step).toBeGreaterThan(0);
    expect(cancelled.step).toBeLessThan(2000);
    const detail = await service.getRun({ run: 'long' });
    expect(detail.checkpoints.map((c) => c.step)).toContain(cancelled.step);
    expect(detail.loss).not.toBeNull();

    // A cancelled run cannot be cancelled again, but it can be resumed.
    expect(await apiError(service.cancelRun({ run: started.id }))).toMatchObject({ code: 'conflict', field: 'run' });
    const resumed = await service.resumeRun({ run: started.id });
    expect(resumed.status).toBe('queued');
    await log.waitFor((e) => e.type === 'status' && e.run === started.id && e.status === 'completed', 'the resumed run completing', 120_000);
    const done = (await service.listRuns({ status: 'completed' })).find((r) => r.id === started.id)!;
    expect(done).toMatchObject({ step: 2000, totalSteps: 2000, backend: 'wasm' });
    // The resumed run went on from the checkpoint, it did not start over: its
    // first progress after the cancel is past the cancelled step.
    const cancelledAt = log.events.findIndex((e) => e.type === 'status' && e.run === started.id && e.status === 'cancelled');
    const firstAfter = log.events.slice(cancelledAt).find((e): e is ProgressEvent => e.type === 'progress' && e.run === started.id);
    expect(firstAfter!.step).toBeGreaterThan(cancelled.step);
    // Every step's loss is stored once: 2000 points, in step order.
    const series = await service.metricSeries({ run: started.id, points: 2000 });
    expect(series.total).toBe(2000);
    expect(Array.from(series.steps)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    // A completed run cannot be resumed.
    const again = await apiError(service.resumeRun({ run: started.id }));
    expect(again).toMatchObject({ code: 'conflict', field: 'run' });
  });

  it('samples and evaluates the trained run in the compute worker, and the list shows the evaluation', async () => {
    const run = (await service.listRuns({ tag: 'it' }))[0];
    const sample = await service.sampleRun({ run: run.id, n: 300, solver: 'rk4', steps: 10, trajectories: 4 });
    expect(sample).toMatchObject({ run: run.id, n: 300, d: 2, checkpointStep: 2000, nfe: 40 });
    expect(sample.points).toBeInstanceOf(Float32Array);
    expect(sample.points).toHaveLength(600);
    expect(sample.points.every(Number.isFinite)).toBe(true);
    const ev = await service.evaluateRun({ run: run.id, n: 300, solver: 'rk4', steps: 10 });
    expect(ev).toMatchObject({ run: run.id, n: 300, solver: 'rk4', nfe: 40 });
    expect(Number.isFinite(ev.w2) && ev.w2 > 0).toBe(true);
    const listed = (await service.listRuns({ where: 'w2 > 0 and nfe = 40' })).map((r) => r.id);
    expect(listed).toEqual([run.id]);
    const info = await service.info({});
    expect(info).toMatchObject({ backend: { name: 'wasm' }, database: store.path, concurrency: 2, version: 'test' });
  });

  it('a 2 x 2 sweep with one seed queues four runs in one experiment, and they all train', async () => {
    const runs = await service.startSweep({
      config: { ...TINY, steps: 40 },
      grid: { method: ['icfm', 'otcfm'], lr: [0.001, 0.003] },
      seeds: 1,
      experiment: 'grid',
    });
    expect(runs).toHaveLength(4);
    expect(runs.every((r) => r.status === 'queued' && r.experiment === 'grid')).toBe(true);
    expect(runs.map((r) => r.name).sort()).toEqual(
      ['lr=0.001,method=icfm,seed=0', 'lr=0.001,method=otcfm,seed=0', 'lr=0.003,method=icfm,seed=0', 'lr=0.003,method=otcfm,seed=0'],
    );
    const exp = (await service.listExperiments({})).find((e) => e.name === 'grid');
    expect(exp?.runCount).toBe(4);
    await manager.idle();
    const finished = await service.listRuns({ experiment: 'grid', sort: 'name', descending: false });
    expect(finished.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const cmp = await service.compareRuns({ runs: finished.map((r) => r.id), points: 20 });
    expect(cmp.differing).toEqual(['lr', 'method']);
    expect(cmp.curves.map((c) => c.total)).toEqual([40, 40, 40, 40]);
    expect(cmp.curves.every((c) => c.steps.length === 20)).toBe(true);
    expect(store.integrityCheck()).toBe('ok');
  });
});
