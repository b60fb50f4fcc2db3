/** The hidden-layer nonlinearities a run can choose; all differentiable in tfjs-core. */
import { tf } from '../backend.js';

import type { ActivationName } from './activationNames.js';

export { ACTIVATIONS, type ActivationName } from './activationNames.js';

export function activate(name: ActivationName, x: tf.Tensor2D): tf.Tensor2D {
  switch (name) {
    case 'selu':
      return tf.selu(x);
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
