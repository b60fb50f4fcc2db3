/**
 * Scores a run against held-out data: n generated points versus n held-out
 * target points by exact W1 and W2 (optimal assignment), MMD, the normalized
 * path energy |E int ||v||^2 dt - W2^2(q0, q1)| / W2^2(q0, q1) (W2 between the
 * same n source points and the held-out targets), and the solver's NFE.
 * Held-out and source draws use separate seeds so they never coincide with training draws.
 */
import { tf } from '../engine/backend.js';
import { generate } from '../engine/generate.js';
import { logLikelihood } from '../engine/likelihood.js';
import { mmd } from '../engine/metrics/mmd.js';
import { normalizedPathEnergy } from '../engine/metrics/pathEnergy.js';
import { wasserstein } from '../engine/metrics/wasserstein.js';
import { SOLVER_DEFAULTS } from '../engine/ode/solve.js';
import type { SolverName } from '../engine/ode/types.js';
import { Rng } from '../engine/rng.js';
import type { Mlp } from '../engine/model/mlp.js';
import type { Points } from '../engine/points.js';
import { CfmError, invalid } from '../errors.js';
import type { Store } from '../store/interface.js';
import { loadRunModel } from './model.js';
import { heldOutPoints, pointSampler } from './samplers.js';

export interface EvaluateOptions {
  n: number;
  solver: SolverName;
  steps?: number;
  atol?: number;
  rtol?: number;
  seed: number;
  /** Also estimate the NLL of this many held-out points (0: skip; needs the gaussian source). */
  nllPoints?: number;
}

export interface EvaluationResult {
  runId: number;
  evaluationId: number;
  checkpointStep: number;
  n: number;
  solver: SolverName;
  steps: number | null;
  nfe: number;
  w1: number;
  w2: number;
  mmd: number;
  /** E int_0^1 ||v(t, x_t)||^2 dt over the generated trajectories. */
  pathEnergy: number;
  npe: number;
  /** Mean negative log-likelihood (nats per point) of held-out points, when asked for. */
  nll?: number;
  nllPoints?: number;
  seconds: number;
}

/** Streams of the evaluation's two draws, apart from the seed the user gives. */
const HELD_OUT_STREAM = 0x0e7a1;
const SOURCE_STREAM = 0x50c3;
const NLL_STREAM = 0x2c1;

export async function evaluateRun(store: Store, run: number | string, o: EvaluateOptions): Promise<EvaluationResult> {
  const record = store.getRun(run);
  const { mlp, config, checkpointStep } = loadRunModel(store, record);
  const started = performance.now();
  try {
    const target = heldOutPoints(store, config.dataset, o.n, new Rng((o.seed + HELD_OUT_STREAM) | 0));
    const n = target.n;
    if (n < 2) {
      throw new CfmError('invalid_input', `dataset: "${config.dataset}" holds ${n} held-out point(s); evaluation compares at least 2 (import a file with 20 or more rows)`, 'dataset');
    }
    const source = pointSampler(store, config.source, mlp.config.dim, 'source');
    const x0 = source.sample(n, new Rng((o.seed + SOURCE_STREAM) | 0));
    const g = await generate(mlp, x0, { solver: o.solver, steps: o.steps, atol: o.atol, rtol: o.rtol, energy: true });
    const w1 = wasserstein(g.points, target, 1);
    const w2 = wasserstein(g.points, target, 2);
    const m = mmd(g.points, target);
    const w2Source = wasserstein(x0, target, 2);
    const pathEnergy = g.energy ?? NaN;
    const npe = normalizedPathEnergy(pathEnergy, w2Source * w2Source);
    const steps = o.solver === 'dopri5' ? null : (o.steps ?? SOLVER_DEFAULTS.steps);
    const nll = o.nllPoints ? await heldOutNll(mlp, target, Math.min(o.nllPoints, n), config.source, o) : undefined;
    const metrics = { w1, w2, mmd: m, npe, path_energy: pathEnergy, nfe: g.nfe, ...(nll !== undefined ? { nll } : {}) };
    const saved = store.saveEvaluation({ runId: record.id, checkpointStep, solver: o.solver, steps, n, seed: o.seed, nfe: g.nfe, metrics });
    return {
      runId: record.id,
      evaluationId: saved.id,
      checkpointStep,
      n,
      solver: o.solver,
      steps,
      nfe: g.nfe,
      w1,
      w2,
      mmd: m,
      pathEnergy,
      npe,
      ...(nll !== undefined ? { nll, nllPoints: Math.min(o.nllPoints ?? 0, n) } : {}),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    mlp.dispose();
  }
}

/** -mean log q(x) over the first k held-out points, by the instantaneous change of variables. */
async function heldOutNll(mlp: Mlp, target: Points, k: number, source: string, o: EvaluateOptions): Promise<number> {
  if (source !== 'gaussian') {
    throw invalid('nll', `the likelihood needs a source with a known density; run ${JSON.stringify(source)} has none, so leave out --nll`);
  }
  const x = tf.tensor2d(target.data.subarray(0, k * target.d), [k, target.d]);
  try {
    const { logp } = await logLikelihood((t, y) => mlp.velocity(t, y), x, {
      solver: o.solver,
      steps: o.steps,
      atol: o.atol,
      rtol: o.rtol,
      rng: new Rng((o.seed + NLL_STREAM) | 0),
    });
    return -logp.reduce((a, b) => a + b, 0) / k;
  } finally {
    x.dispose();
  }
}
