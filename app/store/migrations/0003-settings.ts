/**
 * Schema version 3: workbench settings (such as how many runs train at once),
 * kept in the database so every front end (CLI, cfm serve, the app) shares them.
 * Values are JSON. Never edit a released migration: add the next numbered file.
 */
import type BetterSqlite3 from 'better-sqlite3';

export const version = 3;

export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `);
}
