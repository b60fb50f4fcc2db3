/**
 * Interrupting and continuing training from the command line: Ctrl-C (SIGINT)
 * checkpoints and cancels, `cfm resume` finishes the run to its own total, and
 * the resumed run logs exactly the losses of one that was never interrupted.
 * A run whose loss stops being finite fails and keeps its last good checkpoint.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { cfm, errorLines, makeTempDir, okJson, parseJson, readStore, startCfm, stderrLines, waitFor, type CliResult } from './cliHarness.js';

const TOTAL = 400;
// Cosine schedule with warmup and EMA: a resumed run must restore all of that state, not only the weights.
const CONFIG = ['--steps', String(TOTAL), '--seed', '7', '--batch', '64', '--method', 'icfm', '--lr-schedule', 'cosine', '--warmup', '20', '--ema', '0.99', '--validate-every', '100'];

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
/** The same config trained without interruption, started in beforeAll and awaited where needed. */
let reference: Promise<CliResult>;
let cancelledRun: number | undefined;
let cancelledAt: number | undefined;

beforeAll(async () => {
  tmp = makeTempDir('resume');
  db = path.join(tmp.dir, 'runs.sqlite');
  // Create the database before two processes use it.
  await readStore(db, () => undefined);
  reference = cfm(db, ['train', ...CONFIG, '--json']);
});

afterAll(async () => {
  await reference?.catch(() => undefined);
  tmp?.remove();
});

function runIdFromStderr(stderr: string): number | undefined {
  const m = /^run (\d+) \(/m.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

describe('Ctrl-C and cfm resume', () => {
  it('Ctrl-C during training saves a checkpoint at the last step, marks the run cancelled and exits 130', async () => {
    const p = startCfm(db, ['train', ...CONFIG, '--json']);
    const id = await waitFor(() => runIdFromStderr(p.stderr()), 'the run to start');
    // A few steps have been logged: the trainer is well inside its loop.
    await waitFor(async () => ((await readStore(db, (s) => s.getRun(id).step)) >= 20 ? true : undefined), 'a few steps');
    p.child.kill('SIGINT');
    const exitedSoon = await Promise.race([p.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20_000))]);
    if (exitedSoon === undefined) p.child.kill('SIGKILL');
    expect(exitedSoon, 'cfm train should stop within 20 s of Ctrl-C').toBeDefined();
    const r = exitedSoon!;
    expect(r.code).toBe(130);
    const summary = parseJson(r);
    expect(summary.id).toBe(id);
    expect(summary.status).toBe('cancelled');
    expect(summary.steps).toBeGreaterThanOrEqual(20);
    expect(summary.steps).toBeLessThan(TOTAL);

    const { run, checkpoints, loss } = await readStore(db, (s) => ({ run: s.getRun(id), checkpoints: s.listCheckpoints(id), loss: s.metricSeries(id, 'loss') }));
    expect(run.status).toBe('cancelled');
    expect(run.step).toBe(summary.steps);
    expect(run.totalSteps).toBe(TOTAL);
    expect(checkpoints.map((c) => c.step)).toContain(run.step);
    // Every step up to the checkpoint is logged once, and nothing after it.
    expect(Array.from(loss.steps)).toEqual(Array.from({ length: run.step }, (_, i) => i + 1));
    cancelledRun = id;
    cancelledAt = run.step;
  });

  it('resume continues a cancelled run to its own total step count', async () => {
    expect(cancelledRun, 'needs the cancelled run of the previous test').toBeDefined();
    const s = okJson(await cfm(db, ['resume', String(cancelledRun), '--json']));
    expect(s).toMatchObject({ id: cancelledRun, status: 'completed', steps: TOTAL, totalSteps: TOTAL, backend: 'wasm' });
    const run = await readStore(db, (st) => st.getRun(cancelledRun!));
    expect(run.status).toBe('completed');
    expect(run.step).toBe(TOTAL);
  });

  it('a run interrupted and resumed logs exactly the losses of one trained without interruption', async () => {
    expect(cancelledRun, 'needs the resumed run of the previous tests').toBeDefined();
    expect(cancelledAt).toBeGreaterThan(0);
    const ref = okJson(await reference);
    expect(ref.status).toBe('completed');
    const [resumed, straight] = await readStore(db, (s) =>
      [cancelledRun!, ref.id as number].map((id) => ({ loss: s.metricSeries(id, 'loss'), val: s.metricSeries(id, 'val_loss') })),
    );
    const allSteps = Array.from({ length: TOTAL }, (_, i) => i + 1);
    expect(Array.from(resumed.loss.steps)).toEqual(allSteps);
    expect(Array.from(straight.loss.steps)).toEqual(allSteps);
    expect(Array.from(resumed.loss.values)).toEqual(Array.from(straight.loss.values));
    expect(Array.from(resumed.val.steps)).toEqual([100, 200, 300, 400]);
    expect(Array.from(resumed.val.values)).toEqual(Array.from(straight.val.values));
  });
});

describe('a diverging run', () => {
  // AdamW's decoupled decay multiplies every weight by (1 - lr * wd) = -99 per step:
  // the network's output overflows float32 within a few steps, whatever the data.
  const DIVERGING = ['--lr', '10', '--optimizer', 'adamw', '--weight-decay', '10', '--checkpoint-every', '2', '--steps', '300', '--batch', '64', '--method', 'icfm', '--validate-every', '0'];

  it('with --json, a failed run still says which run it was and why', async () => {
    const r = await cfm(db, ['train', ...DIVERGING, '--json']);
    expect(r.code).toBe(1);
    const s = parseJson(r);
    expect(s).toMatchObject({ status: 'failed', error: { code: 'numeric', field: 'lr' } });
    expect(await readStore(db, (st) => st.getRun(s.id).status)).toBe('failed');
  });

  it('fails with one error line naming the learning rate and a fix, and keeps its last good checkpoint', async () => {
    const r = await cfm(db, ['train', ...DIVERGING]);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(stderrLines(r).at(-1)).toBe(errors[0]);
    expect(errors[0]).toMatch(/learning rate|--lr/);
    expect(errors[0]).toMatch(/lower|reduce|clip/);

    const id = runIdFromStderr(r.stderr);
    expect(id).toBeDefined();
    const { run, checkpoints, loss } = await readStore(db, (s) => ({ run: s.getRun(id!), checkpoints: s.listCheckpoints(id!), loss: s.metricSeries(id!, 'loss') }));
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/--lr|learning rate/);
    // run.step is the last step that finished with a finite loss.
    expect(run.step).toBeGreaterThanOrEqual(2);
    expect(run.step).toBeLessThan(300);
    expect(Array.from(loss.steps)).toEqual(Array.from({ length: run.step }, (_, i) => i + 1));
    for (const v of loss.values) expect(Number.isFinite(v)).toBe(true);
    const lastGood = Math.floor(run.step / 2) * 2;
    expect(Math.max(...checkpoints.map((c) => c.step))).toBe(lastGood);
  });
});
