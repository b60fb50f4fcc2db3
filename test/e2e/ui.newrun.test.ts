/**
 * The New run view end to end, in Chromium against a real `cfm serve`: the
 * header's "New run" link opens the form; the Quick demo preset fills it; the
 * dataset preview and the path preview draw (their canvases report point
 * counts); the t slider moves x_t from the keyboard; rf's path preview
 * explains that it needs a trained model; lr = 0 is refused by the engine and
 * the message sits under the lr input; with lr fixed the run launches and
 * its page goes live: its loss curve grows and the flow panel's samples
 * follow later snapshots, Cancel stops it, Resume carries on past the step it
 * stopped at, Cancel ends it; a swept value the engine refuses (lr -1) is
 * reported under its sweep row, not under the lr input; an imported 3-column dataset gets a path preview through
 * one projection (PCA or two columns) with its picker. Screenshots go to
 * test-artifacts/ui-newrun-*.png.
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkbench, UI, type UiSession } from './uiHarness.js';

let ui: UiSession;
let page: Page;
let pageErrors: string[];
let expectedFailures: Set<string>;
let shot: (name: string) => Promise<void>;

beforeAll(async () => {
  ui = await openWorkbench({ label: 'ui-newrun', shotPrefix: '' });
  ({ page, pageErrors, expectedFailures, shot } = ui);
});

afterAll(async () => {
  await ui?.close();
});

describe('the New run view in Chromium against cfm serve', () => {
  it('the header links to the form, which opens on the engine defaults', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'New run' }).click();
    await page.waitForURL(/#\/new$/, { timeout: UI });
    await page.getByRole('heading', { name: 'New run' }).waitFor({ timeout: UI });
    expect(await page.getByLabel('Learning rate').inputValue()).toBe('0.001');
    expect(await page.getByLabel('Steps', { exact: true }).inputValue()).toBe('20000');
  });

  it('the Quick demo preset fills the form, and both previews draw', async () => {
    await page.getByTestId('preset-quick-demo').click();
    expect(await page.getByLabel('Steps', { exact: true }).inputValue()).toBe('1500');
    expect(await page.getByLabel('Method').inputValue()).toBe('otcfm');
    expect(await page.getByLabel('Dataset (target)').inputValue()).toBe('moons');
    const data = page.getByTestId('dataset-preview');
    await expect.poll(async () => Number(await data.getAttribute('data-points')), { timeout: UI }).toBe(2000);
    const path = page.getByTestId('path-preview');
    // x0, x1 and x_t of 512 pairs, and the 512 pair lines.
    await expect.poll(async () => Number(await path.getAttribute('data-points')), { timeout: UI }).toBe(3 * 512);
    await expect.poll(async () => Number(await path.getAttribute('data-paths')), { timeout: UI }).toBe(512);
    await shot('newrun-demo');
  });

  it('the t slider moves from the keyboard, and pairs can be hidden', async () => {
    const slider = page.getByTestId('path-t-slider');
    await slider.focus();
    await page.keyboard.press('End');
    await expect.poll(() => page.getByTestId('path-t').innerText(), { timeout: UI }).toBe('1.0');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByTestId('path-t').innerText(), { timeout: UI }).toBe('0.8');
    await page.getByTestId('path-pairs').uncheck();
    const path = page.getByTestId('path-preview');
    await expect.poll(async () => Number(await path.getAttribute('data-paths')), { timeout: UI }).toBe(0);
    await shot('newrun-slider');
    await page.getByTestId('path-pairs').check();
  });

  it('a new dataset redraws the dataset preview; rf explains in the path panel that it needs a trained model', async () => {
    expectedFailures.add('/api/previewPath');
    await page.getByLabel('Dataset (target)').selectOption('8gaussians');
    await page.getByRole('img', { name: '2000 points of 8gaussians' }).waitFor({ timeout: UI });
    await page.getByLabel('Method').selectOption('rf');
    await expect.poll(() => page.getByTestId('path-error').innerText(), { timeout: UI }).toMatch(/rf|model|run/i);
    await page.getByLabel('Parent run').waitFor({ timeout: UI });
    await shot('newrun-rf');
    await page.getByTestId('preset-quick-demo').click();
    await expect.poll(async () => Number(await page.getByTestId('path-preview').getAttribute('data-points')), { timeout: UI }).toBe(3 * 512);
  });

  it('lr = 0 is refused with the message under the lr input; fixed, the run launches and its page goes live', async () => {
    expectedFailures.add('/api/startRun');
    const lr = page.getByLabel('Learning rate');
    await lr.fill('0');
    await page.getByTestId('launch').click();
    await expect.poll(() => page.getByTestId('error-lr').innerText(), { timeout: UI }).toMatch(/lr.*>\s*0|lr/);
    expect(await lr.getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/#\/new$/);
    await shot('newrun-invalid-lr');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('newrun-invalid-lr-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await lr.fill('0.001');
    await expect.poll(() => page.getByTestId('error-lr').innerText(), { timeout: UI }).toBe('');
    // Long enough to still be training while the next test watches, cancels and resumes it.
    await page.getByLabel('Steps', { exact: true }).fill('20000');
    await page.getByLabel('Batch').fill('32');
    await page.getByLabel('Run name').fill('demo from the form');
    await page.getByTestId('launch').click();
    await page.waitForURL(/#\/runs\/\d+$/, { timeout: UI });
    const chart = page.getByTestId('loss-chart');
    await chart.waitFor({ timeout: UI });
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    expect(await page.locator('.view-head').innerText()).toMatch(/demo from the form/);
    await shot('newrun-launched');
  });

  it('the launched run updates its loss curve and samples live; Cancel stops it, Resume carries on past that step, Cancel again ends it', async () => {
    const num = async (testId: string, attr: string) => Number(await page.getByTestId(testId).getAttribute(attr));
    const status = () => page.locator('.view-head [data-status]').getAttribute('data-status');
    /** The step of the flow panel's latest samples ("Live snapshot at step 1,200"), or -1 before any. */
    const flowStep = async () => {
      const caption = page.getByTestId('flow-caption');
      if ((await caption.count()) === 0) return -1;
      const m = /step ([\d,]+)/.exec(await caption.innerText());
      return m ? Number(m[1]!.replaceAll(',', '')) : -1;
    };
    await expect.poll(status, { timeout: 60_000 }).toBe('running');
    // The loss curve grows while it trains.
    await expect.poll(() => num('loss-chart', 'data-points'), { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    const points = await num('loss-chart', 'data-points');
    await expect.poll(() => num('loss-chart', 'data-points'), { timeout: 60_000, interval: 100 }).toBeGreaterThan(points);
    // The flow panel's samples come from live snapshots, and a later one replaces them.
    await expect.poll(flowStep, { timeout: 90_000, interval: 200 }).toBeGreaterThan(0);
    const firstSnapshot = await flowStep();
    expect(await page.getByTestId('flow-caption').innerText()).toMatch(/^Live snapshot at step/);
    await shot('newrun-live');
    await expect.poll(flowStep, { timeout: 90_000, interval: 200 }).toBeGreaterThan(firstSnapshot);
    await shot('newrun-live-later');

    await page.getByTestId('cancel').click();
    await expect.poll(status, { timeout: 60_000 }).toBe('cancelled');
    const stoppedAt = await num('step', 'data-step');
    expect(stoppedAt).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('resume').isEnabled(), { timeout: UI }).toBe(true);
    // The samples are redrawn from the checkpoint the cancel saved.
    await expect.poll(flowStep, { timeout: 60_000, interval: 200 }).toBe(stoppedAt);
    await shot('newrun-cancelled');

    await page.getByTestId('resume').click();
    await expect.poll(status, { timeout: 60_000 }).toBe('running');
    await expect.poll(() => num('step', 'data-step'), { timeout: 60_000, interval: 100 }).toBeGreaterThan(stoppedAt);
    await expect.poll(() => num('loss-chart', 'data-last-step'), { timeout: 60_000, interval: 100 }).toBeGreaterThan(stoppedAt);
    // ... and live snapshots come again, past the step it stopped at.
    await expect.poll(flowStep, { timeout: 90_000, interval: 200 }).toBeGreaterThan(stoppedAt);
    expect(await page.getByTestId('flow-caption').innerText()).toMatch(/^Live snapshot at step/);
    await shot('newrun-resumed');

    await page.getByTestId('cancel').click();
    await expect.poll(status, { timeout: 60_000 }).toBe('cancelled');
    await expect.poll(() => page.getByTestId('resume').isEnabled(), { timeout: UI }).toBe(true);
    await shot('newrun-cancelled-again');
  });

  it('a swept value the engine refuses (lr -1) is reported under its sweep row, not under the Learning rate input', async () => {
    expectedFailures.add('/api/startSweep');
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'New run' }).click();
    await page.getByRole('heading', { name: 'New run' }).waitFor({ timeout: UI });
    await page.getByTestId('preset-quick-demo').click();
    await page.getByLabel('Steps', { exact: true }).fill('40');
    await page.getByLabel('Batch').fill('32');
    await page.getByTestId('sweep-on').check();
    await page.getByLabel('Key 1', { exact: true }).selectOption('lr');
    await page.getByLabel('Values of key 1').fill('0.001, -1');
    await page.getByLabel('Experiment').fill('bad-lr');
    await page.getByTestId('launch').click();
    await expect.poll(() => page.getByTestId('error-sweep0').innerText(), { timeout: UI }).toMatch(/lr.*> ?0/);
    expect(await page.getByLabel('Values of key 1').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id), { timeout: UI }).toBe('f-sweep0');
    // The form's own lr (0.001, valid and overridden by the sweep) stays unmarked.
    expect(await page.getByTestId('error-lr').innerText()).toBe('');
    expect(await page.getByLabel('Learning rate').getAttribute('aria-invalid')).toBeNull();
    expect(page.url()).toMatch(/#\/new$/);
    await shot('newrun-sweep-grid-error');
    // Fixed, the message goes as soon as the values are edited.
    await page.getByLabel('Values of key 1').fill('0.001, 0.01');
    await expect.poll(() => page.getByTestId('error-sweep0').innerText(), { timeout: UI }).toBe('');
    // Leave the form as the next test expects it: no experiment, no sweep.
    await page.getByLabel('Experiment').fill('');
    await page.getByTestId('sweep-on').uncheck();
  });

  it('a sweep needs an experiment name, said under its input; with one it starts every setting and opens the runs table', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'New run' }).click();
    await page.getByTestId('preset-quick-demo').click();
    await page.getByLabel('Steps', { exact: true }).fill('40');
    await page.getByLabel('Batch').fill('32');
    await page.getByTestId('sweep-on').check();
    await page.getByLabel('Key 1', { exact: true }).selectOption('lr');
    await page.getByLabel('Values of key 1').fill('1e-3, 3e-4');
    await page.getByLabel('Key 2', { exact: true }).selectOption('method');
    await page.getByLabel('Values of key 2').fill('icfm, nope');
    await page.getByTestId('launch').click();
    await expect.poll(() => page.getByTestId('error-experiment').innerText(), { timeout: UI }).toMatch(/experiment/);
    expect(await page.locator('#e-sweep1').innerText()).toMatch(/nope/);
    await shot('newrun-sweep-errors');
    await page.getByLabel('Values of key 2').fill('icfm');
    await page.getByLabel('Experiment').fill('lr-sweep');
    await page.getByTestId('launch').click();
    await page.waitForURL(/#\/runs$/, { timeout: UI });
    await page.getByTestId('runs-table').waitFor({ timeout: UI });
    await expect.poll(() => page.locator('tbody tr', { hasText: 'icfm' }).count(), { timeout: UI }).toBe(2);
  });

  it('a 3-column dataset gets a path preview through one projection: PCA by default, or two chosen columns', async () => {
    // A helix: x = 2 cos th, y = 2 sin th, z = th / 2 over three turns (240 rows, a header line).
    const rows = Array.from({ length: 240 }, (_, k) => {
      const th = (6 * Math.PI * k) / 240;
      return `${(2 * Math.cos(th)).toFixed(4)},${(2 * Math.sin(th)).toFixed(4)},${(th / 2).toFixed(4)}`;
    });
    const csvText = ['a,b,c', ...rows].join('\n');
    const imported = await page.evaluate(
      (text) =>
        (globalThis as unknown as { workbench: { api: { importDataset(i: object): Promise<{ name: string; dim: number | string }> } } }).workbench.api.importDataset({
          name: 'p3',
          fileName: 'p3.csv',
          content: new TextEncoder().encode(text),
        }),
      csvText,
    );
    expect(imported.dim).toBe(3);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'New run' }).click();
    await page.getByRole('heading', { name: 'New run' }).waitFor({ timeout: UI });
    await page.getByTestId('preset-quick-demo').click();
    await page.getByLabel('Dataset (target)').selectOption('p3');
    const path = page.getByTestId('path-preview');
    const note = page.getByTestId('path-preview-note');
    // d = 3 opens on PCA; x0, x1 and x_t of 512 pairs are drawn, with the pair lines.
    await expect.poll(() => note.innerText(), { timeout: UI }).toMatch(/d = 3 · x: PC1 \(\d+% of variance\) · y: PC2/);
    expect(await page.getByTestId('path-proj-pca').isChecked()).toBe(true);
    expect(await page.getByTestId('path-proj-x').isDisabled()).toBe(true);
    await expect.poll(async () => Number(await path.getAttribute('data-points')), { timeout: UI }).toBe(3 * 512);
    await expect.poll(async () => Number(await path.getAttribute('data-paths')), { timeout: UI }).toBe(512);
    await page.getByTestId('path-t-slider').fill('3');
    await expect.poll(() => page.getByTestId('path-t').innerText(), { timeout: UI }).toBe('0.3');
    await shot('newrun-path-pca');
    // Columns instead: x0 against x2 (the helix seen from the side).
    await page.getByTestId('path-proj-pca').uncheck();
    await page.getByTestId('path-proj-y').selectOption('2');
    await expect.poll(() => note.innerText(), { timeout: UI }).toMatch(/d = 3 · x: x0 · y: x2/);
    await expect.poll(async () => Number(await path.getAttribute('data-points')), { timeout: UI }).toBe(3 * 512);
    await shot('newrun-path-columns');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('newrun-path-columns-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('nothing went wrong in the page: no script errors, no CSP violations, no failed requests', () => {
    expect(pageErrors).toEqual([]);
  });
});
