import { describe, it, expect } from 'vitest';
import { downsampleSeries } from '../../app/service/downsample.js';
import { Rng } from '../../app/engine/rng.js';
import type { MetricSeries } from '../../app/store/interface.js';

/** A noisy decaying loss curve with irregular step gaps. */
function syntheticSeries(m: number, seed: number): MetricSeries {
  const rng = new Rng(seed);
  const steps = new Float64Array(m);
  const wallTimes = new Float64Array(m);
  const values = new Float64Array(m);
  let step = 0;
  let t = 1_700_000_000_000;
  for (let i = 0; i < m; i++) {
    step += 1 + rng.int(3);
    t += 5 + rng.int(20);
    steps[i] = step;
    wallTimes[i] = t;
    values[i] = 2 * Math.exp(-i / (m / 4)) + 0.1 * rng.normal();
  }
  return { steps, wallTimes, values };
}

/**
 * Brute force from the output's own x values: bucket k holds the points with
 * step in (steps[k-1], steps[k]]; its statistics are recomputed from scratch.
 */
function checkAgainstBruteForce(s: MetricSeries, buckets: number): void {
  const out = downsampleSeries(s, buckets);
  const m = s.values.length;
  expect(out.total).toBe(m);
  expect(out.steps.length).toBe(Math.min(buckets, m));
  const sizes: number[] = [];
  let prev = -Infinity;
  for (let k = 0; k < out.steps.length; k++) {
    const members: number[] = [];
    for (let i = 0; i < m; i++) if (s.steps[i] > prev && s.steps[i] <= out.steps[k]) members.push(i);
    expect(members.length).toBeGreaterThan(0);
    // Consecutive points, the bucket's x is its last point.
    expect(members[members.length - 1] - members[0]).toBe(members.length - 1);
    const last = members[members.length - 1];
    expect(out.steps[k]).toBe(s.steps[last]);
    expect(out.wallTimes[k]).toBe(s.wallTimes[last]);
    const vals = members.map((i) => s.values[i]);
    expect(out.min[k]).toBe(Math.min(...vals));
    expect(out.max[k]).toBe(Math.max(...vals));
    expect(out.mean[k]).toBeCloseTo(vals.reduce((a, b) => a + b, 0) / vals.length, 12);
    sizes.push(members.length);
    prev = out.steps[k];
  }
  // Every point is in a bucket, and buckets are as even as they can be.
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(m);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
}

describe('metric series downsampling', () => {
  it('matches a brute-force computation of last step, wall time, mean, min and max per bucket', () => {
    for (const [m, buckets, seed] of [
      [10_000, 1500, 1],
      [1_001, 10, 2],
      [997, 333, 3],
      [50, 7, 4],
    ]) {
      checkAgainstBruteForce(syntheticSeries(m, seed), buckets);
    }
  });

  it('keeps every point when there are fewer points than buckets', () => {
    const s = syntheticSeries(40, 5);
    const out = downsampleSeries(s, 1500);
    expect(out.total).toBe(40);
    expect(Array.from(out.steps)).toEqual(Array.from(s.steps));
    expect(Array.from(out.mean)).toEqual(Array.from(s.values));
    expect(Array.from(out.min)).toEqual(Array.from(s.values));
    expect(Array.from(out.max)).toEqual(Array.from(s.values));
  });

  it('a single-step loss spike survives in max, a dip in min, while the mean smooths them', () => {
    const m = 20_000;
    const steps = Float64Array.from({ length: m }, (_, i) => i + 1);
    const values = new Float64Array(m).fill(1);
    values[12_345] = 1000;
    values[3_000] = -50;
    const out = downsampleSeries({ steps, wallTimes: steps.slice(), values }, 100);
    expect(Math.max(...out.max)).toBe(1000);
    expect(Math.min(...out.min)).toBe(-50);
    const k = out.max.indexOf(1000);
    expect(out.steps[k - 1]).toBeLessThan(12_346);
    expect(out.steps[k]).toBeGreaterThanOrEqual(12_346);
    // 200 points a bucket: the spike moves its mean by 999 / 200.
    expect(out.mean[k]).toBeCloseTo(1 + 999 / 200, 9);
  });

  it('skips NaN in the statistics; an all-NaN bucket is NaN', () => {
    const steps = Float64Array.from([1, 2, 3, 4]);
    const out = downsampleSeries({ steps, wallTimes: steps.slice(), values: Float64Array.from([NaN, 2, NaN, NaN]) }, 2);
    expect(out.mean[0]).toBe(2);
    expect(out.min[0]).toBe(2);
    expect(Number.isNaN(out.max[1])).toBe(true);
  });

  it('an empty series gives no buckets', () => {
    const out = downsampleSeries({ steps: new Float64Array(0), wallTimes: new Float64Array(0), values: new Float64Array(0) }, 10);
    expect(out.total).toBe(0);
    expect(out.steps.length).toBe(0);
  });
});
