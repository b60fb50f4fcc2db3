/**
 * Crash safety: a trainer killed with SIGKILL after its first checkpoint leaves
 * its run 'interrupted' (never 'running' forever), the database intact, and the
 * resumed run logs exactly the losses of an uninterrupted run with the same
 * seed and config (both on wasm), step for step. A host killed mid-run leaves
 * its trainer to checkpoint, mark the run 'interrupted' and exit.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent, StatusEvent } from '../../app/contract.js';
import type { ProcessRunManager } from '../../app/runs/manager.js';
import type { Store } from '../../app/store/interface.js';
import { expectStepsOneTo, openRunsHost, REPO_ROOT, TINY, waitFor, type Dist, type EventLog, type RunsHost } from './runsHarness.js';

let harness: RunsHost;
let dist: Dist;
let store: Store;
let manager: ProcessRunManager;
let log: EventLog;

beforeAll(async () => {
  harness = await openRunsHost('runs-crash', 2);
  ({ dist, store, manager, log } = harness);
});

afterAll(() => harness?.close());

describe('a trainer killed mid-run', () => {
  it('is marked interrupted, and resuming it reproduces the losses of an uninterrupted run', async () => {
    const config = { ...TINY, steps: 600, checkpointEvery: 50, seed: 11, ema: 0.99 };
    const victim = dist.create.createRun(store, config, { backend: 'wasm' });
    const reference = dist.create.createRun(store, config, { backend: 'wasm' });
    let killedAt = -1;
    let checkpointAtKill = -1;
    manager.subscribe((e) => {
      if (killedAt < 0 && e.type === 'progress' && e.run === victim.id) {
        const ckpt = store.latestCheckpoint(victim.id);
        if (!ckpt) return;
        checkpointAtKill = ckpt.step;
        killedAt = e.step;
        // As a user (or the OOM killer) would: by the pid the database records.
        process.kill(store.getRun(victim.id).pid!, 'SIGKILL');
      }
    });
    manager.enqueue(victim.id);
    manager.enqueue(reference.id);

    const lost = (await log.status(victim.id, 'interrupted')) as StatusEvent;
    await manager.idle();
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(600);
    expect(lost.error).toMatch(/SIGKILL/);
    const interrupted = store.getRun(victim.id);
    expect(interrupted).toMatchObject({ status: 'interrupted', pid: null });
    expect(interrupted.step).toBeLessThan(600);
    expect(store.latestCheckpoint(victim.id)!.step).toBeGreaterThanOrEqual(checkpointAtKill);
    expect(store.integrityCheck()).toBe('ok');

    manager.resume(victim.id);
    await log.waitFor((e) => e.type === 'status' && e.run === victim.id && e.status === 'completed', 'resumed run completed');
    await manager.idle();
    const restarts = (log.ofType('status', victim.id) as StatusEvent[]).filter((e) => e.status === 'running').map((e) => e.step);
    // Resumed from the last checkpoint before the kill, not from the start.
    expect(restarts).toHaveLength(2);
    expect(restarts[0]).toBe(0);
    expect(restarts[1]).toBeGreaterThanOrEqual(checkpointAtKill);
    expect(restarts[1]).toBeLessThanOrEqual(interrupted.step);

    const a = store.metricSeries(victim.id, 'loss');
    const b = store.metricSeries(reference.id, 'loss');
    expect(expectStepsOneTo(a.steps, 600)).toBe(true);
    expect(expectStepsOneTo(b.steps, 600)).toBe(true);
    // Bit for bit, including the steps retrained after the checkpoint.
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(store.integrityCheck()).toBe('ok');
    // Progress kept flowing after the resume.
    expect((log.ofType('progress', victim.id) as ProgressEvent[]).some((p) => p.step === 600)).toBe(true);
  });

  it('whose host was killed instead checkpoints, marks its run interrupted and exits', async () => {
    const run = dist.create.createRun(store, { ...TINY, steps: 100_000, checkpointEvery: 1_000_000 }, { backend: 'wasm' });
    const hostScript = path.join(harness.dir, 'host.mjs');
    const dist_ = (rel: string) => JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist', rel)).href);
    writeFileSync(
      hostScript,
      `import { openStore } from ${dist_('app/store/index.js')};
       import { createRunManager } from ${dist_('app/runs/manager.js')};
       const m = createRunManager({ store: openStore(process.argv[2]), backend: 'wasm' });
       m.subscribe((e) => { if (e.type === 'progress') process.stdout.write('tick\\n'); });
       m.enqueue(Number(process.argv[3]));
       setInterval(() => {}, 1000);`,
    );
    const host = spawn(process.execPath, [hostScript, store.path, String(run.id)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => host.stdout!.on('data', () => resolve()));
    const workerPid = store.getRun(run.id).pid!;
    expect(workerPid).not.toBe(host.pid);
    host.kill('SIGKILL');
    const ended = await waitFor(() => {
      const r = store.getRun(run.id);
      return r.status !== 'running' ? r : undefined;
    }, 'the orphaned trainer to stop', 30_000, 50);
    expect(ended.status).toBe('interrupted');
    expect(ended.error).toMatch(/^the host process went away; checkpoint saved at step \d+, resume to continue$/);
    expect(store.latestCheckpoint(run.id)?.step).toBe(ended.step);
    await waitFor(() => (isAlive(workerPid) ? undefined : true), 'the trainer process to exit', 10_000, 50);
    expect(store.integrityCheck()).toBe('ok');
  });
});

/** Exists and is not a zombie (an orphan's reaper may be slow, or absent in a container). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
