/**
 * Sampling throughput: rk4 from t = 0 to 1 on n source points through the
 * protocol model (3 x 64 SELU), reported as point-steps per second
 * (n * steps / seconds; rk4 calls the field 4 times a step). The weights are
 * a fresh initialisation: speed does not depend on them. Also one evaluation
 * of the field alone, to compare with its matmul and SELU kernels.
 */
import { tf } from '../app/engine/backend.js';
import { gaussian } from '../app/engine/data/index.js';
import { generate } from '../app/engine/generate.js';
import { Mlp } from '../app/engine/model/mlp.js';
import { Rng } from '../app/engine/rng.js';
import { cpuMsPer, timeLoop, timeLoopAsync, type Timing } from './measure.js';

export interface SamplingFigure {
  n: number;
  steps: number;
  timing: Timing;
  pointStepsPerSec: number;
  pointStepsPerCpuSec: number;
  /** CPU milliseconds of one call of v(t, x) on all n points. */
  evalMs: number;
  nfePerRun: number;
}

export async function benchSampling(n: number, steps: number, seconds: number): Promise<SamplingFigure> {
  const mlp = Mlp.create({ dim: 2, width: 64, depth: 3, activation: 'selu', timeFrequencies: 0 }, new Rng(0));
  const x0 = gaussian(n, new Rng(1), 2);
  try {
    let nfe = 0;
    const timing = await timeLoopAsync(
      async () => {
        nfe = (await generate(mlp, x0, { solver: 'rk4', steps })).nfe;
      },
      { seconds, warmupIters: 1, minIters: 1 },
    );
    const x = tf.tensor2d(x0.data, [n, 2]);
    const ev = timeLoop(
      () => {
        const v = mlp.velocity(0.5, x);
        v.dataSync();
        v.dispose();
      },
      { seconds: Math.max(0.1, seconds / 4), warmupIters: 2 },
    );
    x.dispose();
    return {
      n,
      steps,
      timing,
      pointStepsPerSec: (n * steps * timing.iters) / timing.wallS,
      pointStepsPerCpuSec: (n * steps * timing.iters) / timing.cpuS,
      evalMs: cpuMsPer(ev),
      nfePerRun: nfe,
    };
  } finally {
    mlp.dispose();
  }
}
