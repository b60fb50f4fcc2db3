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
