/**
 * `npm start` where Electron cannot run, as a user meets it: the launch step
 * (scripts/start.mjs, what `npm start` runs after `npm run build`; not
 * rebuilt here) with no DISPLAY prints one line saying so, then `cfm serve`
 * prints its URL, which answers with the token; SIGTERM to the launcher
 * reaches `cfm serve` once and it shuts down cleanly (exit 0). `--serve`
 * forces the browser UI even with a display, without the notice.
 * Needs `npm run build` first (npm test does it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, waitFor } from './cliHarness.js';

const START = path.join(REPO_ROOT, 'scripts', 'start.mjs');
const URL_LINE = /^CFM Workbench at (http:\/\/127\.0\.0\.1:\d+)\/\?token=([0-9a-f]{32})$/;
const tmp = makeTempDir('start');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  tmp.remove();
});

interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: Record<string, string | undefined>): Started {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CFM_BACKEND: 'wasm', ...env };
  for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'CFM_UI']) if (!(k in env)) delete childEnv[k];
  const child = spawn(process.execPath, [START, ...args], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function urlOf(s: Started): Promise<{ origin: string; token: string; url: string }> {
  const m = await waitFor(
    () => {
      const line = s.stdout().split('\n')[0];
      const match = line === undefined ? null : URL_LINE.exec(line);
      if (match) return match;
      if (s.child.exitCode !== null) throw new Error(`the launcher exited ${s.child.exitCode}: ${s.stderr()}`);
      return undefined;
    },
    'cfm serve to print its URL',
    60_000,
    50,
  );
  return { origin: m[1], token: m[2], url: m[0].slice('CFM Workbench at '.length) };
}

describe('npm start without a display', () => {
  it('says so in one line, then cfm serve prints a URL that answers with its token; SIGTERM stops it cleanly', async () => {
    const db = path.join(tmp.dir, 'nodisplay.sqlite');
    const s = start(['--port', '0'], { CFM_DB: db });
    const { origin, token, url } = await urlOf(s);

    const lines = s.stderr().split('\n');
    expect(lines[0]).toBe('Electron unavailable (no display: DISPLAY and WAYLAND_DISPLAY are not set); starting cfm serve instead');
    expect(s.stderr().match(/Electron unavailable/g)).toHaveLength(1);
    expect(s.stderr()).not.toMatch(/Downloading Electron/);

    const page = await fetch(url, { redirect: 'manual' });
    expect([200, 302, 303]).toContain(page.status);
    const info = await fetch(`${origin}/api/info`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(info.status).toBe(200);
    expect(((await info.json()) as { database: string }).database).toBe(db);
    expect((await fetch(`${origin}/api/info`, { method: 'POST' })).status).toBe(401);

    s.child.kill('SIGTERM');
    const result = await s.exited;
    expect(result, s.stderr()).toEqual({ code: 0, signal: null });
    // forwarded once: one shutdown, not the "again: quit at once" path
    expect(s.stderr().match(/shutting down/g)).toHaveLength(1);
    expect(s.stderr()).toMatch(/^stopped$/m);
  });

  it('--serve opens the browser UI even with a display, without the notice', async () => {
    const s = start(['--serve', '--port', '0'], { CFM_DB: path.join(tmp.dir, 'forced.sqlite'), DISPLAY: ':99' });
    const { origin, token } = await urlOf(s);
    expect(s.stderr()).not.toMatch(/Electron/);
    const settings = await fetch(`${origin}/api/getSettings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(settings.status).toBe(200);
    s.child.kill('SIGINT');
    expect((await s.exited).code).toBe(0);
  });
});
