// The backtest report a quant keeps, in a real Chromium: a tiny model is trained and backtested,
// the Backtests view shows the significance verdict, its Export bar downloads the HTML report and
// the trades / equity CSVs, and the saved report opens from disk with every request outside
// 127.0.0.1 blocked (none is attempted). Screenshots: test-output/screenshots/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Download, Route } from 'playwright-core';
import { BarStore } from '../../src/infra/bars/bar-store';
import { importCsvText } from '../../src/infra/bars/import';
import { startServer as startTestServer, type TestServer } from '../helpers/server';
import { assertRendererBuilt, browserUnavailableReason, openBrowser, REPO, RENDERER_DIR, runToEnd, waitFor, type BrowserSession } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping the backtest report test: ${skipReason}`);

const SHOTS = join(REPO, 'test-output', 'screenshots');

/** Only the server under test, the saved file and in-page data/blob URLs may load. */
const isLocal = (url: string) => /^(file:|data:|blob:|about:)/.test(url) || /^https?:\/\/127\.0\.0\.1(:\d+)?\//.test(url);

describe.skipIf(!!skipReason)('backtest report and exports (browser)', () => {
  let server: TestServer;
  let b: BrowserSession;
  let id = '';
  let results: any;
  const blocked: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'ktrdr-e2e-report-'));


  beforeAll(async () => {
    assertRendererBuilt();
    const home = mkdtempSync(join(tmpdir(), 'ktrdr-e2e-report-home-'));
    const raw = readFileSync(join(REPO, 'data', 'samples', 'EURUSD_D1_dukascopy_2007-2023.csv.gz'));
    importCsvText(new BarStore(join(home, 'data')), gunzipSync(raw).toString('utf8'), { symbol: 'EURUSD', timeframe: '1d', mode: 'replace', source: 'sample' });
    mkdirSync(join(home, 'strategies'), { recursive: true });
    const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
    writeFileSync(join(home, 'strategies', 'report_demo.yaml'), base.replace('name: test_e2e_local_pull', 'name: report_demo').replace('epochs: 15', 'epochs: 5').replace('confidence_threshold: 0.5', 'confidence_threshold: 0.3'));
    server = await startTestServer({ home, cleanup: true, env: { LOG_LEVEL: 'warn', KTRDR_RENDERER_DIR: RENDERER_DIR, KTRDR_TF_BACKEND: 'wasm' } });
    await runToEnd(server, '/trainings/start', { symbols: ['EURUSD'], timeframes: ['1d'], strategy_name: 'report_demo', start_date: '2012-01-01', end_date: '2017-12-31' });
    ({ id, results } = await runToEnd(server, '/backtests/start', { strategy_name: 'report_demo', symbol: 'EURUSD', timeframe: '1d', start_date: '2018-01-01', end_date: '2023-12-31' }));
    expect(results.trade_count).toBeGreaterThan(0); // a report with trades shows every section
    b = await openBrowser();
    // Every request leaving 127.0.0.1 is recorded and refused.
    await b.context.route('**/*', (route: Route) => {
      const url = route.request().url();
      if (isLocal(url)) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('the Backtests view says how the result compares with chance and exports report, trades and equity', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/backtests`);
    const select = page.getByTestId('recent-backtesting');
    await waitFor(async () => (await select.locator('option').allTextContents()).some((l) => l.endsWith('completed')), 15_000, 'the completed backtest in the list');
    const label = (await select.locator('option').allTextContents()).find((l) => l.endsWith('completed'))!;
    await select.selectOption({ label });
    const verdict = page.getByTestId('bt-significance-verdict');
    await verdict.waitFor({ timeout: 15_000 });
    expect(await verdict.textContent()).toContain(`Return beats ${Math.round(results.significance.return_percentile)} % of 200 random-entry runs`);
    expect(await page.getByTestId('bt-sharpe-ci').textContent()).toMatch(/Sharpe 95 % interval \(stationary bootstrap\): \[-?\d+\.\d\d, -?\d+\.\d\d\]/);
    await page.getByTestId('bt-significance').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'backtest-significance-ui.png') });

    const grab = async (key: string): Promise<{ name: string; text: string }> => {
      const [dl] = (await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.getByTestId(`bt-export-${key}`).click()])) as [Download, void];
      const file = join(work, dl.suggestedFilename());
      await dl.saveAs(file);
      return { name: dl.suggestedFilename(), text: readFileSync(file, 'utf8') };
    };
    const report = await grab('report');
    expect(report.name).toBe(`${id}_report.html`);
    expect(report.text).toMatch(/^<!DOCTYPE html>/);
    const metrics = await grab('metrics');
    expect(metrics.name).toBe(`${id}_report.csv`);
    expect(metrics.text.split('\r\n')[0]).toBe('section,column,key,label,value,text,unit,currency,null_reason');
    const trades = await grab('trades');
    expect(trades.name).toBe(`${id}_trades.csv`);
    expect(trades.text.split('\r\n')[0]).toMatch(/^trade_id,symbol,side,/);
    expect(trades.text.trimEnd().split('\r\n')).toHaveLength(results.trade_count + 1);
    const equity = await grab('equity');
    expect(equity.name).toBe(`${id}_equity.csv`);
    expect(equity.text.trimEnd().split('\r\n')).toHaveLength(results.equity_curve_length + 1);
    expect(blocked).toEqual([]);
  });

  it('the saved report opens offline from disk: charts, tables, verdict; no request is attempted', async () => {
    const file = join(work, `${id}_report.html`);
    writeFileSync(file, await (await fetch(`${server.url}/api/v1/backtests/${id}/report`)).text());
    const page = await b.context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    // Equity, drawdown, the tearsheet's rolling Sharpe and underwater, the return histogram, MFE/MAE.
    expect(await page.locator('svg.chart').count()).toBe(6);
    expect(await page.locator('section.tearsheet table.drawdowns tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('section.tearsheet table.heatmap tbody tr').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('.verdict').first().textContent()).toContain('random-entry runs');
    // Laid out, not blank: the equity chart has a drawn line with width.
    const box = await page.locator('svg.chart').first().boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    await page.screenshot({ path: join(SHOTS, 'backtest-report.png'), fullPage: true });
    expect(requests).toEqual([`file://${file}`]);
    expect(blocked).toEqual([]);
    await page.close();
  });
});
