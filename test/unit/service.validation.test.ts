import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { z } from 'zod';
import { API_METHODS, type ApiMethod } from '../../app/contract.js';
import { CfmError } from '../../app/errors.js';
import { toApiError } from '../../app/service.js';
import { apiError, makeFixture, type Fixture } from './service.fixtures.js';

let fx: Fixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

/** One malformed input per method, and the field the error must name. */
const BAD: Record<ApiMethod, [input: unknown, field: string, message: RegExp][]> = {
  info: [[{ verbose: true }, 'verbose', /unknown field verbose; this method takes no fields/]],
  getSettings: [[{ x: 1 }, 'x', /unknown field/]],
  setSettings: [
    [{ concurrency: 0 }, 'concurrency', />= 1/],
    [{ concurrency: 2.5 }, 'concurrency', /whole number/],
    [{}, 'concurrency', /must be a number \(got nothing\)/],
  ],
  listExperiments: [[{ all: true }, 'all', /unknown field/]],
  listRuns: [
    [{ sort: 'speed' }, 'sort', /"speed" is not allowed; use one of id, name/],
    [{ status: 'done' }, 'status', /use one of queued/],
    [{ where: 'x'.repeat(501) }, 'where', /at most 500 characters/],
    [{ descending: 'yes' }, 'descending', /must be a boolean/],
  ],
  getRun: [
    [{}, 'run', /must be a run id \(a whole number >= 1\) or a run name \(got nothing\)/],
    [{ run: -3 }, 'run', /run id .* or a run name/],
  ],
  renameRun: [[{ run: 1, name: '   ' }, 'name', /must not be empty/]],
  tagRun: [[{ run: 1, tags: 'a,b' }, 'tags', /must be a list/]],
  noteRun: [[{ run: 1, notes: 5 }, 'notes', /must be a string \(got 5\)/]],
  deleteRun: [[{ run: '' }, 'run', /run id .* or a run name/]],
  startRun: [
    [{ config: 'moons' }, 'config', /must be/],
    [{ config: {}, tags: [''] }, 'tags.0', /must not be empty/],
    [{ config: {}, tags: Array(51).fill('t') }, 'tags', /takes at most 50 items/],
  ],
  startSweep: [
    [{ config: {}, grid: { lr: [] }, experiment: 'e' }, 'grid.lr', /needs at least 1 item\b/],
    [{ config: {}, grid: { lr: [{}] }, experiment: 'e' }, 'grid.lr.0', /must be a number or a string or a boolean \(got an object\)/],
    [{ config: {}, grid: { lr: [1] } }, 'experiment', /must be a string \(got nothing\)/],
    [{ config: {}, grid: { lr: [1] }, experiment: 'e', seeds: 0 }, 'seeds', />= 1/],
  ],
  cancelRun: [[{ run: 1.5 }, 'run', /run id .* or a run name/]],
  resumeRun: [[{ id: 1 }, 'id', /unknown field id; this method takes run/]],
  sampleRun: [
    [{ run: 1, n: 0 }, 'n', />= 1/],
    [{ run: 1, solver: 'leapfrog' }, 'solver', /use one of euler, midpoint, heun, rk4, dopri5/],
  ],
  evaluateRun: [[{ run: 1, n: 1 }, 'n', />= 2/]],
  vectorField: [
    [{ run: 1 }, 't', /must be a number/],
    [{ run: 1, t: 2 }, 't', /<= 1/],
  ],
  densityGrid: [[{ run: 1, grid: 1000 }, 'grid', /<= 100/]],
  compareRuns: [
    [{ runs: [] }, 'runs', /needs at least 1 item\b/],
    [{ runs: [1, true] }, 'runs.1', /run id .* or a run name \(got true\)/],
    [{ runs: [1], points: 5 }, 'points', />= 10/],
  ],
  metricSeries: [[{ run: 1, afterStep: -1 }, 'afterStep', />= 0/]],
  listDatasets: [[{ kind: 'builtin' }, 'kind', /unknown field/]],
  previewDataset: [[{ name: 'moons', n: 0 }, 'n', />= 1/]],
  importDataset: [
    [{ name: 'x', fileName: 'x.csv', content: 'a,b\n1,2' }, 'content', /must be a Uint8Array \(got "a,b\\n1,2"\)/],
    [{ name: '-x', fileName: 'x.csv', content: new Uint8Array(1) }, 'name', /letters, digits/],
  ],
  previewPath: [
    [{ dataset: 'moons', method: 'ddpm' }, 'method', /use one of icfm, otcfm/],
    [{ dataset: 'moons', n: 1 }, 'n', />= 2/],
    [{ dataset: 'moons', times: [] }, 'times', /needs at least 1 item\b/],
  ],
};

describe('input validation at the API boundary', () => {
  it('has a malformed-input case for every method of the contract', () => {
    expect(Object.keys(BAD).sort()).toEqual(Object.keys(API_METHODS).sort());
  });

  for (const [method, cases] of Object.entries(BAD) as [ApiMethod, (typeof BAD)[ApiMethod]][]) {
    it(`${method}: a malformed input fails with invalid_input naming the field and the fix`, async () => {
      for (const [input, field, message] of cases) {
        const e = await apiError(fx.service.call(method, input));
        expect(e, JSON.stringify(input)).toMatchObject({ code: 'invalid_input', field });
        expect(e.message, JSON.stringify(input)).toMatch(message);
        expect(e.message.startsWith(`${field}: `), e.message).toBe(true);
        expect(e.message).not.toMatch(/\n/);
      }
      // Not an object at all.
      const e = await apiError(fx.service.call(method, null));
      expect(e).toMatchObject({ code: 'invalid_input', field: 'input' });
      expect(e.message).toMatch(/must be an object/);
    });
  }

  it('the typed methods validate too (untrusted callers may pass anything)', async () => {
    const e = await apiError(fx.service.setSettings({ concurrency: 'many' } as never));
    expect(e).toMatchObject({ code: 'invalid_input', field: 'concurrency' });
    expect(fx.manager.calls).toHaveLength(0);
  });

  it('an unknown method is not_found, naming the methods there are', async () => {
    const e = await apiError(fx.service.call('dropTables' as ApiMethod, {}));
    expect(e).toMatchObject({ code: 'not_found', field: 'method' });
    expect(e.message).toMatch(/listRuns/);
  });

  it('nothing was stored or queued by any rejected input', () => {
    expect(fx.store.listRuns()).toHaveLength(0);
    expect(fx.store.listDatasets()).toHaveLength(0);
    expect(fx.manager.calls).toHaveLength(0);
    expect(fx.internalErrors).toHaveLength(0);
  });
});

describe('toApiError', () => {
  it('keeps a CfmError as it is, on one line', () => {
    expect(toApiError(new CfmError('conflict', 'run: 3 is running;\n  cancel it first', 'run'))).toEqual({
      code: 'conflict',
      field: 'run',
      message: 'run: 3 is running; cancel it first',
    });
    expect(toApiError(new CfmError('database', 'the file is locked'))).toEqual({ code: 'database', message: 'the file is locked' });
  });

  it('turns a zod error into invalid_input with the field path', () => {
    const r = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: 'x' } });
    expect(r.success).toBe(false);
    const e = toApiError(r.error);
    expect(e).toMatchObject({ code: 'invalid_input', field: 'a.b' });
    expect(e.message).toMatch(/^a\.b: must be a number/);
  });

  it('turns anything else into internal with a generic message: no text, path or stack of the original', () => {
    const secret = new Error('ENOENT: /home/alice/secret/cfm.db at Object.openSync (node:fs:573:3)');
    for (const thrown of [secret, 'a string', 42, null, undefined, { message: 'obj' }]) {
      const e = toApiError(thrown);
      expect(e.code).toBe('internal');
      expect(e.field).toBeUndefined();
      expect(e.message).not.toMatch(/alice|ENOENT|node:fs|a string|obj/);
      expect(e.message.length).toBeGreaterThan(10);
    }
  });
});
