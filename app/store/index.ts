/**
 * The store's entry point: `openStore(path)` opens (creating and migrating as
 * needed) the SQLite file at `path` and returns the typed Store. Use
 * resolveDbPath() for the path the user chose (--db, CFM_DB, or the default).
 */
import { absoluteDbPath, openDatabase, type OpenOptions } from './open.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
import type { Store } from './interface.js';

export type StoreOptions = SqliteStoreOptions & Pick<OpenOptions, 'busyTimeoutMs'>;

/** ':memory:' gives a private in-memory store (tests, previews). */
export function openStore(path: string, opts: StoreOptions = {}): Store {
  const file = absoluteDbPath(path);
  const db = openDatabase(file, { busyTimeoutMs: opts.busyTimeoutMs, journal: 'wal' });
  try {
    return new SqliteStore(db, file, opts);
  } catch (e) {
    db.close();
    throw e;
  }
}

export * from './interface.js';
export { resolveDbPath, defaultDbPath, type DbPathOptions } from './paths.js';
export { SCHEMA_VERSION } from './migrations/index.js';
export { DEFAULT_KEEP_CHECKPOINTS } from './sqlite.js';
export { DEFAULT_BUSY_TIMEOUT_MS } from './open.js';
