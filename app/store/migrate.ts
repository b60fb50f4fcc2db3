/**
 * Applies pending migrations in order, each in its own BEGIN IMMEDIATE
 * transaction that also sets PRAGMA user_version, so a crash or a failing step
 * leaves the schema at a whole version, and two processes opening a fresh file
 * at once apply each step exactly once (the second re-reads the version under
 * the write lock). A file whose version is newer than the code knows is
 * refused, untouched.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { tooNew } from './dbErrors.js';

export function userVersion(db: BetterSqlite3.Database, schema = 'main'): number {
  return db.pragma(`${schema}.user_version`, { simple: true }) as number;
}

/** Brings `db` to the last version of `migrations`; returns the versions applied. */
export function migrate(
  db: BetterSqlite3.Database,
  path: string,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const start = userVersion(db);
  if (start > latest) throw tooNew(path, start, latest);
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= start) continue;
    db.transaction(() => {
      const now = userVersion(db);
      if (now > latest) throw tooNew(path, now, latest);
      if (now >= m.version) return;
      if (now !== m.version - 1) {
        throw new Error(`migration ${m.version}: database is at version ${now}, expected ${m.version - 1}`);
      }
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}
