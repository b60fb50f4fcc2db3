/**
 * Where the Electron main finds its parts, all relative to the compiled
 * main module (dist/main/main.js), so the same layout works from the
 * checkout and inside a packaged app (app.asar):
 *
 *   dist/main/main.js          this entry ("main" in package.json)
 *   dist/main/preload.cjs      the bundled, sandboxed preload
 *   dist/renderer/index.html   the built renderer, served as app://workbench/
 *   dist/app/runs/worker.js    the trainer / compute worker (utilityProcess.fork)
 *
 * The database is $CFM_DB when set (as for the `cfm` command), else
 * workbench.sqlite in Electron's per-user data folder (app.getPath('userData')).
 * That folder is pinned to the one the `cfm` command keeps its database in
 * (app/store/paths.ts: $XDG_DATA_HOME or ~/.local/share on Linux, Application
 * Support on macOS, %APPDATA% on Windows, + cfm-workbench), so the window and
 * the command line see the same runs, and the folder does not move when the
 * packaged app's product name changes (Electron derives it from the name).
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { defaultDbPath } from '../app/store/paths.js';

export interface AppPaths {
  preload: string;
  rendererDir: string;
  rendererIndex: string;
}

export function appPaths(mainDir: string): AppPaths {
  const rendererDir = path.resolve(mainDir, '..', 'renderer');
  return { preload: path.join(mainDir, 'preload.cjs'), rendererDir, rendererIndex: path.join(rendererDir, 'index.html') };
}

export const DATABASE_FILE = 'workbench.sqlite';

export function databasePath(userData: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.CFM_DB ? path.resolve(env.CFM_DB) : path.join(userData, DATABASE_FILE);
}

/** Electron's userData folder for the workbench: the folder of the `cfm` command's default database. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  return path.dirname(defaultDbPath(env, platform, home));
}
