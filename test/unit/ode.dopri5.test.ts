/**
 * Adaptive Dormand-Prince 5(4) against closed-form solutions: it meets its
 * tolerance, tightening the tolerance buys accuracy with evaluations, it
 * integrates backwards, recovers from rejected steps, and stops with a clear
 * error instead of running forever.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../app/engine/backend.js';
import { CfmError } from '../../app/errors.js';
import { integrate } from '../../app/engine/ode/integrate.js';
import type { VelocityFn } from '../../app/engine/ode/types.js';

// dx/dt = A x, A = [[-0.5, 1], [-1, -0.5]]: x(t) = e^{-t/2} R(t) x0 (rows are points: v = x A^T).
const linear: VelocityFn = (_t, x) =>
  tf.matMul(
    x,
    tf.tensor2d([
      [-0.5, -1],
      [1, -0.5],
    ]),
  );
function linearExact(t: number, p: readonly number[]): number[] {
  const e = Math.exp(-0.5 * t);
  return [e * (Math.cos(t) * p[0] + Math.sin(t) * p[1]), e * (-Math.sin(t) * p[0] + Math.cos(t) * p[1])];
}
const X0 = [
  [1, 0],
  [0.3, -2],
  [-1.5, 0.7],
];

// dx/dt = cos(t) x: x(t) = x(t0) exp(sin t - sin t0).
const cosField: VelocityFn = (t, x) => tf.mul(x, Math.cos(t));
const S0 = [0.5, -1.2, 2];

// A steep front at t = 1/2: dx/dt = a x / (1 + (a (t - 1/2))^2), x(1) = x(0) exp(2 atan(a/2)).
const A_FRONT = 30;
const front: VelocityFn = (t, x) => tf.mul(x, A_FRONT / (1 + (A_FRONT * (t - 0.5)) ** 2));

async function maxAbsDiff(got: tf.Tensor, want: number[]): Promise<number> {
  const g = await got.data();
  return Math.max(...want.map((w, i) => Math.abs(g[i] - w)));
}

async function linearRun(tol: number): Promise<{ err: number; nfe: number; steps: number; rejected: number }> {
  const x0 = tf.tensor2d(X0);
  const r = await integrate(linear, x0, { solver: 'dopri5', atol: tol, rtol: tol, t1: 4 });
  const err = await maxAbsDiff(r.x, X0.flatMap((p) => linearExact(4, p)));
  tf.dispose([x0, r.x]);
  return { err, nfe: r.nfe, steps: r.steps, rejected: r.rejected };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('dopri5', () => {
  it('with rtol = atol = 1e-6 the global error is below 1e-4 on the damped rotation', async () => {
    const r = await linearRun(1e-6);
    expect(r.err).toBeLessThan(1e-4);
  });

  it('with rtol = atol = 1e-6 the global error is below 1e-4 on dx/dt = cos(t) x', async () => {
    const x0 = tf.tensor2d(S0, [3, 1]);
    const r = await integrate(cosField, x0, { solver: 'dopri5', atol: 1e-6, rtol: 1e-6, t0: 0.5, t1: 6 });
    const err = await maxAbsDiff(
      r.x,
      S0.map((s) => s * Math.exp(Math.sin(6) - Math.sin(0.5))),
    );
    expect(err).toBeLessThan(1e-4);
    tf.dispose([x0, r.x]);
  });

  it('tighter tolerances reduce the error and cost more evaluations', async () => {
    const loose = await linearRun(1e-3);
    const mid = await linearRun(1e-5);
    const tight = await linearRun(1e-7);
    expect(mid.err).toBeLessThan(loose.err);
    expect(tight.err).toBeLessThan(mid.err);
    expect(mid.nfe).toBeGreaterThan(loose.nfe);
    expect(tight.nfe).toBeGreaterThan(mid.nfe);
  });

  it('costs six evaluations per attempted step plus two to choose the first step (FSAL)', async () => {
    for (const tol of [1e-3, 1e-6]) {
      const r = await linearRun(tol);
      expect(r.steps).toBeGreaterThan(0);
      expect(r.nfe).toBe(2 + 6 * (r.steps + r.rejected));
    }
  });

  it('integrating forward then backward returns to the start', async () => {
    const x0 = tf.tensor2d(X0);
    const fwd = await integrate(linear, x0, { solver: 'dopri5', atol: 1e-6, rtol: 1e-6, t0: 0, t1: 3 });
    const back = await integrate(linear, fwd.x, { solver: 'dopri5', atol: 1e-6, rtol: 1e-6, t0: 3, t1: 0 });
    expect(await maxAbsDiff(back.x, X0.flat())).toBeLessThan(1e-4);
    tf.dispose([x0, fwd.x, back.x]);
  });

  it('integrating backward from the exact end state lands on the exact start', async () => {
    const x3 = tf.tensor2d(S0.map((s) => [s * Math.exp(Math.sin(3.5) - Math.sin(0.5))]));
    const r = await integrate(cosField, x3, { solver: 'dopri5', atol: 1e-6, rtol: 1e-6, t0: 3.5, t1: 0.5 });
    expect(await maxAbsDiff(r.x, S0)).toBeLessThan(1e-4);
    tf.dispose([x3, r.x]);
  });

  it('rejects steps across a steep front and still meets the tolerance', async () => {
    const x0 = tf.tensor2d([[1], [2]]);
    const r = await integrate(front, x0, { solver: 'dopri5', atol: 1e-6, rtol: 1e-6 });
    const gain = Math.exp(2 * Math.atan(A_FRONT / 2));
    const g = await r.x.data();
    expect(r.rejected).toBeGreaterThan(0);
    expect(Math.abs(g[0] - gain) / gain).toBeLessThan(1e-4);
    expect(Math.abs(g[1] - 2 * gain) / gain).toBeLessThan(1e-4);
    tf.dispose([x0, r.x]);
  });

  it('the saved trajectory starts at t0, ends at t1, advances monotonically and follows the solution', async () => {
    const x0 = tf.tensor2d(X0);
    const r = await integrate(linear, x0, { solver: 'dopri5', atol: 1e-6, rtol: 1e-6, t0: 0, t1: 4, trajectory: true });
    const times = r.times ?? [];
    const traj = r.trajectory ?? [];
    expect(times[0]).toBe(0);
    expect(times[times.length - 1]).toBe(4);
    expect(times.length).toBe(r.steps + 1);
    expect(traj.length).toBe(times.length);
    for (let k = 1; k < times.length; k++) expect(times[k]).toBeGreaterThan(times[k - 1]);
    for (let k = 0; k < times.length; k++) {
      const want = X0.flatMap((p) => linearExact(times[k], p));
      const err = Math.max(...want.map((w, i) => Math.abs(traj[k][i] - w)));
      expect(err).toBeLessThan(1e-4);
    }
    expect(Array.from(traj[traj.length - 1])).toEqual(Array.from(await r.x.data()));
    tf.dispose([x0, r.x]);
  });

  it('gives up after maxSteps with an error that names the fix, leaking nothing', async () => {
    const x0 = tf.tensor2d(X0);
    const before = tf.memory().numTensors;
    const run = integrate(linear, x0, { solver: 'dopri5', atol: 1e-7, rtol: 1e-7, t1: 4, maxSteps: 3 });
    await expect(run).rejects.toBeInstanceOf(CfmError);
    await expect(run).rejects.toMatchObject({ code: 'numeric', field: 'maxSteps' });
    await expect(run).rejects.toThrow(/maxSteps.*3 steps.*loosen the tolerances \(--rtol, --atol\) or use a fixed-step solver/);
    expect(tf.memory().numTensors).toBe(before);
    x0.dispose();
  });

  it('stops with a clear error when the field blows up in finite time', async () => {
    // dx/dt = x^2 from x = 1 reaches infinity at t = 1; ask for t = 2.
    const x0 = tf.tensor2d([[1]]);
    const before = tf.memory().numTensors;
    const run = integrate((_t, x) => tf.square(x), x0, { solver: 'dopri5', t1: 2, maxSteps: 2000 });
    await expect(run).rejects.toMatchObject({ code: 'numeric' });
    expect(tf.memory().numTensors).toBe(before);
    x0.dispose();
  });
});
