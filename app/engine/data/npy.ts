/**
 * NumPy .npy files <-> Points (format spec: numpy.lib.format, versions 1.0,
 * 2.0 and 3.0).
 *
 * Layout: magic "\x93NUMPY", major and minor version bytes, header length
 * (uint16 LE in v1, uint32 LE in v2 and v3), then the header: a Python dict
 * literal {'descr': '<f8', 'fortran_order': False, 'shape': (n, d), } padded
 * with spaces to a 64-byte boundary and ended by '\n' (ASCII; UTF-8 in v3),
 * then the raw array bytes.
 *
 * Reading accepts little-endian (or single-byte) bool, int, uint and float
 * dtypes of 1 to 8 bytes, shape (n,) (one column) or (n, d) in C order, and
 * converts every value to float32. Anything else (Fortran order, big-endian,
 * 0-d or >2-d arrays, structured, complex or object dtypes, short or overlong
 * data, NaN or infinite values) is a CfmError naming the file and the problem.
 *
 * Writing makes a v1.0 '<f4' C-order file of shape (n, d), what np.load reads
 * back as float32 (cfm sample --out x.npy).
 */
import type { Points } from '../points.js';
import { CfmError } from '../../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function fail(message: string): CfmError {
  return new CfmError('invalid_input', message, 'file');
}

interface Header {
  kind: string; // numpy's kind letter: b, i, u, f
  size: number; // bytes per item
  shape: number[];
}

function parseHeader(text: string, label: string): Header {
  const key = (k: string): string => `['"]${k}['"]\\s*:\\s*`;
  if (new RegExp(key('descr') + '\\[').test(text)) {
    throw fail(`${label}: structured (record) arrays are not supported; save a plain numeric array, e.g. np.save(path, x.astype(np.float32))`);
  }
  const descrM = new RegExp(key('descr') + `(['"])(.*?)\\1`).exec(text);
  const fortranM = new RegExp(key('fortran_order') + '(True|False)').exec(text);
  const shapeM = new RegExp(key('shape') + '\\(([^)]*)\\)').exec(text);
  if (!descrM || !fortranM || !shapeM) {
    const missing = !descrM ? 'descr' : !fortranM ? 'fortran_order' : 'shape';
    throw fail(`${label}: the .npy header has no valid '${missing}' entry; the file is damaged or not written by numpy`);
  }
  const descr = descrM[2];
  const shape = shapeM[1]
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((v) => !Number.isInteger(v) || v < 0)) {
    throw fail(`${label}: the .npy header has an invalid shape (${shapeM[1]}); the file is damaged`);
  }
  const dt = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (!dt) throw fail(`${label}: dtype '${descr}' is not supported; save a numeric array, e.g. x.astype(np.float32)`);
  const [, order, kind, sizeText] = dt;
  const size = Number(sizeText);
  const supported =
    (kind === 'f' && (size === 2 || size === 4 || size === 8)) ||
    ((kind === 'i' || kind === 'u') && (size === 1 || size === 2 || size === 4 || size === 8)) ||
    (kind === 'b' && size === 1);
  if (!supported) {
    throw fail(`${label}: dtype '${descr}' is not supported; use a real float, int, uint or bool dtype, e.g. x.astype(np.float32)`);
  }
  if (order === '>' && size > 1) {
    throw fail(`${label}: dtype '${descr}' is big-endian; save it little-endian, e.g. np.save(path, x.astype('<f4'))`);
  }
  if (fortranM[1] === 'True') {
    throw fail(`${label}: the array is stored in Fortran (column-major) order; save it in C order: np.save(path, np.ascontiguousarray(x))`);
  }
  return { kind, size, shape };
}

function reader(kind: string, size: number): (v: DataView, at: number) => number {
  switch (`${kind}${size}`) {
    case 'f2':
      return (v, at) => half(v.getUint16(at, true));
    case 'f4':
      return (v, at) => v.getFloat32(at, true);
    case 'f8':
      return (v, at) => v.getFloat64(at, true);
    case 'i1':
      return (v, at) => v.getInt8(at);
    case 'i2':
      return (v, at) => v.getInt16(at, true);
    case 'i4':
      return (v, at) => v.getInt32(at, true);
    case 'i8':
      return (v, at) => Number(v.getBigInt64(at, true));
    case 'u1':
    case 'b1':
      return (v, at) => v.getUint8(at);
    case 'u2':
      return (v, at) => v.getUint16(at, true);
    case 'u4':
      return (v, at) => v.getUint32(at, true);
    case 'u8':
      return (v, at) => Number(v.getBigUint64(at, true));
  }
  throw new Error(`npy reader: ${kind}${size}`);
}

/** IEEE 754 binary16 bits to a number. */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function parseNpy(bytes: Uint8Array, fileLabel: string): Points {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw fail(`${fileLabel}: not a NumPy .npy file (it does not start with "\\x93NUMPY"); save the array with np.save`);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) {
    throw fail(`${fileLabel}: .npy format version ${major}.${bytes[7]} is not supported; versions 1.0 to 3.0 are`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw fail(`${fileLabel}: the .npy header is truncated; the file is incomplete`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  const dataStart = start + headerLen;
  if (dataStart > bytes.length) {
    throw fail(`${fileLabel}: the .npy header is truncated (it declares ${headerLen} bytes, the file has ${bytes.length - start}); the file is incomplete`);
  }
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, dataStart));
  const { kind, size, shape } = parseHeader(headerText, fileLabel);
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  if (shape.length === 0 || shape.length > 2) {
    throw fail(
      `${fileLabel}: the array has shape ${shapeText}; only 1-D (n,) or 2-D (n, d) arrays are accepted, e.g. x.reshape(len(x), -1)`,
    );
  }
  const n = shape[0];
  const d = shape.length === 2 ? shape[1] : 1;
  if (n === 0 || d === 0) throw fail(`${fileLabel}: the array has shape ${shapeText}, which holds no points`);
  const count = n * d;
  const need = count * size;
  const have = bytes.length - dataStart;
  if (have < need) {
    throw fail(`${fileLabel}: the data is truncated: shape ${shapeText} needs ${need} bytes after the header, the file has ${have}; the file is incomplete`);
  }
  if (have > need) {
    throw fail(`${fileLabel}: ${have - need} unexpected bytes after the array's data (shape ${shapeText}); save exactly one array per file`);
  }
  const out = new Float32Array(count);
  const read = reader(kind, size);
  for (let k = 0; k < count; k++) out[k] = read(view, dataStart + k * size);
  for (let k = 0; k < count; k++) {
    if (!Number.isFinite(out[k])) {
      const i = Math.floor(k / d);
      const j = k % d;
      const index = shape.length === 2 ? `[${i}, ${j}]` : `[${i}]`;
      const raw = read(view, dataStart + k * size);
      const where = `${fileLabel} row ${i + 1}, column ${j + 1} (index ${index})`;
      if (Number.isFinite(raw)) {
        throw fail(`${where}: ${raw} is outside the float32 range (about 3.4e38); rescale the data`);
      }
      throw fail(`${where}: ${raw} is not allowed; remove or replace NaN and infinite values`);
    }
  }
  return { data: out, n, d };
}

/** A v1.0 .npy file of p as '<f4', shape (n, d), C order. */
export function writeNpy(p: Points): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${p.n}, ${p.d}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + p.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const base = 10 + header.length;
  for (let k = 0; k < p.data.length; k++) view.setFloat32(base + 4 * k, p.data[k], true);
  return out;
}
