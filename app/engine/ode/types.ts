/**
 * The shapes every solver shares. A trained vector field is a VelocityFn
 * v(t, x) on a batch x of shape [n, d] (one t for the whole batch). Solvers work
 * on an OdeSystem: dy/dt = F(t, y) where the state y is a list of tensors (x
 * plus augmented quantities such as kinetic energy or log-density change), so
 * that x and what rides along with it are stepped by one method, to one order.
 */
import type { tf } from '../backend.js';

/** v(t, x): x is [n, d], t one scalar; returns a new [n, d] tensor the caller owns. */
export type VelocityFn = (t: number, x: tf.Tensor2D) => tf.Tensor2D;

/** A state: component 0 is x [n, d]; later components are augmented ones (e.g. [n]). */
export type State = tf.Tensor[];

/** dy/dt = F(t, y). Returns new tensors (one per component) that the caller owns. */
export type OdeSystem = (t: number, y: readonly tf.Tensor[]) => State;

export const FIXED_SOLVERS = ['euler', 'midpoint', 'heun', 'rk4'] as const;
export const ADAPTIVE_SOLVERS = ['dopri5'] as const;
/** Every solver name a user may pass, fixed-step first. */
export const SOLVERS = [...FIXED_SOLVERS, ...ADAPTIVE_SOLVERS] as const;

export type FixedSolverName = (typeof FIXED_SOLVERS)[number];
export type AdaptiveSolverName = (typeof ADAPTIVE_SOLVERS)[number];
export type SolverName = (typeof SOLVERS)[number];

/** Options after validation and defaults: what the solver loops read. */
export interface SolveSettings {
  solver: SolverName;
  /** Fixed-step solvers: number of equal steps over [t0, t1]. */
  steps: number;
  /** dopri5: absolute and relative tolerance of the local error. */
  atol: number;
  rtol: number;
  t0: number;
  t1: number;
  /** dopri5: attempted steps (accepted + rejected) before giving up. */
  maxSteps: number;
}

/** Called at t0 and after every accepted step with the current state (not owned). */
export type StepObserver = (t: number, y: readonly tf.Tensor[]) => Promise<void> | void;

export interface SolveResult {
  /** Final state, owned by the caller. */
  y: State;
  /** Accepted steps. */
  steps: number;
  /** Rejected steps (adaptive solvers only; 0 otherwise). */
  rejected: number;
}
