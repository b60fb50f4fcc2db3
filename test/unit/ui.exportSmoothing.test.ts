import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../app/engine/data/csv.js';
import { pointsCsv, toCsv } from '../../renderer/src/lib/csv.js';
import { smoothEma } from '../../renderer/src/lib/smoothing.js';

describe('loss smoothing (TensorBoard debiased EMA)', () => {
  it('leaves a constant curve where it is, from the first point on', () => {
    const s = smoothEma([3, 3, 3, 3], 0.9);
    for (const v of s) expect(v).toBeCloseTo(3, 12);
  });

  it('matches the debiased average worked by hand', () => {
    // w = 0.5: m1 = 0.5, s1 = 0.5 / 0.5 = 1; m2 = 0.25 + 1 = 1.25, s2 = 1.25 / 0.75
    const s = smoothEma([1, 2], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(5 / 3, 12);
  });

  it('shows the raw data at weight 0 and keeps a NaN from spreading', () => {
    expect([...smoothEma([4, 1, 9], 0)]).toEqual([4, 1, 9]);
    const s = smoothEma([1, Number.NaN, 1], 0.6);
    expect(s[1]).toBeNaN();
    expect(s[2]).toBeCloseTo(1, 12);
  });

  it('refuses a weight outside [0, 1)', () => {
    expect(() => smoothEma([1], 1)).toThrow(/\[0, 1\)/);
  });
});

describe('CSV export', () => {
  it('quotes fields with commas, quotes and line breaks', () => {
    expect(toCsv(['name', 'note'], [['a,b', 'say "hi"\nbye']])).toBe('name,note\n"a,b","say ""hi""\nbye"\n');
  });

  it('writes points that the dataset importer reads back exactly', () => {
    const pts = Float32Array.from([0.1, -2.5, 1e-7, 3.25, 123456.789, -0.5]);
    const back = parseCsv(pointsCsv(pts, 2), 'samples.csv');
    expect(back.d).toBe(2);
    expect(back.n).toBe(3);
    expect([...back.data]).toEqual([...pts]);
  });
});
