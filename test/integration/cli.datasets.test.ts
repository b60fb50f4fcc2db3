/**
 * A user's own data through the CLI: `cfm datasets import` splits a 3-D CSV
 * once into train / validation / test (10% each, at least one point), `cfm
 * datasets` lists it, a run trains on it, and `cfm eval` scores against its
 * stored test split.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cfm, errorLines, makeTempDir, okJson, readStore, stderrLines, TINY, type CliResult } from './cliHarness.js';

const N = 100;
// The documented split: round(10%) validation, round(10%) test, the rest train.
const SPLIT = { train: 80, validation: 10, test: 10 };

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
let imported: CliResult;

/** N points on a noisy helix in 3-D, with a header line; deterministic. */
function helixCsv(n: number): string {
  const lines = ['x,y,z'];
  for (let i = 0; i < n; i++) {
    const t = (4 * Math.PI * i) / n;
    const wobble = 0.05 * Math.sin(17 * i);
    lines.push([Math.cos(t) + wobble, Math.sin(t) - wobble, t / 4].map((v) => v.toFixed(6)).join(','));
  }
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  tmp = makeTempDir('datasets');
  db = path.join(tmp.dir, 'runs.sqlite');
  writeFileSync(path.join(tmp.dir, 'helix.csv'), helixCsv(N));
  imported = await cfm(db, ['datasets', 'import', 'helix.csv', '--name', 'helix3d'], { cwd: tmp.dir });
});

afterAll(() => tmp?.remove());

describe('cfm datasets', () => {
  it('import splits the file once and datasets --json lists it with its split sizes', async () => {
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('helix3d');
    const list = okJson<{ name: string; kind: string; dim: number; train: number | null; validation: number | null; test: number | null }[]>(
      await cfm(db, ['datasets', '--json']),
    );
    const helix = list.find((d) => d.name === 'helix3d');
    expect(helix).toMatchObject({ kind: 'import', dim: 3, ...SPLIT });
    expect(list.find((d) => d.name === 'moons')).toMatchObject({ kind: 'builtin', dim: 2 });
  });

  it('a run trains on the imported 3-D data, samples in 3-D, and eval uses the stored test split', async () => {
    const run = okJson(await cfm(db, ['train', '--dataset', 'helix3d', ...TINY, '--steps', '50', '--json']));
    expect(run).toMatchObject({ status: 'completed', steps: 50 });
    const [e, s] = await Promise.all([
      cfm(db, ['eval', String(run.id), '--n', '50', '--json']),
      cfm(db, ['sample', String(run.id), '--n', '7', '--json']),
    ]);
    const evaluation = okJson(e);
    // 50 points were asked for, but the held-out split has only 10.
    expect(evaluation.n).toBe(SPLIT.test);
    for (const k of ['w1', 'w2', 'mmd', 'npe']) expect(Number.isFinite(evaluation[k]), k).toBe(true);
    expect(okJson(s)).toMatchObject({ n: 7, d: 3 });
  });

  it('training with a source of another dimension is refused before any run is made', async () => {
    const before = await readStore(db, (st) => st.listRuns().length);
    const r = await cfm(db, ['train', '--dataset', 'helix3d', '--source', 'moons', '--steps', '10']);
    expect(r.code).toBeGreaterThan(0);
    expect(stderrLines(r)).toHaveLength(1);
    const [line] = errorLines(r);
    expect(line).toMatch(/^error: source\b/);
    expect(line).toContain('helix3d');
    expect(line).toMatch(/\b3\b/);
    expect(line).toMatch(/\b2\b/);
    expect(await readStore(db, (st) => st.listRuns().length)).toBe(before);
  });
});
