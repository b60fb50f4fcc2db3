/**
 * The classic 2-D toy datasets, as FFJORD's lib/toy_data.py (Grathwohl et al.
 * 2019) defines them, with three deliberate differences, all so that a dataset
 * of exactly n shuffled points comes out for every n:
 *   - pinwheel and 25gaussians use balanced modes (floor(n/k) each, remainder to
 *     the first modes) where FFJORD drops the remainder or picks modes at random;
 *   - 2spirals makes ceil(n/2) + floor(n/2) points (FFJORD: 2 floor(n/2)) and
 *     shuffles the rows (FFJORD stacks the two spirals);
 *   - circles uses noise 0.05 (FFJORD 0.08), the same noise as moons and scurve;
 *     like FFJORD it is scaled by 3, so its radii are 3 and 1.5.
 *
 * circles:      make_circles(n, factor=0.5, noise=0.05) * 3: n_out = floor(n/2)
 *               points at angles linspace(0, 2 pi, n_out, endpoint=False) on the
 *               unit circle, n - n_out likewise on radius 0.5; shuffled; noise.
 * checkerboard: x1 ~ U[-2, 2), x2 = U[0,1) - 2 b + (floor(x1) mod 2), b ~ {0,1}; * 2.
 * pinwheel:     5 arms; f = (1 + 0.3 e0, 0.1 e1), angle = 2 pi k/5 + 0.25 exp(f0),
 *               out = 2 (f0 cos a + f1 sin a, -f0 sin a + f1 cos a).
 * swissroll:    make_swiss_roll(n, noise=1) coordinates x, z: t = 1.5 pi (1 + 2u),
 *               (t cos t, t sin t) + N(0, I), / 5.
 * 2spirals:     s = sqrt(u) * 3 pi (540 degrees), p = (-s cos s + 0.5 u', s sin s + 0.5 u''),
 *               one spiral p, the other -p, all / 3, + N(0, 0.1^2 I).
 * 25gaussians:  not in FFJORD; WGAN-GP's (Gulrajani et al. 2017) toy: centres 2 (i, j)
 *               for i, j in -2..2, std 0.05, all / 2.828.
 */
import type { Rng } from '../rng.js';
import type { Points } from '../points.js';
import { balancedLabels, checkCount, linspace, permuted2D } from './common.js';

export function circles(n: number, rng: Rng): Points {
  checkCount(n);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const xy = new Float64Array(2 * n);
  const aOut = linspace(0, 2 * Math.PI, nOut, false);
  const aIn = linspace(0, 2 * Math.PI, nIn, false);
  for (let i = 0; i < nOut; i++) {
    xy[2 * i] = Math.cos(aOut[i]);
    xy[2 * i + 1] = Math.sin(aOut[i]);
  }
  for (let i = 0; i < nIn; i++) {
    xy[2 * (nOut + i)] = 0.5 * Math.cos(aIn[i]);
    xy[2 * (nOut + i) + 1] = 0.5 * Math.sin(aIn[i]);
  }
  const perm = rng.permutation(n);
  const out = new Float32Array(2 * n);
  for (let r = 0; r < n; r++) {
    out[2 * r] = 3 * (xy[2 * perm[r]] + 0.05 * rng.normal());
    out[2 * r + 1] = 3 * (xy[2 * perm[r] + 1] + 0.05 * rng.normal());
  }
  return { data: out, n, d: 2 };
}

export function checkerboard(n: number, rng: Rng): Points {
  checkCount(n);
  const x1 = new Float64Array(n);
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) x1[i] = rng.uniform() * 4 - 2;
  for (let i = 0; i < n; i++) u[i] = rng.uniform();
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const b = rng.int(2);
    const parity = ((Math.floor(x1[i]) % 2) + 2) % 2; // Python's % is never negative
    out[2 * i] = 2 * x1[i];
    out[2 * i + 1] = 2 * (u[i] - 2 * b + parity);
  }
  return { data: out, n, d: 2 };
}

export function pinwheel(n: number, rng: Rng): Points {
  checkCount(n);
  const arms = 5;
  const labels = balancedLabels(n, arms, rng);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const f0 = 1 + 0.3 * rng.normal();
    const f1 = 0.1 * rng.normal();
    const a = (2 * Math.PI * labels[i]) / arms + 0.25 * Math.exp(f0);
    const c = Math.cos(a);
    const s = Math.sin(a);
    out[2 * i] = 2 * (f0 * c + f1 * s);
    out[2 * i + 1] = 2 * (-f0 * s + f1 * c);
  }
  return { data: out, n, d: 2 };
}

export function swissroll(n: number, rng: Rng): Points {
  checkCount(n);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = 1.5 * Math.PI * (1 + 2 * rng.uniform());
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = (t[i] * Math.cos(t[i]) + rng.normal()) / 5;
    out[2 * i + 1] = (t[i] * Math.sin(t[i]) + rng.normal()) / 5;
  }
  return { data: out, n, d: 2 };
}

export function twoSpirals(n: number, rng: Rng): Points {
  checkCount(n);
  const m = Math.ceil(n / 2);
  const s = new Float64Array(m);
  const jx = new Float64Array(m);
  const jy = new Float64Array(m);
  for (let i = 0; i < m; i++) s[i] = Math.sqrt(rng.uniform()) * 3 * Math.PI;
  for (let i = 0; i < m; i++) jx[i] = rng.uniform() * 0.5;
  for (let i = 0; i < m; i++) jy[i] = rng.uniform() * 0.5;
  const xy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const k = i < m ? i : i - m;
    const sign = i < m ? 1 : -1;
    const px = -Math.cos(s[k]) * s[k] + jx[k];
    const py = Math.sin(s[k]) * s[k] + jy[k];
    xy[2 * i] = (sign * px) / 3 + 0.1 * rng.normal();
    xy[2 * i + 1] = (sign * py) / 3 + 0.1 * rng.normal();
  }
  return permuted2D(xy, rng.permutation(n));
}

export function twentyFiveGaussians(n: number, rng: Rng): Points {
  checkCount(n);
  const labels = balancedLabels(n, 25, rng);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const cx = 2 * (Math.floor(labels[i] / 5) - 2);
    const cy = 2 * ((labels[i] % 5) - 2);
    out[2 * i] = (cx + 0.05 * rng.normal()) / 2.828;
    out[2 * i + 1] = (cy + 0.05 * rng.normal()) / 2.828;
  }
  return { data: out, n, d: 2 };
}
