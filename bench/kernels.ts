/**
 * Single tfjs kernels on the active backend, to tell what bounds the larger
 * figures: the fixed cost of dispatching one kernel (an add of two 64-vectors),
 * dense matmul throughput in GFLOP/s (2 m k n flops) at the shapes the models
 * use, and elementwise kernels per element (SELU, its stock gradient, add,
 * transpose, column sum) on a [rows, 64] activation. Times are CPU time per
 * call, steadier than wall time on a shared machine.
 */
import { tf } from '../app/engine/backend.js';
import { Rng } from '../app/engine/rng.js';
import { cpuMsPer, timeLoop } from './measure.js';

export interface MatmulFigure {
  m: number;
  k: number;
  n: number;
  us: number;
  gflops: number;
}

export interface KernelFigures {
  /** Microseconds for one tiny kernel (add of two [64] tensors) inside tf.tidy. */
  dispatchUs: number;
  matmul: MatmulFigure[];
  /** Microseconds per kernel on a [rows, 64] float32 activation. */
  elementwise: { rows: number; cols: number; us: Record<string, number> };
}

function randn(rng: Rng, shape: [number, number]): tf.Tensor2D {
  return tf.tensor2d(rng.fillNormal(new Float32Array(shape[0] * shape[1])), shape);
}

function usPerCall(fn: () => void, seconds: number): number {
  return 1000 * cpuMsPer(timeLoop(() => tf.tidy(fn), { seconds, warmupIters: 50, minIters: 200 }));
}

export function benchKernels(seconds: number, rows = 512): KernelFigures {
  const rng = new Rng(3);
  const tiny = tf.tensor1d(rng.fillNormal(new Float32Array(64)));
  const dispatchUs = usPerCall(() => void tf.add(tiny, tiny), seconds);

  const matmul: MatmulFigure[] = [];
  for (const [m, k, n] of [
    [512, 64, 64],
    [256, 256, 256],
    [10_000, 64, 64],
  ]) {
    const a = randn(rng, [m, k]);
    const b = randn(rng, [k, n]);
    const us = usPerCall(() => void tf.matMul(a, b), seconds);
    matmul.push({ m, k, n, us, gflops: (2 * m * k * n) / (us * 1e3) });
    tf.dispose([a, b]);
  }

  const x = randn(rng, [rows, 64]);
  const y = randn(rng, [rows, 64]);
  const seluGrad = tf.grad((z: tf.Tensor) => tf.selu(z));
  const us: Record<string, number> = {
    add: usPerCall(() => void tf.add(x, y), seconds),
    relu: usPerCall(() => void tf.relu(x), seconds),
    elu: usPerCall(() => void tf.elu(x), seconds),
    selu: usPerCall(() => void tf.selu(x), seconds),
    'selu gradient (stock)': usPerCall(() => void seluGrad(x, y), seconds),
    exp: usPerCall(() => void tf.exp(x), seconds),
    transpose: usPerCall(() => void tf.transpose(x), seconds),
    'sum over rows': usPerCall(() => void tf.sum(x, 0), seconds),
  };
  tf.dispose([tiny, x, y]);
  return { dispatchUs, matmul, elementwise: { rows, cols: 64, us } };
}
