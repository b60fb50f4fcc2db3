/**
 * npm start's launcher (scripts/launcher.mjs): the decision between Electron
 * and `cfm serve` as a pure function over the facts a start sees (display,
 * built main, Electron binary, a remembered failed download, forcing), the
 * bounded first-run download against stand-in electron packages (an
 * install.js that fails, hangs, or lays out a binary), and whole launches in
 * a stand-in project whose `electron` and `cfm` are small scripts recording
 * how they were called. Nothing here touches the network or the real
 * node_modules/electron.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chooseUi,
  downloadElectron,
  electronBinary,
  electronPlatformPath,
  failureReason,
  fallbackLine,
  launch,
  LaunchError,
  memoFile,
  missingDisplay,
  parseLaunchArgs,
  readDownloadMemo,
  RETRY_AFTER_MS,
  writeDownloadMemo,
  clearDownloadMemo,
  type UiFacts,
} from '../../scripts/launcher.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;

const temps: string[] = [];
function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `cfm-launcher-${label}-`));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A start on a Linux desktop with everything in place, changed by `o`. */
function facts(o: Partial<UiFacts> = {}): UiFacts {
  return {
    force: undefined,
    platform: 'linux',
    env: { DISPLAY: ':0' },
    mainBuilt: true,
    binary: { path: '/p/node_modules/electron/dist/electron', present: true },
    lastFailure: undefined,
    version: '45.5.0',
    attempted: false,
    attemptError: undefined,
    now: NOW,
    ...o,
  };
}
const missingBinary = { path: '/p/node_modules/electron/dist/electron', present: false };

describe('choosing Electron or cfm serve', () => {
  it('opens Electron when there is a display, a built main process and the binary', () => {
    expect(chooseUi(facts())).toEqual({ ui: 'electron', binary: '/p/node_modules/electron/dist/electron' });
  });

  it('without a display on Linux falls back to cfm serve, naming both variables, and never downloads', () => {
    const d = chooseUi(facts({ env: {}, binary: missingBinary }));
    expect(d.ui).toBe('serve');
    expect(d.ui === 'serve' && d.why).toMatch(/^no display: DISPLAY and WAYLAND_DISPLAY are not set$/);
  });

  it('counts a Wayland session as a display, and macOS and Windows as always having one', () => {
    expect(chooseUi(facts({ env: { WAYLAND_DISPLAY: 'wayland-0' } })).ui).toBe('electron');
    expect(chooseUi(facts({ platform: 'darwin', env: {} })).ui).toBe('electron');
    expect(chooseUi(facts({ platform: 'win32', env: {} })).ui).toBe('electron');
    expect(missingDisplay('freebsd', {})).toMatch(/DISPLAY/);
  });

  it('falls back when the Electron main process is not built, saying which file and how to build it', () => {
    const d = chooseUi(facts({ mainBuilt: false }));
    expect(d.ui === 'serve' && d.why).toMatch(/dist[\\/]main[\\/]main\.js is missing; run npm run build/);
  });

  it('asks for a download when only the binary is missing, and falls back with the reason when it failed', () => {
    expect(chooseUi(facts({ binary: missingBinary }))).toEqual({ ui: 'download' });
    const d = chooseUi(facts({ binary: missingBinary, attempted: true, attemptError: 'TypeError: fetch failed' }));
    expect(d).toEqual({ ui: 'serve', why: 'its binary could not be downloaded: TypeError: fetch failed' });
  });

  it('does not download again within a day of a failed download of the same version, and says how to retry', () => {
    const lastFailure = { reason: 'getaddrinfo ENOTFOUND downloads.invalid', at: NOW - 3 * HOUR, version: '45.5.0' };
    const d = chooseUi(facts({ binary: missingBinary, lastFailure }));
    expect(d.ui).toBe('serve');
    expect(d.ui === 'serve' && d.why).toBe('its binary is not downloaded; the download failed 3 h ago: getaddrinfo ENOTFOUND downloads.invalid; CFM_UI=electron tries again');
    const minutes = chooseUi(facts({ binary: missingBinary, lastFailure: { ...lastFailure, at: NOW - 5 * 60_000 } }));
    expect(minutes.ui === 'serve' && minutes.why).toContain('failed 5 min ago');
  });

  it('tries the download again after a day, or for another Electron version', () => {
    const old = { reason: 'x', at: NOW - RETRY_AFTER_MS - 1, version: '45.5.0' };
    expect(chooseUi(facts({ binary: missingBinary, lastFailure: old })).ui).toBe('download');
    const other = { reason: 'x', at: NOW - HOUR, version: '44.0.0' };
    expect(chooseUi(facts({ binary: missingBinary, lastFailure: other })).ui).toBe('download');
  });

  it('--serve wins over everything and prints no fallback line', () => {
    expect(chooseUi(facts({ force: 'serve' }))).toEqual({ ui: 'serve', why: undefined });
  });

  it('--electron never falls back: it retries a remembered failure, and fails with the reason instead of serving', () => {
    const lastFailure = { reason: 'fetch failed', at: NOW - HOUR, version: '45.5.0' };
    expect(chooseUi(facts({ force: 'electron', binary: missingBinary, lastFailure })).ui).toBe('download');
    expect(chooseUi(facts({ force: 'electron', binary: missingBinary, attempted: true, attemptError: 'fetch failed' }))).toEqual({
      ui: 'error',
      message: 'Electron cannot start (its binary could not be downloaded: fetch failed)',
    });
    expect(chooseUi(facts({ force: 'electron', mainBuilt: false })).ui).toBe('error');
    // the user who forces it may know better than DISPLAY (a remote X server set up otherwise)
    expect(chooseUi(facts({ force: 'electron', env: {} })).ui).toBe('electron');
  });

  it('the fallback notice is one line that says what is missing and what starts instead', () => {
    const line = fallbackLine('no display: DISPLAY and WAYLAND_DISPLAY are not set');
    expect(line).toBe('Electron unavailable (no display: DISPLAY and WAYLAND_DISPLAY are not set); starting cfm serve instead');
    expect(line).not.toContain('\n');
  });
});

describe('the launcher flags', () => {
  it('takes --serve / --electron, or CFM_UI, and passes every other argument on', () => {
    expect(parseLaunchArgs(['--serve', '--port', '9000'], {})).toEqual({ force: 'serve', passThrough: ['--port', '9000'], help: false });
    expect(parseLaunchArgs([], { CFM_UI: 'Electron' }).force).toBe('electron');
    expect(parseLaunchArgs(['--serve'], { CFM_UI: 'electron' }).force).toBe('serve');
    expect(parseLaunchArgs([], { CFM_UI: '' }).force).toBeUndefined();
    expect(parseLaunchArgs(['-h'], {}).help).toBe(true);
  });

  it('rejects an unknown CFM_UI and contradictory flags with the fix in the message', () => {
    expect(() => parseLaunchArgs([], { CFM_UI: 'browser' })).toThrow(LaunchError);
    expect(() => parseLaunchArgs([], { CFM_UI: 'browser' })).toThrow(/^CFM_UI: "browser" is not a UI; set it to serve or electron/);
    expect(() => parseLaunchArgs(['--serve', '--electron'], {})).toThrow(/give one of them/);
  });
});

/** A stand-in electron package: package.json, and an install.js with the given body. */
function fakeElectronPackage(dir: string, installJs: string): string {
  const electronDir = path.join(dir, 'node_modules', 'electron');
  mkdirSync(electronDir, { recursive: true });
  writeFileSync(path.join(electronDir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }));
  writeFileSync(path.join(electronDir, 'install.js'), installJs);
  return electronDir;
}

/** An install.js that lays out dist/<binary> and path.txt as electron's does, running `body` as the binary. */
const INSTALLS_BINARY = (body: string) => `
const fs = require('fs'), path = require('path');
fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
const bin = path.join(__dirname, 'dist', 'electron');
fs.writeFileSync(bin, ${JSON.stringify(body)}, { mode: 0o755 });
fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');
`;

describe("finding and fetching Electron's binary", () => {
  it('uses the layout of the electron package: path.txt names the file under dist/', () => {
    const electronDir = fakeElectronPackage(tempDir('find'), 'throw new Error("must not run")');
    expect(electronBinary({ electronDir, platform: 'linux', env: {} })).toEqual({ path: path.join(electronDir, 'dist', 'electron'), present: false });
    mkdirSync(path.join(electronDir, 'dist', 'Electron.app', 'Contents', 'MacOS'), { recursive: true });
    writeFileSync(path.join(electronDir, 'dist', 'Electron.app', 'Contents', 'MacOS', 'Electron'), '');
    writeFileSync(path.join(electronDir, 'path.txt'), 'Electron.app/Contents/MacOS/Electron');
    expect(electronBinary({ electronDir, platform: 'linux', env: {} }).present).toBe(true);
    const override = tempDir('override');
    expect(electronBinary({ electronDir, env: { ELECTRON_OVERRIDE_DIST_PATH: override } }).path).toBe(path.join(override, 'Electron.app/Contents/MacOS/Electron'));
  });

  it("names the executable as the installed electron package's install.js does on each OS", () => {
    // independent of our table: these strings are the package's own
    const install = readFileSync(path.join(ROOT, 'node_modules', 'electron', 'install.js'), 'utf8');
    for (const platform of ['linux', 'darwin', 'win32']) expect(install).toContain(`'${electronPlatformPath(platform)}'`);
    expect(new Set(['linux', 'darwin', 'win32'].map(electronPlatformPath)).size).toBe(3);
  });

  it("reports a failed download by the error line of install.js's output, not its stack", async () => {
    const electronDir = fakeElectronPackage(
      tempDir('fail'),
      'console.log("Downloading Electron binary..."); console.error("TypeError: fetch failed\\n    at node:internal/deps/undici/undici:15270:13\\n    at async FetchDownloader.download"); process.exit(1);',
    );
    expect(await downloadElectron({ electronDir, env: {} })).toEqual({ ok: false, reason: 'TypeError: fetch failed' });
    expect(failureReason('', 3)).toBe('install.js exited with code 3');
  });

  it('gives up on a download that does not finish in time', async () => {
    const electronDir = fakeElectronPackage(tempDir('hang'), 'setInterval(() => {}, 1000);');
    expect(await downloadElectron({ electronDir, timeoutMs: 300, env: {} })).toEqual({ ok: false, reason: 'no complete download within 1 s' });
  });

  it('succeeds only when install.js really laid out the binary', async () => {
    const good = fakeElectronPackage(tempDir('good'), INSTALLS_BINARY('#!/bin/sh\n'));
    expect(await downloadElectron({ electronDir: good, env: {}, platform: 'linux' })).toEqual({ ok: true });
    const liar = fakeElectronPackage(tempDir('liar'), 'process.exit(0)');
    const r = await downloadElectron({ electronDir: liar, env: {}, platform: 'linux' });
    expect(r.ok).toBe(false);
  });

  it('remembers a failed download in node_modules/.cache and forgets a corrupt record', () => {
    const root = tempDir('memo');
    const file = memoFile(root);
    expect(file).toBe(path.join(root, 'node_modules', '.cache', 'cfm-workbench', 'electron-download.json'));
    expect(readDownloadMemo(file)).toBeUndefined();
    writeDownloadMemo(file, { reason: 'fetch failed', at: NOW, version: '45.5.0' });
    expect(readDownloadMemo(file)).toEqual({ reason: 'fetch failed', at: NOW, version: '45.5.0' });
    writeFileSync(file, '{ not json');
    expect(readDownloadMemo(file)).toBeUndefined();
    clearDownloadMemo(file);
    expect(existsSync(file)).toBe(false);
  });
});

/**
 * A stand-in project: bin/cfm.js and (optionally) the Electron binary are
 * scripts that append how they were called to calls.jsonl and exit with a
 * chosen code; dist/main/main.js exists when `built`.
 */
function fakeProject(o: { built: boolean; installJs: string }): { root: string; calls: () => { who: string; args: string[]; runAsNode?: string }[] } {
  const root = tempDir('project');
  fakeElectronPackage(root, o.installJs);
  const log = path.join(root, 'calls.jsonl');
  mkdirSync(path.join(root, 'bin'));
  writeFileSync(
    path.join(root, 'bin', 'cfm.js'),
    `require('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ who: 'cfm', args: process.argv.slice(2) }) + '\\n'); process.exit(0);`,
  );
  writeFileSync(path.join(root, 'package.json'), '{"type":"commonjs"}');
  if (o.built) {
    mkdirSync(path.join(root, 'dist', 'main'), { recursive: true });
    writeFileSync(path.join(root, 'dist', 'main', 'main.js'), '');
  }
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
  return { root, calls };
}

function stderrSink(): { write(t: string): boolean; lines(): string[] } {
  let text = '';
  return { write: (t: string) => ((text += t), true), lines: () => text.split('\n').filter((l) => l !== '') };
}

describe.runIf(process.platform !== 'win32')('a whole start in a stand-in project', () => {
  it('after a failed first download starts cfm serve with the arguments, and the next start does not download again', async () => {
    const counter = path.join(tmpdir(), `cfm-launcher-installs-${process.pid}-${Date.now()}`);
    temps.push(counter);
    const { root, calls } = fakeProject({
      built: true,
      installJs: `require('fs').appendFileSync(${JSON.stringify(counter)}, 'x'); console.error('RequestError: getaddrinfo ENOTFOUND downloads.invalid'); process.exit(1);`,
    });
    const env = { DISPLAY: ':0', PATH: process.env.PATH };
    const first = stderrSink();
    expect(await launch({ argv: ['--port', '0'], env, platform: 'linux', root, stderr: first })).toBe(0);
    expect(first.lines()).toEqual([
      "Downloading Electron 45.5.0's binary (once; up to 300 s)...",
      'Electron unavailable (its binary could not be downloaded: RequestError: getaddrinfo ENOTFOUND downloads.invalid); starting cfm serve instead',
    ]);
    expect(calls()).toEqual([{ who: 'cfm', args: ['serve', '--port', '0'] }]);

    const second = stderrSink();
    expect(await launch({ argv: [], env, platform: 'linux', root, stderr: second })).toBe(0);
    expect(second.lines()).toHaveLength(1);
    expect(second.lines()[0]).toMatch(/^Electron unavailable \(its binary is not downloaded; the download failed less than a minute ago: RequestError: getaddrinfo ENOTFOUND downloads\.invalid; CFM_UI=electron tries again\); starting cfm serve instead$/);
    expect(readFileSync(counter, 'utf8')).toBe('x'); // install.js ran once
  });

  it('runs the downloaded Electron on the project folder, never as Node; one that fails at once gets cfm serve instead', async () => {
    const log = path.join(tempDir('electron-log'), 'electron.json');
    const binary = `#!/bin/sh\nprintf '{"args":"%s","runAsNode":"%s"}' "$*" "$ELECTRON_RUN_AS_NODE" > ${JSON.stringify(log)}\nexit 7\n`;
    const { root, calls } = fakeProject({ built: true, installJs: INSTALLS_BINARY(binary) });
    const sink = stderrSink();
    const code = await launch({ argv: ['--enable-logging'], env: { DISPLAY: ':0', ELECTRON_RUN_AS_NODE: '1', PATH: process.env.PATH }, platform: 'linux', root, stderr: sink });
    expect(JSON.parse(readFileSync(log, 'utf8'))).toEqual({ args: `${root} --enable-logging`, runAsNode: '' });
    expect(code).toBe(0); // cfm serve's
    expect(calls()).toEqual([{ who: 'cfm', args: ['serve', '--enable-logging'] }]);
    expect(sink.lines()[0]).toBe("Downloading Electron 45.5.0's binary (once; up to 300 s)...");
    expect(sink.lines()[1]).toMatch(/^Electron unavailable \(it exited with code 7 \d+\.\d s after starting; its own message is above\); starting cfm serve instead$/);
  });

  it('--electron passes Electron\'s exit code through and never falls back', async () => {
    const binary = '#!/bin/sh\nexit 7\n';
    const { root, calls } = fakeProject({ built: true, installJs: INSTALLS_BINARY(binary) });
    const sink = stderrSink();
    const code = await launch({ argv: ['--electron'], env: { DISPLAY: ':0', PATH: process.env.PATH }, platform: 'linux', root, stderr: sink });
    expect(code).toBe(7);
    expect(calls()).toEqual([]);
  });

  it('--electron without a built main process fails with the reason and starts nothing', async () => {
    const { root, calls } = fakeProject({ built: false, installJs: 'process.exit(1)' });
    const sink = stderrSink();
    expect(await launch({ argv: ['--electron'], env: { DISPLAY: ':0' }, platform: 'linux', root, stderr: sink })).toBe(1);
    expect(sink.lines()).toEqual([`Electron cannot start (the Electron main process is not built: ${path.join('dist', 'main', 'main.js')} is missing; run npm run build)`]);
    expect(calls()).toEqual([]);
  });

  it('a bad CFM_UI ends the start with exit code 2 and the fix', async () => {
    const sink = stderrSink();
    expect(await launch({ argv: [], env: { CFM_UI: 'web' }, platform: 'linux', root: tempDir('badui'), stderr: sink })).toBe(2);
    expect(sink.lines()[0]).toMatch(/^CFM_UI: "web" is not a UI/);
  });
});
