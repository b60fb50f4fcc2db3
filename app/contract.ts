/**
 * The one API every front end calls (CLI, `cfm serve`'s HTTP, Electron's IPC):
 * each method's input as a zod schema (validated at every untrusted boundary),
 * its output and the live events as TypeScript types. The renderer imports
 * types only; the HTTP routes and the IPC bridge are generated from
 * API_METHODS, so adding a method here cannot leave a channel out.
 *
 * Float arrays cross as Float32Array (IPC keeps them; HTTP encodes them, see wire.ts).
 * Errors are values: { code, field?, message }, never stack traces.
 */
import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import { RUN_STATUSES, type RunStatus } from './store/interface.js';

// ---------------------------------------------------------------- shared pieces

const runRef = z.union([z.number().int().positive(), z.string().min(1).max(200)]);
const name = z.string().trim().min(1).max(200);
const seed = z.number().int().min(0).max(2 ** 31 - 1);
const solver = z.enum(['euler', 'midpoint', 'heun', 'rk4', 'dopri5']);
const solverFields = {
  solver: solver.default('dopri5'),
  steps: z.number().int().min(1).max(10_000).optional(),
  atol: z.number().positive().max(1).optional(),
  rtol: z.number().positive().max(1).optional(),
  seed: seed.default(0),
};
/** Config keys are checked in depth by the engine's own RunConfigSchema (one source of truth). */
const configInput = z.record(z.string(), z.unknown());

export const RUN_SORT_KEYS = ['id', 'name', 'status', 'createdAt', 'loss', 'w2', 'nfe', 'seconds'] as const;

// ---------------------------------------------------------------- the methods

export const API_METHODS = {
  /** Backend, database path, concurrency: what the status bar shows. */
  info: z.object({}).strict(),
  getSettings: z.object({}).strict(),
  setSettings: z.object({ concurrency: z.number().int().min(1).max(64) }).strict(),

  listExperiments: z.object({}).strict(),
  listRuns: z
    .object({
      experiment: name.optional(),
      status: z.enum(RUN_STATUSES).optional(),
      tag: name.optional(),
      /** Free text matched against name, experiment, dataset, method, tags and notes. */
      text: z.string().max(200).optional(),
      /** Hyperparameter filter, e.g. `lr < 1e-3 and method = otcfm` (see service/runFilter.ts). */
      where: z.string().max(500).optional(),
      sort: z.enum(RUN_SORT_KEYS).default('id'),
      descending: z.boolean().default(true),
    })
    .strict(),
  getRun: z.object({ run: runRef }).strict(),
  renameRun: z.object({ run: runRef, name }).strict(),
  tagRun: z.object({ run: runRef, tags: z.array(name).max(50) }).strict(),
  noteRun: z.object({ run: runRef, notes: z.string().max(20_000) }).strict(),
  deleteRun: z.object({ run: runRef }).strict(),

  startRun: z
    .object({ config: configInput, experiment: name.optional(), name: name.optional(), tags: z.array(name).max(50).optional() })
    .strict(),
  startSweep: z
    .object({
      config: configInput,
      /** Config key -> values to try; the sweep is their Cartesian product. */
      grid: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1).max(100)),
      seeds: z.number().int().min(1).max(100).default(1),
      experiment: name,
    })
    .strict(),
  cancelRun: z.object({ run: runRef }).strict(),
  resumeRun: z.object({ run: runRef }).strict(),

  sampleRun: z
    .object({
      run: runRef,
      n: z.number().int().min(1).max(100_000).default(2000),
      trajectories: z.number().int().min(0).max(5000).default(0),
      /** false: a preview, not kept in the run's stored samples. */
      save: z.boolean().default(true),
      ...solverFields,
    })
    .strict(),
  evaluateRun: z
    .object({ run: runRef, n: z.number().int().min(2).max(10_000).default(2000), nll: z.number().int().min(1).max(10_000).optional(), ...solverFields })
    .strict(),
  /** A field of arrows v(t, x) on a grid: what the live view's vector-field panel draws. */
  vectorField: z
    .object({ run: runRef, t: z.number().min(0).max(1), grid: z.number().int().min(2).max(100).default(20), extent: z.number().positive().max(1000).optional() })
    .strict(),
  /** log q(x) on a grid (d = 2): the density heatmap. */
  densityGrid: z
    .object({ run: runRef, grid: z.number().int().min(2).max(100).default(40), extent: z.number().positive().max(1000).optional(), ...solverFields })
    .strict(),
  compareRuns: z.object({ runs: z.array(runRef).min(1).max(20), points: z.number().int().min(10).max(10_000).default(1500) }).strict(),
  /** One metric of a run, downsampled to at most `points` buckets keeping min and max. */
  metricSeries: z
    .object({
      run: runRef,
      name: z.string().min(1).max(100).default('loss'),
      points: z.number().int().min(10).max(100_000).default(1500),
      /** Only steps after this one: for appending to a live curve. */
      afterStep: z.number().int().min(0).optional(),
    })
    .strict(),

  listDatasets: z.object({}).strict(),
  previewDataset: z.object({ name, n: z.number().int().min(1).max(100_000).default(2000), seed: seed.default(0) }).strict(),
  importDataset: z
    .object({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, _ . - (up to 64)'),
      /** The file's name, for messages and its format (.csv, .tsv, .txt, .npy). */
      fileName: z.string().min(1).max(500),
      /** The file's bytes. */
      content: z.instanceof(Uint8Array),
      seed: seed.default(0),
    })
    .strict(),
  /** Pairs and x_t clouds of a method and coupling on a dataset, before any training. */
  previewPath: z
    .object({
      dataset: name,
      source: name.default('gaussian'),
      method: z.enum(['icfm', 'otcfm', 'fm', 'sbcfm', 'vp', 'rf', 'affine']).default('otcfm'),
      sigma: z.number().min(0).max(10).default(0.1),
      scheduler: z.enum(['condot', 'polynomial', 'vp', 'linear-vp', 'cosine']).default('condot'),
      /** Exponent of the polynomial scheduler (alpha = t^n), as RunConfigSchema bounds it. */
      schedulerN: z.number().positive().max(20).default(2),
      n: z.number().int().min(2).max(5000).default(256),
      times: z.array(z.number().min(0).max(1)).min(1).max(101).default([0, 0.25, 0.5, 0.75, 1]),
      seed: seed.default(0),
    })
    .strict(),
} as const;

export type ApiMethod = keyof typeof API_METHODS;
export type ApiInput<M extends ApiMethod> = z.input<(typeof API_METHODS)[M]>;
export type ApiParsed<M extends ApiMethod> = z.output<(typeof API_METHODS)[M]>;

// ---------------------------------------------------------------- outputs

export type { RunStatus };

export interface ApiError {
  code: ErrorCode;
  field?: string;
  message: string;
}

export interface InfoView {
  backend: { name: string; description: string };
  database: string;
  concurrency: number;
  version: string;
  /** How to get a GPU when running on the CPU (tfjs-node-gpu's CUDA/cuDNN needs). */
  gpuHelp: string;
}

export interface SettingsView {
  concurrency: number;
}

export interface ExperimentView {
  id: number;
  name: string;
  createdAt: number;
  runCount: number;
}

/** A row of the runs table. */
export interface RunView {
  id: number;
  name: string;
  experiment: string;
  status: RunStatus;
  config: Record<string, unknown>;
  seed: number;
  backend: string;
  parentRunId: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  step: number;
  totalSteps: number;
  seconds: number;
  tags: string[];
  notes: string;
  error: string | null;
  /** Last logged training loss. */
  loss: number | null;
  valLoss: number | null;
  /** From the latest evaluation, if any. */
  w2: number | null;
  nfe: number | null;
}

export interface EvaluationView {
  id: number;
  createdAt: number;
  checkpointStep: number;
  solver: string;
  steps: number | null;
  n: number;
  seed: number;
  nfe: number;
  metrics: Record<string, number>;
}

export interface RunDetail extends RunView {
  metricNames: string[];
  evaluations: EvaluationView[];
  checkpoints: { step: number; createdAt: number; bytes: number }[];
  samples: { id: number; createdAt: number; n: number; d: number; solver: string; steps: number | null; nfe: number; checkpointStep: number }[];
}

/** Buckets of a metric: x is the bucket's last step (and its wall time); min/max keep spikes. */
export interface SeriesView {
  run: number;
  name: string;
  steps: Float64Array;
  wallTimes: Float64Array;
  mean: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** Points before downsampling. */
  total: number;
}

export interface SampleView {
  run: number;
  /** null when the call asked not to store them (save: false). */
  sampleId: number | null;
  n: number;
  d: number;
  points: Float32Array;
  nfe: number;
  checkpointStep: number;
  seconds: number;
  /** trajectories > 0: times and, per time, the first `trajectories` points (row-major). */
  times?: number[];
  trajectory?: Float32Array[];
}

export interface EvaluationResultView {
  run: number;
  evaluation: number;
  checkpointStep: number;
  n: number;
  solver: string;
  steps: number | null;
  nfe: number;
  w1: number;
  w2: number;
  mmd: number;
  npe: number;
  pathEnergy: number;
  nll?: number;
  seconds: number;
}

export interface VectorFieldView {
  run: number;
  t: number;
  grid: number;
  /** grid*grid points (x, y) row-major, and the velocity at each. */
  positions: Float32Array;
  vectors: Float32Array;
}

export interface DensityView {
  run: number;
  grid: number;
  extent: number;
  /** grid*grid log-densities, row-major from (-extent, -extent). */
  logp: Float32Array;
  nfe: number;
}

export interface CompareView {
  runs: RunDetail[];
  /** Config keys whose values differ between the runs. */
  differing: string[];
  curves: SeriesView[];
}

export interface DatasetView {
  name: string;
  kind: 'builtin' | 'import';
  dim: number | 'any';
  description: string;
  nTrain: number | null;
  nValidation: number | null;
  nTest: number | null;
}

export interface PointsView {
  n: number;
  d: number;
  points: Float32Array;
}

export interface PathPreviewView {
  n: number;
  d: number;
  /** Source and target rows after the method's coupling: row i of each is a pair. */
  x0: Float32Array;
  x1: Float32Array;
  times: number[];
  /** x_t for each time, same row order. */
  xt: Float32Array[];
}

export interface ApiOutputs {
  info: InfoView;
  getSettings: SettingsView;
  setSettings: SettingsView;
  listExperiments: ExperimentView[];
  listRuns: RunView[];
  getRun: RunDetail;
  renameRun: RunView;
  tagRun: RunView;
  noteRun: RunView;
  deleteRun: { deleted: number };
  startRun: RunView;
  startSweep: RunView[];
  cancelRun: RunView;
  resumeRun: RunView;
  sampleRun: SampleView;
  evaluateRun: EvaluationResultView;
  vectorField: VectorFieldView;
  densityGrid: DensityView;
  compareRuns: CompareView;
  metricSeries: SeriesView;
  listDatasets: DatasetView[];
  previewDataset: PointsView;
  importDataset: DatasetView;
  previewPath: PathPreviewView;
}

export type ApiOutput<M extends ApiMethod> = ApiOutputs[M];

/** What a front end holds: one async function per method. */
export type WorkbenchApi = { [M in ApiMethod]: (input: ApiInput<M>) => Promise<ApiOutput<M>> };

// ---------------------------------------------------------------- live events

export interface ProgressEvent {
  type: 'progress';
  run: number;
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
  stepsPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

/** Every `snapshotEvery` steps: what the live view redraws. */
export interface SnapshotEvent {
  type: 'snapshot';
  run: number;
  step: number;
  d: number;
  /** Generated samples (n rows). */
  samples: Float32Array;
  /** A few trajectories: per time, the rows of the first k samples. */
  times: number[];
  trajectory: Float32Array[];
  /** 2-D runs: v(t, x) on a grid at the chosen times (same layout as VectorFieldView). */
  field?: SnapshotField;
}

export interface SnapshotField {
  grid: number;
  extent: number;
  times: number[];
  /** grid*grid points (x, y), row-major from (-extent, -extent). */
  positions: Float32Array;
  /** One array of grid*grid velocities per time. */
  vectors: Float32Array[];
}

export interface StatusEvent {
  type: 'status';
  run: number;
  status: RunStatus;
  step: number;
  error: string | null;
}

export type WorkbenchEvent = ProgressEvent | SnapshotEvent | StatusEvent;

/**
 * From the bridge itself, not the service: the event stream was broken and is
 * back, so events may have been missed; views reload what they show.
 */
export interface ResyncEvent {
  type: 'resync';
}

/** What a front end's listeners receive. */
export type BridgeEvent = WorkbenchEvent | ResyncEvent;

/** The whole surface a front end sees as `window.workbench`. */
export interface WorkbenchBridge {
  api: WorkbenchApi;
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: BridgeEvent) => void): () => void;
}
