import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../app/engine/rng.js';
import type { Points } from '../../app/engine/points.js';
import { parseNpy, writeNpy } from '../../app/engine/data/npy.js';
import { writeCsv } from '../../app/engine/data/csv.js';
import { loadPointsFile } from '../../app/cli/loadPointsFile.js';
import { asyncErrorOf, errorOf } from './errorOf.js';

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/**
 * A .npy file built from the format spec: "\x93NUMPY", version, header length
 * (uint16 LE for 1.0, uint32 LE for 2.0/3.0), the dict padded with spaces so
 * that the data starts on a 64-byte boundary, '\n', then the raw data.
 */
function npyBytes(major: number, dict: string, data: Uint8Array): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  const header = dict + ' '.repeat((64 - ((pre + dict.length + 1) % 64)) % 64) + '\n';
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const v = new DataView(out.buffer);
  if (major === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(data, pre + h.length);
  return out;
}
function le(kind: 'f8' | 'i4' | 'i8' | 'i2' | 'u1' | 'f4', values: number[]): Uint8Array {
  const size = { f8: 8, i4: 4, i8: 8, i2: 2, u1: 1, f4: 4 }[kind];
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, k) => {
    if (kind === 'f8') v.setFloat64(k * 8, x, true);
    else if (kind === 'f4') v.setFloat32(k * 4, x, true);
    else if (kind === 'i4') v.setInt32(k * 4, x, true);
    else if (kind === 'i8') v.setBigInt64(k * 8, BigInt(x), true);
    else if (kind === 'i2') v.setInt16(k * 2, x, true);
    else v.setUint8(k, x);
  });
  return out;
}

function randomPoints(n: number, d: number, seed: number): Points {
  const data = new Rng(seed).fillNormal(new Float32Array(n * d), 1000);
  return { data, n, d };
}

describe('npy round trip', () => {
  it.each([1, 2, 5])('write then parse gives identical float32 values for d = %i', (d) => {
    const p = randomPoints(33, d, d);
    const back = parseNpy(writeNpy(p), 'x.npy');
    expect([back.n, back.d]).toEqual([33, d]);
    expect(bits(back.data)).toEqual(bits(p.data));
  });

  it('writes a v1.0 header numpy reads: <f4, C order, shape (n, d), data 64-byte aligned', () => {
    const bytes = writeNpy(randomPoints(3, 2, 1));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const hlen = bytes[8] + 256 * bytes[9];
    expect((10 + hlen) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 2\), \} *\n$/);
    expect(bytes.length).toBe(10 + hlen + 3 * 2 * 4);
  });

  it('parses a file whose bytes start at an odd offset of their buffer', () => {
    const p = randomPoints(5, 3, 9);
    const file = writeNpy(p);
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    expect(bits(parseNpy(big.subarray(3), 'x.npy').data)).toEqual(bits(p.data));
  });
});

describe('npy files written by numpy', () => {
  it('reads float64 (v1.0) as float32', () => {
    const vals = [0.1, -2.5, 1e10, 3];
    const p = parseNpy(npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", le('f8', vals)), 'a.npy');
    expect([p.n, p.d]).toEqual([2, 2]);
    expect(Array.from(p.data)).toEqual(vals.map(Math.fround));
  });

  it('reads int32 (v2.0) and 1-D int64 (v3.0) arrays', () => {
    const p = parseNpy(npyBytes(2, "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 1), }", le('i4', [-7, 0, 2147483647])), 'a.npy');
    expect([p.n, p.d]).toEqual([3, 1]);
    expect(Array.from(p.data)).toEqual([-7, 0, Math.fround(2147483647)]);
    const q = parseNpy(npyBytes(3, "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", le('i8', [-1, 5, 2 ** 40, 0])), 'a.npy');
    expect([q.n, q.d]).toEqual([4, 1]);
    expect(Array.from(q.data)).toEqual([-1, 5, 2 ** 40, 0]);
  });

  it('reads int16, uint8 and float16', () => {
    expect(Array.from(parseNpy(npyBytes(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", le('i2', [-300, 7])), 'a').data)).toEqual([-300, 7]);
    expect(Array.from(parseNpy(npyBytes(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", le('u1', [255, 1])), 'a').data)).toEqual([255, 1]);
    // binary16: 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (smallest subnormal)
    const half = new Uint8Array([0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00]);
    expect(Array.from(parseNpy(npyBytes(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", half), 'a').data)).toEqual([1, -2, 2 ** -24]);
  });
});

describe('npy errors name the file and the problem', () => {
  const f4 = (dict: string, values: number[]) => npyBytes(1, dict, le('f4', values));
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['bad magic', () => new TextEncoder().encode('x,y\n1,2\n'), /^b\.npy: not a NumPy \.npy file/],
    ['fortran order', () => f4("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", [1, 2, 3, 4]), /^b\.npy: .*Fortran .*np\.ascontiguousarray/],
    ['big-endian', () => npyBytes(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), /^b\.npy: dtype '>f8' is big-endian/],
    ['3 dimensions', () => f4("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", [1, 2, 3, 4]), /^b\.npy: the array has shape \(1, 2, 2\); only 1-D \(n,\) or 2-D \(n, d\)/],
    ['0 dimensions', () => f4("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", [1]), /^b\.npy: the array has shape \(\); only 1-D/],
    ['no points', () => f4("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", []), /^b\.npy: the array has shape \(0, 2\), which holds no points/],
    ['truncated data', () => f4("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", [1, 2, 3, 4, 5]), /^b\.npy: the data is truncated: shape \(3, 2\) needs 24 bytes after the header, the file has 20/],
    ['extra data', () => f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", [1, 2, 3]), /^b\.npy: 4 unexpected bytes after the array's data/],
    ['truncated header', () => npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(0)).subarray(0, 30), /^b\.npy: the \.npy header is truncated/],
    ['NaN value', () => f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", [1, 2, 3, 4, NaN, 6]), /^b\.npy row 2, column 2 \(index \[1, 1\]\): NaN is not allowed/],
    ['infinite value', () => f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", [1, -Infinity]), /^b\.npy row 2, column 1 \(index \[1\]\): -Infinity is not allowed/],
    ['float64 beyond float32', () => npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", le('f8', [1e300])), /^b\.npy row 1, column 1 \(index \[0\]\): 1e\+300 is outside the float32 range/],
    ['complex dtype', () => npyBytes(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), /^b\.npy: dtype '<c8' is not supported/],
    ['structured dtype', () => npyBytes(1, "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), /^b\.npy: structured \(record\) arrays are not supported/],
    ['unknown version', () => { const b = writeNpy({ data: Float32Array.of(1), n: 1, d: 1 }); b[6] = 4; return b; }, /^b\.npy: \.npy format version 4\.0 is not supported/],
  ];
  it.each(cases)('%s', (_name, make, message) => {
    const e = errorOf(() => parseNpy(make(), 'b.npy'));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toMatch(message);
  });
});

describe('loading a points file by path', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cfm-data-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .csv, .tsv, .txt and .npy by extension', async () => {
    const p = randomPoints(6, 3, 4);
    await writeFile(join(dir, 'a.csv'), writeCsv(p, ['u', 'v', 'w']));
    await writeFile(join(dir, 'a.TSV'), writeCsv(p).replaceAll(',', '\t'));
    await writeFile(join(dir, 'a.txt'), writeCsv(p).replaceAll(',', ' '));
    await writeFile(join(dir, 'a.npy'), writeNpy(p));
    const csv = await loadPointsFile(join(dir, 'a.csv'));
    expect(csv.columns).toEqual(['u', 'v', 'w']);
    for (const name of ['a.csv', 'a.TSV', 'a.txt', 'a.npy']) {
      const q = await loadPointsFile(join(dir, name));
      expect([q.n, q.d]).toEqual([6, 3]);
      expect(bits(q.data)).toEqual(bits(p.data));
    }
  });

  it('says not_found and names the path of a missing file', async () => {
    const path = join(dir, 'missing.csv');
    const e = await asyncErrorOf(loadPointsFile(path));
    expect(e.code).toBe('not_found');
    expect(e.message).toBe(`${path}: no such file; check the path`);
  });

  it('names an unsupported extension and the accepted ones', async () => {
    const e = await asyncErrorOf(loadPointsFile(join(dir, 'a.parquet')));
    expect(e.message).toMatch(/a\.parquet has the extension "\.parquet"; use a \.csv, \.tsv, \.txt, \.npy file$/);
    expect((await asyncErrorOf(loadPointsFile(join(dir, 'noext')))).message).toMatch(/noext has no extension/);
  });

  it('rejects a folder and a binary file posing as text, and names the file in parse errors', async () => {
    await mkdir(join(dir, 'folder.csv'));
    expect((await asyncErrorOf(loadPointsFile(join(dir, 'folder.csv')))).message).toMatch(/folder\.csv is a folder/);
    await writeFile(join(dir, 'bin.csv'), new Uint8Array([0xff, 0xfe, 0x00, 0x80]));
    expect((await asyncErrorOf(loadPointsFile(join(dir, 'bin.csv')))).message).toMatch(/bin\.csv is not UTF-8 text/);
    await writeFile(join(dir, 'bad.csv'), '1,2\n3,oops\n');
    const path = join(dir, 'bad.csv');
    expect((await asyncErrorOf(loadPointsFile(path))).message).toBe(`${path} line 2, column 2: "oops" is not a number; every value must be numeric`);
  });
});
