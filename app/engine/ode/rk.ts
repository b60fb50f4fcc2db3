/**
 * Fixed-step explicit Runge-Kutta: `steps` equal steps h = (t1 - t0) / steps
 * (negative when integrating backwards) with one Butcher tableau. The step
 * times are t0 + (t1 - t0) k / steps, so the last step lands exactly on t1.
 * Each step runs inside one tf.tidy: only the new state survives it.
 */
import { tf } from '../backend.js';
import { axpy, cloneState, disposeState } from './state.js';
import type { ButcherTableau } from './tableaus.js';
import type { OdeSystem, SolveResult, State, StepObserver } from './types.js';

/** One step from (t, y) with step h. Returns the new state (owned); y is untouched. */
export function rkStep(F: OdeSystem, tab: ButcherTableau, t: number, y: readonly tf.Tensor[], h: number): State {
  return tf.tidy(() => {
    const ks: State[] = [];
    for (let i = 0; i < tab.b.length; i++) {
      const yi = i === 0 ? y : axpy(y, h, tab.a[i], ks);
      ks.push(F(t + tab.c[i] * h, yi));
    }
    return axpy(y, h, tab.b, ks);
  });
}

export async function solveFixed(
  F: OdeSystem,
  tab: ButcherTableau,
  y0: readonly tf.Tensor[],
  t0: number,
  t1: number,
  steps: number,
  observe?: StepObserver,
): Promise<SolveResult> {
  let y: State = y0 as State;
  try {
    if (observe) await observe(t0, y);
    for (let k = 0; k < steps; k++) {
      const ta = t0 + ((t1 - t0) * k) / steps;
      const tb = k + 1 === steps ? t1 : t0 + ((t1 - t0) * (k + 1)) / steps;
      const next = rkStep(F, tab, ta, y, tb - ta);
      if (y !== y0) disposeState(y);
      y = next;
      if (observe) await observe(tb, y);
    }
  } catch (e) {
    if (y !== y0) disposeState(y);
    throw e;
  }
  return { y: y === y0 ? cloneState(y0) : y, steps, rejected: 0 };
}
