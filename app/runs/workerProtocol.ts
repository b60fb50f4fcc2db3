/**
 * The messages between the run manager (host) and its worker processes, one
 * protocol for both roles: a trainer trains one run, the compute worker runs
 * jobs one at a time. Messages travel by structured clone (Node's 'advanced'
 * IPC serialisation, Electron's MessagePort), so Float32Arrays cross intact.
 *
 *   host -> worker: init, then train (trainer) or job* (compute); cancel; shutdown
 *   worker -> host: ready | started, progress*, snapshot*, done | result, failed
 *
 * A worker is another process, possibly another build: the host validates
 * everything a worker sends (zod) before acting on it. Errors cross as
 * ApiError values ({ code, field, message }), never as stack traces.
 */
import { z } from 'zod';
import type { ApiError, ProgressEvent, SnapshotEvent } from '../contract.js';
import { SOLVERS, type FixedSolverName } from '../engine/ode/types.js';
import type { ErrorCode } from '../errors.js';
import { RUN_STATUSES } from '../store/interface.js';
import type { ComputeKind } from './managerTypes.js';

// ---------------------------------------------------------------- host -> worker

/** What a trainer draws for the live view every `snapshotEvery` steps. */
export interface SnapshotSettings {
  /** Generated points (from the same source draw every time, so the cloud moves smoothly). */
  n: number;
  /** Trajectories kept: the first k of the n points. */
  trajectories: number;
  solver: FixedSolverName;
  steps: number;
  /** 2-D runs: times at which the vector field is drawn on a grid (empty: none). */
  fieldTimes: number[];
  fieldGrid: number;
}

export const DEFAULT_SNAPSHOT: SnapshotSettings = { n: 1000, trajectories: 30, solver: 'euler', steps: 20, fieldTimes: [0, 0.5, 1], fieldGrid: 20 };

/** Compute jobs of the contract, plus a debug probe of the worker's tfjs memory. */
export type JobKind = ComputeKind | 'memory';

export type HostMessage =
  /** First message: the database file both sides share, and the tfjs backend (default CFM_BACKEND, else the best). */
  | { type: 'init'; db: string; backend?: string }
  | { type: 'train'; runId: number; snapshotEvery?: number; snapshot: SnapshotSettings }
  | { type: 'job'; id: number; kind: JobKind; params: unknown }
  /** Trainer: checkpoint and stop (the run becomes 'cancelled'). */
  | { type: 'cancel' }
  /** Close the database and exit (after the current job). */
  | { type: 'shutdown' };

// ---------------------------------------------------------------- worker -> host

const ERROR_CODES = ['invalid_input', 'not_found', 'conflict', 'database', 'numeric', 'backend', 'cancelled', 'internal'] as const satisfies readonly ErrorCode[];

/** Any number, Infinity and NaN included (an unknown ETA is Infinity); zod's number() refuses those. */
const anyNumber = z.custom<number>((v) => typeof v === 'number', 'expected a number');
const count = z.number().int().min(0);
const runId = z.number().int().positive();
const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array');

export const ApiErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  field: z.string().optional(),
  message: z.string(),
}) satisfies z.ZodType<ApiError>;

const ProgressEventSchema = z.object({
  type: z.literal('progress'),
  run: runId,
  step: count,
  totalSteps: count,
  loss: anyNumber,
  lr: anyNumber,
  stepsPerSecond: anyNumber,
  etaSeconds: anyNumber,
  elapsedSeconds: anyNumber,
}) satisfies z.ZodType<ProgressEvent>;

const SnapshotEventSchema = z.object({
  type: z.literal('snapshot'),
  run: runId,
  step: count,
  d: z.number().int().positive(),
  samples: f32,
  times: z.array(anyNumber),
  trajectory: z.array(f32),
  field: z
    .object({ grid: count, extent: anyNumber, times: z.array(anyNumber), positions: f32, vectors: z.array(f32) })
    .optional(),
}) satisfies z.ZodType<SnapshotEvent>;

export const WorkerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int(), backend: z.object({ name: z.string(), description: z.string() }) }),
  /** The run is marked running; training continues from `step`. */
  z.object({ type: z.literal('started'), runId, step: count }),
  z.object({ type: z.literal('progress'), event: ProgressEventSchema }),
  z.object({ type: z.literal('snapshot'), event: SnapshotEventSchema }),
  /** Training ended; the database already says so. */
  z.object({ type: z.literal('done'), runId, status: z.enum(RUN_STATUSES), step: count, error: z.string().nullable() }),
  z.object({ type: z.literal('result'), id: z.number().int(), value: z.unknown() }),
  /** A job failed (id), or the worker could not init or train (id null). */
  z.object({ type: z.literal('failed'), id: z.number().int().nullable(), error: ApiErrorSchema }),
]);

export type WorkerMessage = z.infer<typeof WorkerMessageSchema>;

// ---------------------------------------------------------------- job results

const solverName = z.enum(SOLVERS);

/** What each job must return; a result that does not parse is a protocol error, reported as such. */
export const JOB_RESULT_SCHEMAS = {
  sample: z.object({
    run: runId,
    sampleId: runId.nullable(),
    n: count,
    d: z.number().int().positive(),
    points: f32,
    nfe: count,
    checkpointStep: count,
    seconds: anyNumber,
    times: z.array(anyNumber).optional(),
    trajectory: z.array(f32).optional(),
  }),
  evaluate: z.object({
    run: runId,
    evaluation: runId,
    checkpointStep: count,
    n: count,
    solver: solverName,
    steps: count.nullable(),
    nfe: count,
    w1: anyNumber,
    w2: anyNumber,
    mmd: anyNumber,
    npe: anyNumber,
    pathEnergy: anyNumber,
    nll: anyNumber.optional(),
    seconds: anyNumber,
  }),
  vectorField: z.object({ run: runId, t: anyNumber, grid: count, positions: f32, vectors: f32 }),
  density: z.object({ run: runId, grid: count, extent: anyNumber, logp: f32, nfe: count }),
  info: z.object({ name: z.string(), description: z.string() }),
  memory: z.object({ numTensors: count, numBytes: count }),
} as const satisfies Record<JobKind, z.ZodType>;

export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
}

/** An error as it crosses the boundary: code, field, one-line message; nothing else. */
export function toApiError(e: unknown, context?: string): ApiError {
  const c = e as { name?: unknown; code?: unknown; field?: unknown; message?: unknown } | null;
  if (c && c.name === 'CfmError' && typeof c.code === 'string' && (ERROR_CODES as readonly string[]).includes(c.code)) {
    return {
      code: c.code as ErrorCode,
      ...(typeof c.field === 'string' ? { field: c.field } : {}),
      message: firstLine(String(c.message)),
    };
  }
  // Unexpected errors keep their detail in the worker's log, not in what clients see.
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`cfm worker: internal error${context ? ` in ${context}` : ''}: ${e instanceof Error && e.stack ? e.stack : message}\n`);
  return { code: 'internal', message: `${context ? `${context}: ` : ''}internal error in the worker process; the server log has the details` };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0].trim();
  return line.length > 1000 ? `${line.slice(0, 997)}...` : line;
}
