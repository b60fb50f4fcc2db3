/**
 * The ordered list of schema migrations. Migration k takes the database from
 * PRAGMA user_version k-1 to k. Append new files here; never reorder or edit.
 */
import type BetterSqlite3 from 'better-sqlite3';
import * as m0001 from './0001-initial-schema.js';
import * as m0002 from './0002-cancel-requests.js';
import * as m0003 from './0003-settings.js';

export interface Migration {
  readonly version: number;
  up(db: BetterSqlite3.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
