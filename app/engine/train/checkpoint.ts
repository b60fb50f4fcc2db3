/**
 * The bytes of a checkpoint: everything needed to continue a run as if it had
 * never stopped (weights, Adam moments, EMA weights, the Rng's exact state and
 * the step), and to sample from it without the run's config.
 *
 * Layout: "CFMCKPT1" | u32 LE header length | header JSON (padded to 4 bytes) |
 * float32 LE arrays in the order the header lists them.
 */
import type { MlpConfig } from '../model/mlp.js';
import type { RngState } from '../rng.js';
import type { OptimizerState } from './optimizer.js';

export interface CheckpointData {
  step: number;
  model: MlpConfig;
  weights: Float32Array[];
  ema: Float32Array[] | null;
  optimizer: OptimizerState;
  rng: RngState;
}

const MAGIC = 'CFMCKPT1';

interface Header {
  step: number;
  model: MlpConfig;
  rng: RngState;
  optimizerStep: number;
  groups: { weights: number[]; ema: number[] | null; m: number[]; v: number[] };
}

export function encodeCheckpoint(c: CheckpointData): Uint8Array {
  const lengths = (arrs: Float32Array[]) => arrs.map((a) => a.length);
  const header: Header = {
    step: c.step,
    model: c.model,
    rng: c.rng,
    optimizerStep: c.optimizer.step,
    groups: { weights: lengths(c.weights), ema: c.ema ? lengths(c.ema) : null, m: lengths(c.optimizer.m), v: lengths(c.optimizer.v) },
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - (json.length % 4)) % 4;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const arrays = [...c.weights, ...(c.ema ?? []), ...c.optimizer.m, ...c.optimizer.v];
  const floats = arrays.reduce((s, a) => s + a.length, 0);
  const out = new Uint8Array(8 + 4 + json.length + 4 * floats);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  const body = new DataView(out.buffer, 12 + json.length);
  let k = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++, k++) body.setFloat32(4 * k, a[i], true);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array): CheckpointData {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC) throw new Error('checkpoint: not a CFM Workbench checkpoint (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen))) as Header;
  let offset = 12 + hlen;
  const take = (lens: number[]) =>
    lens.map((len) => {
      const a = new Float32Array(len);
      for (let i = 0; i < len; i++, offset += 4) a[i] = view.getFloat32(offset, true);
      return a;
    });
  const weights = take(header.groups.weights);
  const ema = header.groups.ema ? take(header.groups.ema) : null;
  const m = take(header.groups.m);
  const v = take(header.groups.v);
  if (offset !== bytes.length) throw new Error(`checkpoint: ${bytes.length - offset} trailing bytes; the file is damaged`);
  return { step: header.step, model: header.model, weights, ema, optimizer: { step: header.optimizerStep, m, v }, rng: header.rng };
}
