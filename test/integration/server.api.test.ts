/**
 * Every API method over real HTTP (loopback) on the real service, a real
 * SQLite file and the real run manager: one tiny run is trained through the
 * API in beforeAll (100 steps, width 16) and serves the methods that need a
 * model. Float arrays must arrive bit-exact: where an output is deterministic
 * it is compared with the same method called in-process, or with the engine's
 * own generator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunView } from '../../app/contract.js';
import { generateDataset } from '../../app/engine/data/registry.js';
import { Rng } from '../../app/engine/rng.js';
import { call, ok, startTestServer, tinyConfig, until, type TestServer } from './serverHarness.js';

let t: TestServer;
let A: RunView;

function bytes(a: ArrayBufferView): number[] {
  return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

beforeAll(async () => {
  t = await startTestServer('api');
  A = await ok<RunView>(t.server, 'startRun', { config: tinyConfig(), experiment: 'http', name: 'tiny-a', tags: ['first'] });
  A = await until(
    async () => {
      const r = await ok<RunView>(t.server, 'getRun', { run: A.id });
      if (r.status === 'failed' || r.status === 'interrupted') throw new Error(`run ${r.id} ${r.status}: ${r.error}`);
      return r.status === 'completed' ? r : undefined;
    },
    'the tiny run to complete',
  );
});

afterAll(async () => {
  await t?.stop();
});

describe('cfm serve answers every API method over HTTP', () => {
  it('info, getSettings and setSettings describe and change the server', async () => {
    const info = await ok(t.server, 'info');
    expect(info.database).toBe(t.store.path);
    expect(info.version).toBe('test');
    expect(typeof info.backend.name).toBe('string');
    expect((await ok(t.server, 'setSettings', { concurrency: 1 })).concurrency).toBe(1);
    expect(await ok(t.server, 'getSettings')).toEqual({ concurrency: 1 });
  });

  it('a method without input may be called with no body at all', async () => {
    const res = await fetch(`${t.server.origin}/api/getSettings`, { method: 'POST', headers: { authorization: `Bearer ${t.server.token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ concurrency: 1 });
  });

  it('startRun trained the run to completion, with its loss and checkpoints', async () => {
    expect(A.status).toBe('completed');
    expect(A.step).toBe(100);
    expect(A.config).toMatchObject({ width: 16, steps: 100 });
    expect(Number.isFinite(A.loss)).toBe(true);
    const detail = await ok<RunDetail>(t.server, 'getRun', { run: 'tiny-a' });
    expect(detail.id).toBe(A.id);
    expect(detail.metricNames).toContain('loss');
    expect(detail.checkpoints.at(-1)?.step).toBe(100);
  });

  it('listExperiments and listRuns find the run by experiment, tag and text', async () => {
    const exps = await ok(t.server, 'listExperiments');
    expect(exps.find((e: { name: string }) => e.name === 'http')?.runCount).toBeGreaterThanOrEqual(1);
    expect((await ok<RunView[]>(t.server, 'listRuns', { experiment: 'http' })).map((r) => r.id)).toContain(A.id);
    expect((await ok<RunView[]>(t.server, 'listRuns', { tag: 'first' })).map((r) => r.id)).toEqual([A.id]);
    expect((await ok<RunView[]>(t.server, 'listRuns', { text: 'tiny-a', where: 'width = 16', sort: 'loss' })).map((r) => r.id)).toEqual([A.id]);
  });

  it('renameRun, tagRun and noteRun change what getRun shows', async () => {
    expect((await ok<RunView>(t.server, 'renameRun', { run: A.id, name: 'renamed-a' })).name).toBe('renamed-a');
    expect((await ok<RunView>(t.server, 'tagRun', { run: A.id, tags: ['first', 'http'] })).tags).toEqual(['first', 'http']);
    expect((await ok<RunView>(t.server, 'noteRun', { run: 'renamed-a', notes: 'line 1\nline "2" \u00e9' })).notes).toBe('line 1\nline "2" \u00e9');
    const d = await ok<RunDetail>(t.server, 'getRun', { run: A.id });
    expect([d.name, d.tags, d.notes]).toEqual(['renamed-a', ['first', 'http'], 'line 1\nline "2" \u00e9']);
  });

  it('sampleRun returns points and trajectories as Float32Arrays equal bit for bit to the in-process call', async () => {
    const input = { run: A.id, n: 64, trajectories: 3, solver: 'rk4', steps: 8, seed: 5 };
    const s = await ok(t.server, 'sampleRun', input);
    expect(s.points).toBeInstanceOf(Float32Array);
    expect([s.n, s.d, s.points.length]).toEqual([64, 2, 128]);
    expect(s.trajectory.length).toBe(s.times.length);
    expect(s.trajectory[0]).toBeInstanceOf(Float32Array);
    expect(s.trajectory[0].length).toBe(3 * 2);
    const direct = await t.service.sampleRun(input as never);
    expect(bytes(s.points)).toEqual(bytes(direct.points));
  });

  it('evaluateRun returns finite distances to the held-out data', async () => {
    const e = await ok(t.server, 'evaluateRun', { run: A.id, n: 200, solver: 'rk4', steps: 8 });
    expect(e.run).toBe(A.id);
    expect(e.checkpointStep).toBe(100);
    for (const k of ['w1', 'w2', 'mmd']) expect(Number.isFinite(e[k]), k).toBe(true);
    expect(e.w2).toBeGreaterThan(0);
    expect((await ok<RunView>(t.server, 'getRun', { run: A.id })).w2).toBe(e.w2);
  });

  it('vectorField returns a grid of positions and velocities identical to the in-process call', async () => {
    const input = { run: A.id, t: 0.5, grid: 5, extent: 3 };
    const f = await ok(t.server, 'vectorField', input);
    expect(f.positions).toBeInstanceOf(Float32Array);
    expect([f.positions.length, f.vectors.length]).toEqual([50, 50]);
    const direct = await t.service.vectorField(input);
    expect(bytes(f.vectors)).toEqual(bytes(direct.vectors));
    expect(bytes(f.positions)).toEqual(bytes(direct.positions));
  });

  it('densityGrid returns grid x grid finite log-densities', async () => {
    const g = await ok(t.server, 'densityGrid', { run: A.id, grid: 3, extent: 2, solver: 'rk4', steps: 4 });
    expect(g.logp).toBeInstanceOf(Float32Array);
    expect(g.logp.length).toBe(9);
    expect(Array.from(g.logp as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('metricSeries downsamples the loss curve to at most the requested buckets, min <= mean <= max', async () => {
    const s = await ok(t.server, 'metricSeries', { run: A.id, name: 'loss', points: 10 });
    expect(s.steps).toBeInstanceOf(Float64Array);
    expect(s.total).toBe(100);
    expect(s.steps.length).toBeLessThanOrEqual(10);
    expect(s.steps.at(-1)).toBe(100);
    for (let i = 0; i < s.mean.length; i++) {
      expect(s.min[i]).toBeLessThanOrEqual(s.mean[i] + 1e-12);
      expect(s.mean[i]).toBeLessThanOrEqual(s.max[i] + 1e-12);
    }
    const tail = await ok(t.server, 'metricSeries', { run: A.id, afterStep: 95 });
    expect(Array.from(tail.steps as Float64Array)).toEqual([96, 97, 98, 99, 100]);
  });

  it('listDatasets lists the built-ins, and previewDataset draws exactly what the generator draws', async () => {
    const names = (await ok(t.server, 'listDatasets')).map((d: { name: string }) => d.name);
    expect(names).toEqual(expect.arrayContaining(['moons', '8gaussians', 'scurve']));
    const p = await ok(t.server, 'previewDataset', { name: 'moons', n: 100, seed: 7 });
    const expected = generateDataset('moons', 100, new Rng(7));
    expect([p.n, p.d]).toEqual([100, 2]);
    expect(bytes(p.points)).toEqual(bytes(expected.data));
  });

  it('importDataset takes a file as bytes and previewDataset then shows its rows', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${-i / 4}`);
    const content = new TextEncoder().encode(`x,y\n${rows.join('\n')}\n`);
    const d = await ok(t.server, 'importDataset', { name: 'line40', fileName: 'line40.csv', content, seed: 1 });
    expect(d).toMatchObject({ name: 'line40', kind: 'import', dim: 2 });
    expect(d.nTrain + d.nValidation + d.nTest).toBe(40);
    const p = await ok(t.server, 'previewDataset', { name: 'line40', n: 5 });
    // every imported row lies on y = -x / 4
    for (let i = 0; i < p.n; i++) expect(p.points[2 * i + 1]).toBeCloseTo(-p.points[2 * i] / 4, 6);
  });

  it('previewPath with sigma 0 puts x_t at x0 for t = 0 and at x1 for t = 1', async () => {
    const p = await ok(t.server, 'previewPath', { dataset: 'moons', method: 'icfm', sigma: 0, n: 16, times: [0, 0.5, 1] });
    expect([p.n, p.d, p.x0.length, p.xt.length]).toEqual([16, 2, 32, 3]);
    expect(Array.from(p.xt[0] as Float32Array)).toEqual(Array.from(p.x0 as Float32Array));
    expect(Array.from(p.xt[2] as Float32Array)).toEqual(Array.from(p.x1 as Float32Array));
    for (let i = 0; i < 32; i++) expect(p.xt[1][i]).toBeCloseTo((p.x0[i] + p.x1[i]) / 2, 5);
  });

  it('startSweep, cancelRun, resumeRun, compareRuns and deleteRun manage a sweep', async () => {
    await ok(t.server, 'setSettings', { concurrency: 1 });
    const runs = await ok<RunView[]>(t.server, 'startSweep', {
      config: tinyConfig({ steps: 1_000_000 }),
      grid: { lr: [0.001, 0.002] },
      experiment: 'http-sweep',
    });
    expect(runs.map((r) => r.config.lr)).toEqual([0.001, 0.002]);
    const [S1, S2] = runs;
    // one slot: the second waits in the queue, and cancelling it is immediate
    expect((await ok<RunView>(t.server, 'cancelRun', { run: S2.id })).status).toBe('cancelled');
    expect((await ok<RunView>(t.server, 'resumeRun', { run: S2.id })).status).toBe('queued');
    expect((await ok<RunView>(t.server, 'cancelRun', { run: S2.id })).status).toBe('cancelled');
    const c1 = await ok<RunView>(t.server, 'cancelRun', { run: S1.id });
    expect(c1.status).toBe('cancelled');
    const cmp = await ok(t.server, 'compareRuns', { runs: [S1.id, S2.id], points: 10 });
    expect(cmp.differing).toEqual(['lr']);
    expect(cmp.curves.map((c: { run: number }) => c.run)).toEqual([S1.id, S2.id]);
    expect(await ok(t.server, 'deleteRun', { run: S2.id })).toEqual({ deleted: S2.id });
    expect((await call(t.server, 'getRun', { run: S2.id })).status).toBe(404);
  });

  it('a second resume of a completed run is a 409 conflict with the reason', async () => {
    const a = await call(t.server, 'resumeRun', { run: A.id });
    expect(a.status).toBe(409);
    expect(a.body.error).toMatchObject({ code: 'conflict', field: 'run' });
    expect(a.body.error.message).toMatch(/completed/);
  });

  it('bad input is a 400 naming the field, an unknown run a 404', async () => {
    const bad = await call(t.server, 'sampleRun', { run: A.id, n: -5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', field: 'n' });
    const missing = await call(t.server, 'getRun', { run: 987654 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('the database file is sound after all of it', () => {
    expect(t.store.integrityCheck()).toBe('ok');
  });
});
