/**
 * Starting runs: createRun (runs/create.ts validates the config, its datasets
 * and an rf parent) then the manager's queue. A sweep validates every
 * combination before it stores any (all or nothing), then creates and queues
 * them in order, grouped in the sweep's experiment.
 *
 * Config errors are renamed to where the user typed the value: `config.lr`
 * for a key of the config object, `grid.lr` for a swept key.
 */
import { CfmError } from '../errors.js';
import { RUN_CONFIG_KEYS } from '../engine/train/config.js';
import { createRun, validateRunConfig } from '../runs/create.js';
import type { RunManager } from '../runs/managerTypes.js';
import type { ApiParsed } from '../contract.js';
import type { RunRecord, Store } from '../store/interface.js';
import { expandSweep } from './sweep.js';

/** A config error with its field moved under `prefix` (and `suffix` added to the message). */
function renamed(e: unknown, prefixFor: (key: string) => string, suffix = ''): unknown {
  if (!(e instanceof CfmError) || !e.field) return e;
  const key = e.field.split('.')[0];
  if (!(RUN_CONFIG_KEYS as readonly string[]).includes(key)) {
    return suffix ? new CfmError(e.code, `${e.message}${suffix}`, e.field) : e;
  }
  const field = `${prefixFor(key)}.${e.field}`;
  const body = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
  return new CfmError(e.code, `${field}: ${body}${suffix}`, field);
}

export function startRun(store: Store, manager: RunManager, p: ApiParsed<'startRun'>, backend: string): RunRecord {
  let run: RunRecord;
  try {
    run = createRun(store, p.config, {
      backend,
      ...(p.experiment !== undefined ? { experiment: p.experiment } : {}),
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.tags !== undefined ? { tags: p.tags } : {}),
    });
  } catch (e) {
    throw renamed(e, () => 'config');
  }
  manager.enqueue(run.id);
  return store.getRun(run.id);
}

export function startSweep(store: Store, manager: RunManager, p: ApiParsed<'startSweep'>, backend: string): RunRecord[] {
  const points = expandSweep(p.config, p.grid, p.seeds);
  const gridKeys = Object.keys(p.grid);
  const configs = points.map((pt) => {
    try {
      return validateRunConfig(store, pt.config);
    } catch (e) {
      throw renamed(e, (k) => (gridKeys.includes(k) ? 'grid' : 'config'), ` (in the sweep's run ${pt.name})`);
    }
  });
  const created: RunRecord[] = [];
  try {
    points.forEach((pt, i) => {
      created.push(createRun(store, configs[i], { backend, experiment: p.experiment, name: pt.name }));
    });
  } catch (e) {
    // Validated above, so this is the database failing: leave no half sweep behind.
    for (const r of created) {
      try {
        store.deleteRun(r.id);
      } catch {
        /* the original error is the one to report */
      }
    }
    throw e;
  }
  for (const r of created) manager.enqueue(r.id);
  return created.map((r) => store.getRun(r.id));
}
