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

/**
 * A reflow run learns the map of its parent: same data, same source. They are
 * taken from the parent when not given, and a different choice is refused
 * (it would score the new run against data it never saw).
 */
function inheritFromParent(store: Store, input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const given = input as Record<string, unknown>;
  if (typeof given.parentRun !== 'number') return input;
  const parent = store.findRun(given.parentRun);
  if (!parent) return input;
  const parentConfig = parseRunConfig(parent.config);
  const out = { ...given };
  for (const key of ['dataset', 'source'] as const) {
    if (out[key] === undefined) out[key] = parentConfig[key];
    else if (out[key] !== parentConfig[key]) {
      throw new CfmError('invalid_input', `${key}: run ${parent.id} was trained with ${key} "${parentConfig[key]}", not "${String(out[key])}"; leave --${key} out to reflow on the same data`, key);
    }
  }
  return out;
}

export function validateRunConfig(store: Store, input: unknown): RunConfig {
  const config = parseRunConfig(inheritFromParent(store, input));
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
