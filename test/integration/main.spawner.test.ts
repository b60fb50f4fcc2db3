/**
 * The utilityProcess spawner (main/utilitySpawner.ts) with the real run
 * manager, service, SQLite file and worker. Electron's utilityProcess.fork
 * cannot run here, so a stand-in gives what it gives: a child process whose
 * messages arrive by structured clone, an 'exit' event with a code and no
 * signal, kill() without a signal argument, and on the child's side
 * process.parentPort (postMessage, and 'message' events carrying `data`), which
 * is the path app/runs/worker.ts takes inside Electron.
 */
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../app/contract.js';
import { createManager } from '../../app/runs/manager.js';
import { workerEntryPath, type WorkerHandle } from '../../app/runs/spawner.js';
import { createService } from '../../app/service.js';
import { openStore } from '../../app/store/index.js';
import { utilityProcessSpawner, type UtilityFork, type UtilityForkOptions } from '../../main/utilitySpawner.js';
import { makeTempDir, waitFor } from './cliHarness.js';
import { tinyConfig } from './serverHarness.js';
import { forkUtility, writeUtilityShim } from './utilityHarness.js';

/** A worker that ignores SIGTERM, echoes, and says goodbye just before exiting. */
const STUBBORN = `
process.on('SIGTERM', () => {});
process.parentPort.on('message', (e) => {
  const m = e.data;
  if (m.type === 'echo') process.parentPort.postMessage({ echo: m.value });
  if (m.type === 'bye') { process.parentPort.postMessage({ last: true }); process.exit(3); }
});
setInterval(() => {}, 1000);
`;

interface Forked {
  modulePath: string;
  args: string[];
  options: UtilityForkOptions;
}

let tmp: ReturnType<typeof makeTempDir>;
let shim: string;
let stubborn: string;
const forks: Forked[] = [];

/** utilityProcess.fork as Electron gives it, on child_process (utilityHarness.ts). */
const fakeFork: UtilityFork = (modulePath, args, options) => {
  forks.push({ modulePath, args, options });
  return forkUtility(shim, modulePath, args, options.env);
};

beforeAll(() => {
  tmp = makeTempDir('main-spawner');
  shim = writeUtilityShim(tmp.dir);
  stubborn = path.join(tmp.dir, 'stubborn.mjs');
  writeFileSync(stubborn, STUBBORN);
});
afterAll(() => tmp?.remove());

function exitOf(handle: WorkerHandle, log: string[]): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => handle.on('exit', (code, signal) => {
    log.push('exit');
    resolve({ code, signal });
  }));
}

describe('workers as utility processes', () => {
  it('trains a run and answers compute jobs through utility-process workers, forked with their role, name and environment', async () => {
    const store = openStore(path.join(tmp.dir, 'a.sqlite'));
    const manager = createManager({ store, backend: 'wasm', concurrency: 1, spawner: utilityProcessSpawner(fakeFork) });
    const service = createService({ store, manager, version: 'test' });
    try {
      const run = await service.startRun({ config: tinyConfig({ steps: 40, checkpointEvery: 20 }) });
      const done = await waitFor(async () => {
        const r = await service.getRun({ run: run.id });
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      }, 'the run to finish', 90_000);
      expect(done.status).toBe('completed');
      expect(done.step).toBe(40);
      const info = await service.info({});
      expect(info.backend.name).toBe('wasm');

      const trainer = forks.find((f) => f.args[0] === 'trainer')!;
      const compute = forks.find((f) => f.args[0] === 'compute')!;
      expect(trainer.modulePath).toBe(workerEntryPath());
      expect(trainer.options.serviceName).toBe('CFM trainer');
      expect(compute.options.serviceName).toBe('CFM compute');
      expect(trainer.options.stdio).toBe('inherit');
      expect(trainer.options.env.TF_FORCE_GPU_ALLOW_GROWTH).toBe(process.env.TF_FORCE_GPU_ALLOW_GROWTH ?? 'true');
      expect(trainer.options.env.PATH).toBe(process.env.PATH);
    } finally {
      await service.close();
      store.close();
    }
  });

  it('on close (the app quitting) a running run saves a checkpoint and becomes cancelled, resumable', async () => {
    const store = openStore(path.join(tmp.dir, 'b.sqlite'));
    const manager = createManager({ store, backend: 'wasm', concurrency: 1, spawner: utilityProcessSpawner(fakeFork) });
    const service = createService({ store, manager, version: 'test' });
    let run: RunView;
    try {
      run = await service.startRun({ config: tinyConfig({ steps: 20_000, checkpointEvery: 10_000 }) });
      await waitFor(async () => ((await service.getRun({ run: run.id })).step >= 30 ? true : undefined), 'training past step 30', 90_000);
    } finally {
      await service.close();
    }
    const r = store.getRun(run!.id);
    expect(r.status).toBe('cancelled');
    const checkpoints = store.listCheckpoints(r.id);
    expect(checkpoints.length).toBeGreaterThan(0);
    // The checkpoint is where training stopped, not only the first scheduled one.
    expect(Math.max(...checkpoints.map((c) => c.step))).toBe(r.step);
    expect(r.step).toBeGreaterThanOrEqual(30);
    store.close();
  });

  it('delivers a worker’s last message before its exit, reports the exit code without a signal, and drops sends after it', async () => {
    const handle = utilityProcessSpawner(fakeFork, stubborn).spawn('compute');
    const log: string[] = [];
    const messages: unknown[] = [];
    handle.on('message', (m) => {
      messages.push(m);
      log.push('message');
    });
    const exited = exitOf(handle, log);
    const values = new Float32Array([0.5, -1.25, 3]);
    handle.send({ type: 'echo', value: values } as never);
    await waitFor(() => (messages.length ? true : undefined), 'the echo');
    expect((messages[0] as { echo: Float32Array }).echo).toEqual(values);
    expect((messages[0] as { echo: Float32Array }).echo).toBeInstanceOf(Float32Array);
    handle.send({ type: 'bye' } as never);
    expect(await exited).toEqual({ code: 3, signal: null });
    expect(log).toEqual(['message', 'message', 'exit']);
    expect(() => handle.send({ type: 'echo', value: 1 } as never)).not.toThrow();
    expect(() => handle.kill('SIGKILL')).not.toThrow();
  });

  it('kill() asks politely (SIGTERM) and kill(SIGKILL) forces a worker that ignores it', async () => {
    const handle = utilityProcessSpawner(fakeFork, stubborn).spawn('trainer');
    const log: string[] = [];
    const exited = exitOf(handle, log);
    const alive: unknown[] = [];
    handle.on('message', (m) => alive.push(m));
    handle.send({ type: 'echo', value: 'up' } as never);
    await waitFor(() => (alive.length ? true : undefined), 'the worker to start');
    handle.kill();
    await new Promise((r) => setTimeout(r, 500));
    expect(log).toEqual([]);
    handle.kill('SIGKILL');
    const { code, signal } = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(128 + constants.signals.SIGKILL);
  });
});
