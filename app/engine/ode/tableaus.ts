/**
 * Butcher tableaus of the fixed-step explicit Runge-Kutta methods. A method is
 * data: stage k_i = F(t + c_i h, y + h sum_j a_ij k_j), step y' = y + h sum_i b_i k_i.
 * Each has as many stages as it costs evaluations of the vector field per step.
 *
 *   euler     (order 1)  y' = y + h F(t, y)
 *   midpoint  (order 2)  k2 at t + h/2, y + h/2 k1; y' = y + h k2
 *   heun      (order 2)  explicit trapezoid: k2 at t + h, y + h k1; y' = y + h/2 (k1 + k2)
 *   rk4       (order 4)  the classical Runge-Kutta method
 */
import type { FixedSolverName } from './types.js';

export interface ButcherTableau {
  /** Global order of accuracy. */
  readonly order: number;
  /** Stage times as fractions of h. */
  readonly c: readonly number[];
  /** Strictly lower-triangular: a[i] has i entries (a[0] is empty). */
  readonly a: readonly (readonly number[])[];
  /** Weights of the stages in the step. */
  readonly b: readonly number[];
}

export const TABLEAUS: Readonly<Record<FixedSolverName, ButcherTableau>> = {
  euler: { order: 1, c: [0], a: [[]], b: [1] },
  midpoint: { order: 2, c: [0, 0.5], a: [[], [0.5]], b: [0, 1] },
  heun: { order: 2, c: [0, 1], a: [[], [1]], b: [0.5, 0.5] },
  rk4: {
    order: 4,
    c: [0, 0.5, 0.5, 1],
    a: [[], [0.5], [0, 0.5], [0, 0, 1]],
    b: [1 / 6, 1 / 3, 1 / 3, 1 / 6],
  },
};
