/**
 * What `npm start` opens (scripts/start.mjs runs this after `npm run build`):
 * the desktop app in Electron where it can run, otherwise `cfm serve`, the same
 * UI in a browser, so that the README's first command always gets the user
 * somewhere. Electron needs two things this checks, in this order:
 *
 *   1. a display: on Linux (and the BSDs) $DISPLAY or $WAYLAND_DISPLAY;
 *      macOS and Windows always have one;
 *   2. the Electron main process built (dist/main/main.js, `npm run build`);
 *   3. Electron's binary. The `electron` package (45) no longer downloads it at
 *      install: its index.js downloads it on first use by running its
 *      install.js, synchronously and with no time limit. Here the binary is
 *      looked up without that (node_modules/electron/path.txt + dist/, as
 *      install.js lays them out), and a missing one is downloaded by running
 *      install.js as a child with a time limit. A failed download is
 *      remembered (node_modules/.cache/cfm-workbench/electron-download.json)
 *      for a day, so the next start does not wait for it again.
 *
 * When one is missing it prints ONE line on stderr, e.g.
 *   Electron unavailable (no display: DISPLAY and WAYLAND_DISPLAY are not set); starting cfm serve instead
 * and runs `cfm serve`, whose stdout line is the URL to open (token included).
 *
 * Forcing: `npm start -- --serve` or CFM_UI=serve; `npm start -- --electron` or
 * CFM_UI=electron (no fallback: it fails when Electron cannot start, and it
 * retries a download that failed before). Any other arguments go to the chosen
 * program (`npm start -- --serve --port 9000`).
 *
 * The child runs in its own process group (not on Windows) and the launcher
 * forwards SIGINT, SIGTERM and SIGHUP to it exactly once: a Ctrl-C reaches
 * `cfm serve` once, so it shuts down cleanly (checkpointing running runs)
 * instead of taking the second Ctrl-C's "quit at once". The launcher exits
 * with the child's exit code (or dies of the child's signal).
 *
 * chooseUi is the whole decision as a pure function (tested alone);
 * everything else gathers its facts or carries it out.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** package.json "main": the compiled Electron main process. */
export const MAIN_ENTRY = path.join('dist', 'main', 'main.js');
/** A failed download is not retried automatically for this long. */
export const RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 300_000;
const UI_VALUES = ['serve', 'electron'];
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export class LaunchError extends Error {}

/**
 * The launcher's own flags (--serve, --electron, --help) out of argv; CFM_UI
 * when no flag forces a UI. Everything else passes through.
 */
export function parseLaunchArgs(argv, env = process.env) {
  const passThrough = [];
  let force;
  let help = false;
  for (const arg of argv) {
    if (arg === '--serve' || arg === '--electron') {
      const ui = arg.slice(2);
      if (force !== undefined && force !== ui) throw new LaunchError('--serve and --electron ask for different UIs; give one of them');
      force = ui;
    } else if (arg === '--help' || arg === '-h') help = true;
    else passThrough.push(arg);
  }
  if (force === undefined && env.CFM_UI !== undefined && env.CFM_UI !== '') {
    const ui = env.CFM_UI.trim().toLowerCase();
    if (!UI_VALUES.includes(ui)) {
      throw new LaunchError(`CFM_UI: "${env.CFM_UI}" is not a UI; set it to serve or electron, or unset it to choose automatically`);
    }
    force = ui;
  }
  return { force, passThrough, help };
}

/** Why there is no display to open a window on, or undefined when there is one. */
export function missingDisplay(platform, env) {
  if (platform === 'darwin' || platform === 'win32') return undefined;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return undefined;
  return 'no display: DISPLAY and WAYLAND_DISPLAY are not set';
}

/** Where electron/install.js puts the executable inside its dist/ folder (its getPlatformPath). */
export function electronPlatformPath(platform) {
  switch (platform) {
    case 'darwin':
    case 'mas':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    default:
      return 'electron';
  }
}

/**
 * The Electron executable's path and whether it is there, found as the
 * electron package's index.js finds it, but never downloading:
 * $ELECTRON_OVERRIDE_DIST_PATH, else node_modules/electron/dist + path.txt.
 */
export function electronBinary({ electronDir, platform = process.platform, env = process.env }) {
  const pathFile = path.join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : electronPlatformPath(platform);
  const dir = env.ELECTRON_OVERRIDE_DIST_PATH || path.join(electronDir, 'dist');
  const file = path.join(dir, relative);
  return { path: file, present: existsSync(file) };
}

/**
 * The decision. facts:
 *   force          'serve' | 'electron' | undefined
 *   platform, env  to look for a display
 *   mainBuilt      dist/main/main.js exists
 *   binary         { path, present }
 *   lastFailure    { reason, at (ms), version } of a remembered failed download, or undefined
 *   version        the electron package's version
 *   attempted      a download was tried during this start; attemptError its reason
 *   now            ms
 * Returns { ui: 'electron', binary } | { ui: 'serve', why } (why undefined when
 * forced) | { ui: 'download' } (fetch the binary, then decide again) |
 * { ui: 'error', message } (Electron was forced and cannot start).
 */
export function chooseUi(facts) {
  if (facts.force === 'serve') return { ui: 'serve', why: undefined };
  const forced = facts.force === 'electron';
  const fallback = (why) => (forced ? { ui: 'error', message: `Electron cannot start (${why})` } : { ui: 'serve', why });

  const noDisplay = forced ? undefined : missingDisplay(facts.platform, facts.env);
  if (noDisplay) return fallback(noDisplay);
  if (!facts.mainBuilt) return fallback(`the Electron main process is not built: ${MAIN_ENTRY} is missing; run npm run build`);
  if (facts.binary.present) return { ui: 'electron', binary: facts.binary.path };

  if (facts.attempted) return fallback(`its binary could not be downloaded: ${facts.attemptError}`);
  const last = facts.lastFailure;
  const recent = last !== undefined && last.version === facts.version && facts.now - last.at >= 0 && facts.now - last.at < RETRY_AFTER_MS;
  if (recent && !forced) {
    return fallback(`its binary is not downloaded; the download failed ${ago(facts.now - last.at)}: ${last.reason}; CFM_UI=electron tries again`);
  }
  return { ui: 'download' };
}

function ago(ms) {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute ago';
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}

/** The one line printed when falling back to cfm serve. */
/** An Electron that exits with an error sooner than this never opened its window: fall back to cfm serve. */
export const EARLY_EXIT_S = 10;

export function fallbackLine(why) {
  return `Electron unavailable (${why}); starting cfm serve instead`;
}

export function memoFile(root = PROJECT_ROOT) {
  return path.join(root, 'node_modules', '.cache', 'cfm-workbench', 'electron-download.json');
}

export function readDownloadMemo(file) {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8'));
    const at = Date.parse(m.at);
    if (typeof m.reason !== 'string' || typeof m.version !== 'string' || Number.isNaN(at)) return undefined;
    return { reason: m.reason, version: m.version, at };
  } catch {
    return undefined;
  }
}

export function writeDownloadMemo(file, failure) {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ version: failure.version, at: new Date(failure.at).toISOString(), reason: failure.reason }, null, 2)}\n`);
  } catch {
    // a read-only node_modules: the next start tries again, no worse
  }
}

export function clearDownloadMemo(file) {
  rmSync(file, { force: true });
}

/** The first line of a failed install's output that says what went wrong. */
export function failureReason(output, code) {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('at ') && l !== 'Downloading Electron binary...');
  const line = lines.find((l) => /error|fail|ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|denied|status/i.test(l)) ?? lines[0];
  const text = line ?? `install.js exited with code ${code}`;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * Runs the electron package's install.js (it downloads the binary for this
 * platform into node_modules/electron/dist) with a time limit. Resolves
 * { ok: true } or { ok: false, reason }; never throws.
 */
export function downloadElectron({ electronDir, timeoutMs = DEFAULT_DOWNLOAD_TIMEOUT_MS, env = process.env, platform = process.platform }) {
  const script = path.join(electronDir, 'install.js');
  if (!existsSync(script)) return Promise.resolve({ ok: false, reason: `${script} is missing; reinstall the electron package` });
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(process.execPath, [script], { cwd: electronDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (chunk) => {
      output += chunk;
      if (output.length > 64_000) output = output.slice(-64_000);
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, reason: `no complete download within ${Math.ceil(timeoutMs / 1000)} s` });
      else if (code !== 0) resolve({ ok: false, reason: failureReason(output, code) });
      else if (!electronBinary({ electronDir, platform, env }).present) resolve({ ok: false, reason: 'install.js finished but the binary is not in node_modules/electron/dist' });
      else resolve({ ok: true });
    });
  });
}

function electronVersion(electronDir) {
  try {
    return JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Runs `command args` with inherited stdio until it exits, forwarding the
 * termination signals once; resolves with the exit code, or re-raises the
 * child's signal on this process.
 */
export function runChild(command, args, { env = process.env, cwd = PROJECT_ROOT, platform = process.platform } = {}) {
  return new Promise((resolve, reject) => {
    const ownGroup = platform !== 'win32';
    const child = spawn(command, args, { cwd, env, stdio: 'inherit', detached: ownGroup, windowsHide: false });
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const killOnExit = () => forward('SIGTERM');
    // Without a group of its own (Windows) the console's Ctrl-C already reaches the child.
    if (ownGroup) for (const s of FORWARDED_SIGNALS) process.on(s, forward);
    process.on('exit', killOnExit);
    const cleanup = () => {
      if (ownGroup) for (const s of FORWARDED_SIGNALS) process.off(s, forward);
      process.off('exit', killOnExit);
    };
    child.on('error', (e) => {
      cleanup();
      reject(new LaunchError(`${path.basename(command)} could not be started: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) {
        process.kill(process.pid, signal);
        // If the signal is ignored here, still end with the conventional code.
        setTimeout(() => resolve(128 + signalNumber(signal)), 100).unref();
        return;
      }
      resolve(code ?? 1);
    });
  });
}

function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 1;
}

export const USAGE = `usage: npm start [-- [--serve | --electron] [ARGS...]]
Opens CFM Workbench in Electron; where Electron cannot run (no display, no binary), starts cfm serve and prints its URL.
  --serve      always start cfm serve (also CFM_UI=serve); ARGS go to it, e.g. --port 9000 --host 0.0.0.0
  --electron   always use Electron, failing if it cannot start (also CFM_UI=electron); retries a failed download
  CFM_ELECTRON_DOWNLOAD_TIMEOUT  seconds allowed for the first-run download of Electron's binary [300]
`;

/**
 * The launcher: gathers the facts, decides, prints at most one line, runs the
 * chosen program. Resolves with the exit code to end with.
 */
export async function launch({ argv = process.argv.slice(2), env = process.env, platform = process.platform, root = PROJECT_ROOT, stderr = process.stderr } = {}) {
  let args;
  try {
    args = parseLaunchArgs(argv, env);
  } catch (e) {
    if (!(e instanceof LaunchError)) throw e;
    stderr.write(`${e.message}\n`);
    return 2;
  }
  if (args.help) {
    stderr.write(USAGE);
    return 0;
  }
  const electronDir = path.join(root, 'node_modules', 'electron');
  const memo = memoFile(root);
  const version = electronVersion(electronDir);
  const timeoutS = Number(env.CFM_ELECTRON_DOWNLOAD_TIMEOUT);
  const timeoutMs = Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS * 1000 : DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const facts = {
    force: args.force,
    platform,
    env,
    mainBuilt: existsSync(path.join(root, MAIN_ENTRY)),
    binary: electronBinary({ electronDir, platform, env }),
    lastFailure: readDownloadMemo(memo),
    version,
    attempted: false,
    attemptError: undefined,
    now: Date.now(),
  };
  let decision = chooseUi(facts);
  if (decision.ui === 'download') {
    stderr.write(`Downloading Electron ${version}'s binary (once; up to ${Math.round(timeoutMs / 1000)} s)...\n`);
    const result = await downloadElectron({ electronDir, timeoutMs, env, platform });
    if (result.ok) clearDownloadMemo(memo);
    else writeDownloadMemo(memo, { version, at: Date.now(), reason: result.reason });
    decision = chooseUi({ ...facts, binary: electronBinary({ electronDir, platform, env }), attempted: true, attemptError: result.ok ? undefined : result.reason });
  }

  switch (decision.ui) {
    case 'error':
      stderr.write(`${decision.message}\n`);
      return 1;
    case 'serve': {
      if (decision.why) stderr.write(`${fallbackLine(decision.why)}\n`);
      return runChild(process.execPath, [path.join(root, 'bin', 'cfm.js'), 'serve', ...args.passThrough], { env, cwd: root, platform });
    }
    case 'electron': {
      const childEnv = { ...env };
      // Set, it would make Electron a plain Node.js and never open a window.
      delete childEnv.ELECTRON_RUN_AS_NODE;
      const started = Date.now();
      const code = await runChild(decision.binary, [root, ...args.passThrough], { env: childEnv, cwd: root, platform });
      // Electron that dies at once (a missing system library, an unusable display, the Linux
      // sandbox helper not set up) has printed its own error above: still get the user somewhere.
      const seconds = (Date.now() - started) / 1000;
      if (code !== 0 && args.force !== 'electron' && seconds < EARLY_EXIT_S) {
        stderr.write(`${fallbackLine(`it exited with code ${code} ${seconds.toFixed(1)} s after starting; its own message is above`)}\n`);
        return runChild(process.execPath, [path.join(root, 'bin', 'cfm.js'), 'serve', ...args.passThrough], { env, cwd: root, platform });
      }
      return code;
    }
    default:
      throw new Error(`unexpected decision ${decision.ui}`);
  }
}
