/**
 * Frame times of the real renderer in Debian's Chromium (the quality
 * bar: live updates never freeze the page). Three scenes, each measured over a
 * window of interaction (every slider on the page stepped by the keyboard and
 * the mouse swept across the loss chart, as a user scrubbing and reading):
 *
 *   flow 10k      the run view's flow panel with 10,000 generated points and
 *                 1,000 trajectories, a new snapshot of that size 5 times a second
 *   curve 100k    the loss chart holding 100,000 points and growing by 1,000
 *                 progress events a second (worst case: the real service sends
 *                 1,500 downsampled points, then at most 10 events a second)
 *   live run      a real run training at full speed under `cfm serve` on this
 *                 machine, its page open (progress, snapshots, the trainer
 *                 competing for the same cores)
 *
 * The first two use a stand-in window.workbench (fakeWorkbench.ts) so the
 * sizes are exact; the renderer code is the built one, unchanged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import type { WorkbenchBridge } from '../../app/contract.js';
import { installFakeWorkbench, type FakeOptions, type StreamOptions } from './fakeWorkbench.js';
import { runChartJsScene } from './chartjsScene.js';
import { startFrameRecorder, summariseFrames, type FrameStats } from './frames.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface UiScene {
  name: string;
  what: string;
  frames: FrameStats;
  /** A comparison, not one of the workbench's views (left out of the smoothness goal). */
  reference?: boolean;
}

export type UiOutcome = { ok: true; scenes: UiScene[] } | { ok: false; reason: string };

async function startServe(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cfm.js'), '--db', db, 'serve', '--port', '0', '--json'], {
    env: { ...process.env, CFM_BACKEND: process.env.CFM_BACKEND ?? 'wasm' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (s: Buffer) => (err += s.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cfm serve did not start in 60 s: ${err}`)), 60_000);
    child.stdout!.on('data', (s: Buffer) => {
      out += s.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.on('exit', () => reject(new Error(`cfm serve exited: ${err}`)));
  });
  return { child, url };
}

/** Steps every slider and sweeps the mouse over the first canvas, until `seconds` pass. */
async function interact(page: Page, seconds: number): Promise<void> {
  const end = Date.now() + 1000 * seconds;
  const sliders = page.locator('input[type=range]');
  const canvas = page.locator('canvas').first();
  const box = await canvas.boundingBox();
  let k = 0;
  while (Date.now() < end) {
    const n = await sliders.count();
    for (let i = 0; i < n; i++) await sliders.nth(i).press(k % 40 < 20 ? 'ArrowRight' : 'ArrowLeft');
    if (box) await page.mouse.move(box.x + ((k * 37) % Math.max(1, box.width)), box.y + box.height / 2);
    k++;
    await page.waitForTimeout(30);
  }
}

async function measure(page: Page, seconds: number): Promise<FrameStats> {
  await page.evaluate(startFrameRecorder);
  await interact(page, seconds);
  const raw = await page.evaluate(() => (globalThis as unknown as { __benchStop: () => { gaps: number[]; long: number[]; seconds: number } }).__benchStop());
  return summariseFrames(raw);
}

export async function benchUi(seconds: number, progress: (msg: string) => void): Promise<UiOutcome> {
  if (!existsSync(CHROMIUM)) return { ok: false, reason: `${CHROMIUM} missing (apt-get install chromium)` };
  if (!existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html'))) return { ok: false, reason: 'dist/renderer missing (npm run build)' };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cfm-bench-ui-'));
  const serve = await startServe(path.join(tmp, 'bench.sqlite'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const scenes: UiScene[] = [];
  try {
    const fake = async (name: string, what: string, o: FakeOptions, s: StreamOptions): Promise<void> => {
      progress(`ui: ${name}`);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.addInitScript(installFakeWorkbench, o);
      await page.goto(`${serve.url.split('#')[0]}#/runs/1`);
      await page.waitForSelector('canvas');
      await page.waitForTimeout(1000);
      await page.evaluate((opts) => (globalThis as unknown as { __benchStream: (x: StreamOptions) => void }).__benchStream(opts), s);
      await page.waitForTimeout(500);
      scenes.push({ name, what, frames: await measure(page, seconds) });
      await page.close();
    };
    await fake(
      'flow 10k',
      '10,000 points + 1,000 trajectories, 5 snapshots/s',
      { points: 10_000, trajectories: 1000, trajectoryTimes: 21, seriesPoints: 1500 },
      { progressPerSecond: 10, snapshotsPerSecond: 5 },
    );
    await fake(
      'curve 100k',
      '100,000-point loss curve + 1,000 progress events/s',
      { points: 1000, trajectories: 30, trajectoryTimes: 21, seriesPoints: 100_000 },
      { progressPerSecond: 1000, snapshotsPerSecond: 0 },
    );

    progress('ui: chart.js 10k');
    {
      // The road not taken, measured: the flow panel's picture drawn by Chart.js.
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ path: path.join(ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js') });
      await page.evaluate(runChartJsScene, { points: 10_000, trajectories: 1000, times: 21, snapshotsPerSecond: 5 });
      await page.waitForTimeout(1000);
      scenes.push({ name: 'chart.js 10k', what: 'the flow 10k picture drawn by Chart.js instead (scatter + 1,000 line datasets), for comparison', frames: await measure(page, seconds), reference: true });
      await page.close();
    }

    progress('ui: live run');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(serve.url);
    await page.waitForFunction(() => 'workbench' in globalThis);
    const run = await page.evaluate(() =>
      (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.startRun({ config: { dataset: 'moons', method: 'otcfm', steps: 200_000, batch: 256 }, name: 'bench live' }),
    );
    await page.goto(`${serve.url.split('#')[0]}#/runs/${run.id}`);
    await page.waitForSelector('canvas');
    await page.waitForTimeout(3000); // the trainer starts and the first snapshot lands
    scenes.push({ name: 'live run', what: 'a real otcfm run at full speed, page open', frames: await measure(page, seconds) });
    await page.evaluate((id) => (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.cancelRun({ run: id }), run.id);
    await page.close();
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    await browser.close();
    serve.child.kill('SIGTERM');
    await new Promise((r) => serve.child.once('exit', r));
    rmSync(tmp, { recursive: true, force: true });
  }
  return { ok: true, scenes };
}

export function formatUi(o: UiOutcome): string {
  if (!o.ok) return `UI frame times: not measured (${o.reason})`;
  const rows = o.scenes.map(
    (s) =>
      `  ${s.name.padEnd(12)} ${s.frames.fps.toFixed(0).padStart(4)} fps  p50 ${s.frames.p50Ms.toFixed(1).padStart(5)}  p95 ${s.frames.p95Ms.toFixed(1).padStart(5)}  p99 ${s.frames.p99Ms.toFixed(1).padStart(6)}  max ${s.frames.maxMs.toFixed(0).padStart(5)} ms  stutters ${String(s.frames.stutters).padStart(3)}  long tasks ${String(s.frames.longTasks).padStart(3)} (${s.frames.longTaskMs.toFixed(0)} ms)   ${s.what}`,
  );
  return ['UI frame times in Chromium (rAF gaps while scrubbing sliders and sweeping the chart; 16.7 ms = 60 fps, stutter = gap >= 50 ms):', ...rows].join('\n');
}
