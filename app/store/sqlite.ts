/**
 * The Store on better-sqlite3: the app's queries live here, in transfer.ts
 * (export/import), open.ts (connection settings) and migrations/ (schema). Synchronous by design: SQLite calls are short,
 * and the trainer writes metrics from its own process.
 *
 * Concurrency: several processes share the file (WAL). Every multi-statement
 * write is a BEGIN IMMEDIATE transaction, which takes the write lock up front
 * and so waits on busy_timeout instead of failing with SQLITE_BUSY_SNAPSHOT
 * when another process committed between its read and its write.
 */
import { CfmError, invalid } from '../errors.js';
import { blobToFloat32, bytesToBlob, float32ToBlob } from './blob.js';
import { classifySqliteError, type BetterSqlite3Database } from './open.js';
import {
  encodeMetrics,
  toCheckpoint,
  toDatasetInfo,
  toExperiment,
  toEvaluation,
  toRun,
  toSample,
  toSampleInfo,
  type CheckpointRow,
  type DatasetInfoRow,
  type DatasetRow,
  type EvaluationRow,
  type ExperimentRow,
  type RunRow,
  type SampleInfoRow,
} from './rows.js';
import { exportRunFile, importRunFile } from './transfer.js';
import {
  checkFinite,
  checkId,
  checkInt,
  checkName,
  checkPoints,
  checkRunName,
  checkStatus,
  checkText,
  datasetExists,
  runNotFound,
  tagsJson,
  toJson,
} from './validate.js';
import {
  DATASET_KINDS,
  ENDED_STATUSES,
  type RunStatus,
  type Checkpoint,
  type CheckpointInfo,
  type DatasetInfo,
  type DatasetRecord,
  type EvaluationRecord,
  type ExperimentRecord,
  type ImportedRun,
  type MetricPoint,
  type MetricRow,
  type MetricSeries,
  type NewDataset,
  type NewEvaluation,
  type NewRun,
  type NewSample,
  type RunFilter,
  type RunPatch,
  type RunRecord,
  type SampleInfo,
  type SampleRecord,
  type Store,
} from './interface.js';
import type { Statement } from 'better-sqlite3';

export interface SqliteStoreOptions {
  /** Checkpoints kept per run (the most recently saved); default 3; Infinity keeps all. */
  readonly keepCheckpoints?: number;
}

export const DEFAULT_KEEP_CHECKPOINTS = 3;

const RUN_SELECT = `SELECT r.*, e.name AS experiment FROM runs r JOIN experiments e ON e.id = r.experiment_id`;
const EXPERIMENT_SELECT = `SELECT e.id, e.name, e.created_at,
  (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) AS run_count FROM experiments e`;
const CHECKPOINT_SELECT = 'SELECT step, created_at, data FROM checkpoints';
const DATASET_INFO_COLS = 'id, name, kind, dim, n_train, n_validation, n_test, meta, created_at';
const SAMPLE_INFO_COLS = 'id, run_id, created_at, n, d, solver, steps, seed, nfe, checkpoint_step';

export class SqliteStore implements Store {
  readonly path: string;
  private readonly db: BetterSqlite3Database;
  private readonly keep: number;
  private readonly statements = new Map<string, Statement>();

  constructor(db: BetterSqlite3Database, path: string, opts: SqliteStoreOptions = {}) {
    const keep = opts.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS;
    if (!(keep === Infinity || (Number.isInteger(keep) && keep >= 1))) {
      throw invalid('keepCheckpoints', `${keep} is not a whole number >= 1; at least the newest checkpoint is kept`);
    }
    this.db = db;
    this.path = path;
    this.keep = keep;
  }

  // ---- plumbing -------------------------------------------------------------

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Runs fn in one BEGIN IMMEDIATE transaction; file-level failures become database errors. */
  private write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw classifySqliteError(e, this.path);
    }
  }

  private requireRun(runId: number): void {
    checkId('run', runId);
    if (!this.stmt('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw runNotFound(runId);
  }

  // ---- experiments ----------------------------------------------------------

  getOrCreateExperiment(name: string): ExperimentRecord {
    checkName('experiment', name);
    return this.write(() => {
      this.stmt('INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(
        name,
        Date.now(),
      );
      return this.experimentByName(name)!;
    });
  }

  private experimentByName(name: string): ExperimentRecord | undefined {
    const row = this.stmt(`${EXPERIMENT_SELECT} WHERE e.name = ?`).get(name) as ExperimentRow | undefined;
    return row && toExperiment(row);
  }

  listExperiments(): ExperimentRecord[] {
    return (this.stmt(`${EXPERIMENT_SELECT} ORDER BY e.id`).all() as ExperimentRow[]).map(toExperiment);
  }

  // ---- runs -----------------------------------------------------------------

  createRun(run: NewRun): RunRecord {
    checkName('experiment', run.experimentName);
    if (run.name !== undefined) checkRunName(run.name);
    const config = toJson('config', run.config);
    checkInt('seed', run.seed, -Number.MAX_SAFE_INTEGER);
    checkInt('totalSteps', run.totalSteps, 0);
    checkText('backend', run.backend);
    const tags = run.tags === undefined ? '[]' : tagsJson(run.tags);
    if (run.notes !== undefined && typeof run.notes !== 'string') throw invalid('notes', 'must be text');
    if (run.parentRunId !== undefined) checkId('parentRunId', run.parentRunId);
    const id = this.write(() => {
      if (run.parentRunId !== undefined && !this.stmt('SELECT 1 FROM runs WHERE id = ?').get(run.parentRunId)) {
        throw new CfmError('not_found', `parentRunId: run ${run.parentRunId} does not exist; give the id of an existing run`, 'parentRunId');
      }
      this.stmt('INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(
        run.experimentName,
        Date.now(),
      );
      const exp = this.stmt('SELECT id FROM experiments WHERE name = ?').get(run.experimentName) as { id: number };
      const info = this.stmt(
        `INSERT INTO runs (experiment_id, name, config, seed, status, backend, parent_run_id, created_at,
                           total_steps, tags, notes)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      ).run(
        exp.id,
        run.name ?? '',
        config,
        run.seed,
        run.backend,
        run.parentRunId ?? null,
        Date.now(),
        run.totalSteps,
        tags,
        run.notes ?? '',
      );
      const newId = Number(info.lastInsertRowid);
      if (run.name === undefined) {
        this.stmt('UPDATE runs SET name = ? WHERE id = ?').run(`${run.experimentName}-${newId}`, newId);
      }
      return newId;
    });
    return this.runById(id)!;
  }

  private runById(id: number): RunRecord | undefined {
    const row = this.stmt(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  findRun(idOrName: string | number): RunRecord | undefined {
    if (typeof idOrName === 'number') {
      checkId('run', idOrName);
      return this.runById(idOrName);
    }
    if (typeof idOrName !== 'string' || idOrName.trim() === '') {
      throw invalid('run', 'give a run id or name');
    }
    const key = idOrName.trim();
    if (/^\d+$/.test(key)) return this.runById(Number(key));
    const rows = this.stmt(`${RUN_SELECT} WHERE r.name = ? ORDER BY r.id`).all(key) as RunRow[];
    if (rows.length > 1) {
      throw new CfmError(
        'conflict',
        `run "${key}": ${rows.length} runs have this name (ids ${rows.map((r) => r.id).join(', ')}); give the id instead`,
        'run',
      );
    }
    return rows.length === 1 ? toRun(rows[0]) : undefined;
  }

  getRun(idOrName: string | number): RunRecord {
    const run = this.findRun(idOrName);
    if (!run) {
      throw new CfmError('not_found', `run ${JSON.stringify(idOrName)}: no such run; list runs to see their ids and names`, 'run');
    }
    return run;
  }

  listRuns(filter: RunFilter = {}): RunRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.experiment !== undefined) {
      where.push('e.name = ?');
      params.push(filter.experiment);
    }
    if (filter.status !== undefined) {
      const statuses = (typeof filter.status === 'string' ? [filter.status] : filter.status) as readonly string[];
      for (const s of statuses) checkStatus(s);
      if (statuses.length === 0) return [];
      where.push(`r.status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (filter.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(r.tags) WHERE json_each.value = ?)');
      params.push(filter.tag);
    }
    const sql = `${RUN_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id`;
    return (this.stmt(sql).all(...params) as RunRow[]).map(toRun);
  }

  updateRun(id: number, patch: RunPatch): RunRecord {
    const run = this.patchRun(id, patch, null);
    if (!run) throw runNotFound(id);
    return run;
  }

  transitionRun(id: number, from: readonly RunStatus[], patch: RunPatch): RunRecord | undefined {
    for (const status of from) checkStatus(status);
    return this.patchRun(id, patch, from);
  }

  /** The UPDATE behind updateRun and transitionRun; with `from`, it applies only while the status is one of them. */
  private patchRun(id: number, patch: RunPatch, from: readonly RunStatus[] | null): RunRecord | undefined {
    checkId('run', id);
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (column: string, value: unknown): void => {
      sets.push(`${column} = ?`);
      params.push(value);
    };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      switch (key) {
        case 'status':
          checkStatus(value);
          set('status', value);
          break;
        case 'backend':
          checkText('backend', value);
          set('backend', value);
          break;
        case 'startedAt':
        case 'finishedAt':
          if (value !== null) checkFinite(key, value);
          set(key === 'startedAt' ? 'started_at' : 'finished_at', value);
          break;
        case 'step':
          checkInt('step', value, 0);
          set('step', value);
          break;
        case 'totalSteps':
          checkInt('totalSteps', value, 0);
          set('total_steps', value);
          break;
        case 'seconds':
          checkFinite('seconds', value);
          set('seconds', value);
          break;
        case 'error':
          if (value !== null && typeof value !== 'string') throw invalid('error', 'must be text or null');
          set('error', value);
          break;
        case 'pid':
          if (value !== null) checkInt('pid', value, 0);
          set('pid', value);
          break;
        case 'name':
          checkRunName(value);
          set('name', value);
          break;
        case 'tags':
          set('tags', tagsJson(value));
          break;
        case 'notes':
          if (typeof value !== 'string') throw invalid('notes', 'must be text');
          set('notes', value);
          break;
        default:
          throw invalid(key, 'is not a field of a run that can be changed');
      }
    }
    const guard = from ? ` AND status IN (${from.map(() => '?').join(', ')})` : '';
    if (sets.length === 0 && from) {
      const current = this.runById(id);
      if (!current) throw runNotFound(id);
      return from.includes(current.status) ? current : undefined;
    }
    if (sets.length > 0) {
      const changes = this.write(() => {
        const n = this.stmt(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?${guard}`).run(...params, id, ...(from ?? [])).changes;
        // A run that ends has nothing left to cancel.
        if (n > 0 && patch.status !== undefined && ENDED_STATUSES.has(patch.status)) this.clearCancelRequest(id);
        return n;
      });
      if (changes === 0) {
        if (!this.runById(id)) throw runNotFound(id);
        return undefined;
      }
    }
    const run = this.runById(id);
    if (!run) throw runNotFound(id);
    return run;
  }

  deleteRun(id: number): void {
    checkId('run', id);
    const changes = this.write(() => this.stmt('DELETE FROM runs WHERE id = ?').run(id).changes);
    if (changes === 0) throw runNotFound(id);
  }

  markStaleRunning(isAlive: (pid: number) => boolean): number[] {
    return this.write(() => {
      const running = this.stmt("SELECT id, pid FROM runs WHERE status = 'running' ORDER BY id").all() as {
        id: number;
        pid: number | null;
      }[];
      const stale: number[] = [];
      for (const { id, pid } of running) {
        if (pid !== null && isAlive(pid)) continue;
        const why =
          pid === null
            ? 'the run was marked running but no trainer process was recorded'
            : `trainer process ${pid} ended without finishing the run`;
        this.stmt(
          "UPDATE runs SET status = 'interrupted', pid = NULL, error = coalesce(error, ?) WHERE id = ?",
        ).run(why, id);
        this.clearCancelRequest(id);
        stale.push(id);
      }
      return stale;
    });
  }

  // ---- cancel requests ------------------------------------------------------

  requestCancel(runId: number): boolean {
    checkId('run', runId);
    return this.write(() => {
      const row = this.stmt('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string } | undefined;
      if (!row) throw runNotFound(runId);
      if (row.status !== 'queued' && row.status !== 'running') return false;
      this.stmt(
        'INSERT INTO cancel_requests (run_id, requested_at) VALUES (?, ?) ON CONFLICT (run_id) DO NOTHING',
      ).run(runId, Date.now());
      return true;
    });
  }

  cancelRequested(runId: number): boolean {
    checkId('run', runId);
    return this.stmt('SELECT 1 FROM cancel_requests WHERE run_id = ?').get(runId) !== undefined;
  }

  /** Inside a write transaction. */
  private clearCancelRequest(runId: number): void {
    this.stmt('DELETE FROM cancel_requests WHERE run_id = ?').run(runId);
  }

  // ---- settings -------------------------------------------------------------

  getSetting(key: string): unknown {
    checkText('key', key);
    const row = this.stmt('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  setSetting(key: string, value: unknown): void {
    checkText('key', key);
    const json = toJson('value', value);
    this.write(() => {
      this.stmt('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(key, json, Date.now());
    });
  }

  // ---- metrics --------------------------------------------------------------

  appendMetrics(runId: number, rows: readonly MetricRow[]): void {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!Number.isSafeInteger(r.step) || r.step < 0) throw invalid('step', `metric row ${i}: step ${r.step} is not a whole number >= 0`);
      if (typeof r.name !== 'string' || r.name === '') throw invalid('name', `metric row ${i}: the name is empty`);
      if (typeof r.value !== 'number') throw invalid('value', `metric row ${i}: value is not a number`);
      if (!Number.isFinite(r.wallTime)) throw invalid('wallTime', `metric row ${i}: wall time ${r.wallTime} is not a finite number`);
    }
    if (rows.length === 0) return;
    const insert = this.stmt(
      `INSERT INTO metrics (run_id, name, step, wall_time, value) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, name, step) DO UPDATE SET wall_time = excluded.wall_time, value = excluded.value`,
    );
    this.write(() => {
      this.requireRun(runId);
      for (const r of rows) insert.run(runId, r.name, r.step, r.wallTime, r.value);
    });
  }

  metricNames(runId: number): string[] {
    return this.stmt('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name').pluck().all(runId) as string[];
  }

  metricSeries(runId: number, name: string, afterStep = -1): MetricSeries {
    const rows = this.stmt(
      'SELECT step, wall_time, value FROM metrics WHERE run_id = ? AND name = ? AND step > ? ORDER BY step',
    )
      .raw()
      .all(runId, name, afterStep) as [number, number, number | null][];
    const steps = new Float64Array(rows.length);
    const wallTimes = new Float64Array(rows.length);
    const values = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [s, w, v] = rows[i];
      steps[i] = s;
      wallTimes[i] = w;
      values[i] = v === null ? NaN : v;
    }
    return { steps, wallTimes, values };
  }

  lastMetric(runId: number, name: string): MetricPoint | undefined {
    const row = this.stmt(
      'SELECT step, wall_time, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step DESC LIMIT 1',
    ).get(runId, name) as { step: number; wall_time: number; value: number | null } | undefined;
    return row && { step: row.step, wallTime: row.wall_time, value: row.value === null ? NaN : row.value };
  }

  deleteMetricsAfter(runId: number, step: number): number {
    checkInt('step', step, -1);
    return this.write(() => this.stmt('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, step).changes);
  }

  // ---- checkpoints ----------------------------------------------------------

  saveCheckpoint(runId: number, step: number, data: Uint8Array): void {
    checkInt('step', step, 0);
    if (!(data instanceof Uint8Array)) throw invalid('data', 'a checkpoint must be bytes (Uint8Array)');
    this.write(() => {
      this.requireRun(runId);
      // Delete then insert, so a re-saved step becomes the most recent one.
      this.stmt('DELETE FROM checkpoints WHERE run_id = ? AND step = ?').run(runId, step);
      this.stmt('INSERT INTO checkpoints (run_id, step, created_at, data) VALUES (?, ?, ?, ?)').run(
        runId,
        step,
        Date.now(),
        bytesToBlob(data),
      );
      if (this.keep !== Infinity) {
        this.stmt(
          `DELETE FROM checkpoints WHERE run_id = ? AND id NOT IN
             (SELECT id FROM checkpoints WHERE run_id = ? ORDER BY id DESC LIMIT ?)`,
        ).run(runId, runId, this.keep);
      }
    });
  }

  latestCheckpoint(runId: number): Checkpoint | undefined {
    const row = this.stmt(`${CHECKPOINT_SELECT} WHERE run_id = ? ORDER BY id DESC LIMIT 1`).get(runId) as CheckpointRow | undefined;
    return row && toCheckpoint(row);
  }

  checkpointAt(runId: number, step: number): Checkpoint | undefined {
    const row = this.stmt(`${CHECKPOINT_SELECT} WHERE run_id = ? AND step = ?`).get(runId, step) as CheckpointRow | undefined;
    return row && toCheckpoint(row);
  }

  listCheckpoints(runId: number): CheckpointInfo[] {
    const rows = this.stmt(
      'SELECT step, created_at, length(data) AS bytes FROM checkpoints WHERE run_id = ? ORDER BY id',
    ).all(runId) as { step: number; created_at: number; bytes: number }[];
    return rows.map((r) => ({ step: r.step, createdAt: r.created_at, bytes: r.bytes }));
  }

  // ---- datasets -------------------------------------------------------------

  saveDataset(dataset: NewDataset): DatasetInfo {
    checkName('name', dataset.name);
    if (!(DATASET_KINDS as readonly string[]).includes(dataset.kind)) {
      throw invalid('kind', `"${dataset.kind}" is not a dataset kind; use one of ${DATASET_KINDS.join(', ')}`);
    }
    const { train, validation, test } = dataset;
    checkPoints('train', train);
    checkPoints('validation', validation);
    checkPoints('test', test);
    if (validation.d !== train.d || test.d !== train.d) {
      throw invalid('dataset', `splits differ in dimension (train ${train.d}, validation ${validation.d}, test ${test.d}); all must match`);
    }
    const meta = toJson('meta', dataset.meta ?? {});
    if (!meta.startsWith('{')) throw invalid('meta', 'must be an object');
    const id = this.write(() => {
      if (this.stmt('SELECT 1 FROM datasets WHERE name = ?').get(dataset.name)) throw datasetExists(dataset.name);
      return Number(
        this.stmt(
          `INSERT INTO datasets (name, kind, dim, n_train, n_validation, n_test, train, validation, test, meta, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          dataset.name,
          dataset.kind,
          train.d,
          train.n,
          validation.n,
          test.n,
          float32ToBlob(train.data),
          float32ToBlob(validation.data),
          float32ToBlob(test.data),
          meta,
          Date.now(),
        ).lastInsertRowid,
      );
    });
    return toDatasetInfo(this.stmt(`SELECT ${DATASET_INFO_COLS} FROM datasets WHERE id = ?`).get(id) as DatasetInfoRow);
  }

  getDataset(name: string): DatasetRecord | undefined {
    const row = this.stmt('SELECT * FROM datasets WHERE name = ?').get(name) as DatasetRow | undefined;
    if (!row) return undefined;
    const what = `dataset "${name}"`;
    return {
      ...toDatasetInfo(row),
      train: { data: blobToFloat32(row.train, what), n: row.n_train, d: row.dim },
      validation: { data: blobToFloat32(row.validation, what), n: row.n_validation, d: row.dim },
      test: { data: blobToFloat32(row.test, what), n: row.n_test, d: row.dim },
    };
  }

  listDatasets(): DatasetInfo[] {
    return (this.stmt(`SELECT ${DATASET_INFO_COLS} FROM datasets ORDER BY name`).all() as DatasetInfoRow[]).map(
      toDatasetInfo,
    );
  }

  // ---- samples --------------------------------------------------------------

  saveSample(sample: NewSample): SampleInfo {
    checkPoints('points', sample.points);
    checkText('solver', sample.solver);
    if (sample.steps !== null) checkInt('steps', sample.steps, 0);
    checkInt('seed', sample.seed, -Number.MAX_SAFE_INTEGER);
    checkInt('nfe', sample.nfe, 0);
    checkInt('checkpointStep', sample.checkpointStep, 0);
    const id = this.write(() => {
      this.requireRun(sample.runId);
      return Number(
        this.stmt(
          `INSERT INTO samples (run_id, created_at, n, d, data, solver, steps, seed, nfe, checkpoint_step)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          sample.runId,
          Date.now(),
          sample.points.n,
          sample.points.d,
          float32ToBlob(sample.points.data),
          sample.solver,
          sample.steps,
          sample.seed,
          sample.nfe,
          sample.checkpointStep,
        ).lastInsertRowid,
      );
    });
    return toSampleInfo(this.stmt(`SELECT ${SAMPLE_INFO_COLS} FROM samples WHERE id = ?`).get(id) as SampleInfoRow);
  }

  getSample(id: number): SampleRecord | undefined {
    const row = this.stmt('SELECT * FROM samples WHERE id = ?').get(id) as (SampleInfoRow & { data: Buffer }) | undefined;
    return row && toSample(row);
  }

  listSamples(runId: number): SampleInfo[] {
    return (
      this.stmt(`SELECT ${SAMPLE_INFO_COLS} FROM samples WHERE run_id = ? ORDER BY id`).all(runId) as SampleInfoRow[]
    ).map(toSampleInfo);
  }

  latestSample(runId: number): SampleRecord | undefined {
    const row = this.stmt('SELECT * FROM samples WHERE run_id = ? ORDER BY id DESC LIMIT 1').get(runId) as
      | (SampleInfoRow & { data: Buffer })
      | undefined;
    return row && toSample(row);
  }

  // ---- evaluations ----------------------------------------------------------

  saveEvaluation(evaluation: NewEvaluation): EvaluationRecord {
    checkInt('checkpointStep', evaluation.checkpointStep, 0);
    checkText('solver', evaluation.solver);
    if (evaluation.steps !== null) checkInt('steps', evaluation.steps, 0);
    checkInt('n', evaluation.n, 0);
    checkInt('seed', evaluation.seed, -Number.MAX_SAFE_INTEGER);
    checkInt('nfe', evaluation.nfe, 0);
    const metrics = encodeMetrics(evaluation.metrics);
    const id = this.write(() => {
      this.requireRun(evaluation.runId);
      return Number(
        this.stmt(
          `INSERT INTO evaluations (run_id, created_at, checkpoint_step, solver, steps, n, seed, nfe, metrics)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          evaluation.runId,
          Date.now(),
          evaluation.checkpointStep,
          evaluation.solver,
          evaluation.steps,
          evaluation.n,
          evaluation.seed,
          evaluation.nfe,
          metrics,
        ).lastInsertRowid,
      );
    });
    return toEvaluation(this.stmt('SELECT * FROM evaluations WHERE id = ?').get(id) as EvaluationRow);
  }

  listEvaluations(runId: number): EvaluationRecord[] {
    return (this.stmt('SELECT * FROM evaluations WHERE run_id = ? ORDER BY id').all(runId) as EvaluationRow[]).map(
      toEvaluation,
    );
  }

  // ---- portability and health -----------------------------------------------

  exportRun(id: number, path: string, datasetName?: string): void {
    this.requireRun(id);
    if (datasetName !== undefined && !this.stmt('SELECT 1 FROM datasets WHERE name = ?').get(datasetName)) {
      throw new CfmError('not_found', `dataset "${datasetName}": no such dataset in ${this.path}`, 'dataset');
    }
    exportRunFile(this.db, id, path, datasetName);
  }

  importRun(path: string): ImportedRun {
    const { runId, dataset } = importRunFile(this.db, path);
    return { ...this.runById(runId)!, importedDataset: dataset };
  }

  integrityCheck(): string {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('\n');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

