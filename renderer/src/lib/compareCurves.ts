/**
 * The compare view's loss curves as (x, y) arrays: x is the bucket's step, or
 * its wall time in seconds since the run started (wall times are stored in
 * milliseconds since the epoch; the start is the run's startedAt, or its
 * first logged point when that is earlier, e.g. after a resume reset
 * startedAt). y is the bucket's mean, optionally smoothed with TensorBoard's
 * debiased EMA (lib/smoothing.ts). DOM-free.
 */
import type { SeriesView } from '../../../app/contract.js';
import { smoothEma } from './smoothing.js';

export type XAxis = 'step' | 'time';

export interface Curve {
  x: Float64Array;
  raw: Float64Array;
  smooth: Float64Array;
}

export function curveX(series: Pick<SeriesView, 'steps' | 'wallTimes'>, axis: XAxis, startedAt: number | null): Float64Array {
  if (axis === 'step') return Float64Array.from(series.steps);
  const first = series.wallTimes.length > 0 ? series.wallTimes[0]! : 0;
  const start = startedAt !== null && Number.isFinite(startedAt) && startedAt <= first ? startedAt : first;
  return Float64Array.from(series.wallTimes, (w) => (w - start) / 1000);
}

export function curveOf(series: Pick<SeriesView, 'steps' | 'wallTimes' | 'mean'>, axis: XAxis, startedAt: number | null, weight: number): Curve {
  const raw = Float64Array.from(series.mean);
  return { x: curveX(series, axis, startedAt), raw, smooth: smoothEma(raw, weight) };
}
