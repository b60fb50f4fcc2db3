/**
 * The background-run commands as a user types them: `cfm sweep` trains a grid
 * in worker processes, `cfm cancel` stops a `cfm train` running in another
 * terminal, `cfm watch` follows a run until it ends.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfm, makeTempDir, okJson, readStore, startCfm, TINY, waitFor } from './cliHarness.js';

let tmp: ReturnType<typeof makeTempDir>;
let db: string;

beforeAll(async () => {
  tmp = makeTempDir('queue');
  db = path.join(tmp.dir, 'runs.sqlite');
  await readStore(db, () => undefined);
});

afterAll(() => tmp?.remove());

function runIdFrom(stderr: string): number | undefined {
  const m = /^run (\d+) \(/m.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

describe('background runs from the command line', () => {
  it('cfm sweep trains the grid x seeds as completed runs of one experiment', async () => {
    const r = await cfm(db, ['sweep', '--grid', 'lr=1e-3,3e-3', '--seeds', '2', '--steps', '40', '--width', '16', ...TINY, '--experiment', 'grid', '--concurrency', '2', '--json']);
    const runs = okJson<{ name: string; status: string; experiment: string; step: number; config: { lr: number; seed: number } }[]>(r);
    expect(runs.map((x) => x.name).sort()).toEqual(['lr=0.001,seed=0', 'lr=0.001,seed=1', 'lr=0.003,seed=0', 'lr=0.003,seed=1']);
    for (const run of runs) expect(run).toMatchObject({ status: 'completed', experiment: 'grid', step: 40 });
    expect(new Set(runs.map((x) => `${x.config.lr}/${x.config.seed}`)).size).toBe(4);
  });

  it('cfm cancel stops a cfm train running in another process, which checkpoints and exits 130', async () => {
    const trainer = startCfm(db, ['train', '--steps', '100000', '--width', '16', ...TINY]);
    const id = await waitFor(() => runIdFrom(trainer.stderr()), 'the run to start');
    await waitFor(async () => ((await readStore(db, (s) => s.getRun(id).step)) >= 10 ? true : undefined), 'a few steps');
    const r = await cfm(db, ['cancel', String(id), '--json']);
    const cancelled = okJson<{ id: number; status: string; step: number }>(r);
    expect(cancelled).toMatchObject({ id, status: 'cancelled' });
    const exit = await trainer.exited;
    expect(exit.code).toBe(130);
    const checkpoint = await readStore(db, (s) => s.latestCheckpoint(id)?.step);
    expect(checkpoint).toBe(cancelled.step);
    // Cancelling it again is a one-line conflict, not a crash.
    const again = await cfm(db, ['cancel', String(id)]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^error: run \d+ is already cancelled/m);
  });

  it('cfm watch follows a run trained elsewhere and returns when it completes', async () => {
    const trainer = startCfm(db, ['train', '--steps', '300', '--width', '16', ...TINY]);
    const id = await waitFor(() => runIdFrom(trainer.stderr()), 'the run to start');
    const watched = await cfm(db, ['watch', String(id)]);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`run ${id} is completed`);
    expect((await trainer.exited).code).toBe(0);
    // With --json, one object; a run that did not complete makes watch exit non-zero.
    expect(okJson(await cfm(db, ['watch', String(id), '--json']))).toMatchObject({ id, status: 'completed', step: 300 });
  });
});
