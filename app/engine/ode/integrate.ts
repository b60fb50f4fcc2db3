/**
 * Integrate a vector field: x(t1) = x(t0) + int_{t0}^{t1} v(t, x(t)) dt, for a
 * batch of points at once (sampling runs it from t = 0 to 1; the likelihood
 * runs backwards, t1 < t0).
 *
 * Optional kinetic energy, the regulariser / diagnostic of OT-CFM papers:
 *   energy = mean over points of int_{[t0, t1]} ||v(t, x_t)||^2 dt,
 * integrated as an extra state e' = ||v||^2 stepped by the same solver, so it has
 * the solver's order and costs no extra evaluations. (For t1 < t0 the integral
 * is over the same interval, so energy is never negative.)
 *
 * `nfe` counts calls of f exactly. Tensors: x0 is not disposed; the returned x
 * is new and owned by the caller; nothing else survives.
 *
 *   const { x, nfe } = await integrate(v, x0, { solver: 'rk4', steps: 20 });
 */
import { CfmError, invalid } from '../../errors.js';
import { tf } from '../backend.js';
import { resolveSolveSettings, solveSystem, type SolverOptions } from './solve.js';
import { disposeState } from './state.js';
import type { OdeSystem, State, StepObserver, VelocityFn } from './types.js';

export { SOLVERS, type SolverName, type VelocityFn } from './types.js';

export interface IntegrateOptions extends SolverOptions {
  /** Start time (default 0). */
  t0?: number;
  /** End time (default 1); may be below t0. */
  t1?: number;
  /** Read x back at t0 and after every accepted step. */
  trajectory?: boolean;
  /** Also integrate the kinetic energy (see above). */
  energy?: boolean;
}

export interface IntegrateResult {
  /** x(t1), [n, d], owned by the caller. */
  x: tf.Tensor2D;
  /** Calls of f. */
  nfe: number;
  /** Accepted steps. */
  steps: number;
  /** Rejected steps (dopri5; 0 for fixed-step solvers). */
  rejected: number;
  /** With `trajectory`: the saved times, t0 first, t1 last. */
  times?: number[];
  /** With `trajectory`: x at each saved time, row-major [n * d]. */
  trajectory?: Float32Array[];
  /** With `energy`: mean over points of int ||v||^2 dt. */
  energy?: number;
}

/** Wrap f as an OdeSystem on [x] or [x, e], counting calls and checking shapes. */
export function velocitySystem(f: VelocityFn, withEnergy: boolean, counter: { nfe: number }): OdeSystem {
  return (t, y) => {
    const x = y[0] as tf.Tensor2D;
    const v = f(t, x);
    counter.nfe++;
    if (v.rank !== 2 || v.shape[0] !== x.shape[0] || v.shape[1] !== x.shape[1]) {
      throw new CfmError(
        'internal',
        `velocity: the field returned shape [${v.shape.join(', ')}] for x of shape [${x.shape.join(', ')}]; it must return the shape of x`,
      );
    }
    return withEnergy ? [v, tf.sum(tf.square(v), 1)] : [v];
  };
}

/** x must be a non-empty [n, d] batch. */
export function checkBatch(field: string, x: tf.Tensor): void {
  if (x.rank !== 2) {
    throw invalid(field, `expected a 2-D tensor [n, d] of points, got shape [${x.shape.join(', ')}]; reshape to [n, d]`);
  }
  if (x.shape[0] === 0 || x.shape[1] === 0) {
    throw invalid(field, `the batch has shape [${x.shape.join(', ')}]; pass at least one point of at least one dimension`);
  }
}

export async function integrate(f: VelocityFn, x0: tf.Tensor2D, opts: IntegrateOptions): Promise<IntegrateResult> {
  const settings = resolveSolveSettings(opts);
  checkBatch('x0', x0);
  const counter = { nfe: 0 };
  const withEnergy = opts.energy === true;
  const times: number[] | undefined = opts.trajectory ? [] : undefined;
  const trajectory: Float32Array[] | undefined = opts.trajectory ? [] : undefined;
  const observe: StepObserver | undefined =
    times && trajectory
      ? async (t, y) => {
          times.push(t);
          trajectory.push((await y[0].data()).slice() as Float32Array);
        }
      : undefined;

  const e0 = withEnergy ? tf.zeros([x0.shape[0]]) : null;
  let y: State | null = null;
  try {
    const res = await solveSystem(velocitySystem(f, withEnergy, counter), e0 ? [x0, e0] : [x0], settings, observe);
    y = res.y;
    let energy: number | undefined;
    if (withEnergy) {
      const m = tf.mean(y[1]);
      energy = Math.sign(settings.t1 - settings.t0) * (await m.data())[0];
      m.dispose();
      if (energy === 0) energy = 0; // not -0
    }
    const x = y[0] as tf.Tensor2D;
    for (let i = 1; i < y.length; i++) y[i].dispose();
    y = null;
    return {
      x,
      nfe: counter.nfe,
      steps: res.steps,
      rejected: res.rejected,
      ...(times && trajectory ? { times, trajectory } : {}),
      ...(energy !== undefined ? { energy } : {}),
    };
  } catch (e) {
    disposeState(y);
    throw e;
  } finally {
    e0?.dispose();
  }
}
