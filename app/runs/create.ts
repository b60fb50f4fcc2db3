/**
 * Registers a new run: validates its config (zod), checks that its datasets
 * exist and match in dimension, and that an rf run's parent has a model.
 * Nothing is trained here.
 */
import { CfmError } from '../errors.js';
import { parseRunConfig, type RunConfig } from '../engine/train/config.js';
import type { RunRecord, Store } from '../store/interface.js';
import { runSamplers } from './samplers.js';

export interface CreateRunOptions {
  experiment?: string;
  name?: string;
  backend: string;
  tags?: string[];
  notes?: string;
}

export const DEFAULT_EXPERIMENT = 'default';

export function validateRunConfig(store: Store, input: unknown): RunConfig {
  const config = parseRunConfig(input);
  runSamplers(store, config.dataset, config.source);
  if (config.parentRun !== undefined) {
    const parent = store.findRun(config.parentRun);
    if (!parent) throw new CfmError('not_found', `parentRun: run ${config.parentRun} does not exist; list runs with: cfm runs`, 'parentRun');
    if (!store.latestCheckpoint(parent.id)) {
      throw new CfmError('conflict', `parentRun: run ${parent.id} has no trained model yet; train it first`, 'parentRun');
    }
  }
  return config;
}

export function createRun(store: Store, input: unknown, o: CreateRunOptions): RunRecord {
  const config = validateRunConfig(store, input);
  return store.createRun({
    experimentName: o.experiment ?? DEFAULT_EXPERIMENT,
    ...(o.name ? { name: o.name } : {}),
    config,
    seed: config.seed,
    backend: o.backend,
    totalSteps: config.steps,
    ...(config.parentRun !== undefined ? { parentRunId: config.parentRun } : {}),
    ...(o.tags ? { tags: o.tags } : {}),
    ...(o.notes ? { notes: o.notes } : {}),
  });
}
