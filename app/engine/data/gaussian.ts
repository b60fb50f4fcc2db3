/**
 * The default source p0 = N(0, I_d): n rows of d independent standard normals,
 * drawn row-major from the Rng (Box-Muller), in any dimension d.
 */
import type { Rng } from '../rng.js';
import type { Points } from '../points.js';
import { invalid } from '../../errors.js';
import { checkCount } from './common.js';

/** Largest dimension accepted for the built-in Gaussian. */
export const MAX_DIM = 100_000;

export function checkDim(d: number, field = 'dim'): void {
  if (!Number.isInteger(d) || d < 1 || d > MAX_DIM) {
    throw invalid(field, `${d} is not a valid dimension; use an integer from 1 to ${MAX_DIM}`);
  }
}

export function gaussian(n: number, rng: Rng, d = 2): Points {
  checkCount(n);
  checkDim(d);
  if (n * d > 2 ** 30) {
    throw invalid('n', `${n} points of dimension ${d} are too many values (${n * d}); use n * dim <= ${2 ** 30}`);
  }
  return { data: rng.fillNormal(new Float32Array(n * d)), n, d };
}
