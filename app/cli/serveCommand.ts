/**
 * `cfm serve`: the workbench over HTTP for a browser (typically on a remote
 * GPU box, reached through an SSH tunnel): opens the database, starts the
 * run manager (trainers in worker processes) and the service, serves the API,
 * its events and the built renderer (app/server), and prints the address to
 * open, token included, as Jupyter does. The UI is the built renderer
 * (dist/renderer) unless --static names another folder. Ctrl-C or SIGTERM shuts down
 * cleanly: the server stops, running runs save a checkpoint and become
 * 'cancelled' (resume them later), the database is closed. A second Ctrl-C
 * quits at once (the runs are then found 'interrupted' at the next start).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CfmError, invalid } from '../errors.js';
import { createManager } from '../runs/manager.js';
import { startServer, type RunningServer } from '../server/server.js';
import { createService } from '../service.js';
import { savedConcurrency } from '../service/settings.js';
import { globals, openDb, outputMode } from './context.js';
import { printJson, printLine } from './output.js';
import { intOption } from './parse.js';

export const DEFAULT_PORT = 8765;

interface ServeOptions {
  host: string;
  port: number;
  static?: string;
}

/** The folder and package.json of the cfm-workbench package above this module (source or dist layout). */
function findPackage(): { dir: string; version: string } | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'cfm-workbench') return { dir, version: pkg.version ?? 'unknown' };
      } catch {
        // not ours; keep looking
      }
    }
    dir = dirname(dir);
  }
  return undefined;
}

function packageVersion(): string {
  return findPackage()?.version ?? 'unknown';
}

/**
 * The built renderer (`npm run build:renderer`): dist/renderer of this
 * package, found from this module's own location, so the compiled CLI
 * (dist/app/cli) and the sources (app/cli) both find the build, never the
 * renderer's unbuilt sources.
 */
export function defaultStaticDir(): string | undefined {
  const pkg = findPackage();
  const dir = pkg ? join(pkg.dir, 'dist', 'renderer') : undefined;
  return dir && existsSync(join(dir, 'index.html')) ? dir : undefined;
}

function portOption(value: string): number {
  const n = intOption('port')(value);
  if (n < 0 || n > 65_535) throw invalid('port', `${n} is not a port; give 1 to 65535, or 0 for any free one`);
  return n;
}

/** Why listening failed, in the user's terms. */
function listenError(e: unknown, o: ServeOptions): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return new CfmError('conflict', `port: ${o.port} is already in use on ${o.host}; choose another with --port, or --port 0 for any free one`, 'port');
  }
  if (code === 'EACCES') return invalid('port', `${o.port} needs administrator rights on this system; use a port above 1023`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return invalid('host', `${o.host} is not an address of this machine; use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`);
  }
  return e;
}

/** Resolves with the first shutdown signal's name; a second SIGINT/SIGTERM exits at once. */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const on = (signal: NodeJS.Signals): void => {
      if (received) process.exit(130);
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench (API, live events, browser UI) over HTTP; prints the URL to open, token included')
    .option('--host <address>', 'interface to listen on: 127.0.0.1 is this machine only; 0.0.0.0 exposes it to the network', '127.0.0.1')
    .option('--port <n>', `port to listen on; 0 picks a free one [${DEFAULT_PORT}]`, portOption, DEFAULT_PORT)
    .option('--static <dir>', 'folder of the built browser UI to serve at / [the built renderer, dist/renderer; without one, / describes the API]')
    .action(async (o: ServeOptions, cmd: Command) => {
      const json = outputMode(cmd).json;
      const store = openDb(cmd);
      const manager = createManager({ store, concurrency: savedConcurrency(store), ...(globals(cmd).backend ? { backend: globals(cmd).backend } : {}) });
      const service = createService({ store, manager, version: packageVersion() });
      const staticDir = o.static ?? defaultStaticDir();
      let server: RunningServer;
      try {
        server = await startServer({ service, host: o.host, port: o.port, ...(staticDir ? { staticDir } : {}) });
      } catch (e) {
        await service.close();
        store.close();
        throw listenError(e, o);
      }
      // Runs left queued when the last host stopped train now (after listening: a failed start changes nothing).
      for (const run of store.listRuns({ status: 'queued' })) manager.enqueue(run.id);
      const stopped = shutdownSignal();
      if (json) printJson({ url: server.url, origin: server.origin, port: server.port, token: server.token, database: store.path });
      else printLine(`CFM Workbench at ${server.url}`);
      process.stderr.write(`database ${store.path}; Ctrl-C stops the server (running runs save a checkpoint first)\n`);
      if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') {
        process.stderr.write(`listening on ${o.host}: anyone who can reach this machine and has the token can use the workbench (plain HTTP, no TLS)\n`);
      }

      const signal = await stopped;
      process.stderr.write(`${signal}: shutting down; running runs save a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again quits at once)\n`);
      try {
        await server.close();
        await service.close();
      } finally {
        store.close();
      }
      process.stderr.write('stopped\n');
    });
}
