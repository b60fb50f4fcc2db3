/**
 * The trained vector field of a run, as its latest checkpoint holds it: EMA
 * weights when the run kept them (they sample better), else the last iterate.
 */
import { CfmError } from '../errors.js';
import { Mlp } from '../engine/model/mlp.js';
import { decodeCheckpoint } from '../engine/train/checkpoint.js';
import { parseRunConfig, type RunConfig } from '../engine/train/config.js';
import type { RunRecord, Store } from '../store/interface.js';

export interface LoadedModel {
  mlp: Mlp;
  config: RunConfig;
  checkpointStep: number;
}

export function loadRunModel(store: Store, run: RunRecord): LoadedModel {
  const ckpt = store.latestCheckpoint(run.id);
  if (!ckpt) {
    throw new CfmError('conflict', `run ${run.id} (${run.name}) has no checkpoint yet; train it first (cfm resume ${run.id})`, 'run');
  }
  const data = decodeCheckpoint(ckpt.data);
  const config = parseRunConfig(run.config);
  return { mlp: Mlp.fromWeights(data.model, data.ema ?? data.weights), config, checkpointStep: data.step };
}
