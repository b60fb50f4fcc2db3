/** What every command needs: the global flags, the database, and (for numeric work) a backend. */
import type { Command } from 'commander';
import type { BackendInfo } from '../engine/backend.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/interface.js';
import { resolveDbPath } from '../store/paths.js';
import type { OutputMode } from './output.js';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
  backend?: string;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function outputMode(cmd: Command): OutputMode {
  return { json: Boolean(globals(cmd).json) };
}

export function openDb(cmd: Command): Store {
  return openStore(resolveDbPath({ flag: globals(cmd).db }));
}

/** tfjs loads here, on first use: commands that only read the database start fast. */
export async function backendFor(cmd: Command): Promise<BackendInfo> {
  const { initBackend } = await import('../engine/backend.js');
  return initBackend(globals(cmd).backend);
}

/** Runs `fn` with an open store and always closes it. */
export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T> | T): Promise<T> {
  const store = openDb(cmd);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
