import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type NewRun, type Store } from '../../app/store/index.js';
import { errorOf } from './errorOf.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cfm-store-runs-'));
  store = openStore(path.join(dir, 'w.sqlite'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const base: NewRun = {
  experimentName: 'moons',
  config: { method: 'otcfm', sigma: 0.1, layers: [64, 64], dataset: { name: 'moons', n: 512 } },
  seed: 7,
  backend: 'wasm',
  totalSteps: 2000,
};


describe('experiments', () => {
  it('getOrCreateExperiment returns the same experiment for the same name', () => {
    const a = store.getOrCreateExperiment('moons');
    const b = store.getOrCreateExperiment('moons');
    expect(b.id).toBe(a.id);
    store.getOrCreateExperiment('8gaussians');
    expect(store.listExperiments().map((e) => e.name)).toEqual(['moons', '8gaussians']);
  });

  it('counts the runs of each experiment', () => {
    store.createRun(base);
    store.createRun(base);
    store.createRun({ ...base, experimentName: 'scurve' });
    const counts = Object.fromEntries(store.listExperiments().map((e) => [e.name, e.runCount]));
    expect(counts).toEqual({ moons: 2, scurve: 1 });
  });

  it('an empty experiment name is refused', () => {
    expect(errorOf(() => store.getOrCreateExperiment('  ')).code).toBe('invalid_input');
  });
});

describe('runs', () => {
  it('a new run is queued, named after its experiment and id, and keeps its config exactly', () => {
    const run = store.createRun(base);
    expect(run.status).toBe('queued');
    expect(run.name).toBe(`moons-${run.id}`);
    expect(run.experiment).toBe('moons');
    expect(run.config).toEqual(base.config);
    expect(run.seed).toBe(7);
    expect(run.backend).toBe('wasm');
    expect(run.totalSteps).toBe(2000);
    expect(run.step).toBe(0);
    expect(run.tags).toEqual([]);
    expect(run.parentRunId).toBeNull();
    expect(run.pid).toBeNull();
    expect(run.startedAt).toBeNull();
  });

  it('finds a run by number, by digits and by name', () => {
    const run = store.createRun({ ...base, name: 'baseline' });
    expect(store.getRun(run.id).id).toBe(run.id);
    expect(store.getRun(String(run.id)).id).toBe(run.id);
    expect(store.getRun('baseline').id).toBe(run.id);
  });

  it('an ambiguous name is an error listing the ids to choose from', () => {
    const a = store.createRun({ ...base, name: 'twin' });
    const b = store.createRun({ ...base, name: 'twin' });
    const err = errorOf(() => store.getRun('twin'));
    expect(err.code).toBe('conflict');
    expect(err.message).toContain(`ids ${a.id}, ${b.id}`);
    expect(err.message).toContain('give the id');
  });

  it('a missing run is not_found from getRun and undefined from findRun', () => {
    expect(errorOf(() => store.getRun('nope')).code).toBe('not_found');
    expect(errorOf(() => store.getRun(42)).code).toBe('not_found');
    expect(store.findRun('nope')).toBeUndefined();
  });

  it('a run name made only of digits is refused, since it would read as an id', () => {
    expect(errorOf(() => store.createRun({ ...base, name: '12' })).field).toBe('name');
  });

  it('a config that cannot be JSON is refused', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(errorOf(() => store.createRun({ ...base, config: cyclic })).field).toBe('config');
  });

  it('lists runs filtered by experiment, status and tag', () => {
    const a = store.createRun({ ...base, tags: ['sweep', 'ot'] });
    const b = store.createRun({ ...base, experimentName: 'scurve', tags: ['sweep'] });
    const c = store.createRun(base);
    store.updateRun(c.id, { status: 'completed' });
    expect(store.listRuns().map((r) => r.id)).toEqual([a.id, b.id, c.id]);
    expect(store.listRuns({ experiment: 'moons' }).map((r) => r.id)).toEqual([a.id, c.id]);
    expect(store.listRuns({ status: 'completed' }).map((r) => r.id)).toEqual([c.id]);
    expect(store.listRuns({ status: ['queued', 'completed'] }).map((r) => r.id)).toEqual([a.id, b.id, c.id]);
    expect(store.listRuns({ tag: 'sweep' }).map((r) => r.id)).toEqual([a.id, b.id]);
    expect(store.listRuns({ tag: 'ot', experiment: 'moons' }).map((r) => r.id)).toEqual([a.id]);
    expect(store.listRuns({ tag: 'sw' })).toEqual([]);
    expect(errorOf(() => store.listRuns({ status: 'done' as never })).field).toBe('status');
  });

  it('updateRun changes exactly the fields given', () => {
    const run = store.createRun(base);
    const t0 = 1_700_000_000_000;
    const after = store.updateRun(run.id, { status: 'running', startedAt: t0, pid: 4242, step: 150, seconds: 12.5 });
    expect(after).toMatchObject({ status: 'running', startedAt: t0, pid: 4242, step: 150, seconds: 12.5 });
    expect(after.config).toEqual(base.config);
    const done = store.updateRun(run.id, {
      status: 'completed',
      finishedAt: t0 + 5000,
      pid: null,
      tags: ['best'],
      notes: 'looks good',
      name: 'final',
    });
    expect(done).toMatchObject({ status: 'completed', pid: null, tags: ['best'], notes: 'looks good', name: 'final', step: 150 });
    expect(store.getRun('final').finishedAt).toBe(t0 + 5000);
  });

  it('updateRun refuses an unknown status and a missing run', () => {
    const run = store.createRun(base);
    expect(errorOf(() => store.updateRun(run.id, { status: 'paused' as never })).field).toBe('status');
    expect(errorOf(() => store.updateRun(run.id + 100, { notes: 'x' })).code).toBe('not_found');
    expect(store.getRun(run.id).status).toBe('queued');
  });

  it('a reflow run points at its parent, and loses only the pointer when the parent is deleted', () => {
    const parent = store.createRun(base);
    const child = store.createRun({ ...base, parentRunId: parent.id, config: { method: 'rf', k: 2 } });
    expect(child.parentRunId).toBe(parent.id);
    store.deleteRun(parent.id);
    const kept = store.getRun(child.id);
    expect(kept.parentRunId).toBeNull();
    expect(kept.config).toEqual({ method: 'rf', k: 2 });
    expect(errorOf(() => store.createRun({ ...base, parentRunId: 999 })).code).toBe('not_found');
  });

  it('deleting a run removes its metrics, checkpoints, samples and evaluations, and nothing of other runs', () => {
    const doomed = store.createRun(base);
    const other = store.createRun(base);
    for (const id of [doomed.id, other.id]) {
      store.appendMetrics(id, [{ step: 1, wallTime: 1, name: 'loss', value: 0.5 }]);
      store.saveCheckpoint(id, 1, new Uint8Array([1, 2, 3]));
      store.saveSample({
        runId: id,
        points: { data: new Float32Array([1, 2]), n: 1, d: 2 },
        solver: 'euler',
        steps: 10,
        seed: 1,
        nfe: 10,
        checkpointStep: 1,
      });
      store.saveEvaluation({ runId: id, checkpointStep: 1, solver: 'euler', steps: 10, n: 1, seed: 1, nfe: 10, metrics: { w2: 1 } });
    }
    store.deleteRun(doomed.id);
    expect(store.findRun(doomed.id)).toBeUndefined();
    expect(store.metricNames(doomed.id)).toEqual([]);
    expect(store.latestCheckpoint(doomed.id)).toBeUndefined();
    expect(store.listSamples(doomed.id)).toEqual([]);
    expect(store.listEvaluations(doomed.id)).toEqual([]);
    expect(store.metricNames(other.id)).toEqual(['loss']);
    expect(store.latestCheckpoint(other.id)?.step).toBe(1);
    expect(store.listSamples(other.id)).toHaveLength(1);
    expect(store.listEvaluations(other.id)).toHaveLength(1);
    expect(errorOf(() => store.deleteRun(doomed.id)).code).toBe('not_found');
    expect(store.integrityCheck()).toBe('ok');
  });

  it('markStaleRunning marks running runs whose trainer is gone as interrupted, and only those', () => {
    const alive = store.createRun(base);
    const dead = store.createRun(base);
    const noPid = store.createRun(base);
    const finished = store.createRun(base);
    store.updateRun(alive.id, { status: 'running', pid: 100 });
    store.updateRun(dead.id, { status: 'running', pid: 200, step: 300 });
    store.updateRun(noPid.id, { status: 'running' });
    store.updateRun(finished.id, { status: 'completed', pid: 200 });
    const asked: number[] = [];
    const changed = store.markStaleRunning((pid) => {
      asked.push(pid);
      return pid === 100;
    });
    expect(changed.sort((x, y) => x - y)).toEqual([dead.id, noPid.id]);
    expect(asked.sort()).toEqual([100, 200]);
    expect(store.getRun(alive.id)).toMatchObject({ status: 'running', pid: 100 });
    expect(store.getRun(dead.id)).toMatchObject({ status: 'interrupted', pid: null, step: 300 });
    expect(store.getRun(dead.id).error).toContain('200');
    expect(store.getRun(noPid.id).status).toBe('interrupted');
    expect(store.getRun(finished.id).status).toBe('completed');
    expect(store.markStaleRunning(() => false)).toEqual([alive.id]);
  });
});
