/**
 * The Compare view end to end, in Debian's Chromium against a real `cfm
 * serve` (test/e2e/uiHarness.ts): two short 2-D runs that differ only in lr
 * are opened at #/compare/<a>,<b>; the loss chart overlays two curves, the
 * metrics table has a row per run, the configs table lists every key and
 * "Differences only" leaves just lr, both runs' samples and trajectories
 * are drawn on shared axes, and "Evaluate solvers" over a small grid at
 * n = 200 puts points on the W2-vs-NFE chart as they arrive (then finds
 * nothing left to do, and Cancel stops after the current call); each run's
 * samples and the stored evaluations export as CSV. Two runs on an imported
 * 3-D dataset are drawn through one projection (PCA by default, or two
 * picked columns) with the axes named. Designed states: one run named, a run
 * id that does not exist, a run with no checkpoint yet. The header's "not
 * connected" clears once the server answers again, and a resync of the event
 * stream asks info() again. Screenshots go to test-artifacts/ui-compare-*.png.
 * Needs `npm run build` first (npm test does it) and /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInput, ApiMethod, ApiOutput, WorkbenchBridge } from '../../app/contract.js';
import { openWorkbench, UI, type UiSession } from './uiHarness.js';

let ui: UiSession;
let page: Page;
let pageErrors: string[];
let expectedFailures: Set<string>;
let shot: (name: string) => Promise<void>;
let a = 0;
let b = 0;

function call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
  return page.evaluate(
    ([m, i]) => {
      const api = (globalThis as unknown as { workbench: WorkbenchBridge }).workbench.api as unknown as Record<string, (x: unknown) => Promise<unknown>>;
      return api[m]!(i);
    },
    [method, input] as const,
  ) as Promise<ApiOutput<M>>;
}

async function go(hash: string): Promise<void> {
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);
}

const attr = async (testid: string, name: string): Promise<number> => Number(await page.getByTestId(testid).getAttribute(`data-${name}`));

/** Small and quick: 300 steps of batch 128 on moons, a validation loss every 100 steps. */
const CONFIG = { dataset: 'moons', method: 'icfm', steps: 300, batch: 128, width: 32, validateEvery: 100, checkpointEvery: 300 };

beforeAll(async () => {
  ui = await openWorkbench({ label: 'ui-compare', shotPrefix: 'compare-', height: 900, acceptDownloads: true });
  ({ page, pageErrors, expectedFailures, shot } = ui);
});

afterAll(async () => {
  await ui?.close();
});

describe('the Compare view in Chromium against cfm serve', () => {
  it('with one run named, it says how to pick runs to compare', async () => {
    await go('#/compare/1');
    await page.getByText('Pick at least two runs to compare').waitFor({ timeout: UI });
    expect(await page.getByTestId('compare-view').getByRole('link', { name: 'runs table' }).getAttribute('href')).toBe('#/runs');
    await shot('one-run');
  });

  it('two runs differing in lr: curves overlaid, a metrics row per run, every config key and only lr under "Differences only"', async () => {
    a = (await call('startRun', { config: { ...CONFIG, lr: 1e-3 }, name: 'lr-1e-3' })).id;
    b = (await call('startRun', { config: { ...CONFIG, lr: 5e-3 }, name: 'lr-5e-3' })).id;
    for (const id of [a, b]) {
      await expect.poll(async () => (await call('getRun', { run: id })).status, { timeout: 150_000, interval: 500 }).toBe('completed');
    }
    await go(`#/compare/${a},${b}`);
    const chart = page.getByTestId('compare-chart');
    await chart.waitFor({ timeout: UI });
    await expect.poll(() => attr('compare-chart', 'lines'), { timeout: UI }).toBe(2);
    expect(await attr('compare-chart', 'points')).toBeGreaterThan(100);
    expect(await page.getByTestId('compare-legend').getByRole('button').allInnerTexts()).toEqual([`#${a} lr-1e-3`, `#${b} lr-5e-3`]);

    // Hiding a run from the legend leaves one line; showing it again, two.
    const legendA = page.getByTestId('compare-legend').getByRole('button').first();
    await legendA.click();
    await expect.poll(() => attr('compare-chart', 'lines'), { timeout: UI }).toBe(1);
    expect(await legendA.getAttribute('aria-pressed')).toBe('false');
    await legendA.press('Enter');
    await expect.poll(() => attr('compare-chart', 'lines'), { timeout: UI }).toBe(2);

    // Smoothing 0 and wall time: still two lines.
    await page.getByTestId('compare-smoothing').fill('0');
    await expect.poll(() => page.getByTestId('compare-smoothing-value').innerText(), { timeout: UI }).toBe('0.00');
    await page.getByTestId('compare-x-time').check();
    await expect.poll(() => attr('compare-chart', 'lines'), { timeout: UI }).toBe(2);
    await page.getByTestId('compare-x-step').check();
    await page.getByTestId('compare-smoothing').fill('0.8');

    const metrics = page.getByTestId('metrics-table').locator('tbody tr');
    expect(await metrics.count()).toBe(2);
    expect(await metrics.first().getAttribute('data-run')).toBe(String(a));
    expect(await page.getByTestId('metrics-table').locator('td.best[data-col="loss"]').count()).toBe(1);
    const lossCells = await page.getByTestId('metrics-table').locator('td[data-col="loss"]').allInnerTexts();
    for (const text of lossCells) expect(text).toMatch(/^\d/);

    const keys = Object.keys((await call('getRun', { run: a })).config).sort();
    const configRows = page.getByTestId('config-table').locator('tbody tr');
    expect(await configRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')))).toEqual(keys);
    expect(await page.getByTestId('config-table').locator('tr.differs').count()).toBe(1);
    await shot('loaded');
    await page.getByTestId('config-diff-only').check();
    await expect.poll(() => configRows.count(), { timeout: UI }).toBe(1);
    expect(await configRows.first().getAttribute('data-key')).toBe('lr');
    expect(await configRows.first().locator('td').allInnerTexts()).toEqual(['0.001', '0.005']);
    await page.getByTestId('config-diff-only').uncheck();
    await expect.poll(() => configRows.count(), { timeout: UI }).toBe(keys.length);
  });

  it('both runs’ samples and trajectories are drawn, on shared axes, moved together by one t slider', async () => {
    // 2,000 points of the data under 1,000 generated ones; 50 trajectories each.
    for (const id of [a, b]) {
      await expect.poll(() => attr(`compare-samples-${id}`, 'points'), { timeout: 60_000, interval: 200 }).toBe(3000);
      expect(await attr(`compare-paths-${id}`, 'paths')).toBe(50);
    }
    await page.getByTestId('compare-t').fill('0.5');
    await expect.poll(() => page.getByTestId('compare-t-value').innerText(), { timeout: UI }).toBe('0.50');
    for (const id of [a, b]) {
      const label = await page.getByTestId(`compare-paths-${id}`).locator('xpath=..').getAttribute('aria-label');
      expect(label).toMatch(/t = 0\.50/);
    }
    await page.getByTestId('solver-panel').scrollIntoViewIfNeeded();
    await shot('samples');
  });

  it('"Evaluate solvers" over a small grid at n = 200 puts each result on the W2-vs-NFE chart, then has nothing left to do', async () => {
    expect(await attr('solver-chart', 'points')).toBe(0);
    await page.getByTestId('solver-empty').waitFor({ timeout: UI });
    await page.getByTestId('grid-midpoint').uncheck();
    await page.getByTestId('grid-dopri5').uncheck();
    await page.getByTestId('grid-euler-steps').fill('2, 8');
    await page.getByTestId('grid-rk4-steps').fill('2');
    // A bad n is explained under its input and blocks the button.
    await page.getByTestId('eval-n').fill('1');
    await expect.poll(() => page.getByTestId('eval-n-error').innerText(), { timeout: UI }).toMatch(/n: .*2 to 10,000/);
    expect(await page.getByTestId('evaluate').isDisabled()).toBe(true);
    await page.getByTestId('eval-n').fill('200');
    await expect.poll(() => page.getByTestId('evaluate-plan').innerText(), { timeout: UI }).toMatch(/^6 evaluations to run/);
    await page.getByTestId('evaluate').click();
    await expect.poll(() => page.getByTestId('evaluate-status').innerText(), { timeout: 120_000 }).toMatch(/^Done: 6 evaluations/);
    expect(await page.getByTestId('evaluate-outcome').innerText()).toBe('Done: 6 evaluations.');
    await expect.poll(() => attr('solver-chart', 'points'), { timeout: UI }).toBe(6);
    // One line per run and solver: (a, b) x (euler, rk4).
    expect(await attr('solver-chart', 'series')).toBe(4);
    const w2 = await page.getByTestId('metrics-table').locator('td[data-col="w2"]').allInnerTexts();
    for (const text of w2) expect(text).toMatch(/^\d/);
    // Every setting of the grid is now stored: nothing left to run.
    await expect.poll(() => page.getByTestId('evaluate-plan').innerText(), { timeout: UI }).toMatch(/^Nothing to do/);
    expect(await page.getByTestId('evaluate').isDisabled()).toBe(true);
    const stored = (await call('getRun', { run: a })).evaluations;
    expect(stored.map((e) => `${e.solver}:${e.steps}:${e.n}`).sort()).toEqual(['euler:2:200', 'euler:8:200', 'rk4:2:200']);
    await page.getByTestId('solver-panel').scrollIntoViewIfNeeded();
    await shot('evaluated');
  });

  it('Cancel stops the grid after the evaluation in flight', async () => {
    // n = 1,000 (slower: exact W2 on 1,000 points) so that Cancel lands while the first call runs.
    await page.getByTestId('grid-rk4').uncheck();
    await page.getByTestId('grid-euler-steps').fill('4');
    await page.getByTestId('eval-n').fill('1000');
    await expect.poll(() => page.getByTestId('evaluate-plan').innerText(), { timeout: UI }).toMatch(/^2 evaluations to run\.$/);
    await page.getByTestId('evaluate').click();
    await page.getByTestId('evaluate-cancel').click();
    await expect.poll(() => page.getByTestId('evaluate-outcome').innerText(), { timeout: 60_000 }).toMatch(/^(Cancelled after 1 of 2 evaluations|Done: 2 evaluations)\.$/);
    const outcome = await page.getByTestId('evaluate-outcome').innerText();
    const done = outcome.startsWith('Done') ? 2 : 1;
    await expect.poll(() => attr('solver-chart', 'points'), { timeout: UI }).toBe(6 + done);
    // The cancelled setting is still to do; the finished one is not.
    await expect.poll(() => page.getByTestId('evaluate-plan').innerText(), { timeout: UI }).toMatch(done === 1 ? /^1 evaluation to run \(1 already stored/ : /^Nothing to do/);
  });

  it('Export CSV saves a row per run; Save PNG saves the charts as PNG', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId('metrics-csv').click()]);
    expect(csv.suggestedFilename()).toBe(`compare-${a}-${b}-metrics.csv`);
    const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^run,name,status,loss,val_loss,w2/);
    expect(lines[1]).toMatch(new RegExp(`^${a},lr-1e-3,completed,`));
    // Each run's samples: 1,000 rows of x0, x1 (numbers), named by run and checkpoint step.
    const [samples] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId(`compare-samples-${b}-csv`).click()]);
    expect(samples.suggestedFilename()).toBe(`run-${b}-step-300-samples.csv`);
    const sampleLines = readFileSync(await samples.path(), 'utf8').trim().split('\n');
    expect(sampleLines[0]).toBe('x0,x1');
    expect(sampleLines).toHaveLength(1001);
    for (const line of sampleLines.slice(1)) {
      const cells = line.split(',').map(Number);
      expect(cells).toHaveLength(2);
      expect(cells.every(Number.isFinite)).toBe(true);
    }
    // Every stored evaluation of both runs, a row each.
    const stored = [...(await call('getRun', { run: a })).evaluations.map((e) => ({ run: a, ...e })), ...(await call('getRun', { run: b })).evaluations.map((e) => ({ run: b, ...e }))];
    const [evals] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId('solver-evaluations-csv').click()]);
    expect(evals.suggestedFilename()).toBe(`compare-${a}-${b}-evaluations.csv`);
    const evalLines = readFileSync(await evals.path(), 'utf8').trim().split('\n');
    expect(evalLines[0]).toBe('run,name,solver,steps,nfe,n,checkpoint_step,w2,w1,mmd,npe');
    expect(evalLines).toHaveLength(1 + stored.length);
    const rows = evalLines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => `${r[0]}:${r[2]}:${r[3]}:${r[5]}`).sort()).toEqual(stored.map((e) => `${e.run}:${e.solver}:${e.steps ?? ''}:${e.n}`).sort());
    for (const r of rows) {
      for (const k of [0, 4, 5, 6, 7, 8, 9, 10]) expect(Number.isFinite(Number(r[k])) && r[k] !== '').toBe(true);
      const e = stored.find((x) => String(x.run) === r[0] && x.solver === r[2] && String(x.steps ?? '') === r[3] && String(x.n) === r[5])!;
      expect(r[3] === '' ? e.steps === null : Number(r[3]) === e.steps).toBe(true);
      expect(Number(r[7])).toBe(e.metrics['w2']);
    }
    for (const testid of ['compare-chart-png', 'solver-chart-png']) {
      const [png] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId(testid).click()]);
      expect(png.suggestedFilename()).toMatch(/\.png$/);
      const bytes = readFileSync(await png.path());
      expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
  });

  it('in the dark theme the view keeps its colours readable', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.waitForTimeout(200);
    await shot('loaded-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('runs on 3-D data are drawn through one projection: PCA of the data by default, or two picked columns, axes named', async () => {
    // A helix: x = 2 cos th, y = 2 sin th, z = th / 2 over three turns (240 rows, a header line).
    const rows = Array.from({ length: 240 }, (_, k) => {
      const th = (6 * Math.PI * k) / 240;
      return `${(2 * Math.cos(th)).toFixed(4)},${(2 * Math.sin(th)).toFixed(4)},${(th / 2).toFixed(4)}`;
    });
    const imported = await page.evaluate(
      (text) =>
        (globalThis as unknown as { workbench: { api: { importDataset(i: object): Promise<{ name: string; dim: number | string }> } } }).workbench.api.importDataset({
          name: 'helix3',
          fileName: 'helix3.csv',
          content: new TextEncoder().encode(text),
        }),
      ['a,b,c', ...rows].join('\n'),
    );
    expect(imported.dim).toBe(3);
    const config = { ...CONFIG, dataset: 'helix3', steps: 200, checkpointEvery: 200, validateEvery: 0 };
    const c = (await call('startRun', { config: { ...config, lr: 1e-3 }, name: 'helix-a' })).id;
    const d = (await call('startRun', { config: { ...config, lr: 5e-3 }, name: 'helix-b' })).id;
    for (const id of [c, d]) {
      await expect.poll(async () => (await call('getRun', { run: id })).status, { timeout: 150_000, interval: 500 }).toBe('completed');
    }
    const dataN = (await call('previewDataset', { name: 'helix3', n: 2000, seed: 0 })).n;
    await go(`#/compare/${c},${d}`);
    for (const id of [c, d]) await expect.poll(() => attr(`compare-samples-${id}`, 'points'), { timeout: 60_000, interval: 200 }).toBe(1000 + dataN);
    expect(await page.getByTestId('compare-proj-pca').isChecked()).toBe(true);
    expect(await page.getByTestId('compare-proj-x').isDisabled()).toBe(true);
    expect(await page.getByTestId('compare-axis-x').innerText()).toMatch(/^PC1 \(\d+% of variance\)$/);
    expect(await page.getByTestId('compare-axis-y').innerText()).toMatch(/^PC2 \(\d+% of variance\)$/);
    expect(await page.getByTestId('compare-projected').innerText()).toMatch(/principal components of the data drawn in grey, fitted once/);
    const label = await page.getByTestId(`compare-samples-${c}`).locator('xpath=..').getAttribute('aria-label');
    expect(label).toMatch(/x: PC1 .*, y: PC2/);
    for (const id of [c, d]) expect(await attr(`compare-paths-${id}`, 'paths')).toBe(50);
    await page.getByTestId('compare-samples').scrollIntoViewIfNeeded();
    await shot('projected-pca');

    // Columns x0 and x2: the helix from the side, in every run's pictures.
    await page.getByTestId('compare-proj-pca').uncheck();
    await page.getByTestId('compare-proj-y').selectOption('2');
    await expect.poll(() => page.getByTestId('compare-axis-y').innerText(), { timeout: UI }).toBe('x2');
    expect(await page.getByTestId('compare-axis-x').innerText()).toBe('x0');
    expect(await page.getByTestId('compare-projected').innerText()).toMatch(/Two columns/);
    for (const id of [c, d]) {
      await expect.poll(() => page.getByTestId(`compare-samples-${id}`).locator('xpath=..').getAttribute('aria-label'), { timeout: UI }).toMatch(/x: x0, y: x2/);
      expect(await attr(`compare-samples-${id}`, 'points')).toBe(1000 + dataN);
    }
    await shot('projected-columns');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(200);
    await shot('projected-columns-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // The CSV holds every column, not the projection.
    const [csv] = await Promise.all([page.waitForEvent('download', { timeout: UI }), page.getByTestId(`compare-samples-${c}-csv`).click()]);
    expect(csv.suggestedFilename()).toBe(`run-${c}-step-200-samples.csv`);
    const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('x0,x1,x2');
    expect(lines).toHaveLength(1001);
    expect(lines[1]!.split(',').map(Number).every(Number.isFinite)).toBe(true);
  });

  it('a run id that does not exist is named, with a way back to the runs', async () => {
    expectedFailures.add('/api/compareRuns');
    await go(`#/compare/${a},99999`);
    await page.getByText('Run 99999 does not exist').waitFor({ timeout: UI });
    expect(await page.getByTestId('compare-missing').innerText()).toBe('#99999');
    expect(await page.getByRole('link', { name: 'Back to the runs' }).getAttribute('href')).toBe('#/runs');
    await shot('missing');
  });

  it('a run without a checkpoint yet shows a designed message in its sample panels, not an error', async () => {
    const c = (await call('startRun', { config: { ...CONFIG, steps: 100_000, checkpointEvery: 100_000, validateEvery: 0 }, name: 'long' })).id;
    await go(`#/compare/${a},${c}`);
    const panel = page.getByTestId(`samples-panel-${c}`);
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: UI }).toBe('untrained');
    expect(await panel.innerText()).toMatch(/No checkpoint yet/);
    await expect.poll(() => attr(`compare-samples-${a}`, 'points'), { timeout: 60_000 }).toBe(3000);
    await page.getByTestId('compare-samples').scrollIntoViewIfNeeded();
    await shot('untrained');
    await call('cancelRun', { run: c });
  });

  it('the header says "not connected" while info() fails, and recovers by itself once the server answers', async () => {
    await go('#/runs');
    await page.route('**/api/info', (route) => route.abort());
    await page.reload();
    await expect.poll(() => page.getByTestId('backend').innerText(), { timeout: UI }).toBe('not connected');
    await shot('not-connected');
    await page.unroute('**/api/info');
    await expect.poll(() => page.getByTestId('backend').innerText(), { timeout: UI }).toMatch(/^backend \S+/);
  });

  it('after the event stream breaks and comes back (resync), the header asks info() again', async () => {
    // The first event stream of the reloaded page ends at once; the browser reconnects (retry: 300 ms) to the real one.
    let streams = 0;
    let infos = 0;
    const countInfo = (r: { url(): string }): void => {
      if (new URL(r.url()).pathname === '/api/info') infos++;
    };
    await page.route('**/api/events', async (route) => {
      streams++;
      if (streams === 1) await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: 'retry: 300\n\n' });
      else await route.continue();
    });
    page.on('request', countInfo);
    await page.reload();
    await expect.poll(() => page.getByTestId('backend').innerText(), { timeout: UI }).toMatch(/^backend \S+/);
    // info() answered the first time, so only the resync asks again.
    await expect.poll(() => infos, { timeout: UI }).toBeGreaterThanOrEqual(2);
    expect(streams).toBeGreaterThanOrEqual(2);
    page.off('request', countInfo);
    await page.unroute('**/api/events');
  });

  it('nothing went wrong in the page: no script errors, no CSP violations, no failed requests', () => {
    expect(pageErrors).toEqual([]);
  });
});
