/**
 * The browser UI end to end: `cfm serve` as a user starts it (a child
 * process on a temporary database, the built renderer served at /), driven
 * in Debian's Chromium through playwright-core. The page opens on the runs
 * table's empty state; a run started through the page's own window.workbench
 * appears in the table; its view shows the live loss curve filling and the
 * status reaching completed; a bad `where` filter is explained inline.
 * Screenshots of each state go to test-artifacts/ (look at them).
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView, WorkbenchBridge } from '../../app/contract.js';
import { openWorkbench, UI, type UiSession } from './uiHarness.js';

let ui: UiSession;
let page: Page;
let pageErrors: string[];
let expectedFailures: Set<string>;
let shot: (name: string) => Promise<void>;

beforeAll(async () => {
  ui = await openWorkbench({ label: 'ui', shotPrefix: '' });
  ({ page, pageErrors, expectedFailures, shot } = ui);
});

afterAll(async () => {
  await ui?.close();
});

describe('the workbench UI in Chromium against cfm serve', () => {
  it('opens on the runs table, empty, with the backend in the header', async () => {
    await page.getByText('No runs yet').waitFor({ timeout: UI });
    await expect.poll(() => page.getByTestId('backend').innerText(), { timeout: UI }).toMatch(/backend\s+wasm/);
    await shot('runs-empty');
  });

  it('a run started through window.workbench appears in the table, and its view shows the loss curve fill until it completes', async () => {
    const run = await page.evaluate(() =>
      (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.startRun({ config: { steps: 300, batch: 64, width: 16, method: 'icfm' } }),
    );
    const row = page.locator(`tr[data-run="${(run as RunView).id}"]`);
    await row.waitFor({ timeout: UI });
    expect(await row.innerText()).toMatch(/icfm/);
    await shot('runs-table');

    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`#/runs/${run.id}$`), { timeout: UI });
    const chart = page.getByTestId('loss-chart');
    await chart.waitFor({ timeout: UI });
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    await shot('run-live');
    await page.locator('.view-head [data-status="completed"]').waitFor({ timeout: 60_000 });
    // Completion reloads the stored series: the curve holds many points, and the step counter reads 300 / 300.
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: UI }).toBeGreaterThan(10);
    await expect.poll(() => page.getByTestId('step').innerText(), { timeout: UI }).toBe('300 / 300');
    expect(await page.getByTestId('cancel').isDisabled()).toBe(true);
    expect(await page.getByTestId('resume').isDisabled()).toBe(true);
    await shot('run-completed');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('run-completed-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('an API error reaches the page as an Error carrying the API code, field and message', async () => {
    expectedFailures.add('/api/startRun');
    const error = await page.evaluate(() =>
      (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api.startRun({ config: { steps: -5 } }).then(
        () => undefined,
        (e: { name: string; code: string; field?: string; message: string }) => ({ name: e.name, code: e.code, field: e.field, message: e.message }),
      ),
    );
    expect(error).toMatchObject({ name: 'WorkbenchError', code: 'invalid_input' });
    expect(error?.field).toMatch(/steps/);
    expect(error?.message).toMatch(/steps/);
  });

  it('a malformed where filter is explained under its input, and the table stays', async () => {
    expectedFailures.add('/api/listRuns');
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByTestId('runs-table').waitFor({ timeout: UI });
    await page.getByTestId('runs-where').fill('lr <');
    await expect.poll(() => page.getByTestId('where-error').innerText(), { timeout: UI }).toMatch(/where/i);
    expect(await page.getByTestId('runs-where').getAttribute('aria-invalid')).toBe('true');
    await shot('runs-where-error');
    await page.getByTestId('runs-where').fill('method = icfm');
    await expect.poll(() => page.getByTestId('where-error').innerText(), { timeout: UI }).toBe('');
    expect(await page.locator('tbody tr').count()).toBe(1);
  });

  it('the table sorts from the keyboard: Enter on a column header sorts by it, again reverses', async () => {
    const header = page.locator('th', { hasText: 'Name' });
    await header.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => header.getAttribute('aria-sort'), { timeout: UI }).toBe('ascending');
    await page.keyboard.press('Enter');
    await expect.poll(() => header.getAttribute('aria-sort'), { timeout: UI }).toBe('descending');
  });

  it('nothing went wrong in the page: no script errors, no CSP violations, no failed requests', () => {
    expect(pageErrors).toEqual([]);
  });
});
