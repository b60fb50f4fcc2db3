import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import type { RunView, WorkbenchEvent } from '../../app/contract.js';
import { savedConcurrency } from '../../app/service/settings.js';
import { openStore } from '../../app/store/index.js';
import { apiError, makeFixture, type Fixture } from './service.fixtures.js';

let fx: Fixture;
beforeEach(() => {
  fx = makeFixture();
});
afterEach(() => fx.cleanup());

/** A run as if it had trained: status, steps, a loss curve ending at `loss`, maybe an evaluation. */
async function trainedRun(
  config: Record<string, unknown>,
  o: { name?: string; experiment?: string; loss?: number; w2?: number; nfe?: number; status?: RunView['status']; tags?: string[] } = {},
): Promise<RunView> {
  const r = await fx.service.startRun({
    config: { steps: 100, ...config },
    ...(o.name ? { name: o.name } : {}),
    ...(o.experiment ? { experiment: o.experiment } : {}),
    ...(o.tags ? { tags: o.tags } : {}),
  });
  fx.store.updateRun(r.id, { status: o.status ?? 'completed', step: 100, seconds: 2 });
  if (o.loss !== undefined) {
    fx.store.appendMetrics(r.id, [
      { step: 50, wallTime: 1, name: 'loss', value: 10 },
      { step: 100, wallTime: 2, name: 'loss', value: o.loss },
      { step: 100, wallTime: 2, name: 'val_loss', value: o.loss + 0.5 },
    ]);
  }
  if (o.w2 !== undefined) {
    fx.store.saveEvaluation({ runId: r.id, checkpointStep: 100, solver: 'rk4', steps: 10, n: 100, seed: 0, nfe: 999, metrics: { w2: 99 } });
    fx.store.saveEvaluation({ runId: r.id, checkpointStep: 100, solver: 'dopri5', steps: null, n: 100, seed: 0, nfe: o.nfe ?? 40, metrics: { w2: o.w2, w1: o.w2 / 2 } });
  }
  return r;
}

const listIds = async (input: Record<string, unknown>) => (await fx.service.listRuns(input as never)).map((r) => r.id);

describe('starting runs', () => {
  it('startRun validates the config, stores the run queued with defaults filled, and hands it to the manager', async () => {
    const r = await fx.service.startRun({ config: { dataset: '8gaussians', method: 'icfm', lr: 3e-4 }, experiment: 'exp-a', name: 'first', tags: ['t1'] });
    expect(r).toMatchObject({ name: 'first', experiment: 'exp-a', status: 'queued', tags: ['t1'], step: 0, totalSteps: 20_000, loss: null, w2: null });
    expect(r.config).toMatchObject({ dataset: '8gaussians', method: 'icfm', lr: 3e-4, batch: 256, sigma: 0.1 });
    expect(fx.manager.calls).toContainEqual({ op: 'enqueue', arg: r.id });
  });

  it('a bad config names the config key and creates nothing', async () => {
    const lr = await apiError(fx.service.startRun({ config: { lr: -1 } }));
    expect(lr).toMatchObject({ code: 'invalid_input', field: 'config.lr' });
    expect(lr.message).toMatch(/^config\.lr: /);
    const data = await apiError(fx.service.startRun({ config: { dataset: 'mooons' } }));
    expect(data).toMatchObject({ code: 'invalid_input', field: 'config.dataset' });
    expect(data.message).toMatch(/moons/);
    expect(await apiError(fx.service.startRun({ config: { learningRate: 1 } }))).toMatchObject({ code: 'invalid_input', field: 'config' });
    expect(await apiError(fx.service.startRun({ config: {}, name: '123' }))).toMatchObject({ code: 'invalid_input', field: 'name' });
    expect(fx.store.listRuns()).toHaveLength(0);
    expect(fx.manager.calls.filter((c) => c.op === 'enqueue')).toHaveLength(0);
  });

  it('a 2 x 2 sweep with 2 seeds queues 8 named runs in one experiment, seeds counted from the base seed', async () => {
    const runs = await fx.service.startSweep({
      config: { dataset: 'moons', steps: 50, seed: 10 },
      grid: { method: ['icfm', 'otcfm'], lr: [0.001, 0.0003] },
      seeds: 2,
      experiment: 'sweep-1',
    });
    expect(runs).toHaveLength(8);
    expect(new Set(runs.map((r) => r.experiment))).toEqual(new Set(['sweep-1']));
    expect(runs.every((r) => r.status === 'queued')).toBe(true);
    expect(runs.map((r) => r.name)).toEqual([
      'lr=0.001,method=icfm,seed=10',
      'lr=0.001,method=icfm,seed=11',
      'lr=0.001,method=otcfm,seed=10',
      'lr=0.001,method=otcfm,seed=11',
      'lr=0.0003,method=icfm,seed=10',
      'lr=0.0003,method=icfm,seed=11',
      'lr=0.0003,method=otcfm,seed=10',
      'lr=0.0003,method=otcfm,seed=11',
    ]);
    for (const r of runs) {
      const [lr, method, seed] = r.name.split(',').map((kv) => kv.split('=')[1]);
      expect(r.config).toMatchObject({ lr: Number(lr), method, seed: Number(seed), steps: 50, dataset: 'moons' });
      expect(r.seed).toBe(Number(seed));
    }
    // Every combination is distinct and every run was queued with the manager.
    expect(new Set(runs.map((r) => JSON.stringify(r.config))).size).toBe(8);
    expect(fx.manager.calls.filter((c) => c.op === 'enqueue').map((c) => c.arg)).toEqual(runs.map((r) => r.id));
    const exp = (await fx.service.listExperiments({})).find((e) => e.name === 'sweep-1');
    expect(exp?.runCount).toBe(8);
  });

  it('a sweep with one invalid combination creates no runs at all and names the grid key', async () => {
    const e = await apiError(
      fx.service.startSweep({ config: { dataset: 'moons' }, grid: { method: ['icfm', 'fm'], source: ['gaussian', '8gaussians'] }, experiment: 'bad' }),
    );
    expect(e.code).toBe('invalid_input');
    expect(e.field).toBe('grid.source');
    expect(e.message).toMatch(/method=fm,seed=0,source=8gaussians|method=fm,source=8gaussians,seed=0/);
    const lr = await apiError(fx.service.startSweep({ config: { lr: -5 }, grid: { method: ['icfm'] }, seeds: 2, experiment: 'bad' }));
    expect(lr.field).toBe('config.lr');
    expect(fx.store.listRuns()).toHaveLength(0);
    expect(fx.manager.calls).toHaveLength(0);
  });

  it('a sweep over an unknown key, a repeated value or too many runs is refused', async () => {
    const unknown = await apiError(fx.service.startSweep({ config: {}, grid: { learning_rate: [1, 2] }, experiment: 'x' }));
    expect(unknown).toMatchObject({ code: 'invalid_input', field: 'grid.learning_rate' });
    expect(unknown.message).toMatch(/\blr\b/);
    expect(await apiError(fx.service.startSweep({ config: {}, grid: { lr: [0.1, 0.1] }, experiment: 'x' }))).toMatchObject({ field: 'grid.lr' });
    const huge = await apiError(
      fx.service.startSweep({ config: {}, grid: { lr: Array.from({ length: 100 }, (_, i) => (i + 1) / 1000), width: [8, 16, 32] }, seeds: 5, experiment: 'x' }),
    );
    expect(huge).toMatchObject({ code: 'invalid_input', field: 'grid' });
    expect(huge.message).toMatch(/1500 runs/);
    expect(fx.store.listRuns()).toHaveLength(0);
  });
});

describe('listing, sorting and filtering runs', () => {
  async function population(): Promise<RunView[]> {
    return [
      await trainedRun({ method: 'icfm', lr: 1e-3 }, { name: 'run-2', loss: 0.9, w2: 0.5, nfe: 80, tags: ['baseline'] }),
      await trainedRun({ method: 'otcfm', lr: 1e-4 }, { name: 'run-10', loss: 0.4, experiment: 'ot', tags: ['ot'] }),
      await trainedRun({ method: 'otcfm', lr: 3e-3, dataset: '8gaussians' }, { name: 'Alpha', loss: 1.5, w2: 0.2, nfe: 30, experiment: 'ot', status: 'failed' }),
      await trainedRun({ method: 'sbcfm', lr: 1e-3 }, { name: 'beta', status: 'running' }),
    ];
  }

  it('each run shows its last loss and validation loss and its latest evaluation', async () => {
    const [a, , , d] = await population();
    const list = await fx.service.listRuns({});
    const va = list.find((r) => r.id === a.id)!;
    expect(va).toMatchObject({ loss: 0.9, valLoss: 1.4, w2: 0.5, nfe: 80, status: 'completed', step: 100 });
    expect(list.find((r) => r.id === d.id)).toMatchObject({ loss: null, valLoss: null, w2: null, nfe: null });
  });

  it('filters by experiment, status, tag, free text and a where expression, together', async () => {
    const [a, b, c, d] = (await population()).map((r) => r.id);
    expect(await listIds({ experiment: 'ot', sort: 'id', descending: false })).toEqual([b, c]);
    expect(await listIds({ status: 'running' })).toEqual([d]);
    expect(await listIds({ tag: 'baseline' })).toEqual([a]);
    expect(await listIds({ text: '8GAUSS', sort: 'id' })).toEqual([c]);
    expect(await listIds({ text: 'sbcfm' })).toEqual([d]);
    expect(await listIds({ text: 'ot alpha' })).toEqual([c]);
    expect(await listIds({ where: 'method = otcfm and lr < 1e-3', sort: 'id' })).toEqual([b]);
    expect(await listIds({ where: 'w2 < 1 or status = running', sort: 'id', descending: false })).toEqual([a, c, d]);
    expect(await listIds({ experiment: 'ot', where: 'loss > 1' })).toEqual([c]);
    const bad = await apiError(fx.service.listRuns({ where: 'lr <' }));
    expect(bad).toMatchObject({ code: 'invalid_input', field: 'where' });
  });

  it('sorts by each key in both directions; runs lacking the value come last', async () => {
    await population();
    const order = async (sort: string, descending: boolean) => fx.service.listRuns({ sort: sort as never, descending });
    const names = async (sort: string, descending: boolean) => (await order(sort, descending)).map((r) => r.name);
    expect(await names('id', true)).toEqual(['beta', 'Alpha', 'run-10', 'run-2']);
    expect(await names('id', false)).toEqual(['run-2', 'run-10', 'Alpha', 'beta']);
    // Natural, case-insensitive order of names.
    expect(await names('name', false)).toEqual(['Alpha', 'beta', 'run-2', 'run-10']);
    expect(await names('name', true)).toEqual(['run-10', 'run-2', 'beta', 'Alpha']);
    expect(await names('loss', false)).toEqual(['run-10', 'run-2', 'Alpha', 'beta']);
    expect(await names('loss', true)).toEqual(['Alpha', 'run-2', 'run-10', 'beta']);
    expect(await names('w2', false)).toEqual(['Alpha', 'run-2', 'run-10', 'beta']);
    expect(await names('w2', true)).toEqual(['run-2', 'Alpha', 'beta', 'run-10']);
    expect(await names('nfe', false)).toEqual(['Alpha', 'run-2', 'run-10', 'beta']);
    // Lifecycle order of statuses: running before completed before failed.
    expect(await names('status', false)).toEqual(['beta', 'run-2', 'run-10', 'Alpha']);
    const created = await order('createdAt', false);
    for (let i = 1; i < created.length; i++) expect(created[i].createdAt).toBeGreaterThanOrEqual(created[i - 1].createdAt);
    expect((await order('seconds', true)).map((r) => r.seconds)).toEqual([2, 2, 2, 2]);
  });

  it('lists experiments with their run counts', async () => {
    await population();
    const exps = await fx.service.listExperiments({});
    expect(exps.map((e) => [e.name, e.runCount])).toEqual([
      ['default', 2],
      ['ot', 2],
    ]);
  });
});

describe('one run: detail, rename, tag, note, delete', () => {
  it('getRun returns metric names, evaluations, checkpoints and samples', async () => {
    const r = await trainedRun({}, { loss: 0.3, w2: 0.25, nfe: 44 });
    fx.store.saveCheckpoint(r.id, 100, new Uint8Array(123));
    fx.store.saveSample({ runId: r.id, points: { data: new Float32Array(20), n: 10, d: 2 }, solver: 'rk4', steps: 20, seed: 0, nfe: 80, checkpointStep: 100 });
    const d = await fx.service.getRun({ run: r.name });
    expect(d.id).toBe(r.id);
    expect(d.metricNames).toEqual(['loss', 'val_loss']);
    expect(d.evaluations.map((e) => e.metrics.w2)).toEqual([99, 0.25]);
    expect(d.w2).toBe(0.25);
    expect(d.nfe).toBe(44);
    expect(d.checkpoints).toEqual([expect.objectContaining({ step: 100, bytes: 123 })]);
    expect(d.samples).toEqual([expect.objectContaining({ n: 10, d: 2, solver: 'rk4', steps: 20, nfe: 80, checkpointStep: 100 })]);
  });

  it('renames, tags and notes a run, by id or by name', async () => {
    const r = await trainedRun({});
    expect((await fx.service.renameRun({ run: r.id, name: 'better' })).name).toBe('better');
    expect((await fx.service.tagRun({ run: 'better', tags: ['a', 'b'] })).tags).toEqual(['a', 'b']);
    expect((await fx.service.noteRun({ run: String(r.id), notes: 'looks good' })).notes).toBe('looks good');
    expect((await fx.service.getRun({ run: r.id })).tags).toEqual(['a', 'b']);
    expect(await apiError(fx.service.renameRun({ run: 999, name: 'x' }))).toMatchObject({ code: 'not_found', field: 'run' });
  });

  it('deletes a finished run, but refuses a running or queued one: cancel it first', async () => {
    const done = await trainedRun({});
    const running = await trainedRun({}, { status: 'running' });
    const queued = await fx.service.startRun({ config: {} });
    expect(await fx.service.deleteRun({ run: done.id })).toEqual({ deleted: done.id });
    expect(fx.store.findRun(done.id)).toBeUndefined();
    for (const r of [running, queued]) {
      const e = await apiError(fx.service.deleteRun({ run: r.id }));
      expect(e).toMatchObject({ code: 'conflict', field: 'run' });
      expect(e.message).toMatch(/cancel it first/);
      expect(fx.store.findRun(r.id)).toBeDefined();
    }
  });
});

describe('cancel and resume', () => {
  it('cancels a queued or running run through the manager and returns it updated', async () => {
    const q = await fx.service.startRun({ config: {} });
    const v = await fx.service.cancelRun({ run: q.id });
    expect(v.status).toBe('cancelled');
    expect(fx.manager.calls).toContainEqual({ op: 'cancel', arg: q.id });
    const resumed = await fx.service.resumeRun({ run: q.id });
    expect(resumed.status).toBe('queued');
    expect(fx.manager.calls).toContainEqual({ op: 'resume', arg: q.id });
  });

  it('refuses impossible transitions with conflict: cancel a finished run, resume a completed or running one', async () => {
    const done = await trainedRun({});
    const running = await trainedRun({}, { status: 'running' });
    const cancel = await apiError(fx.service.cancelRun({ run: done.id }));
    expect(cancel).toMatchObject({ code: 'conflict', field: 'run' });
    expect(cancel.message).toMatch(/completed/);
    const resume = await apiError(fx.service.resumeRun({ run: done.id }));
    expect(resume).toMatchObject({ code: 'conflict', field: 'run' });
    expect(resume.message).toMatch(/start a new run/);
    expect(await apiError(fx.service.resumeRun({ run: running.id }))).toMatchObject({ code: 'conflict' });
    for (const status of ['failed', 'interrupted'] as const) {
      const r = await trainedRun({}, { status });
      expect((await fx.service.resumeRun({ run: r.id })).status).toBe('queued');
    }
    expect(fx.manager.calls.filter((c) => c.op === 'cancel')).toHaveLength(0);
  });
});

describe('compute jobs go to the manager', () => {
  it('sample, evaluate, vector field and density are sent with the resolved run id and defaults filled', async () => {
    const r = await trainedRun({}, { name: 'trained' });
    fx.store.saveCheckpoint(r.id, 100, new Uint8Array(8));
    const sample = { run: r.id, sampleId: 1, n: 5, d: 2, points: new Float32Array(10), nfe: 4, checkpointStep: 100, seconds: 0.1 };
    fx.manager.results.sample = sample;
    expect(await fx.service.sampleRun({ run: 'trained', n: 5 })).toBe(sample);
    expect(fx.manager.calls.at(-1)).toEqual({ op: 'compute:sample', arg: { run: r.id, n: 5, trajectories: 0, save: true, solver: 'dopri5', seed: 0 } });
    fx.manager.results.evaluate = { run: r.id, evaluation: 1, checkpointStep: 100, n: 100, solver: 'rk4', steps: 8, nfe: 32, w1: 1, w2: 1, mmd: 0, npe: 0, pathEnergy: 0, seconds: 1 };
    await fx.service.evaluateRun({ run: r.id, n: 100, solver: 'rk4', steps: 8 });
    expect(fx.manager.calls.at(-1)).toEqual({ op: 'compute:evaluate', arg: { run: r.id, n: 100, solver: 'rk4', steps: 8, seed: 0 } });
    fx.manager.results.vectorField = { run: r.id, t: 0.5, grid: 3, positions: new Float32Array(18), vectors: new Float32Array(18) };
    await fx.service.vectorField({ run: r.id, t: 0.5, grid: 3 });
    expect(fx.manager.calls.at(-1)).toEqual({ op: 'compute:vectorField', arg: { run: r.id, t: 0.5, grid: 3 } });
    fx.manager.results.density = { run: r.id, grid: 40, extent: 4, logp: new Float32Array(1600), nfe: 10 };
    await fx.service.densityGrid({ run: r.id });
    expect(fx.manager.calls.at(-1)).toEqual({ op: 'compute:density', arg: { run: r.id, grid: 40, solver: 'dopri5', seed: 0 } });
  });

  it('a run without a checkpoint has no model to sample: conflict, and no worker is asked', async () => {
    const r = await fx.service.startRun({ config: {} });
    const e = await apiError(fx.service.sampleRun({ run: r.id }));
    expect(e).toMatchObject({ code: 'conflict', field: 'run' });
    expect(e.message).toMatch(/no trained model/);
    expect(fx.manager.calls.some((c) => c.op.startsWith('compute:'))).toBe(false);
  });

  it('a worker failure that is not a CfmError leaves as internal, with a generic message, and is logged', async () => {
    const r = await trainedRun({});
    fx.store.saveCheckpoint(r.id, 100, new Uint8Array(8));
    fx.manager.results.sample = undefined;
    const e = await apiError(fx.service.sampleRun({ run: r.id }));
    expect(e.code).toBe('internal');
    expect(e.field).toBeUndefined();
    expect(e.message).not.toMatch(/canned|\n|\.ts:/);
    expect(fx.internalErrors).toHaveLength(1);
  });
});

describe('compare and metric series', () => {
  it('compareRuns marks the config keys that differ and downsamples each loss curve', async () => {
    const a = await fx.service.startRun({ config: { method: 'icfm', lr: 1e-3, steps: 100 } });
    const b = await fx.service.startRun({ config: { method: 'otcfm', lr: 1e-3, steps: 100, width: 128 } });
    const c = await fx.service.startRun({ config: { method: 'otcfm', lr: 1e-3, steps: 100, seed: 3 } });
    const rows = Array.from({ length: 3000 }, (_, i) => ({ step: i + 1, wallTime: 1000 + i, name: 'loss', value: 1 / (i + 1) }));
    fx.store.appendMetrics(a.id, rows);
    const v = await fx.service.compareRuns({ runs: [a.id, b.name, c.id], points: 100 });
    expect(v.runs.map((r) => r.id)).toEqual([a.id, b.id, c.id]);
    expect(v.differing).toEqual(['method', 'seed', 'width']);
    expect(v.curves.map((s) => [s.run, s.name, s.total, s.steps.length])).toEqual([
      [a.id, 'loss', 3000, 100],
      [b.id, 'loss', 0, 0],
      [c.id, 'loss', 0, 0],
    ]);
    expect(v.curves[0].max[0]).toBe(1);
    expect(v.curves[0].steps[99]).toBe(3000);
    const same = await fx.service.compareRuns({ runs: [a.id] });
    expect(same.differing).toEqual([]);
  });

  it('metricSeries downsamples a metric, and afterStep returns only newer points', async () => {
    const r = await trainedRun({});
    const rows = Array.from({ length: 500 }, (_, i) => ({ step: 2 * (i + 1), wallTime: 5000 + i, name: 'lr', value: i }));
    fx.store.appendMetrics(r.id, rows);
    const all = await fx.service.metricSeries({ run: r.id, name: 'lr', points: 50 });
    expect(all).toMatchObject({ run: r.id, name: 'lr', total: 500 });
    expect(all.steps).toBeInstanceOf(Float64Array);
    expect(all.steps.length).toBe(50);
    expect(Array.from(all.max.subarray(0, 3))).toEqual([9, 19, 29]);
    expect(Array.from(all.mean.subarray(0, 2))).toEqual([4.5, 14.5]);
    const newer = await fx.service.metricSeries({ run: r.id, name: 'lr', afterStep: 990 });
    expect(newer.total).toBe(5);
    expect(Array.from(newer.steps)).toEqual([992, 994, 996, 998, 1000]);
    expect(Array.from(newer.wallTimes)).toEqual([5495, 5496, 5497, 5498, 5499]);
    expect((await fx.service.metricSeries({ run: r.id })).total).toBe(0);
  });
});

describe('info, settings and events', () => {
  it('info reports the backend (asked of a worker once), database, concurrency, version and how to get a GPU', async () => {
    const a = await fx.service.info({});
    const b = await fx.service.info({});
    expect(a).toMatchObject({ backend: { name: 'wasm' }, database: fx.store.path, concurrency: 2, version: '9.9.9' });
    expect(b).toEqual(a);
    expect(fx.manager.calls.filter((c) => c.op === 'compute:info')).toHaveLength(1);
    expect(a.gpuHelp).toMatch(/@tensorflow\/tfjs-node-gpu/);
    expect(a.gpuHelp).toMatch(/CUDA 11\.2/);
    expect(a.gpuHelp).toMatch(/cuDNN 8\.1/);
    // Once the backend is known, new runs record it until a worker sets the real one.
    expect((await fx.service.startRun({ config: {} })).backend).toBe('wasm');
  });

  it('settings read and set the manager concurrency, and the choice is kept in the database for the next start', async () => {
    expect(await fx.service.getSettings({})).toEqual({ concurrency: 2 });
    expect(savedConcurrency(fx.store)).toBeUndefined();
    expect(await fx.service.setSettings({ concurrency: 5 })).toEqual({ concurrency: 5 });
    expect(fx.manager.calls).toContainEqual({ op: 'setConcurrency', arg: 5 });
    expect(await fx.service.getSettings({})).toEqual({ concurrency: 5 });
    const reopened = openStore(fx.store.path);
    expect(savedConcurrency(reopened)).toBe(5);
    reopened.close();
  });

  it('subscribe passes the manager events through until unsubscribed; close closes the manager once', async () => {
    const got: WorkbenchEvent[] = [];
    const off = fx.service.subscribe((e) => got.push(e));
    const event: WorkbenchEvent = { type: 'status', run: 1, status: 'running', step: 0, error: null };
    for (const l of fx.manager.listeners) l(event);
    off();
    for (const l of fx.manager.listeners) l(event);
    expect(got).toEqual([event]);
    await Promise.all([fx.service.close(), fx.service.close()]);
    expect(fx.manager.closed).toBe(1);
    expect(await apiError(fx.service.listRuns({}))).toMatchObject({ code: 'conflict' });
  });
});
