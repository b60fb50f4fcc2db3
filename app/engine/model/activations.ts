/** The hidden-layer nonlinearities a run can choose; all differentiable in tfjs-core. */
import { tf } from '../backend.js';

import type { ActivationName } from './activationNames.js';

export { ACTIVATIONS, type ActivationName } from './activationNames.js';

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

type Unary = (x: tf.Tensor2D) => tf.Tensor2D;
let seluFn: Unary | null = null;

/**
 * SELU as scale * (alpha * elu(x) + relu(x) - alpha * relu(x)), with the
 * gradient from the output: for x <= 0, selu'(x) = y + scale * alpha. Same
 * numbers as tf.selu (to ~2e-6), but tfjs-wasm's Elu and Relu kernels are
 * ~8x faster than its Selu and Exp, and the gradient needs no exp at all.
 */
function selu(x: tf.Tensor2D): tf.Tensor2D {
  seluFn ??= tf.customGrad((...args: unknown[]) => {
    const [input, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const y = tf.add(tf.mul(tf.elu(input), SELU_SCALE * SELU_ALPHA), tf.mul(tf.relu(input), SELU_SCALE * (1 - SELU_ALPHA)));
    save([input, y]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
        const k = tf.add(ys, SELU_SCALE * SELU_ALPHA);
        // step(x) picks scale where x > 0, else y + scale * alpha.
        return tf.mul(dy, tf.add(k, tf.mul(tf.step(xs), tf.sub(SELU_SCALE, k))));
      },
    };
  }) as unknown as Unary;
  return seluFn(x);
}

export function activate(name: ActivationName, x: tf.Tensor2D): tf.Tensor2D {
  switch (name) {
    case 'selu':
      return selu(x);
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'relu':
      return tf.relu(x);
    case 'elu':
      return tf.elu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'gelu':
      // Exact GELU, x * Phi(x), as torch.nn.GELU() computes it by default.
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  }
}
