/**
 * The Datasets view end to end, in Chromium against a real `cfm serve`: the
 * header's "Datasets" link lists the pinned built-ins (moons, scurve,
 * 8gaussians) with thumbnails and draws the selected one's 2,000-point
 * preview, with designed loading and error states; the arrow keys move the
 * selection; a malformed CSV (a word on line 3, ragged rows) is explained
 * under the file input and adds nothing; a bad name is explained under the
 * name input; a dropped file is taken (and one dropped beside the zone
 * refused); a good 3-column CSV imports (busy state while the request is
 * held), is selected, and its preview offers PCA (labelled with explained
 * variance) and the two column pickers; Export CSV downloads the previewed
 * points; the New run form's dataset preview offers the same projection.
 * Screenshots go to test-artifacts/ui-datasets-*.png (light and dark).
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkbench, UI, type UiSession } from './uiHarness.js';

let ui: UiSession;
let page: Page;
let pageErrors: string[];
let expectedFailures: Set<string>;
let shot: (name: string) => Promise<void>;

beforeAll(async () => {
  ui = await openWorkbench({ label: 'ui-datasets', shotPrefix: '', acceptDownloads: true, height: 900 });
  ({ page, pageErrors, expectedFailures } = ui);
  // Full-page shots from the top: the preview column is sticky, so a scrolled page would show it mid-way.
  shot = async (name) => {
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await ui.shot(name);
  };
});

afterAll(async () => {
  await ui?.close();
});

const csvFile = (name: string, text: string): { name: string; mimeType: string; buffer: Buffer } => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

/**
 * 300 points of a tilted ellipse in 3-D with a small third axis: the axis
 * variances are 9 : 1 : 0.04 (cos th, sin th, cos 2th scaled by 3, 1, 0.2), so
 * PC1 carries about 90% of the variance.
 */
function ellipseCsv(): string {
  const rows = ['a,b,c'];
  for (let k = 0; k < 300; k++) {
    const th = (2 * Math.PI * k) / 300;
    const [u, v, w] = [3 * Math.cos(th), Math.sin(th), 0.2 * Math.cos(2 * th)];
    rows.push([(u + v) / Math.SQRT2, (u - v) / Math.SQRT2 + 1, w - 2].map((x) => x.toFixed(6)).join(','));
  }
  return rows.join('\n') + '\n';
}

const plotPoints = async (): Promise<number> => Number(await page.getByTestId('dataset-plot').getAttribute('data-points'));
const importedCount = (): Promise<number> => page.locator('[data-testid="dataset-option"]').evaluateAll((els) => els.filter((e) => e.closest('[aria-labelledby="group-import"]')).length);

describe('the Datasets view in Chromium against cfm serve', () => {
  it('lists the pinned built-ins with thumbnails and draws the selected one', async () => {
    await page.getByRole('link', { name: 'Datasets' }).click();
    await page.waitForURL(/#\/datasets$/, { timeout: UI });
    await page.getByRole('heading', { name: 'Datasets', level: 1 }).waitFor({ timeout: UI });
    for (const name of ['moons', 'scurve', '8gaussians']) {
      await page.locator(`[data-testid="dataset-option"][data-name="${name}"]`).waitFor({ timeout: UI });
    }
    expect(await page.locator('[data-name="moons"]').getAttribute('aria-selected')).toBe('true');
    await expect.poll(plotPoints, { timeout: UI }).toBe(2000);
    expect(await page.getByTestId('dataset-description').innerText()).toMatch(/half circles/);
    expect(await page.getByTestId('dataset-dim').innerText()).toBe('2');
    expect(await page.getByTestId('axis-x').innerText()).toBe('x0');
    // 2-D data: no projection controls.
    expect(await page.getByTestId('dataset-proj-pca').count()).toBe(0);
    // Every thumbnail drew its 400 points.
    await expect
      .poll(() => page.locator('[data-testid="dataset-option"] canvas').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-points') ?? 0))), { timeout: UI })
      .toSatisfy((counts: number[]) => counts.length >= 3 && counts.every((n) => n === 400));
    expect(await page.getByTestId('imports-empty').isVisible()).toBe(true);
    await shot('datasets-builtins');
  });

  it('the arrow keys move the selection and the preview follows', async () => {
    await page.locator('[data-name="moons"]').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId('dataset-detail').getAttribute('data-dataset'), { timeout: UI }).toBe('scurve');
    const focused = () => (globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } | null } }).document.activeElement?.getAttribute('data-name');
    expect(await page.evaluate(focused)).toBe('scurve');
    await expect.poll(plotPoints, { timeout: UI }).toBe(2000);
    await page.locator('[data-name="8gaussians"]').click();
    await expect.poll(() => page.getByTestId('dataset-description').innerText(), { timeout: UI }).toMatch(/eight/);
    await expect.poll(plotPoints, { timeout: UI }).toBe(2000);
    await shot('datasets-8gaussians');
  });

  it('the preview has designed loading and error states, and Retry recovers', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    expectedFailures.add('/api/previewDataset');
    await page.route(
      '**/api/previewDataset',
      (route) =>
        held.then(() =>
          route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'backend', message: 'server: the preview could not be computed; try again' } }),
          }),
        ),
      { times: 1 },
    );
    await page.locator('[data-name="circles"]').click();
    const detail = page.getByTestId('dataset-detail');
    await detail.locator('[data-state="loading"]').waitFor({ timeout: UI });
    await shot('datasets-preview-loading');
    release();
    await detail.locator('[data-state="error"]').waitFor({ timeout: UI });
    expect(await detail.locator('[data-state="error"]').innerText()).toMatch(/could not be computed/);
    expectedFailures.delete('/api/previewDataset');
    await shot('datasets-preview-error');
    await detail.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(plotPoints, { timeout: UI }).toBe(2000);
  });

  it('a malformed CSV is explained under the file input, naming the line, and nothing is added', async () => {
    expectedFailures.add('/api/importDataset');
    const before = await page.getByTestId('dataset-option').count();
    await page.getByTestId('import-file').setInputFiles(csvFile('broken.csv', 'x,y,z\n1,2,3\n4,abc,6\n7,8,9\n'));
    // The name is suggested from the file's name.
    expect(await page.getByTestId('import-name').inputValue()).toBe('broken');
    await page.getByTestId('import-submit').click();
    const fileError = page.getByTestId('import-file-error');
    await expect.poll(() => fileError.innerText(), { timeout: UI }).toMatch(/broken\.csv line 3, column 2: "abc" is not a number/);
    expect(await page.getByTestId('import-file').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('import-name-error').innerText()).toBe('');
    // Inline, not a page-level alert: the message sits inside the import form.
    expect(await fileError.evaluate((el) => el.closest('form')?.dataset.testid)).toBe('import-form');
    await shot('datasets-import-error');

    await page.getByTestId('import-file').setInputFiles(csvFile('ragged.csv', '1,2,3\n4,5,6\n7,8\n'));
    expect(await fileError.innerText()).toBe(''); // a new file clears the old message
    await page.getByTestId('import-submit').click();
    await expect.poll(() => fileError.innerText(), { timeout: UI }).toMatch(/ragged\.csv line 3: has 2 values but line 1 has 3/);
    expect(await page.getByTestId('dataset-option').count()).toBe(before);
    expect(await importedCount()).toBe(0);
    const list = await page.evaluate(() => (globalThis as unknown as { workbench: { api: { listDatasets(i: object): Promise<{ name: string }[]> } } }).workbench.api.listDatasets({}));
    expect(list.map((d) => d.name)).not.toContain('broken');
    expect(list.map((d) => d.name)).not.toContain('ragged');
  });

  it('a bad name is explained under the name input', async () => {
    await page.getByTestId('import-file').setInputFiles(csvFile('good.csv', ellipseCsv()));
    await page.getByTestId('import-name').fill('bad name!');
    await page.getByTestId('import-submit').click();
    const nameError = page.getByTestId('import-name-error');
    await expect.poll(() => nameError.innerText(), { timeout: UI }).toMatch(/^name: .*letters, digits/);
    expect(await page.getByTestId('import-name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('import-file-error').innerText()).toBe('');
    await shot('datasets-name-error');

    // A built-in's name is refused the same way.
    await page.getByTestId('import-name').fill('moons');
    await page.getByTestId('import-submit').click();
    await expect.poll(() => nameError.innerText(), { timeout: UI }).toMatch(/built-in dataset; choose another name/);
    expect(await importedCount()).toBe(0);
  });

  it('a file dropped on the drop zone is taken', async () => {
    // The page's own DataTransfer, holding one File, as a drag from the desktop carries it.
    const dropped = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['1,2\\n3,4\\n5,6\\n'], 'dropped.csv', { type: 'text/csv' }));
      return dt;
    })()`);
    await page.getByTestId('import-drop').dispatchEvent('dragover', { dataTransfer: dropped });
    await page.getByTestId('import-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await expect.poll(() => page.getByTestId('import-file-name').innerText(), { timeout: UI }).toBe('dropped.csv');
    // Dropped beside the zone, a file is refused (the browser would otherwise open it in place of the app).
    const refused = await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['1,2'], 'elsewhere.csv', { type: 'text/csv' }));
      const drop = new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt });
      document.querySelector('h1').dispatchEvent(drop);
      return drop.defaultPrevented;
    })()`);
    expect(refused).toBe(true);
    expect(await page.getByTestId('import-file-name').innerText()).toBe('dropped.csv');
  });

  it('a good 3-column CSV imports (busy meanwhile), is selected, and its preview offers PCA and the column pickers', async () => {
    await page.getByTestId('import-file').setInputFiles(csvFile('ellipse3d.csv', ellipseCsv()));
    await page.getByTestId('import-name').fill('ellipse3d');
    // Hold the request to see the busy state.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let continued: Promise<void> | undefined;
    await page.route(
      '**/api/importDataset',
      (route) => {
        continued = held.then(() => route.continue());
        return continued;
      },
      { times: 1 },
    );
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-busy').waitFor({ timeout: UI });
    expect(await page.getByTestId('import-submit').isDisabled()).toBe(true);
    expect(await page.getByTestId('import-form').getAttribute('aria-busy')).toBe('true');
    await shot('datasets-importing');
    release();
    await continued;

    const option = page.locator('[data-testid="dataset-option"][data-name="ellipse3d"]');
    await option.waitFor({ timeout: UI });
    await expect.poll(() => option.getAttribute('aria-selected'), { timeout: UI }).toBe('true');
    expect(await importedCount()).toBe(1);
    await expect.poll(() => page.getByTestId('import-success').innerText(), { timeout: UI }).toMatch(/Imported ellipse3d: 240 train, 30 validation, 30 test/);
    expect(await page.getByTestId('dataset-dim').innerText()).toBe('3');
    expect(await page.getByTestId('dataset-n-train').innerText()).toMatch(/^240/);
    expect(await page.getByTestId('dataset-description').innerText()).toMatch(/ellipse3d\.csv.*a, b, c/);

    // d = 3: PCA by default, labelled with its share of the variance: 9 / 10.04 = 89.6% and
    // 1 / 10.04 = 10.0% for the whole ellipse; the 240 train rows are a random subset, so within a point.
    await expect.poll(plotPoints, { timeout: UI }).toBe(240);
    const pca = page.getByTestId('dataset-proj-pca');
    expect(await pca.isChecked()).toBe(true);
    expect(await page.getByTestId('axis-x').innerText()).toMatch(/^PC1 \((89|90|91)% of variance\)$/);
    expect(await page.getByTestId('axis-y').innerText()).toMatch(/^PC2 \((9\.\d|10|11)% of variance\)$/);
    expect(await page.getByTestId('dataset-proj-x').isDisabled()).toBe(true);
    await shot('datasets-imported-pca');

    // Two chosen columns instead, from the keyboard.
    await pca.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('axis-x').innerText(), { timeout: UI }).toBe('x0');
    expect(await page.getByTestId('axis-y').innerText()).toBe('x1');
    await page.getByTestId('dataset-proj-y').selectOption({ label: 'x2' });
    await expect.poll(() => page.getByTestId('axis-y').innerText(), { timeout: UI }).toBe('x2');
    await expect.poll(plotPoints, { timeout: UI }).toBe(240);
    await shot('datasets-imported-dims');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('datasets-imported-dims-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('Export CSV downloads the previewed points with every column', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId('dataset-csv').click()]);
    expect(download.suggestedFilename()).toBe('ellipse3d-preview.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('x0,x1,x2');
    expect(lines.length).toBe(1 + 240);
    for (const line of lines.slice(1, 20)) expect(line.split(',').map(Number).every(Number.isFinite)).toBe(true);
  });

  it('the New run form previews the imported 3-D dataset with the same projection choice', async () => {
    await page.getByRole('link', { name: 'New run' }).click();
    await page.waitForURL(/#\/new$/, { timeout: UI });
    await page.getByLabel('Dataset (target)').selectOption('ellipse3d');
    const preview = page.getByTestId('dataset-preview');
    await expect.poll(async () => Number(await preview.getAttribute('data-points')), { timeout: UI }).toBe(240);
    expect(await page.getByTestId('preview-proj-pca').isChecked()).toBe(true);
    expect(await page.getByTestId('dataset-preview-note').innerText()).toMatch(/PC1 \((89|90|91)% of variance\)/);
    await page.getByTestId('preview-proj-pca').uncheck();
    await expect.poll(() => page.getByTestId('dataset-preview-note').innerText(), { timeout: UI }).toMatch(/x: x0 · y: x1/);
    await shot('datasets-newrun-preview');
  });

  it('nothing went wrong in the page: no script errors, no CSP violations, no failed requests', () => {
    expect(pageErrors).toEqual([]);
  });
});
