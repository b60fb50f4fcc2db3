/**
 * Draws x_t and u_t for a batch of pairs: the one routine the trainer and the
 * UI's path preview share. Runs on plain typed arrays: for minibatches it is a
 * few thousand multiply-adds, cheaper than moving them through a tfjs backend.
 */
import type { Points } from '../points.js';
import type { PathCoefficients } from './coefficients.js';

export interface PathSample {
  xt: Points;
  ut: Points;
}

/** t has one value per row; eps has the shape of x0 (ignored where s(t) = 0). */
export function samplePath(c: PathCoefficients, x0: Points, x1: Points, t: Float32Array, eps: Float32Array): PathSample {
  const { n, d } = x1;
  if (x0.n !== n || x0.d !== d) throw new Error(`samplePath: x0 is ${x0.n}x${x0.d}, x1 is ${n}x${d}`);
  const xt = new Float32Array(n * d);
  const ut = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const ti = t[i];
    const a = c.a(ti), b = c.b(ti), s = c.s(ti);
    const da = c.da(ti), db = c.db(ti), ds = c.ds(ti);
    for (let j = i * d, end = j + d; j < end; j++) {
      const y1 = x1.data[j], y0 = x0.data[j], e = eps[j];
      xt[j] = a * y1 + b * y0 + s * e;
      ut[j] = da * y1 + db * y0 + ds * e;
    }
  }
  return { xt: { data: xt, n, d }, ut: { data: ut, n, d } };
}
