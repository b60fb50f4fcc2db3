/**
 * Runs the built `cfm` command the way a user does: a real child process
 * (`node bin/cfm.js --db FILE ...`) on tfjs's wasm backend, its stdout, stderr
 * and exit code captured, --json output parsed. The database is a real SQLite
 * file in a temp folder; tests read it back through the compiled store module
 * (dist/app/store/index.js), the same code the CLI runs, typed by its source.
 * Needs `npm run build` first (npm test does it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Store } from '../../app/store/interface.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO_ROOT, 'bin', 'cfm.js');
const DIST_STORE = path.join(REPO_ROOT, 'dist', 'app', 'store', 'index.js');

export interface CliResult {
  readonly args: readonly string[];
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  /** Extra environment; CFM_BACKEND=wasm is always set and CFM_DB removed. */
  readonly env?: Record<string, string>;
  /** The child is killed (SIGKILL) after this long; default 90 s. */
  readonly timeoutMs?: number;
}

/** A running `cfm`: its output so far, Ctrl-C, and the result once it exits. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<CliResult>;
}

function assertBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'app', 'cli.js'))) {
    throw new Error('dist/app/cli.js is missing: run `npm run build` before the integration tests');
  }
}

/** Starts `cfm [--db db] ...args`; `db` null leaves --db out. */
export function startCfm(db: string | null, args: readonly string[], o: CliOptions = {}): CliProcess {
  assertBuilt();
  const argv = [BIN, ...(db === null ? [] : ['--db', db]), ...args];
  const env: NodeJS.ProcessEnv = { ...process.env, CFM_BACKEND: 'wasm', ...o.env };
  delete env.CFM_DB;
  const child = spawn(process.execPath, argv, { cwd: o.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 90_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ args: [...args], code, signal, stdout: out, stderr: err });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs `cfm [--db db] ...args` to the end. */
export function cfm(db: string | null, args: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  return startCfm(db, args, o).exited;
}

function story(r: CliResult): string {
  return `cfm ${r.args.join(' ')} -> exit ${r.code ?? r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr.slice(-2000)}`;
}

/** The one JSON value a --json command printed; fails (with the whole story) if stdout is anything else. */
export function parseJson<T = any>(r: CliResult): T {
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new Error(`expected exactly one JSON line on stdout\n${story(r)}`);
  try {
    return JSON.parse(lines[0]) as T;
  } catch {
    throw new Error(`stdout is not JSON\n${story(r)}`);
  }
}

/** Like parseJson, but first requires exit code 0. */
export function okJson<T = any>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`command failed\n${story(r)}`);
  return parseJson<T>(r);
}

/** Requires exit code 0 and returns the result (for text-mode commands). */
export function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`command failed\n${story(r)}`);
  return r;
}

/** Lines of stderr, without blank ones. */
export function stderrLines(r: CliResult): string[] {
  return r.stderr.split(/\r?\n/).filter((l) => l.trim() !== '');
}

/** The lines of stderr that start with "error:". */
export function errorLines(r: CliResult): string[] {
  return stderrLines(r).filter((l) => l.startsWith('error:'));
}

/** A fresh folder under the OS temp dir, and a function removing it. */
export function makeTempDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `cfm-it-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

type StoreModule = typeof import('../../app/store/index.js');
let storeModule: Promise<StoreModule> | undefined;

/** Opens the database with the compiled store module, runs fn, closes it. */
export async function readStore<T>(db: string, fn: (store: Store) => T): Promise<T> {
  assertBuilt();
  storeModule ??= import(pathToFileURL(DIST_STORE).href) as Promise<StoreModule>;
  const store = (await storeModule).openStore(db);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined; fails after timeoutMs. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Flags that keep training runs tiny: small batch, cheap independent coupling, no periodic validation. */
export const TINY = ['--batch', '64', '--method', 'icfm', '--validate-every', '0'] as const;
