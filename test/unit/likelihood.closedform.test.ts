/**
 * logLikelihood against flows whose densities are known in closed form:
 * - a time-dependent affine field v = A x + b0 + t b1 carries N(0, I) at t = 0 to
 *   the Gaussian N(m, E E^T), E = expm(A), at t = 1 (expm computed here in float64
 *   by scaling and squaring, independently of the code under test);
 * - the cubic field v = -x^3, whose flow x1 = x0 / sqrt(1 + 2 x0^2) has the
 *   Jacobian (1 + 2 x0^2)^(-3/2) per coordinate;
 * - a constant field, a pure translation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../app/engine/backend.js';
import { logLikelihood, standardNormalLogProb } from '../../app/engine/likelihood.js';
import type { VelocityFn } from '../../app/engine/ode/types.js';
import { Rng } from '../../app/engine/rng.js';

type Mat = number[][];
const LOG_2PI = Math.log(2 * Math.PI);

function matmul(a: Mat, b: Mat): Mat {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
function matvec(a: Mat, x: readonly number[]): number[] {
  return a.map((row) => row.reduce((s, v, k) => s + v * x[k], 0));
}
/** exp(M) in float64: Taylor series of M / 2^s to 30 terms, squared s times. */
function expm(m: Mat): Mat {
  const n = m.length;
  const norm = Math.max(...m.map((r) => r.reduce((s, v) => s + Math.abs(v), 0)));
  const s = Math.max(0, Math.ceil(Math.log2(norm)) + 2);
  const scaled = m.map((r) => r.map((v) => v / 2 ** s));
  const eye = (): Mat => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let term = eye();
  const sum = eye();
  for (let k = 1; k <= 30; k++) {
    term = matmul(term, scaled).map((r) => r.map((v) => v / k));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sum[i][j] += term[i][j];
  }
  let out = sum;
  for (let i = 0; i < s; i++) out = matmul(out, out);
  return out;
}

// v(t, x) = A x + b0 + t b1 (column-vector convention), a non-normal A.
const A: Mat = [
  [-0.3, 0.8, 0.1],
  [-0.6, 0.2, 0.4],
  [0.2, -0.5, -0.4],
];
const B0 = [0.5, -0.3, 0.2];
const B1 = [-0.4, 0.6, 0.3];
const D = 3;
const TRACE_A = A[0][0] + A[1][1] + A[2][2];

// x' = A x + b1 u + b0 w, u' = w, w' = 0 with u(0) = 0, w(0) = 1 gives u = t:
// exp of that (d+2)-square matrix maps [x0; 0; 1] to [E x0 + m; 1; 1].
const M: Mat = [
  ...A.map((row, i) => [...row, B1[i], B0[i]]),
  [0, 0, 0, 0, 1],
  [0, 0, 0, 0, 0],
];
const EM = expm(M);
const E = EM.slice(0, D).map((r) => r.slice(0, D));
const MEAN = EM.slice(0, D).map((r) => r[D + 1]);
const E_INV = expm(A.map((r) => r.map((v) => -v)));

/**
 * log N(x; m, s^2 E E^T) = -|E^-1 (x - m)|^2 / (2 s^2) - log|det E| - d log s - d/2 log 2 pi,
 * with log det E = tr A.
 */
function gaussianLogDensity(x: readonly number[], s = 1): number {
  const z = matvec(
    E_INV,
    x.map((v, i) => v - MEAN[i]),
  );
  return -z.reduce((acc, v) => acc + v * v, 0) / (2 * s * s) - TRACE_A - D * Math.log(s) - (D / 2) * LOG_2PI;
}

const affine: VelocityFn = (t, x) =>
  tf.tidy(() => {
    const AT = tf.tensor2d(A[0].map((_, j) => A.map((r) => r[j]))); // A^T, since rows are points
    return tf.add(tf.matMul(x, AT), tf.tensor1d(B0.map((b0, i) => b0 + t * B1[i]))) as tf.Tensor2D;
  });

/** n points drawn from the closed-form N(m, s^2 E E^T), as the flow would produce them. */
function targetPoints(n: number, seed: number, s = 1): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const z = [rng.normal() * s, rng.normal() * s, rng.normal() * s];
    return matvec(E, z).map((v, i) => v + MEAN[i]);
  });
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('log-likelihood of an affine flow of N(0, I)', () => {
  const pts = targetPoints(64, 1);

  it('the float64 reference is consistent: E^-1 E = I and the mean solves the ODE', () => {
    const prod = matmul(E_INV, E);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) expect(prod[i][j]).toBeCloseTo(i === j ? 1 : 0, 12);
    // Midpoint-free check of m: RK4 in float64 with 2000 steps from x0 = 0.
    let x = [0, 0, 0];
    const f = (t: number, y: number[]): number[] => matvec(A, y).map((v, i) => v + B0[i] + t * B1[i]);
    const h = 1 / 2000;
    for (let k = 0; k < 2000; k++) {
      const t = k * h;
      const k1 = f(t, x);
      const k2 = f(t + h / 2, x.map((v, i) => v + (h / 2) * k1[i]));
      const k3 = f(t + h / 2, x.map((v, i) => v + (h / 2) * k2[i]));
      const k4 = f(t + h, x.map((v, i) => v + h * k3[i]));
      x = x.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
    }
    for (let i = 0; i < D; i++) expect(x[i]).toBeCloseTo(MEAN[i], 10);
  });

  it('rk4 with the exact divergence matches the Gaussian density to 1e-4', async () => {
    const x1 = tf.tensor2d(pts);
    const r = await logLikelihood(affine, x1, { solver: 'rk4', steps: 20, divergence: 'exact', rng: new Rng(0) });
    expect(r.divergence).toBe('exact');
    expect(r.logp.length).toBe(pts.length);
    const errs = pts.map((p, i) => Math.abs(r.logp[i] - gaussianLogDensity(p)));
    expect(Math.max(...errs)).toBeLessThan(1e-4);
    x1.dispose();
  });

  it('dopri5 with the exact divergence matches the Gaussian density to 1e-4', async () => {
    const x1 = tf.tensor2d(pts);
    const r = await logLikelihood(affine, x1, { solver: 'dopri5', atol: 1e-6, rtol: 1e-6, rng: new Rng(0) });
    const errs = pts.map((p, i) => Math.abs(r.logp[i] - gaussianLogDensity(p)));
    expect(Math.max(...errs)).toBeLessThan(1e-4);
    x1.dispose();
  });

  it('auto picks the exact divergence in 3 dimensions', async () => {
    const x1 = tf.tensor2d(pts.slice(0, 4));
    const r = await logLikelihood(affine, x1, { solver: 'rk4', steps: 4, rng: new Rng(0) });
    expect(r.divergence).toBe('exact');
    x1.dispose();
  });

  it('uses a given source density: N(0, 4 I) flows to N(m, 4 E E^T)', async () => {
    const s = 2;
    const wide = targetPoints(32, 2, s);
    const x1 = tf.tensor2d(wide);
    const sourceLogProb = (x0: tf.Tensor2D): tf.Tensor1D =>
      tf.sub(tf.mul(tf.sum(tf.square(x0), 1), -1 / (2 * s * s)), D * Math.log(s) + (D / 2) * LOG_2PI) as tf.Tensor1D;
    const r = await logLikelihood(affine, x1, { solver: 'rk4', steps: 20, rng: new Rng(0), sourceLogProb });
    const errs = wide.map((p, i) => Math.abs(r.logp[i] - gaussianLogDensity(p, s)));
    expect(Math.max(...errs)).toBeLessThan(1e-4);
    x1.dispose();
  });

  it('the error shrinks at fourth order with rk4', async () => {
    // The log-density rides along as an extra state, so it converges with x.
    const x1 = tf.tensor2d(pts);
    const maxErr = async (steps: number): Promise<number> => {
      const r = await logLikelihood(affine, x1, { solver: 'rk4', steps, rng: new Rng(0) });
      return Math.max(...pts.map((p, i) => Math.abs(r.logp[i] - gaussianLogDensity(p))));
    };
    const e2 = await maxErr(2);
    const e4 = await maxErr(4);
    expect(Math.log2(e2 / e4)).toBeGreaterThan(3.5);
    x1.dispose();
  });
});

describe('log-likelihood of nonlinear and degenerate flows', () => {
  it('matches the change of variables of the cubic flow dx/dt = -x^3', async () => {
    // x1 = x0 / sqrt(1 + 2 x0^2), so x0 = x1 / sqrt(1 - 2 x1^2) and
    // log q1(x1) = log N(x0; 0, I) + 1.5 sum_j log(1 + 2 x0_j^2).
    const rng = new Rng(5);
    const pts = Array.from({ length: 40 }, () => [rng.uniform() * 1.2 - 0.6, rng.uniform() * 1.2 - 0.6]);
    const x1 = tf.tensor2d(pts);
    const cubic: VelocityFn = (_t, x) => tf.neg(tf.pow(x, 3));
    const r = await logLikelihood(cubic, x1, { solver: 'rk4', steps: 50, divergence: 'exact', rng: new Rng(0) });
    for (let i = 0; i < pts.length; i++) {
      const x0 = pts[i].map((v) => v / Math.sqrt(1 - 2 * v * v));
      const want = x0.reduce((s, v) => s - 0.5 * v * v + 1.5 * Math.log(1 + 2 * v * v), 0) - LOG_2PI;
      expect(Math.abs(r.logp[i] - want)).toBeLessThan(1e-3);
    }
    x1.dispose();
  });

  it('a constant field translates the density: log q1(x1) = log N(x1 - c; 0, I)', async () => {
    const c = [1.5, -2];
    const constant: VelocityFn = (_t, x) => tf.tile(tf.tensor2d([c]), [x.shape[0], 1]);
    const pts = [
      [0, 0],
      [1.5, -2],
      [3, 1],
    ];
    const x1 = tf.tensor2d(pts);
    for (const divergence of ['exact', 'hutchinson'] as const) {
      const r = await logLikelihood(constant, x1, { solver: 'euler', steps: 3, divergence, rng: new Rng(1) });
      for (let i = 0; i < pts.length; i++) {
        const want = -0.5 * ((pts[i][0] - c[0]) ** 2 + (pts[i][1] - c[1]) ** 2) - LOG_2PI;
        expect(r.logp[i]).toBeCloseTo(want, 4);
      }
    }
    x1.dispose();
  });

  it('standardNormalLogProb is -|x|^2/2 - d/2 log(2 pi) per row', async () => {
    const x = tf.tensor2d([
      [0, 0, 0],
      [1, -2, 0.5],
    ]);
    const lp = standardNormalLogProb(x);
    const got = await lp.data();
    expect(lp.shape).toEqual([2]);
    expect(got[0]).toBeCloseTo(-1.5 * LOG_2PI, 5);
    expect(got[1]).toBeCloseTo(-0.5 * 5.25 - 1.5 * LOG_2PI, 5);
    tf.dispose([x, lp]);
  });
});
