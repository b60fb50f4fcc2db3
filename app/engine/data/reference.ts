/**
 * The three reference datasets of the 2-D protocol of Tong et al. (TMLR 2024),
 * pinned by DESIGN.md: W2 and other figures are only comparable with published
 * ones if these definitions match. Same distributions as the Python runner
 * (numbers differ draw by draw: our Rng is not numpy's).
 *
 * moons  (make_moons(n, noise=0.05), then x * 2 and x[0] - 1):
 *   n_out = floor(n/2), n_in = n - n_out;
 *   outer arc (cos s, sin s), s = linspace(0, pi, n_out);
 *   inner arc (1 - cos s, 1 - sin s - 0.5), s = linspace(0, pi, n_in);
 *   rows shuffled, then N(0, 0.05^2) noise on each coordinate.
 * scurve (make_s_curve(n, noise=0.05), coordinates x and z, then * 1.5):
 *   u ~ U[0,1), t = 3 pi (u - 0.5), (sin t, sign(t) (cos t - 1)) + N(0, 0.05^2 I).
 * 8gaussians: modes k = 0..7 centred at 5 (cos 2 pi k/8, sin 2 pi k/8), std 1,
 *   floor(n/8) points each, the remainder one each to the first modes, shuffled.
 */
import type { Rng } from '../rng.js';
import type { Points } from '../points.js';
import { balancedLabels, checkCount, linspace } from './common.js';

const MOONS_NOISE = 0.05;
const SCURVE_NOISE = 0.05;
const EIGHT_RADIUS = 5;
const EIGHT_STD = 1;

export function moons(n: number, rng: Rng): Points {
  checkCount(n);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const xy = new Float64Array(2 * n);
  const sOut = linspace(0, Math.PI, nOut);
  const sIn = linspace(0, Math.PI, nIn);
  for (let i = 0; i < nOut; i++) {
    xy[2 * i] = Math.cos(sOut[i]);
    xy[2 * i + 1] = Math.sin(sOut[i]);
  }
  for (let i = 0; i < nIn; i++) {
    xy[2 * (nOut + i)] = 1 - Math.cos(sIn[i]);
    xy[2 * (nOut + i) + 1] = 1 - Math.sin(sIn[i]) - 0.5;
  }
  // sklearn shuffles the rows, then adds the noise.
  const perm = rng.permutation(n);
  const out = new Float32Array(2 * n);
  for (let r = 0; r < n; r++) {
    const x = xy[2 * perm[r]] + MOONS_NOISE * rng.normal();
    const y = xy[2 * perm[r] + 1] + MOONS_NOISE * rng.normal();
    out[2 * r] = x * 2 - 1;
    out[2 * r + 1] = y * 2;
  }
  return { data: out, n, d: 2 };
}

export function scurve(n: number, rng: Rng): Points {
  checkCount(n);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = 3 * Math.PI * (rng.uniform() - 0.5);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = Math.sin(t[i]) + SCURVE_NOISE * rng.normal();
    const z = Math.sign(t[i]) * (Math.cos(t[i]) - 1) + SCURVE_NOISE * rng.normal();
    out[2 * i] = x * 1.5;
    out[2 * i + 1] = z * 1.5;
  }
  return { data: out, n, d: 2 };
}

/** 8gaussians with the mode of every point (the mode labels are shuffled, balanced). */
export function eightGaussiansWithModes(n: number, rng: Rng): { points: Points; modes: Int32Array } {
  checkCount(n);
  const modes = balancedLabels(n, 8, rng);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * modes[i]) / 8;
    out[2 * i] = EIGHT_RADIUS * Math.cos(a) + EIGHT_STD * rng.normal();
    out[2 * i + 1] = EIGHT_RADIUS * Math.sin(a) + EIGHT_STD * rng.normal();
  }
  return { points: { data: out, n, d: 2 }, modes };
}

export function eightGaussians(n: number, rng: Rng): Points {
  return eightGaussiansWithModes(n, rng).points;
}

