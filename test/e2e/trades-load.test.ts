// The Backtests view's trade list belongs to the run on screen and its count never contradicts the
// results: while `GET /backtests/{id}/trades` is still on its way the heading gives the results'
// trade count (not "Trades (0)" next to an equity that moved), and a slow answer for a run the user
// has left is dropped instead of filling the next run's list. The trades route is held in the
// browser (page.route) to make the slow answers happen on purpose.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../src/infra/bars/bar-store';
import { importCsvText } from '../../src/infra/bars/import';
import { startServer as startTestServer, type TestServer } from '../helpers/server';
import { assertRendererBuilt, browserUnavailableReason, openBrowser, REPO, RENDERER_DIR, runToEnd, waitFor, type BrowserSession } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping the trades-load test: ${skipReason}`);

const SHOTS = join(REPO, 'test-output', 'screenshots');

describe.skipIf(!!skipReason)('backtest trades list (browser)', () => {
  let server: TestServer;
  let b: BrowserSession;
  /** Two finished backtests with different trade counts. */
  const runs: { id: string; trades: number; final_equity: number }[] = [];


  beforeAll(async () => {
    assertRendererBuilt();
    const home = mkdtempSync(join(tmpdir(), 'ktrdr-e2e-trades-home-'));
    const raw = readFileSync(join(REPO, 'data', 'samples', 'EURUSD_D1_dukascopy_2007-2023.csv.gz'));
    importCsvText(new BarStore(join(home, 'data')), gunzipSync(raw).toString('utf8'), { symbol: 'EURUSD', timeframe: '1d', mode: 'replace', source: 'sample' });
    mkdirSync(join(home, 'strategies'), { recursive: true });
    const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
    writeFileSync(join(home, 'strategies', 'trades_demo.yaml'), base.replace('name: test_e2e_local_pull', 'name: trades_demo').replace('epochs: 15', 'epochs: 5').replace('confidence_threshold: 0.5', 'confidence_threshold: 0.3'));
    server = await startTestServer({ home, cleanup: true, env: { LOG_LEVEL: 'warn', KTRDR_RENDERER_DIR: RENDERER_DIR, KTRDR_TF_BACKEND: 'wasm' } });
    await runToEnd(server, '/trainings/start', { symbols: ['EURUSD'], timeframes: ['1d'], strategy_name: 'trades_demo', start_date: '2012-01-01', end_date: '2017-12-31' });
    for (const [start_date, end_date] of [
      ['2018-01-01', '2023-12-31'],
      ['2018-01-01', '2018-03-31'],
    ]) {
      const { id, results } = await runToEnd(server, '/backtests/start', { strategy_name: 'trades_demo', symbol: 'EURUSD', timeframe: '1d', start_date, end_date, random_runs: 0 });
      runs.push({ id, trades: results.trade_count, final_equity: results.metrics.final_equity });
    }
    // The premise: both runs traded, money moved, and their counts differ.
    expect(runs[0].trades).toBeGreaterThan(0);
    expect(runs[1].trades).toBeGreaterThan(0);
    expect(runs[0].trades).not.toBe(runs[1].trades);
    expect(runs[0].final_equity).not.toBe(100_000);
    b = await openBrowser();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  /** Holds `GET /backtests/{id}/trades` until release() (the answer is then the server's own). */
  async function holdTrades(id: string) {
    const held: Route[] = [];
    let released = false;
    const pattern = `**/api/v1/backtests/${id}/trades`;
    const handler = (route: Route) => (released ? route.continue() : void held.push(route));
    await b.page.route(pattern, handler);
    return {
      requested: () => held.length > 0,
      async release() {
        released = true;
        for (const r of held.splice(0)) await r.continue();
        await b.page.unroute(pattern, handler);
      },
    };
  }

  const heading = () => b.page.getByTestId('bt-trades-heading');
  const rows = () => b.page.locator('[data-testid="trades-table"] tbody tr');

  it('while the trades load, the heading gives the results’ count, never "Trades (0)"', async () => {
    const { page } = b;
    const [a] = runs;
    const hold = await holdTrades(a.id);
    await page.goto(`${server.url}/#/backtests`);
    await page.getByTestId('recent-backtesting').selectOption(a.id);
    await page.locator('[data-testid="bt-metrics"] tr[data-key="final_equity"]').waitFor({ timeout: 15_000 });
    await waitFor(hold.requested, 10_000, 'the trades request');
    // The results (and so the equity) are on screen; the trade list is not yet.
    await waitFor(async () => /\d/.test((await heading().textContent()) ?? ''), 10_000, 'the trades heading');
    expect(await heading().textContent()).toBe(`Trades (${a.trades})`);
    expect(await page.getByTestId('bt-trades-loading').count()).toBe(1);
    await heading().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'trades-loading.png') });
    await hold.release();
    await waitFor(async () => (await rows().count()) === a.trades, 15_000, `${a.trades} trade rows`);
    expect(await heading().textContent()).toBe(`Trades (${a.trades})`);
    expect(await page.getByTestId('bt-trades-loading').count()).toBe(0);
  });

  it('a slow trades answer for a run the user has left does not fill the next run’s list', async () => {
    const { page } = b;
    const [a, c] = runs;
    // Both runs have been on screen (their operations are known: the view stays mounted when switching).
    await page.getByTestId('recent-backtesting').selectOption(c.id);
    await waitFor(async () => (await rows().count()) === c.trades, 15_000, `${c.trades} trade rows of ${c.id}`);
    const hold = await holdTrades(a.id);
    await page.getByTestId('recent-backtesting').selectOption(a.id);
    await waitFor(hold.requested, 15_000, `the trades request of ${a.id}`);
    // Switch to the other run while the first one's trades are still on their way.
    await page.getByTestId('recent-backtesting').selectOption(c.id);
    await waitFor(async () => (await rows().count()) === c.trades, 15_000, `${c.trades} trade rows of ${c.id}`);
    // Now the first run's answer arrives: it belongs to a run no longer shown.
    const answered = page.waitForResponse((r) => r.url().endsWith(`/backtests/${a.id}/trades`));
    await hold.release();
    await answered;
    await page.waitForTimeout(500); // let React apply whatever that answer would change
    expect(await rows().count()).toBe(c.trades);
    expect(await heading().textContent()).toBe(`Trades (${c.trades})`);
    await heading().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'trades-after-switch.png') });
  });
});
