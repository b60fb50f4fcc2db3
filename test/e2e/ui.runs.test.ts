/**
 * The browser UI end to end: `cfm serve` as a user starts it (a child
 * process on a temporary database, the built renderer served at /), driven
 * in Debian's Chromium through playwright-core. The page opens on the runs
 * table's empty state; a run started through the page's own window.workbench
 * appears in the table; its view shows the live loss curve filling and the
 * status reaching completed; a bad `where` filter is explained inline.
 * Then the table's editing and selection: tags and notes edited from the
 * keyboard persist across a reload, rows are selected for Compare, a CSV of
 * the selection downloads, and runs are deleted through a confirmation
 * dialog (Cancel and Escape keep them; a running run is refused with the
 * service's message in the dialog until it is stopped).
 * Screenshots of each state go to test-artifacts/ (look at them).
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInput, ApiMethod, ApiOutput, RunView, WorkbenchBridge } from '../../app/contract.js';
import { openWorkbench, UI, type UiSession } from './uiHarness.js';

let ui: UiSession;
let page: Page;
let pageErrors: string[];
let expectedFailures: Set<string>;
let shot: (name: string) => Promise<void>;

beforeAll(async () => {
  ui = await openWorkbench({ label: 'ui', shotPrefix: '', acceptDownloads: true });
  ({ page, pageErrors, expectedFailures, shot } = ui);
});

afterAll(async () => {
  await ui?.close();
});

/** Calls the API the way the page does, through its window.workbench. */
function call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
  return page.evaluate(
    ([m, i]) => {
      const api = (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api as unknown as Record<string, (x: unknown) => Promise<unknown>>;
      return api[m]!(i);
    },
    [method, input] as const,
  ) as Promise<ApiOutput<M>>;
}

type Doc = { document: { activeElement: { getAttribute(name: string): string | null } | null } };
/** An attribute of the focused element: where the keyboard is. */
const focused = (attribute: string): Promise<string | null> =>
  page.evaluate((n) => (globalThis as unknown as Doc).document.activeElement?.getAttribute(n) ?? null, attribute);
const focusedTestId = (): Promise<string | null> => focused('data-testid');
const focusedEdit = (): Promise<string | null> => focused('data-edit');
const row = (id: number) => page.locator(`tr[data-run="${id}"]`);
const selectionCount = (): Promise<string> => page.getByTestId('selection-count').innerText();

/** Records of an RFC 4180 CSV (quoted fields may hold commas, doubled quotes and line breaks). */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

/** The two small runs the editing and selection tests work on: alpha (otcfm) and beta, reflowed from alpha. */
let a = 0;
let b = 0;

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

  it('the table shows source and the key hyperparameters (lr, batch, sigma where the method uses it) compactly', async () => {
    await page.getByTestId('runs-where').fill('');
    const tiny = { steps: 100, batch: 64, width: 16 };
    a = (await call('startRun', { config: { ...tiny, method: 'otcfm', lr: 3e-4, sigma: 0.2, source: '8gaussians' }, name: 'alpha' })).id;
    await row(a).locator('[data-status="completed"]').waitFor({ timeout: 90_000 });
    // beta reflows alpha's model (rf needs a trained parent), on few pairs to stay quick.
    b = (await call('startRun', { config: { ...tiny, method: 'rf', parentRun: a, reflowPairs: 512, reflowSteps: 10 }, name: 'beta' })).id;
    await row(b).waitFor({ timeout: UI });
    const cells = async (id: number): Promise<Record<string, string>> => {
      const texts = await row(id).locator('td').allInnerTexts();
      const heads = await page.locator('thead th').allInnerTexts();
      return Object.fromEntries(heads.map((h, i) => [h.replace(/[▲▼]/g, '').trim(), (texts[i] ?? '').trim()]));
    };
    const first = await cells(a);
    expect(first).toMatchObject({ Source: '8gaussians', Method: 'otcfm', lr: '3e-4', Batch: '64', σ: '0.2' });
    expect(first.Steps).toMatch(/^\d+ \/ 100$/);
    // rf trains with sigma 0 whatever the config says: no sigma to show.
    expect((await cells(b)).σ).toBe('—');
    await row(b).locator('[data-status="completed"]').waitFor({ timeout: 90_000 });
    // An evaluation fills W2 and NFE (the table shows them after its next reload).
    await call('evaluateRun', { run: a, n: 256, solver: 'rk4', steps: 8 });
  });

  it('tags are edited from the keyboard: Enter saves them as chips, Escape cancels, and they persist after a reload', async () => {
    await page.locator(`[data-edit="tags-${a}"]`).focus();
    await page.keyboard.press('Enter');
    await expect.poll(focusedTestId, { timeout: UI }).toBe('tags-input');
    await page.keyboard.type('baseline, lr sweep,baseline');
    await page.keyboard.press('Enter');
    await expect.poll(() => row(a).locator('.tag').allInnerTexts(), { timeout: UI }).toEqual(['baseline', 'lr sweep']);
    expect(await page.getByTestId('tags-editor').count()).toBe(0);
    // Focus goes back to the button that opened the editor.
    await expect.poll(focusedEdit, { timeout: UI }).toBe(`tags-${a}`);

    await page.keyboard.press('Enter');
    await expect.poll(focusedTestId, { timeout: UI }).toBe('tags-input');
    await page.keyboard.type(', discarded');
    await page.keyboard.press('Escape');
    await page.getByTestId('tags-editor').waitFor({ state: 'detached', timeout: UI });
    expect(await row(a).locator('.tag').allInnerTexts()).toEqual(['baseline', 'lr sweep']);
    expect((await call('getRun', { run: a })).tags).toEqual(['baseline', 'lr sweep']);
  });

  it('a tag the service refuses is explained in the editor, which stays open', async () => {
    expectedFailures.add('/api/tagRun');
    await page.locator(`[data-edit="tags-${b}"]`).click();
    await page.getByTestId('tags-input').fill(`ok, ${'x'.repeat(201)}`);
    await page.getByTestId('tags-input').press('Enter');
    await expect.poll(() => page.getByTestId('tags-error').innerText(), { timeout: UI }).toMatch(/tags/);
    expect(await page.getByTestId('tags-input').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('tags-input').press('Escape');
    await page.getByTestId('tags-editor').waitFor({ state: 'detached', timeout: UI });
    expect((await call('getRun', { run: b })).tags).toEqual([]);
  });

  it('notes are edited in place: the full text in the editor, Shift+Enter a new line, Enter saves, the cell shows the start', async () => {
    await page.locator(`[data-edit="notes-${a}"]`).focus();
    await page.keyboard.press('Enter');
    await expect.poll(focusedTestId, { timeout: UI }).toBe('notes-input');
    await page.keyboard.type('OT pairs with a lower lr');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('compare with beta');
    await shot('runs-notes-editor');
    await page.keyboard.press('Enter');
    await page.getByTestId('notes-editor').waitFor({ state: 'detached', timeout: UI });
    const cell = row(a).getByTestId('notes-cell');
    await expect.poll(() => cell.innerText(), { timeout: UI }).toMatch(/^OT pairs with a lower lr …/);
    expect((await call('getRun', { run: a })).notes).toBe('OT pairs with a lower lr\ncompare with beta');

    // The editor opens on the whole text.
    await page.locator(`[data-edit="notes-${a}"]`).click();
    expect(await page.getByTestId('notes-input').inputValue()).toBe('OT pairs with a lower lr\ncompare with beta');
    await page.getByTestId('notes-input').press('Escape');

    await page.reload();
    await row(a).waitFor({ timeout: UI });
    expect(await row(a).locator('.tag').allInnerTexts()).toEqual(['baseline', 'lr sweep']);
    expect(await row(a).getByTestId('notes-cell').innerText()).toMatch(/^OT pairs with a lower lr/);
    expect(await row(a).locator('td.col-nfe').innerText()).toBe('32'); // rk4: 4 evaluations a step, 8 steps
    expect(await row(a).locator('td.col-w2').innerText()).toMatch(/^\d/);
    await shot('runs-tags-notes');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('runs-tags-notes-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('two selected rows show "2 selected" and a Compare link to both; select-all takes every visible row', async () => {
    expect(await selectionCount()).toBe('No runs selected');
    expect(await page.getByTestId('compare-link').getAttribute('href')).toBeNull();
    await row(a).getByTestId('select-run').focus();
    await page.keyboard.press('Space');
    await row(b).getByTestId('select-run').check();
    await expect.poll(selectionCount, { timeout: UI }).toBe('2 selected');
    // The table's order (newest first): b, then a.
    expect(await page.getByTestId('compare-link').getAttribute('href')).toBe(`#/compare/${b},${a}`);
    expect(await page.getByTestId('select-all').evaluate((el) => (el as unknown as { indeterminate: boolean }).indeterminate)).toBe(true);
    await shot('runs-selection');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('runs-selection-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    const visible = await page.locator('tbody tr[data-run]').count();
    await page.getByTestId('select-all').check();
    await expect.poll(selectionCount, { timeout: UI }).toBe(`${visible} selected`);
    await page.getByTestId('select-all').uncheck();
    await expect.poll(selectionCount, { timeout: UI }).toBe('No runs selected');
  });

  it('the selection survives the list reloading when a run starts and finishes', async () => {
    await row(a).getByTestId('select-run').check();
    await row(b).getByTestId('select-run').check();
    const c = (await call('startRun', { config: { steps: 100, batch: 64, width: 16, method: 'icfm' }, name: 'gamma', tags: ['seed 0', 'quick', 'a rather long tag'] })).id;
    await row(c).locator('[data-status="completed"]').waitFor({ timeout: 90_000 });
    expect(await selectionCount()).toBe('2 selected');
    expect(await row(c).getByTestId('select-run').isChecked()).toBe(false);
    expect(await row(a).getByTestId('select-run').isChecked()).toBe(true);
  });

  it('Export CSV downloads the selected rows: a header and one row per run', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^cfm-runs-.*\.csv$/);
    const [header, ...rows] = readCsv(readFileSync(await download.path(), 'utf8'));
    expect(header!.slice(0, 3)).toEqual(['id', 'name', 'experiment']);
    for (const key of ['lr', 'batch', 'sigma', 'loss', 'w2', 'nfe', 'tags', 'notes']) expect(header).toContain(key);
    expect(rows.map((r) => Number(r[0]))).toEqual([b, a]);
    // alpha's two-line notes come back whole from their quoted field.
    expect(rows[1]![header!.indexOf('notes')]).toBe('OT pairs with a lower lr\ncompare with beta');
    expect(rows[1]![header!.indexOf('tags')]).toBe('baseline; lr sweep');
  });

  it('Delete… asks first, naming the run and the run reflowed from it: Cancel and Escape keep it, Delete removes it', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await row(a).getByTestId('select-run').check();
    await expect.poll(selectionCount, { timeout: UI }).toBe('1 selected');
    const dialog = page.getByTestId('delete-dialog');

    await page.getByTestId('delete-selected').click();
    await dialog.waitFor({ state: 'visible', timeout: UI });
    const said = await dialog.innerText();
    expect(said).toMatch(/Delete run alpha\?/);
    expect(said).toMatch(/cannot be undone/);
    expect(said).toMatch(/Reflowed from this run: beta/);
    await expect.poll(focusedTestId, { timeout: UI }).toBe('delete-dialog-cancel');
    await shot('runs-delete-dialog');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('runs-delete-dialog-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('delete-dialog-cancel').click();
    await dialog.waitFor({ state: 'hidden', timeout: UI });
    expect(await row(a).count()).toBe(1);

    await page.getByTestId('delete-selected').click();
    await dialog.waitFor({ state: 'visible', timeout: UI });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: UI });
    expect(await row(a).count()).toBe(1);
    expect(await selectionCount()).toBe('1 selected');

    await page.getByTestId('delete-selected').click();
    await dialog.waitFor({ state: 'visible', timeout: UI });
    await page.getByTestId('delete-dialog-confirm').click();
    await dialog.waitFor({ state: 'hidden', timeout: UI });
    await row(a).waitFor({ state: 'detached', timeout: UI });
    expect(await selectionCount()).toBe('No runs selected');
    expect((await call('listRuns', {})).map((r: RunView) => r.id)).not.toContain(a);
  });

  it('a running run is refused with the service\'s message in the dialog, until the dialog stops it', async () => {
    expectedFailures.add('/api/deleteRun');
    const long = (await call('startRun', { config: { steps: 200_000, batch: 64, width: 16, method: 'icfm' }, name: 'long' })).id;
    await row(long).waitFor({ timeout: UI });
    await row(long).getByTestId('select-run').check();
    await page.getByTestId('delete-selected').click();
    const dialog = page.getByTestId('delete-dialog');
    await dialog.waitFor({ state: 'visible', timeout: UI });
    expect(await page.getByTestId('delete-active').innerText()).toMatch(/stop/i);
    await page.getByTestId('delete-dialog-confirm').click();
    await expect.poll(() => page.getByTestId('delete-dialog-error').innerText(), { timeout: UI }).toMatch(/cancel it first/);
    expect(await dialog.isVisible()).toBe(true);
    expect(await row(long).count()).toBe(1);
    await shot('runs-delete-refused');

    await page.getByTestId('delete-stop').click();
    await dialog.locator('[data-status="cancelled"]').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('delete-active').count(), { timeout: UI }).toBe(0);
    await page.getByTestId('delete-dialog-confirm').click();
    await dialog.waitFor({ state: 'hidden', timeout: UI });
    await row(long).waitFor({ state: 'detached', timeout: UI });
    expect((await call('listRuns', {})).map((r: RunView) => r.id)).not.toContain(long);
  });

  it('nothing went wrong in the page: no script errors, no CSP violations, no failed requests', () => {
    expect(pageErrors).toEqual([]);
  });
});
