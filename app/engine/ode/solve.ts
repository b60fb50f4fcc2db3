/**
 * One entry to every solver: checks the user's options once (each bad value
 * becomes a CfmError naming the field and the fix), fills defaults, and runs
 * the fixed-step or adaptive loop on an OdeSystem. integrate() and
 * logLikelihood() both come through here, so they accept the same options.
 */
import { invalid } from '../../errors.js';
import type { tf } from '../backend.js';
import { solveDopri5 } from './dopri5.js';
import { solveFixed } from './rk.js';
import { cloneState } from './state.js';
import { TABLEAUS } from './tableaus.js';
import { SOLVERS, type OdeSystem, type SolveResult, type SolveSettings, type SolverName, type StepObserver } from './types.js';

export interface SolverOptions {
  solver: SolverName;
  /** Fixed-step solvers: equal steps over [t0, t1] (default 100). Not used by dopri5. */
  steps?: number;
  /** dopri5: absolute tolerance (default 1e-5). Not used by fixed-step solvers. */
  atol?: number;
  /** dopri5: relative tolerance (default 1e-5). Not used by fixed-step solvers. */
  rtol?: number;
  /** dopri5: attempted steps before it gives up with an error (default 10000). */
  maxSteps?: number;
}

export const SOLVER_DEFAULTS = { steps: 100, atol: 1e-5, rtol: 1e-5, maxSteps: 10_000 } as const;

export function isSolverName(s: string): s is SolverName {
  return (SOLVERS as readonly string[]).includes(s);
}

function positiveInteger(field: string, v: unknown, example: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw invalid(field, `${String(v)} is not a positive integer; use a whole number of at least 1, e.g. ${example}`);
  }
  return v;
}

function positiveNumber(field: string, v: unknown, example: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw invalid(field, `${String(v)} is not a positive number; use a tolerance above 0, e.g. ${example}`);
  }
  return v;
}

function finiteNumber(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw invalid(field, `${String(v)} is not a finite number; give a time such as 0 or 1`);
  }
  return v;
}

/** Validate options and fill defaults. Times default to t0 = 0, t1 = 1. */
export function resolveSolveSettings(o: SolverOptions & { t0?: number; t1?: number }): SolveSettings {
  const solver = o.solver as unknown;
  if (typeof solver !== 'string' || !isSolverName(solver)) {
    throw invalid('solver', `unknown solver "${String(solver)}"; use one of ${SOLVERS.join(', ')}`);
  }
  return {
    solver,
    steps: o.steps === undefined ? SOLVER_DEFAULTS.steps : positiveInteger('steps', o.steps, SOLVER_DEFAULTS.steps),
    atol: o.atol === undefined ? SOLVER_DEFAULTS.atol : positiveNumber('atol', o.atol, SOLVER_DEFAULTS.atol),
    rtol: o.rtol === undefined ? SOLVER_DEFAULTS.rtol : positiveNumber('rtol', o.rtol, SOLVER_DEFAULTS.rtol),
    maxSteps:
      o.maxSteps === undefined ? SOLVER_DEFAULTS.maxSteps : positiveInteger('maxSteps', o.maxSteps, SOLVER_DEFAULTS.maxSteps),
    t0: o.t0 === undefined ? 0 : finiteNumber('t0', o.t0),
    t1: o.t1 === undefined ? 1 : finiteNumber('t1', o.t1),
  };
}

/**
 * Solve dy/dt = F(t, y) from s.t0 to s.t1 (t1 < t0 integrates backwards).
 * y0 is not disposed; the returned state is new and owned by the caller.
 */
export async function solveSystem(
  F: OdeSystem,
  y0: readonly tf.Tensor[],
  s: SolveSettings,
  observe?: StepObserver,
): Promise<SolveResult> {
  if (s.t0 === s.t1) {
    if (observe) await observe(s.t0, y0);
    return { y: cloneState(y0), steps: 0, rejected: 0 };
  }
  if (s.solver === 'dopri5') {
    return solveDopri5(F, y0, { t0: s.t0, t1: s.t1, atol: s.atol, rtol: s.rtol, maxSteps: s.maxSteps, observe });
  }
  return solveFixed(F, TABLEAUS[s.solver], y0, s.t0, s.t1, s.steps, observe);
}
