/**
 * Rows as SQLite returns them (snake_case columns) and their mapping to the
 * typed records of interface.ts. JSON columns are parsed here; evaluation
 * metrics keep NaN and +-Infinity, which JSON lacks, as the strings "NaN",
 * "Infinity" and "-Infinity".
 */
import { invalid } from '../errors.js';
import type { Points } from '../engine/points.js';
import { blobToBytes, blobToFloat32 } from './blob.js';
import type {
  Checkpoint,
  DatasetInfo,
  DatasetKind,
  DatasetMeta,
  EvaluationRecord,
  ExperimentRecord,
  RunRecord,
  RunStatus,
  SampleInfo,
  SampleRecord,
} from './interface.js';

export interface ExperimentRow {
  id: number;
  name: string;
  created_at: number;
  run_count: number;
}

export interface CheckpointRow {
  step: number;
  created_at: number;
  data: Buffer;
}

export interface RunRow {
  id: number;
  experiment_id: number;
  experiment: string;
  name: string;
  config: string;
  seed: number;
  status: RunStatus;
  backend: string;
  parent_run_id: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  step: number;
  total_steps: number;
  seconds: number;
  tags: string;
  notes: string;
  error: string | null;
  pid: number | null;
}

export interface DatasetInfoRow {
  id: number;
  name: string;
  kind: DatasetKind;
  dim: number;
  n_train: number;
  n_validation: number;
  n_test: number;
  meta: string;
  created_at: number;
}

export interface DatasetRow extends DatasetInfoRow {
  train: Buffer;
  validation: Buffer;
  test: Buffer;
}

export interface SampleInfoRow {
  id: number;
  run_id: number;
  created_at: number;
  n: number;
  d: number;
  solver: string;
  steps: number | null;
  seed: number;
  nfe: number;
  checkpoint_step: number;
}

export interface EvaluationRow {
  id: number;
  run_id: number;
  created_at: number;
  checkpoint_step: number;
  solver: string;
  steps: number | null;
  n: number;
  seed: number;
  nfe: number;
  metrics: string;
}

export function toExperiment(r: ExperimentRow): ExperimentRecord {
  return { id: r.id, name: r.name, createdAt: r.created_at, runCount: r.run_count };
}

export function toCheckpoint(r: CheckpointRow): Checkpoint {
  return { step: r.step, createdAt: r.created_at, data: blobToBytes(r.data) };
}

export function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    experimentId: r.experiment_id,
    experiment: r.experiment,
    name: r.name,
    config: JSON.parse(r.config) as unknown,
    seed: r.seed,
    status: r.status,
    backend: r.backend,
    parentRunId: r.parent_run_id,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    step: r.step,
    totalSteps: r.total_steps,
    seconds: r.seconds,
    tags: JSON.parse(r.tags) as string[],
    notes: r.notes,
    error: r.error,
    pid: r.pid,
  };
}

export function toDatasetInfo(r: DatasetInfoRow): DatasetInfo {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    dim: r.dim,
    nTrain: r.n_train,
    nValidation: r.n_validation,
    nTest: r.n_test,
    meta: JSON.parse(r.meta) as DatasetMeta,
    createdAt: r.created_at,
  };
}

export function toSampleInfo(r: SampleInfoRow): SampleInfo {
  return {
    id: r.id,
    runId: r.run_id,
    createdAt: r.created_at,
    n: r.n,
    d: r.d,
    solver: r.solver,
    steps: r.steps,
    seed: r.seed,
    nfe: r.nfe,
    checkpointStep: r.checkpoint_step,
  };
}

export function toSample(r: SampleInfoRow & { data: Buffer }): SampleRecord {
  const points: Points = { data: blobToFloat32(r.data, `sample ${r.id}`), n: r.n, d: r.d };
  return { ...toSampleInfo(r), points };
}

export function toEvaluation(r: EvaluationRow): EvaluationRecord {
  return {
    id: r.id,
    runId: r.run_id,
    createdAt: r.created_at,
    checkpointStep: r.checkpoint_step,
    solver: r.solver,
    steps: r.steps,
    n: r.n,
    seed: r.seed,
    nfe: r.nfe,
    metrics: decodeMetrics(r.metrics),
  };
}

/** JSON has no NaN or Infinity: those are stored as the strings "NaN", "Infinity", "-Infinity". */
export function encodeMetrics(metrics: Readonly<Record<string, number>>): string {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw invalid('metrics', 'must be an object of metric name to number');
  }
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== 'number') throw invalid('metrics', `"${k}" is not a number`);
    out[k] = Number.isFinite(v) ? v : String(v);
  }
  return JSON.stringify(out);
}

export function decodeMetrics(json: string): Record<string, number> {
  const raw = JSON.parse(json) as Record<string, number | string>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = typeof v === 'number' ? v : Number(v);
  return out;
}

