/**
 * The DOM-free half of the Run view's loss chart (renderer/src/lib/lossCurve.ts):
 * the debiased EMA continued point by point for live curves, the training-time
 * axis with cancel-to-resume pauses taken out, and the curve's bookkeeping.
 * Checked against values worked out by hand and against smoothEma over the
 * whole array (a separate, batch implementation of the same recurrence).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../app/engine/rng.js';
import {
  clockTickLabels,
  clockTicks,
  Curve,
  formatClock,
  IncrementalEma,
  secondsPerStep,
  timeAtStep,
  trainingSeconds,
  wallAxisTitle,
} from '../../renderer/src/lib/lossCurve.js';
import { smoothEma } from '../../renderer/src/lib/smoothing.js';

describe('live loss smoothing (incremental debiased EMA)', () => {
  it('continues a smoothed curve point by point with the numbers worked by hand', () => {
    // w = 0.5: m1 = 0.5, s1 = 1; m2 = 1.25, s2 = 5/3; m3 = 0.625 + 2 = 2.625, s3 = 2.625 / 0.875 = 3
    const ema = new IncrementalEma(0.5);
    const seeded = ema.seed([1, 2]);
    expect(seeded[0]).toBeCloseTo(1, 12);
    expect(seeded[1]).toBeCloseTo(5 / 3, 12);
    expect(ema.next(4)).toBeCloseTo(3, 12);
    // From nothing: next alone gives the same line.
    const fresh = new IncrementalEma(0.5);
    expect([fresh.next(1), fresh.next(2), fresh.next(4)].map((v) => Number(v.toFixed(12)))).toEqual([1, Number((5 / 3).toFixed(12)), 3]);
  });

  it('a long live curve smoothed by appends equals the whole curve smoothed at once', () => {
    const rng = new Rng(7);
    const values = Array.from({ length: 20_000 }, (_, i) => 2 * Math.exp(-i / 5000) + 0.3 * rng.uniform());
    for (const w of [0, 0.6, 0.99]) {
      const ema = new IncrementalEma(w);
      const out = Array.from(ema.seed(values.slice(0, 1500)));
      for (const v of values.slice(1500)) out.push(ema.next(v));
      const whole = smoothEma(values, w);
      let worst = 0;
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(out[i]! - whole[i]!));
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it('a NaN passes through without spreading, and weight 0 shows the data', () => {
    const ema = new IncrementalEma(0.6);
    ema.seed([1, Number.NaN]);
    expect(ema.next(Number.NaN)).toBeNaN();
    expect(ema.next(1)).toBeCloseTo(1, 12);
    const raw = new IncrementalEma(0);
    expect([...raw.seed([4, 1])]).toEqual([4, 1]);
    expect(raw.next(9)).toBe(9);
    expect(() => new IncrementalEma(1)).toThrow(/\[0, 1\)/);
  });
});

describe('the training-time axis', () => {
  it('takes a cancel-to-resume pause out of the wall-clock gaps', () => {
    // 0.1 s a step; between step 4 and 5 the run sat cancelled for a minute.
    const steps = [1, 2, 3, 4, 5, 6];
    const wall = [0, 100, 200, 300, 60_300, 60_400];
    const t = trainingSeconds(steps, wall);
    [0, 0.1, 0.2, 0.3, 0.4, 0.5].forEach((v, i) => expect(t[i]).toBeCloseTo(v, 9));
  });

  it('keeps a slow stretch of training that is no pause, and downsampled buckets as they are', () => {
    // One step of 1.5 s at a pace of 0.1 s: slower, but not 2 s beyond the pace.
    const t = trainingSeconds([1, 2, 3, 4], [0, 100, 1600, 1700]);
    expect(t[2]).toBeCloseTo(1.6, 9);
    expect(t[3]).toBeCloseTo(1.7, 9);
    // Buckets of 100 steps, 10 s each.
    expect([...trainingSeconds([100, 200, 300], [5000, 15_000, 25_000])]).toEqual([0, 10, 20]);
  });

  it('never runs backwards, even when the clock did', () => {
    const t = trainingSeconds([1, 2, 3], [1000, 900, 1100]);
    expect(t[1]).toBe(0);
    expect(t[2]).toBeCloseTo(0.2, 9);
    expect(trainingSeconds([], [])).toHaveLength(0);
  });

  it('places a step between logged points by linear interpolation, clamped at the ends', () => {
    const steps = [0, 10, 20];
    const times = [0, 1, 3];
    expect(timeAtStep(steps, times, 15)).toBeCloseTo(2, 12);
    expect(timeAtStep(steps, times, 5)).toBeCloseTo(0.5, 12);
    expect(timeAtStep(steps, times, 25)).toBe(3);
    expect(timeAtStep(steps, times, -5)).toBe(0);
    expect(secondsPerStep(steps, times)).toBeCloseTo(0.2, 12); // paces 0.1 and 0.2: the upper median
  });

  it('labels seconds as seconds, minutes as m:ss and hours as h:mm:ss', () => {
    expect(formatClock(2.5)).toBe('2.5 s');
    expect(formatClock(12)).toBe('12 s');
    expect(formatClock(65)).toBe('1:05');
    expect(formatClock(3725)).toBe('1:02:05');
  });
});

describe('a loss curve', () => {
  it('keeps only points that can sit on a log axis, after its last step', () => {
    const c = new Curve(0.5);
    c.reset([1, 2, 3, 4], [0, 1, 2, 3], [1, 0, Number.NaN, 2]);
    expect(c.steps).toEqual([1, 4]);
    expect(c.raw).toEqual([1, 2]);
    expect(c.append(4, 5, 1)).toBe(false); // not after step 4
    expect(c.append(6, 5, -1)).toBe(false); // not > 0
    expect(c.append(6, 5, 4)).toBe(true);
    // Smoothed [1, 2, 4] at w = 0.5: 1, 5/3, 3 (worked above).
    expect(c.smooth[2]).toBeCloseTo(3, 12);
    expect(c.points('step', 'raw')).toEqual([
      { x: 1, y: 1 },
      { x: 4, y: 2 },
      { x: 6, y: 4 },
    ]);
    expect(c.points('time', 'smooth').map((p) => p.x)).toEqual([0, 3, 5]);
  });

  it('a new smoothing weight recomputes the whole line', () => {
    const c = new Curve(0.5);
    c.reset([1, 2], [0, 1], [1, 2]);
    c.append(3, 2, 4);
    c.setWeight(0);
    expect(c.smooth).toEqual([1, 2, 4]);
  });
});

describe('the wall-clock axis', () => {
  // Local times (new Date(y, monthIndex, d, h, m, s)): the axis ticks and labels by this machine's clock, whatever its zone.
  const at = (d: number, h: number, m: number, s = 0, ms = 0): number => new Date(2024, 2, d, h, m, s, ms).getTime();

  it('ticks a six-minute run at whole minutes, labelled HH:MM', () => {
    // 14:03:17 to 14:09:02 is 345 s; at most 8 ticks wants >= 345 / 7 = 49.3 s apart: 1 min.
    const { step, ticks } = clockTicks(at(5, 14, 3, 17), at(5, 14, 9, 2), 8);
    expect(step).toBe(60_000);
    expect(ticks).toEqual([4, 5, 6, 7, 8, 9].map((m) => at(5, 14, m)));
    expect(clockTickLabels(ticks, step, at(5, 14, 3, 17), at(5, 14, 9, 2))).toEqual(['14:04', '14:05', '14:06', '14:07', '14:08', '14:09']);
  });

  it('ticks a half-minute run every 5 s, labelled HH:MM:SS', () => {
    // 09:03:17.2 to 09:03:41 is 23.8 s; 23.8 / 7 = 3.4 s: 5 s ticks at :20, :25, :30, :35, :40.
    const lo = at(5, 9, 3, 17, 200);
    const hi = at(5, 9, 3, 41);
    const { step, ticks } = clockTicks(lo, hi, 8);
    expect(step).toBe(5000);
    expect(clockTickLabels(ticks, step, lo, hi)).toEqual(['09:03:20', '09:03:25', '09:03:30', '09:03:35', '09:03:40']);
  });

  it('puts the date under the first tick and under midnight when a run goes past midnight', () => {
    // 22:10 on the 5th to 03:40 on the 6th: 5.5 h, / 7 = 47 min: hourly ticks 23:00 ... 03:00.
    const lo = at(5, 22, 10);
    const hi = at(6, 3, 40);
    const { step, ticks } = clockTicks(lo, hi, 8);
    expect(step).toBe(3_600_000);
    expect(ticks).toEqual([at(5, 23, 0), at(6, 0, 0), at(6, 1, 0), at(6, 2, 0), at(6, 3, 0)]);
    expect(clockTickLabels(ticks, step, lo, hi)).toEqual([['23:00', 'Mar 5'], ['00:00', 'Mar 6'], '01:00', '02:00', '03:00']);
    expect(wallAxisTitle(lo, hi)).toMatch(/2024-03-05 to 2024-03-06$/);
    expect(wallAxisTitle(at(5, 9, 0), at(5, 10, 0))).toMatch(/, 2024-03-05$/);
  });

  it('ticks a run of several days at local midnights, labelled by date', () => {
    // 10:00 on the 5th to 20:00 on the 9th: 106 h, / 7 = 15.1 h, past 12 h: daily ticks.
    const { step, ticks } = clockTicks(at(5, 10, 0), at(9, 20, 0), 8);
    expect(step).toBe(86_400_000);
    expect(ticks).toEqual([6, 7, 8, 9].map((d) => at(d, 0, 0)));
    expect(clockTickLabels(ticks, step, at(5, 10, 0), at(9, 20, 0))).toEqual(['Mar 6', 'Mar 7', 'Mar 8', 'Mar 9']);
  });

  it('labels tenths of a second on a sub-second axis, and never more ticks than asked', () => {
    const lo = at(5, 12, 0, 1, 30);
    const hi = at(5, 12, 0, 1, 480); // 0.45 s: / 7 = 64 ms: 100 ms ticks
    const { step, ticks } = clockTicks(lo, hi, 8);
    expect(step).toBe(100);
    expect(clockTickLabels(ticks, step, lo, hi)).toEqual(['12:00:01.1', '12:00:01.2', '12:00:01.3', '12:00:01.4']);
    // Any span: at most maxTicks ticks, inside the span, strictly increasing.
    for (const span of [1, 999, 61_000, 3_599_000, 7_200_000, 86_399_000, 400_000_000, 5e9]) {
      for (const max of [3, 6, 8]) {
        const t = clockTicks(lo, lo + span, max).ticks;
        expect(t.length).toBeLessThanOrEqual(max);
        for (let i = 0; i < t.length; i++) {
          expect(t[i]).toBeGreaterThanOrEqual(lo);
          expect(t[i]).toBeLessThanOrEqual(lo + span);
          if (i > 0) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
        }
      }
    }
    expect(clockTicks(Number.NaN, 1).ticks).toEqual([]);
  });

  it('a curve keeps its wall times, never running backwards, and draws them on the wall axis', () => {
    const c = new Curve(0);
    c.reset([1, 2, 3], [0, 1, 2], [1, 1, 1], [1000, 900, 2000]);
    expect(c.walls).toEqual([1000, 1000, 2000]);
    c.append(4, 3, 1, 5000);
    c.append(5, 4, 1); // no wall time: the last one stands
    expect(c.points('wall', 'raw').map((p) => p.x)).toEqual([1000, 1000, 2000, 5000, 5000]);
  });
});
