/**
 * A sweep: the Cartesian product of grid values over config keys, times
 * `seeds` seeds (seed = base seed + k, k = 0..seeds-1, the base being the
 * combination's own `seed`, default 0). Each combination is a full run config
 * (the base config with the grid values laid over it), named by what varies:
 * `lr=0.001,method=otcfm,seed=1` (grid keys in alphabetical order, then seed).
 *
 * Expansion and validation happen before anything is stored, so a sweep with
 * one bad combination creates no runs at all.
 */
import { invalid } from '../errors.js';
import { RUN_CONFIG_KEYS } from '../engine/train/config.js';

export type GridValue = number | string | boolean;

/** Most runs one sweep may create (a typo in a grid must not queue a million runs). */
export const MAX_SWEEP_RUNS = 1000;

export interface SweepPoint {
  /** The run's config input (not yet validated). */
  config: Record<string, unknown>;
  /** Grid key -> value of this combination, including seed. */
  assignment: Record<string, GridValue>;
  name: string;
}

export function expandSweep(base: Record<string, unknown>, grid: Record<string, GridValue[]>, seeds: number): SweepPoint[] {
  const keys = Object.keys(grid).sort();
  for (const key of keys) {
    if (!(RUN_CONFIG_KEYS as readonly string[]).includes(key)) {
      throw invalid(`grid.${key}`, `"${key}" is not a config key; use one of ${RUN_CONFIG_KEYS.join(', ')}`);
    }
    const values = grid[key];
    const seen = new Set(values.map((v) => `${typeof v}:${String(v)}`));
    if (seen.size !== values.length) throw invalid(`grid.${key}`, `lists a value twice; give each value once`);
  }
  if (!keys.length && seeds === 1) {
    throw invalid('grid', 'is empty; give at least one key with values, e.g. { "lr": [0.001, 0.0003] }, or more than one seed');
  }
  const count = keys.reduce((n, k) => n * grid[k].length, 1) * seeds;
  if (count > MAX_SWEEP_RUNS) {
    throw invalid('grid', `makes ${count} runs (${keys.map((k) => grid[k].length).join(' x ')} x ${seeds} seeds); a sweep may create at most ${MAX_SWEEP_RUNS}, so narrow the grid`);
  }
  const nameKeys = [...keys.filter((k) => k !== 'seed'), 'seed'];
  const points: SweepPoint[] = [];
  const index = new Array<number>(keys.length).fill(0);
  for (;;) {
    const assignment: Record<string, GridValue> = {};
    keys.forEach((k, j) => (assignment[k] = grid[k][index[j]]));
    const config = { ...base, ...assignment };
    const baseSeed = config.seed === undefined ? 0 : config.seed;
    for (let s = 0; s < seeds; s++) {
      const seed = typeof baseSeed === 'number' ? baseSeed + s : baseSeed;
      const a: Record<string, GridValue> = { ...assignment, seed: seed as GridValue };
      points.push({ config: { ...config, seed }, assignment: a, name: nameKeys.map((k) => `${k}=${String(a[k])}`).join(',') });
    }
    // Odometer over the grid, last key fastest.
    let j = keys.length - 1;
    while (j >= 0 && ++index[j] === grid[keys[j]].length) index[j--] = 0;
    if (j < 0) break;
  }
  return points;
}
