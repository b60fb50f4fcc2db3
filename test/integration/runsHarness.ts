/**
 * The run manager as a host uses it, on the build (`npm run build` first): the
 * compiled manager forks the compiled worker, both on a real SQLite file in a
 * temp folder, tfjs on wasm. The spawner is wrapped to observe the processes
 * (role, run, pid, how many are alive at once) without changing what they do,
 * and an event log records everything subscribers receive.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunStatus, WorkbenchEvent } from '../../app/contract.js';
import type { ProcessRunManager } from '../../app/runs/manager.js';
import type { RunManager } from '../../app/runs/managerTypes.js';
import type { WorkerHandle, WorkerRole, WorkerSpawner } from '../../app/runs/spawner.js';
import type { HostMessage } from '../../app/runs/workerProtocol.js';
import type { Store } from '../../app/store/interface.js';
import { makeTempDir, REPO_ROOT } from './cliHarness.js';

export { makeTempDir, readStore, REPO_ROOT, waitFor } from './cliHarness.js';

type StoreModule = typeof import('../../app/store/index.js');
type ManagerModule = typeof import('../../app/runs/manager.js');
type SpawnerModule = typeof import('../../app/runs/spawner.js');
type CreateModule = typeof import('../../app/runs/create.js');

export interface Dist {
  store: StoreModule;
  manager: ManagerModule;
  spawner: SpawnerModule;
  create: CreateModule;
}

async function load<T>(rel: string): Promise<T> {
  const file = path.join(REPO_ROOT, 'dist', rel);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before the integration tests`);
  return (await import(pathToFileURL(file).href)) as T;
}

/** The compiled modules (the worker is forked from the same build). */
export async function loadDist(): Promise<Dist> {
  const [store, manager, spawner, create] = await Promise.all([
    load<StoreModule>('app/store/index.js'),
    load<ManagerModule>('app/runs/manager.js'),
    load<SpawnerModule>('app/runs/spawner.js'),
    load<CreateModule>('app/runs/create.js'),
  ]);
  return { store, manager, spawner, create };
}

/** Keeps training tiny: 16 units, batch 64, independent coupling, no validation batches. */
export const TINY = { dataset: 'moons', method: 'icfm', batch: 64, width: 16, validateEvery: 0 } as const;

export interface SpawnedWorker {
  readonly role: WorkerRole;
  readonly handle: WorkerHandle;
  /** The run a trainer was told to train. */
  runId?: number;
  exited: boolean;
}

/** Wraps a spawner: records every process, and the most trainers alive at once. */
export class RecordingSpawner implements WorkerSpawner {
  readonly spawned: SpawnedWorker[] = [];
  maxLiveTrainers = 0;
  private liveTrainers = 0;

  constructor(private readonly inner: WorkerSpawner) {}

  spawn(role: WorkerRole): WorkerHandle {
    const handle = this.inner.spawn(role);
    const rec: SpawnedWorker = { role, handle, exited: false };
    this.spawned.push(rec);
    if (role === 'trainer') this.maxLiveTrainers = Math.max(this.maxLiveTrainers, ++this.liveTrainers);
    handle.on('exit', () => {
      rec.exited = true;
      if (role === 'trainer') this.liveTrainers--;
    });
    return {
      get pid() {
        return handle.pid;
      },
      send(message: HostMessage) {
        if (message.type === 'train') rec.runId = message.runId;
        handle.send(message);
      },
      on: ((event: 'message' | 'exit', listener: (...args: never[]) => void) => handle.on(event as 'message', listener as (m: unknown) => void)) as WorkerHandle['on'],
      kill: (signal) => handle.kill(signal),
    };
  }

  trainersFor(runId: number): SpawnedWorker[] {
    return this.spawned.filter((s) => s.role === 'trainer' && s.runId === runId);
  }
}

/** Every event the manager emitted, and a way to wait for one. */
export class EventLog {
  readonly events: WorkbenchEvent[] = [];
  private waiters: { pred: (e: WorkbenchEvent) => boolean; resolve: (e: WorkbenchEvent) => void }[] = [];

  constructor(manager: RunManager) {
    manager.subscribe((e) => {
      this.events.push(e);
      for (const w of [...this.waiters]) {
        if (w.pred(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
  }

  /** The first past or future event matching pred. */
  waitFor<E extends WorkbenchEvent>(pred: (e: WorkbenchEvent) => e is E, what: string, timeoutMs?: number): Promise<E>;
  waitFor(pred: (e: WorkbenchEvent) => boolean, what: string, timeoutMs?: number): Promise<WorkbenchEvent>;
  waitFor(pred: (e: WorkbenchEvent) => boolean, what: string, timeoutMs = 60_000): Promise<WorkbenchEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; events so far: ${this.describe()}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  status(run: number, status: RunStatus, timeoutMs?: number): Promise<WorkbenchEvent> {
    return this.waitFor((e) => e.type === 'status' && e.run === run && e.status === status, `run ${run} ${status}`, timeoutMs);
  }

  /** The statuses a run went through, in order. */
  statuses(run: number): RunStatus[] {
    return this.events.flatMap((e) => (e.type === 'status' && e.run === run ? [e.status] : []));
  }

  ofType<T extends WorkbenchEvent['type']>(type: T, run?: number): Extract<WorkbenchEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<WorkbenchEvent, { type: T }> => e.type === type && (run === undefined || e.run === run));
  }

  private describe(): string {
    return this.events
      .filter((e) => e.type === 'status')
      .map((e) => (e.type === 'status' ? `${e.run}:${e.status}` : ''))
      .join(' ');
  }
}

/** A run manager over a fresh database in a temp folder, its processes recorded and its events logged. */
export interface RunsHost {
  dist: Dist;
  /** The temp folder (the database is cfm.db in it). */
  dir: string;
  store: Store;
  spawner: RecordingSpawner;
  manager: ProcessRunManager;
  log: EventLog;
  /** Closes the manager (its workers) and the store, removes the folder. */
  close(): Promise<void>;
}

export async function openRunsHost(label: string, concurrency = 1): Promise<RunsHost> {
  const dist = await loadDist();
  const tmp = makeTempDir(label);
  const store = dist.store.openStore(path.join(tmp.dir, 'cfm.db'));
  const spawner = new RecordingSpawner(dist.spawner.nodeWorkerSpawner());
  const manager = dist.manager.createRunManager({ store, backend: 'wasm', concurrency, spawner });
  const log = new EventLog(manager);
  const close = async (): Promise<void> => {
    await manager.close();
    store.close();
    tmp.remove();
  };
  return { dist, dir: tmp.dir, store, spawner, manager, log, close };
}

/** Steps 1..n, each once: no metric row lost or doubled. */
export function expectStepsOneTo(steps: Float64Array, n: number): boolean {
  if (steps.length !== n) return false;
  for (let i = 0; i < n; i++) if (steps[i] !== i + 1) return false;
  return true;
}
