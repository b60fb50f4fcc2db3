/**
 * Projections of d > 2 data for the scatter plots (renderer/src/lib/projection.ts):
 * PCA checked against data built with a known covariance (an ellipse-like curve
 * with known axis variances, turned by a known rotation and shifted), column
 * picking against the columns themselves, the Jacobi eigen solver by A v = lambda v
 * on a matrix built from a chosen spectrum, and degenerate inputs.
 */
import { describe, expect, it } from 'vitest';
import { applyPca, defaultChoice, dimLabel, fitChoice, pca, percent, pickDims, project, projector, symmetricEigen } from '../../renderer/src/lib/projection.js';

/** 3-D rotation about the unit axis u by angle a (Rodrigues), row-major 3 x 3. */
function rotation(u: [number, number, number], a: number): number[] {
  const [x, y, z] = u;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const t = 1 - c;
  return [t * x * x + c, t * x * y - s * z, t * x * z + s * y, t * x * y + s * z, t * y * y + c, t * y * z - s * x, t * x * z - s * y, t * y * z + s * x, t * z * z + c];
}

/** Column k of a row-major 3 x 3 matrix. */
const column = (m: number[], k: number): number[] => [m[k]!, m[3 + k]!, m[6 + k]!];

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * N points (a cos th, b sin th, c cos 2th) at th = 2 pi k / N, rotated by R and
 * shifted by `shift`. For N >= 5 the three coordinates are uncorrelated with
 * sums of squares a^2 N/2, b^2 N/2, c^2 N/2, so the sample variances along
 * R e1, R e2, R e3 are a^2, b^2, c^2 times N / (2 (N - 1)).
 */
function rotatedEllipse(N: number, a: number, b: number, c: number, R: number[], shift: number[]): Float32Array {
  const out = new Float32Array(3 * N);
  for (let k = 0; k < N; k++) {
    const th = (2 * Math.PI * k) / N;
    const p = [a * Math.cos(th), b * Math.sin(th), c * Math.cos(2 * th)];
    for (let r = 0; r < 3; r++) out[3 * k + r] = R[3 * r]! * p[0]! + R[3 * r + 1]! * p[1]! + R[3 * r + 2]! * p[2]! + shift[r]!;
  }
  return out;
}

describe('PCA of d > 2 data', () => {
  const N = 400;
  const [a, b, c] = [3, 2, 0.5];
  const axis: [number, number, number] = [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)];
  const R = rotation(axis, 0.7);
  const shift = [10, -4, 2.5];
  const pts = rotatedEllipse(N, a, b, c, R, shift);
  const total = a * a + b * b + c * c;

  it('finds the rotated ellipse axes as the principal components, up to sign', () => {
    const r = pca(pts, 3, 2);
    expect(r.n).toBe(N);
    expect(r.k).toBe(2);
    for (let k = 0; k < 2; k++) {
      const v = r.components[k]!;
      expect(Math.hypot(...v)).toBeCloseTo(1, 10);
      expect(Math.abs(dot(v, column(R, k)))).toBeCloseTo(1, 5);
    }
    expect(dot(r.components[0]!, r.components[1]!)).toBeCloseTo(0, 8);
    for (let j = 0; j < 3; j++) expect(r.mean[j]).toBeCloseTo(shift[j]!, 4);
  });

  it('reports the variance along each axis and its share of the total', () => {
    const r = pca(pts, 3, 2);
    const scale = N / (2 * (N - 1));
    expect(r.variances[0]).toBeCloseTo(a * a * scale, 4);
    expect(r.variances[1]).toBeCloseTo(b * b * scale, 4);
    expect(r.totalVariance).toBeCloseTo(total * scale, 4);
    expect(r.explained[0]).toBeCloseTo((a * a) / total, 5);
    expect(r.explained[1]).toBeCloseTo((b * b) / total, 5);
  });

  it('the scores are the points in the ellipse frame: (a cos th, b sin th) up to sign', () => {
    const r = pca(pts, 3, 2);
    const s0 = Math.sign(dot(r.components[0]!, column(R, 0)));
    const s1 = Math.sign(dot(r.components[1]!, column(R, 1)));
    for (let k = 0; k < N; k += 37) {
      const th = (2 * Math.PI * k) / N;
      expect(r.scores[2 * k]).toBeCloseTo(s0 * a * Math.cos(th), 4);
      expect(r.scores[2 * k + 1]).toBeCloseTo(s1 * b * Math.sin(th), 4);
    }
  });

  it('labels the plot with the components and their percentages', () => {
    const p = project({ n: N, d: 3, points: pts }, { mode: 'pca' });
    expect(p.n).toBe(N);
    expect(p.points.length).toBe(2 * N);
    expect(p.explained![0]).toBeCloseTo((a * a) / total, 5);
    // 9 / 13.25 = 67.9%, 4 / 13.25 = 30.2%
    expect(p.xLabel).toBe('PC1 (68% of variance)');
    expect(p.yLabel).toBe('PC2 (30% of variance)');
    expect(p.caption).toContain('PC1 (68% of variance)');
  });

  it('rows holding a NaN are left out of the fit and drawn nowhere', () => {
    const withNan = new Float32Array(pts.length + 3);
    withNan.set(pts);
    withNan.set([NaN, 1, 2], pts.length);
    const r = pca(withNan, 3, 2);
    expect(r.n).toBe(N);
    expect(r.explained[0]).toBeCloseTo((a * a) / total, 5);
    expect(r.scores[2 * N]).toBeNaN();
  });

  it('recovers a spectrum chosen in 60 dimensions (a rotated cross of points)', () => {
    // Rows +-s_k q_k for an orthonormal basis q (a Householder reflection of the
    // identity): mean 0, covariance sum_k 2 s_k^2 q_k q_k^T / (n - 1).
    const d = 60;
    const w = Array.from({ length: d }, (_, i) => Math.sin(1.3 * i + 0.4));
    const wn = Math.hypot(...w);
    const u = w.map((x) => x / wn);
    const q = (k: number): number[] => Array.from({ length: d }, (_, i) => (i === k ? 1 : 0) - 2 * u[i]! * u[k]!);
    const s = Array.from({ length: d }, (_, k) => 10 / (k + 1));
    const n = 2 * d;
    const data = new Float32Array(n * d);
    for (let k = 0; k < d; k++) {
      const qk = q(k);
      for (let i = 0; i < d; i++) {
        data[2 * k * d + i] = s[k]! * qk[i]!;
        data[(2 * k + 1) * d + i] = -s[k]! * qk[i]!;
      }
    }
    const r = pca(data, d, 2);
    const sum = s.reduce((acc, x) => acc + x * x, 0);
    expect(r.variances[0]).toBeCloseTo((2 * 100) / (n - 1), 3);
    expect(r.explained[0]).toBeCloseTo(100 / sum, 5);
    expect(r.explained[1]).toBeCloseTo(25 / sum, 5);
    expect(Math.abs(dot(r.components[0]!, q(0)))).toBeCloseTo(1, 5);
    expect(Math.abs(dot(r.components[1]!, q(1)))).toBeCloseTo(1, 5);
  });
});

describe('PCA of 2-D data', () => {
  it('returns the data rotated onto its principal axes', () => {
    const N = 200;
    const [a, b, phi] = [4, 1, Math.PI / 6];
    const pts = new Float32Array(2 * N);
    for (let k = 0; k < N; k++) {
      const th = (2 * Math.PI * k) / N;
      const [x, y] = [a * Math.cos(th), b * Math.sin(th)];
      pts[2 * k] = Math.cos(phi) * x - Math.sin(phi) * y - 3;
      pts[2 * k + 1] = Math.sin(phi) * x + Math.cos(phi) * y + 5;
    }
    const r = pca(pts, 2, 2);
    expect(Math.abs(dot(r.components[0]!, [Math.cos(phi), Math.sin(phi)]))).toBeCloseTo(1, 6);
    expect(r.explained[0]! + r.explained[1]!).toBeCloseTo(1, 10);
    expect(r.explained[0]).toBeCloseTo((a * a) / (a * a + b * b), 6);
    const s0 = Math.sign(r.components[0]![0]!);
    const s1 = Math.sign(dot(r.components[1]!, [-Math.sin(phi), Math.cos(phi)]));
    for (let k = 0; k < N; k++) {
      const th = (2 * Math.PI * k) / N;
      expect(r.scores[2 * k]).toBeCloseTo(s0 * a * Math.cos(th), 4);
      expect(r.scores[2 * k + 1]).toBeCloseTo(s1 * b * Math.sin(th), 4);
    }
  });
});

describe('picking two dimensions', () => {
  const pts = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // 3 rows of d = 4

  it('returns the chosen columns of every row, in the order asked', () => {
    expect([...pickDims(pts, 4, 2, 0)]).toEqual([3, 1, 7, 5, 11, 9]);
    expect([...pickDims(pts, 4, 3, 3)]).toEqual([4, 4, 8, 8, 12, 12]);
    const p = project({ n: 3, d: 4, points: pts }, { mode: 'dims', x: 1, y: 3 });
    expect([...p.points]).toEqual([2, 4, 6, 8, 10, 12]);
    expect([p.xLabel, p.yLabel]).toEqual(['x1', 'x3']);
    expect(p.explained).toBeUndefined();
  });

  it('refuses a column the data does not have', () => {
    expect(() => pickDims(pts, 4, 0, 4)).toThrow(/column 4 is outside 0\.\.3/);
  });

  it('a choice made for wider data is clamped to the columns there are', () => {
    expect(fitChoice({ mode: 'dims', x: 5, y: 1 }, 3)).toEqual({ mode: 'dims', x: 2, y: 1 });
    expect(fitChoice({ mode: 'pca' }, 1)).toEqual({ mode: 'dims', x: 0, y: 0 });
    expect(defaultChoice(2)).toEqual({ mode: 'dims', x: 0, y: 1 });
    expect(defaultChoice(5)).toEqual({ mode: 'pca' });
    expect(dimLabel(7)).toBe('x7');
  });

  it('1-D data is drawn on the line y = 0', () => {
    const p = project({ n: 3, d: 1, points: Float32Array.from([5, -1, 2]) }, { mode: 'pca' });
    expect([...p.points]).toEqual([5, 0, -1, 0, 2, 0]);
  });
});

describe('degenerate inputs give finite, labelled results', () => {
  function expectFinite(r: ReturnType<typeof pca>): void {
    for (const v of r.scores) expect(Number.isFinite(v)).toBe(true);
    for (const f of r.explained) expect(f).toBe(0);
    for (const v of r.variances) expect(v).toBe(0);
    for (const c of r.components) expect(Math.hypot(...c)).toBeCloseTo(1, 12);
    expect(r.totalVariance).toBe(0);
  }

  it('a single point: zero scores, zero explained variance, no NaN', () => {
    const r = pca(Float32Array.from([3, 1, 4]), 3, 2);
    expect(r.n).toBe(1);
    expectFinite(r);
    expect([...r.scores]).toEqual([0, 0]);
    const p = project({ n: 1, d: 3, points: Float32Array.from([3, 1, 4]) }, { mode: 'pca' });
    expect(p.xLabel).toBe('PC1 (no variance)');
  });

  it('constant data: every point at the origin of the PCs', () => {
    const pts = new Float32Array(5 * 4).fill(2.5);
    const r = pca(pts, 4, 2);
    expectFinite(r);
    for (const v of r.scores) expect(v).toBe(0);
  });

  it('no points at all: empty scores', () => {
    const r = pca(new Float32Array(0), 3, 2);
    expect(r.n).toBe(0);
    expect(r.scores.length).toBe(0);
    expectFinite(r);
  });

  it('data on a line in 3-D: PC1 holds all the variance, PC2 none', () => {
    const pts = new Float32Array(3 * 10);
    for (let k = 0; k < 10; k++) pts.set([k, 2 * k, -k], 3 * k);
    const r = pca(pts, 3, 2);
    expect(r.explained[0]).toBeCloseTo(1, 6);
    expect(r.explained[1]).toBeCloseTo(0, 6);
    expect(Math.abs(dot(r.components[0]!, [1 / Math.sqrt(6), 2 / Math.sqrt(6), -1 / Math.sqrt(6)]))).toBeCloseTo(1, 6);
  });
});

describe('the symmetric eigen solver', () => {
  it('returns A v = lambda v with orthonormal v, repeated eigenvalues included, largest first', () => {
    // A = Q diag(5, 2, 2, -1) Q^T with Q a Householder reflection.
    const d = 4;
    const u = [0.5, -0.5, 0.5, 0.5];
    const Q = Array.from({ length: d * d }, (_, k) => (Math.floor(k / d) === k % d ? 1 : 0) - 2 * u[Math.floor(k / d)]! * u[k % d]!);
    const lam = [5, 2, 2, -1];
    const A = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) A[i * d + j]! += Q[i * d + k]! * lam[k]! * Q[j * d + k]!;
    const e = symmetricEigen(A, d);
    expect([...e.values].map((v) => Number(v.toFixed(10)))).toEqual([5, 2, 2, -1]);
    for (let k = 0; k < d; k++) {
      const v = e.vectors[k]!;
      for (let i = 0; i < d; i++) {
        let av = 0;
        for (let j = 0; j < d; j++) av += A[i * d + j]! * v[j]!;
        expect(av).toBeCloseTo(e.values[k]! * v[i]!, 10);
      }
      for (let m = 0; m < d; m++) expect(dot(v, e.vectors[m]!)).toBeCloseTo(k === m ? 1 : 0, 10);
    }
  });

  it('fixes each vector sign: the largest entry is positive', () => {
    const e = symmetricEigen([2, 0, 0, 1], 2);
    expect([...e.vectors[0]!]).toEqual([1, 0]);
    expect([...e.vectors[1]!]).toEqual([0, 1]);
  });
});

describe('percentages', () => {
  it('are short: whole numbers from 10%, one decimal below, and a floor', () => {
    expect(percent(0.6789)).toBe('68%');
    expect(percent(0.0512)).toBe('5.1%');
    expect(percent(0.0004)).toBe('<0.1%');
    expect(percent(0)).toBe('0%');
    expect(percent(NaN)).toBe('0%');
  });
});

describe('one PCA fit applied to other points (the path preview draws x0, x_t and x1 with it)', () => {
  // Four points m +- 2u and m +- w with u = (1, 1, 0)/sqrt 2, w = (0, 0, 1), m = (1, 2, 3).
  // By hand: mean m; C = (2 * 4 u u^T + 2 * 1 w w^T) / 3, so PC1 = u (variance 8/3),
  // PC2 = w (variance 2/3), the third eigenvalue 0; trace 10/3, so 80% and 20%.
  const r2 = Math.SQRT1_2;
  const m = [1, 2, 3];
  const fitPoints = Float32Array.from([
    [1 + 2 * r2 * 1, 2 + 2 * r2, 3],
    [1 - 2 * r2, 2 - 2 * r2, 3],
    [1, 2, 4],
    [1, 2, 2],
  ].flat());

  it('maps new points by (x - mean) . component, with the fitted mean and axes', () => {
    const fit = pca(fitPoints, 3, 2);
    // m + (3, 1, 0): along u (3 + 1)/sqrt 2 = 2 sqrt 2, along w 0.
    // m + (0, 0, -5): along u 0, along w -5.   m itself: the origin.
    const other = Float32Array.from([m[0]! + 3, m[1]! + 1, m[2]!, m[0]!, m[1]!, m[2]! - 5, ...m]);
    const s = applyPca(fit, other, 3);
    expect(s.length).toBe(6);
    expect(s[0]).toBeCloseTo(2 * Math.SQRT2, 5);
    expect(s[1]).toBeCloseTo(0, 5);
    expect(s[2]).toBeCloseTo(0, 5);
    expect(s[3]).toBeCloseTo(-5, 5);
    expect(s[4]).toBeCloseTo(0, 5);
    expect(s[5]).toBeCloseTo(0, 5);
  });

  it('a row holding a NaN is NaN, and points of another dimension are refused', () => {
    const fit = pca(fitPoints, 3, 2);
    const s = applyPca(fit, Float32Array.from([NaN, 0, 0, 1, 2, 3]), 3);
    expect(s[0]).toBeNaN();
    expect(s[1]).toBeNaN();
    expect(s[2]).toBeCloseTo(0, 6);
    expect(() => applyPca(fit, new Float32Array(4), 2)).toThrow(/d = 2.*d = 3/);
  });

  it('a PCA projector labels its axes from the fit and draws every cloud with the same map', () => {
    const p = projector({ n: 4, d: 3, points: fitPoints }, { mode: 'pca' });
    expect(p.xLabel).toBe('PC1 (80% of variance)');
    expect(p.yLabel).toBe('PC2 (20% of variance)');
    expect(p.explained![0]).toBeCloseTo(0.8, 6);
    expect(p.caption).toBe('x: PC1 (80% of variance) · y: PC2 (20% of variance)');
    // A cloud far from the fitted one keeps its offset: it is not re-centred or re-fitted.
    const far = Float32Array.from([11, 12, 3, 1, 2, 3]);
    const s = p.apply(far);
    expect(s[0]).toBeCloseTo((10 + 10) * r2, 5);
    expect(s[1]).toBeCloseTo(0, 5);
    expect(s[2]).toBeCloseTo(0, 5);
    expect(s[3]).toBeCloseTo(0, 5);
  });

  it('a column projector picks the columns of any cloud; 1-D data goes on y = 0', () => {
    const p = projector({ n: 4, d: 3, points: fitPoints }, { mode: 'dims', x: 2, y: 0 });
    expect([p.xLabel, p.yLabel]).toEqual(['x2', 'x0']);
    expect([...p.apply(Float32Array.from([1, 2, 3, 4, 5, 6]))]).toEqual([3, 1, 6, 4]);
    const line = projector({ n: 2, d: 1, points: Float32Array.from([0, 1]) }, { mode: 'pca' });
    expect([...line.apply(Float32Array.from([7, -2]))]).toEqual([7, 0, -2, 0]);
  });
});
