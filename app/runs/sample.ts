/**
 * Draws n samples from a run's trained field and records them (points, solver,
 * NFE, the checkpoint step) so they can be found and compared later.
 */
import { generate } from '../engine/generate.js';
import { SOLVER_DEFAULTS } from '../engine/ode/solve.js';
import type { SolverName } from '../engine/ode/types.js';
import type { Points } from '../engine/points.js';
import { Rng } from '../engine/rng.js';
import type { Store } from '../store/interface.js';
import { loadRunModel } from './model.js';
import { pointSampler } from './samplers.js';

export interface SampleOptions {
  n: number;
  solver: SolverName;
  steps?: number;
  atol?: number;
  rtol?: number;
  seed: number;
  trajectory?: boolean;
  /** Store the samples (default true). */
  save?: boolean;
}

export interface SampleResult {
  runId: number;
  /** null when the samples were not stored (save: false). */
  sampleId: number | null;
  points: Points;
  nfe: number;
  checkpointStep: number;
  seconds: number;
  trajectory?: Float32Array[];
  times?: number[];
}

export async function sampleRun(store: Store, run: number | string, o: SampleOptions): Promise<SampleResult> {
  const record = store.getRun(run);
  const { mlp, config, checkpointStep } = loadRunModel(store, record);
  try {
    const source = pointSampler(store, config.source, mlp.config.dim, 'source');
    const x0 = source.sample(o.n, new Rng(o.seed));
    const started = performance.now();
    const g = await generate(mlp, x0, { solver: o.solver, steps: o.steps, atol: o.atol, rtol: o.rtol, trajectory: o.trajectory });
    const seconds = (performance.now() - started) / 1000;
    // A preview (a UI redrawing a finished run) need not leave a stored sample set behind.
    const info =
      o.save === false
        ? null
        : store.saveSample({
            runId: record.id,
            points: g.points,
            solver: o.solver,
            steps: o.solver === 'dopri5' ? null : (o.steps ?? SOLVER_DEFAULTS.steps),
            seed: o.seed,
            nfe: g.nfe,
            checkpointStep,
          });
    return {
      runId: record.id,
      sampleId: info?.id ?? null,
      points: g.points,
      nfe: g.nfe,
      checkpointStep,
      seconds,
      ...(g.trajectory ? { trajectory: g.trajectory, times: g.times } : {}),
    };
  } finally {
    mlp.dispose();
  }
}
