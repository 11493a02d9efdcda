// Experiments over portfolios (issue 26): `backtest.portfolio` in a walk-forward or sweep request makes
// every fold's and trial's backtest a portfolio backtest of the model trained across the symbols.
// A fold's backtest is a standalone portfolio backtest of its model on its window to the cent; the
// stitched equity compounds the portfolio folds; a sweep's DSR and PBO are computed on the trials'
// portfolio returns (one point per step of the legs' union clock), not on one symbol's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curveReturns } from '../../../src/core/experiments/aggregate';
import { sharpeRatio } from '../../../src/core/stats/deflated-sharpe';
import { parseOperationResult, type PortfolioResult } from '../../../src/shared/results';
import { sweepResultSchema } from '../../../src/shared/results/sweep';
import { walkForwardResultSchema } from '../../../src/shared/results/walk-forward';
import { http, startServer, type TestServer } from '../../helpers/server';
import { children, waitForStatus, writeFastStrategy } from './helpers';

const SYMBOLS = ['EURUSD', 'SPY'];
const PORTFOLIO = { sizing: { type: 'equal_weight' }, rebalance: 'week' };

describe('experiments over portfolios (EURUSD + SPY 1h, one model trained across both)', () => {
  let server: TestServer;
  let strategy: string;
  beforeAll(async () => {
    server = await startServer();
    strategy = writeFastStrategy(server.home);
  });
  afterAll(async () => server?.stop());

  const base = () => ({ strategy_name: strategy, symbols: SYMBOLS, start_date: '2017-01-01', end_date: '2017-04-30' });
  /** A finished backtest's result, parsed by the contract: it must be the portfolio variant. */
  const portfolioResult = async (id: string): Promise<PortfolioResult> => {
    const typed = parseOperationResult('backtesting', (await http('GET', `${server.api}/operations/${id}/results?form=contract`)).body.results);
    expect(typed?.type).toBe('portfolio');
    return typed!.result as PortfolioResult;
  };

  it('refuses a portfolio with a symbol beside it, or a leg without data, naming the field; starts nothing', async () => {
    const both = await http('POST', `${server.api}/experiments/walk-forward/start`, { ...base(), train_window: '2M', test_window: '1M', backtest: { symbol: 'EURUSD', portfolio: PORTFOLIO } });
    expect(both.status).toBe(422);
    expect(both.body.error.details[0]).toMatchObject({ field: 'backtest.symbol', message: expect.stringMatching(/either backtest.symbol .* or backtest.portfolio/) });
    const sizing = await http('POST', `${server.api}/experiments/sweeps/start`, { ...base(), trials: 2, space: { 'training.learning_rate': { min: 0.001, max: 0.01 } }, backtest: { portfolio: { sizing: { type: 'kelly', min_trades: 30, lookback_trades: 5 } } } });
    expect(sizing.status).toBe(422);
    expect(JSON.stringify(sizing.body.error.details)).toMatch(/backtest\.portfolio\.sizing\.lookback_trades/);
    const noData = await http('POST', `${server.api}/experiments/walk-forward/start`, { ...base(), train_window: '2M', test_window: '1M', backtest: { portfolio: { ...PORTFOLIO, symbols: ['EURUSD', 'QQQ'] } } });
    expect(noData.status).toBe(404);
    expect(noData.body.detail).toMatch(/^backtest\.portfolio\.symbols: No data for QQQ 1h/);
    expect((await http('GET', `${server.api}/experiments`)).body.total_count).toBe(0);
  });

  it('walk-forward: every fold’s backtest is a portfolio backtest, equal to a standalone one to the cent; the folds stitch', async () => {
    const started = await http('POST', `${server.api}/experiments/walk-forward/start`, { ...base(), train_window: '2M', test_window: '1M', max_parallel: 2, backtest: { portfolio: PORTFOLIO, initial_capital: 50_000 } });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.message).toMatch(/on EURUSD,SPY 1h/);
    const id = started.body.operation_id as string;
    const op = await waitForStatus(server.api, id, ['completed', 'failed', 'cancelled'], 400_000);
    expect(op.error_message).toBeNull();
    const { results } = (await http('GET', `${server.api}/operations/${id}/results`)).body;
    const wf = walkForwardResultSchema.parse(results);
    expect(wf.symbol).toBe('EURUSD,SPY');
    expect(wf.settings.backtest).toMatchObject({ portfolio: { symbols: SYMBOLS, sizing: { type: 'equal_weight' }, rebalance: 'week' } });
    const kids = await children(server.api, id);
    // Trained across both symbols: each fold's training child pools them.
    for (const t of kids.filter((c) => c.operation_type === 'training')) expect(t.metadata.parameters.symbols).toEqual(SYMBOLS);

    let product = 1;
    for (const f of wf.folds) {
      expect(f.status).toBe('completed');
      const bt = (await http('GET', `${server.api}/operations/${f.backtest_operation_id}`)).body.data;
      expect(bt.metadata.parameters).toMatchObject({ portfolio: true, symbols: SYMBOLS, model_path: f.model_path, start_date: f.test_start, end_date: f.test_end, initial_capital: 50_000, sizing: { type: 'equal_weight' } });
      const r = await portfolioResult(f.backtest_operation_id!);
      expect(r.legs.map((l) => [l.symbol, l.out_of_sample])).toEqual(SYMBOLS.map((s) => [s, true]));
      // What the fold keeps is the portfolio's metrics and costs.
      expect(f.oos_metrics!.sharpe_ratio).toBe(r.metrics.sharpe_ratio);
      expect(f.oos_metrics!.total_return_pct).toBe(r.metrics.total_return_pct);
      expect(f.oos_costs).toEqual(r.costs);
      product *= 1 + r.metrics.total_return_pct;
    }
    expect(wf.stitched_equity.final_equity).toBeCloseTo(50_000 * product, 4);

    // The fold's backtest is a standalone portfolio backtest of the same model on the same window.
    const f = wf.folds.find((x) => (x.oos_metrics?.total_trades ?? 0) > 0) ?? wf.folds[0];
    const alone = await http('POST', `${server.api}/backtests/portfolio/start`, { strategy_name: strategy, symbols: SYMBOLS, timeframe: '1h', model_path: f.model_path, start_date: f.test_start, end_date: f.test_end, initial_capital: 50_000, ...PORTFOLIO });
    expect(alone.status, JSON.stringify(alone.body)).toBe(200);
    await waitForStatus(server.api, alone.body.operation_id, ['completed']);
    const a = await portfolioResult(alone.body.operation_id);
    const b = await portfolioResult(f.backtest_operation_id!);
    const cents = (x: number) => Math.round(x * 100);
    expect(b.trade_count).toBe(a.trade_count);
    expect(cents(b.metrics.final_equity)).toBe(cents(a.metrics.final_equity));
    for (const [i, leg] of b.legs.entries()) expect(cents(leg.costs.net_pnl)).toBe(cents(a.legs[i].costs.net_pnl));
    expect(b.metrics.sharpe_ratio).toBe(a.metrics.sharpe_ratio);
  }, 600_000);

  it('sweep: trials’ selection backtests are portfolios; DSR and PBO are computed on the portfolio returns', async () => {
    const started = await http('POST', `${server.api}/experiments/sweeps/start`, {
      ...base(),
      space: { 'training.learning_rate': { min: 0.0005, max: 0.02, log: true } },
      sampler: 'random',
      trials: 8,
      objective: 'oos_sharpe',
      seed: 3,
      max_parallel: 2,
      backtest: { portfolio: { ...PORTFOLIO, sizing: { type: 'volatility_target', annual_volatility: 0.1, lookback_bars: 24 } } },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const id = started.body.operation_id as string;
    const op = await waitForStatus(server.api, id, ['completed', 'failed', 'cancelled'], 600_000);
    expect(op.error_message).toBeNull();
    const r = sweepResultSchema.parse((await http('GET', `${server.api}/operations/${id}/results`)).body.results);
    expect(r.trials).toHaveLength(8);
    const kids = await children(server.api, id);
    const backtests = kids.filter((c) => c.operation_type === 'backtesting');
    expect(backtests.length).toBe(9); // 8 selection backtests and the chosen trial's holdout
    for (const c of backtests) expect(c.metadata.parameters).toMatchObject({ portfolio: true, symbols: SYMBOLS, sizing: { type: 'volatility_target' } });

    // The selection-window returns the overfitting statistics use are the portfolios' equity returns.
    const selection = backtests.filter((c) => c.metadata.experiment_role === 'sweep_selection_backtest');
    const curves = await Promise.all(selection.map(async (c) => ({ trial: c.metadata.trial as number, eq: (await http('GET', `${server.api}/backtests/${c.operation_id}/equity_curve`)).body })));
    const eurusd = (await portfolioResult(selection[0].operation_id)).legs[0].bars;
    expect(curves[0].eq.total_points).toBeGreaterThan(eurusd); // the union clock: more steps than one leg's bars
    expect(r.overfitting.trials_used).toBe(8);
    expect(r.overfitting.observations).toBe(Math.min(...curves.map((c) => c.eq.total_points)));
    const chosen = curves.find((c) => c.trial === r.overfitting.selected_trial)!;
    const t = r.overfitting.observations!;
    if (r.overfitting.deflated_sharpe) expect(r.overfitting.deflated_sharpe.sharpe).toBeCloseTo(sharpeRatio(curveReturns(chosen.eq.values, chosen.eq.initial_capital).slice(-t)), 12);
    else expect(r.overfitting.null_reasons.deflated_sharpe).toMatch(/do not vary/);
    expect(r.overfitting.pbo === null ? r.overfitting.null_reasons.pbo : r.overfitting.pbo.trials).toBeTruthy();
    // The chosen trial's final holdout is a portfolio too.
    expect(r.final?.status).toBe('completed');
    await portfolioResult(r.final!.backtest_operation_id!);
  }, 700_000);
});
