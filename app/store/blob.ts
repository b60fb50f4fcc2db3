/**
 * Float32Array <-> BLOB, little-endian IEEE 754 binary32, 4 bytes a value: the
 * one on-disk layout of float arrays (the same as numpy '<f4'), so a file moves
 * between machines unchanged. Values are copied bit for bit (NaN payloads, -0
 * and subnormals included). Buffers handed back by SQLite may be views into a
 * shared pool with a byteOffset, so reads always copy into a fresh array.
 */
import { CfmError } from '../errors.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes to bind as a BLOB. On little-endian hosts a view (SQLite copies on bind). */
export function float32ToBlob(a: Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.alloc(a.byteLength);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < a.length; i++) view.setUint32(i * 4, bits[i], true);
  return out;
}

/** A fresh Float32Array (own buffer, byteOffset 0) from a BLOB's bytes. */
export function blobToFloat32(blob: Uint8Array, what: string): Float32Array {
  if (blob.byteLength % 4 !== 0) {
    throw new CfmError('database', `${what}: stored array has ${blob.byteLength} bytes, not a multiple of 4; the database is damaged`, 'db');
  }
  const out = new Float32Array(blob.byteLength / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(blob);
  } else {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = view.getUint32(i * 4, true);
  }
  return out;
}

/** Bytes to bind as a BLOB without copying. */
export function bytesToBlob(a: Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A fresh Uint8Array (own buffer, byteOffset 0) from a BLOB. */
export function blobToBytes(blob: Uint8Array): Uint8Array {
  const out = new Uint8Array(blob.byteLength);
  out.set(blob);
  return out;
}
