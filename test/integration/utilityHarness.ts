/**
 * Electron's utilityProcess.fork on child_process, for tests of the main
 * process (Electron's binary cannot run here). The child gets what a utility
 * process gets: process.parentPort (postMessage, and 'message' events carrying
 * `data`) over the IPC channel, set up by a shim module that then imports the
 * real entry. The parent gets a UtilityProcess's shape: messages by structured
 * clone, kill() without a signal argument, and an 'exit' event with a code
 * only (Electron reports the waitpid status, 128 + the signal's number for a
 * signal), never a signal name.
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import type { UtilityProcessLike } from '../../main/utilitySpawner.js';

/** The child side: process.parentPort over the IPC channel, then the real entry module. */
const SHIM = `
import { pathToFileURL } from 'node:url';
process.parentPort = {
  postMessage: (m) => { if (process.connected) process.send(m); },
  on: (event, listener) => { if (event === 'message') process.on('message', (m) => listener({ data: m })); },
};
// Electron ends utility processes with the app; a test run ends them with the test.
process.on('disconnect', () => process.exit(0));
await import(pathToFileURL(process.env.CFM_SHIM_ENTRY).href);
`;

/** Writes the shim into `dir` and returns its path. */
export function writeUtilityShim(dir: string): string {
  const shim = path.join(dir, 'utility-shim.mjs');
  writeFileSync(shim, SHIM);
  return shim;
}

/** utilityProcess.fork(modulePath, args, { env }) as Electron gives it, through the shim written by writeUtilityShim. */
export function forkUtility(shim: string, modulePath: string, args: string[], env: Record<string, string | undefined>): UtilityProcessLike {
  const child = fork(shim, args, {
    serialization: 'advanced',
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...env, CFM_SHIM_ENTRY: modulePath },
  });
  const events = new EventEmitter();
  child.on('message', (m) => events.emit('message', m));
  child.on('exit', (code, signal) => events.emit('exit', code ?? 128 + (signal ? constants.signals[signal] : 0)));
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (m: unknown) => {
      if (child.connected) child.send(m as object);
    },
    kill: () => child.kill('SIGTERM'),
    on(event: string, listener: (...args: any[]) => void) {
      events.on(event, listener);
      return this;
    },
  };
}
