/**
 * `cfm serve` as a user runs it: a child process (`node bin/cfm.js --db FILE
 * serve --port 0`) that prints the URL to open, answers the API there, and
 * on SIGTERM stops cleanly: exit code 0, a run that was training saved a
 * checkpoint and is 'cancelled' (resumable), the database is sound.
 * Needs `npm run build` first (npm test does it).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLines, makeTempDir, readStore, startCfm, waitFor, type CliProcess } from './cliHarness.js';
import { tinyConfig } from './serverHarness.js';

const URL_LINE = /^CFM Workbench at (http:\/\/127\.0\.0\.1:(\d+))\/\?token=([0-9a-f]{32})$/m;

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
const children: CliProcess[] = [];

function serve(args: string[] = []): CliProcess {
  const p = startCfm(db, ['serve', '--port', '0', ...args], { timeoutMs: 120_000 });
  children.push(p);
  return p;
}

async function started(p: CliProcess): Promise<{ origin: string; port: number; token: string }> {
  const m = await waitFor(
    () => URL_LINE.exec(p.stdout()) ?? (p.child.exitCode !== null ? Promise.reject(new Error(`cfm serve exited: ${p.stderr()}`)) : undefined),
    'cfm serve to print its URL',
    60_000,
    50,
  );
  return { origin: m[1], port: Number(m[2]), token: m[3] };
}

async function api(s: { origin: string; token: string }, method: string, input: unknown = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.origin}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(() => {
  tmp = makeTempDir('serve');
  db = path.join(tmp.dir, 'serve.sqlite');
});

afterAll(() => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  tmp?.remove();
});

describe('cfm serve', () => {
  it('prints its URL, answers the API there, and on SIGTERM checkpoints the running run and exits 0', async () => {
    const p = serve();
    const s = await started(p);
    expect(p.stdout().trim().split('\n')).toHaveLength(1);

    const info = await api(s, 'info');
    expect(info.status).toBe(200);
    expect(info.body.database).toBe(db);
    expect(info.body.version).toMatch(/^\d+\.\d+\.\d+/);
    const denied = await fetch(`${s.origin}/api/info`, { method: 'POST' });
    expect(denied.status).toBe(401);
    // `npm run build` built the renderer: serve shows it at / without --static.
    const page = await fetch(`${s.origin}/`);
    expect(await page.text()).toMatch(/<title>CFM Workbench<\/title>[\s\S]*<div id="app">/);

    const run = (await api(s, 'startRun', { config: tinyConfig({ steps: 1_000_000, checkpointEvery: 1_000_000 }) })).body;
    expect(run.status).toBe('queued');
    await waitFor(async () => {
      const r = (await api(s, 'getRun', { run: run.id })).body;
      return r.status === 'running' && r.step > 0 ? r : undefined;
    }, 'the run to train', 60_000, 100);

    p.child.kill('SIGTERM');
    const result = await p.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(errorLines(result)).toEqual([]);
    expect(result.stderr).toMatch(/SIGTERM: shutting down/);

    await readStore(db, (store) => {
      const r = store.getRun(run.id);
      expect(r.status).toBe('cancelled');
      expect(r.step).toBeGreaterThan(0);
      expect(store.latestCheckpoint(run.id)?.step).toBe(r.step);
      expect(store.integrityCheck()).toBe('ok');
    });
  });

  it('trains the runs a previous host left queued, with the concurrency saved in the database', async () => {
    const queuedDb = path.join(tmp.dir, 'queued.sqlite');
    const ids = await readStore(queuedDb, (st) => {
      st.setSetting('concurrency', 1);
      return [1, 2].map((seed) => st.createRun({ experimentName: 'left', config: tinyConfig({ steps: 60, seed }), seed, backend: 'wasm', totalSteps: 60 }).id);
    });
    const p = startCfm(queuedDb, ['serve', '--port', '0'], { timeoutMs: 120_000 });
    children.push(p);
    const s = await started(p);
    expect((await api(s, 'getSettings')).body).toEqual({ concurrency: 1 });
    for (const id of ids) {
      await waitFor(async () => ((await api(s, 'getRun', { run: id })).body.status === 'completed' ? true : undefined), `run ${id} to complete`, 60_000, 100);
    }
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });

  it('with --json prints one JSON object with the URL and token', async () => {
    const p = startCfm(db, ['--json', 'serve', '--port', '0'], { timeoutMs: 60_000 });
    children.push(p);
    const line = await waitFor(() => (p.stdout().includes('\n') ? p.stdout().trim() : undefined), 'the JSON line', 60_000, 50);
    const o = JSON.parse(line);
    expect(o.url).toBe(`${o.origin}/?token=${o.token}`);
    expect((await api(o, 'getSettings')).status).toBe(200);
    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
  });

  it('a port in use is a one-line error naming --port, exit code 1', async () => {
    const first = serve();
    const s = await started(first);
    try {
      const second = await startCfm(db, ['serve', '--port', String(s.port)], { timeoutMs: 60_000 }).exited;
      expect(second.code).toBe(1);
      expect(errorLines(second)).toEqual([expect.stringMatching(/^error: port: \d+ is already in use.*--port/)]);
    } finally {
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    }
  });

  it('a bad --port is refused before anything starts', async () => {
    const r = await startCfm(db, ['serve', '--port', '70000'], { timeoutMs: 30_000 }).exited;
    expect(r.code).toBe(2);
    expect(errorLines(r)[0]).toMatch(/port: 70000 is not a port/);
  });
});
