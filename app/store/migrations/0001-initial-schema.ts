/**
 * Schema version 1: experiments, runs, metrics, checkpoints, datasets, samples,
 * evaluations. Never edit a released migration: add the next numbered file.
 *
 * Times are INTEGER milliseconds since the Unix epoch; float arrays are BLOBs of
 * little-endian float32 whose lengths the CHECKs tie to their shapes; JSON
 * columns are checked with json_valid. Metric values may be NULL: SQLite stores
 * NaN as NULL, and a NaN loss is worth keeping. Checkpoints are ordered by id
 * (insertion order), so "newest" means most recently saved, which stays right
 * when a run resumes from an older step.
 */
import type BetterSqlite3 from 'better-sqlite3';

export const version = 1;

export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE experiments (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
      created_at INTEGER NOT NULL
    );

    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      experiment_id INTEGER NOT NULL REFERENCES experiments(id),
      name TEXT NOT NULL,
      config TEXT NOT NULL CHECK (json_valid(config)),
      seed INTEGER NOT NULL,
      status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
      backend TEXT NOT NULL,
      parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER,
      step INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),
      total_steps INTEGER NOT NULL CHECK (total_steps >= 0),
      seconds REAL NOT NULL DEFAULT 0,
      tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
      notes TEXT NOT NULL DEFAULT '',
      error TEXT,
      pid INTEGER
    );
    CREATE INDEX runs_by_experiment ON runs(experiment_id);
    CREATE INDEX runs_by_name ON runs(name);
    CREATE INDEX runs_by_parent ON runs(parent_run_id);
    CREATE INDEX runs_by_status ON runs(status);

    CREATE TABLE metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      step INTEGER NOT NULL,
      wall_time REAL NOT NULL,
      value REAL,
      PRIMARY KEY (run_id, name, step)
    ) WITHOUT ROWID;

    CREATE TABLE checkpoints (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      data BLOB NOT NULL,
      UNIQUE (run_id, step)
    );

    CREATE TABLE datasets (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
      kind TEXT NOT NULL CHECK (kind IN ('builtin', 'import')),
      dim INTEGER NOT NULL CHECK (dim > 0),
      n_train INTEGER NOT NULL CHECK (n_train >= 0),
      n_validation INTEGER NOT NULL CHECK (n_validation >= 0),
      n_test INTEGER NOT NULL CHECK (n_test >= 0),
      train BLOB NOT NULL CHECK (length(train) = 4 * dim * n_train),
      validation BLOB NOT NULL CHECK (length(validation) = 4 * dim * n_validation),
      test BLOB NOT NULL CHECK (length(test) = 4 * dim * n_test),
      meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta) AND json_type(meta) = 'object'),
      created_at INTEGER NOT NULL
    );

    CREATE TABLE samples (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      created_at INTEGER NOT NULL,
      n INTEGER NOT NULL CHECK (n >= 0),
      d INTEGER NOT NULL CHECK (d > 0),
      data BLOB NOT NULL CHECK (length(data) = 4 * n * d),
      solver TEXT NOT NULL,
      steps INTEGER,
      seed INTEGER NOT NULL,
      nfe INTEGER NOT NULL,
      checkpoint_step INTEGER NOT NULL
    );
    CREATE INDEX samples_by_run ON samples(run_id, id);

    CREATE TABLE evaluations (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      created_at INTEGER NOT NULL,
      checkpoint_step INTEGER NOT NULL,
      solver TEXT NOT NULL,
      steps INTEGER,
      n INTEGER NOT NULL,
      seed INTEGER NOT NULL,
      nfe INTEGER NOT NULL,
      metrics TEXT NOT NULL CHECK (json_valid(metrics) AND json_type(metrics) = 'object')
    );
    CREATE INDEX evaluations_by_run ON evaluations(run_id, id);
  `);
}
