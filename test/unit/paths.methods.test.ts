import { describe, expect, it } from 'vitest';
import { METHODS, pathCoefficients, type MethodName } from '../../app/engine/paths/methods.js';
import { samplePath } from '../../app/engine/paths/sample.js';
import { makeScheduler, SCHEDULERS } from '../../app/engine/paths/schedulers.js';
import { Rng } from '../../app/engine/rng.js';
import type { Points } from '../../app/engine/points.js';

const sigma = 0.3;
const n = 64;
const d = 2;

function batch(seed: number) {
  const rng = new Rng(seed);
  const x0: Points = { data: rng.fillNormal(new Float32Array(n * d)), n, d };
  const x1: Points = { data: rng.fillNormal(new Float32Array(n * d), 3), n, d };
  const eps = rng.fillNormal(new Float32Array(n * d));
  // Keep away from sbcfm's singular ends, where its u_t is infinite by definition.
  const t = rng.fillUniform(new Float32Array(n), 0.02, 0.98);
  return { x0, x1, eps, t };
}

/** DESIGN.md's table, written out per method in its own paper's form. */
function reference(method: MethodName, t: number, x0: number, x1: number, e: number): { xt: number; ut: number } {
  const pi = Math.PI;
  switch (method) {
    case 'icfm':
    case 'otcfm': {
      const xt = t * x1 + (1 - t) * x0 + sigma * e;
      return { xt, ut: x1 - x0 };
    }
    case 'fm': {
      // x0 ~ N(0, I) plays the role of eps in mu_t + sigma_t eps.
      const st = 1 - (1 - sigma) * t;
      const xt = t * x1 + st * x0;
      return { xt, ut: (x1 - (1 - sigma) * xt) / (1 - (1 - sigma) * t) };
    }
    case 'sbcfm': {
      const mu = t * x1 + (1 - t) * x0;
      const xt = mu + sigma * Math.sqrt(t * (1 - t)) * e;
      return { xt, ut: ((1 - 2 * t) / (2 * t * (1 - t))) * (xt - mu) + x1 - x0 };
    }
    case 'vp': {
      const xt = Math.cos((pi * t) / 2) * x0 + Math.sin((pi * t) / 2) * x1 + sigma * e;
      return { xt, ut: (pi / 2) * (Math.cos((pi * t) / 2) * x1 - Math.sin((pi * t) / 2) * x0) };
    }
    case 'rf':
      return { xt: t * x1 + (1 - t) * x0, ut: x1 - x0 };
    case 'affine':
      // condot scheduler: alpha = t, sigma = 1 - t.
      return { xt: t * x1 + (1 - t) * x0, ut: x1 - x0 };
  }
}

describe('probability paths', () => {
  for (const method of METHODS) {
    it(`${method}: x_t and u_t equal the formulas of DESIGN.md`, () => {
      const { x0, x1, eps, t } = batch(1);
      const { xt, ut } = samplePath(pathCoefficients(method, { sigma }), x0, x1, t, eps);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) {
          const k = i * d + j;
          const ref = reference(method, t[i], x0.data[k], x1.data[k], eps[k]);
          expect(xt.data[k]).toBeCloseTo(ref.xt, 4);
          expect(ut.data[k]).toBeCloseTo(ref.ut, 3);
        }
      }
    });

    it(`${method}: u_t is the time derivative of x_t for fixed (x0, x1, eps)`, () => {
      const { x0, x1, eps, t } = batch(2);
      const c = pathCoefficients(method, { sigma });
      const h = 1e-3;
      const at = (dt: number) => samplePath(c, x0, x1, t.map((v) => v + dt), eps).xt.data;
      const plus = at(h);
      const minus = at(-h);
      const { ut } = samplePath(c, x0, x1, t, eps);
      for (let k = 0; k < n * d; k++) {
        const fd = (plus[k] - minus[k]) / (2 * h);
        expect(Math.abs(fd - ut.data[k])).toBeLessThan(2e-2 * (1 + Math.abs(ut.data[k])));
      }
    });
  }

  it('every method starts at the source and ends at the target (up to its noise)', () => {
    const { x0, x1, eps } = batch(3);
    for (const method of ['icfm', 'vp', 'rf', 'affine'] as const) {
      const c = pathCoefficients(method, { sigma: 0 });
      const zeros = new Float32Array(n);
      const ones = new Float32Array(n).fill(1);
      expect(Array.from(samplePath(c, x0, x1, zeros, eps).xt.data)).toEqual(Array.from(x0.data).map((v) => expect.closeTo(v, 5)));
      expect(Array.from(samplePath(c, x0, x1, ones, eps).xt.data)).toEqual(Array.from(x1.data).map((v) => expect.closeTo(v, 5)));
    }
  });
});

describe('affine schedulers', () => {
  const closedForms: Record<string, (t: number) => [number, number]> = {
    condot: (t) => [t, 1 - t],
    polynomial: (t) => [t ** 3, 1 - t ** 3],
    'linear-vp': (t) => [t, Math.sqrt(1 - t * t)],
    cosine: (t) => [Math.sin((Math.PI * t) / 2), Math.cos((Math.PI * t) / 2)],
    vp: (t) => {
      const s = 1 - t;
      const a = Math.exp(-0.5 * (0.1 * s + 0.5 * (20 - 0.1) * s * s));
      return [a, Math.sqrt(1 - a * a)];
    },
  };
  for (const name of SCHEDULERS) {
    it(`${name}: alpha, sigma match their closed form and the derivatives match finite differences`, () => {
      const sc = makeScheduler(name, 3);
      for (const t of [0.05, 0.3, 0.5, 0.77, 0.95]) {
        const [a, s] = closedForms[name](t);
        expect(sc.alpha(t)).toBeCloseTo(a, 10);
        expect(sc.sigma(t)).toBeCloseTo(s, 10);
        const h = 1e-6;
        expect(sc.dAlpha(t)).toBeCloseTo((sc.alpha(t + h) - sc.alpha(t - h)) / (2 * h), 4);
        expect(sc.dSigma(t)).toBeCloseTo((sc.sigma(t + h) - sc.sigma(t - h)) / (2 * h), 4);
      }
      // Data at t = 1, source at t = 0 (vp only approximately: alpha(0) = e^{-5.05}).
      expect(sc.alpha(1)).toBeCloseTo(1, 10);
      expect(sc.sigma(1)).toBeCloseTo(0, 10);
      expect(sc.sigma(0)).toBeCloseTo(1, 4);
    });
  }
});
