/**
 * How the run manager starts a worker process, behind one small interface so
 * that Electron can plug in utilityProcess.fork (its exit event has no signal;
 * pass null) while Node uses child_process.fork with 'advanced' serialisation
 * (structured clone: Float32Arrays cross as they are, not as JSON lists).
 *
 * The worker is the compiled worker.js next to this module. When this module is
 * itself loaded from TypeScript source (tests run by vitest), the build's copy
 * in dist/ is used, since a worker process runs plain JavaScript.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CfmError } from '../errors.js';
import type { HostMessage } from './workerProtocol.js';

export type WorkerRole = 'trainer' | 'compute';

export interface WorkerHandle {
  readonly pid: number | undefined;
  /** Dropped silently once the worker has gone (its exit is reported instead). */
  send(message: HostMessage): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  /** Fires once, after every message the worker sent has been delivered. */
  on(event: 'exit', listener: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

export interface WorkerSpawner {
  spawn(role: WorkerRole): WorkerHandle;
}

/** Absolute path of the worker entry point (compiled JavaScript). */
export function workerEntryPath(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = fileURLToPath(new URL('../../dist/app/runs/worker.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new CfmError('internal', `worker: ${here} is missing; build the project first (npm run build)`);
}

/** How long to wait, after a worker exits, for its last messages still in the pipe. */
const DRAIN_MS = 2000;

export function nodeWorkerSpawner(entry: string = workerEntryPath()): WorkerSpawner {
  return {
    spawn(role) {
      const child = fork(entry, [role], {
        serialization: 'advanced',
        // The worker is plain JavaScript: none of the host's loader flags (vitest, tsx) apply.
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // TensorFlow claims nearly all GPU memory per process by default: with several trainers on one
        // GPU the second would fail. Growing on demand lets them share it (the user's setting wins).
        env: { ...process.env, TF_FORCE_GPU_ALLOW_GROWTH: process.env.TF_FORCE_GPU_ALLOW_GROWTH ?? 'true' },
      });
      const onExit: ((code: number | null, signal: string | null) => void)[] = [];
      let reported = false;
      const report = (code: number | null, signal: string | null) => {
        if (reported) return;
        reported = true;
        for (const l of onExit) l(code, signal);
      };
      child.on('exit', (code, signal) => {
        // 'exit' can come before the IPC pipe is drained; wait for it to close.
        if (!child.connected) return report(code, signal);
        const timer = setTimeout(() => report(code, signal), DRAIN_MS);
        child.once('disconnect', () => {
          clearTimeout(timer);
          report(code, signal);
        });
      });
      // Failing to start (or to be signalled): without a pid it never ran.
      child.on('error', () => {
        if (child.pid === undefined) report(null, null);
      });
      return {
        get pid() {
          return child.pid;
        },
        send(message) {
          if (child.connected) child.send(message, undefined, {}, () => undefined);
        },
        on(event: 'message' | 'exit', listener: (...args: never[]) => void) {
          if (event === 'message') child.on('message', listener as (m: unknown) => void);
          else onExit.push(listener as (code: number | null, signal: string | null) => void);
        },
        kill(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
      };
    },
  };
}
