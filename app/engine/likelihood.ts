/**
 * Exact log-likelihood of a continuous normalising flow by the instantaneous
 * change of variables (Chen et al. 2018, FFJORD): along dx/dt = v(t, x),
 * d log q_t(x_t)/dt = -div v(t, x_t), hence
 *
 *   log q1(x1) = log p0(x0) - int_0^1 div v(t, x_t) dt,
 *
 * with x0 found by integrating back from x1 at t = 1 to t = 0. We integrate the
 * augmented state (x, l), dl/dt = div v, from t = 1 to 0 with l(1) = 0, so
 * l(0) = -int_0^1 div v dt and log q1(x1) = log p0(x0) + l(0). x and l share one
 * solver (and, for dopri5, one error control), so l has the solver's order.
 *
 * Divergence (see ode/divergence.ts): 'exact' (d vector-Jacobian products),
 * 'hutchinson' (unbiased, fixed noise), 'auto' = exact for d <= 8.
 *
 *   const { logp } = await logLikelihood(v, x1, { solver: 'dopri5', rng: new Rng(0) });
 */
import { CfmError, invalid } from '../errors.js';
import { tf } from './backend.js';
import { divergenceSystem, type DivergenceEstimator } from './ode/divergence.js';
import { checkBatch } from './ode/integrate.js';
import { resolveSolveSettings, solveSystem, type SolverOptions } from './ode/solve.js';
import { disposeState } from './ode/state.js';
import type { State, VelocityFn } from './ode/types.js';
import type { Rng } from './rng.js';

export const DIVERGENCE_MODES = ['exact', 'hutchinson', 'auto'] as const;
export type DivergenceMode = (typeof DIVERGENCE_MODES)[number];
/** 'auto' uses the exact divergence up to this dimension. */
export const AUTO_EXACT_MAX_DIM = 8;

export interface LikelihoodOptions extends SolverOptions {
  /** Default 'auto'. */
  divergence?: DivergenceMode;
  /** Hutchinson probes per point (default 1); the estimate averages them. */
  hutchinsonSamples?: number;
  /** Hutchinson probe distribution (default 'gaussian'); Rademacher has lower variance. */
  hutchinsonNoise?: 'gaussian' | 'rademacher';
  /** Draws the Hutchinson probes (unused by the exact divergence). */
  rng: Rng;
  /** log p0 per point; default standard normal. */
  sourceLogProb?: (x0: tf.Tensor2D) => tf.Tensor1D;
}

export interface LikelihoodResult {
  /** log q1(x1) per point (nats). */
  logp: Float32Array;
  /** Calls of f (each a forward and a backward pass, possibly on a tiled batch). */
  nfe: number;
  /** Accepted and rejected solver steps. */
  steps: number;
  rejected: number;
  /** The divergence actually used ('auto' resolved). */
  divergence: 'exact' | 'hutchinson';
}

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(x; 0, I) per row: -|x|^2 / 2 - d/2 log(2 pi). */
export function standardNormalLogProb(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.mul(tf.sum(tf.square(x), 1), -0.5), 0.5 * x.shape[1] * LOG_2PI) as tf.Tensor1D);
}

function resolveDivergence(mode: unknown, d: number): 'exact' | 'hutchinson' {
  const m = mode === undefined ? 'auto' : mode;
  if (typeof m !== 'string' || !(DIVERGENCE_MODES as readonly string[]).includes(m)) {
    throw invalid('divergence', `unknown divergence "${String(m)}"; use one of ${DIVERGENCE_MODES.join(', ')}`);
  }
  if (m === 'auto') return d <= AUTO_EXACT_MAX_DIM ? 'exact' : 'hutchinson';
  return m as 'exact' | 'hutchinson';
}

function drawProbes(rng: Rng, count: number, noise: unknown): Float32Array {
  const out = new Float32Array(count);
  if (noise === undefined || noise === 'gaussian') return rng.fillNormal(out);
  if (noise === 'rademacher') {
    for (let i = 0; i < count; i++) out[i] = rng.uniform() < 0.5 ? -1 : 1;
    return out;
  }
  throw invalid('hutchinsonNoise', `unknown noise "${String(noise)}"; use gaussian or rademacher`);
}

export async function logLikelihood(f: VelocityFn, x1: tf.Tensor2D, opts: LikelihoodOptions): Promise<LikelihoodResult> {
  const settings = resolveSolveSettings({ ...opts, t0: 1, t1: 0 });
  checkBatch('x1', x1);
  const [n, d] = x1.shape;
  const divergence = resolveDivergence(opts.divergence, d);
  let est: DivergenceEstimator = { kind: 'exact' };
  if (divergence === 'hutchinson') {
    const samples = opts.hutchinsonSamples ?? 1;
    if (!Number.isInteger(samples) || samples <= 0) {
      throw invalid('hutchinsonSamples', `${String(samples)} is not a positive integer; use 1 or more probes per point`);
    }
    if (!opts.rng || typeof opts.rng.normal !== 'function') {
      throw invalid('rng', 'the Hutchinson divergence needs a seeded Rng; pass rng: new Rng(seed)');
    }
    const eps = drawProbes(opts.rng, samples * n * d, opts.hutchinsonNoise);
    est = { kind: 'hutchinson', samples, probes: tf.tensor2d(eps, [samples * n, d]) };
  }

  const counter = { nfe: 0 };
  const l1 = tf.zeros([n]);
  let y: State | null = null;
  try {
    const res = await solveSystem(divergenceSystem(f, est, counter), [x1, l1], settings);
    y = res.y;
    const x0 = y[0] as tf.Tensor2D;
    const l0 = y[1];
    const sourceLogProb = opts.sourceLogProb ?? standardNormalLogProb;
    const logp0 = tf.tidy(() => sourceLogProb(x0));
    if (logp0.rank !== 1 || logp0.shape[0] !== n) {
      const shape = logp0.shape.join(', ');
      logp0.dispose();
      throw new CfmError('internal', `sourceLogProb: returned shape [${shape}] for ${n} points; it must return [${n}]`);
    }
    const total = tf.add(logp0, l0);
    logp0.dispose();
    const logp = (await total.data()).slice() as Float32Array;
    total.dispose();
    return { logp, nfe: counter.nfe, steps: res.steps, rejected: res.rejected, divergence };
  } finally {
    disposeState(y);
    l1.dispose();
    if (est.kind === 'hutchinson') est.probes.dispose();
  }
}
