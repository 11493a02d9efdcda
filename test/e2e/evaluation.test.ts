// Honest evaluation in the UI (issue 11): a trained model's verdict against the best constant, and a
// backtest that overlaps the model's training data shows the in-sample banner, the like-for-like
// benchmarks and the cost split. Screenshots go to test-output/e2e/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, assertRendererBuilt, browserUnavailableReason, openBrowser, screenshot, startServer, waitFor, waitOperationEnd, type BrowserSession, type Server } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping evaluation views: ${skipReason}`);

async function waitDone(server: Server, id: string): Promise<any> {
  const op = await waitOperationEnd(server, id, 120_000, `${id} to end`);
  expect(`${op.status} ${op.error_message ?? ''}`).toBe('completed ');
  return op;
}

describe.skipIf(!!skipReason)('honest evaluation in the UI (browser)', () => {
  let server: Server;
  let b: BrowserSession;
  let trainingId: string;
  let backtestId: string;

  beforeAll(async () => {
    assertRendererBuilt();
    server = await startServer();
    const t = await apiCall(server, 'POST', '/trainings/start', { strategy_name: 'neuro_mean_reversion', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2010-01-01', end_date: '2019-12-31' });
    expect(t.status).toBe(200);
    trainingId = t.body.task_id;
    await waitDone(server, trainingId);
    // 2018-2021 overlaps the model's data (to 2019-12).
    const bt = await apiCall(server, 'POST', '/backtests/start', { strategy_name: 'neuro_mean_reversion', symbol: 'EURUSD', timeframe: '1d', start_date: '2018-01-01', end_date: '2021-12-31' });
    expect(bt.status).toBe(200);
    expect(bt.body.warnings?.[0]).toMatch(/^In-sample backtest/);
    backtestId = bt.body.operation_id;
    await waitDone(server, backtestId);
    b = await openBrowser();
  }, 300_000);

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('training: the verdict against the best constant predictor, in words', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/training`);
    await waitFor(async () => (await page.getByTestId('recent-training').locator(`option[value="${trainingId}"]`).count()) > 0, 15_000, 'the training in the list');
    await page.getByTestId('recent-training').selectOption({ value: trainingId });
    const verdict = page.getByTestId('baseline-verdict');
    await verdict.waitFor({ timeout: 15_000 });
    expect(await verdict.textContent()).toMatch(/test: \d+\.\d\d% vs always-(BUY|HOLD|SELL) \d+\.\d\d% → .*\(p [=<] /);
    await screenshot(page, 'training-baseline-verdict');
  });

  it('backtest: in-sample banner, buy & hold at the same exposure, and the cost split', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/backtests`);
    await waitFor(async () => (await page.getByTestId('recent-backtesting').locator(`option[value="${backtestId}"]`).count()) > 0, 15_000, 'the backtest in the list');
    await page.getByTestId('recent-backtesting').selectOption({ value: backtestId });
    const banner = page.getByTestId('bt-in-sample-banner');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/In-sample backtest\. \d+ of \d+ bars lie inside the model's training data \(2010-\d\d-\d\d \.\. 2019-12-\d\d\)/);
    const heads = await page.locator('[data-testid="bt-benchmarks"] thead th').allTextContents();
    expect(heads).toEqual(['', 'Strategy', 'Buy & hold', 'B&H at same exposure']);
    const exposure = await page.locator('[data-testid="bt-benchmarks"] tr[data-key="capital_invested"] td').allTextContents();
    expect(exposure[1]).toBe('100.00%');
    // The strategy's average equity invested is what the third column matches.
    expect(exposure[0]).toBe(exposure[2]);
    const costs = await page.getByTestId('bt-costs').textContent();
    expect(costs).toMatch(/Gross PnL.*USD.*Commission.*Spread cost.*Slippage cost.*Net PnL/);
    // Definitions are reachable by keyboard: the label is a button; Enter opens it, Escape closes it.
    const term = page.getByTestId('bt-costs').getByTestId('metric-term-net_pnl');
    await term.focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('metric-definition-net_pnl').textContent()).toMatch(/Gross PnL minus commission/);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('metric-definition-net_pnl').count()).toBe(0);
    // The report's trade analysis is in the app too (monthly returns: the tearsheet's heatmap).
    for (const t of ['tearsheet-heatmap', 'bt-return-histogram', 'bt-excursions', 'bt-exit-reasons']) await page.getByTestId(t).waitFor({ timeout: 15_000 });
    expect(await page.locator('h3', { hasText: 'Costs (USD, fx:EURUSD)' }).count()).toBe(1);
    await screenshot(page, 'backtest-in-sample-costs');
  });
});
