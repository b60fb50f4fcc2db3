/**
 * One run as a portable file: a new, self-contained SQLite file (rollback
 * journal, not WAL, so it is a single file) with the store's own schema,
 * holding the run, its experiment's name, metrics, checkpoints, samples,
 * evaluations and optionally one dataset. Copying goes through ATTACH DATABASE
 * and INSERT ... SELECT, so blobs never pass through JavaScript.
 *
 * Export keeps the ids (the file is new); import assigns new ids here, finds or
 * creates the experiment by name, adds the dataset only when its name is free
 * (an existing one is kept and reported as 'same' or 'differs'), and keeps the
 * checkpoints' order. Lineage (parent_run_id) does not travel, and a run that
 * was running when exported arrives 'interrupted': nothing is training it.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CfmError } from '../errors.js';
import { fsReason, reasonOf } from './dbErrors.js';
import type { DatasetImport } from './interface.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.js';
import { migrate, userVersion } from './migrate.js';
import { inspectFile, type BetterSqlite3Database } from './open.js';

const ALIAS = 'portable';

/** Columns copied as they are (ids and foreign keys are handled per statement). */
const RUN_COLS = [
  'name', 'config', 'seed', 'backend', 'created_at', 'started_at', 'finished_at',
  'step', 'total_steps', 'seconds', 'tags', 'notes', 'error',
] as const;
const METRIC_COLS = ['name', 'step', 'wall_time', 'value'] as const;
const CHECKPOINT_COLS = ['step', 'created_at', 'data'] as const;
const SAMPLE_COLS = ['created_at', 'n', 'd', 'data', 'solver', 'steps', 'seed', 'nfe', 'checkpoint_step'] as const;
const EVALUATION_COLS = ['created_at', 'checkpoint_step', 'solver', 'steps', 'n', 'seed', 'nfe', 'metrics'] as const;
const DATASET_COLS = [
  'name', 'kind', 'dim', 'n_train', 'n_validation', 'n_test', 'train', 'validation', 'test', 'meta', 'created_at',
] as const;

const list = (cols: readonly string[]): string => cols.join(', ');
/** A run still 'running' in a copy has no process behind it. */
const STATUS_COPY = "CASE status WHEN 'running' THEN 'interrupted' ELSE status END";

function withAttached<T>(db: BetterSqlite3Database, file: string, fn: () => T): T {
  db.prepare(`ATTACH DATABASE ? AS ${ALIAS}`).run(file);
  try {
    return fn();
  } finally {
    db.prepare(`DETACH DATABASE ${ALIAS}`).run();
  }
}

export function exportRunFile(db: BetterSqlite3Database, runId: number, outPath: string, datasetName?: string): void {
  const out = path.resolve(outPath);
  if (existsSync(out)) {
    throw new CfmError('conflict', `export ${out}: the file already exists; choose a new file name`, 'path');
  }
  const fail = (reason: string): CfmError =>
    new CfmError('database', `export ${out}: cannot create or write the file (${reason}); choose another path`, 'path');
  let created = false;
  try {
    let file: BetterSqlite3Database | undefined;
    try {
      file = new Database(out, { fileMustExist: false });
      created = true;
      file.pragma('journal_mode = DELETE');
      file.pragma('foreign_keys = ON');
      migrate(file, out);
    } catch (e) {
      throw fail(reasonOf(e));
    } finally {
      file?.close();
    }
    withAttached(db, out, () => {
      db.transaction(() => {
        const p = ALIAS;
        db.prepare(
          `INSERT INTO ${p}.experiments (id, name, created_at)
           SELECT id, name, created_at FROM main.experiments
           WHERE id = (SELECT experiment_id FROM main.runs WHERE id = ?)`,
        ).run(runId);
        db.prepare(
          `INSERT INTO ${p}.runs (id, experiment_id, status, parent_run_id, pid, ${list(RUN_COLS)})
           SELECT id, experiment_id, ${STATUS_COPY}, NULL, NULL, ${list(RUN_COLS)} FROM main.runs WHERE id = ?`,
        ).run(runId);
        db.prepare(
          `INSERT INTO ${p}.metrics (run_id, ${list(METRIC_COLS)})
           SELECT run_id, ${list(METRIC_COLS)} FROM main.metrics WHERE run_id = ?`,
        ).run(runId);
        db.prepare(
          `INSERT INTO ${p}.checkpoints (id, run_id, ${list(CHECKPOINT_COLS)})
           SELECT id, run_id, ${list(CHECKPOINT_COLS)} FROM main.checkpoints WHERE run_id = ? ORDER BY id`,
        ).run(runId);
        db.prepare(
          `INSERT INTO ${p}.samples (id, run_id, ${list(SAMPLE_COLS)})
           SELECT id, run_id, ${list(SAMPLE_COLS)} FROM main.samples WHERE run_id = ? ORDER BY id`,
        ).run(runId);
        db.prepare(
          `INSERT INTO ${p}.evaluations (id, run_id, ${list(EVALUATION_COLS)})
           SELECT id, run_id, ${list(EVALUATION_COLS)} FROM main.evaluations WHERE run_id = ? ORDER BY id`,
        ).run(runId);
        if (datasetName !== undefined) {
          db.prepare(
            `INSERT INTO ${p}.datasets (${list(DATASET_COLS)}) SELECT ${list(DATASET_COLS)} FROM main.datasets WHERE name = ?`,
          ).run(datasetName);
        }
      }).deferred();
    });
  } catch (e) {
    if (created) {
      try {
        unlinkSync(out);
      } catch {
        // leave it: the error below says what went wrong
      }
    }
    if (e instanceof CfmError) throw e;
    throw fail(reasonOf(e));
  }
}

export interface ImportOutcome {
  readonly runId: number;
  readonly dataset: DatasetImport | null;
}

export function importRunFile(db: BetterSqlite3Database, inPath: string): ImportOutcome {
  const file = path.resolve(inPath);
  const notExport = (why: string): CfmError =>
    new CfmError('invalid_input', `import ${file}: ${why}; give a file written by export`, 'path');
  const state = inspectFile(file);
  if (state === 'missing') throw new CfmError('not_found', `import ${file}: no such file`, 'path');
  if (state !== 'sqlite') throw notExport('not an SQLite database');

  // Read the version without writing to the file.
  let version: number;
  let runs: number;
  const probe = new Database(file, { readonly: true, fileMustExist: true });
  try {
    version = userVersion(probe);
    const hasRuns = probe.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'runs'").get();
    runs = version > 0 && hasRuns ? (probe.prepare('SELECT count(*) FROM runs').pluck().get() as number) : -1;
  } catch (e) {
    throw notExport(`cannot be read (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    probe.close();
  }
  if (version > SCHEMA_VERSION) {
    throw new CfmError(
      'database',
      `import ${file}: schema version ${version} is newer than this program understands (${SCHEMA_VERSION}); update CFM Workbench`,
      'path',
    );
  }
  if (version === 0 || runs < 0) throw notExport('it holds no CFM Workbench schema');
  if (runs !== 1) throw notExport(`it holds ${runs} runs, expected exactly 1`);

  // An older export is migrated on a private copy: the user's file stays as it is.
  let source = file;
  let tempDir: string | undefined;
  if (version < SCHEMA_VERSION && MIGRATIONS.length > 0) {
    tempDir = mkdtempSync(path.join(tmpdir(), 'cfm-import-'));
    source = path.join(tempDir, 'run.sqlite');
    try {
      copyFileSync(file, source);
    } catch (e) {
      rmSync(tempDir, { recursive: true, force: true });
      throw notExport(`cannot be copied for upgrading (${fsReason(e)})`);
    }
    const copy = new Database(source);
    try {
      migrate(copy, source);
    } finally {
      copy.close();
    }
  }

  try {
    return withAttached(db, source, () =>
      db.transaction((): ImportOutcome => {
        const p = ALIAS;
        const src = db.prepare(`SELECT r.id AS run_id, e.name AS experiment FROM ${p}.runs r JOIN ${p}.experiments e ON e.id = r.experiment_id`).get() as
          | { run_id: number; experiment: string }
          | undefined;
        if (!src) throw notExport('its run has no experiment');
        db.prepare(
          `INSERT INTO main.experiments (name, created_at)
           SELECT name, created_at FROM ${p}.experiments WHERE name = ? ON CONFLICT (name) DO NOTHING`,
        ).run(src.experiment);
        const expId = db.prepare('SELECT id FROM main.experiments WHERE name = ?').pluck().get(src.experiment) as number;
        const runId = Number(
          db.prepare(
            `INSERT INTO main.runs (experiment_id, status, parent_run_id, pid, ${list(RUN_COLS)})
             SELECT ?, ${STATUS_COPY}, NULL, NULL, ${list(RUN_COLS)} FROM ${p}.runs WHERE id = ?`,
          ).run(expId, src.run_id).lastInsertRowid,
        );
        db.prepare(
          `INSERT INTO main.metrics (run_id, ${list(METRIC_COLS)})
           SELECT ?, ${list(METRIC_COLS)} FROM ${p}.metrics WHERE run_id = ?`,
        ).run(runId, src.run_id);
        db.prepare(
          `INSERT INTO main.checkpoints (run_id, ${list(CHECKPOINT_COLS)})
           SELECT ?, ${list(CHECKPOINT_COLS)} FROM ${p}.checkpoints WHERE run_id = ? ORDER BY id`,
        ).run(runId, src.run_id);
        db.prepare(
          `INSERT INTO main.samples (run_id, ${list(SAMPLE_COLS)})
           SELECT ?, ${list(SAMPLE_COLS)} FROM ${p}.samples WHERE run_id = ? ORDER BY id`,
        ).run(runId, src.run_id);
        db.prepare(
          `INSERT INTO main.evaluations (run_id, ${list(EVALUATION_COLS)})
           SELECT ?, ${list(EVALUATION_COLS)} FROM ${p}.evaluations WHERE run_id = ? ORDER BY id`,
        ).run(runId, src.run_id);

        let dataset: DatasetImport | null = null;
        const carried = db.prepare(`SELECT name FROM ${p}.datasets ORDER BY id`).pluck().all() as string[];
        for (const name of carried) {
          const existing = db
            .prepare(
              `SELECT (m.kind = x.kind AND m.dim = x.dim AND m.train = x.train AND m.validation = x.validation
                       AND m.test = x.test) AS same
               FROM main.datasets m JOIN ${p}.datasets x ON x.name = m.name WHERE m.name = ?`,
            )
            .get(name) as { same: number } | undefined;
          if (existing) {
            dataset = { name, outcome: existing.same ? 'same' : 'differs' };
          } else {
            db.prepare(
              `INSERT INTO main.datasets (${list(DATASET_COLS)}) SELECT ${list(DATASET_COLS)} FROM ${p}.datasets WHERE name = ?`,
            ).run(name);
            dataset = { name, outcome: 'added' };
          }
        }
        return { runId, dataset };
      }).immediate(),
    );
  } finally {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}
