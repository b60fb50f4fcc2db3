/**
 * The live Run view end to end, in Debian's Chromium against a real `cfm
 * serve` (test/e2e/uiHarness.ts): a long run started through window.workbench
 * fills its loss curve and its samples live; the smoothing slider and the
 * step / training-time / wall-clock axis change what the chart draws; Cancel stops it with
 * the curve kept, Resume carries on from the step it stopped at (not from 0);
 * Evaluate adds a row to the evaluations table; the metrics, evaluations and
 * samples export as CSV files of numbers; a completed short run draws its
 * density heatmap on request; a run on 3-column data draws its samples and
 * trajectories through one projection (PCA or two columns) and says why the
 * field and the density are 2-D only; a broken event stream makes the view reload.
 * The page never asks for samples before a checkpoint exists (no 409s).
 * Screenshots go to test-artifacts/ui-live-*.png, light and dark (look at them).
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView, WorkbenchBridge } from '../../app/contract.js';
import { openWorkbench, UI, type UiSession } from './uiHarness.js';

/** Long enough to still be training while the test acts on it. */
const LONG_STEPS = 20_000;
const SHORT_STEPS = 300;
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let ui: UiSession;
let page: Page;
let pageErrors: string[];
let shot: (name: string) => Promise<void>;
let longRun = 0;
let stoppedAt = 0;

const chart = () => page.getByTestId('loss-chart');
const attr = async (testid: string, name: string): Promise<string> => (await page.getByTestId(testid).getAttribute(name)) ?? '';
const num = async (testid: string, name: string): Promise<number> => Number(await attr(testid, name));
const status = () => page.locator('.view-head [data-status]').getAttribute('data-status');

async function startRun(config: Record<string, unknown>): Promise<number> {
  const run = await page.evaluate((c) => (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.startRun({ config: c }), config);
  return (run as RunView).id;
}

async function open(id: number): Promise<void> {
  await page.evaluate((i) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = `#/runs/${i}`;
  }, id);
  await page.locator('.view-head').waitFor({ timeout: UI });
}

/** Both themes of the current state. */
async function shots(name: string): Promise<void> {
  await shot(name);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(150); // a frame for the canvases to redraw in the new theme
  await shot(`${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(150);
}

async function download(click: () => Promise<void>): Promise<Download> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: UI }), click()]);
  return d;
}

/** A downloaded CSV's header and data rows. */
async function csvRows(d: Download): Promise<{ header: string[]; rows: string[][] }> {
  const lines = readFileSync(await d.path(), 'utf8').trimEnd().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

const isNumber = (cell: string): boolean => cell.trim() !== '' && Number.isFinite(Number(cell));

beforeAll(async () => {
  ui = await openWorkbench({ label: 'ui-live', shotPrefix: 'live-', height: 1000, acceptDownloads: true });
  ({ page, pageErrors, shot } = ui);
});

afterAll(async () => {
  await ui?.close();
});

describe('the live Run view in Chromium against cfm serve', () => {
  it('a training run fills its loss curve and its samples live, with steps/s, ETA and the backend in the progress line', async () => {
    longRun = await startRun({ steps: LONG_STEPS, batch: 64, width: 16, method: 'icfm' });
    await open(longRun);
    await expect.poll(() => num('loss-chart', 'data-points'), { timeout: 60_000, interval: 100 }).toBeGreaterThan(5);
    const first = await num('loss-chart', 'data-points');
    await expect.poll(() => num('loss-chart', 'data-points'), { timeout: UI, interval: 100 }).toBeGreaterThan(first);
    // Samples: a live snapshot, then a later one.
    const caption = page.getByTestId('flow-caption');
    await expect.poll(() => caption.innerText(), { timeout: 60_000 }).toMatch(/^Live snapshot at step \d+/);
    const snapStep = async (): Promise<number> => Number(/step ([\d,]+)/.exec(await caption.innerText())![1]!.replaceAll(',', ''));
    const firstSnap = await snapStep();
    await expect.poll(snapStep, { timeout: 60_000, interval: 200 }).toBeGreaterThan(firstSnap);
    expect(await num('flow-samples', 'data-points')).toBeGreaterThan(2000);

    const info = await page.evaluate(() => (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.info({}));
    await expect.poll(() => page.getByTestId('run-backend').innerText(), { timeout: UI }).toBe(info.backend.name);
    await expect.poll(async () => Number(await page.getByTestId('steps-per-second').innerText()), { timeout: UI }).toBeGreaterThan(0);
    expect(await page.getByTestId('eta').innerText()).toMatch(/\d+(\.\d)? s|min|h/);
    await shots('running');
  });

  it('after the event stream breaks and comes back, the view reloads and stays live', async () => {
    // The first event stream of the reloaded page ends at once; the browser reconnects (retry: 300 ms)
    // to the real one, and the bridge tells the views to resync.
    let streams = 0;
    await page.route('**/api/events', async (route) => {
      streams++;
      if (streams === 1) await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: 'retry: 300\n\n' });
      else await route.continue();
    });
    await page.reload();
    await page.locator('.view-head').waitFor({ timeout: UI });
    await expect.poll(() => num('run-view', 'data-resyncs'), { timeout: UI }).toBeGreaterThan(0);
    expect(streams).toBeGreaterThanOrEqual(2);
    await expect.poll(status, { timeout: UI }).toBe('running');
    // Events flow again: the curve grows from the reloaded series.
    await expect.poll(() => num('loss-chart', 'data-points'), { timeout: UI, interval: 100 }).toBeGreaterThan(5);
    const after = await num('loss-chart', 'data-last-step');
    await expect.poll(() => num('loss-chart', 'data-last-step'), { timeout: UI, interval: 100 }).toBeGreaterThan(after);
    await page.unroute('**/api/events');
  });

  it('the smoothing slider redraws the smoothed line: 0 is the raw data, 0.95 is not', async () => {
    const slider = page.getByTestId('loss-smoothing');
    expect(await slider.inputValue()).toBe('0.6');
    expect(await attr('loss-chart', 'data-smoothing')).toBe('0.6');
    /** The chart's last raw and smoothed values, read in one go (live appends move both). */
    const ends = () =>
      chart().evaluate((c) => ({ w: c.dataset.smoothing, raw: Number(c.dataset.rawLast), smooth: Number(c.dataset.smoothedLast) }));
    await slider.fill('0');
    await expect.poll(async () => (await ends()).w, { timeout: UI }).toBe('0');
    const flat = await ends();
    expect(flat.smooth).toBe(flat.raw);
    await slider.fill('0.95');
    await expect.poll(async () => (await ends()).w, { timeout: UI }).toBe('0.95');
    const smooth = await ends();
    expect(smooth.smooth).not.toBe(smooth.raw);
    expect(smooth.smooth).toBeGreaterThan(0);
    expect(await page.getByTestId('loss-smoothing-value').innerText()).toBe('0.95');
  });

  it('the x axis switches to training time in seconds and back to steps', async () => {
    await page.getByTestId('loss-x-time').click();
    await expect.poll(() => attr('loss-chart', 'data-x-axis'), { timeout: UI }).toBe('time');
    const lastX = await num('loss-chart', 'data-last-x');
    const lastStep = await num('loss-chart', 'data-last-step');
    expect(lastX).toBeGreaterThan(0);
    expect(lastX).toBeLessThan(lastStep); // seconds, not steps: this run trains many steps a second
    expect(await page.getByTestId('loss-x-time').getAttribute('aria-checked')).toBe('true');
    await shot('time-axis');

    // Wall clock: the time of day each point was logged, ticked and labelled as clock times.
    const detail = await page.evaluate((id) => (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.getRun({ run: id }), longRun);
    await page.getByTestId('loss-x-wall').click();
    await expect.poll(() => attr('loss-chart', 'data-x-axis'), { timeout: UI }).toBe('wall');
    expect(await page.getByTestId('loss-x-wall').getAttribute('aria-checked')).toBe('true');
    const wallX = await num('loss-chart', 'data-last-x');
    const now = await page.evaluate(() => Date.now());
    expect(wallX).toBeGreaterThanOrEqual(detail.startedAt! - 1000); // ms since 1970, after the run started...
    expect(wallX).toBeLessThanOrEqual(now + 1000); // ...and not in the future
    // Every tick label is a clock time (HH:MM or HH:MM:SS), with the date where the day changes.
    await expect.poll(() => attr('loss-chart', 'data-x-ticks'), { timeout: UI }).toMatch(/\d\d:\d\d/);
    const labels = (await attr('loss-chart', 'data-x-ticks')).split(' | ');
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (const l of labels) expect(l).toMatch(/^\d\d:\d\d(:\d\d(\.\d)?)?( [A-Z][a-z]{2} \d{1,2})?$/);
    expect(await attr('loss-chart', 'data-x-title')).toMatch(/^wall clock \(local time, pauses included\), \d{4}-\d\d-\d\d/);
    await shot('wall-axis');
    // Back to training time for the resume check below.
    await page.getByTestId('loss-x-time').click();
    await expect.poll(() => attr('loss-chart', 'data-x-axis'), { timeout: UI }).toBe('time');
  });

  it('Cancel stops the run and keeps its curve; Resume carries on from the step it stopped at', async () => {
    await page.getByTestId('cancel').click();
    await expect.poll(status, { timeout: 60_000 }).toBe('cancelled');
    stoppedAt = await num('step', 'data-step');
    expect(stoppedAt).toBeGreaterThan(0);
    // The curve stays, reloaded from the store up to the step the run stopped at.
    await expect.poll(() => num('loss-chart', 'data-last-step'), { timeout: UI }).toBe(stoppedAt);
    expect(await num('loss-chart', 'data-points')).toBeGreaterThan(5);
    const xBefore = await num('loss-chart', 'data-last-x');
    await expect.poll(() => page.getByTestId('resume').isEnabled(), { timeout: UI }).toBe(true);
    await shots('cancelled');

    await page.getByTestId('resume').click();
    await expect.poll(status, { timeout: 60_000 }).toBe('running');
    await expect.poll(() => num('loss-chart', 'data-last-step'), { timeout: 60_000, interval: 100 }).toBeGreaterThan(stoppedAt);
    // The step carried on from where it stopped: never below it, and past it now.
    expect(await num('step', 'data-step')).toBeGreaterThan(stoppedAt);
    // Stored buckets (at most 1,500) plus the live points since: the curve was not restarted.
    expect(await num('loss-chart', 'data-points')).toBeGreaterThan(Math.min(stoppedAt, 1500));
    // Training time carries on too, from where the curve stopped.
    expect(await num('loss-chart', 'data-last-x')).toBeGreaterThan(xBefore);
    await page.getByTestId('loss-x-step').click();
    await expect.poll(() => attr('loss-chart', 'data-x-axis'), { timeout: UI }).toBe('step');
    await shot('resumed');

    await page.getByTestId('cancel').click();
    await expect.poll(status, { timeout: 60_000 }).toBe('cancelled');
  });

  it('Evaluate adds a row to the evaluations table', async () => {
    const panel = page.getByTestId('evaluations-panel');
    expect(await panel.getAttribute('data-rows')).toBe('0');
    await page.getByTestId('evaluate').click();
    await expect.poll(() => panel.getAttribute('data-rows'), { timeout: 60_000 }).toBe('1');
    const cells = await page.getByTestId('evaluations-table').locator('tbody tr').first().locator('td').allInnerTexts();
    expect(Number(cells[0]!.replaceAll(',', ''))).toBeGreaterThanOrEqual(stoppedAt); // the checkpoint it scored
    expect(cells[1]).toBe('dopri5');
    expect(cells[2]).toBe('1,000');
    await shots('evaluated');
  });

  it('metrics, evaluations and generated samples export as CSV files of numbers', async () => {
    const metrics = await csvRows(await download(() => page.getByTestId('metrics-csv').click()));
    expect(metrics.header).toEqual(['metric', 'step', 'wall_time_ms', 'value', 'min', 'max']);
    const loss = metrics.rows.filter((r) => r[0] === 'loss');
    expect(loss.length).toBeGreaterThan(stoppedAt / 2);
    for (const r of metrics.rows) expect(r.slice(1).every(isNumber), r.join(',')).toBe(true);
    expect(new Set(metrics.rows.map((r) => r[0]))).toContain('val_loss');

    const evals = await csvRows(await download(() => page.getByTestId('evaluations-csv').click()));
    expect(evals.header.slice(0, 8)).toEqual(['evaluation', 'created_at_ms', 'checkpoint_step', 'solver', 'steps', 'n', 'seed', 'nfe']);
    expect(evals.header).toContain('w2');
    expect(evals.rows).toHaveLength(1);
    const w2 = evals.rows[0]![evals.header.indexOf('w2')]!;
    expect(isNumber(w2) && Number(w2) > 0).toBe(true);

    const samplesDownload = await download(() => page.getByTestId('flow-samples-csv').click());
    expect(samplesDownload.suggestedFilename()).toMatch(new RegExp(`^run-${longRun}-step-\\d+-samples\\.csv$`));
    const samples = await csvRows(samplesDownload);
    expect(samples.header).toEqual(['x0', 'x1']);
    expect(samples.rows).toHaveLength(1000);
    for (const r of samples.rows) expect(r.every(isNumber)).toBe(true);

    const png = await download(() => page.getByTestId('loss-png').click());
    expect(png.suggestedFilename()).toBe(`run-${longRun}-loss.png`);
    expect([...readFileSync(await png.path()).subarray(0, 8)]).toEqual(PNG_MAGIC);
  });

  it('a completed short run draws log q(x) as a heatmap with its colour scale on request', async () => {
    const id = await startRun({ steps: SHORT_STEPS, batch: 64, width: 16, method: 'icfm' });
    await open(id);
    await expect.poll(status, { timeout: 90_000 }).toBe('completed');
    const panel = page.getByTestId('density-panel');
    const compute = page.getByTestId('density-compute');
    await expect.poll(() => compute.isEnabled(), { timeout: UI }).toBe(true);
    await compute.click();
    await expect.poll(() => panel.getAttribute('data-grid'), { timeout: 60_000 }).toBe('40');
    const [min, max, lo, hi] = await Promise.all(['data-min', 'data-max', 'data-lo', 'data-hi'].map(async (a) => Number(await panel.getAttribute(a))));
    for (const v of [min, max, lo, hi]) expect(Number.isFinite(v)).toBe(true);
    expect(max).toBeGreaterThan(min);
    expect(lo).toBeGreaterThanOrEqual(min);
    expect(hi).toBe(max);
    await expect.poll(() => num('density-plot', 'data-cells'), { timeout: UI }).toBe(40 * 40);
    expect(await num('density-plot', 'data-points')).toBe(2000); // the data laid over it
    expect(await page.getByTestId('density-caption').innerText()).toMatch(/40 × 40/);
    await page.locator('[data-testid="evaluations-panel"]').scrollIntoViewIfNeeded();
    await shots('density');
    const png = await download(() => page.getByTestId('density-plot-png').click());
    expect([...readFileSync(await png.path()).subarray(0, 8)]).toEqual(PNG_MAGIC);
    await page.getByTestId('density-show-data').uncheck();
    await expect.poll(() => num('density-plot', 'data-points'), { timeout: UI }).toBe(0);
  });

  it('a run on 3-column data draws samples and trajectories through one projection, PCA or two columns; field and density say they need 2-D data', async () => {
    // A helix: x = 2 cos th, y = 2 sin th, z = th / 2 over three turns (240 rows, a header line).
    const rows = Array.from({ length: 240 }, (_, k) => {
      const th = (6 * Math.PI * k) / 240;
      return `${(2 * Math.cos(th)).toFixed(4)},${(2 * Math.sin(th)).toFixed(4)},${(th / 2).toFixed(4)}`;
    });
    const csv = ['a,b,c', ...rows].join('\n');
    const imported = await page.evaluate(
      (text) =>
        (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.importDataset({
          name: 'helix3',
          fileName: 'helix3.csv',
          content: new TextEncoder().encode(text),
          seed: 0,
        }),
      csv,
    );
    expect(imported.dim).toBe(3);
    const id = await startRun({ dataset: 'helix3', steps: 200, batch: 64, width: 16 });
    await open(id);
    await expect.poll(status, { timeout: 90_000 }).toBe('completed');
    const note = page.getByTestId('flow-projection');
    // PCA by default: data (the dataset's preview points) + 1,000 samples, and 30 trajectories.
    await expect.poll(() => note.innerText(), { timeout: 60_000 }).toMatch(/^d = 3 · x: PC1 \(\d+% of variance\) · y: PC2 \(\d+% of variance\) \(PCA of the dataset's points/);
    // The last picture: the final snapshot, or the final checkpoint (the same weights).
    await expect.poll(() => page.getByTestId('flow-caption').innerText(), { timeout: 60_000 }).toMatch(/^(Live snapshot|From the checkpoint) at step 200\b/);
    await expect.poll(() => num('flow-samples', 'data-points'), { timeout: UI }).toBeGreaterThan(1000);
    await expect.poll(() => num('flow-paths', 'data-paths'), { timeout: UI }).toBe(30);
    expect(await num('flow-paths', 'data-points')).toBeGreaterThan(0);
    expect(await page.getByTestId('flow-proj-pca').isChecked()).toBe(true);
    expect(await page.getByTestId('flow-samples').locator('xpath=..').getAttribute('aria-label')).toMatch(/x: PC1/);
    // No field for d = 3, and no density: both say why.
    expect(await page.getByTestId('flow-field-section').innerText()).toMatch(/The vector field needs 2-D data/);
    await expect.poll(() => page.getByTestId('density-note').innerText(), { timeout: UI }).toMatch(/needs 2-D data: this run's data has d = 3/);
    expect(await page.getByTestId('density-compute').isDisabled()).toBe(true);
    await page.getByTestId('flow-panel').scrollIntoViewIfNeeded();
    await shots('helix3-pca');
    // Two columns instead: x0 against x2 (the helix from the side), the same columns for every cloud.
    const pointsBefore = await num('flow-samples', 'data-points');
    await page.getByTestId('flow-proj-pca').uncheck();
    await page.getByTestId('flow-proj-y').selectOption('2');
    await expect.poll(() => note.innerText(), { timeout: UI }).toMatch(/^d = 3 · x: x0 · y: x2/);
    await expect.poll(() => num('flow-samples', 'data-points'), { timeout: UI }).toBe(pointsBefore);
    expect(await num('flow-paths', 'data-paths')).toBe(30);
    expect(await page.getByTestId('flow-paths').locator('xpath=..').getAttribute('aria-label')).toMatch(/x: x0 · y: x2/);
    await shot('helix3-columns');
  });

  it('nothing went wrong in the page: no script errors, no failed requests (no 409 for samples before a checkpoint)', () => {
    expect(pageErrors).toEqual([]);
  });
});
