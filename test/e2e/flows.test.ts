// The user's flows in a real browser: data (chart, gaps, CSV import), strategies (YAML, validation),
// training (live epoch chart, cancel) and backtests (equity, trade markers, zoom to a trade).
// A flow whose endpoint the server does not have yet fails saying which endpoint is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiCall, assertRendererBuilt, browserUnavailableReason, endpointExists, openBrowser, screenshot, startServer, waitFor, type BrowserSession, type Server } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping browser flows: ${skipReason}`);

async function requireEndpoint(server: Server, method: string, path: string, body?: unknown): Promise<void> {
  if (!(await endpointExists(server, method, path, body))) throw new Error(`endpoint missing on the server: ${method} /api/v1${path} — this flow cannot run until it exists`);
}

/** A small daily CSV of a made-up symbol. */
function sampleCsv(days: number): string {
  const rows = ['timestamp,open,high,low,close,volume'];
  let p = 50;
  for (let i = 0; i < days; i++) {
    const d = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const o = p;
    p = p * (1 + Math.sin(i / 3) * 0.01);
    rows.push(`${d},${o.toFixed(4)},${(Math.max(o, p) + 0.5).toFixed(4)},${(Math.min(o, p) - 0.5).toFixed(4)},${p.toFixed(4)},${1000 + i}`);
  }
  return rows.join('\n') + '\n';
}

/** The legend under a chart: its text and each series' line style (solid/dashed). */
async function legendOf(page: Page, testId: string): Promise<{ text: string; styles: Record<string, string> }> {
  const legend = page.locator(`[data-testid="${testId}"] .u-legend`);
  await legend.waitFor();
  return legend.evaluate((el) => {
    const styles: Record<string, string> = {};
    el.querySelectorAll('.u-series').forEach((row) => {
      const label = row.querySelector('.u-label')?.textContent ?? '';
      const marker = row.querySelector('.u-marker') as HTMLElement | null;
      if (marker) styles[label] = getComputedStyle(marker).borderTopStyle;
    });
    return { text: el.textContent ?? '', styles };
  });
}

/** Whether a progress bar's fill covers its whole track. */
async function barIsFull(page: Page, testId: string): Promise<boolean> {
  const bar = page.getByTestId(testId).first();
  const [track, fill] = await Promise.all([bar.boundingBox(), page.getByTestId(`${testId}-fill`).first().boundingBox()]);
  return !!track && !!fill && Math.abs(track.width - fill.width) <= 1;
}

describe.skipIf(!!skipReason)('user flows (browser)', () => {
  let server: Server;
  let b: BrowserSession;

  beforeAll(async () => {
    assertRendererBuilt();
    // The tfjs training loop (≈5× slower than the fused one) keeps each training running for a few
    // seconds: time to watch the epoch chart grow and to cancel a run from its button.
    server = await startServer({ KTRDR_TRAINER: 'tfjs' });
    b = await openBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('data: lists stored series, draws candles, shows the gap report, imports a CSV from the file picker', async () => {
    await requireEndpoint(server, 'GET', '/data/info');
    const { page } = b;
    await page.goto(`${server.url}/#/data`);
    const row = page.getByTestId('series-EURUSD-1h');
    await row.waitFor();
    await row.click();
    await page.locator('[data-testid="data-candles"] canvas').first().waitFor();
    await page.getByTestId('gap-report').waitFor();
    await waitFor(async () => (await page.getByTestId('gap-report').textContent())!.length > 0, 10_000, 'the gap report');
    expect(await page.getByTestId('gap-report').getByRole('alert').count()).toBe(0);
    await screenshot(page, 'data-chart');
    // FX hourly bars have weekend gaps: non-trading time is collapsed by default, and the toggle redraws on a time axis.
    const chart = page.locator('.candle-chart').filter({ has: page.getByTestId('data-candles') });
    expect(await chart.getAttribute('data-collapsed')).toBe('true');
    expect(await page.getByTestId('collapse-gaps').isChecked()).toBe(true);
    await page.getByTestId('collapse-gaps').uncheck();
    await waitFor(async () => (await chart.getAttribute('data-collapsed')) === 'false', 5_000, 'the chart to show calendar time');
    await page.locator('[data-testid="data-candles"] canvas').first().waitFor();
    await page.getByTestId('collapse-gaps').check();
    await waitFor(async () => (await chart.getAttribute('data-collapsed')) === 'true', 5_000, 'the chart to collapse non-trading time');

    await requireEndpoint(server, 'POST', '/data/import', {});
    await page.getByTestId('csv-file').setInputFiles({ name: 'E2ETEST_daily.csv', mimeType: 'text/csv', buffer: Buffer.from(sampleCsv(40)) });
    await page.getByTestId('csv-symbol').fill('E2ETEST');
    await page.getByTestId('csv-timeframe').selectOption('1d');
    await page.getByTestId('csv-submit').click();
    await waitFor(async () => /Imported 40 bars/.test((await page.getByTestId('csv-message').textContent()) ?? ''), 15_000, 'the import message');
    await page.getByTestId('series-E2ETEST-1d').waitFor();
    expect(await page.getByTestId('series-E2ETEST-1d').textContent()).toContain('40');
    await page.locator('[data-testid="data-candles"] canvas').first().waitFor();
    await screenshot(page, 'data-imported');
  });

  it('strategies: shows a YAML, validates it and moves the caret to an error position', async () => {
    await requireEndpoint(server, 'GET', '/strategies/');
    await requireEndpoint(server, 'POST', '/strategies/validate', { yaml: 'name: x' });
    const { page } = b;
    await page.goto(`${server.url}/#/strategies`);
    await page.getByTestId('strategy-minimal').click();
    const editor = page.getByTestId('yaml-editor');
    type CmHost = HTMLElement & { cmView: { state: { doc: { toString(): string; length: number; lineAt(p: number): { number: number } }; selection: { main: { head: number } } }; dispatch(t: unknown): void } };
    const text = () => editor.evaluate((el) => (el as CmHost).cmView.state.doc.toString());
    await waitFor(async () => (await text()).includes('indicators'), 10_000, 'the YAML text');
    await page.getByTestId('validate').click();
    await page.getByTestId('validation-result').waitFor();
    // Break it: an unknown indicator type must come back as an issue with a position.
    const broken = (await text()).replace(/type: rsi/, 'type: not_an_indicator');
    await editor.evaluate((el, t) => {
      const v = (el as CmHost).cmView;
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
    }, broken);
    await page.getByTestId('validate').click();
    await waitFor(async () => (await page.getByTestId('validation-result').textContent())!.includes('error'), 10_000, 'a validation error');
    // The features shown belong to the text checked: none while it has errors.
    expect(await page.getByTestId('features').count()).toBe(0);
    // The error is marked in the editor at its position (a lint marker).
    expect(await editor.locator('.cm-lintRange-error, .cm-lint-marker-error').count()).toBeGreaterThan(0);
    const issue = page.locator('[data-testid^="issue-"]:not([disabled])').first();
    await issue.click();
    const caretLine = await editor.evaluate((el) => {
      const v = (el as CmHost).cmView;
      return v.state.doc.lineAt(v.state.selection.main.head).number;
    });
    expect((await issue.textContent())!.startsWith(`${caretLine}:`)).toBe(true);
    await screenshot(page, 'strategies-validation');
  });

  it('training: starts from the form, the epoch chart grows, results appear; a second one is cancelled', async () => {
    await requireEndpoint(server, 'POST', '/trainings/start', {});
    const { page } = b;
    await page.goto(`${server.url}/#/training`);
    // Client-side validation first: an empty form names the missing fields (Enter in a field submits).
    await page.getByTestId('train-symbols').press('Enter');
    expect(await page.getByTestId('error-train-strategy_name').textContent()).toMatch(/strategy/i);
    await page.getByTestId('train-submit').click();
    expect(await page.getByTestId('error-train-strategy_name').textContent()).toMatch(/strategy/i);
    // Every form control has a label.
    for (const id of ['train-strategy_name', 'train-symbols', 'train-timeframes', 'train-start_date', 'train-end_date'])
      expect(await page.getByLabel(/./).and(page.getByTestId(id)).count(), `${id} has a label`).toBe(1);

    await page.getByTestId('train-strategy_name').fill('minimal');
    await page.getByTestId('train-symbols').fill('EURUSD');
    await page.getByTestId('train-timeframes').fill('1h');
    await page.getByTestId('train-start_date').fill('2007-01-01');
    await page.getByTestId('train-end_date').fill('2017-12-31');
    // What was typed survives a trip to another view.
    await page.getByTestId('nav-data').click();
    await page.getByTestId('nav-training').click();
    expect(await page.getByTestId('train-strategy_name').inputValue()).toBe('minimal');
    expect(await page.getByTestId('train-start_date').inputValue()).toBe('2007-01-01');
    await page.getByTestId('train-submit').click();
    const charts = page.getByTestId('training-charts');
    const epochs = async () => Number(await charts.getAttribute('data-epochs'));
    await waitFor(async () => (await epochs()) >= 1, 120_000, 'the first epoch');
    const first = await epochs();
    await waitFor(async () => (await epochs()) > first || (await page.getByTestId('op-live').getAttribute('data-status')) === 'completed', 120_000, 'the epoch chart to grow');
    await page.getByTestId('loss-chart').waitFor();
    await screenshot(page, 'training-live');
    await waitFor(async () => (await page.getByTestId('op-live').getAttribute('data-status')) !== 'running', 240_000, 'the training to end');
    expect(await page.getByTestId('op-live').getAttribute('data-status')).toBe('completed');
    await page.getByTestId('model-path').waitFor();
    expect(await page.getByTestId('model-path').textContent()).toMatch(/minimal/);
    expect(await epochs()).toBeGreaterThan(first);
    // A completed run shows a full bar at once, and both charts say which line is which.
    expect(await page.getByTestId('live-progress').getAttribute('data-value')).toBe('100.0');
    expect(await barIsFull(page, 'live-progress')).toBe(true);
    const loss = await legendOf(page, 'loss-chart');
    expect(loss.text).toContain('train loss');
    expect(loss.text).toContain('val loss');
    // Off the plot, the legend reads the last epoch's values.
    expect(loss.text).toMatch(new RegExp(`epoch:?\\s*${await epochs()}(?!\\d)`));
    expect(loss.styles).toEqual({ epoch: expect.any(String), 'train loss': 'solid', 'val loss': 'dashed' });
    const acc = await legendOf(page, 'accuracy-chart');
    expect(acc.text).toMatch(/train accuracy:?\s*\d+\.\d\d%/);
    expect(acc.styles['val accuracy']).toBe('dashed');
    await screenshot(page, 'training-completed');

    // A second one, cancelled from its Cancel button.
    await page.getByTestId('train-submit').click();
    await waitFor(async () => (await page.getByTestId('op-live').getAttribute('data-status')) === 'running', 60_000, 'the second training to run');
    await page.getByTestId('live-cancel').click();
    await waitFor(async () => (await page.getByTestId('op-live').getAttribute('data-status')) === 'cancelled', 30_000, 'cancelled');
    await screenshot(page, 'training-cancelled');
  });

  it('backtest: runs from the form, shows equity, trade markers on the price chart, and zooms to a clicked trade', async () => {
    await requireEndpoint(server, 'POST', '/backtests/start', {});
    const models = await apiCall(server, 'GET', '/models');
    if (models.status === 404) await requireEndpoint(server, 'GET', '/models');
    const { page } = b;
    await page.goto(`${server.url}/#/backtests`);
    await page.getByTestId('bt-strategy_name').fill('minimal');
    await page.getByTestId('bt-symbol').fill('EURUSD');
    await page.getByTestId('bt-timeframe').selectOption('1h');
    await page.getByTestId('bt-start_date').fill('2018-01-01');
    await page.getByTestId('bt-end_date').fill('2018-06-30');
    await page.getByTestId('bt-submit').click();
    const serverError = page.getByTestId('bt-server-error');
    await waitFor(async () => (await page.getByTestId('op-live').count()) > 0 || ((await serverError.textContent()) ?? '') !== '', 30_000, 'the backtest to start');
    const err = await serverError.textContent();
    if (err) throw new Error(`the backtest did not start: ${err} (a trained minimal/1h model is needed: the training flow makes one)`);
    const live = page.getByTestId('op-live');
    try {
      await waitFor(async () => ['completed', 'failed', 'cancelled'].includes((await live.getAttribute('data-status')) ?? ''), 120_000, 'the backtest to end');
    } finally {
      await screenshot(page, 'backtest-ended');
    }
    expect(`${await live.getAttribute('data-status')} ${await live.textContent()}`).toMatch(/^completed/);
    await page.locator('[data-testid="final-equity-chart"] canvas').first().waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="bt-candles"] canvas').first().waitFor({ timeout: 30_000 });
    const markers = Number(await page.getByTestId('bt-price').getAttribute('data-markers'));
    expect(markers).toBeGreaterThan(0);
    expect(await barIsFull(page, 'live-progress')).toBe(true);
    expect((await legendOf(page, 'final-equity-chart')).text).toContain('equity');
    expect((await legendOf(page, 'drawdown-chart')).text).toMatch(/drawdown from peak:?\s*-?\d+\.\d\d%/);
    // Metrics: money with 2 decimals, separators and its currency, fractions as %, ratios with 2
    // decimals; an undefined value is "—" followed by its reason, never a placeholder.
    const metric = async (key: string) => (await page.locator(`[data-testid="bt-metrics"] tr[data-key="${key}"] td`).textContent()) ?? '';
    await page.locator('[data-testid="bt-metrics"] tr[data-key="total_return"]').waitFor();
    for (const k of ['total_return', 'max_drawdown', 'avg_win', 'avg_loss', 'largest_win', 'largest_loss']) expect(await metric(k), k).toMatch(/^(-?\d{1,3}(,\d{3})*\.\d\d [A-Z]{3}|—.+)$/);
    for (const k of ['total_return_pct', 'win_rate', 'max_drawdown_pct', 'volatility', 'annualized_return']) expect(await metric(k), k).toMatch(/^(-?\d+\.\d\d%|—.+)$/);
    for (const k of ['sharpe_ratio', 'sortino_ratio', 'calmar_ratio', 'profit_factor']) expect(await metric(k), k).toMatch(/^(-?\d+\.\d\d|—.+)$/);
    // Sortable headers are buttons.
    expect(await page.getByTestId('trades-sort-pnl').getByRole('button', { name: /PnL/ }).count()).toBe(1);
    await screenshot(page, 'backtest-results');

    const candles = page.getByTestId('bt-candles');
    const span = async () => Number(await candles.getAttribute('data-x-max')) - Number(await candles.getAttribute('data-x-min'));
    const full = await span();
    await page.locator('[data-testid^="trade-row-"]').first().click();
    await waitFor(async () => (await span()) < full, 10_000, 'the chart to zoom to the trade');
    await page.getByTestId('trades-sort-pnl').click();
    expect(await page.getByTestId('trades-sort-pnl').getAttribute('aria-sort')).toBe('ascending');
    await screenshot(page, 'backtest-trade-zoom');
  });

  it('themes: every view in light and dark, charts drawn in the theme shown', async () => {
    const { page } = b;
    const errorsBefore = b.consoleErrors.length;
    const views = ['operations', 'data', 'strategies', 'models', 'training', 'backtests'] as const;
    const pickCompleted = async (testId: string) => {
      const options = page.getByTestId(testId).locator('option');
      // The list is read when the view opens: wait for it.
      await waitFor(async () => (await options.allTextContents()).some((l) => l.endsWith('completed')), 10_000, `a completed operation in ${testId}`);
      const done = (await options.allTextContents()).find((l) => l.endsWith('completed'))!;
      await page.getByTestId(testId).selectOption({ label: done });
    };
    // Show content in each view: a selected operation, series, strategy, and the latest training/backtest.
    const fill: Record<(typeof views)[number], () => Promise<void>> = {
      operations: async () => {
        if ((await page.getByTestId('op-detail').count()) === 0) await page.locator('[data-testid^="op-row-op_backtesting"]').first().click();
        await page.locator('[data-testid="op-metrics-chart"] canvas').first().waitFor({ timeout: 15_000 });
      },
      data: async () => {
        if ((await page.getByTestId('data-chart-panel').count()) === 0) await page.getByTestId('series-EURUSD-1h').click();
        await page.locator('[data-testid="data-candles"] canvas').first().waitFor({ timeout: 15_000 });
      },
      strategies: async () => {
        await page.getByTestId('strategy-minimal').click();
        await waitFor(async () => ((await page.locator('[data-testid="yaml-editor"] .cm-content').textContent()) ?? '').length > 0, 10_000, 'the YAML');
      },
      models: async () => {
        await page.locator('[data-testid^="model-minimal/"]').first().waitFor({ timeout: 15_000 });
      },
      training: async () => {
        await pickCompleted('recent-training');
        await page.getByTestId('loss-chart').waitFor({ timeout: 15_000 });
      },
      backtests: async () => {
        await pickCompleted('recent-backtesting');
        await page.locator('[data-testid="final-equity-chart"] canvas').first().waitFor({ timeout: 15_000 });
      },
    };
    for (const theme of ['light', 'dark'] as const) {
      // Toggled with charts on screen (the backtest's): they are redrawn in the new theme at once.
      expect(await page.locator('[data-chart-theme]').count()).toBeGreaterThan(0);
      if ((await page.getByTestId('theme-toggle').getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      expect(new Set(await page.locator('[data-chart-theme]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chart-theme'))))).toEqual(new Set([theme]));
      for (const v of views) {
        await page.getByTestId(`nav-${v}`).click();
        await page.getByTestId(`view-${v}`).waitFor();
        await fill[v]();
        // Every chart on screen read its colours in this theme (grid and axes follow it).
        const chartThemes = await page.locator('[data-chart-theme]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chart-theme')));
        expect(chartThemes.length > 0 || v === 'strategies' || v === 'models', `${v} has charts`).toBe(true);
        expect(new Set(chartThemes), `${theme} ${v}`).toEqual(new Set(chartThemes.length ? [theme] : []));
        await page.evaluate(() => document.querySelector('.content')?.scrollTo(0, 0));
        await screenshot(page, `theme-${theme}-${v}`);
      }
    }
    expect(b.consoleErrors.slice(errorsBefore).filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
