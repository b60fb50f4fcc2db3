/**
 * `cfm train`, `runs`, `show`, `compare`, `eval` and `sample` as a user runs
 * them: real processes on one SQLite file. Four tiny runs are trained once
 * (A and B the same config, C another seed, D another seed and learning rate)
 * and serve every test here.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cfm, errorLines, makeTempDir, okJson, parseJson, readStore, TINY, type CliResult } from './cliHarness.js';

const STEPS = 100;
const base = ['train', ...TINY, '--steps', String(STEPS), '--json'];

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
let trainA: CliResult;
let A: number;
let B: number;
let C: number;
let D: number;

beforeAll(async () => {
  tmp = makeTempDir('train');
  db = path.join(tmp.dir, 'runs.sqlite');
  // The first run creates the database; the other three then train side by side.
  trainA = await cfm(db, [...base, '--seed', '1']);
  const [b, c, d] = await Promise.all([
    cfm(db, [...base, '--seed', '1']),
    cfm(db, [...base, '--seed', '2']),
    cfm(db, [...base, '--seed', '2', '--lr', '0.002']),
  ]);
  A = okJson(trainA).id;
  B = okJson(b).id;
  C = okJson(c).id;
  D = okJson(d).id;
});

afterAll(() => tmp?.remove());

/** Parses a .npy file by its format spec (numpy.lib.format v1.0), independently of the app's reader. */
function readNpyF4(bytes: Buffer): { shape: number[]; descr: string; fortran: boolean; data: Float32Array } {
  expect([...bytes.subarray(0, 6)]).toEqual([0x93, ...Buffer.from('NUMPY', 'latin1')]);
  const major = bytes[6];
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.subarray(start, start + headerLen).toString('latin1');
  expect((start + headerLen) % 64).toBe(0);
  expect(header.endsWith('\n')).toBe(true);
  const descr = /'descr':\s*'([^']*)'/.exec(header)![1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)![1] === 'True';
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = bytes.subarray(start + headerLen);
  const data = new Float32Array(body.length / 4);
  for (let i = 0; i < data.length; i++) data[i] = body.readFloatLE(i * 4);
  return { shape, descr, fortran, data };
}

describe('cfm train', () => {
  it('with --json prints exactly one JSON object on stdout and its progress on stderr', () => {
    expect(trainA.code).toBe(0);
    const lines = trainA.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const s = parseJson(trainA);
    expect(Number.isInteger(s.id)).toBe(true);
    expect(s.status).toBe('completed');
    expect(s.steps).toBe(STEPS);
    expect(Number.isFinite(s.loss)).toBe(true);
    expect(s.loss).toBeGreaterThan(0);
    expect(s.seconds).toBeGreaterThanOrEqual(0);
    expect(s.backend).toBe('wasm');
    // The progress bar reaches the last step on stderr and never leaks into stdout.
    expect(trainA.stderr).toContain(`${STEPS}/${STEPS}`);
    expect(trainA.stdout).not.toContain(`${STEPS}/${STEPS}`);
    expect(errorLines(trainA)).toEqual([]);
  });

  it('the same seed on the same backend logs the same loss at every step; another seed does not', async () => {
    const [a, b, c] = await readStore(db, (s) => [A, B, C].map((id) => s.metricSeries(id, 'loss')));
    expect(Array.from(a.steps)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(Array.from(c.steps)).toEqual(Array.from(a.steps));
    const differing = Array.from(c.values).filter((v, i) => v !== a.values[i]).length;
    expect(differing).toBeGreaterThan(STEPS / 2);
  });
});

describe('cfm runs, show and compare', () => {
  it('runs --json is an array holding every trained run', async () => {
    const runs = okJson<{ id: number; status: string; backend: string; step: number }[]>(await cfm(db, ['runs', '--json']));
    expect(Array.isArray(runs)).toBe(true);
    expect(runs.map((r) => r.id).sort((x, y) => x - y)).toEqual([A, B, C, D].sort((x, y) => x - y));
    for (const r of runs) {
      expect(r.status).toBe('completed');
      expect(r.step).toBe(STEPS);
      expect(r.backend).toBe('wasm');
    }
  });

  it('show --json gives the run with its config, metric names and final checkpoint', async () => {
    const v = okJson(await cfm(db, ['show', String(A), '--json']));
    expect(v.id).toBe(A);
    expect(v.status).toBe('completed');
    expect(v.step).toBe(STEPS);
    expect(v.totalSteps).toBe(STEPS);
    expect(v.config).toMatchObject({ seed: 1, steps: STEPS, batch: 64, method: 'icfm', lr: 0.001 });
    expect(v.metricNames).toContain('loss');
    expect(v.checkpoints.map((c: { step: number }) => c.step)).toContain(STEPS);
    const last = await readStore(db, (s) => s.lastMetric(A, 'loss'));
    expect(v.loss).toBe(last?.value);
  });

  it('compare --json lists exactly the config keys that differ', async () => {
    const [ad, ab] = await Promise.all([cfm(db, ['compare', String(A), String(D), '--json']), cfm(db, ['compare', String(A), String(B), '--json'])]);
    const diff = okJson(ad);
    expect(diff.runs.map((r: { id: number }) => r.id)).toEqual([A, D]);
    expect(diff.differing).toEqual(['lr', 'seed']);
    expect(okJson(ab).differing).toEqual([]);
  });
});

describe('cfm eval and sample', () => {
  it('eval --json reports finite W1, W2, MMD, NPE and NFE for the requested n', async () => {
    const e = okJson(await cfm(db, ['eval', String(A), '--n', '200', '--json']));
    expect(e.n).toBe(200);
    expect(e.solver).toBe('dopri5');
    for (const k of ['w1', 'w2', 'mmd', 'npe']) {
      expect(typeof e[k], k).toBe('number');
      expect(Number.isFinite(e[k]), k).toBe(true);
    }
    expect(Number.isInteger(e.nfe)).toBe(true);
    expect(e.nfe).toBeGreaterThan(0);
    expect(e.w1).toBeGreaterThan(0);
    // With equal-weight point sets, W1 <= W2 (Jensen on the W2-optimal matching).
    expect(e.w1).toBeLessThanOrEqual(e.w2 * (1 + 1e-9));
    expect(e.checkpointStep).toBe(STEPS);
  });

  it('sample --out writes n points of dimension 2 to .csv and to .npy', async () => {
    const csv = path.join(tmp.dir, 'samples.csv');
    const npy = path.join(tmp.dir, 'samples.npy');
    const n = 50;
    const [rc, rn] = await Promise.all([
      cfm(db, ['sample', String(A), '--n', String(n), '--seed', '5', '--out', csv, '--json']),
      cfm(db, ['sample', String(A), '--n', String(n), '--seed', '5', '--out', npy, '--json']),
    ]);
    expect(okJson(rc)).toMatchObject({ run: A, n, d: 2 });
    expect(okJson(rn)).toMatchObject({ run: A, n, d: 2 });

    const rows = readFileSync(csv, 'utf8').split('\n').filter((l) => l !== '');
    expect(rows).toHaveLength(n);
    const values = rows.map((r) => r.split(',').map(Number));
    for (const row of values) {
      expect(row).toHaveLength(2);
      for (const v of row) expect(Number.isFinite(v)).toBe(true);
    }

    const arr = readNpyF4(readFileSync(npy));
    expect(arr.descr).toBe('<f4');
    expect(arr.fortran).toBe(false);
    expect(arr.shape).toEqual([n, 2]);
    expect(arr.data.length).toBe(n * 2);
    // Same run, seed and solver: both files hold the same float32 points.
    expect(Array.from(arr.data)).toEqual(values.flat().map(Math.fround));
  });

  it('sample refuses to overwrite an existing file and leaves it as it was', async () => {
    const out = path.join(tmp.dir, 'mine.csv');
    writeFileSync(out, 'keep me\n');
    const before = await readStore(db, (s) => s.listSamples(A).length);
    const r = await cfm(db, ['sample', String(A), '--n', '10', '--out', out]);
    expect(r.code).not.toBe(0);
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(out);
    expect(errors[0]).toMatch(/exists/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    expect(await readStore(db, (s) => s.listSamples(A).length)).toBe(before);
  });
});
