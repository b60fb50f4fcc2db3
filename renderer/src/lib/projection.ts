/**
 * Two columns to draw from points of any dimension d (n x d, row-major), for
 * the 2-D scatter plots of d > 2 data:
 *
 *   pickDims(points, d, i, j)   columns i and j as they are
 *   pca(points, d, k)           principal components: centre the rows (x - mean),
 *                               C = X^T X / (n - 1) (d x d, in float64), its
 *                               eigenpairs by cyclic Jacobi rotations (C symmetric,
 *                               d small: up to a few hundred), sorted by eigenvalue;
 *                               the scores (x - mean) . v_k, and each component's
 *                               share of the total variance lambda_k / trace(C)
 *   project(view, choice)       either of the two as the n x 2 array a plot draws,
 *                               with axis labels ("x2", "PC1 (62% of variance)")
 *
 * Why Jacobi: it is exact to rounding for every symmetric matrix (repeated
 * eigenvalues included, where power iteration stalls), needs no dependency,
 * and at d <= a few hundred a handful of sweeps costs far less than forming C.
 * Each eigenvector's sign is fixed (largest-magnitude entry positive) so a plot
 * does not flip between calls. Degenerate input gives finite numbers: n = 1 or
 * constant data has zero variance, so the scores are 0, the components the
 * coordinate axes, and every explained fraction 0 (`totalVariance` 0 says why).
 * Pure: no DOM, no dependencies (tested under Node).
 */

export interface PointsLike {
  n: number;
  d: number;
  /** n x d, row-major. */
  points: Float32Array;
}

/** Rows with columns i and j of `points` (n x d): an n x 2 array. */
export function pickDims(points: Float32Array, d: number, i: number, j: number): Float32Array {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`pickDims: d must be a whole number >= 1 (got ${d})`);
  for (const c of [i, j]) {
    if (!Number.isInteger(c) || c < 0 || c >= d) throw new RangeError(`pickDims: column ${c} is outside 0..${d - 1}`);
  }
  const n = Math.floor(points.length / d);
  const out = new Float32Array(2 * n);
  for (let r = 0; r < n; r++) {
    out[2 * r] = points[r * d + i]!;
    out[2 * r + 1] = points[r * d + j]!;
  }
  return out;
}

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** vectors[k] is the unit eigenvector of values[k] (length d). */
  vectors: Float64Array[];
}

/**
 * Eigenpairs of a symmetric d x d matrix (row-major; only symmetry is
 * assumed, the input is not modified) by cyclic Jacobi: each sweep zeroes
 * every off-diagonal entry once with a plane rotation; stops when the
 * off-diagonal mass is negligible against the diagonal (or after 100 sweeps).
 */
export function symmetricEigen(matrix: ArrayLike<number>, d: number): Eigen {
  const a = Float64Array.from({ length: d * d }, (_, k) => matrix[k]!);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < d; p++) {
      diag += a[p * d + p]! * a[p * d + p]!;
      for (let q = p + 1; q < d; q++) off += a[p * d + q]! * a[p * d + q]!;
    }
    if (off === 0 || off <= 1e-30 * diag) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        if (apq === 0) continue;
        const app = a[p * d + p]!;
        const aqq = a[q * d + q]!;
        // tan of the rotation angle that zeroes a_pq (Numerical Recipes' jacobi, the smaller root).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A <- J^T A J, touching rows and columns p and q.
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        a[p * d + q] = 0;
        a[q * d + p] = 0;
        // V <- V J: the columns of V become the eigenvectors.
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, k) => k).sort((x, y) => a[y * d + y]! - a[x * d + x]! || x - y);
  const values = Float64Array.from(order, (k) => a[k * d + k]!);
  const vectors = order.map((k) => {
    const vec = Float64Array.from({ length: d }, (_, r) => v[r * d + k]!);
    // Sign: the entry of largest magnitude is positive (the first such, on ties).
    let big = 0;
    for (let r = 1; r < d; r++) if (Math.abs(vec[r]!) > Math.abs(vec[big]!) + 1e-12) big = r;
    if (vec[big]! < 0) for (let r = 0; r < d; r++) vec[r] = -vec[r]!;
    return vec;
  });
  return { values, vectors };
}

export interface PcaResult {
  /** Rows used (finite in every column). */
  n: number;
  d: number;
  /** How many components: min(k, d). */
  k: number;
  /** The column means subtracted (length d). */
  mean: Float64Array;
  /** Unit principal axes, largest variance first (k of length d). */
  components: Float64Array[];
  /** Variance along each component (sample variance, divisor n - 1), >= 0. */
  variances: number[];
  /** variances[c] / totalVariance; all 0 when the data has no variance. */
  explained: number[];
  /** trace of the covariance: the summed variance of all d columns. */
  totalVariance: number;
  /** Scores, n x k row-major: (x - mean) . components[c]; rows with a non-finite value are NaN. */
  scores: Float32Array;
}

function finiteRow(points: Float32Array, d: number, r: number): boolean {
  for (let c = 0; c < d; c++) if (!Number.isFinite(points[r * d + c]!)) return false;
  return true;
}

/** A PCA fit: everything but the scores, which applyPca computes for any points. */
type PcaFit = Omit<PcaResult, 'scores'>;

/** Principal component analysis of n x d points (see the file comment); rows with a NaN or infinity are left out of the fit. */
export function pca(points: Float32Array, d: number, k = 2): PcaResult {
  const fit = fitPca(points, d, k);
  return { ...fit, scores: applyPca(fit, points, d) };
}

function fitPca(points: Float32Array, d: number, k: number): PcaFit {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`pca: d must be a whole number >= 1 (got ${d})`);
  const rows = Math.floor(points.length / d);
  const kk = Math.max(0, Math.min(k, d));
  const mean = new Float64Array(d);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    if (!finiteRow(points, d, r)) continue;
    n++;
    for (let c = 0; c < d; c++) mean[c]! += points[r * d + c]!;
  }
  if (n > 0) for (let c = 0; c < d; c++) mean[c]! /= n;
  // Upper triangle of X^T X, centred, in float64.
  const cov = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    if (!finiteRow(points, d, r)) continue;
    for (let c = 0; c < d; c++) x[c] = points[r * d + c]! - mean[c]!;
    for (let i = 0; i < d; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      const o = i * d;
      for (let j = i; j < d; j++) cov[o + j]! += xi * x[j]!;
    }
  }
  const denom = Math.max(n - 1, 1);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      cov[i * d + j]! /= denom;
      cov[j * d + i] = cov[i * d + j]!;
    }
  }
  let totalVariance = 0;
  for (let i = 0; i < d; i++) totalVariance += cov[i * d + i]!;
  const eig = symmetricEigen(cov, d);
  const components = eig.vectors.slice(0, kk);
  const variances = Array.from(eig.values.slice(0, kk), (v) => Math.max(0, v));
  const explained = variances.map((v) => (totalVariance > 0 ? Math.min(1, v / totalVariance) : 0));
  return { n, d, k: kk, mean, components, variances, explained, totalVariance };
}

// ---------------------------------------------------------------- what a plot shows

/** What to draw of d > 2 data: two chosen columns (0-based), or the top two principal components. */
export type ProjectionChoice = { mode: 'dims'; x: number; y: number } | { mode: 'pca' };

export interface Projected {
  /** n x 2, row-major. */
  points: Float32Array;
  n: number;
  xLabel: string;
  yLabel: string;
  /** PCA only: the two components' explained-variance fractions. */
  explained?: [number, number];
  /** One line saying what the axes are, e.g. "x: PC1 (62% of variance) · y: PC2 (30% of variance)". */
  caption: string;
}

/** The default for data of dimension d: its columns as they are for d <= 2, else the top two principal components. */
export function defaultChoice(d: number): ProjectionChoice {
  return d > 2 ? { mode: 'pca' } : { mode: 'dims', x: 0, y: Math.min(1, Math.max(0, d - 1)) };
}

/** A choice that fits dimension d (columns clamped into 0..d-1; PCA kept only where d >= 2). */
export function fitChoice(choice: ProjectionChoice, d: number): ProjectionChoice {
  if (choice.mode === 'pca') return d >= 2 ? choice : defaultChoice(d);
  const clamp = (c: number): number => Math.max(0, Math.min(d - 1, Math.floor(c)));
  return { mode: 'dims', x: clamp(choice.x), y: clamp(choice.y) };
}

/** Column label, as the CSV export names columns (x0, x1, ...). */
export const dimLabel = (c: number): string => `x${c}`;

/** "62%", "0.4%", "<0.1%": a fraction as a short percentage. */
export function percent(f: number): string {
  if (!(f > 0)) return '0%';
  const p = 100 * f;
  if (p < 0.1) return '<0.1%';
  return `${p < 10 ? Number(p.toFixed(1)) : Math.round(p)}%`;
}

/**
 * The n x 2 array to draw for `choice`, with its labels: `projector` fitted on
 * the points and applied to them. d = 1 data is drawn on a line (y = 0); PCA
 * of 1-D data falls back to the column itself.
 */
export function project(view: PointsLike, choice: ProjectionChoice): Projected {
  const { apply, ...axes } = projector(view, choice);
  return { ...axes, points: apply(view.points), n: view.n };
}

// ---------------------------------------------------------------- one projection for several clouds

/**
 * Scores of any points under an already fitted PCA: row r, component c is
 * (x_r - fit.mean) . fit.components[c], an n x fit.k array (n = points.length / d).
 * This is the same linear map `pca` applied to the points it was fitted on, so
 * clouds projected with one fit share their axes (the path preview fits once
 * and draws x0, x_t and x1 with it). Rows with a NaN or infinity are NaN.
 */
export function applyPca(fit: Pick<PcaResult, 'd' | 'k' | 'mean' | 'components'>, points: Float32Array, d: number): Float32Array {
  if (d !== fit.d) throw new RangeError(`applyPca: the points have d = ${d} but the fit was made for d = ${fit.d}`);
  const rows = Math.floor(points.length / d);
  const k = fit.k;
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const ok = finiteRow(points, d, r);
    for (let c = 0; c < k; c++) {
      if (!ok) {
        out[r * k + c] = NaN;
        continue;
      }
      const v = fit.components[c]!;
      let s = 0;
      for (let j = 0; j < d; j++) s += (points[r * d + j]! - fit.mean[j]!) * v[j]!;
      out[r * k + c] = s;
    }
  }
  return out;
}

/** One projection, fitted once, for drawing several clouds of the same d on shared axes. */
export interface Projector {
  /** Any n x d points as the n x 2 array a plot draws, by the same map every call. */
  apply(points: Float32Array): Float32Array;
  xLabel: string;
  yLabel: string;
  /** PCA only: the two components' explained-variance fractions (of the points it was fitted on). */
  explained?: [number, number];
  caption: string;
}

/**
 * A projection for `choice` fitted on `fitOn` (for PCA: its mean and top two
 * components), applied unchanged to whatever points are passed to `apply`.
 * Labels read as `project`'s do. Columns need no fit; d = 1 goes on y = 0.
 */
export function projector(fitOn: PointsLike, choice: ProjectionChoice): Projector {
  const { d } = fitOn;
  const c = fitChoice(choice, d);
  if (c.mode === 'pca') {
    const fit = fitPca(fitOn.points, d, 2);
    const explained: [number, number] = [fit.explained[0] ?? 0, fit.explained[1] ?? 0];
    const label = (k: number): string =>
      fit.totalVariance > 0 ? `PC${k + 1} (${percent(explained[k]!)} of variance)` : `PC${k + 1} (no variance)`;
    const xLabel = label(0);
    const yLabel = label(1);
    return { apply: (points) => applyPca(fit, points, d), xLabel, yLabel, explained, caption: `x: ${xLabel} · y: ${yLabel}` };
  }
  if (d === 1) {
    const apply = (points: Float32Array): Float32Array => {
      const out = new Float32Array(2 * points.length);
      for (let r = 0; r < points.length; r++) out[2 * r] = points[r]!;
      return out;
    };
    return { apply, xLabel: dimLabel(0), yLabel: '0 (d = 1)', caption: `x: ${dimLabel(0)} · y: none (1-D data)` };
  }
  const xLabel = dimLabel(c.x);
  const yLabel = dimLabel(c.y);
  return { apply: (points) => pickDims(points, d, c.x, c.y), xLabel, yLabel, caption: `x: ${xLabel} · y: ${yLabel}` };
}
