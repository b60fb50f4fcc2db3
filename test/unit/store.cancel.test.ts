/**
 * Cancel requests in the shared file: recorded only for runs that are queued or
 * running, seen by every connection (any process), and gone once the run ends
 * however it ends, so a later resume is never cancelled by an old request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type NewRun, type RunStatus, type Store } from '../../app/store/index.js';

let dir: string;
let store: Store;
let other: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cfm-store-cancel-'));
  store = openStore(path.join(dir, 'w.sqlite'));
  other = openStore(path.join(dir, 'w.sqlite'));
});
afterEach(() => {
  store.close();
  other.close();
  rmSync(dir, { recursive: true, force: true });
});

const base: NewRun = { experimentName: 'e', config: { method: 'icfm' }, seed: 1, backend: 'wasm', totalSteps: 10 };

describe('cancel requests', () => {
  it('a request made through one connection is seen through another (another process)', () => {
    const run = store.createRun(base);
    store.updateRun(run.id, { status: 'running', pid: 123 });
    expect(other.cancelRequested(run.id)).toBe(false);
    expect(store.requestCancel(run.id)).toBe(true);
    expect(store.requestCancel(run.id)).toBe(true);
    expect(other.cancelRequested(run.id)).toBe(true);
  });

  it('is recorded only for queued or running runs', () => {
    for (const status of ['completed', 'failed', 'cancelled', 'interrupted'] as RunStatus[]) {
      const run = store.createRun(base);
      store.updateRun(run.id, { status });
      expect(store.requestCancel(run.id)).toBe(false);
      expect(store.cancelRequested(run.id)).toBe(false);
    }
    const queued = store.createRun(base);
    expect(store.requestCancel(queued.id)).toBe(true);
    expect(() => store.requestCancel(99_999)).toThrow(/no such run|does not exist|not found/i);
  });

  it('lasts while the run starts, and is cleared once it ends, whatever the end', () => {
    for (const end of ['completed', 'failed', 'cancelled', 'interrupted'] as RunStatus[]) {
      const run = store.createRun(base);
      store.requestCancel(run.id);
      // Waiting to start, then starting: a request made while queued must still be honoured.
      store.updateRun(run.id, { status: 'running', pid: 1 });
      store.updateRun(run.id, { step: 3 });
      expect(store.cancelRequested(run.id)).toBe(true);
      store.updateRun(run.id, { status: end });
      expect(store.cancelRequested(run.id)).toBe(false);
    }
  });

  it('is cleared when a dead trainer\'s run is marked interrupted, and goes with a deleted run', () => {
    const run = store.createRun(base);
    store.updateRun(run.id, { status: 'running', pid: 42 });
    store.requestCancel(run.id);
    expect(store.markStaleRunning(() => false)).toEqual([run.id]);
    expect(store.cancelRequested(run.id)).toBe(false);

    const doomed = store.createRun(base);
    store.requestCancel(doomed.id);
    store.deleteRun(doomed.id);
    expect(store.integrityCheck()).toBe('ok');
  });
});

describe('claiming a run', () => {
  it('transitionRun is a compare-and-set: of two processes claiming a queued run, one wins', () => {
    const run = store.createRun(base);
    const first = store.transitionRun(run.id, ['queued'], { status: 'running', pid: 111 });
    const second = other.transitionRun(run.id, ['queued'], { status: 'running', pid: 222 });
    expect(first?.status).toBe('running');
    expect(second).toBeUndefined();
    expect(other.getRun(run.id).pid).toBe(111);
    expect(() => store.transitionRun(9999, ['queued'], { status: 'running' })).toThrow(/9999/);
  });
});
