// Honest evaluation through a real server: a tiny model is trained, then backtested; every
// completed backtest carries results.significance and sharpe_ci95; the HTML report and the CSV
// exports come from the same artifacts.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { importCsvText } from '../../../src/infra/bars/import';
import { formatMetric } from '../../../src/shared/metrics-catalog';
import { http, REPO, startServer, waitFor, type TestServer } from '../../helpers/server';

let s: TestServer;

async function runToEnd(path: string, body: Record<string, unknown>) {
  const start = await http('POST', `${s.api}${path}`, body);
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const id = start.body.operation_id ?? start.body.task_id;
  const op = await waitFor(
    async () => {
      const r = (await http('GET', `${s.api}/operations/${id}`)).body.data;
      return ['completed', 'failed', 'cancelled'].includes(r.status) ? r : null;
    },
    150_000,
    200,
  );
  expect(op.error_message, s.output()).toBeNull();
  expect(op.status).toBe('completed');
  return { id, results: (await http('GET', `${s.api}/operations/${id}/results`)).body.results };
}

beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-eval-it-'));
  const raw = readFileSync(join(REPO, 'data', 'samples', 'EURUSD_D1_dukascopy_2007-2023.csv.gz'));
  importCsvText(new BarStore(join(home, 'data')), gunzipSync(raw).toString('utf8'), { symbol: 'EURUSD', timeframe: '1d', mode: 'replace', source: 'sample' });
  mkdirSync(join(home, 'strategies'), { recursive: true });
  const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
  writeFileSync(join(home, 'strategies', 'eval_sig.yaml'), base.replace('name: test_e2e_local_pull', 'name: eval_sig').replace('epochs: 15', 'epochs: 5').replace('confidence_threshold: 0.5', 'confidence_threshold: 0.3'));
  // The same model's strategy with a threshold no prediction reaches: a backtest without trades.
  writeFileSync(join(home, 'strategies', 'eval_flat.yaml'), base.replace('name: test_e2e_local_pull', 'name: eval_flat').replace('epochs: 15', 'epochs: 5').replace('confidence_threshold: 0.5', 'confidence_threshold: 0.9999'));
  s = await startServer({ home, cleanup: true, env: { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' } });
  await runToEnd('/trainings/start', { symbols: ['EURUSD'], timeframes: ['1d'], strategy_name: 'eval_sig', start_date: '2015-01-01', end_date: '2019-12-31' });
}, 200_000);

afterAll(async () => {
  await s?.stop();
});

const backtest = (over: Record<string, unknown> = {}) =>
  runToEnd('/backtests/start', { strategy_name: 'eval_sig', symbol: 'EURUSD', timeframe: '1d', start_date: '2020-01-01', end_date: '2023-12-31', ...over });

describe('significance on every completed backtest', () => {
  let id = '';
  let results: any;

  beforeAll(async () => {
    ({ id, results } = await backtest({ random_seed: 7 }));
  }, 120_000);

  it('results.significance: 200 random-entry runs by default, percentiles and p-values in range, quantiles ordered', () => {
    const sig = results.significance;
    expect(results.trade_count).toBeGreaterThan(0); // the test means something only when the model trades
    expect(sig).toMatchObject({ random_runs: 200, seed: 7, random_min_trades: results.trade_count });
    for (const k of ['return_percentile', 'sharpe_percentile']) {
      expect(sig[k]).toBeGreaterThanOrEqual(0);
      expect(sig[k]).toBeLessThanOrEqual(100);
    }
    for (const k of ['p_value_return', 'p_value_sharpe']) {
      expect(sig[k]).toBeGreaterThanOrEqual(1 / 201);
      expect(sig[k]).toBeLessThanOrEqual(1);
    }
    expect(sig.random_return_p5).toBeLessThanOrEqual(sig.random_return_p50);
    expect(sig.random_return_p50).toBeLessThanOrEqual(sig.random_return_p95);
    expect(results.sharpe_ci95).toHaveLength(2);
    expect(results.sharpe_ci95[0]).toBeLessThanOrEqual(results.sharpe_ci95[1]);
    expect(results.sharpe_ci_method.kind).toBe('stationary_bootstrap');
  });

  it('the same seed reproduces the same numbers; random_runs 0 leaves significance null', async () => {
    const again = await backtest({ random_seed: 7 });
    expect(again.results.significance).toEqual(results.significance);
    expect(again.results.sharpe_ci95).toEqual(results.sharpe_ci95);
    const none = await backtest({ random_runs: 0 });
    expect(none.results.significance).toBeNull();
    expect(none.results.sharpe_ci95).toHaveLength(2);
  }, 120_000);

  it('422 naming random_runs when it is out of range or not whole, and random_seed when negative', async () => {
    for (const bad of [5001, -1, 1.5, 'many']) {
      const r = await http('POST', `${s.api}/backtests/start`, { strategy_name: 'eval_sig', symbol: 'EURUSD', timeframe: '1d', start_date: '2020-01-01', end_date: '2023-12-31', random_runs: bad });
      expect(r.status).toBe(422);
      expect(JSON.stringify(r.body.error.details)).toContain('random_runs');
    }
    const r = await http('POST', `${s.api}/backtests/start`, { strategy_name: 'eval_sig', symbol: 'EURUSD', timeframe: '1d', start_date: '2020-01-01', end_date: '2023-12-31', random_seed: -3 });
    expect(r.status).toBe(422);
    expect(JSON.stringify(r.body.error.details)).toContain('random_seed');
  });

  it('GET /backtests/{id}/report: one self-contained HTML file with the significance sentence, charts and provenance', async () => {
    const res = await fetch(`${s.api}/backtests/${id}/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`Return beats ${Math.round(results.significance.return_percentile)} % of 200 random-entry runs`);
    expect(html).toContain('<svg');
    expect(html).toContain('Monthly returns');
    expect(html).toContain('Training data hash');
    // No network: no external URL, no script, no link/img to elsewhere.
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    const dl = await fetch(`${s.api}/backtests/${id}/report?download=1`);
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="${id}_report.html"`);
  });

  it('?format=csv on trades and equity_curve: text/csv downloads with a header row and one line per trade / bar', async () => {
    const trades = await fetch(`${s.api}/backtests/${id}/trades?format=csv`);
    expect(trades.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(trades.headers.get('content-disposition')).toBe(`attachment; filename="${id}_trades.csv"`);
    const lines = (await trades.text()).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^trade_id,symbol,side,entry_time,exit_time,/);
    expect(lines.length - 1).toBe(results.trade_count);
    const json = (await http('GET', `${s.api}/backtests/${id}/trades`)).body;
    if (json.trades.length) expect(lines[1].split(',')[3]).toBe(json.trades[0].entry_time);

    const eq = await fetch(`${s.api}/backtests/${id}/equity_curve?format=csv`);
    expect(eq.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(eq.headers.get('content-disposition')).toBe(`attachment; filename="${id}_equity.csv"`);
    const rows = (await eq.text()).trimEnd().split('\r\n');
    expect(rows[0]).toBe('timestamp,equity,drawdown,position');
    expect(rows.length - 1).toBe(results.equity_curve_length);
    expect((await http('GET', `${s.api}/backtests/${id}/trades?format=xml`)).status).toBe(422);
  });

  it('GET /backtests/{id}/tearsheet: annualised with the result’s bars per year, the worst drawdown as deep as the result’s, the same numbers in the report; null with a reason, never NaN', async () => {
    const t = (await http('GET', `${s.api}/backtests/${id}/tearsheet`)).body;
    expect(t.bars).toBe(results.equity_curve_length);
    expect(t.bars_per_year).toBe(results.metrics.bars_per_year);
    expect(JSON.stringify(t)).not.toMatch(/NaN|Infinity/);
    // Both start the running peak at the initial capital: the deepest period is the max drawdown.
    expect(t.drawdowns[0].depth).toBeCloseTo(results.metrics.max_drawdown_pct, 12);
    // Four years of daily bars, a half-year window: defined after the window fills, null (with the reason) before.
    expect(t.rolling_sharpe.values[0]).toBeNull();
    expect(t.null_reasons.rolling_sharpe).toMatch(/before the window fills/);
    const html = await (await fetch(`${s.api}/backtests/${id}/report`)).text();
    expect(html).toContain(`<td>1</td><td class="num neg">${formatMetric('total_return_pct', -t.drawdowns[0].depth, { digits: 2 })}</td><td>${t.drawdowns[0].peak.slice(0, 10)}</td>`);
    const unknown = await http('GET', `${s.api}/backtests/op_backtesting_nope/tearsheet`);
    expect(unknown.status).toBe(404);
  });

  it('report of an unknown backtest → 404', async () => {
    expect((await http('GET', `${s.api}/backtests/op_backtesting_nope/report`)).status).toBe(404);
  });
});

describe('one result contract on the wire; KTRDR’s placeholders only in KTRDR’s form', () => {
  let id = '';
  let flatId = '';
  beforeAll(async () => {
    ({ id } = await backtest({ random_seed: 3 }));
    ({ id: flatId } = await runToEnd('/backtests/start', { strategy_name: 'eval_flat', model_path: 'models/eval_sig/1d_latest', symbol: 'EURUSD', timeframe: '1d', start_date: '2020-01-01', end_date: '2020-12-31' }));
  }, 200_000);

  it('?form=contract: null with its reason; default (KTRDR’s clients): 0 and 999999, reasons kept; result_summary alike', async () => {
    const contract = (await http('GET', `${s.api}/operations/${flatId}/results?form=contract`)).body.results;
    expect(contract.schema_version).toBe(1);
    expect(contract.trade_count).toBe(0);
    expect(contract.metrics.sharpe_ratio).toBeNull();
    expect(contract.metrics.null_reasons.sharpe_ratio).toBe('no trades');
    expect(contract.significance).toBeNull();
    expect(contract.null_reasons.significance).toBe('no trades: no verdict');
    expect(contract.sharpe_ci95).toBeNull();
    const ktrdr = (await http('GET', `${s.api}/operations/${flatId}/results`)).body.results;
    for (const k of ['sharpe_ratio', 'sortino_ratio', 'win_rate', 'profit_factor', 'avg_win', 'avg_holding_period']) expect(ktrdr.metrics[k], k).toBe(0);
    expect(ktrdr.metrics.null_reasons.sharpe_ratio).toBe('no trades');
    const env = (await http('GET', `${s.api}/operations/${flatId}`)).body.data;
    expect(env.result_summary.metrics.sharpe_ratio).toBe(0);
    const envC = (await http('GET', `${s.api}/operations/${flatId}?form=contract`)).body.data;
    expect(envC.result_summary.metrics.sharpe_ratio).toBeNull();
    expect((await http('GET', `${s.api}/operations/${flatId}/results?form=other`)).status).toBe(422);
  });

  it('the trades CSV (with a spread column) and the report’s CSV reconcile with the JSON to the cent', async () => {
    const results = (await http('GET', `${s.api}/operations/${id}/results?form=contract`)).body.results;
    const c = results.costs;
    const csv = (await (await fetch(`${s.api}/backtests/${id}/trades?format=csv`)).text()).trimEnd().split('\r\n');
    const head = csv[0].split(',');
    const col = (name: string) => csv.slice(1).reduce((a, l) => a + Number(l.split(',')[head.indexOf(name)]), 0);
    const cents = (v: number) => Math.round(v * 100);
    expect(head).toContain('spread_cost');
    for (const [k, ck] of [['gross_pnl', 'gross_pnl'], ['commission', 'commission'], ['spread_cost', 'spread_cost'], ['slippage_cost', 'slippage_cost'], ['net_pnl', 'net_pnl']] as const) expect(cents(col(k)), k).toBe(cents(c[ck]));

    const report = await fetch(`${s.api}/backtests/${id}/report?format=csv`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await report.text();
    expect(text).not.toMatch(/<!DOCTYPE|<html/i);
    const line = text.split('\r\n').find((l) => l.startsWith('costs,,net_pnl,'))!;
    expect(cents(Number(line.split(',')[4]))).toBe(cents(c.net_pnl));
    const sharpe = text.split('\r\n').find((l) => l.startsWith('performance,,sharpe_ratio,'))!;
    expect(Number(sharpe.split(',')[4])).toBe(results.metrics.sharpe_ratio);
  });

  it('the zero-trade report reads "No trades: no verdict"', async () => {
    const html = await (await fetch(`${s.api}/backtests/${flatId}/report`)).text();
    expect(html).toContain('No trades: no verdict');
    expect(html).not.toMatch(/beats 50 %/);
  });
});
