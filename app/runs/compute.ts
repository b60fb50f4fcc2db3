/**
 * The compute jobs, as they run inside the compute worker (never in the host):
 *
 * - sample: n points from the run's latest checkpoint (saved, as `cfm sample`
 *   does); with trajectories = k > 0 also the saved times and, per time, the
 *   first k rows of x_t (integrate's trajectory option).
 * - evaluate: evaluateRun (W1, W2, MMD, path energy, NFE; NLL when asked).
 * - vectorField: v_theta(t, x) on a grid x in [-extent, extent]^2 (2-D runs).
 * - density: log q_1(x) on the same kind of grid by the instantaneous change of
 *   variables (engine/likelihood.ts), which needs the N(0, I) source's density.
 * - info: the backend this worker chose.
 *
 * Grids are row-major from (-extent, -extent): point k = j * grid + i sits at
 * (x_i, y_j), x_i = -extent + 2 extent i / (grid - 1), likewise y_j. The default
 * extent is 1.2 x the largest |coordinate| of a 2,000-point preview of the
 * run's dataset (and, for the field, of its source too, since the field
 * carries source points at small t), or 6 when no preview can be drawn.
 */
import { CfmError } from '../errors.js';
import { currentBackend, tf } from '../engine/backend.js';
import { logLikelihood } from '../engine/likelihood.js';
import type { Mlp } from '../engine/model/mlp.js';
import { Rng } from '../engine/rng.js';
import type { DensityView, EvaluationResultView, SampleView, VectorFieldView } from '../contract.js';
import type { RunConfig } from '../engine/train/config.js';
import type { RunRecord, Store } from '../store/interface.js';
import type { ComputeJobs } from './managerTypes.js';
import { evaluateRun } from './evaluate.js';
import { loadRunModel } from './model.js';
import { sampleRun } from './sample.js';
import { pointSampler } from './samplers.js';
import type { JobKind, WorkerMemory } from './workerProtocol.js';

const PREVIEW_POINTS = 2000;
const PREVIEW_SEED = 0x9e7;
const EXTENT_MARGIN = 1.2;
export const FALLBACK_EXTENT = 6;

export async function computeSample(store: Store, p: ComputeJobs['sample']['params']): Promise<SampleView> {
  const k = p.trajectories;
  const r = await sampleRun(store, p.run, { n: p.n, solver: p.solver, steps: p.steps, atol: p.atol, rtol: p.rtol, seed: p.seed, trajectory: k > 0, save: p.save });
  const { points } = r;
  const rows = Math.min(k, points.n);
  return {
    run: r.runId,
    sampleId: r.sampleId,
    n: points.n,
    d: points.d,
    points: points.data,
    nfe: r.nfe,
    checkpointStep: r.checkpointStep,
    seconds: r.seconds,
    ...(k > 0 && r.trajectory && r.times
      ? { times: r.times, trajectory: r.trajectory.map((a) => a.slice(0, rows * points.d)) }
      : {}),
  };
}

export async function computeEvaluate(store: Store, p: ComputeJobs['evaluate']['params']): Promise<EvaluationResultView> {
  const r = await evaluateRun(store, p.run, {
    n: p.n,
    solver: p.solver,
    steps: p.steps,
    atol: p.atol,
    rtol: p.rtol,
    seed: p.seed,
    ...(p.nll !== undefined ? { nllPoints: p.nll } : {}),
  });
  return {
    run: r.runId,
    evaluation: r.evaluationId,
    checkpointStep: r.checkpointStep,
    n: r.n,
    solver: r.solver,
    steps: r.steps,
    nfe: r.nfe,
    w1: r.w1,
    w2: r.w2,
    mmd: r.mmd,
    npe: r.npe,
    pathEnergy: r.pathEnergy,
    ...(r.nll !== undefined ? { nll: r.nll } : {}),
    seconds: r.seconds,
  };
}

export async function computeVectorField(store: Store, p: ComputeJobs['vectorField']['params']): Promise<VectorFieldView> {
  const record = store.getRun(p.run);
  return withModel(store, record, 'vectorField', async (mlp, config) => {
    const extent = p.extent ?? defaultExtent(store, [config.dataset, config.source]);
    const positions = gridPoints(p.grid, extent);
    const x = tf.tensor2d(positions, [p.grid * p.grid, 2]);
    try {
      const v = mlp.velocity(p.t, x);
      const vectors = new Float32Array(await v.data());
      v.dispose();
      return { run: record.id, t: p.t, grid: p.grid, positions, vectors };
    } finally {
      x.dispose();
    }
  });
}

export async function computeDensity(store: Store, p: ComputeJobs['density']['params']): Promise<DensityView> {
  const record = store.getRun(p.run);
  return withModel(store, record, 'densityGrid', async (mlp, config) => {
    if (config.source !== 'gaussian') {
      throw new CfmError(
        'invalid_input',
        `densityGrid: run ${record.id} (${record.name}) flows from "${config.source}", whose density is unknown; a density grid needs a run with the gaussian source`,
        'run',
      );
    }
    const extent = p.extent ?? defaultExtent(store, [config.dataset]);
    const x = tf.tensor2d(gridPoints(p.grid, extent), [p.grid * p.grid, 2]);
    try {
      const r = await logLikelihood((t, y) => mlp.velocity(t, y), x, {
        solver: p.solver,
        steps: p.steps,
        atol: p.atol,
        rtol: p.rtol,
        rng: new Rng(p.seed),
      });
      return { run: record.id, grid: p.grid, extent, logp: r.logp, nfe: r.nfe };
    } finally {
      x.dispose();
    }
  });
}

export function computeInfo(): ComputeJobs['info']['result'] {
  const b = currentBackend();
  return { name: b.name, description: b.description };
}

export function computeMemory(): WorkerMemory {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

/** Runs one job by name; params are the contract's parsed inputs (the host parsed them). */
export async function runComputeJob(store: Store, kind: JobKind, params: unknown): Promise<unknown> {
  switch (kind) {
    case 'sample':
      return computeSample(store, params as ComputeJobs['sample']['params']);
    case 'evaluate':
      return computeEvaluate(store, params as ComputeJobs['evaluate']['params']);
    case 'vectorField':
      return computeVectorField(store, params as ComputeJobs['vectorField']['params']);
    case 'density':
      return computeDensity(store, params as ComputeJobs['density']['params']);
    case 'info':
      return computeInfo();
    case 'memory':
      return computeMemory();
    default:
      throw new CfmError('invalid_input', `job: unknown kind "${String(kind)}"`, 'kind');
  }
}

/** The run's 2-D model for a grid job; a clear error for any other dimension. */
async function withModel<T>(store: Store, record: RunRecord, what: string, fn: (mlp: Mlp, config: RunConfig) => Promise<T>): Promise<T> {
  const { mlp, config } = loadRunModel(store, record);
  try {
    if (mlp.config.dim !== 2) {
      throw new CfmError(
        'invalid_input',
        `${what}: run ${record.id} (${record.name}) models ${mlp.config.dim}-D data; grids are drawn for 2-D runs only (use sampleRun for the points)`,
        'run',
      );
    }
    return await fn(mlp, config);
  } finally {
    mlp.dispose();
  }
}

/** 1.2 x max |coordinate| over previews of the named datasets; FALLBACK_EXTENT if none can be drawn. */
export function defaultExtent(store: Store, datasets: readonly string[]): number {
  let max = 0;
  for (const name of datasets) {
    try {
      const pts = pointSampler(store, name, 2).sample(PREVIEW_POINTS, new Rng(PREVIEW_SEED));
      for (const v of pts.data) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
    } catch {
      // A dataset deleted since training: the other previews, or the fallback, still serve.
    }
  }
  return max > 0 ? EXTENT_MARGIN * max : FALLBACK_EXTENT;
}

/** grid x grid points (x, y), row-major from (-extent, -extent). */
export function gridPoints(grid: number, extent: number): Float32Array {
  const out = new Float32Array(grid * grid * 2);
  const step = (2 * extent) / (grid - 1);
  for (let j = 0; j < grid; j++) {
    for (let i = 0; i < grid; i++) {
      const k = j * grid + i;
      out[2 * k] = -extent + i * step;
      out[2 * k + 1] = -extent + j * step;
    }
  }
  return out;
}
