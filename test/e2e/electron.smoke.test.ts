/**
 * The desktop app starts: Electron (the dev binary of node_modules/electron)
 * opens the built app (`electron .`: dist/main/main.js) on a fresh database,
 * the window shows the runs view (the "Runs" heading and the empty state of a
 * new database), `window.workbench` is exactly the contract's bridge (api with
 * one function per API method, and subscribe) and answers over IPC, and the
 * app quits when closed. Driven by playwright-core's Electron support; on
 * Linux under a private Xvfb server (package xvfb), or the session's own
 * display when Xvfb is missing.
 *
 * Skipped, with the reason printed, where it cannot run: Electron 45's
 * package downloads its binary on first use, and a machine that cannot reach
 * that host (this project's CI) has none. The binary is looked up without
 * triggering that download (node_modules/electron/path.txt + dist/).
 * Needs `npm run build` first (npm test does it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../app/contract.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ELECTRON_DIR = path.join(ROOT, 'node_modules', 'electron');

/** The Electron executable, or why there is none (never downloads: electron's index.js would). */
function electronExecutable(): { path: string } | { why: string } {
  const pathTxt = path.join(ELECTRON_DIR, 'path.txt');
  if (!existsSync(pathTxt)) {
    return {
      why:
        'Electron binary not downloaded: node_modules/electron/path.txt and dist/ are missing ' +
        "(electron 45 downloads it on first use, from its release host, which this project's machines cannot reach; " +
        '`npx install-electron` or `npm start` fetches it where the network allows)',
    };
  }
  const file = path.join(ELECTRON_DIR, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(file) ? { path: file } : { why: `Electron binary missing: ${path.relative(ROOT, file)} does not exist (reinstall with \`npx install-electron\`)` };
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** How to give Electron a display: a private Xvfb, the session's display, or why neither is possible. */
function displayPlan(): { xvfb: boolean } | { why: string } {
  if (process.platform !== 'linux') return { xvfb: false };
  if (onPath('Xvfb')) return { xvfb: true };
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { xvfb: false };
  return { why: 'no display and Xvfb not found: install the xvfb package (apt-get install xvfb)' };
}

function skipReason(): string | undefined {
  const exe = electronExecutable();
  if ('why' in exe) return exe.why;
  const display = displayPlan();
  if ('why' in display) return display.why;
  if (!existsSync(path.join(ROOT, 'dist', 'main', 'main.js'))) return 'dist/main/main.js is missing: run `npm run build` first';
  return undefined;
}

const why = skipReason();
if (why) console.warn(`electron smoke test skipped: ${why}`);

/** Starts Xvfb on a free display number; resolves with ':N' and the process. */
async function startXvfb(): Promise<{ display: string; child: ChildProcess }> {
  const child = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xvfb did not report a display within 20 s: ${err}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /^(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`:${m[1]}`);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${err}`));
    });
  });
  return { display, child };
}

describe.skipIf(why !== undefined)(`the Electron app${why ? ` (skipped: ${why})` : ''}`, () => {
  let app: ElectronApplication | undefined;
  let xvfb: ChildProcess | undefined;
  const tmp = mkdtempSync(path.join(tmpdir(), 'cfm-electron-'));

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    xvfb?.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('opens a window on the runs view whose window.workbench is exactly the contract, over IPC, and quits', async () => {
    const exe = electronExecutable() as { path: string };
    const plan = displayPlan() as { xvfb: boolean };
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
    if (plan.xvfb) {
      const x = await startXvfb();
      xvfb = x.child;
      env.DISPLAY = x.display;
      delete env.WAYLAND_DISPLAY;
    }
    Object.assign(env, {
      CFM_DB: path.join(tmp, 'workbench.sqlite'),
      CFM_BACKEND: 'wasm',
      // The app's userData (its single-instance lock and Chromium profile) is the cfm data folder
      // (main/paths.ts): XDG_DATA_HOME on Linux, under HOME on macOS. Point both at the temp dir,
      // so a workbench the developer has open neither blocks nor shares this one.
      XDG_DATA_HOME: path.join(tmp, 'data'),
      XDG_CONFIG_HOME: path.join(tmp, 'config'),
      ...(process.platform === 'darwin' ? { HOME: tmp } : {}),
    });

    app = await _electron.launch({ executablePath: exe.path, args: [ROOT], env, cwd: ROOT, timeout: 60_000 });
    const win = await app.firstWindow({ timeout: 60_000 });
    const pageErrors: string[] = [];
    win.on('pageerror', (e) => pageErrors.push(e.message));

    await win.locator('h1#runs-title').waitFor({ timeout: 30_000 });
    expect(await win.locator('h1#runs-title').textContent()).toBe('Runs');
    await win.getByText('No runs yet').waitFor({ timeout: 30_000 });
    expect(win.url()).toMatch(/^app:\/\/workbench\//);

    const bridge = await win.evaluate(async () => {
      const wb = (globalThis as any).workbench;
      return {
        keys: Object.keys(wb).sort(),
        api: Object.keys(wb.api).sort(),
        allFunctions: Object.values(wb.api).every((f) => typeof f === 'function') && typeof wb.subscribe === 'function',
        runs: await wb.api.listRuns({}),
      };
    });
    expect(bridge.keys).toEqual(['api', 'subscribe']);
    expect(bridge.api).toEqual(Object.keys(API_METHODS).sort());
    expect(bridge.allFunctions).toBe(true);
    expect(bridge.runs).toEqual([]);
    expect(pageErrors).toEqual([]);

    const proc = app.process();
    const exited = new Promise<number | null>((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', (code) => resolve(code))));
    await app.close();
    app = undefined;
    expect(await exited).toBe(0);
  });
});
