/**
 * Copying tf.Variables to and from plain Float32Arrays, one array per variable
 * in order: how weights, EMA shadows and Adam moments are checkpointed and restored.
 */
import { tf } from '../backend.js';

/** A fresh copy of each variable's values (read back synchronously). */
export function readVariables(vs: readonly tf.Variable[]): Float32Array[] {
  return vs.map((x) => new Float32Array(x.dataSync() as Float32Array));
}

/** Assigns values[i] (laid out in vs[i]'s shape) to each variable. */
export function writeVariables(vs: readonly tf.Variable[], values: readonly Float32Array[]): void {
  vs.forEach((x, i) => {
    const t = tf.tensor(values[i], x.shape);
    x.assign(t);
    t.dispose();
  });
}
