/**
 * The Run view's flow panel end to end, in Debian's Chromium against a real
 * `cfm serve` (the harness of ui.runs.test.ts): a 2-D run started through
 * window.workbench shows generated samples over its data as snapshots
 * arrive, the trajectories follow the t slider and the Play button, the
 * vector field switches time, "Save PNG" downloads a PNG, and once the run
 * has completed a fresh page draws the same panel from the checkpoint.
 * Screenshots go to test-artifacts/ui-flow-*.png (look at them).
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView, WorkbenchBridge } from '../../app/contract.js';
import { openWorkbench, UI, type UiSession } from './uiHarness.js';

const DATA_POINTS = 2000; // the dataset drawn under the samples
let runId = 0;
let ui: UiSession;
let page: Page;
let pageErrors: string[];
let expectedFailures: Set<string>;
let shot: (name: string) => Promise<void>;

const count = async (testid: string, what: 'points' | 'paths' | 'arrows'): Promise<number> =>
  Number(await page.getByTestId(testid).getAttribute(`data-${what}`));

beforeAll(async () => {
  ui = await openWorkbench({ label: 'ui-flow', shotPrefix: 'flow-', height: 900, acceptDownloads: true });
  ({ page, pageErrors, expectedFailures, shot } = ui);
});

afterAll(async () => {
  await ui?.close();
});

describe('the flow panel of the Run view in Chromium against cfm serve', () => {
  it('a training 2-D run shows generated samples drawn over its data, and arrows of the vector field, from live snapshots', async () => {
    const run = await page.evaluate(() =>
      (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.startRun({ config: { steps: 300, batch: 64, width: 16, method: 'icfm' } }),
    );
    runId = (run as RunView).id;
    await page.evaluate((id) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#/runs/${id}`;
    }, runId);
    await page.getByTestId('flow-panel').waitFor({ timeout: UI });
    // 2,000 data points, plus the 1,000 generated ones once a snapshot (or the checkpoint) has come.
    await expect.poll(() => count('flow-samples', 'points'), { timeout: 60_000, interval: 100 }).toBeGreaterThan(DATA_POINTS);
    expect(await page.getByTestId('flow-caption').innerText()).toMatch(/^Live snapshot at step \d+/);
    await expect.poll(() => count('flow-field', 'arrows'), { timeout: UI }).toBe(20 * 20);
    expect(await count('flow-paths', 'paths')).toBe(30);
    await shot('live');
  });

  it('the t slider moves the trajectories, and Play sweeps t from 0 to 1', async () => {
    const slider = page.getByTestId('flow-t');
    const value = page.getByTestId('flow-t-value');
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => value.innerText(), { timeout: UI }).toBe('0.00');
    await slider.fill('0.5');
    await expect.poll(() => value.innerText(), { timeout: UI }).toBe('0.50');
    expect(await page.getByTestId('flow-paths').locator('xpath=..').getAttribute('aria-label')).toMatch(/t = 0\.50/);
    await shot('t-half');

    await page.getByTestId('flow-play').click();
    // Play restarts from 0 only at the end; from 0.5 it carries on to 1 and stops there.
    await expect.poll(async () => Number(await value.innerText()), { timeout: UI, interval: 50 }).toBeGreaterThan(0.5);
    await expect.poll(() => value.innerText(), { timeout: UI }).toBe('1.00');
    // The button turns back to Play once the animation has stopped (a frame after t reaches 1).
    await expect.poll(() => page.getByTestId('flow-play').innerText(), { timeout: UI }).toBe('Play');
  });

  it('the field time buttons switch the arrows between t = 0, 0.5 and 1', async () => {
    const field = page.getByTestId('flow-field');
    const times = page.getByRole('radiogroup', { name: 'Field time' });
    await times.getByRole('radio', { name: 't = 1' }).click();
    await expect.poll(() => times.getByRole('radio', { name: 't = 1' }).getAttribute('aria-checked'), { timeout: UI }).toBe('true');
    expect(await field.locator('xpath=..').getAttribute('aria-label')).toMatch(/t = 1$/);
    expect(await count('flow-field', 'arrows')).toBe(400);
  });

  it('"Save PNG" downloads the picture as a PNG file named after the run and step', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId('flow-samples-png').click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^run-${runId}-step-\\d+-samples\\.png$`));
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(1000);
  });

  it('after the run completes, a fresh page draws the panel from the final checkpoint', async () => {
    await page.locator('.view-head [data-status="completed"]').waitFor({ timeout: 90_000 });
    await page.reload();
    await page.getByTestId('flow-panel').waitFor({ timeout: UI });
    await expect.poll(() => page.getByTestId('flow-caption').innerText(), { timeout: 60_000 }).toMatch(/checkpoint at step 300/);
    await expect.poll(() => count('flow-samples', 'points'), { timeout: UI }).toBe(DATA_POINTS + 1000);
    await expect.poll(() => count('flow-field', 'arrows'), { timeout: UI }).toBe(400);
    expect(await count('flow-paths', 'paths')).toBe(30);
    await shot('completed');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(100);
    await shot('completed-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('nothing went wrong in the page: no script errors, no CSP violations, no failed requests', () => {
    expect(pageErrors).toEqual([]);
  });
});
