// The README's multi-asset example end to end on the bundled data, through a real server: one model
// trained across EURUSD, AAPL and SPY (1h), then backtested out of sample as one portfolio (REST and
// the CLI), and a 1-symbol portfolio that equals the single-symbol backtest of the same model to the
// cent. Sized to stay fast: a year of training, a quarter of backtest, few random runs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOperationResult, type BacktestResult, type PortfolioResult } from '../../../src/shared/results';
import { http, REPO, startServer, waitFor, type TestServer } from '../../helpers/server';

let s: TestServer;

async function runToEnd(path: string, body: Record<string, unknown>) {
  const start = await http('POST', `${s.api}${path}`, body);
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const id = start.body.operation_id;
  const op = await waitFor(
    async () => {
      const r = (await http('GET', `${s.api}/operations/${id}`)).body.data;
      return ['completed', 'failed', 'cancelled'].includes(r.status) ? r : null;
    },
    240_000,
    250,
  );
  expect(op.error_message, s.output()).toBeNull();
  expect(op.status).toBe('completed');
  return { id, results: (await http('GET', `${s.api}/operations/${id}/results?form=contract`)).body.results };
}

/** A finished backtest's result as every reader gets it: parsed by the contract. */
async function backtestTo<K extends 'portfolio' | 'backtesting'>(kind: K, path: string, body: Record<string, unknown>) {
  const { id, results } = await runToEnd(path, body);
  const typed = parseOperationResult('backtesting', results);
  expect(typed?.type).toBe(kind);
  return { id, r: typed!.result as K extends 'portfolio' ? PortfolioResult : BacktestResult };
}

const SYMBOLS = ['EURUSD', 'AAPL', 'SPY'];
const OOS = { start_date: '2018-01-01', end_date: '2018-03-31' };

beforeAll(async () => {
  // A fresh home: the server seeds the bundled bars (EURUSD, AAPL, SPY 1h among them) and finds the
  // bundled strategies, multi_asset included.
  s = await startServer({ env: { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' } });
  const training = await runToEnd('/trainings/start', { strategy_name: 'multi_asset', start_date: '2017-01-01', end_date: '2017-12-31' });
  expect(training.results.model_path).toBe('models/multi_asset/1h_v1');
}, 300_000);

afterAll(async () => {
  await s?.stop();
});

describe('README example: a 3-symbol portfolio trained across symbols, backtested out of sample', () => {
  let r: PortfolioResult;
  let id = '';
  beforeAll(async () => {
    ({ id, r } = await backtestTo('portfolio', '/backtests/portfolio/start', { strategy_name: 'multi_asset', symbols: SYMBOLS, ...OOS, random_runs: 40 }));
  }, 240_000);

  it('one model for the three legs, each leg out of sample', () => {
    expect(r.kind).toBe('portfolio');
    expect(r.symbols).toEqual(SYMBOLS);
    expect(r.model_path).toBe('models/multi_asset/1h_v1');
    expect(r.legs.map((l) => [l.symbol, l.out_of_sample])).toEqual(SYMBOLS.map((x) => [x, true]));
    expect(r.out_of_sample).toBe(true);
    expect(r.config.legs.map((l) => l.costs.model)).toEqual(['fx:EURUSD', 'equity:AAPL', 'equity:SPY']);
    // AAPL's bundled bars are split-adjusted (the data shows no jump at its splits): its costs are
    // charged on the shares really traded (in 2018, one bar unit is a quarter of a share).
    const adj = r.config.legs[1].costs.price_adjustment!;
    expect(adj.splits_applied.map((x) => x.date)).toEqual(['2000-06-21', '2005-02-28', '2014-06-09', '2020-08-31']);
    expect(adj.evidence.every((e) => e.adjusted)).toBe(true);
    expect(r.config.legs[2].costs.price_adjustment!.splits_applied).toEqual([]);
  });

  it('the calendars are mixed: FX trades ~3 times the equity hours; steps are their union', () => {
    const [eur, aapl, spy] = r.legs;
    expect(eur.bars).toBeGreaterThan(2.5 * aapl.bars);
    expect(Math.abs(aapl.bars - spy.bars)).toBeLessThan(5);
    expect(r.equity_curve_length).toBeGreaterThanOrEqual(eur.bars);
  });

  it('the books balance to the cent across legs; the results reconcile', async () => {
    const trades = (await http('GET', `${s.api}/backtests/${id}/trades`)).body.trades;
    const equity = (await http('GET', `${s.api}/backtests/${id}/equity_curve`)).body;
    expect(trades.length).toBe(r.trade_count);
    expect(r.trade_count).toBeGreaterThan(0);
    const net = trades.reduce((a: number, t: { net_pnl: number }) => a + t.net_pnl, 0);
    expect(Math.abs(net - (equity.values[equity.values.length - 1] - 100_000))).toBeLessThan(0.005);
    expect(r.legs.reduce((a, l) => a + l.costs.net_pnl, 0)).toBeCloseTo(r.costs.net_pnl, 6);
    expect(r.legs.reduce((a, l) => a + l.contribution, 0)).toBeCloseTo(r.metrics.total_return_pct, 9);
    expect(r.significance?.random_runs).toBe(40);
    expect(r.benchmark.buy_and_hold.exposure).toBe(1);
    expect(Object.keys(r.benchmark.buy_and_hold.quantities)).toEqual(SYMBOLS);
    expect(r.correlation.symbols).toEqual(SYMBOLS);
  });

  it('the legs as JSON and CSV, each leg’s curve, and the HTML report with its portfolio section', async () => {
    const legs = await http('GET', `${s.api}/backtests/${id}/legs`);
    expect(legs.body.legs.map((l: { symbol: string }) => l.symbol)).toEqual(SYMBOLS);
    const csv = await http('GET', `${s.api}/backtests/${id}/legs?format=csv`);
    expect(String(csv.body).split('\r\n')[0]).toMatch(/^symbol,first_bar,last_bar,total_trades,win_rate,profit_factor,gross_pnl,commission,spread_cost,slippage_cost,net_pnl,contribution/);
    const curves = await http('GET', `${s.api}/backtests/${id}/equity_curve?legs=true&max_points=300`);
    expect(curves.body.legs.map((l: { symbol: string }) => l.symbol)).toEqual(SYMBOLS);
    expect(curves.body.legs[0].values.length).toBeLessThanOrEqual(300);
    expect(curves.body.gross_exposure.length).toBe(curves.body.values.length);
    const html = await http('GET', `${s.api}/backtests/${id}/report`);
    expect(String(html.body)).toMatch(/Portfolio: 3 legs, one cash account in USD/);
  });

  it('the CLI runs the same backtest and prints the portfolio and its legs', () => {
    const cli = spawnSync(
      process.execPath,
      [join(REPO, 'bin', 'ktrdr.js'), '--url', s.url, 'backtest', 'portfolio', 'multi_asset', '--symbols', SYMBOLS.join(','), '--start', OOS.start_date, '--end', OOS.end_date, '--random-runs', '10', '--follow'],
      { encoding: 'utf8', cwd: REPO, env: { ...process.env, KTRDR_DEV: '1' }, timeout: 240_000 },
    );
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/multi_asset on EURUSD, AAPL, SPY 1h/);
    // The legs are items (layout 'items', as folds and trials): a row per leg, a column per metric;
    // its net PnL is followed by its contribution.
    expect(cli.stdout).toMatch(/Legs \(3, one cash account in USD\)\nLEG\s.*Net PnL.*Contribution/);
    for (const symbol of SYMBOLS) expect(cli.stdout).toMatch(new RegExp(`^${symbol}\\s.*-?[\\d,]+\\.\\d\\d USD\\s+-?[\\d.]+%\\s`, 'm'));
  });
});

describe('a 1-symbol portfolio is the single-symbol backtest (real model, real bars)', () => {
  it('same trades, equity and metrics to the cent', async () => {
    const one = await backtestTo('backtesting', '/backtests/start', { strategy_name: 'multi_asset', symbol: 'SPY', timeframe: '1h', ...OOS, random_runs: 20 });
    const pf = await backtestTo('portfolio', '/backtests/portfolio/start', { strategy_name: 'multi_asset', symbols: ['SPY'], timeframe: '1h', ...OOS, random_runs: 20, sizing: { type: 'fixed_fraction', fraction: 0.25 } });
    const t1 = (await http('GET', `${s.api}/backtests/${one.id}/trades`)).body.trades;
    const t2 = (await http('GET', `${s.api}/backtests/${pf.id}/trades`)).body.trades;
    expect(t1.length).toBeGreaterThan(0);
    expect(t2.map((t: any) => [t.entry_time, t.exit_time, t.quantity, Math.round(t.net_pnl * 100)])).toEqual(t1.map((t: any) => [t.entry_time, t.exit_time, t.quantity, Math.round(t.net_pnl * 100)]));
    const e1 = (await http('GET', `${s.api}/backtests/${one.id}/equity_curve`)).body.values;
    const e2 = (await http('GET', `${s.api}/backtests/${pf.id}/equity_curve`)).body.values;
    expect(e2.map((v: number) => Math.round(v * 100))).toEqual(e1.map((v: number) => Math.round(v * 100)));
    expect(pf.r.metrics).toEqual(one.r.metrics);
    expect(pf.r.costs).toEqual(one.r.costs);
    for (const k of ['buy_and_hold', 'exposure_matched'] as const) expect(pf.r.benchmark[k].final_equity).toBeCloseTo(one.r.benchmark![k].final_equity, 6);
    expect(pf.r.significance).toEqual(one.r.significance);
    expect(pf.r.sharpe_ci95).toEqual(one.r.sharpe_ci95);
  }, 240_000);
});
