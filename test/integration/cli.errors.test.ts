/**
 * Bad input at the command line: each mistake gets one `error: ...` line on
 * stderr that names the field at fault, a non-zero exit code, and leaves the
 * database without a new run or dataset. Every case has its own database file.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cfm, errorLines, makeTempDir, readStore, stderrLines, type CliResult } from './cliHarness.js';

let tmp: ReturnType<typeof makeTempDir>;
let counter = 0;

beforeAll(() => {
  tmp = makeTempDir('errors');
});
afterAll(() => tmp?.remove());

/** A fresh folder for one case. */
function caseDir(): string {
  const dir = path.join(tmp.dir, `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

/** The single stderr line of a refused command (exit code > 0, nothing else on stderr). */
function refusal(r: CliResult): string {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBeGreaterThan(0);
  expect(stderrLines(r), 'stderr should hold one line').toHaveLength(1);
  const errors = errorLines(r);
  expect(errors).toHaveLength(1);
  return errors[0];
}

/** Runs `cfm --db DIR/db.sqlite ...args` in a fresh folder; checks it is refused and that the database holds no run or dataset. */
async function refused(args: string[], prepare?: (dir: string) => void, inspect?: (r: CliResult) => void): Promise<string> {
  const dir = caseDir();
  prepare?.(dir);
  const db = path.join(dir, 'db.sqlite');
  const r = await cfm(db, args, { cwd: dir });
  const line = refusal(r);
  inspect?.(r);
  const left = await readStore(db, (s) => ({ runs: s.listRuns().length, datasets: s.listDatasets().length, experiments: s.listExperiments().length }));
  expect(left).toEqual({ runs: 0, datasets: 0, experiments: 0 });
  return line;
}

describe.concurrent('cfm train refuses bad settings with one line naming the setting', () => {
  it('an unknown dataset (and with --json, the same error as one JSON object on stdout)', async () => {
    let stdout = '';
    const line = await refused(['train', '--dataset', 'nosuchdata', '--steps', '10', '--json'], undefined, (r) => (stdout = r.stdout));
    expect(line).toMatch(/^error: dataset\b/);
    expect(line).toContain('nosuchdata');
    expect(line).toContain('moons');
    expect(JSON.parse(stdout)).toEqual({ error: { code: 'invalid_input', field: 'dataset', message: line.replace(/^error: /, '') } });
  });

  it('an unknown method', async () => {
    const line = await refused(['train', '--method', 'nosuchmethod', '--steps', '10']);
    expect(line).toMatch(/^error: method\b/);
    expect(line).toContain('nosuchmethod');
    expect(line).toContain('icfm');
  });

  it('a non-numeric --steps', async () => {
    const line = await refused(['train', '--steps', 'ten']);
    expect(line).toMatch(/^error: steps\b/);
    expect(line).toContain('"ten"');
  });

  it('--steps 0', async () => {
    const line = await refused(['train', '--steps', '0']);
    expect(line).toMatch(/^error: steps\b/);
    expect(line).toMatch(/>= ?1/);
  });

  it('--steps -5', async () => {
    const line = await refused(['train', '--steps', '-5']);
    expect(line).toMatch(/^error: steps\b/);
    expect(line).toContain('-5');
  });

  it('--batch 0', async () => {
    const line = await refused(['train', '--batch', '0', '--steps', '10']);
    expect(line).toMatch(/^error: batch\b/);
  });

  it('rf with --from a run that does not exist', async () => {
    const line = await refused(['train', '--method', 'rf', '--from', '99', '--steps', '10']);
    expect(line).toMatch(/\b(run|from|parentRun)\b/);
    expect(line).toContain('99');
  });

  it('rf without --from', async () => {
    const line = await refused(['train', '--method', 'rf', '--steps', '10']);
    expect(line).toMatch(/parentRun|--from/);
  });

  it('fm with a source other than the gaussian', async () => {
    const line = await refused(['train', '--method', 'fm', '--source', 'moons', '--steps', '10']);
    expect(line).toMatch(/^error: source\b/);
    expect(line).toContain('gaussian');
  });

  it('a --config file that is not valid JSON', async () => {
    const line = await refused(['train', '--config', 'broken.json'], (dir) => writeFileSync(path.join(dir, 'broken.json'), '{"steps": 10,\n'));
    expect(line).toMatch(/^error: config\b/);
    expect(line).toContain('broken.json');
    expect(line).toMatch(/JSON/);
  });

  it('an unknown key in a --config file', async () => {
    const line = await refused(['train', '--config', 'typo.json'], (dir) => writeFileSync(path.join(dir, 'typo.json'), JSON.stringify({ steps: 10, learningRate: 0.01 })));
    expect(line).toMatch(/^error: config\b/);
    expect(line).toContain('learningRate');
  });
});

describe.concurrent('cfm datasets import refuses malformed files, naming line and column', () => {
  it('a ragged CSV', async () => {
    const line = await refused(['datasets', 'import', 'ragged.csv', '--name', 'ragged'], (dir) =>
      writeFileSync(path.join(dir, 'ragged.csv'), '1,2,3\n4,5,6\n7,8\n10,11,12\n'),
    );
    expect(line).toContain('ragged.csv');
    expect(line).toContain('line 3');
  });

  it('a CSV with a value that is not a number', async () => {
    const line = await refused(['datasets', 'import', 'words.csv', '--name', 'words'], (dir) =>
      writeFileSync(path.join(dir, 'words.csv'), 'x,y\n1,2\n3,4\n5,abc\n7,8\n'),
    );
    expect(line).toContain('words.csv');
    expect(line).toContain('line 4');
    expect(line).toContain('column 2');
    expect(line).toContain('"abc"');
  });
});

describe.concurrent('cfm refuses a database it cannot use, naming the file and the fix', () => {
  it('a corrupt database file is reported and left byte-for-byte unchanged', async () => {
    const dir = caseDir();
    const db = path.join(dir, 'garbage.sqlite');
    // Not SQLite: bytes that never spell the 16-byte SQLite header.
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 251));
    writeFileSync(db, garbage);
    const line = refusal(await cfm(db, ['train', '--steps', '10']));
    expect(line).toContain(db);
    expect(line).toMatch(/--db/);
    expect(readFileSync(db).equals(garbage)).toBe(true);
    expect(readdirSync(dir)).toEqual(['garbage.sqlite']);
  });

  it('a database path whose parent is a regular file', async () => {
    const dir = caseDir();
    const blocker = path.join(dir, 'notadir');
    writeFileSync(blocker, 'plain file\n');
    for (const db of [path.join(blocker, 'db.sqlite'), path.join(blocker, 'sub', 'db.sqlite')]) {
      const line = refusal(await cfm(db, ['runs']));
      expect(line).toContain(db);
      expect(line).toMatch(/--db/);
    }
    expect(readFileSync(blocker, 'utf8')).toBe('plain file\n');
    expect(readdirSync(dir)).toEqual(['notadir']);
  });
});
