/**
 * Moving a run between databases (`cfm export` / `cfm import`) and building on
 * one (`cfm train --from RUN`, a rectified-flow reflow). One small run trained
 * in beforeAll serves both.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cfm, makeTempDir, okJson, readStore, TINY } from './cliHarness.js';

const STEPS = 100;

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
let base: number;

beforeAll(async () => {
  tmp = makeTempDir('transfer');
  db = path.join(tmp.dir, 'first.sqlite');
  base = okJson(await cfm(db, ['train', ...TINY, '--steps', String(STEPS), '--seed', '3', '--json'])).id;
});

afterAll(() => tmp?.remove());

describe('cfm export and cfm import', () => {
  it('a run exported and imported into another database keeps its metrics and checkpoint, and samples the same points', async () => {
    const file = path.join(tmp.dir, 'run.cfmrun');
    const second = path.join(tmp.dir, 'second.sqlite');
    const exp = okJson(await cfm(db, ['export', String(base), '--out', file, '--json']));
    expect(exp.run).toBe(base);
    expect(existsSync(file)).toBe(true);

    const imp = okJson(await cfm(second, ['import', file, '--json']));
    const copy: number = imp.id;
    expect(imp.status).toBe('completed');

    const [orig, moved] = await Promise.all(
      [
        [db, base],
        [second, copy],
      ].map(([file, id]) =>
        readStore(file as string, (s) => ({
          run: s.getRun(id as number),
          names: s.metricNames(id as number),
          loss: Array.from(s.metricSeries(id as number, 'loss').values),
          checkpoint: s.latestCheckpoint(id as number),
        })),
      ),
    );
    expect(moved.run.config).toEqual(orig.run.config);
    expect(moved.run.step).toBe(STEPS);
    expect(moved.names).toEqual(orig.names);
    expect(moved.loss).toHaveLength(STEPS);
    expect(moved.loss).toEqual(orig.loss);
    expect(moved.checkpoint?.step).toBe(STEPS);
    expect(Buffer.from(moved.checkpoint!.data).equals(Buffer.from(orig.checkpoint!.data))).toBe(true);

    // The imported model is the same model: the same seed gives the same samples.
    const a = path.join(tmp.dir, 'from-first.csv');
    const b = path.join(tmp.dir, 'from-second.csv');
    const [sa, sb] = await Promise.all([
      cfm(db, ['sample', String(base), '--n', '20', '--seed', '9', '--out', a, '--json']),
      cfm(second, ['sample', String(copy), '--n', '20', '--seed', '9', '--out', b, '--json']),
    ]);
    expect(okJson(sa)).toMatchObject({ n: 20, d: 2 });
    expect(okJson(sb)).toMatchObject({ run: copy, n: 20, d: 2 });
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
  });
});

describe('cfm train --from', () => {
  it('trains a rectified-flow reflow of a finished run to completion', async () => {
    const s = okJson(
      await cfm(db, ['train', '--from', String(base), '--steps', '50', '--batch', '64', '--reflow-pairs', '256', '--reflow-steps', '10', '--validate-every', '0', '--json']),
    );
    expect(s).toMatchObject({ status: 'completed', steps: 50, backend: 'wasm' });
    expect(Number.isFinite(s.loss)).toBe(true);
    const run = await readStore(db, (st) => st.getRun(s.id));
    expect(run.parentRunId).toBe(base);
    expect(run.config).toMatchObject({ method: 'rf', parentRun: base });
    expect(run.status).toBe('completed');
  });

  it('a reflow learns on its parent\'s data: dataset and source are inherited, and another dataset is refused', async () => {
    const parent = okJson(await cfm(db, ['train', ...TINY, '--dataset', '8gaussians', '--steps', '30', '--json'])).id;
    const reflow = ['train', '--from', String(parent), '--steps', '20', '--batch', '64', '--reflow-pairs', '128', '--reflow-steps', '5', '--validate-every', '0'];
    const s = okJson(await cfm(db, [...reflow, '--json']));
    const run = await readStore(db, (st) => st.getRun(s.id));
    expect(run.config).toMatchObject({ method: 'rf', dataset: '8gaussians', source: 'gaussian' });
    const refused = await cfm(db, [...reflow, '--dataset', 'moons']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^error: dataset: run \d+ was trained with dataset "8gaussians"/m);
  });
});
