/**
 * integrate(): options are checked with messages that name the fix, the
 * kinetic energy matches closed forms at the solver's order, trajectories are
 * saved at every step, and no tensor outlives the call except the result.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../app/engine/backend.js';
import { CfmError } from '../../app/errors.js';
import { integrate, SOLVERS, type IntegrateOptions } from '../../app/engine/ode/integrate.js';
import type { VelocityFn } from '../../app/engine/ode/types.js';

// dx/dt = A x, A = -I/2 + S (S skew): x(t) = e^{-t/2} R(t) x0 and |A x|^2 = (1/4 + 1) |x|^2,
// so int_0^T |v|^2 dt = 1.25 |x0|^2 (1 - e^{-T}).
const linear: VelocityFn = (_t, x) =>
  tf.matMul(
    x,
    tf.tensor2d([
      [-0.5, -1],
      [1, -0.5],
    ]),
  );
const X0 = [
  [1, 0],
  [0.3, -2],
  [-1.5, 0.7],
];
const meanSq = X0.reduce((s, p) => s + p[0] ** 2 + p[1] ** 2, 0) / X0.length;
const linearEnergy = (T: number): number => 1.25 * meanSq * (1 - Math.exp(-T));
function linearExact(t: number, p: readonly number[]): number[] {
  const e = Math.exp(-0.5 * t);
  return [e * (Math.cos(t) * p[0] + Math.sin(t) * p[1]), e * (-Math.sin(t) * p[0] + Math.cos(t) * p[1])];
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('integrate options', () => {
  it('lists every solver', () => {
    expect([...SOLVERS]).toEqual(['euler', 'midpoint', 'heun', 'rk4', 'dopri5']);
  });

  // Deliberately ill-typed values, as they would arrive from a form or the CLI.
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['solver', { solver: 'rk45' }, /^solver: unknown solver "rk45"; use one of euler, midpoint, heun, rk4, dopri5$/],
    ['steps', { steps: 0 }, /^steps: 0 is not a positive integer/],
    ['steps', { steps: 2.5 }, /^steps: 2.5 is not a positive integer/],
    ['steps', { steps: -3 }, /^steps: -3 is not a positive integer/],
    ['atol', { atol: 0 }, /^atol: 0 is not a positive number; use a tolerance above 0/],
    ['rtol', { rtol: -1e-5 }, /^rtol: -0.00001 is not a positive number/],
    ['rtol', { rtol: Number.NaN }, /^rtol: NaN is not a positive number/],
    ['maxSteps', { maxSteps: 0 }, /^maxSteps: 0 is not a positive integer/],
    ['t1', { t1: Number.POSITIVE_INFINITY }, /^t1: Infinity is not a finite number/],
  ];
  for (const [field, patch, message] of bad) {
    it(`rejects ${field} = ${String(Object.values(patch)[0])} with a message naming the field`, async () => {
      const x0 = tf.tensor2d(X0);
      const before = tf.memory().numTensors;
      const opts = { solver: 'rk4', ...patch } as unknown as IntegrateOptions;
      const run = integrate(linear, x0, opts);
      await expect(run).rejects.toBeInstanceOf(CfmError);
      await expect(run).rejects.toMatchObject({ code: 'invalid_input', field });
      await expect(run).rejects.toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
      x0.dispose();
    });
  }

  it('rejects a batch that is not [n, d]', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    await expect(integrate(linear, x as unknown as tf.Tensor2D, { solver: 'euler' })).rejects.toMatchObject({
      field: 'x0',
    });
    x.dispose();
  });

  it('rejects an empty batch', async () => {
    const x = tf.zeros([0, 2]) as tf.Tensor2D;
    await expect(integrate(linear, x, { solver: 'dopri5' })).rejects.toThrow(/^x0: the batch has shape \[0, 2\]; pass at least one point/);
    x.dispose();
  });

  it('reports a field that returns the wrong shape, leaking nothing', async () => {
    const x0 = tf.tensor2d(X0);
    const before = tf.memory().numTensors;
    const wrong: VelocityFn = (_t, x) => tf.sum(x, 1, true) as tf.Tensor2D;
    for (const solver of SOLVERS) {
      await expect(integrate(wrong, x0, { solver })).rejects.toThrow(/returned shape \[3, 1\] for x of shape \[3, 2\]/);
    }
    expect(tf.memory().numTensors).toBe(before);
    x0.dispose();
  });

  it('an empty interval (t0 = t1) returns a copy of x0 without calling the field', async () => {
    const x0 = tf.tensor2d(X0);
    const r = await integrate(linear, x0, { solver: 'rk4', t0: 0.3, t1: 0.3, energy: true, trajectory: true });
    expect(r.nfe).toBe(0);
    expect(r.steps).toBe(0);
    expect(r.energy).toBe(0);
    expect(r.times).toEqual([0.3]);
    expect(r.x).not.toBe(x0);
    expect(Array.from(await r.x.data())).toEqual(Array.from(await x0.data()));
    tf.dispose([x0, r.x]);
  });
});

describe('kinetic energy', () => {
  it('is |c|^2 for a constant field v = c over [0, 1], with every solver', async () => {
    const c = [3, -4, 1.5];
    const constant: VelocityFn = (_t, x) => tf.tile(tf.tensor2d([c]), [x.shape[0], 1]);
    const x0 = tf.tensor2d([
      [0, 0, 0],
      [1, 2, 3],
    ]);
    for (const solver of SOLVERS) {
      const r = await integrate(constant, x0, { solver, steps: 7, energy: true });
      expect(r.energy).toBeCloseTo(9 + 16 + 2.25, 4);
      const x = await r.x.data();
      expect(Array.from(x).map((v) => Number(v.toFixed(4)))).toEqual([3, -4, 1.5, 4, -2, 4.5]);
      r.x.dispose();
    }
    x0.dispose();
  });

  it('matches the closed form 1.25 mean|x0|^2 (1 - e^-T) of the damped rotation', async () => {
    const x0 = tf.tensor2d(X0);
    const rk4 = await integrate(linear, x0, { solver: 'rk4', steps: 40, t1: 2, energy: true });
    expect(Math.abs((rk4.energy ?? NaN) - linearEnergy(2)) / linearEnergy(2)).toBeLessThan(1e-5);
    const d5 = await integrate(linear, x0, { solver: 'dopri5', atol: 1e-7, rtol: 1e-7, t1: 2, energy: true });
    expect(Math.abs((d5.energy ?? NaN) - linearEnergy(2)) / linearEnergy(2)).toBeLessThan(1e-5);
    tf.dispose([x0, rk4.x, d5.x]);
  });

  it('converges at the order of the solver', async () => {
    // Step counts and horizons where each method is in its asymptotic regime.
    const cases = [
      { solver: 'euler', order: 1, T: 2, steps: 64 },
      { solver: 'midpoint', order: 2, T: 2, steps: 32 },
      { solver: 'heun', order: 2, T: 2, steps: 64 },
      { solver: 'rk4', order: 4, T: 4, steps: 16 },
    ] as const;
    const x0 = tf.tensor2d(X0);
    for (const { solver, order, T, steps } of cases) {
      const errs: number[] = [];
      for (const n of [steps, 2 * steps]) {
        const r = await integrate(linear, x0, { solver, steps: n, t1: T, energy: true });
        errs.push(Math.abs((r.energy ?? NaN) - linearEnergy(T)));
        r.x.dispose();
      }
      const observed = Math.log2(errs[0] / errs[1]);
      expect(observed, solver).toBeGreaterThan(order - 0.3);
      expect(observed, solver).toBeLessThan(order + 0.3);
    }
    x0.dispose();
  });

  it('is positive, and the same, when integrating backwards', async () => {
    const x4 = tf.tensor2d(X0.map((p) => linearExact(4, p)));
    const r = await integrate(linear, x4, { solver: 'rk4', steps: 80, t0: 4, t1: 0, energy: true });
    expect(Math.abs((r.energy ?? NaN) - linearEnergy(4)) / linearEnergy(4)).toBeLessThan(1e-4);
    tf.dispose([x4, r.x]);
  });

  it('does not change the path: x is the same with and without energy', async () => {
    const x0 = tf.tensor2d(X0);
    const a = await integrate(linear, x0, { solver: 'heun', steps: 9 });
    const b = await integrate(linear, x0, { solver: 'heun', steps: 9, energy: true });
    expect(Array.from(await b.x.data())).toEqual(Array.from(await a.x.data()));
    expect(a.energy).toBeUndefined();
    tf.dispose([x0, a.x, b.x]);
  });
});

describe('trajectory', () => {
  it('fixed-step solvers save x at t0 and after each of the equal steps', async () => {
    const x0 = tf.tensor2d(X0);
    const r = await integrate(linear, x0, { solver: 'rk4', steps: 8, t0: 0, t1: 2, trajectory: true });
    expect(r.times).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
    expect(r.trajectory?.length).toBe(9);
    expect(Array.from(r.trajectory?.[0] ?? [])).toEqual(Array.from(await x0.data()));
    for (let k = 0; k < 9; k++) {
      const want = X0.flatMap((p) => linearExact(k * 0.25, p));
      const got = r.trajectory?.[k] ?? new Float32Array();
      expect(got.length).toBe(6);
      for (let i = 0; i < 6; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4);
    }
    tf.dispose([x0, r.x]);
  });

  it('is left out unless asked for', async () => {
    const x0 = tf.tensor2d(X0);
    const r = await integrate(linear, x0, { solver: 'euler', steps: 3 });
    expect(r.times).toBeUndefined();
    expect(r.trajectory).toBeUndefined();
    tf.dispose([x0, r.x]);
  });
});

describe('tensor memory', () => {
  for (const solver of SOLVERS) {
    it(`${solver} leaves no tensors behind but the result, and keeps x0 alive`, async () => {
      const x0 = tf.tensor2d(X0);
      for (const extra of [{}, { energy: true, trajectory: true }, { t0: 1, t1: -0.5, energy: true }]) {
        const before = tf.memory().numTensors;
        const r = await integrate(linear, x0, { solver, steps: 5, ...extra });
        expect(tf.memory().numTensors).toBe(before + 1);
        r.x.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }
      expect(x0.isDisposed).toBe(false);
      x0.dispose();
    });
  }
});
