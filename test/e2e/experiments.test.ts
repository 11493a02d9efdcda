// The Experiments view in a real browser: a walk-forward launched from the form fills in (children,
// folds, stitched equity), and a finished sweep shows its trials, DSR/PBO and parameter charts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFastStrategy } from '../integration/experiments/helpers';
import { apiCall, assertRendererBuilt, browserUnavailableReason, openBrowser, screenshot, startServer, waitFor, type BrowserSession, type Server } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping the experiments view: ${skipReason}`);

describe.skipIf(Boolean(skipReason))('Experiments view', () => {
  let server: Server;
  let b: BrowserSession;
  const apiErrors: string[] = [];
  beforeAll(async () => {
    assertRendererBuilt();
    server = await startServer();
    writeFastStrategy(server.home, 'nmr_fast', 2);
    b = await openBrowser();
    b.page.on('response', (r) => r.status() >= 400 && r.url().includes('/api/') && apiErrors.push(`${r.status()} ${r.url()}`));
  });
  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('launches a walk-forward from the form and shows it filling in, then its stitched equity', async () => {
    const page = b.page;
    await page.goto(`${server.url}/#/experiments`);
    await page.getByTestId('view-experiments').waitFor();
    await page.getByTestId('exp-strategy_name').fill('nmr_fast');
    await page.getByTestId('exp-max_parallel').fill('1');
    await page.getByTestId('exp-submit').click();
    await page.getByTestId('experiment-panel').waitFor();
    await waitFor(async () => (await page.locator('[data-testid="experiment-children"] tbody tr').count()) >= 2, 120_000, 'children to appear');
    await waitFor(async () => (await page.getByTestId('experiment-status').textContent())?.includes('running') ?? false, 5000, 'running status');
    await screenshot(page, 'experiments-walk-forward-running');
    await waitFor(async () => (await page.getByTestId('experiment-status').textContent())?.includes('completed') ?? false, 170_000, 'walk-forward to complete');
    await page.getByTestId('wf-stitched-equity').waitFor();
    expect(await page.locator('[data-testid="wf-folds"] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid="experiment-children"] tbody tr').count()).toBe(6);
    expect(await page.getByTestId('wf-summary').textContent()).toMatch(/profitable folds \d\/3/);
    await screenshot(page, 'experiments-walk-forward-finished');
  });

  it('shows a finished sweep: trials, best trial, DSR/PBO and a parameter-vs-objective chart', async () => {
    const r = await apiCall(server, 'POST', '/experiments/sweeps/start', {
      strategy_name: 'nmr_fast',
      start_date: '2017-01-01',
      end_date: '2017-03-31',
      space: { 'indicators.rsi_14.period': { values: [7, 14, 21] } },
      sampler: 'grid',
      trials: 3,
      objective: 'oos_return',
      seed: 2,
    });
    expect(r.status).toBe(200);
    const id = r.body.operation_id as string;
    await waitFor(async () => (await apiCall(server, 'GET', `/operations/${id}`)).body.data.status === 'completed', 170_000, 'sweep to complete');
    const page = b.page;
    await page.reload();
    await page.getByTestId('view-experiments').waitFor();
    await waitFor(async () => (await page.locator(`[data-testid="experiment-select"] option[value="${id}"]`).count()) === 1, 10_000, 'sweep in the list');
    await page.getByTestId('experiment-select').selectOption(id);
    await page.getByTestId('sweep-results').waitFor();
    expect(await page.locator('[data-testid="sweep-trials"] tbody tr').count()).toBe(3);
    expect(await page.getByTestId('sweep-summary').textContent()).toMatch(/best: trial \d/);
    expect(await page.getByTestId('sweep-guards').textContent()).toMatch(/Deflated Sharpe Ratio: \d/);
    expect(await page.locator('[data-testid="sweep-scatter-indicators.rsi_14.period"] circle').count()).toBe(3);
    await screenshot(page, 'experiments-sweep-finished');

    // Side by side with the walk-forward of the first test.
    const wf = (await apiCall(server, 'GET', '/experiments')).body.data.find((o: any) => o.operation_type === 'walk_forward');
    await page.getByTestId('compare-select').selectOption(wf.operation_id);
    await page.getByTestId('compare-table').waitFor();
    const table = (await page.getByTestId('compare-table').textContent()) ?? '';
    expect(table).toMatch(/Deflated Sharpe Ratio/);
    expect(table).toMatch(/OOS return \(stitched\)/);
    await page.getByTestId('compare-table').scrollIntoViewIfNeeded();
    await screenshot(page, 'experiments-compare');
    expect(apiErrors).toEqual([]);
    expect(b.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
