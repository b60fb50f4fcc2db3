/**
 * The density heatmap's geometry and colours (renderer/src/lib/plotGeometry.ts):
 * which grid value paints which image pixel and where that pixel sits in the
 * data, the value -> colour mapping of the viridis stops, and the colour range
 * of a log-density grid. Checked against cases worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { colorAt, gridPoint, heatmapBox, heatmapPixels, logDensityRange, unitIn, VIRIDIS } from '../../renderer/src/lib/plotGeometry.js';

const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

describe('value -> colour', () => {
  it('the ends and the middle of the scale are the first, last and middle viridis stops', () => {
    expect(colorAt(0)).toEqual([0x44, 0x01, 0x54]);
    expect(colorAt(1)).toEqual([0xfd, 0xe7, 0x25]);
    expect(colorAt(0.5)).toEqual(rgb(VIRIDIS[4]!)); // 9 stops: u = 0.5 is stop 4
    expect(colorAt(0.25)).toEqual(rgb(VIRIDIS[2]!));
  });

  it('between two stops the colour is their linear mix, and out-of-range values clamp', () => {
    // u = 1/16 is halfway between stop 0 (68, 1, 84) and stop 1 (71, 45, 123): (69.5, 23, 103.5), rounded.
    expect(colorAt(1 / 16)).toEqual([70, 23, 104]);
    expect(colorAt(-3)).toEqual(colorAt(0));
    expect(colorAt(7)).toEqual(colorAt(1));
    expect(colorAt(0.5, ['#000000', '#ffffff'])).toEqual([128, 128, 128]);
  });

  it('a value becomes its fraction of [lo, hi], clamped; non-finite values have none', () => {
    expect(unitIn(5, 0, 10)).toBe(0.5);
    expect(unitIn(-20, -30, -10)).toBe(0.5);
    expect(unitIn(-40, -30, -10)).toBe(0);
    expect(unitIn(3, -30, -10)).toBe(1);
    expect(unitIn(Number.NaN, 0, 1)).toBeNaN();
    expect(unitIn(Number.NEGATIVE_INFINITY, 0, 1)).toBeNaN();
    expect(unitIn(2, 2, 2)).toBe(0.5);
  });
});

describe('grid -> pixels', () => {
  it('the bottom grid row is the last image row, the top one the first; NaN cells stay transparent', () => {
    // 2 x 2 grid, row-major from (-e, -e): k = 0 bottom-left, 1 bottom-right, 2 top-left, 3 top-right.
    const px = heatmapPixels(new Float32Array([0, 1, Number.NaN, 0.5]), 2, 0, 1);
    const at = (col: number, row: number): number[] => [...px.subarray((row * 2 + col) * 4, (row * 2 + col) * 4 + 4)];
    expect(at(0, 0)).toEqual([0, 0, 0, 0]); // top-left: the NaN
    expect(at(1, 0)).toEqual([...rgb(VIRIDIS[4]!), 255]); // top-right: 0.5
    expect(at(0, 1)).toEqual([...rgb(VIRIDIS[0]!), 255]); // bottom-left: 0 = lo
    expect(at(1, 1)).toEqual([...rgb(VIRIDIS[8]!), 255]); // bottom-right: 1 = hi
  });

  it('grid points sit at -e + 2e i / (grid - 1), and each cell is centred on its point', () => {
    expect(gridPoint(3, 1, 0, 0)).toEqual([-1, -1]);
    expect(gridPoint(3, 1, 2, 1)).toEqual([1, 0]);
    expect(gridPoint(5, 4, 1, 3)).toEqual([-2, 2]);
    // 3 points over [-1, 1]: cells of side 1, so the picture spans [-1.5, 1.5].
    const box = heatmapBox(3, 1);
    expect(box).toEqual({ xmin: -1.5, xmax: 1.5, ymin: -1.5, ymax: 1.5 });
    // Image pixel (col i, row r) is the cell of grid point (i, grid - 1 - r): its centre is that point.
    const grid = 5;
    const b = heatmapBox(grid, 4);
    const side = (b.xmax - b.xmin) / grid;
    for (const [i, r] of [[0, 0], [4, 4], [1, 3]] as const) {
      const [x, y] = gridPoint(grid, 4, i, grid - 1 - r);
      expect(b.xmin + (i + 0.5) * side).toBeCloseTo(x, 12);
      expect(b.ymax - (r + 0.5) * side).toBeCloseTo(y, 12);
    }
  });
});

describe('the colour range of a log-density grid', () => {
  it('spans from the top down to the 5th percentile, at most 30 nats below the top', () => {
    const values = Float32Array.from({ length: 100 }, (_, k) => -(k + 1)); // -1 .. -100
    const wide = logDensityRange(values, 0.05, 1000);
    expect(wide).toEqual({ min: -100, max: -1, lo: -96, hi: -1, finite: 100 }); // 5th of 100 ascending: -96
    const capped = logDensityRange(values);
    expect(capped.lo).toBe(-31);
    expect(capped.hi).toBe(-1);
  });

  it('ignores non-finite values, and has no range without finite ones', () => {
    const r = logDensityRange(new Float32Array([Number.NaN, -2, Number.NEGATIVE_INFINITY, -1]), 0);
    expect(r).toEqual({ min: -2, max: -1, lo: -2, hi: -1, finite: 2 });
    expect(logDensityRange(new Float32Array([Number.NaN])).finite).toBe(0);
  });
});
