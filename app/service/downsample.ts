/**
 * A metric series cut into at most `buckets` runs of consecutive points, so a
 * curve of a million steps crosses IPC as ~1,500 points without hiding what
 * matters: per bucket the last step and wall time (the x of a live curve), the
 * mean, and the min and max (a one-step loss spike survives in max).
 *
 * Bucket k of m points holds indices [floor(k m / B), floor((k + 1) m / B)),
 * B = min(buckets, m): sizes differ by at most one, and with m <= B every point
 * is its own bucket (mean = min = max = the value). NaN values are skipped in
 * mean, min and max; a bucket of only NaN gives NaN in all three.
 */
import type { SeriesView } from '../contract.js';
import type { MetricSeries } from '../store/interface.js';

/** A SeriesView without its labels. */
export type Buckets = Omit<SeriesView, 'run' | 'name'>;

export function downsampleSeries(series: MetricSeries, buckets: number): Buckets {
  if (!Number.isInteger(buckets) || buckets < 1) throw new Error(`downsampleSeries: buckets must be a positive integer, got ${buckets}`);
  const m = series.values.length;
  const b = Math.min(buckets, m);
  const out: Buckets = {
    steps: new Float64Array(b),
    wallTimes: new Float64Array(b),
    mean: new Float64Array(b),
    min: new Float64Array(b),
    max: new Float64Array(b),
    total: m,
  };
  for (let k = 0; k < b; k++) {
    const start = Math.floor((k * m) / b);
    const end = Math.floor(((k + 1) * m) / b);
    let sum = 0;
    let count = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = series.values[i];
      if (Number.isNaN(v)) continue;
      sum += v;
      count++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    out.steps[k] = series.steps[end - 1];
    out.wallTimes[k] = series.wallTimes[end - 1];
    out.mean[k] = count ? sum / count : NaN;
    out.min[k] = count ? lo : NaN;
    out.max[k] = count ? hi : NaN;
  }
  return out;
}
