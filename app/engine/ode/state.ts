/**
 * Arithmetic on ODE states (lists of tensors, component by component), the
 * one place the solvers combine stages: y + h * sum_j w_j k_j. Zero weights are
 * skipped so that tableaus with sparse rows cost nothing extra.
 */
import { tf } from '../backend.js';
import type { State } from './types.js';

/** Component c of h * sum_j w[j] * ks[j], or null when every weight is zero. Call inside tf.tidy. */
function combine(c: number, h: number, w: readonly number[], ks: readonly State[]): tf.Tensor | null {
  let acc: tf.Tensor | null = null;
  for (let j = 0; j < w.length; j++) {
    if (w[j] === 0) continue;
    const term = tf.mul(ks[j][c], h * w[j]);
    acc = acc === null ? term : tf.add(acc, term);
  }
  return acc;
}

/** y + h * sum_j w[j] * ks[j], per component. Call inside tf.tidy. */
export function axpy(y: readonly tf.Tensor[], h: number, w: readonly number[], ks: readonly State[]): State {
  return y.map((yc, c) => {
    const acc = combine(c, h, w, ks);
    return acc === null ? yc.clone() : tf.add(yc, acc);
  });
}

/** h * sum_j w[j] * ks[j], per component (`like` gives the shapes). Call inside tf.tidy. */
export function weighted(like: readonly tf.Tensor[], h: number, w: readonly number[], ks: readonly State[]): State {
  return like.map((yc, c) => combine(c, h, w, ks) ?? tf.zerosLike(yc));
}

export function disposeState(y: readonly tf.Tensor[] | null | undefined): void {
  if (y) for (const c of y) c.dispose();
}

/** New tensors with the same values (for a zero-length interval). */
export function cloneState(y: readonly tf.Tensor[]): State {
  return y.map((c) => c.clone());
}
