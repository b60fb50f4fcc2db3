/**
 * The live view's picture of a training run: n points pushed from the source
 * through the current field with a cheap fixed-step solver (euler, 20 steps by
 * default: a preview, not a measurement), and the trajectories of the first k.
 * The source points are drawn once per training session from their own stream,
 * so successive snapshots show the same points moving as the model learns.
 */
import { tf } from '../engine/backend.js';
import { generate } from '../engine/generate.js';
import type { Mlp } from '../engine/model/mlp.js';
import type { Points } from '../engine/points.js';
import { Rng } from '../engine/rng.js';
import type { SnapshotEvent, SnapshotField } from '../contract.js';
import type { Store } from '../store/interface.js';
import { defaultExtent, gridPoints } from './compute.js';
import { pointSampler } from './samplers.js';
import type { SnapshotSettings } from './workerProtocol.js';

/** Apart from the training stream (which snapshots must never touch) and evaluation's. */
const SNAPSHOT_STREAM = 0x5a9;

export interface Snapshotter {
  (step: number, model: Mlp): Promise<SnapshotEvent>;
}

/** v(t, x) on the grid at each time: the arrows of the live view. */
function fieldAt(model: Mlp, grid: number, extent: number, positions: Float32Array, times: number[]): SnapshotField {
  const x = tf.tensor2d(positions, [grid * grid, 2]);
  try {
    const vectors = times.map((t) => {
      const v = model.velocity(t, x);
      const out = new Float32Array(v.dataSync());
      v.dispose();
      return out;
    });
    return { grid, extent, times, positions, vectors };
  } finally {
    x.dispose();
  }
}

export function snapshotter(
  store: Store,
  runId: number,
  datasets: { dataset: string; source: string },
  dim: number,
  seed: number,
  s: SnapshotSettings,
): Snapshotter {
  const x0: Points = pointSampler(store, datasets.source, dim, 'source').sample(s.n, new Rng((seed + SNAPSHOT_STREAM) | 0));
  const k = Math.min(s.trajectories, x0.n);
  const drawField = dim === 2 && s.fieldTimes.length > 0 && s.fieldGrid >= 2;
  const extent = drawField ? defaultExtent(store, [datasets.dataset, datasets.source]) : 0;
  const positions = drawField ? gridPoints(s.fieldGrid, extent) : new Float32Array(0);
  return async (step, model) => {
    const g = await generate(model, x0, { solver: s.solver, steps: s.steps, trajectory: k > 0 });
    return {
      ...(drawField ? { field: fieldAt(model, s.fieldGrid, extent, positions, s.fieldTimes) } : {}),
      type: 'snapshot',
      run: runId,
      step,
      d: x0.d,
      samples: g.points.data,
      times: k > 0 ? (g.times ?? []) : [],
      trajectory: k > 0 ? (g.trajectory ?? []).map((a) => a.slice(0, k * x0.d)) : [],
    };
  };
}
