/**
 * Opening a database file safely. Before SQLite touches an existing file its
 * first 16 bytes must be the SQLite header ("SQLite format 3\0", per
 * https://sqlite.org/fileformat.html), so a file that is something else is
 * refused without being modified. Then, per connection: busy_timeout (several
 * processes write: a trainer child and a host), a read of the schema (detects
 * a damaged first page before anything is written), the schema version (a
 * newer one is refused, also before any write), WAL journal, foreign keys,
 * synchronous NORMAL (durable across process crashes; WAL keeps the file
 * consistent across power loss), and the migrations. SQLite's failures map to
 * the two user-facing errors of dbErrors.ts.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CfmError, invalid } from '../errors.js';
import { busy, cannotWrite, fsReason, notValid, tooNew } from './dbErrors.js';
import { migrate, userVersion } from './migrate.js';
import { SCHEMA_VERSION } from './migrations/index.js';
import { ensureParent } from './paths.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 15_000;
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export type FileState = 'missing' | 'empty' | 'sqlite' | 'other';

/** What is at `file`, reading at most 16 bytes and writing nothing. */
export function inspectFile(file: string): FileState {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw cannotWrite(file, 'the path is a directory');
    size = st.size;
  } catch (e) {
    if (e instanceof CfmError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw cannotWrite(file, fsReason(e));
  }
  if (size === 0) return 'empty';
  if (size < SQLITE_MAGIC.length) return 'other';
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw cannotWrite(file, fsReason(e));
  }
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.equals(SQLITE_MAGIC) ? 'sqlite' : 'other';
}

/** Maps an error thrown by better-sqlite3 while opening or writing `file`. */
export function classifySqliteError(e: unknown, file: string): unknown {
  if (e instanceof CfmError) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return notValid(file);
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return busy(file);
    if (
      code.startsWith('SQLITE_CANTOPEN') ||
      code.startsWith('SQLITE_READONLY') ||
      code.startsWith('SQLITE_IOERR') ||
      code === 'SQLITE_PERM' ||
      code === 'SQLITE_FULL' ||
      code === 'SQLITE_AUTH'
    ) {
      return cannotWrite(file, message);
    }
  }
  if (e instanceof TypeError && /directory does not exist/.test(message)) {
    return cannotWrite(file, 'the directory does not exist');
  }
  return e;
}

export interface OpenOptions {
  readonly busyTimeoutMs?: number;
  /** 'wal' for the shared store; 'delete' for a single self-contained file (exports). */
  readonly journal?: 'wal' | 'delete';
}

/** A migrated connection to `file` (an absolute path, or ':memory:'). */
export function openDatabase(file: string, opts: OpenOptions = {}): BetterSqlite3Database {
  const memory = file === ':memory:';
  if (!memory) {
    ensureParent(file);
    if (inspectFile(file) === 'other') throw notValid(file);
  }
  const busyMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busyMs) || busyMs < 0 || busyMs > 0x7fffffff) {
    throw invalid('busyTimeoutMs', `${busyMs} is not a whole number of milliseconds >= 0`);
  }
  let db: BetterSqlite3Database | undefined;
  try {
    db = new Database(file, { timeout: busyMs });
    db.pragma(`busy_timeout = ${Math.floor(busyMs)}`);
    // Parses the schema (page 1) read-only: a damaged file fails here, unmodified.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    // A newer schema is refused before anything (even the journal mode) is written.
    const found = userVersion(db);
    if (found > SCHEMA_VERSION) throw tooNew(file, found, SCHEMA_VERSION);
    if (!memory) {
      const mode = opts.journal ?? 'wal';
      db.pragma(`journal_mode = ${mode === 'wal' ? 'WAL' : 'DELETE'}`);
    }
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db, file);
    // Probes that the file is writable: SQLite silently opens read-only files read-only.
    db.transaction(() => undefined).immediate();
    return db;
  } catch (e) {
    try {
      db?.close();
    } catch {
      // already failing; the original error matters
    }
    throw classifySqliteError(e, file);
  }
}

export type BetterSqlite3Database = Database.Database;

/** The absolute form of a database path (':memory:' stays as it is). */
export function absoluteDbPath(file: string): string {
  return file === ':memory:' ? file : path.resolve(file);
}
