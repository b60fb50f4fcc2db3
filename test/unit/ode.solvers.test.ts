/**
 * Fixed-step solvers against closed-form solutions: each reaches its order of
 * convergence (error ratio 2^p when the step halves), counts its evaluations
 * exactly, and runs backwards in time as well as forwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../app/engine/backend.js';
import { integrate } from '../../app/engine/ode/integrate.js';
import type { VelocityFn } from '../../app/engine/ode/types.js';

// dx/dt = A x with A = [[-0.5, 1], [-1, -0.5]] = -I/2 + S, S skew: x(t) = e^{-t/2} R(t) x0,
// R(t) = [[cos t, sin t], [-sin t, cos t]]. Rows are points, so v = x A^T.
const AT = [
  [-0.5, -1],
  [1, -0.5],
];
const linear: VelocityFn = (_t, x) => tf.matMul(x, tf.tensor2d(AT));
function linearExact(t: number, p: readonly number[]): number[] {
  const e = Math.exp(-0.5 * t);
  const c = Math.cos(t);
  const s = Math.sin(t);
  return [e * (c * p[0] + s * p[1]), e * (-s * p[0] + c * p[1])];
}
const X0 = [
  [1, 0],
  [0.3, -2],
  [-1.5, 0.7],
];

// dx/dt = cos(t) x: x(t) = x(t0) exp(sin t - sin t0). Time-dependent, so stage times matter.
const cosField: VelocityFn = (t, x) => tf.mul(x, Math.cos(t));
const S0 = [0.5, -1.2, 2];

async function maxError(got: tf.Tensor, want: number[][]): Promise<number> {
  const g = await got.data();
  const w = want.flat();
  let m = 0;
  for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(g[i] - w[i]));
  return m;
}

async function linearError(solver: 'euler' | 'midpoint' | 'heun' | 'rk4', steps: number, t1: number): Promise<number> {
  const x0 = tf.tensor2d(X0);
  const r = await integrate(linear, x0, { solver, steps, t1 });
  const e = await maxError(
    r.x,
    X0.map((p) => linearExact(t1, p)),
  );
  tf.dispose([x0, r.x]);
  return e;
}

async function cosError(
  solver: 'euler' | 'midpoint' | 'heun' | 'rk4',
  steps: number,
  t0: number,
  t1: number,
): Promise<number> {
  const x0 = tf.tensor2d(S0, [S0.length, 1]);
  const r = await integrate(cosField, x0, { solver, steps, t0, t1 });
  const e = await maxError(
    r.x,
    S0.map((s) => [s * Math.exp(Math.sin(t1) - Math.sin(t0))]),
  );
  tf.dispose([x0, r.x]);
  return e;
}

// Step counts chosen so errors are asymptotic yet far above float32 round-off.
const CASES = [
  { solver: 'euler', order: 1, steps: 64, cosSteps: 64 },
  { solver: 'midpoint', order: 2, steps: 16, cosSteps: 32 },
  { solver: 'heun', order: 2, steps: 16, cosSteps: 32 },
  { solver: 'rk4', order: 4, steps: 8, cosSteps: 8 },
] as const;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('fixed-step solvers', () => {
  for (const { solver, order, steps, cosSteps } of CASES) {
    it(`${solver} converges at order ${order} on the damped rotation dx/dt = A x`, async () => {
      const e1 = await linearError(solver, steps, 4);
      const e2 = await linearError(solver, 2 * steps, 4);
      const observed = Math.log2(e1 / e2);
      expect(observed).toBeGreaterThan(order - 0.3);
      expect(observed).toBeLessThan(order + 0.3);
    });

    it(`${solver} converges at order ${order} on the time-dependent dx/dt = cos(t) x`, async () => {
      const e1 = await cosError(solver, cosSteps, 0.5, 3.5);
      const e2 = await cosError(solver, 2 * cosSteps, 0.5, 3.5);
      const observed = Math.log2(e1 / e2);
      expect(observed).toBeGreaterThan(order - 0.3);
      expect(observed).toBeLessThan(order + 0.3);
    });

    it(`${solver} integrates backwards in time (t1 < t0) at the same order`, async () => {
      // From x(3.5) back to x(0.5) of dx/dt = cos(t) x.
      const e1 = await cosError(solver, cosSteps, 3.5, 0.5);
      const e2 = await cosError(solver, 2 * cosSteps, 3.5, 0.5);
      const observed = Math.log2(e1 / e2);
      expect(observed).toBeGreaterThan(order - 0.3);
      expect(observed).toBeLessThan(order + 0.3);
    });
  }

  it('rk4 with 32 steps is accurate to float32 level on the rotation', async () => {
    expect(await linearError('rk4', 32, 4)).toBeLessThan(1e-5);
  });

  it('counts evaluations of the field exactly: 10 steps cost 10, 20, 20, 40', async () => {
    const expected = { euler: 10, midpoint: 20, heun: 20, rk4: 40 } as const;
    for (const { solver } of CASES) {
      let calls = 0;
      const counted: VelocityFn = (t, x) => {
        calls++;
        return linear(t, x);
      };
      const x0 = tf.tensor2d(X0);
      for (const energy of [false, true]) {
        calls = 0;
        const r = await integrate(counted, x0, { solver, steps: 10, energy });
        expect(r.nfe).toBe(expected[solver]);
        expect(calls).toBe(expected[solver]);
        expect(r.steps).toBe(10);
        r.x.dispose();
      }
      x0.dispose();
    }
  });

  it('passes the stage times of the tableau to the field', async () => {
    const seen: number[] = [];
    const spy: VelocityFn = (t, x) => {
      seen.push(t);
      return tf.zerosLike(x);
    };
    const x0 = tf.tensor2d([[0, 0]]);
    const r = await integrate(spy, x0, { solver: 'rk4', steps: 2, t0: 1, t1: 2 });
    expect(seen).toEqual([1, 1.25, 1.25, 1.5, 1.5, 1.75, 1.75, 2]);
    tf.dispose([x0, r.x]);
  });
});
