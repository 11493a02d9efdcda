// The Experiments view in a real browser: a walk-forward launched from the form fills in (children,
// folds, stitched equity), and a finished sweep shows its trials, DSR/PBO and parameter charts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFastStrategy } from '../integration/experiments/helpers';
import { apiCall, assertRendererBuilt, browserUnavailableReason, openBrowser, screenshot, startServer, waitFor, type BrowserSession, type Server } from './harness';

/** Texts (cell by cell, so neighbours do not run together) under a test id that show a raw float or e-notation. */
async function rawNumbers(page: BrowserSession['page'], testId: string): Promise<string[]> {
  const texts = await page.locator(`[data-testid="${testId}"] :is(td, p, text, figcaption, small, span)`).allTextContents();
  return texts.filter((t) => /\d\.\d{6,}|\de[+-]\d/.test(t));
}

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
    // Dates are ISO text fields (a native date input shows mm/dd/yyyy in an en-US browser).
    expect(await page.getByTestId('exp-start_date').getAttribute('type')).toBe('text');
    expect(await page.getByTestId('exp-start_date').inputValue()).toBe('2017-01-01');
    // The sweep's search space is a form of rows, not raw JSON; a row without a path is named.
    await page.getByTestId('exp-kind-sweep').check();
    expect(await page.getByTestId('exp-space-path-0').inputValue()).toBe('indicators.rsi_14.period');
    await page.getByTestId('exp-space-add').click();
    await page.getByTestId('exp-space-mode-2').selectOption('values');
    await page.getByTestId('exp-space-values-2').fill('0.5, 0.6');
    await page.getByTestId('exp-strategy_name').fill('nmr_fast');
    await page.getByTestId('exp-submit').click();
    await waitFor(async () => /Search space row 3: give the strategy path/.test((await page.getByTestId('exp-server-error').textContent()) ?? ''), 5000, 'the row named');
    await page.getByTestId('exp-kind-walk_forward').check();
    await page.getByTestId('exp-max_parallel').fill('1');
    await page.getByTestId('exp-submit').click();
    await page.getByTestId('experiment-panel').waitFor();
    await waitFor(async () => (await page.locator('[data-testid="experiment-children"] tbody tr').count()) >= 2, 120_000, 'children to appear');
    await waitFor(async () => (await page.getByTestId('experiment-status').textContent())?.includes('running') ?? false, 5000, 'running status');
    await screenshot(page, 'experiments-walk-forward-running');
    await waitFor(async () => (await page.getByTestId('experiment-status').textContent())?.includes('completed') ?? false, 170_000, 'walk-forward to complete');
    await page.getByTestId('wf-stitched-equity').waitFor();
    // The presenter's sections (the CLI and the MCP server show the same rows): one row per fold.
    const cell = (section: string, key: string) => page.locator(`[data-testid="exp-section-${section}"] tr[data-key="${key}"] td`).first().textContent();
    expect(await page.locator('[data-testid="exp-section-folds"] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid="experiment-children"] tbody tr').count()).toBe(6);
    expect(await cell('fold_counts', 'folds')).toBe('3');
    expect(await cell('fold_counts', 'profitable_folds')).toMatch(/^[0-3]$/);
    // Costs in total, in the instrument's currency (EURUSD: USD): no commission, a spread.
    expect(await page.locator('[data-section="costs"] h3').textContent()).toBe('Costs over 3 folds (USD)');
    expect(await cell('costs', 'gross_pnl')).toMatch(/^-?[\d,]+\.\d\d USD$/);
    expect(await cell('costs', 'commission')).toBe('0.00 USD');
    expect(await cell('costs', 'spread_cost')).toMatch(/^[\d,]+\.\d\d USD$/);
    // Every number through the catalogue: no raw floats or e-notation anywhere in the results.
    expect(await rawNumbers(page, 'walk-forward-results')).toEqual([]);
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
    expect(await page.locator('[data-testid="exp-section-trials"] tbody tr').count()).toBe(3);
    expect(await page.getByTestId('sweep-summary').textContent()).toMatch(/chosen: trial \d/);
    expect(await page.locator('[data-section="final"] h3').textContent()).toMatch(/^Final holdout: trial \d, evaluated once$/);
    const row = (section: string, key: string) => page.locator(`[data-testid="exp-section-${section}"] tr[data-key="${key}"] td`).first().textContent();
    expect(await row('final', 'total_return_pct')).toMatch(/^-?[\d.]+%$/);
    // DSR in its catalogue unit (percent) or "—" with the reason; each with its one-line definition.
    expect(await row('overfitting', 'deflated_sharpe_ratio')).toMatch(/^(-?[\d.]+%|—.+)$/);
    expect(await row('overfitting', 'pbo')).toMatch(/^—PBO needs at least 8 trials/);
    const definitions = (await page.getByTestId('sweep-definitions').textContent()) ?? '';
    expect(definitions).toMatch(/Probability that the true Sharpe is above 0/);
    expect(definitions).toMatch(/Share of splits where the in-sample best configuration ranks below the median/);
    expect(await rawNumbers(page, 'sweep-results')).toEqual([]);
    expect(await page.locator('[data-testid="sweep-scatter-indicators.rsi_14.period"] circle').count()).toBe(3);
    await screenshot(page, 'experiments-sweep-finished');

    // Side by side with the walk-forward of the first test.
    const wf = (await apiCall(server, 'GET', '/experiments')).body.data.find((o: any) => o.operation_type === 'walk_forward');
    await page.getByTestId('compare-select').selectOption(wf.operation_id);
    await page.getByTestId('compare-table').waitFor();
    expect((await page.getByTestId('compare-table').textContent()) ?? '').toMatch(/Out-of-sample window/);
    // The numbers side by side through the presenter: catalogue labels, the same rows on both sides, none a bare dash.
    const metrics = (await page.getByTestId('compare-metrics').textContent()) ?? '';
    expect(metrics).toMatch(/Deflated Sharpe ratio/);
    expect(metrics).toMatch(/Total return %/);
    const cells = await page.locator('[data-testid="compare-metrics"] tbody td').allTextContents();
    expect(cells.filter((c) => c.trim() === '—')).toEqual([]);
    expect(metrics).toMatch(/n\/a: a sweep has no folds/);
    await page.getByTestId('compare-table').scrollIntoViewIfNeeded();
    await screenshot(page, 'experiments-compare');
    expect(apiErrors).toEqual([]);
    expect(b.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
