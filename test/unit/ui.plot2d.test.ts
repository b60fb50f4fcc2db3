/**
 * The pure geometry of the flow plots (renderer/src/lib/plotGeometry.ts): the data
 * box, equal aspect, tick values, and where trajectories are at a time t.
 * Checked against values worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { equalAspect, fitBounds, framePoints, niceTicks, timeIndex, unionBounds } from '../../renderer/src/lib/plotGeometry.js';

describe('plot2d geometry', () => {
  it('the data box holds every finite row of the first two columns, padded, and ignores NaN rows', () => {
    const pts = new Float32Array([0, 0, 9, 4, 2, 9, NaN, 1, 9]); // d = 3: rows (0,0), (4,2), (NaN,1)
    const b = fitBounds([{ points: pts, d: 3 }], 0.1)!;
    expect(b.xmin).toBeCloseTo(-0.4);
    expect(b.xmax).toBeCloseTo(4.4);
    expect(b.ymin).toBeCloseTo(-0.2);
    expect(b.ymax).toBeCloseTo(2.2);
    expect(fitBounds([{ points: new Float32Array([NaN, NaN]), d: 2 }])).toBeUndefined();
    expect(unionBounds(undefined, { xmin: 0, xmax: 1, ymin: 0, ymax: 1 }, { xmin: -1, xmax: 0, ymin: 2, ymax: 3 })).toEqual({ xmin: -1, xmax: 1, ymin: 0, ymax: 3 });
  });

  it('equal aspect widens the short side about its centre so a data unit is as long across as up', () => {
    const b = equalAspect({ xmin: 0, xmax: 2, ymin: 0, ymax: 2 }, 200, 100);
    expect(b).toEqual({ xmin: -1, xmax: 3, ymin: 0, ymax: 2 });
    expect((b.xmax - b.xmin) / 200).toBeCloseTo((b.ymax - b.ymin) / 100);
  });

  it('ticks step by the smallest 1-2-5 value of at least span / count, inside the range', () => {
    // span 10.6 / 5 = 2.12 -> step 5; span 1 / 4 = 0.25 -> step 0.5; span 10 / 5 = 2 -> step 2.
    expect(niceTicks(-5.3, 5.3, 5)).toEqual([-5, 0, 5]);
    expect(niceTicks(-5, 5, 5)).toEqual([-4, -2, 0, 2, 4]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
  });

  it('a time between two solver times sits at the matching fraction between their frames', () => {
    const times = [0, 0.25, 0.5, 1];
    expect(timeIndex(times, 0)).toBe(0);
    expect(timeIndex(times, 0.375)).toBeCloseTo(1.5);
    expect(timeIndex(times, 0.75)).toBeCloseTo(2.5);
    expect(timeIndex(times, 2)).toBe(3);
    // Two points (d = 2) moving from (0,0),(1,1) to (2,0),(1,3).
    const frames = [new Float32Array([0, 0, 1, 1]), new Float32Array([2, 0, 1, 3])];
    expect([...framePoints(frames, 2, 0.25)]).toEqual([0.5, 0, 1, 1.5]);
  });
});
