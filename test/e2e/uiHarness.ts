/**
 * One browser session on a fresh workbench, as every UI test needs it: `cfm
 * serve` as a child process on a temporary database (the built renderer at /),
 * Debian's Chromium driven by playwright-core, and a record of everything that
 * went wrong in the page (script errors, console errors, failed requests other
 * than those a test provokes on purpose and lists in expectedFailures).
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeTempDir, REPO_ROOT, startCfm, waitFor, type CliProcess } from '../integration/cliHarness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** Generous: a 2-core machine trains while the page renders. */
export const UI = 30_000;

export interface UiSession {
  page: Page;
  pageErrors: string[];
  /** Request paths (e.g. '/api/startRun') whose 4xx answers a test provokes on purpose. */
  expectedFailures: Set<string>;
  /** A full-page screenshot at test-artifacts/<prefix><name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface UiOptions {
  /** Temp-dir label, and the screenshots' file prefix after `ui-`. */
  label: string;
  shotPrefix: string;
  height?: number;
  acceptDownloads?: boolean;
}

export async function openWorkbench(o: UiOptions): Promise<UiSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the UI tests need Debian's Chromium; install it with \`sudo apt-get install chromium\``);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const tmp = makeTempDir(o.label);
  // CFM_E2E_STATIC: serve another renderer build than dist/renderer (parallel work on one checkout).
  const staticDir = process.env.CFM_E2E_STATIC;
  const args = ['serve', '--port', '0', '--json', ...(staticDir ? ['--static', staticDir] : [])];
  const serve: CliProcess = startCfm(path.join(tmp.dir, 'workbench.sqlite'), args, { timeoutMs: 120_000 });
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    if (serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    tmp.remove();
  };
  try {
    const started = await waitFor(
      () => {
        const line = serve.stdout().split('\n').find((l) => l.startsWith('{'));
        if (line) return JSON.parse(line) as { url: string };
        if (serve.child.exitCode !== null) throw new Error(`cfm serve exited: ${serve.stderr()}`);
        return undefined;
      },
      'cfm serve to print its URL',
      60_000,
      50,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({
      viewport: { width: 1280, height: o.height ?? 800 },
      colorScheme: 'light',
      ...(o.acceptDownloads ? { acceptDownloads: true } : {}),
    });
    const pageErrors: string[] = [];
    const expectedFailures = new Set<string>();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // A failed request is logged by the browser too; those are judged by their URL below.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      const where = new URL(r.url()).pathname;
      if (r.status() >= 400 && !expectedFailures.has(where)) pageErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    await page.goto(started.url);
    const shot = async (name: string): Promise<void> => {
      await page.screenshot({ path: path.join(ARTIFACTS, `ui-${o.shotPrefix}${name}.png`), fullPage: true });
    };
    return { page, pageErrors, expectedFailures, shot, close };
  } catch (e) {
    await close();
    throw e;
  }
}
