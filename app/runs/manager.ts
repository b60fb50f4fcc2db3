/**
 * The run manager: a FIFO queue of training runs, at most `concurrency` of them
 * training at once, each in its own worker process, plus one long-lived compute
 * worker for sampling, evaluation and grids. The host only routes messages and
 * writes a few status changes; it never loads tfjs, so it stays responsive.
 *
 * Who writes a run's status:
 *   queued               the manager (enqueue, resume)
 *   running, completed,  the trainer (executeRun in the worker)
 *   failed, cancelled
 *   cancelled (queued)   the manager, at once
 *   interrupted          the manager, when a trainer exits without finishing
 *                        (SIGKILL, out of memory, a CUDA abort), and at start for
 *                        runs a previous host left 'running' with no live process
 *
 * Cancel writes a request to the database (so any trainer, in any process,
 * stops at its next metrics flush) and messages the worker; the trainer
 * checkpoints first. Every status change, progress tick and snapshot of a hosted
 * run reaches every subscriber.
 *
 *   const manager = createRunManager({ store });
 *   manager.subscribe((e) => console.log(e));
 *   manager.enqueue(run.id);
 *   await manager.idle();
 *   await manager.close();
 */
import os from 'node:os';
import type { ApiError, RunStatus, StatusEvent, WorkbenchEvent } from '../contract.js';
import { CfmError } from '../errors.js';
import type { Store } from '../store/interface.js';
import type { ComputeJobs, ComputeKind, RunManager } from './managerTypes.js';
import { nodeWorkerSpawner, type WorkerHandle, type WorkerSpawner } from './spawner.js';
import {
  DEFAULT_SNAPSHOT,
  JOB_RESULT_SCHEMAS,
  WorkerMessageSchema,
  type JobKind,
  type SnapshotSettings,
  type WorkerMemory,
  type WorkerMessage,
} from './workerProtocol.js';

export interface RunManagerOptions {
  /** The host's store; workers open the same file (store.path). */
  store: Store;
  /** tfjs backend for the workers; default: CFM_BACKEND, else the best available. */
  backend?: string;
  /** Runs training at once; default os.availableParallelism(), at least 1. */
  concurrency?: number;
  /** Default: child_process.fork of dist/app/runs/worker.js. */
  spawner?: WorkerSpawner;
  /** Steps between snapshots for every run; default per run max(100, steps / 50). */
  snapshotEvery?: number;
  snapshot?: Partial<SnapshotSettings>;
  /** Mark runs left 'running' by a host that is gone as 'interrupted' at start (default true). */
  recoverStale?: boolean;
  /** How long close() waits for a trainer to checkpoint before killing it (default 60 s). */
  closeTimeoutMs?: number;
}

interface TrainerSlot {
  readonly runId: number;
  readonly handle: WorkerHandle;
  /** Set once the worker said how training ended ('done' or 'failed'). */
  ended: boolean;
  readonly exited: Promise<void>;
  killTimer?: NodeJS.Timeout;
}

interface Job {
  readonly id: number;
  readonly kind: JobKind;
  readonly params: unknown;
  resolve(value: unknown): void;
  reject(error: CfmError): void;
}

interface ComputeWorker {
  readonly handle: WorkerHandle;
  /** Why it could not start, if it said so before exiting. */
  startError: ApiError | null;
  readonly exited: Promise<void>;
}

/** How long a worker may take to exit after being told to (then it is killed). */
const SHUTDOWN_GRACE_MS = 10_000;

/** True when a process with this id exists (EPERM: it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function defaultConcurrency(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export function createRunManager(o: RunManagerOptions): ProcessRunManager {
  return new ProcessRunManager(o);
}

/** The same, by the name the service and server code use. */
export const createManager = createRunManager;

const fromApiError = (e: ApiError): CfmError => new CfmError(e.code, e.message, e.field);

function checkConcurrency(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new CfmError('invalid_input', `concurrency: ${n} is not a whole number >= 1; give how many runs may train at once`, 'concurrency');
  }
  return n;
}

export class ProcessRunManager implements RunManager {
  /** Runs found 'running' at start whose trainer was gone, now 'interrupted'. */
  readonly recovered: readonly number[];
  private readonly store: Store;
  private readonly db: string;
  private readonly backend: string | undefined;
  private readonly spawner: WorkerSpawner;
  private readonly snapshotEvery: number | undefined;
  private readonly snapshot: SnapshotSettings;
  private readonly closeTimeoutMs: number;
  private limit: number;
  private readonly queue: number[] = [];
  /** The trainer of each run being trained (or ending). */
  private readonly trainers = new Map<number, TrainerSlot>();
  /** Every trainer process still alive, including one replaced by a quick resume of its run. */
  private readonly alive = new Set<TrainerSlot>();
  private readonly listeners = new Set<(event: WorkbenchEvent) => void>();
  private idleWaiters: (() => void)[] = [];
  private closing: Promise<void> | null = null;
  private readonly jobs: Job[] = [];
  private currentJob: Job | null = null;
  private computeWorker: ComputeWorker | null = null;
  private nextJobId = 1;

  constructor(o: RunManagerOptions) {
    if (o.store.path === ':memory:') {
      throw new CfmError('invalid_input', 'database: workers share the database file; an in-memory store cannot be shared, open a file', 'database');
    }
    this.store = o.store;
    this.db = o.store.path;
    this.backend = o.backend;
    this.spawner = o.spawner ?? nodeWorkerSpawner();
    this.limit = checkConcurrency(o.concurrency ?? defaultConcurrency());
    if (o.snapshotEvery !== undefined && (!Number.isSafeInteger(o.snapshotEvery) || o.snapshotEvery < 1)) {
      throw new CfmError('invalid_input', `snapshotEvery: ${o.snapshotEvery} is not a whole number >= 1`, 'snapshotEvery');
    }
    this.snapshotEvery = o.snapshotEvery;
    this.snapshot = { ...DEFAULT_SNAPSHOT, ...o.snapshot };
    this.closeTimeoutMs = o.closeTimeoutMs ?? 60_000;
    this.recovered = o.recoverStale === false ? [] : this.store.markStaleRunning(isProcessAlive);
  }

  // ---------------------------------------------------------------- queue

  get concurrency(): number {
    return this.limit;
  }

  setConcurrency(n: number): void {
    this.limit = checkConcurrency(n);
    this.pump();
  }

  /** Ids waiting for a slot, in starting order. */
  get queued(): readonly number[] {
    return [...this.queue];
  }

  /** Ids with a trainer process (starting, training or checkpointing). */
  get running(): readonly number[] {
    return [...this.trainers.keys()];
  }

  enqueue(runId: number): void {
    this.requireOpen();
    const run = this.store.getRun(runId);
    if (this.queue.includes(run.id)) throw new CfmError('conflict', `run ${run.id} (${run.name}) is already queued`, 'run');
    const slot = this.trainers.get(run.id);
    // A trainer that has reported its end may still be exiting: the run can be queued again already.
    if ((slot && !slot.ended) || run.status === 'running') {
      throw new CfmError('conflict', `run ${run.id} (${run.name}) is already running; cancel it first`, 'run');
    }
    if (run.status === 'completed') {
      throw new CfmError('conflict', `run ${run.id} (${run.name}) is already completed; start a new run to train more`, 'run');
    }
    const updated = this.store.updateRun(run.id, { status: 'queued', error: null, finishedAt: null, pid: null });
    this.queue.push(run.id);
    this.emitStatus(run.id, 'queued', updated.step, null);
    this.pump();
  }

  resume(runId: number): void {
    this.enqueue(runId);
  }

  async cancel(runId: number): Promise<void> {
    const run = this.store.getRun(runId);
    const slot = this.trainers.get(run.id);
    if (slot && !slot.ended) {
      this.store.requestCancel(run.id);
      slot.handle.send({ type: 'cancel' });
      return slot.exited;
    }
    const queuedHere = this.queue.indexOf(run.id);
    if (queuedHere >= 0) this.queue.splice(queuedHere, 1);
    if (run.status === 'queued') {
      // Not started anywhere yet (another host skips runs no longer queued).
      const updated = this.store.updateRun(run.id, { status: 'cancelled', finishedAt: Date.now(), pid: null });
      this.emitStatus(run.id, 'cancelled', updated.step, null);
      this.checkIdle();
      return;
    }
    if (run.status === 'running') {
      // Trained by another process (a foreground `cfm train`, another host): it polls the request.
      this.store.requestCancel(run.id);
      return;
    }
    throw new CfmError('conflict', `run ${run.id} (${run.name}) is ${run.status}; only queued or running runs can be cancelled`, 'run');
  }

  subscribe(listener: (event: WorkbenchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.alive.size === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private requireOpen(): void {
    if (this.closing) throw new CfmError('conflict', 'the run manager is closed; start a new one', 'manager');
  }

  private emit(event: WorkbenchEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // One subscriber's failure must not starve the others or the manager.
      }
    }
  }

  private emitStatus(run: number, status: RunStatus, step: number, error: string | null): void {
    const event: StatusEvent = { type: 'status', run, status, step, error };
    this.emit(event);
  }

  /** Reports the status the database holds for a run (after its trainer ended). */
  private emitStoredStatus(runId: number): void {
    const run = this.store.findRun(runId);
    if (run) this.emitStatus(run.id, run.status, run.step, run.error);
  }

  private pump(): void {
    while (!this.closing && this.trainers.size < this.limit && this.queue.length > 0) {
      this.startTrainer(this.queue.shift()!);
    }
    this.checkIdle();
  }

  // ---------------------------------------------------------------- trainers

  private startTrainer(runId: number): void {
    const run = this.store.findRun(runId);
    // Deleted, or cancelled or started by another process while it waited here.
    if (!run || run.status !== 'queued') return;
    if (this.store.cancelRequested(runId)) {
      const updated = this.store.updateRun(runId, { status: 'cancelled', finishedAt: Date.now(), pid: null });
      this.emitStatus(runId, 'cancelled', updated.step, null);
      return;
    }
    let handle: WorkerHandle;
    try {
      handle = this.spawner.spawn('trainer');
    } catch (e) {
      const message = `could not start a trainer process: ${e instanceof Error ? e.message : String(e)}`;
      const updated = this.store.updateRun(runId, { status: 'failed', error: message, finishedAt: Date.now() });
      this.emitStatus(runId, 'failed', updated.step, message);
      return;
    }
    let exitedResolve!: () => void;
    const slot: TrainerSlot = { runId, handle, ended: false, exited: new Promise((r) => (exitedResolve = r)) };
    this.trainers.set(runId, slot);
    this.alive.add(slot);
    handle.on('message', (raw) => {
      const m = this.parse(raw, 'trainer');
      if (m) this.onTrainerMessage(slot, m);
    });
    handle.on('exit', (code, signal) => {
      clearTimeout(slot.killTimer);
      this.alive.delete(slot);
      if (this.trainers.get(runId) === slot) this.trainers.delete(runId);
      if (!slot.ended) this.onTrainerLost(slot, code, signal);
      exitedResolve();
      this.pump();
    });
    handle.send({ type: 'init', db: this.db, ...(this.backend ? { backend: this.backend } : {}) });
    handle.send({
      type: 'train',
      runId,
      ...(this.snapshotEvery !== undefined ? { snapshotEvery: this.snapshotEvery } : {}),
      snapshot: this.snapshot,
    });
  }

  private onTrainerMessage(slot: TrainerSlot, m: WorkerMessage): void {
    switch (m.type) {
      case 'started':
        this.emitStatus(slot.runId, 'running', m.step, null);
        return;
      case 'progress':
      case 'snapshot':
        this.emit({ ...m.event, run: slot.runId });
        return;
      case 'done':
        slot.ended = true;
        this.emitStatus(slot.runId, m.status, m.step, m.error);
        this.dismiss(slot);
        return;
      case 'failed':
        slot.ended = true;
        this.onTrainerFailed(slot, m.error);
        this.dismiss(slot);
        return;
      default:
        return;
    }
  }

  /** The worker could not start or train: executeRun has marked a run that began 'failed'; mark one that never began. */
  private onTrainerFailed(slot: TrainerSlot, error: ApiError): void {
    const run = this.store.findRun(slot.runId);
    if (!run) return;
    // 'conflict': the worker found the run claimed elsewhere or no longer queued; it is not this worker's to fail.
    if (error.code !== 'conflict' && (run.status === 'queued' || run.status === 'running')) {
      const updated = this.store.updateRun(run.id, { status: 'failed', error: error.message, pid: null, finishedAt: Date.now() });
      this.emitStatus(run.id, 'failed', updated.step, error.message);
    } else {
      this.emitStoredStatus(run.id);
    }
  }

  /** The trainer exited before saying how training ended: SIGKILL, OOM, a native crash. */
  private onTrainerLost(slot: TrainerSlot, code: number | null, signal: string | null): void {
    const run = this.store.findRun(slot.runId);
    if (!run) return;
    if (run.status !== 'running' && run.status !== 'queued') {
      // It finished (the database says how) but its last message was lost.
      this.emitStoredStatus(run.id);
      return;
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
    const checkpoint = this.store.latestCheckpoint(run.id);
    const error = `trainer process ${slot.handle.pid ?? '?'} ${how}; ${checkpoint ? `resume continues from step ${checkpoint.step}` : 'no checkpoint yet, resume starts over'}`;
    const updated = this.store.updateRun(run.id, { status: 'interrupted', pid: null, error });
    this.emitStatus(run.id, 'interrupted', updated.step, error);
  }

  /** Asks a finished worker to exit; kills it if it does not. */
  private dismiss(slot: TrainerSlot): void {
    slot.handle.send({ type: 'shutdown' });
    slot.killTimer = setTimeout(() => slot.handle.kill('SIGKILL'), SHUTDOWN_GRACE_MS);
    slot.killTimer.unref();
  }

  private parse(raw: unknown, who: string): WorkerMessage | null {
    const r = WorkerMessageSchema.safeParse(raw);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    process.stderr.write(`cfm: ignored a malformed message from a ${who} worker (${issue.path.join('.') || 'message'}: ${issue.message})\n`);
    return null;
  }

  // ---------------------------------------------------------------- compute

  compute<K extends ComputeKind>(kind: K, params: ComputeJobs[K]['params']): Promise<ComputeJobs[K]['result']> {
    return this.submit(kind, params) as Promise<ComputeJobs[K]['result']>;
  }

  /** tfjs's live tensors and bytes in the compute worker (a leak check). */
  workerMemory(): Promise<WorkerMemory> {
    return this.submit('memory', {}) as Promise<WorkerMemory>;
  }

  private submit(kind: JobKind, params: unknown): Promise<unknown> {
    this.requireOpen();
    return new Promise((resolve, reject) => {
      this.jobs.push({ id: this.nextJobId++, kind, params, resolve, reject });
      this.pumpJobs();
    });
  }

  private pumpJobs(): void {
    if (this.currentJob || this.jobs.length === 0 || this.closing) return;
    let worker = this.computeWorker;
    if (!worker) {
      try {
        worker = this.startComputeWorker();
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        for (const job of this.jobs.splice(0)) job.reject(new CfmError('internal', `${job.kind}: could not start the compute process: ${message}`));
        return;
      }
    }
    const job = this.jobs.shift()!;
    this.currentJob = job;
    worker.handle.send({ type: 'job', id: job.id, kind: job.kind, params: job.params });
  }

  private startComputeWorker(): ComputeWorker {
    const handle = this.spawner.spawn('compute');
    let exitedResolve!: () => void;
    const worker: ComputeWorker = { handle, startError: null, exited: new Promise((r) => (exitedResolve = r)) };
    this.computeWorker = worker;
    handle.on('message', (raw) => {
      const m = this.parse(raw, 'compute');
      if (!m) return;
      if (m.type === 'failed' && m.id === null) {
        worker.startError = m.error;
        return;
      }
      if ((m.type !== 'result' && m.type !== 'failed') || !this.currentJob || this.currentJob.id !== m.id) return;
      const job = this.currentJob;
      this.currentJob = null;
      if (m.type === 'failed') job.reject(fromApiError(m.error));
      else this.settle(job, m.value);
      this.pumpJobs();
    });
    handle.on('exit', (code, signal) => {
      if (this.computeWorker === worker) this.computeWorker = null;
      const job = this.currentJob;
      this.currentJob = null;
      if (job) {
        if (worker.startError) job.reject(fromApiError(worker.startError));
        else if (this.closing) job.reject(new CfmError('cancelled', `${job.kind}: the run manager closed before the job finished`));
        else {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
          job.reject(new CfmError('internal', `${job.kind}: the compute process ${how} before the job finished (out of memory?); run it again`));
        }
      }
      exitedResolve();
      this.pumpJobs();
    });
    handle.send({ type: 'init', db: this.db, ...(this.backend ? { backend: this.backend } : {}) });
    return worker;
  }

  private settle(job: Job, value: unknown): void {
    const r = JOB_RESULT_SCHEMAS[job.kind].safeParse(value);
    if (r.success) job.resolve(r.data);
    else {
      const issue = r.error.issues[0];
      job.reject(new CfmError('internal', `${job.kind}: the compute process returned a malformed result (${issue.path.join('.')}: ${issue.message})`));
    }
  }

  // ---------------------------------------------------------------- close

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Queued runs stay 'queued' in the database; a later host may enqueue them again.
    this.queue.splice(0);
    for (const job of this.jobs.splice(0)) job.reject(new CfmError('cancelled', `${job.kind}: the run manager closed before the job ran`));
    const waits: Promise<void>[] = [];
    for (const slot of this.alive) {
      if (!slot.ended) {
        try {
          this.store.requestCancel(slot.runId);
        } catch {
          // the message below still stops it
        }
        slot.handle.send({ type: 'cancel' });
      }
      waits.push(withTimeout(slot.exited, this.closeTimeoutMs, () => slot.handle.kill('SIGKILL')));
    }
    const compute = this.computeWorker;
    if (compute) {
      compute.handle.send({ type: 'shutdown' });
      waits.push(withTimeout(compute.exited, SHUTDOWN_GRACE_MS, () => compute.handle.kill('SIGKILL')));
    }
    await Promise.all(waits);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** Waits for p; after ms runs onTimeout (a kill) and keeps waiting for p. */
async function withTimeout(p: Promise<void>, ms: number, onTimeout: () => void): Promise<void> {
  const timer = setTimeout(onTimeout, ms);
  try {
    await p;
  } finally {
    clearTimeout(timer);
  }
}
