/**
 * The worker process's entry point (child_process.fork here, Electron's
 * utilityProcess.fork later: both deliver structured-clone messages). One
 * process has one role, set by what the host sends after `init`:
 *
 * - trainer: `train` runs executeRun on the shared database file (metrics,
 *   checkpoints and status are written from here), posting progress (at most
 *   every 100 ms), snapshots and the outcome; `cancel` checkpoints and stops.
 * - compute: `job` messages run one at a time, in arrival order (compute.ts).
 *
 * Stopping: Ctrl-C in a terminal reaches the whole process group, so SIGINT is
 * ignored here and the host decides. SIGTERM, or the host going away (the IPC
 * channel closes), makes a trainer checkpoint and stop; its run is then marked
 * 'interrupted' (resumable, and not something the user asked for). Errors go to
 * the host as { code, field, message }; nothing here prints a stack trace.
 */
import { initBackend, type BackendInfo } from '../engine/backend.js';
import { parseRunConfig } from '../engine/train/config.js';
import { openStore, type Store } from '../store/index.js';
import { runComputeJob } from './compute.js';
import { executeRun } from './execute.js';
import { snapshotter, type Snapshotter } from './snapshot.js';
import { toApiError, type HostMessage, type WorkerMessage } from './workerProtocol.js';

interface ParentPort {
  /** Resolves once the message is handed to the channel (so exiting after it loses nothing). */
  post(message: WorkerMessage): Promise<void>;
  onMessage(listener: (message: HostMessage) => void): void;
  onDisconnect(listener: () => void): void;
}

/** Electron's utilityProcess gives process.parentPort; child_process.fork gives process.send. */
function parentPort(): ParentPort {
  const electron = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) {
    return {
      post: async (m) => electron.postMessage(m),
      onMessage: (l) => electron.on('message', (e) => l(e.data as HostMessage)),
      onDisconnect: () => undefined,
    };
  }
  if (!process.send) {
    process.stderr.write('cfm worker: start me through the run manager (no IPC channel)\n');
    process.exit(2);
  }
  return {
    post: (m) =>
      new Promise<void>((resolve) => {
        // A host that went away cannot be told; the database already knows.
        if (!process.connected) return resolve();
        process.send!(m, undefined, {}, () => resolve());
      }),
    onMessage: (l) => process.on('message', (m) => l(m as HostMessage)),
    onDisconnect: (l) => process.on('disconnect', l),
  };
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const port = parentPort();
let store: Store | null = null;
let backend: BackendInfo | null = null;
const stop = new AbortController();
/** Why the trainer was stopped when the user did not ask: the run ends 'interrupted'. */
let interruptedBecause: string | null = null;
let training = false;
let chain: Promise<void> = Promise.resolve();

function exit(code: number): never {
  try {
    store?.close();
  } catch {
    // exiting anyway
  }
  process.exit(code);
}

function interrupt(why: string): void {
  interruptedBecause ??= why;
  stop.abort();
  if (!training) exit(0);
}

process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => interrupt('the trainer process was asked to terminate (SIGTERM)'));
port.onDisconnect(() => interrupt('the host process went away'));
const die = (e: unknown) => {
  setTimeout(() => exit(1), 1000).unref();
  void port.post({ type: 'failed', id: null, error: toApiError(e, 'worker') }).finally(() => exit(1));
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

port.onMessage((m) => {
  if (m.type === 'cancel') {
    stop.abort();
    return;
  }
  chain = chain.then(() => handle(m)).catch(die);
});

async function handle(m: HostMessage): Promise<void> {
  switch (m.type) {
    case 'init':
      try {
        store = openStore(m.db);
        backend = await initBackend(m.backend);
        void port.post({ type: 'ready', pid: process.pid, backend: { name: backend.name, description: backend.description } });
      } catch (e) {
        await port.post({ type: 'failed', id: null, error: toApiError(e, 'worker start') });
        exit(1);
      }
      return;
    case 'train':
      return train(m);
    case 'job':
      try {
        const value = await runComputeJob(ready(), m.kind, m.params);
        await port.post({ type: 'result', id: m.id, value });
      } catch (e) {
        await port.post({ type: 'failed', id: m.id, error: toApiError(e, m.kind) });
      }
      return;
    case 'shutdown':
      exit(0);
      break;
    default:
      void port.post({ type: 'failed', id: null, error: { code: 'internal', message: `worker: unknown message ${JSON.stringify(m)}` } });
  }
}

function ready(): Store {
  if (!store || !backend) throw new Error('the worker got work before init');
  return store;
}

async function train(m: Extract<HostMessage, { type: 'train' }>): Promise<void> {
  training = true;
  try {
    const s = ready();
    const run = s.getRun(m.runId);
    // The host queued it; anything else means it was cancelled or started elsewhere meanwhile.
    if (run.status !== 'queued') {
      await port.post({ type: 'failed', id: null, error: { code: 'conflict', field: 'run', message: `run ${run.id} is ${run.status}, not queued; not training it` } });
      return;
    }
    const config = parseRunConfig(run.config);
    let snap: Snapshotter | null = null;
    const summary = await executeRun(s, run.id, backend!, {
      claimFrom: ['queued'],
      signal: stop.signal,
      snapshotEvery: m.snapshotEvery,
      onStart: (step) => void port.post({ type: 'started', runId: run.id, step }),
      onProgress: (p) => {
        const { runId, ...rest } = p;
        void port.post({ type: 'progress', event: { type: 'progress', run: runId, ...rest } });
      },
      onSnapshot: async (step, model) => {
        try {
          snap ??= snapshotter(s, run.id, { dataset: config.dataset, source: config.source }, model.config.dim, config.seed, m.snapshot);
          void port.post({ type: 'snapshot', event: await snap(step, model) });
        } catch {
          // A preview that cannot be drawn never stops the training.
        }
      },
    });
    let { status, error } = { status: summary.status, error: summary.error ?? null };
    if (status === 'cancelled' && interruptedBecause) {
      status = 'interrupted';
      error = `${interruptedBecause}; checkpoint saved at step ${summary.steps}, resume to continue`;
      s.updateRun(run.id, { status, error });
    }
    await port.post({ type: 'done', runId: run.id, status, step: summary.steps, error });
  } catch (e) {
    await port.post({ type: 'failed', id: null, error: toApiError(e, 'train') });
  } finally {
    training = false;
    if (interruptedBecause) exit(0);
  }
}
