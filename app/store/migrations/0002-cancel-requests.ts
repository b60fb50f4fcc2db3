/**
 * Schema version 2: cancel requests. A run may train in a process that no one
 * else can signal (a foreground `cfm train`, a trainer whose host went away), so
 * "please stop" is written to the shared file, and every trainer polls it at
 * each metrics flush. One row per run at most; it goes with its run.
 * Never edit a released migration: add the next numbered file.
 */
import type BetterSqlite3 from 'better-sqlite3';

export const version = 2;

export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE cancel_requests (
      run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      requested_at INTEGER NOT NULL
    );
  `);
}
