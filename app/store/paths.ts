/**
 * Where the database lives: the --db flag, else $CFM_DB, else the per-user data
 * directory of the platform (Linux $XDG_DATA_HOME or ~/.local/share per the XDG
 * base-directory spec, macOS ~/Library/Application Support, Windows %APPDATA%)
 * + cfm-workbench/workbench.sqlite. The parent directory is created.
 */
import { mkdirSync } from 'node:fs';
import { homedir as osHomedir } from 'node:os';
import path from 'node:path';
import { invalid } from '../errors.js';
import { cannotWrite, fsReason } from './dbErrors.js';

export const APP_DIR = 'cfm-workbench';
export const DB_FILE = 'workbench.sqlite';

export interface DbPathOptions {
  /** Value of --db. */
  readonly flag?: string;
  /** Environment to read CFM_DB, XDG_DATA_HOME, APPDATA from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: the platform and home directory to assume. */
  readonly platform?: NodeJS.Platform;
  readonly homedir?: string;
  /** Default true: create the parent directory. */
  readonly createParent?: boolean;
}

/** The per-user default location, without touching the file system. */
export function defaultDbPath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') {
    const base = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(base, APP_DIR, DB_FILE);
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', APP_DIR, DB_FILE);
  }
  // XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
  return path.posix.join(base, APP_DIR, DB_FILE);
}

export function resolveDbPath(opts: DbPathOptions = {}): string {
  const env = opts.env ?? process.env;
  let chosen: string;
  if (opts.flag !== undefined) {
    if (opts.flag.trim() === '') throw invalid('db', '--db is empty; give the path of a database file');
    chosen = path.resolve(opts.flag);
  } else if (env.CFM_DB) {
    chosen = path.resolve(env.CFM_DB);
  } else {
    chosen = defaultDbPath(env, opts.platform ?? process.platform, opts.homedir ?? osHomedir());
  }
  if (opts.createParent !== false) ensureParent(chosen);
  return chosen;
}

/** Creates the directory that will hold `file`; a database error when it cannot. */
export function ensureParent(file: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    throw cannotWrite(file, fsReason(e));
  }
}
