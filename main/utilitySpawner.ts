/**
 * Trainer and compute workers as Electron utility processes
 * (utilityProcess.fork): Chromium's own child-process model, so a trainer
 * that crashes (CUDA, out of memory) takes only itself down, and the app
 * reports its processes under a readable name ("CFM trainer").
 *
 * It maps a UtilityProcess onto the run manager's WorkerHandle
 * (app/runs/spawner.ts):
 *   send(m)        -> postMessage(m)  (structured clone: Float32Arrays intact),
 *                     dropped once the process has exited
 *   'message'      <- 'message'       (the worker posts with process.parentPort)
 *   'exit'         <- 'exit' (code); signal is always null (Electron reports none).
 *                     Reported DRAIN_MS after the process ends, because exit and
 *                     messages travel on different channels and the manager
 *                     wants the worker's last messages first.
 *   kill()         -> kill() (SIGTERM on POSIX: the worker checkpoints and stops);
 *   kill('SIGKILL')-> process.kill(pid, 'SIGKILL') (kill() alone cannot force it)
 *
 * The worker is the same compiled file child_process uses
 * (dist/app/runs/worker.js, an ES module); it runs in the utility process's
 * Node, finds process.parentPort and talks through it.
 *
 *   createManager({ store, spawner: utilityProcessSpawner((p, a, o) => utilityProcess.fork(p, a, o)) });
 */
import { workerEntryPath, type WorkerHandle, type WorkerRole, type WorkerSpawner } from '../app/runs/spawner.js';

/** What the spawner uses of Electron's UtilityProcess. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/** The options it passes to utilityProcess.fork (a subset of Electron's ForkOptions). */
export interface UtilityForkOptions {
  serviceName: string;
  env: Record<string, string | undefined>;
  stdio: 'inherit';
}

export type UtilityFork = (modulePath: string, args: string[], options: UtilityForkOptions) => UtilityProcessLike;

/** How long after a worker's exit its last messages may still arrive. */
export const DRAIN_MS = 250;

/** The environment of a worker: the app's, with TensorFlow told to share the GPU (as nodeWorkerSpawner does). */
export function workerEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return { ...env, TF_FORCE_GPU_ALLOW_GROWTH: env.TF_FORCE_GPU_ALLOW_GROWTH ?? 'true' };
}

export function utilityProcessSpawner(fork: UtilityFork, entry: string = workerEntryPath(), drainMs = DRAIN_MS): WorkerSpawner {
  return {
    spawn(role: WorkerRole): WorkerHandle {
      const child = fork(entry, [role], { serviceName: `CFM ${role}`, env: workerEnv(), stdio: 'inherit' });
      let exited = false;
      const onExit: ((code: number | null, signal: string | null) => void)[] = [];
      child.on('exit', (code) => {
        exited = true;
        setTimeout(() => {
          for (const l of onExit) l(code, null);
        }, drainMs);
      });
      return {
        get pid() {
          return child.pid;
        },
        send(message) {
          if (!exited) child.postMessage(message);
        },
        on(event: 'message' | 'exit', listener: (...args: never[]) => void) {
          if (event === 'message') child.on('message', listener as (m: unknown) => void);
          else onExit.push(listener as (code: number | null, signal: string | null) => void);
        },
        kill(signal = 'SIGTERM') {
          if (exited) return;
          const pid = child.pid;
          if (signal === 'SIGKILL' && pid !== undefined) {
            try {
              process.kill(pid, 'SIGKILL');
              return;
            } catch {
              // gone already, or not ours: fall back to the polite way
            }
          }
          child.kill();
        },
      };
    },
  };
}
