/**
 * Rectified flow's k-th reflow trains on pairs (x0, ODE_{k-1}(x0)): source
 * points pushed through the previous run's model. The pool is made once per
 * run start, from a seed derived from the run's, so a resumed run sees the same pairs.
 */
import { CfmError } from '../errors.js';
import { generate } from '../engine/generate.js';
import { Rng } from '../engine/rng.js';
import type { RunConfig } from '../engine/train/config.js';
import { poolPairs, type PairSampler, type PointSampler } from '../engine/train/pairs.js';
import type { Store } from '../store/interface.js';
import { loadRunModel } from './model.js';

const REFLOW_SEED_OFFSET = 0x7e11;

export async function reflowPairs(store: Store, config: RunConfig, source: PointSampler): Promise<PairSampler> {
  const parentId = config.parentRun;
  if (parentId === undefined) throw new CfmError('invalid_input', 'parentRun: rf needs --from RUN', 'parentRun');
  const parent = store.findRun(parentId);
  if (!parent) throw new CfmError('not_found', `parentRun: run ${parentId} does not exist; list runs with: cfm runs`, 'parentRun');
  const { mlp } = loadRunModel(store, parent);
  try {
    if (mlp.config.dim !== source.dim) {
      throw new CfmError('invalid_input', `parentRun: run ${parentId} models ${mlp.config.dim}-D data but this source is ${source.dim}-D; reflow a run on the same data`, 'parentRun');
    }
    const rng = new Rng((config.seed + REFLOW_SEED_OFFSET) | 0);
    const x0 = source.sample(config.reflowPairs, rng);
    const { points: x1 } = await generate(mlp, x0, { solver: config.reflowSolver, steps: config.reflowSteps });
    return poolPairs(x0, x1);
  } finally {
    mlp.dispose();
  }
}
