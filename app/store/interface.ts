/**
 * The store's typed records and operations: everything the rest of the app may
 * ask of the database, and nothing about how (the SQL lives in sqlite.ts and
 * migrations/, the only files in the project that contain SQL; see Signal
 * Desktop's ts/sql/Interface.ts for the pattern).
 *
 * Conventions at this boundary:
 * - times (createdAt, startedAt, finishedAt, wallTime) are milliseconds since
 *   the Unix epoch (Date.now()); `seconds` is training wall time in seconds;
 * - float arrays travel as Float32Array (Points) or Float64Array (metric
 *   series), never as JSON number lists; returned arrays are fresh copies;
 * - a metric value of NaN is kept (SQLite stores it as NULL; read back as NaN);
 * - write operations are each one transaction: a crash leaves all or nothing.
 */
import type { Points } from '../engine/points.js';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses after which a run is no longer training or waiting to. */
export const ENDED_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>(['completed', 'failed', 'cancelled', 'interrupted']);

export const DATASET_KINDS = ['builtin', 'import'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export interface ExperimentRecord {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  /** Number of runs in the experiment. */
  readonly runCount: number;
}

export interface RunRecord {
  readonly id: number;
  readonly experimentId: number;
  readonly experiment: string;
  readonly name: string;
  /** The run's configuration as it was given to createRun (parsed JSON). */
  readonly config: unknown;
  readonly seed: number;
  readonly status: RunStatus;
  readonly backend: string;
  /** The run this one was distilled from (rectified-flow reflow); null once that run is deleted. */
  readonly parentRunId: number | null;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** Last completed optimisation step. */
  readonly step: number;
  readonly totalSteps: number;
  /** Training wall time in seconds (excludes time spent queued or stopped). */
  readonly seconds: number;
  readonly tags: readonly string[];
  readonly notes: string;
  readonly error: string | null;
  /** Process id of the trainer while the run is running. */
  readonly pid: number | null;
}

export interface NewRun {
  readonly experimentName: string;
  /** Default: `${experimentName}-${id}`. */
  readonly name?: string;
  /** Any JSON-serialisable value. */
  readonly config: unknown;
  readonly seed: number;
  readonly backend: string;
  readonly totalSteps: number;
  readonly parentRunId?: number;
  readonly tags?: readonly string[];
  readonly notes?: string;
}

export type RunPatch = Partial<{
  status: RunStatus;
  backend: string;
  startedAt: number | null;
  finishedAt: number | null;
  step: number;
  totalSteps: number;
  seconds: number;
  error: string | null;
  pid: number | null;
  name: string;
  tags: readonly string[];
  notes: string;
}>;

export interface RunFilter {
  readonly experiment?: string;
  readonly status?: RunStatus | readonly RunStatus[];
  readonly tag?: string;
}

export interface MetricRow {
  readonly step: number;
  readonly wallTime: number;
  readonly name: string;
  readonly value: number;
}

/** One scalar metric of one run, in increasing step order. */
export interface MetricSeries {
  readonly steps: Float64Array;
  readonly wallTimes: Float64Array;
  readonly values: Float64Array;
}

export interface MetricPoint {
  readonly step: number;
  readonly wallTime: number;
  readonly value: number;
}

export interface CheckpointInfo {
  readonly step: number;
  readonly createdAt: number;
  readonly bytes: number;
}

export interface Checkpoint {
  readonly step: number;
  readonly createdAt: number;
  /** A fresh copy (byteOffset 0, owns its buffer). */
  readonly data: Uint8Array;
}

export interface DatasetMeta {
  /** Column names of an imported file. */
  readonly columns?: readonly string[];
  /** File the data was imported from. */
  readonly source?: string;
  /** Seed of a generated (builtin) dataset or of the split. */
  readonly seed?: number;
  readonly [key: string]: unknown;
}

export interface NewDataset {
  readonly name: string;
  readonly kind: DatasetKind;
  readonly train: Points;
  readonly validation: Points;
  readonly test: Points;
  readonly meta?: DatasetMeta;
}

export interface DatasetInfo {
  readonly id: number;
  readonly name: string;
  readonly kind: DatasetKind;
  readonly dim: number;
  readonly nTrain: number;
  readonly nValidation: number;
  readonly nTest: number;
  readonly meta: DatasetMeta;
  readonly createdAt: number;
}

export interface DatasetRecord extends DatasetInfo {
  readonly train: Points;
  readonly validation: Points;
  readonly test: Points;
}

export interface NewSample {
  readonly runId: number;
  readonly points: Points;
  readonly solver: string;
  /** Fixed-step solvers: the number of steps; adaptive solvers: null. */
  readonly steps: number | null;
  readonly seed: number;
  /** Number of vector-field evaluations spent. */
  readonly nfe: number;
  readonly checkpointStep: number;
}

export interface SampleInfo {
  readonly id: number;
  readonly runId: number;
  readonly createdAt: number;
  readonly n: number;
  readonly d: number;
  readonly solver: string;
  readonly steps: number | null;
  readonly seed: number;
  readonly nfe: number;
  readonly checkpointStep: number;
}

export interface SampleRecord extends SampleInfo {
  readonly points: Points;
}

export interface NewEvaluation {
  readonly runId: number;
  readonly checkpointStep: number;
  readonly solver: string;
  readonly steps: number | null;
  /** Number of generated points compared. */
  readonly n: number;
  readonly seed: number;
  readonly nfe: number;
  /** Metric name → value; NaN and ±Infinity are kept. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface EvaluationRecord extends NewEvaluation {
  readonly id: number;
  readonly createdAt: number;
}

/** What importRun did with the dataset carried by the file, if any. */
export interface DatasetImport {
  readonly name: string;
  /** added: it was new here; same: an identical one existed; differs: one of that name existed with other data and was kept. */
  readonly outcome: 'added' | 'same' | 'differs';
}

export interface ImportedRun extends RunRecord {
  readonly importedDataset: DatasetImport | null;
}

export interface Store {
  /** Absolute path of the database file (':memory:' for an in-memory store). */
  readonly path: string;

  // experiments
  getOrCreateExperiment(name: string): ExperimentRecord;
  listExperiments(): ExperimentRecord[];

  // runs
  createRun(run: NewRun): RunRecord;
  /** By id (number or digits-only string) or by name; not_found / conflict (ambiguous name) errors. */
  getRun(idOrName: string | number): RunRecord;
  /** Like getRun but undefined when there is no such run (still throws on an ambiguous name). */
  findRun(idOrName: string | number): RunRecord | undefined;
  listRuns(filter?: RunFilter): RunRecord[];
  updateRun(id: number, patch: RunPatch): RunRecord;
  /**
   * updateRun in one step only while the run's status is one of `from` (a
   * compare-and-set: two processes cannot both claim a queued run); undefined
   * when the status was another, not_found when there is no such run.
   */
  transitionRun(id: number, from: readonly RunStatus[], patch: RunPatch): RunRecord | undefined;
  /** Deletes the run with its metrics, checkpoints, samples and evaluations. */
  deleteRun(id: number): void;
  /** Runs marked 'running' whose trainer is gone become 'interrupted'; returns their ids. */
  markStaleRunning(isAlive: (pid: number) => boolean): number[];

  // cancel requests: "please stop" written to the file, for a trainer in any process
  /**
   * Asks whoever trains the run (a worker, a foreground `cfm train` elsewhere)
   * to checkpoint and stop; trainers poll cancelRequested at each metrics flush.
   * Recorded only while the run is queued or running (returns true); false when
   * there is nothing to cancel. A request lasts until the run ends: any change
   * of its status to completed, failed, cancelled or interrupted clears it.
   */
  requestCancel(runId: number): boolean;
  cancelRequested(runId: number): boolean;

  // settings: small JSON values shared by every front end
  /** The stored value, or undefined when the key was never set. */
  getSetting(key: string): unknown;
  setSetting(key: string, value: unknown): void;

  // metrics
  /** All rows in one transaction; a row at an existing (name, step) replaces it. */
  appendMetrics(runId: number, rows: readonly MetricRow[]): void;
  metricNames(runId: number): string[];
  /** Points with step > afterStep (default: all), in step order. */
  metricSeries(runId: number, name: string, afterStep?: number): MetricSeries;
  lastMetric(runId: number, name: string): MetricPoint | undefined;
  /** Removes every metric row with step > step; returns how many. */
  deleteMetricsAfter(runId: number, step: number): number;

  // checkpoints
  /** Keeps the K most recently saved per run (K from openStore, 3 by default); the newest always survives. */
  saveCheckpoint(runId: number, step: number, data: Uint8Array): void;
  /** The most recently saved checkpoint. */
  latestCheckpoint(runId: number): Checkpoint | undefined;
  checkpointAt(runId: number, step: number): Checkpoint | undefined;
  listCheckpoints(runId: number): CheckpointInfo[];

  // datasets
  /** Refuses (conflict) when the name is taken. */
  saveDataset(dataset: NewDataset): DatasetInfo;
  getDataset(name: string): DatasetRecord | undefined;
  listDatasets(): DatasetInfo[];

  // samples
  saveSample(sample: NewSample): SampleInfo;
  getSample(id: number): SampleRecord | undefined;
  listSamples(runId: number): SampleInfo[];
  latestSample(runId: number): SampleRecord | undefined;

  // evaluations
  saveEvaluation(evaluation: NewEvaluation): EvaluationRecord;
  listEvaluations(runId: number): EvaluationRecord[];

  // portability and health
  /** Writes a new SQLite file holding the run (and the named dataset, if given); refuses to overwrite. */
  exportRun(id: number, path: string, datasetName?: string): void;
  /** Copies the run of an exported file into this store under new ids. */
  importRun(path: string): ImportedRun;
  /** PRAGMA integrity_check: 'ok' when the file is sound. */
  integrityCheck(): string;
  close(): void;
}
