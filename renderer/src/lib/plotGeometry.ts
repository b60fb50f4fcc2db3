/**
 * The DOM-free geometry of the 2-D plots (lib/plot2d.ts draws with it): the
 * data box of some n x d row-major point sets (first two columns), equal
 * aspect (one data unit as long across as up), round 1-2-5 tick values, and
 * where trajectories given frame by frame are at a fractional frame index
 * (linear between frames) or at a time t (its fractional index among the
 * solver's times). Kept apart so it is tested under Node without a DOM.
 */

export interface Bounds {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

/**
 * The smallest box holding the first two columns of every finite row, padded
 * by `pad` of its span on each side. Undefined when there is no finite row.
 */
export function fitBounds(arrays: readonly { points: Float32Array; d: number }[], pad = 0.05): Bounds | undefined {
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const { points, d } of arrays) {
    if (d < 2) continue;
    for (let i = 0; i + 1 < points.length; i += d) {
      const x = points[i]!;
      const y = points[i + 1]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
    }
  }
  if (!(xmax >= xmin) || !(ymax >= ymin)) return undefined;
  const px = Math.max(xmax - xmin, 1e-6) * pad;
  const py = Math.max(ymax - ymin, 1e-6) * pad;
  return { xmin: xmin - px, xmax: xmax + px, ymin: ymin - py, ymax: ymax + py };
}

/** The union of boxes (undefined ones skipped). */
export function unionBounds(...boxes: (Bounds | undefined)[]): Bounds | undefined {
  let out: Bounds | undefined;
  for (const b of boxes) {
    if (!b) continue;
    out = out
      ? { xmin: Math.min(out.xmin, b.xmin), xmax: Math.max(out.xmax, b.xmax), ymin: Math.min(out.ymin, b.ymin), ymax: Math.max(out.ymax, b.ymax) }
      : { ...b };
  }
  return out;
}

/** Widen the shorter side of `b` so one data unit is the same length on both axes of a w x h area. */
export function equalAspect(b: Bounds, w: number, h: number): Bounds {
  const sx = (b.xmax - b.xmin) / Math.max(w, 1);
  const sy = (b.ymax - b.ymin) / Math.max(h, 1);
  const s = Math.max(sx, sy, 1e-12);
  const cx = (b.xmin + b.xmax) / 2;
  const cy = (b.ymin + b.ymax) / 2;
  return { xmin: cx - (s * w) / 2, xmax: cx + (s * w) / 2, ymin: cy - (s * h) / 2, ymax: cy + (s * h) / 2 };
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 x 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Row i at fractional frame index `at`, linearly interpolated between frames. */
export function pointAt(frames: readonly Float32Array[], d: number, i: number, at: number): [number, number] | undefined {
  if (frames.length === 0) return undefined;
  const a = Math.max(0, Math.min(at, frames.length - 1));
  const j = Math.min(Math.floor(a), frames.length - 1);
  const u = a - j;
  const f0 = frames[j]!;
  const f1 = frames[Math.min(j + 1, frames.length - 1)]!;
  const o = i * d;
  const x = f0[o]! + u * (f1[o]! - f0[o]!);
  const y = f0[o + 1]! + u * (f1[o + 1]! - f0[o + 1]!);
  return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : undefined;
}

/** The k rows of `frames` at fractional frame index `at`, as one k x 2 array. */
export function framePoints(frames: readonly Float32Array[], d: number, at: number): Float32Array {
  if (frames.length === 0 || d < 2) return new Float32Array(0);
  const k = Math.floor(frames[0]!.length / d);
  const out = new Float32Array(k * 2).fill(NaN);
  for (let i = 0; i < k; i++) {
    const p = pointAt(frames, d, i, at);
    if (p) {
      out[2 * i] = p[0];
      out[2 * i + 1] = p[1];
    }
  }
  return out;
}

/** The fractional index of time t in an increasing list of times (clamped to its ends). */
export function timeIndex(times: readonly number[], t: number): number {
  if (times.length === 0) return 0;
  if (t <= times[0]!) return 0;
  for (let j = 1; j < times.length; j++) {
    const t1 = times[j]!;
    if (t <= t1) {
      const t0 = times[j - 1]!;
      return j - 1 + (t1 > t0 ? (t - t0) / (t1 - t0) : 0);
    }
  }
  return times.length - 1;
}

// ---------------------------------------------------------------- heatmaps (the density panel)

/**
 * Viridis at nine evenly spaced stops (R's viridis(9)): perceptually uniform,
 * monotone in lightness (dark purple -> yellow), readable for the common
 * colour-vision deficiencies and on light and dark panels alike.
 */
export const VIRIDIS: readonly string[] = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21908c', '#27ad81', '#5dc863', '#aadc32', '#fde725'];

export type Rgb = [number, number, number];

function hexRgb(hex: string): Rgb {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
}

/**
 * The colour map given by evenly spaced stops, as a function of u in [0, 1]:
 * linear in RGB between the two stops around u (u = k / (stops - 1) is stop k
 * exactly); u outside [0, 1] is clamped. Channels are rounded to integers.
 */
export function colorMap(stops: readonly string[] = VIRIDIS): (u: number) => Rgb {
  const rgb = stops.map(hexRgb);
  if (rgb.length === 0) throw new RangeError('colorMap: give at least one colour stop');
  return (u) => {
    if (rgb.length === 1) return [...rgb[0]!] as Rgb;
    const v = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * (rgb.length - 1);
    const k = Math.min(Math.floor(v), rgb.length - 2);
    const f = v - k;
    const a = rgb[k]!;
    const b = rgb[k + 1]!;
    return [0, 1, 2].map((c) => Math.round(a[c]! + f * (b[c]! - a[c]!))) as Rgb;
  };
}

/** The colour at u of the map given by `stops` (see colorMap). */
export function colorAt(u: number, stops: readonly string[] = VIRIDIS): Rgb {
  return colorMap(stops)(u);
}

/** Where v sits in [lo, hi] as a fraction, clamped to [0, 1]; NaN for a non-finite v (and 0.5 when lo = hi). */
export function unitIn(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return NaN;
  if (!(hi > lo)) return 0.5;
  return Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
}

/**
 * Grid point (i, j) of a grid of `grid` x `grid` points spanning
 * [-extent, extent]^2: x_i = -extent + 2 extent i / (grid - 1), likewise y_j.
 * (app/runs/compute.ts lays out densityGrid's and vectorField's grids so,
 * row-major from (-extent, -extent): value k = j * grid + i.)
 */
export function gridPoint(grid: number, extent: number, i: number, j: number): [number, number] {
  const h = grid > 1 ? (2 * extent) / (grid - 1) : 0;
  return [-extent + i * h, -extent + j * h];
}

/**
 * The data box a heatmap of such a grid covers: each value paints the cell of
 * side h = 2 extent / (grid - 1) centred on its grid point, so the picture
 * reaches half a cell beyond the outermost points.
 */
export function heatmapBox(grid: number, extent: number): Bounds {
  const half = grid > 1 ? extent / (grid - 1) : extent;
  return { xmin: -extent - half, xmax: extent + half, ymin: -extent - half, ymax: extent + half };
}

/**
 * RGBA pixels (grid x grid, top row first as images are stored) of row-major
 * grid values coloured over [lo, hi]: image row r shows grid row j = grid - 1 - r,
 * since y grows upwards on the plot and downwards in an image. Non-finite
 * values are transparent.
 */
export function heatmapPixels(values: ArrayLike<number>, grid: number, lo: number, hi: number, stops: readonly string[] = VIRIDIS): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(grid * grid * 4);
  const color = colorMap(stops);
  for (let j = 0; j < grid; j++) {
    const r = grid - 1 - j;
    for (let i = 0; i < grid; i++) {
      const u = unitIn(values[j * grid + i]!, lo, hi);
      const o = (r * grid + i) * 4;
      if (Number.isNaN(u)) continue; // stays transparent
      const c = color(u);
      out[o] = c[0];
      out[o + 1] = c[1];
      out[o + 2] = c[2];
      out[o + 3] = 255;
    }
  }
  return out;
}

export interface ValueRange {
  /** Smallest and largest finite value (NaN when there is none). */
  min: number;
  max: number;
  /** The colour scale: [lo, hi], values below lo drawn in lo's colour. */
  lo: number;
  hi: number;
  /** How many finite values there are. */
  finite: number;
}

/**
 * The colour range of a log-density map: up to the largest value, and down to
 * the `lowQuantile` quantile of the finite values (nearest rank) but no further
 * than `maxSpan` below the top. log q falls off quadratically away from the
 * data, so a few far corners would otherwise spend most of the colour map on
 * densities e^-30 smaller than where the data is.
 */
export function logDensityRange(values: ArrayLike<number>, lowQuantile = 0.05, maxSpan = 30): ValueRange {
  const finite: number[] = [];
  for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k]!)) finite.push(values[k]!);
  if (finite.length === 0) return { min: NaN, max: NaN, lo: NaN, hi: NaN, finite: 0 };
  finite.sort((a, b) => a - b);
  const min = finite[0]!;
  const max = finite[finite.length - 1]!;
  const q = finite[Math.min(finite.length - 1, Math.max(0, Math.ceil(lowQuantile * finite.length) - 1))]!;
  const lo = Math.max(q, max - maxSpan);
  return { min, max, lo: Math.min(lo, max), hi: max, finite: finite.length };
}
