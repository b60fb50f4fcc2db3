import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, decodeWire, encodeWire, jsonDepth, WireError } from '../../app/wire.js';

/** Bytes of a typed array, for bit-exact comparison (NaN payloads, -0). */
function bytesOf(a: ArrayBufferView): number[] {
  return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function roundTrip<T>(v: T): T {
  return decodeWire(encodeWire(v)) as T;
}

describe('wire encoding of float arrays', () => {
  it('carries Float32Array, Float64Array and Uint8Array bit-exact, NaN, infinities and -0 included', () => {
    const f32 = new Float32Array([1.5, -0, 0, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45]);
    const f64 = new Float64Array([Math.PI, -0, NaN, Number.MAX_VALUE, Number.MIN_VALUE, -Infinity]);
    const u8 = new Uint8Array([0, 1, 127, 128, 255]);
    const back = roundTrip({ f32, f64, u8 });
    expect(back.f32).toBeInstanceOf(Float32Array);
    expect(back.f64).toBeInstanceOf(Float64Array);
    expect(back.u8).toBeInstanceOf(Uint8Array);
    expect(bytesOf(back.f32)).toEqual(bytesOf(f32));
    expect(bytesOf(back.f64)).toEqual(bytesOf(f64));
    expect(Array.from(back.u8)).toEqual([0, 1, 127, 128, 255]);
    expect(Object.is(back.f32[1], -0)).toBe(true);
    expect(Number.isNaN(back.f64[2])).toBe(true);
  });

  it('carries empty arrays and arrays of every length modulo 3 (base64 padding)', () => {
    for (let n = 0; n < 12; n++) {
      const u8 = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      const f32 = Float32Array.from({ length: n }, (_, i) => i / 7 - 0.5);
      const back = roundTrip({ u8, f32 });
      expect(Array.from(back.u8)).toEqual(Array.from(u8));
      expect(Array.from(back.f32)).toEqual(Array.from(f32));
    }
  });

  it('encodes a view into a larger buffer as just its own elements', () => {
    const whole = new Float32Array([9, 1, 2, 3, 9]);
    const view = whole.subarray(1, 4);
    const back = roundTrip(view);
    expect(Array.from(back)).toEqual([1, 2, 3]);
  });

  it('round-trips nested objects and lists of arrays, with non-finite and -0 plain numbers', () => {
    const value = {
      run: 3,
      loss: NaN,
      best: -Infinity,
      zero: -0,
      nested: { deep: [{ xt: [new Float32Array([1, 2]), new Float32Array([])] }], steps: new Float64Array([1, 2, 3]) },
      text: 'a "quoted" \u00e9 \ud83d\ude00',
      none: null,
      flag: true,
    };
    const back = roundTrip(value);
    expect(back.run).toBe(3);
    expect(Number.isNaN(back.loss)).toBe(true);
    expect(back.best).toBe(-Infinity);
    expect(Object.is(back.zero, -0)).toBe(true);
    expect(back.nested.deep[0].xt[0]).toEqual(new Float32Array([1, 2]));
    expect(back.nested.deep[0].xt[1]).toEqual(new Float32Array([]));
    expect(back.nested.steps).toEqual(new Float64Array([1, 2, 3]));
    expect(back.text).toBe(value.text);
    expect(back.none).toBeNull();
    expect(back.flag).toBe(true);
  });

  it('keeps user objects that look like tags (a sole key starting with $) as they were', () => {
    const value = { a: { $f32: 'AAAA' }, b: { $num: 'NaN' }, c: { $$f32: 1 }, d: { $x: [1] }, e: { $f32: 1, other: 2 } };
    expect(roundTrip(value)).toEqual(value);
  });

  it('writes typed arrays as base64 of their little-endian bytes, not as number lists', () => {
    const text = encodeWire({ points: new Float32Array([1]) });
    // 1.0f = 0x3f800000, little-endian bytes 00 00 80 3f
    expect(JSON.parse(text)).toEqual({ points: { $f32: 'AACAPw==' } });
  });
});

describe('base64', () => {
  it('agrees with the RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, b64] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(bytesToBase64(bytes)).toBe(b64);
      expect(new TextDecoder().decode(base64ToBytes(b64))).toBe(plain);
    }
  });

  it('agrees with the platform btoa on every byte value and a long random buffer', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    let x = 12345;
    const long = Uint8Array.from({ length: 50_001 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24) & 255);
    for (const bytes of [all, long]) {
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      expect(bytesToBase64(bytes)).toBe(btoa(bin));
      expect(Array.from(base64ToBytes(btoa(bin)))).toEqual(Array.from(bytes));
    }
  });

  it('rejects malformed base64 with a WireError', () => {
    for (const bad of ['A', 'AB=', 'A===', '@@@@', 'AA=A', 'Zm9v\n', 'Zg==Zg==', '\u00e9AAA']) {
      expect(() => base64ToBytes(bad), bad).toThrow(WireError);
    }
  });
});

describe('decoding untrusted wire JSON', () => {
  const rejects = (text: string): string => {
    try {
      decodeWire(text);
    } catch (e) {
      expect(e).toBeInstanceOf(WireError);
      return (e as Error).message;
    }
    throw new Error(`accepted ${text}`);
  };

  it('rejects text that is not JSON, with the parser reason', () => {
    expect(rejects('{"a": ')).toMatch(/not valid JSON/);
    expect(rejects('')).toMatch(/not valid JSON/);
    expect(rejects("{'a': 1}")).toMatch(/not valid JSON/);
  });

  it('rejects a float array whose bytes are not a whole number of values', () => {
    expect(rejects('{"p": {"$f32": "AAAA"}}')).toMatch(/3 bytes, not a whole number of 4-byte/);
    expect(rejects('{"p": {"$f64": "AAAAAA=="}}')).toMatch(/4 bytes/);
  });

  it('rejects tags holding the wrong kind of value', () => {
    expect(rejects('{"p": {"$f32": 12}}')).toMatch(/base64 string/);
    expect(rejects('{"p": {"$num": "nan"}}')).toMatch(/\$num/);
  });

  it('rejects nesting deeper than the limit before parsing, and accepts it up to the limit', () => {
    expect(rejects('['.repeat(100_000) + ']'.repeat(100_000))).toMatch(/nested deeper than 64/);
    expect(decodeWire('['.repeat(64) + ']'.repeat(64))).toBeDefined();
    // brackets inside strings do not count
    expect(decodeWire(JSON.stringify({ s: '[[[[{{{{'.repeat(100) }))).toEqual({ s: '[[[[{{{{'.repeat(100) });
  });

  it('counts depth across escaped quotes in strings', () => {
    expect(jsonDepth('{"a\\"[[[": [1, {"b": 2}]}')).toBe(3);
  });

  it('refuses a __proto__ key instead of letting it reach an object prototype', () => {
    expect(rejects('{"__proto__": {"polluted": true}}')).toMatch(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
