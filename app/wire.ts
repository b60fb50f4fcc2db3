/**
 * JSON that carries float arrays: the encoding of every HTTP body and SSE event
 * of `cfm serve`, used by the server and by the browser client (so: no Node
 * APIs here, only ES2023 and plain JS base64).
 *
 *   Float32Array -> {"$f32": base64 of its bytes}
 *   Float64Array -> {"$f64": ...}      Uint8Array -> {"$u8": ...}
 *   NaN, Infinity, -Infinity, -0 (plain numbers) -> {"$num": "NaN" | "Infinity" | "-Infinity" | "-0"}
 *
 * Bytes are the arrays' own (little-endian on every platform Node and the
 * browsers run on), so values travel bit-exact, NaN payloads and -0 included,
 * and 4/3 of the raw size instead of ~10 characters a number as a JSON list.
 * An object of the user's whose only key starts with "$" (e.g. {"$f32": 1})
 * is escaped as {"$$f32": 1} and unescaped on the way back, so encode/decode
 * round-trips every JSON value too. Decoding is strict: malformed base64, a
 * byte count that is not a whole number of elements, nesting deeper than
 * maxDepth, or a "__proto__" key throw a WireError (the server's 400).
 */

const TAGS = { $f32: 4, $f64: 8, $u8: 1 } as const;
type Tag = keyof typeof TAGS;

export const DEFAULT_MAX_DEPTH = 64;

/** A body that is not valid wire JSON; `field` is always 'body'. */
export class WireError extends Error {
  readonly field = 'body';
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

// ---------------------------------------------------------------- base64 (RFC 4648, with padding)

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const ASCII = new TextDecoder();

export function bytesToBase64(bytes: Uint8Array): string {
  // ASCII codes into a byte buffer, decoded to a string once: linear, no string concatenation.
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const A = ALPHABET_CODES;
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = A[n >> 18];
    out[o++] = A[(n >> 12) & 63];
    out[o++] = A[(n >> 6) & 63];
    out[o++] = A[n & 63];
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
    out[o++] = A[n >> 18];
    out[o++] = A[(n >> 12) & 63];
    out[o++] = rest === 2 ? A[(n >> 6) & 63] : 61; // '='
    out[o++] = 61;
  }
  return ASCII.decode(out);
}

export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new WireError(`base64 length ${text.length} is not a multiple of 4; send the array's bytes in standard padded base64`);
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const c0 = sextet(text, i);
    const c1 = sextet(text, i + 1);
    const c2 = last && pad === 2 ? 0 : sextet(text, i + 2);
    const c3 = last && pad >= 1 ? 0 : sextet(text, i + 3);
    const n = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

function sextet(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const v = c < 128 ? DECODE[c] : -1;
  if (v < 0) throw new WireError(`base64: character ${JSON.stringify(text[i])} at ${i} is not in the base64 alphabet`);
  return v;
}

// ---------------------------------------------------------------- replacer and reviver

function tagged(tag: Tag, a: Float32Array | Float64Array | Uint8Array): Record<string, string> {
  return { [tag]: bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) };
}

function soleDollarKey(o: object): string | undefined {
  let only: string | undefined;
  let count = 0;
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    if (++count > 1) return undefined;
    only = k;
  }
  return count === 1 && only!.startsWith('$') ? only : undefined;
}

/** JSON.stringify's replacer: typed arrays and non-finite numbers become tagged objects. */
export function wireReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return Object.is(value, -0) ? { $num: '-0' } : value;
    return { $num: String(value) };
  }
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Float32Array) return tagged('$f32', value);
  if (value instanceof Float64Array) return tagged('$f64', value);
  if (value instanceof Uint8Array) return tagged('$u8', value);
  if (ArrayBuffer.isView(value)) {
    throw new TypeError(`wire: ${value.constructor.name} cannot be encoded; use Float32Array, Float64Array or Uint8Array`);
  }
  if (Array.isArray(value)) return value;
  const k = soleDollarKey(value);
  if (k !== undefined) return { [`$${k}`]: (value as Record<string, unknown>)[k] };
  return value;
}

const NUMS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** JSON.parse's reviver: the inverse of wireReplacer. Throws WireError on a malformed tag. */
export function wireReviver(this: unknown, key: string, value: unknown): unknown {
  if (key === '__proto__') throw new WireError('the key "__proto__" is not allowed; rename it');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const k = soleDollarKey(value);
  if (k === undefined) return value;
  const v = (value as Record<string, unknown>)[k];
  if (k.startsWith('$$')) return { [k.slice(1)]: v };
  if (k === '$num') {
    if (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(NUMS, v)) {
      throw new WireError(`{"$num": ...} must hold "NaN", "Infinity", "-Infinity" or "-0" (got ${JSON.stringify(v)?.slice(0, 40)})`);
    }
    return NUMS[v];
  }
  if (k in TAGS) {
    if (typeof v !== 'string') throw new WireError(`{"${k}": ...} must hold a base64 string of the array's bytes`);
    const size = TAGS[k as Tag];
    const bytes = base64ToBytes(v);
    if (bytes.length % size !== 0) {
      throw new WireError(`{"${k}": ...} holds ${bytes.length} bytes, not a whole number of ${size}-byte values`);
    }
    if (k === '$u8') return bytes;
    return k === '$f32' ? new Float32Array(bytes.buffer, 0, bytes.length / 4) : new Float64Array(bytes.buffer, 0, bytes.length / 8);
  }
  return value;
}

// ---------------------------------------------------------------- whole documents

/** Wire JSON text of any value. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, wireReplacer);
}

/**
 * The maximum nesting of arrays and objects in JSON text, counted without
 * parsing (strings skipped), stopping early once past `limit`.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/** Parses wire JSON text; any problem is a WireError with a one-line message. */
export function decodeWire(text: string, o: { maxDepth?: number } = {}): unknown {
  const maxDepth = o.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw new WireError(`JSON nested deeper than ${maxDepth} levels; flatten the value`);
  }
  try {
    return JSON.parse(text, wireReviver);
  } catch (e) {
    if (e instanceof WireError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new WireError(`not valid JSON (${why.length > 120 ? `${why.slice(0, 117)}...` : why}); send one JSON object`);
  }
}
