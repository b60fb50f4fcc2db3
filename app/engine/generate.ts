/**
 * Samples from a trained field: push source points x0 through dx/dt = v(t, x)
 * from t = 0 to 1 with a chosen solver. Optionally keeps the trajectories and
 * the path energy E int_0^1 ||v(t, x_t)||^2 dt.
 */
import { tf } from './backend.js';
import type { Mlp } from './model/mlp.js';
import { integrate } from './ode/integrate.js';
import type { SolverOptions } from './ode/solve.js';
import type { Points } from './points.js';

export interface GenerateOptions extends SolverOptions {
  trajectory?: boolean;
  energy?: boolean;
}

export interface Generated {
  points: Points;
  nfe: number;
  times?: number[];
  /** One n*d array per saved time, t = 0 first. */
  trajectory?: Float32Array[];
  energy?: number;
}

export async function generate(mlp: Mlp, x0: Points, o: GenerateOptions): Promise<Generated> {
  const start = tf.tensor2d(x0.data, [x0.n, x0.d]);
  try {
    const r = await integrate((t, x) => mlp.velocity(t, x), start, o);
    const data = new Float32Array(await r.x.data());
    r.x.dispose();
    return {
      points: { data, n: x0.n, d: x0.d },
      nfe: r.nfe,
      ...(r.times ? { times: r.times } : {}),
      ...(r.trajectory ? { trajectory: r.trajectory } : {}),
      ...(r.energy !== undefined ? { energy: r.energy } : {}),
    };
  } finally {
    start.dispose();
  }
}
