/**
 * The Run view's flow panel end to end, in Debian's Chromium against a real
 * `cfm serve` (the harness of ui.runs.test.ts): a 2-D run started through
 * window.workbench shows generated samples over its data as snapshots
 * arrive, the trajectories follow the t slider and the Play button, the
 * vector field follows the slider (while training: the nearest snapshot time,
 * said in its caption), "Save PNG" downloads a PNG; a cancelled run, and a
 * completed one on a fresh page, draw the field from the checkpoint at the
 * slider's own t, and draw the rest from the final checkpoint.
 * Screenshots go to test-artifacts/ui-flow-*.png (look at them).
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView, WorkbenchBridge } from '../../app/contract.js';
import { openWorkbench, UI, type UiSession } from './uiHarness.js';

const DATA_POINTS = 2000; // the dataset drawn under the samples
/** Long enough to still be training while the live tests act on it; cancelled after them. */
const LONG_STEPS = 20_000;
let runId = 0;
let ui: UiSession;
let page: Page;
let pageErrors: string[];
let expectedFailures: Set<string>;
let shot: (name: string) => Promise<void>;

const count = async (testid: string, what: 'points' | 'paths' | 'arrows'): Promise<number> =>
  Number(await page.getByTestId(testid).getAttribute(`data-${what}`));
const fieldSection = () => page.getByTestId('flow-field-section');
const fieldCaption = () => page.getByTestId('flow-field-caption').innerText();
/** The field drawn: its t, where it came from, and its mean arrow length (tells two fields apart). */
const fieldState = async (): Promise<{ t: number; source: string; speed: number }> => {
  const s = fieldSection();
  const [t, source, speed] = await Promise.all([s.getAttribute('data-field-t'), s.getAttribute('data-field-source'), s.getAttribute('data-field-speed')]);
  return { t: Number(t), source: source ?? '', speed: Number(speed) };
};
/** Sets the t slider through its keyboard-reachable input. */
async function setT(value: number): Promise<void> {
  await page.getByTestId('flow-t').fill(String(value));
  await expect.poll(() => page.getByTestId('flow-t-value').innerText(), { timeout: UI }).toBe(value.toFixed(2));
}

beforeAll(async () => {
  ui = await openWorkbench({ label: 'ui-flow', shotPrefix: 'flow-', height: 900, acceptDownloads: true });
  ({ page, pageErrors, expectedFailures, shot } = ui);
});

afterAll(async () => {
  await ui?.close();
});

describe('the flow panel of the Run view in Chromium against cfm serve', () => {
  it('a training 2-D run shows generated samples drawn over its data, and arrows of the vector field, from live snapshots', async () => {
    const run = await page.evaluate(
      (steps) => (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.startRun({ config: { steps, batch: 64, width: 16, method: 'icfm' } }),
      LONG_STEPS,
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

  it('while training, the field is drawn at the snapshot time nearest the slider, and the caption says so', async () => {
    await setT(0.3);
    await expect.poll(fieldCaption, { timeout: UI }).toBe('at t = 0.5 (nearest snapshot time)');
    expect(await fieldState()).toMatchObject({ t: 0.5, source: 'snapshot' });
    await setT(0.1);
    await expect.poll(fieldCaption, { timeout: UI }).toBe('at t = 0 (nearest snapshot time)');
    // The quick buttons set the slider itself: trajectories and field go to t = 1 together.
    await page.getByRole('group', { name: 'Field time' }).getByRole('button', { name: 't = 1' }).click();
    await expect.poll(() => page.getByTestId('flow-t-value').innerText(), { timeout: UI }).toBe('1.00');
    await expect.poll(fieldCaption, { timeout: UI }).toBe('at t = 1');
    expect(await page.getByRole('group', { name: 'Field time' }).getByRole('button', { name: 't = 1' }).getAttribute('aria-pressed')).toBe('true');
    expect(await count('flow-field', 'arrows')).toBe(400);
    await setT(0.3);
    await shot('live-field-nearest');
  });

  it('"Save PNG" downloads the picture as a PNG file named after the run and step', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId('flow-samples-png').click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^run-${runId}-step-\\d+-samples\\.png$`));
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(1000);
  });

  it('a cancelled run draws the field from its checkpoint at the slider\'s own t, cached per t', async () => {
    await page.getByTestId('cancel').click();
    await page.locator('.view-head [data-status="cancelled"]').waitFor({ timeout: 60_000 });
    // The slider stayed at 0.3: now the field is asked for at 0.3 itself, from the last checkpoint.
    const detail = await page.evaluate((id) => (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.getRun({ run: id }), runId);
    const last = Math.max(...detail.checkpoints.map((c) => c.step));
    const captionStep = async (): Promise<number> => Number(/checkpoint at step ([\d,]+)$/.exec(await fieldCaption())?.[1]?.replaceAll(',', '') ?? NaN);
    await expect.poll(captionStep, { timeout: 60_000 }).toBe(last);
    expect(await fieldState()).toMatchObject({ t: 0.3, source: 'checkpoint' });
    expect(await fieldCaption()).toMatch(/^at t = 0\.3, checkpoint at step [\d,]+$/);
    const at03 = (await fieldState()).speed;
    await setT(0.9);
    await expect.poll(async () => (await fieldState()).t, { timeout: UI }).toBe(0.9);
    const at09 = (await fieldState()).speed;
    expect(at09).not.toBe(at03); // other arrows
    expect(await count('flow-field', 'arrows')).toBe(400);
    // Back to 0.3: the cached field, the same arrows.
    await setT(0.3);
    await expect.poll(async () => (await fieldState()).t, { timeout: UI }).toBe(0.3);
    expect((await fieldState()).speed).toBe(at03);
    await shot('cancelled-field');
  });

  it('after a short run completes, a fresh page draws the panel from the final checkpoint, the field at the slider\'s t', async () => {
    const run = await page.evaluate(() =>
      (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.startRun({ config: { steps: 300, batch: 64, width: 16, method: 'icfm' } }),
    );
    runId = (run as RunView).id;
    await page.evaluate((id) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#/runs/${id}`;
    }, runId);
    await page.locator('.view-head [data-status="completed"]').waitFor({ timeout: 90_000 });
    await page.reload();
    await page.getByTestId('flow-panel').waitFor({ timeout: UI });
    await expect.poll(() => page.getByTestId('flow-caption').innerText(), { timeout: 60_000 }).toMatch(/checkpoint at step 300/);
    await expect.poll(() => count('flow-samples', 'points'), { timeout: UI }).toBe(DATA_POINTS + 1000);
    await expect.poll(() => count('flow-field', 'arrows'), { timeout: UI }).toBe(400);
    expect(await count('flow-paths', 'paths')).toBe(30);
    // A fresh page opens at t = 1; the field is computed there.
    await expect.poll(fieldCaption, { timeout: UI }).toBe('at t = 1, checkpoint at step 300');
    const at1 = (await fieldState()).speed;
    await setT(0.3);
    await expect.poll(fieldCaption, { timeout: UI }).toBe('at t = 0.3, checkpoint at step 300');
    expect(await fieldState()).toMatchObject({ t: 0.3, source: 'checkpoint' });
    expect((await fieldState()).speed).not.toBe(at1);
    expect(await page.getByTestId('flow-field').locator('xpath=..').getAttribute('aria-label')).toMatch(/at t = 0\.3/);
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
