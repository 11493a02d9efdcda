// A portfolio run in the app (issue 26), in a real browser against a real server: one model (trained
// on EURUSD 1d) applied to EURUSD and AAPL as one portfolio, out of sample. The Backtests view shows
// the legs table (one row per leg, the same text as the result through the metric catalogue), the
// portfolio equity and gross exposure, each leg's PnL curve, the legs' correlation and the trades
// with their leg; Run comparison puts the portfolio beside the single-symbol backtest of the same
// model. Screenshots go to test-output/e2e/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMetric } from '../../src/shared/metrics-catalog';
import { parseOperationResult, type PortfolioResult } from '../../src/shared/results';
import { apiCall, assertRendererBuilt, browserUnavailableReason, openBrowser, screenshot, startServer, waitFor, waitOperationEnd, type BrowserSession, type Server } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping the portfolio views: ${skipReason}`);

const RANGE = { start_date: '2020-01-01', end_date: '2021-06-30' };

async function started(server: Server, path: string, body: Record<string, unknown>): Promise<string> {
  const r = await apiCall(server, 'POST', path, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const id = (r.body.operation_id ?? r.body.task_id) as string;
  const op = await waitOperationEnd(server, id, 180_000, `${path} ${id}`);
  expect(`${op.status} ${op.error_message ?? ''}`, server.output()).toBe('completed ');
  return id;
}

describe.skipIf(!!skipReason)('a portfolio run in the app (browser)', () => {
  let server: Server;
  let b: BrowserSession;
  let singleId: string;
  let portfolioId: string;
  let result: PortfolioResult;

  beforeAll(async () => {
    assertRendererBuilt();
    server = await startServer();
    await started(server, '/trainings/start', { strategy_name: 'neuro_mean_reversion', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2010-01-01', end_date: '2019-12-31' });
    singleId = await started(server, '/backtests/start', { strategy_name: 'neuro_mean_reversion', symbol: 'EURUSD', timeframe: '1d', ...RANGE, random_runs: 30 });
    portfolioId = await started(server, '/backtests/portfolio/start', { strategy_name: 'neuro_mean_reversion', symbols: ['EURUSD', 'AAPL'], timeframe: '1d', ...RANGE, random_runs: 30, rebalance: 'month' });
    const typed = parseOperationResult('backtesting', (await apiCall(server, 'GET', `/operations/${portfolioId}/results?form=contract`)).body.results);
    expect(typed?.type).toBe('portfolio');
    result = typed!.result as PortfolioResult;
    b = await openBrowser();
  }, 420_000);

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('Backtests: the legs table, portfolio equity and gross exposure, each leg’s PnL, correlation and the trades by leg', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/backtests`);
    await waitFor(async () => (await page.getByTestId('recent-backtesting').locator(`option[value="${portfolioId}"]`).count()) > 0, 15_000, 'the portfolio in the list');
    await page.getByTestId('recent-backtesting').selectOption({ value: portfolioId });
    const view = page.getByTestId('portfolio-results');
    await view.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('backtest-results').count()).toBe(0); // not the single-symbol view

    // The legs table: one row per leg, each cell the catalogue's text of the result's value.
    const legs = page.getByTestId('pf-legs');
    await legs.locator('tr[data-column]').first().waitFor({ timeout: 15_000 });
    expect(await legs.locator('tr[data-column]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-column')))).toEqual(['EURUSD', 'AAPL']);
    for (const [i, leg] of result.legs.entries()) {
      expect(await legs.locator(`td[data-path="legs.${i}.costs.net_pnl"]`).textContent()).toBe(formatMetric('net_pnl', leg.costs.net_pnl, { currency: 'USD' }));
      expect(await legs.locator(`td[data-path="legs.${i}.contribution"]`).textContent()).toBe(formatMetric('contribution', leg.contribution));
      expect(await legs.locator(`td[data-path="legs.${i}.capital_invested"]`).textContent()).toBe(formatMetric('capital_invested', leg.capital_invested));
      expect(await legs.locator(`td[data-path="legs.${i}.out_of_sample"]`).textContent()).toBe('yes');
    }
    const heads = await legs.locator('thead th').allTextContents();
    for (const h of ['Net PnL', 'Commission', 'Spread cost', 'Contribution', 'Avg equity invested', 'Time in market', 'Out of sample', 'In-sample bars']) expect(heads).toContain(h);

    // Curves: the portfolio's equity and gross exposure, and one line per leg.
    for (const id of ['pf-equity-chart', 'pf-gross-exposure', 'pf-leg-curves']) await page.getByTestId(id).locator('canvas').first().waitFor({ timeout: 15_000 });
    const legend = (await page.getByTestId('pf-leg-curves').textContent()) ?? '';
    expect(legend).toMatch(/EURUSD PnL[\s\S]*AAPL PnL/);
    // Correlation: 1 on the diagonal, the pair's value elsewhere.
    const corr = page.getByTestId('pf-correlation');
    expect(await corr.locator('td[data-path="correlation.matrix.0.0"]').textContent()).toBe('1.00');
    expect(await corr.locator('td[data-path="correlation.matrix.0.1"]').textContent()).toBe(formatMetric('correlation', result.correlation.matrix![0][1]));
    // The benchmark is the equal-weight buy & hold of the two legs.
    expect(await page.getByTestId('pf-benchmarks').locator('xpath=..').locator('h3').textContent()).toBe('Against equal-weight buy & hold (same costs)');
    // The trades carry their leg.
    await page.getByTestId('trades-table').waitFor({ timeout: 15_000 });
    const symbols = new Set(await page.locator('[data-testid="trades-table"] tbody tr td:last-child').allTextContents());
    expect([...symbols].sort()).toEqual(['AAPL', 'EURUSD'].filter((s) => result.legs.find((l) => l.symbol === s)!.total_trades > 0));
    expect(await page.getByTestId('pf-trades-heading').textContent()).toBe(`Trades (${result.trade_count})`);
    await screenshot(page, 'portfolio-backtest');
    await legs.scrollIntoViewIfNeeded();
    await screenshot(page, 'portfolio-legs');
  });

  it('Run comparison: the portfolio beside the single-symbol backtest, its sizing and legs, both equity curves', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/operations`);
    for (const id of [singleId, portfolioId]) {
      await page.getByTestId(`op-row-${id}`).waitFor({ timeout: 15_000 });
      await page.getByTestId(`op-row-${id}`).getByTestId('op-compare').check();
    }
    await page.getByTestId('ops-compare').click();
    const cmp = page.getByTestId('run-comparison');
    await cmp.locator('[data-testid="comparison-metrics"] tr[data-key="sharpe_ratio"]').waitFor({ timeout: 15_000 });
    const settings = (await cmp.getByTestId('comparison-settings').textContent()) ?? '';
    expect(settings).toContain('EURUSD, AAPL');
    expect(settings).toContain('equal weight (max gross exposure ÷ legs)');
    // Which side is which follows the order the rows were ticked in the table; find the portfolio's column.
    const ids = (await cmp.getAttribute('data-ids'))!.split(',');
    const pfCol = ids.indexOf(portfolioId);
    const leg = await cmp.locator('[data-testid="comparison-metrics"] tr[data-key="net_pnl@AAPL"] td').allTextContents();
    expect(leg[pfCol]).toBe(formatMetric('net_pnl', result.legs[1].costs.net_pnl, { currency: 'USD' }));
    expect(leg[1 - pfCol]).toBe('—'); // the single backtest has no AAPL leg
    const total = await cmp.locator('[data-testid="comparison-metrics"] tr[data-key="total_return_pct"] td').allTextContents();
    expect(total[pfCol]).toBe(formatMetric('total_return_pct', result.metrics.total_return_pct));
    await cmp.locator('[data-testid="comparison-curves"] canvas').first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'portfolio-compare');
  });

  it('Backtests form: several symbols start one portfolio with the chosen sizing and rebalancing', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/backtests`);
    await page.getByTestId('bt-strategy_name').fill('neuro_mean_reversion');
    await page.getByTestId('bt-symbol').fill('EURUSD, AAPL');
    await page.getByTestId('bt-timeframe').selectOption('1d');
    await page.getByTestId('bt-start_date').fill(RANGE.start_date);
    await page.getByTestId('bt-end_date').fill(RANGE.end_date);
    await page.getByTestId('bt-sizing').selectOption('fixed_fraction');
    await page.getByTestId('bt-sizing_value').fill('0.2');
    await page.getByTestId('bt-rebalance').selectOption('month');
    expect(await page.getByTestId('bt-submit').textContent()).toBe('Run portfolio backtest');
    await page.getByTestId('bt-submit').click();
    // The view switches to the new run (not the one the first test selected) and shows it when it completes.
    await waitFor(async () => ![singleId, portfolioId, ''].includes(await page.getByTestId('recent-backtesting').inputValue()), 30_000, 'the new run selected');
    const id = await page.getByTestId('recent-backtesting').inputValue();
    await waitOperationEnd(server, id, 180_000, `portfolio from the form ${id}`);
    await waitFor(async () => ((await page.getByTestId('pf-settings').count()) > 0 ? ((await page.getByTestId('pf-settings').textContent()) ?? '').includes('fixed fraction') : false), 30_000, 'its settings shown');
    const settings = (await page.getByTestId('pf-settings').textContent()) ?? '';
    expect(settings).toContain('EURUSD, AAPL 1d');
    expect(settings).toContain(`sizing: fixed fraction ${formatMetric('contribution', 0.2)} of equity`);
    expect(settings).toContain('rebalancing: month');
    // The operation is a portfolio backtest with exactly those settings.
    const op = (await apiCall(server, 'GET', `/operations/${id}`)).body.data as { metadata: { parameters: Record<string, unknown> } };
    expect(op.metadata.parameters).toMatchObject({ portfolio: true, symbols: ['EURUSD', 'AAPL'], sizing: { type: 'fixed_fraction', fraction: 0.2 }, rebalance: 'month', max_gross_exposure: 1 });
    await screenshot(page, 'portfolio-from-form');
  });
});
