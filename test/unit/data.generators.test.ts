import { describe, it, expect } from 'vitest';
import { Rng } from '../../app/engine/rng.js';
import type { Points } from '../../app/engine/points.js';
import { BUILTIN_DATASETS, generateDataset } from '../../app/engine/data/registry.js';
import { eightGaussiansWithModes, moons, scurve } from '../../app/engine/data/reference.js';
import { checkerboard, circles, pinwheel, swissroll, twentyFiveGaussians, twoSpirals } from '../../app/engine/data/toy.js';
import { gaussian } from '../../app/engine/data/gaussian.js';

const row = (p: Points, i: number): [number, number] => [p.data[2 * i], p.data[2 * i + 1]];
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a: number[]): number => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1));
};
/** Distance from (x, y) to a curve given densely as a polyline of samples. */
function distToSamples(x: number, y: number, cx: Float64Array, cy: Float64Array): number {
  let best = Infinity;
  for (let k = 0; k < cx.length; k++) best = Math.min(best, (x - cx[k]) ** 2 + (y - cy[k]) ** 2);
  return Math.sqrt(best);
}
function sampleCurve(f: (s: number) => [number, number], lo: number, hi: number, m: number) {
  const cx = new Float64Array(m);
  const cy = new Float64Array(m);
  for (let k = 0; k < m; k++) [cx[k], cy[k]] = f(lo + ((hi - lo) * k) / (m - 1));
  return { cx, cy };
}

describe('every built-in dataset', () => {
  it.each(BUILTIN_DATASETS)('%s: same seed gives identical points, another seed other points, exactly n rows', (name) => {
    const a = generateDataset(name, 101, new Rng(7));
    const b = generateDataset(name, 101, new Rng(7));
    const c = generateDataset(name, 101, new Rng(8));
    expect(a.n).toBe(101);
    expect(a.d).toBe(2);
    expect(a.data.length).toBe(202);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    expect(a.data.every(Number.isFinite)).toBe(true);
  });
});

describe('moons (sklearn make_moons, noise 0.05, x*2, first coordinate -1)', () => {
  const n = 4001;
  const p = moons(n, new Rng(1));
  // Undo the affine map: x = (x' + 1) / 2, y = y' / 2.
  const pts = Array.from({ length: n }, (_, i) => {
    const [x, y] = row(p, i);
    return [(x + 1) / 2, y / 2] as const;
  });
  const outer = sampleCurve((s) => [Math.cos(s), Math.sin(s)], 0, Math.PI, 2000);
  const inner = sampleCurve((s) => [1 - Math.cos(s), 1 - Math.sin(s) - 0.5], 0, Math.PI, 2000);
  const dOut = pts.map(([x, y]) => distToSamples(x, y, outer.cx, outer.cy));
  const dIn = pts.map(([x, y]) => distToSamples(x, y, inner.cx, inner.cy));

  it('puts every point within 5 noise std of one of the two arcs', () => {
    for (let i = 0; i < n; i++) expect(Math.min(dOut[i], dIn[i])).toBeLessThan(5 * 0.05);
  });

  it('puts floor(n/2) points on the outer arc and the rest on the inner one', () => {
    const nOuter = dOut.filter((d, i) => d < dIn[i]).length;
    expect(nOuter).toBe(Math.floor(n / 2));
  });

  it('has Gaussian noise of std 0.05 across the arcs', () => {
    // Signed radial residual to each arc's circle: outer centred (0,0), inner (1, 0.5), radius 1.
    const r = pts.map(([x, y], i) => (dOut[i] < dIn[i] ? Math.hypot(x, y) - 1 : Math.hypot(x - 1, y - 0.5) - 1));
    expect(Math.abs(mean(r))).toBeLessThan(0.005);
    expect(std(r)).toBeGreaterThan(0.046);
    expect(std(r)).toBeLessThan(0.054);
  });

  it('spreads each arc evenly over its half circle (linspace), rows shuffled', () => {
    // Angles on the outer arc (of the noiseless linspace points) have mean pi/2 and the variance of U[0, pi].
    // (Noise can push the end at angle pi below the axis: unwrap atan2's -pi to +pi.)
    const ang = pts
      .filter((_, i) => dOut[i] < dIn[i])
      .map(([x, y]) => Math.atan2(y, x))
      .map((a) => (a < -Math.PI / 2 ? a + 2 * Math.PI : a));
    expect(Math.abs(mean(ang) - Math.PI / 2)).toBeLessThan(0.02);
    expect(Math.abs(std(ang) - Math.PI / Math.sqrt(12))).toBeLessThan(0.02);
    // Shuffled: the first 100 rows are not all from one arc.
    const firstOuter = dOut.slice(0, 100).filter((d, i) => d < dIn[i]).length;
    expect(firstOuter).toBeGreaterThan(20);
    expect(firstOuter).toBeLessThan(80);
  });
});

describe('scurve (make_s_curve x and z, noise 0.05, x*1.5)', () => {
  const n = 3000;
  const p = scurve(n, new Rng(2));
  const pts = Array.from({ length: n }, (_, i) => row(p, i).map((v) => v / 1.5) as [number, number]);

  it('puts every point within 5 noise std of the curve (sin t, sign(t)(cos t - 1)), |t| <= 3pi/2', () => {
    const c = sampleCurve((t) => [Math.sin(t), Math.sign(t) * (Math.cos(t) - 1)], -1.5 * Math.PI, 1.5 * Math.PI, 6000);
    for (const [x, z] of pts) expect(distToSamples(x, z, c.cx, c.cy)).toBeLessThan(5 * 0.05);
  });

  it('has noise of std 0.05 and half of its mass on each lobe', () => {
    // t > 0 lies on the circle centred (0, -1), t < 0 on the one centred (0, 1), both of radius 1.
    const r = pts.map(([x, z]) => Math.hypot(x, z - (z < 0 ? -1 : 1)) - 1);
    expect(std(r)).toBeGreaterThan(0.046);
    expect(std(r)).toBeLessThan(0.054);
    const lower = pts.filter(([, z]) => z < 0).length;
    expect(Math.abs(lower - n / 2)).toBeLessThan(4 * Math.sqrt(n / 4));
  });
});

describe('8gaussians (8 std-1 modes on the circle of radius 5, balanced)', () => {
  it.each([8000, 8003])('gives each mode exactly its share of %i points, means on the circle, std 1', (n) => {
    const { points: p, modes } = eightGaussiansWithModes(n, new Rng(3));
    const pooled: number[] = [];
    for (let k = 0; k < 8; k++) {
      const idx = [...modes.keys()].filter((i) => modes[i] === k);
      expect(idx.length).toBe(Math.floor(n / 8) + (k < n % 8 ? 1 : 0));
      const cx = 5 * Math.cos((2 * Math.PI * k) / 8);
      const cy = 5 * Math.sin((2 * Math.PI * k) / 8);
      const xs = idx.map((i) => p.data[2 * i] - cx);
      const ys = idx.map((i) => p.data[2 * i + 1] - cy);
      const tol = 4 / Math.sqrt(idx.length);
      expect(Math.abs(mean(xs))).toBeLessThan(tol);
      expect(Math.abs(mean(ys))).toBeLessThan(tol);
      pooled.push(...xs, ...ys);
    }
    expect(Math.abs(std(pooled) - 1)).toBeLessThan(0.04);
  });

  it('shuffles the rows, and each point lies nearest its own mode mostly', () => {
    const { points: p, modes } = eightGaussiansWithModes(2000, new Rng(4));
    expect(new Set(modes.slice(0, 40)).size).toBeGreaterThan(4);
    let agree = 0;
    for (let i = 0; i < p.n; i++) {
      const a = Math.atan2(p.data[2 * i + 1], p.data[2 * i]);
      const nearest = (((Math.round(a / (Math.PI / 4)) % 8) + 8) % 8);
      if (nearest === modes[i]) agree++;
    }
    // Neighbouring centres are 3.83 apart: about 94% of std-1 points fall nearest their own.
    expect(agree / p.n).toBeGreaterThan(0.9);
  });
});

describe('toy datasets follow their FFJORD / WGAN-GP definitions', () => {
  it('circles: floor(n/2) points near radius 3, the rest near 1.5, radial noise 0.05*3', () => {
    const n = 2001;
    const p = circles(n, new Rng(5));
    const r = Array.from({ length: n }, (_, i) => Math.hypot(...row(p, i)) / 3);
    const outer = r.filter((v) => v > 0.75);
    expect(outer.length).toBe(Math.floor(n / 2));
    for (const v of r) expect(Math.min(Math.abs(v - 1), Math.abs(v - 0.5))).toBeLessThan(5 * 0.05);
    expect(std(outer)).toBeGreaterThan(0.045);
    expect(std(outer)).toBeLessThan(0.055);
  });

  it('checkerboard: uniform on the 8 squares of side 2 with even floor(x/2)+floor(y/2) in [-4, 4)^2', () => {
    const n = 8000;
    const p = checkerboard(n, new Rng(6));
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const [x, y] = row(p, i);
      expect(Math.abs(x)).toBeLessThanOrEqual(4);
      expect(Math.abs(y)).toBeLessThanOrEqual(4);
      const ci = Math.floor(x / 2);
      const cj = Math.floor(y / 2);
      expect((((ci + cj) % 2) + 2) % 2).toBe(0);
      counts.set(`${ci},${cj}`, (counts.get(`${ci},${cj}`) ?? 0) + 1);
    }
    expect(counts.size).toBe(8);
    for (const c of counts.values()) expect(Math.abs(c - n / 8)).toBeLessThan(4 * Math.sqrt((n * 7) / 64));
  });

  it('pinwheel: five balanced arms whose angle winds as 0.25 exp(radius/2)', () => {
    const n = 5000;
    const p = pinwheel(n, new Rng(7));
    const arms = new Array(5).fill(0);
    let onArm = 0;
    for (let i = 0; i < n; i++) {
      const [x, y] = row(p, i);
      // out = 2 R(-a) f, |f| ~ f0, a = 2 pi k / 5 + 0.25 exp(f0): so 2 pi k / 5 ~ -phi - 0.25 exp(r/2).
      const base = -Math.atan2(y, x) - 0.25 * Math.exp(Math.hypot(x, y) / 2);
      const k = Math.round(base / ((2 * Math.PI) / 5));
      const resid = base - (k * 2 * Math.PI) / 5;
      if (Math.abs(resid) < 0.35) {
        onArm++;
        arms[((k % 5) + 5) % 5]++;
      }
    }
    expect(onArm / n).toBeGreaterThan(0.98);
    for (const c of arms) expect(Math.abs(c - onArm / 5)).toBeLessThan(60);
  });

  it('swissroll: (t cos t, t sin t)/5 for t in [1.5pi, 4.5pi], noise std 1/5', () => {
    const n = 1000;
    const p = swissroll(n, new Rng(8));
    const c = sampleCurve((t) => [t * Math.cos(t), t * Math.sin(t)], 1.5 * Math.PI, 4.5 * Math.PI, 6000);
    const d = Array.from({ length: n }, (_, i) => distToSamples(5 * p.data[2 * i], 5 * p.data[2 * i + 1], c.cx, c.cy));
    expect(d.filter((v) => v < 3.5).length / n).toBeGreaterThan(0.99);
    const r = Array.from({ length: n }, (_, i) => 5 * Math.hypot(...row(p, i)));
    expect(Math.abs(mean(r) - 3 * Math.PI)).toBeLessThan(0.4); // E[t] = 3 pi for t uniform
  });

  it('2spirals: two mirror-image spirals, so the noiseless mean is exactly zero', () => {
    const n = 4000;
    const p = twoSpirals(n, new Rng(9));
    const xs = Array.from({ length: n }, (_, i) => p.data[2 * i]);
    const ys = Array.from({ length: n }, (_, i) => p.data[2 * i + 1]);
    // Only the N(0, 0.1^2) noise is left in the mean.
    expect(Math.abs(mean(xs))).toBeLessThan((4 * 0.1) / Math.sqrt(n));
    expect(Math.abs(mean(ys))).toBeLessThan((4 * 0.1) / Math.sqrt(n));
    const spiral = (sg: number) =>
      sampleCurve((s) => [(sg * (-Math.cos(s) * s + 0.25)) / 3, (sg * (Math.sin(s) * s + 0.25)) / 3], 0, 3 * Math.PI, 3000);
    const a = spiral(1);
    const b = spiral(-1);
    // jitter U[0, 0.5] per coordinate: <= 0.354/3 from the centre line; noise 0.1: 5 std of a 2-D norm.
    for (let i = 0; i < 500; i++) {
      const dmin = Math.min(distToSamples(xs[i], ys[i], a.cx, a.cy), distToSamples(xs[i], ys[i], b.cx, b.cy));
      expect(dmin).toBeLessThan(0.354 / 3 + 0.5);
    }
  });

  it('25gaussians: balanced 5x5 grid at 2(i, j)/2.828, std 0.05/2.828', () => {
    const n = 2510;
    const p = twentyFiveGaussians(n, new Rng(10));
    const counts = new Map<string, number>();
    const resid: number[] = [];
    for (let i = 0; i < n; i++) {
      const [x, y] = row(p, i).map((v) => v * 2.828);
      const gi = Math.round(x / 2);
      const gj = Math.round(y / 2);
      expect(Math.abs(gi)).toBeLessThanOrEqual(2);
      expect(Math.abs(gj)).toBeLessThanOrEqual(2);
      counts.set(`${gi},${gj}`, (counts.get(`${gi},${gj}`) ?? 0) + 1);
      resid.push(x - 2 * gi, y - 2 * gj);
    }
    expect(counts.size).toBe(25);
    const sorted = [...counts.values()].sort((u, v) => v - u);
    expect(sorted).toEqual([...Array(10).fill(101), ...Array(15).fill(100)]);
    expect(Math.abs(std(resid) - 0.05)).toBeLessThan(0.003);
  });
});

describe('gaussian source', () => {
  it('is standard normal in every coordinate for d = 5', () => {
    const n = 4000;
    const p = gaussian(n, new Rng(11), 5);
    expect(p.d).toBe(5);
    for (let j = 0; j < 5; j++) {
      const col = Array.from({ length: n }, (_, i) => p.data[i * 5 + j]);
      expect(Math.abs(mean(col))).toBeLessThan(4 / Math.sqrt(n));
      expect(Math.abs(std(col) - 1)).toBeLessThan(0.05);
    }
  });
});
