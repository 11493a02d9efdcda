import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerBacktestCommands, summaryTable } from '../../../src/cli/commands/backtest';
import type { KtrdrHttpClient } from '../../../src/cli/http';
import { runCommands } from '../../helpers/cli';

function fakeClient() {
  const posts: { path: string; body: any }[] = [];
  const client = {
    post: async (path: string, body: unknown) => {
      posts.push({ path, body });
      return { operation_id: 'op_backtesting_20240101_000000_abcdef01', message: 'Backtest started for EURUSD 1d', symbol: 'EURUSD', timeframe: '1d' };
    },
    get: async () => ({}),
  };
  return { client: client as unknown as KtrdrHttpClient, posts };
}

async function runCli(args: string[]) {
  const { client, posts } = fakeClient();
  return { posts, out: await runCommands(registerBacktestCommands, client, args) };
}

afterEach(() => vi.restoreAllMocks());

describe('ktrdr backtest', () => {
  it('`backtest NAME --start --end` posts KTRDR’s request without symbol/timeframe (taken from the strategy)', async () => {
    const { posts, out } = await runCli(['backtest', 'neuro_mean_reversion', '--start', '2024-01-01', '--end', '2024-06-30', '-m', 'models/neuro_mean_reversion/1d_v2']);
    expect(posts).toEqual([
      {
        path: '/backtests/start',
        body: {
          strategy_name: 'neuro_mean_reversion',
          start_date: '2024-01-01',
          end_date: '2024-06-30',
          model_path: 'models/neuro_mean_reversion/1d_v2',
          initial_capital: 100_000,
        },
      },
    ]);
    expect(out).toMatch(/op_backtesting_20240101_000000_abcdef01/);
  });

  it('`backtest run STRATEGY SYMBOL TIMEFRAME --start-date --end-date --no-follow` sends symbol, timeframe and costs', async () => {
    const { posts } = await runCli(['backtest', 'run', 's1', 'EURUSD', '1h', '--start-date', '2024-01-01', '--end-date', '2024-02-01', '--capital', '5000', '--slippage', '0.0005', '--no-follow']);
    expect(posts[0].body).toMatchObject({ strategy_name: 's1', symbol: 'EURUSD', timeframe: '1h', initial_capital: 5000, slippage: 0.0005 });
    // Only what was typed: the commission is left to the server (the instrument's or KTRDR's default).
    expect(posts[0].body.commission).toBeUndefined();
  });

  it('--spread-pips and --allow-in-sample go into the request', async () => {
    const { posts } = await runCli(['backtest', 'x', '--start', '2024-01-01', '--end', '2024-02-01', '--spread-pips', '0.8', '--allow-in-sample']);
    expect(posts[0].body).toMatchObject({ costs: { spread_pips: 0.8 }, allow_in_sample: true });
  });

  it('rejects a non-numeric capital before calling the server', async () => {
    await expect(runCli(['backtest', 'x', '--start', '2024-01-01', '--end', '2024-02-01', '--capital', 'lots'])).rejects.toThrow(/--capital must be a number/);
  });

  it('prints the key metrics next to buy-and-hold', () => {
    const text = summaryTable({
      strategy_name: 's',
      symbol: 'EURUSD',
      timeframe: '1d',
      start_time: 'a',
      end_time: 'b',
      equity_curve_length: 10,
      model_path: 'models/s/1d_v1',
      metrics: { total_return_pct: 0.0123, sharpe_ratio: 1.234, max_drawdown_pct: 0.05, total_trades: 3, win_rate: 2 / 3 },
      benchmark: { total_return_pct: -0.03, sharpe_ratio: -0.5 },
    });
    expect(text).toMatch(/Return\s+1\.23%\s+-3\.00%/);
    expect(text).toMatch(/Sharpe ratio\s+1\.23\s+-0\.50/);
    expect(text).toMatch(/Win rate\s+66\.67%/);
    expect(text).toMatch(/Trades\s+3/);
  });

  it('prints the exposure-matched buy & hold, the cost split and an in-sample banner', () => {
    const base = {
      strategy_name: 's',
      symbol: 'EURUSD',
      timeframe: '1h',
      start_time: 'a',
      end_time: 'b',
      equity_curve_length: 1000,
      model_path: 'models/s/1h_v1',
      metrics: { total_return_pct: -0.117, exposure: 0.4 },
      benchmark: { total_return_pct: 0.05, exposure: 1, exposure_matched: { exposure: 0.1, total_return_pct: 0.005 } },
      costs: { gross_pnl: 929, commission: 0, spread_cost: 500, slippage_cost: 100, net_pnl: 329, currency: 'USD', model: 'fx:EURUSD' },
      in_sample_bars: 250,
      out_of_sample: false,
      model_data_range: { start: '2007-01-01T00:00:00.000Z', end: '2014-12-31T23:00:00.000Z' },
    };
    const text = summaryTable(base);
    expect(text).toMatch(/Return\s+-11\.70%\s+5\.00%\s+0\.50%/);
    expect(text).toMatch(/Time in market\s+40\.00%\s+100\.00%\s+100\.00%/);
    expect(text).toMatch(/Avg equity invested\s+10\.00%\s+100\.00%\s+10\.00%/);
    expect(text).toMatch(/Costs \(USD, fx:EURUSD\): gross 929\.00 − commission 0\.00 − spread 500\.00 − slippage 100\.00 = net 329\.00/);
    expect(text).toMatch(/!! IN-SAMPLE: 250 of 1000 bars lie inside the model's training data \(model data 2007-01-01 \.\. 2014-12-31\)/);
    const ack = summaryTable({ ...base, allow_in_sample: true });
    expect(ack).not.toMatch(/!! IN-SAMPLE/);
    expect(ack).toMatch(/in-sample \(acknowledged\): 250 of 1000 bars/);
    expect(summaryTable({ ...base, out_of_sample: true, in_sample_bars: 0 })).not.toMatch(/in-sample/i);
  });
});
