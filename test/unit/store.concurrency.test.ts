/**
 * Several processes share one database (a trainer child and its host). These
 * tests run real child processes: the children load the store's TypeScript
 * through Node's type stripping, with a tiny resolve hook for the '.js'
 * import suffixes that NodeNext code uses.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../../app/store/index.js';
import { CfmError } from '../../app/errors.js';

const STORE_INDEX = fileURLToPath(new URL('../../app/store/index.ts', import.meta.url));
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

const HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
    throw e;
  }
}
`;

const CHILD = `
import { createRequire, register } from 'node:module';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [mode, dbFile, storeIndex, hookFile, sqlitePath, arg] = process.argv.slice(2);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

if (mode === 'hold') {
  // Holds the write lock until the release file appears (like a long write on a slow disk).
  const Database = createRequire(import.meta.url)(sqlitePath);
  const db = new Database(dbFile);
  db.exec('BEGIN IMMEDIATE');
  process.stdout.write('locked\\n');
  const deadline = Date.now() + 20000;
  while (!existsSync(arg) && Date.now() < deadline) sleep(5);
  sleep(200); // the parent is now blocked waiting for the lock
  db.exec('COMMIT');
  db.close();
} else if (mode === 'open') {
  // Opens a database that may not exist yet, at the same moment as others, and adds a run.
  register(pathToFileURL(hookFile));
  const { openStore } = await import(pathToFileURL(storeIndex).href);
  process.stdout.write('ready\\n');
  await new Promise((go) => process.stdin.once('data', go));
  process.stdin.destroy();
  const store = openStore(dbFile);
  store.createRun({ experimentName: 'race', name: arg, config: {}, seed: 0, backend: 'cpu', totalSteps: 1 });
  store.close();
} else {
  // Writes a training run's worth of metrics, checkpoints and progress through the Store.
  register(pathToFileURL(hookFile));
  const { openStore } = await import(pathToFileURL(storeIndex).href);
  const store = openStore(dbFile);
  const runId = Number(arg);
  process.stdout.write('ready\\n');
  await new Promise((go) => process.stdin.once('data', go));
  process.stdin.destroy();
  for (let b = 0; b < 100; b++) {
    const rows = [];
    for (let i = 0; i < 20; i++) {
      const step = b * 20 + i;
      rows.push({ step, wallTime: Date.now(), name: 'loss', value: runId * 1e6 + step });
    }
    store.appendMetrics(runId, rows);
    store.updateRun(runId, { step: b * 20 + 19 });
    if (b % 10 === 9) store.saveCheckpoint(runId, b * 20 + 19, new Uint8Array(4096).fill(b));
  }
  store.close();
}
`;

let dir: string;
let hookFile: string;
let childFile: string;
let dbFile: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cfm-store-conc-'));
  hookFile = path.join(dir, 'hook.mjs');
  childFile = path.join(dir, 'child.mjs');
  dbFile = path.join(dir, 'shared.sqlite');
  writeFileSync(hookFile, HOOK);
  writeFileSync(childFile, CHILD);
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** Resolves when the child prints this line. */
  line(text: string): Promise<void>;
  exit: Promise<{ code: number | null; stderr: string }>;
}

function start(mode: 'hold' | 'write' | 'open', arg: string): Child {
  const proc = spawn(
    process.execPath,
    ['--no-warnings', '--experimental-strip-types', childFile, mode, dbFile, STORE_INDEX, hookFile, BETTER_SQLITE3, arg],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(proc);
  let out = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) {
      if (out.split('\n').includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    proc.on('close', (code) => resolve({ code, stderr })),
  );
  return {
    proc,
    exit,
    line: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.split('\n').includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exit.then(({ code, stderr: err }) => reject(new Error(`child exited (${code}) before "${text}": ${err}`)));
      }),
  };
}

describe('several processes creating one database', () => {
  it('processes that open a new file at the same moment all succeed, and the schema is made once', async () => {
    const kids = ['p1', 'p2', 'p3'].map((name) => start('open', name));
    await Promise.all(kids.map((k) => k.line('ready')));
    for (const k of kids) k.proc.stdin.end('go\n');
    const results = await Promise.all(kids.map((k) => k.exit));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const store = openStore(dbFile);
    expect(store.listRuns().map((r) => r.name).sort()).toEqual(['p1', 'p2', 'p3']);
    expect(store.listExperiments()).toHaveLength(1);
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });
});

describe('several processes writing one database', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore(dbFile);
  });
  afterEach(() => store.close());

  it('a write waits for another process that holds the lock instead of failing', async () => {
    const runId = store.createRun({ experimentName: 'e', config: {}, seed: 1, backend: 'cpu', totalSteps: 1 }).id;
    const impatient = openStore(dbFile, { busyTimeoutMs: 0 });
    const release = path.join(dir, 'release');
    const holder = start('hold', release);
    await holder.line('locked');

    // Control: with no busy timeout the same write fails at once, so the lock really is held.
    let control: unknown;
    try {
      impatient.appendMetrics(runId, [{ step: 0, wallTime: 0, name: 'loss', value: 9 }]);
    } catch (e) {
      control = e;
    }
    impatient.close();
    expect(control).toBeInstanceOf(CfmError);
    expect((control as CfmError).code).toBe('database');
    expect((control as CfmError).message).toContain('locked');

    writeFileSync(release, '');
    // Blocks in SQLite's busy handler until the holder commits, then succeeds.
    store.appendMetrics(runId, [{ step: 1, wallTime: 1, name: 'loss', value: 0.5 }]);
    expect((await holder.exit).code).toBe(0);
    expect([...store.metricSeries(runId, 'loss').steps]).toEqual([1]);
  });

  it('two trainer processes and the host write at the same time and nothing is lost', async () => {
    const ids = [1, 2, 3].map(
      (i) => store.createRun({ experimentName: 'e', name: `r${i}`, config: {}, seed: i, backend: 'cpu', totalSteps: 2000 }).id,
    );
    const kids = [start('write', String(ids[0])), start('write', String(ids[1]))];
    await Promise.all(kids.map((k) => k.line('ready')));
    for (const k of kids) k.proc.stdin.end('go\n');

    // The host writes too, yielding to the event loop between batches.
    for (let b = 0; b < 100; b++) {
      store.appendMetrics(
        ids[2],
        Array.from({ length: 20 }, (_, i) => ({ step: b * 20 + i, wallTime: Date.now(), name: 'loss', value: b * 20 + i })),
      );
      store.updateRun(ids[2], { step: b * 20 + 19 });
      await new Promise((r) => setImmediate(r));
    }
    const results = await Promise.all(kids.map((k) => k.exit));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });

    for (const id of ids) {
      const s = store.metricSeries(id, 'loss');
      expect(s.steps.length).toBe(2000);
      expect(s.steps[0]).toBe(0);
      expect(s.steps[1999]).toBe(1999);
      expect(store.getRun(id).step).toBe(1999);
    }
    // each child's values carry its run id: nothing crossed over
    const v = store.metricSeries(ids[1], 'loss').values;
    expect(v[1234]).toBe(ids[1] * 1e6 + 1234);
    for (const id of ids.slice(0, 2)) {
      expect(store.listCheckpoints(id).map((c) => c.step)).toEqual([1599, 1799, 1999]);
    }
    expect(store.integrityCheck()).toBe('ok');
  });
});
