/**
 * dx/dt = v(t, x) together with div v(t, x) = tr(dv/dx), per point, for the
 * instantaneous change of variables (Chen et al. 2018; FFJORD, Grathwohl et al.
 * 2019). Both estimators are vector-Jacobian products e^T (dv/dx) read off one
 * reverse pass, because the points of a batch are independent (row i of v
 * depends only on row i of x), so the gradient of sum(v * P) with respect to x
 * gives every point's own e_i^T J_i at once:
 *
 *   exact       div = sum_{j<d} e_j^T J e_j: d probes, the unit vectors.
 *   hutchinson  div ~ (1/K) sum_k eps_k^T J eps_k, eps_k ~ N(0, I) or Rademacher,
 *               drawn once and held fixed over the whole integration (FFJORD).
 *
 * Probes are stacked along the batch (x tiled g times, one probe per copy), so
 * one forward and one backward pass of f serve g probes; batches are split only
 * when g * n would exceed MAX_ROWS rows. Every such pass is one call of f.
 */
import { CfmError } from '../../errors.js';
import { tf } from '../backend.js';
import type { OdeSystem, VelocityFn } from './types.js';

/** Largest tiled batch (rows) sent through f in one pass. */
export const MAX_ROWS = 65_536;

export type DivergenceEstimator =
  | { kind: 'exact' }
  /** probes: [K * n, d], probe k of point i in row k * n + i; owned by the caller. */
  | { kind: 'hutchinson'; samples: number; probes: tf.Tensor2D };

/** One pass of f on x tiled g times: v on the tiled batch and sum over copies of probe^T J probe, [n]. */
function probePass(
  f: VelocityFn,
  t: number,
  x: tf.Tensor2D,
  probe: tf.Tensor2D,
  g: number,
  counter: { nfe: number },
): { v: tf.Tensor2D; quad: tf.Tensor1D } {
  const [n, d] = x.shape;
  const xr = g === 1 ? x : tf.tile(x, [g, 1]);
  const { value, grads } = tf.engine().gradients(
    () => {
      const v = f(t, xr);
      counter.nfe++;
      if (v.rank !== 2 || v.shape[0] !== xr.shape[0] || v.shape[1] !== d) {
        throw new CfmError(
          'internal',
          `velocity: the field returned shape [${v.shape.join(', ')}] for x of shape [${xr.shape.join(', ')}]; it must return the shape of x`,
        );
      }
      return v;
    },
    [xr],
    probe,
    true, // a field that ignores x (constant) has zero divergence, not an error
  );
  const vjp = grads[0];
  const quad = vjp
    ? (tf.sum(tf.reshape(tf.sum(tf.mul(vjp, probe), 1), [g, n]), 0) as tf.Tensor1D)
    : (tf.zeros([n]) as tf.Tensor1D);
  return { v: value, quad };
}

/** Unit-vector probes e_c0 .. e_{c1-1}, each repeated for the n points: [(c1 - c0) * n, d]. */
function unitProbes(c0: number, c1: number, n: number, d: number): tf.Tensor2D {
  const eye = tf.cast(tf.oneHot(tf.range(c0, c1, 1, 'int32'), d), 'float32'); // [g, d]
  return tf.reshape(tf.tile(tf.reshape(eye, [c1 - c0, 1, d]), [1, n, 1]), [(c1 - c0) * n, d]);
}

/** v(t, x) and its divergence per point. Call inside tf.tidy. */
export function velocityAndDivergence(
  f: VelocityFn,
  t: number,
  x: tf.Tensor2D,
  est: DivergenceEstimator,
  counter: { nfe: number },
): { v: tf.Tensor2D; div: tf.Tensor1D } {
  const [n, d] = x.shape;
  const total = est.kind === 'exact' ? d : est.samples;
  const group = Math.max(1, Math.min(total, Math.floor(MAX_ROWS / Math.max(1, n))));
  let v: tf.Tensor2D | null = null;
  let div: tf.Tensor1D | null = null;
  for (let p0 = 0; p0 < total; p0 += group) {
    const p1 = Math.min(total, p0 + group);
    const probe =
      est.kind === 'exact'
        ? unitProbes(p0, p1, n, d)
        : (tf.slice(est.probes, [p0 * n, 0], [(p1 - p0) * n, d]) as tf.Tensor2D);
    const r = probePass(f, t, x, probe, p1 - p0, counter);
    if (v === null) v = p1 - p0 === 1 ? r.v : (tf.slice(r.v, [0, 0], [n, d]) as tf.Tensor2D);
    div = div === null ? r.quad : tf.add(div, r.quad);
  }
  if (v === null || div === null) throw new CfmError('internal', 'divergence: no probes');
  return { v, div: est.kind === 'exact' ? div : tf.div(div, est.samples) };
}

/** The augmented system on [x, l]: dx/dt = v, dl/dt = div v. */
export function divergenceSystem(f: VelocityFn, est: DivergenceEstimator, counter: { nfe: number }): OdeSystem {
  return (t, y) => {
    const { v, div } = velocityAndDivergence(f, t, y[0] as tf.Tensor2D, est, counter);
    return [v, div];
  };
}
