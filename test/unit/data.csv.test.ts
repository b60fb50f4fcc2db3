import { describe, it, expect } from 'vitest';
import { Rng } from '../../app/engine/rng.js';
import type { Points } from '../../app/engine/points.js';
import { formatFloat32, parseCsv, writeCsv } from '../../app/engine/data/csv.js';
import { errorOf } from './errorOf.js';

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Float32 values over many magnitudes, plus the edge cases of the format. */
function awkward(n: number, d: number, seed: number): Points {
  const rng = new Rng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 10 ** (rng.int(61) - 30);
  const edges = [0, -0, 1, -1, 0.1, 1 / 3, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, 16777217, 1e21];
  for (let i = 0; i < Math.min(edges.length, data.length); i++) data[i] = edges[i];
  return { data, n, d };
}

describe('CSV round trip', () => {
  it.each([1, 2, 5])('write then parse gives the identical float32 values for d = %i', (d) => {
    const p = awkward(40, d, d);
    const back = parseCsv(writeCsv(p), 'x.csv');
    expect([back.n, back.d]).toEqual([40, d]);
    expect(bits(back.data)).toEqual(bits(p.data));
    expect(back.columns).toBeUndefined();
  });

  it('writes each value with the fewest digits that read back exactly', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(1.5))).toBe('1.5');
    expect(formatFloat32(100)).toBe('100');
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334');
  });

  it('writes and reads back column names', () => {
    const p: Points = { data: Float32Array.of(1, 2, 3, 4), n: 2, d: 2 };
    const text = writeCsv(p, ['x', 'y']);
    expect(text).toBe('x,y\n1,2\n3,4\n');
    expect(parseCsv(text, 'x.csv').columns).toEqual(['x', 'y']);
  });
});

describe('CSV parsing', () => {
  it('accepts comma, semicolon, tab and whitespace separators, CRLF, blank and # lines', () => {
    const want = [1, 2.5, -3e2, 0.25];
    for (const text of [
      '1,2.5\n-3e2,0.25\n',
      '1;2.5\r\n-3e2;0.25',
      '# written by np.savetxt\n1\t2.5\n\n-3e2\t0.25\n',
      '  1   2.5\n-3e2 0.25  \n\n',
      '1, 2.5\n -3e2 , 0.25\n',
    ]) {
      const p = parseCsv(text, 'a.csv');
      expect([p.n, p.d]).toEqual([2, 2]);
      expect(Array.from(p.data)).toEqual(want);
    }
  });

  it('reads a header row of names (quoted or not) as column names, also pandas index headers', () => {
    const p = parseCsv('"x","y","z"\n1,2,3\n4,5,6\n', 'a.csv');
    expect(p.columns).toEqual(['x', 'y', 'z']);
    expect(Array.from(p.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseCsv(',x,y\n0,1,2\n', 'a.csv').columns).toEqual(['', 'x', 'y']);
  });

  it('reads a single column as d = 1', () => {
    const p = parseCsv('value\n1\n2\n3\n', 'a.csv');
    expect([p.n, p.d]).toEqual([3, 1]);
    expect(p.columns).toEqual(['value']);
  });

  it('names the line and column of a value that is not a number', () => {
    const e = errorOf(() => parseCsv('x,y\n1,2\n3,4\n5,abc\n', 'data.csv'));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toBe('data.csv line 4, column 2: "abc" is not a number; every value must be numeric');
  });

  it('counts blank lines when naming a line, as an editor does', () => {
    expect(errorOf(() => parseCsv('1,2\n\n\n3,x\n', 'data.csv')).message).toMatch(/^data\.csv line 4, column 2:/);
  });

  it('rejects a ragged row, naming both lines', () => {
    const e = errorOf(() => parseCsv('1,2\n3,4\n5,6,7\n', 'data.csv'));
    expect(e.message).toBe('data.csv line 3: has 3 values but line 1 has 2; every row must have the same number of columns');
    expect(errorOf(() => parseCsv('a,b\n1\n', 'data.csv')).message).toMatch(/^data\.csv line 2: has 1 value but the header \(line 1\) has 2 names/);
  });

  it('rejects NaN and infinite values with their position', () => {
    for (const bad of ['nan', 'NaN', 'inf', '-Infinity']) {
      const e = errorOf(() => parseCsv(`1,2\n3,${bad}\n`, 'data.csv'));
      expect(e.message).toBe(`data.csv line 2, column 2: "${bad}" is not a finite number; remove or replace NaN and infinite values`);
    }
    expect(errorOf(() => parseCsv('1,1e39\n', 'data.csv')).message).toMatch(/^data\.csv line 1, column 2: 1e39 is outside the float32 range/);
  });

  it('rejects empty cells, an empty file and a header without data', () => {
    expect(errorOf(() => parseCsv('1,2\n3,\n', 'data.csv')).message).toMatch(/^data\.csv line 2, column 2: empty value/);
    expect(errorOf(() => parseCsv('', 'data.csv')).message).toMatch(/^data\.csv: the file is empty/);
    expect(errorOf(() => parseCsv('\n  \n# only a comment\n', 'data.csv')).message).toMatch(/^data\.csv: the file is empty/);
    expect(errorOf(() => parseCsv('x,y\n', 'data.csv')).message).toMatch(/^data\.csv: has a header but no data rows/);
  });

  it('hints at the decimal point when a semicolon file uses decimal commas', () => {
    expect(errorOf(() => parseCsv('1,5;2\n', 'eu.csv')).message).toBe(
      'eu.csv line 1, column 1: "1,5" is not a number (use "." as the decimal point); every value must be numeric',
    );
  });
});
