// Every view at 1024×700 and 1440×900, in both themes, with real content (a training, a backtest, a
// data load, a sweep with its children): no two blocks overlap and nothing reaches past the window,
// judged on bounding boxes (issue 27). Screenshots go to test-output/e2e/screens/; with
// KTRDR_SAVE_SCREENS=1 also to docs/screens/ (the ones the docs show).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, assertRendererBuilt, browserUnavailableReason, openBrowser, OUTPUT_DIR, REPO, runToEnd, startServer, waitFor, waitOperationEnd, type BrowserSession, type Server } from './harness';
import { layoutReport } from './layout';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping the desk layout test: ${skipReason}`);

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
] as const;
const VIEWS = ['operations', 'data', 'strategies', 'models', 'training', 'backtests', 'experiments'] as const;
const SHOTS = join(OUTPUT_DIR, 'screens');
const DOCS = join(REPO, 'docs', 'screens');

describe.skipIf(!!skipReason)('desk layout (browser)', () => {
  let server: Server;
  let b: BrowserSession;
  let trainingId = '';
  let backtestId = '';
  let sweepId = '';

  beforeAll(async () => {
    assertRendererBuilt();
    server = await startServer();
    ({ id: trainingId } = await runToEnd(server, '/trainings/start', { strategy_name: 'minimal', symbols: ['EURUSD'], timeframes: ['1h'], start_date: '2015-01-01', end_date: '2016-06-30' }));
    ({ id: backtestId } = await runToEnd(server, '/backtests/start', { strategy_name: 'minimal', symbol: 'EURUSD', timeframe: '1h', start_date: '2016-07-01', end_date: '2017-12-31', random_runs: 20 }));
    await runToEnd(server, '/data/acquire/download', { symbol: 'SYNTH', timeframe: '1d', source: 'synthetic', mode: 'full', start_date: '2020-01-01', end_date: '2020-12-31' });
    const sweep = await apiCall(server, 'POST', '/experiments/sweeps/start', {
      strategy_name: 'minimal',
      start_date: '2015-01-01',
      end_date: '2015-12-31',
      space: { 'indicators.rsi_14.period': { values: [7, 14] } },
      sampler: 'grid',
      trials: 2,
      objective: 'oos_return',
      seed: 1,
    });
    expect(sweep.status, JSON.stringify(sweep.body)).toBe(200);
    sweepId = sweep.body.operation_id;
    await waitOperationEnd(server, sweepId, 240_000);
    b = await openBrowser();
    mkdirSync(SHOTS, { recursive: true });
    if (process.env.KTRDR_SAVE_SCREENS === '1') mkdirSync(DOCS, { recursive: true });
  }, 400_000);

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  /** Opens a view by its nav button and waits for its content (not a fixed delay). */
  async function show(view: (typeof VIEWS)[number]): Promise<void> {
    const { page } = b;
    await page.getByTestId(`nav-${view}`).click();
    await page.getByTestId(`view-${view}`).waitFor();
    const ready: Record<string, string> = {
      operations: `[data-testid="op-row-${backtestId}"]`,
      data: '[data-testid="data-candles"] canvas',
      strategies: '.cm-editor',
      models: '[data-testid="models-list"]',
      training: '[data-testid="training-results"]',
      backtests: '[data-testid="tearsheet-body"]',
      experiments: '[data-testid="experiment-panel"]',
    };
    await page.locator(ready[view]).first().waitFor({ timeout: 60_000 });
    // Charts size themselves on the next frames (ResizeObserver): let layout settle.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }

  it('opens each view with content: operations, a series, a strategy, models, the training, the backtest, the sweep', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/operations`);
    await page.getByTestId(`op-row-${trainingId}`).getByTestId('op-open').click();
    await page.getByTestId('training-results').waitFor();
    await page.getByTestId('nav-operations').click();
    await page.getByTestId(`op-row-${backtestId}`).getByTestId('op-open').click();
    await page.getByTestId('backtest-results').waitFor();
    await page.getByTestId('nav-data').click();
    await page.getByTestId('series-EURUSD-1h').click();
    await page.getByTestId('nav-strategies').click();
    await page.getByTestId('strategy-minimal').click();
    await page.locator('.cm-editor').waitFor();
    await page.getByTestId('nav-experiments').click();
    await page.getByTestId('experiment-select').selectOption(sweepId);
    await page.getByTestId('sweep-results').waitFor();
  });

  for (const size of SIZES)
    for (const theme of ['light', 'dark'] as const)
      it(`at ${size.width}×${size.height} (${theme}) no view has overlapping blocks or sticks out of the window`, async () => {
        const { page } = b;
        await page.setViewportSize(size);
        if ((await page.getByTestId('theme-toggle').getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
        await waitFor(async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === theme, 5000, `the ${theme} theme`);
        const problems: string[] = [];
        for (const view of VIEWS) {
          await show(view);
          const r = await layoutReport(page);
          problems.push(...r.overlaps.map((o) => `${view}: ${o}`), ...r.overflows.map((o) => `${view}: ${o}`));
          const file = join(SHOTS, `${view}-${size.width}x${size.height}-${theme}.png`);
          await page.screenshot({ path: file });
          if (process.env.KTRDR_SAVE_SCREENS === '1') copyFileSync(file, join(DOCS, `${view}-${size.width}x${size.height}-${theme}.png`));
        }
        expect(problems).toEqual([]);
      });
});
