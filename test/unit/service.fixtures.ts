/**
 * For the service's unit tests: a real SQLite store in a temp folder, and a
 * tiny RunManager that trains nothing but records what the service asked of
 * it (enqueue, cancel, resume, compute) and moves run statuses as the real one
 * would. Only the service's own logic is tested with it; the real manager is
 * exercised in test/integration/service.runs.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkbenchEvent } from '../../app/contract.js';
import type { ComputeJobs, ComputeKind, RunManager } from '../../app/runs/managerTypes.js';
import { openStore } from '../../app/store/index.js';
import type { Store } from '../../app/store/interface.js';
import { createService, toApiError, type Service } from '../../app/service.js';

export interface RecordingManager extends RunManager {
  calls: { op: string; arg?: unknown }[];
  listeners: Set<(e: WorkbenchEvent) => void>;
  /** What compute returns, per kind. */
  results: Partial<{ [K in ComputeKind]: ComputeJobs[K]['result'] }>;
  closed: number;
}

export function recordingManager(store: Store): RecordingManager {
  let concurrency = 2;
  const m: RecordingManager = {
    calls: [],
    listeners: new Set(),
    results: { info: { name: 'wasm', description: 'WebAssembly (SIMD, single thread)' } },
    closed: 0,
    enqueue(runId) {
      m.calls.push({ op: 'enqueue', arg: runId });
      store.updateRun(runId, { status: 'queued' });
    },
    async cancel(runId) {
      m.calls.push({ op: 'cancel', arg: runId });
      store.updateRun(runId, { status: 'cancelled' });
    },
    resume(runId) {
      m.calls.push({ op: 'resume', arg: runId });
      store.updateRun(runId, { status: 'queued' });
    },
    get concurrency() {
      return concurrency;
    },
    setConcurrency(n) {
      m.calls.push({ op: 'setConcurrency', arg: n });
      concurrency = n;
    },
    subscribe(listener) {
      m.listeners.add(listener);
      return () => m.listeners.delete(listener);
    },
    async compute<K extends ComputeKind>(kind: K, params: ComputeJobs[K]['params']) {
      m.calls.push({ op: `compute:${kind}`, arg: params });
      const r = m.results[kind];
      if (!r) throw new Error(`no canned result for ${kind}`);
      return r as ComputeJobs[K]['result'];
    },
    async idle() {},
    async close() {
      m.closed++;
    },
  };
  return m;
}

export interface Fixture {
  dir: string;
  store: Store;
  manager: RecordingManager;
  service: Service;
  internalErrors: unknown[];
  cleanup(): void;
}

export function makeFixture(): Fixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'cfm-service-'));
  const store = openStore(path.join(dir, 'cfm.db'));
  const manager = recordingManager(store);
  const internalErrors: unknown[] = [];
  const service = createService({ store, manager, version: '9.9.9', onInternalError: (e) => internalErrors.push(e) });
  return {
    dir,
    store,
    manager,
    service,
    internalErrors,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The ApiError a call fails with (fails the test when it succeeds). */
export async function apiError(p: Promise<unknown>): Promise<{ code: string; field?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return toApiError(e);
  }
  throw new Error('expected the call to fail, but it succeeded');
}
