import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerBacktestCommands } from '../../../src/cli/commands/backtest';
import { legsTable, parseSizing } from '../../../src/cli/commands/portfolio';
import type { KtrdrHttpClient } from '../../../src/cli/http';

async function runCli(args: string[]) {
  const posts: { path: string; body: any }[] = [];
  const client = {
    post: async (path: string, body: unknown) => {
      posts.push({ path, body });
      return { operation_id: 'op_backtesting_20240101_000000_abcdef01', message: 'Portfolio backtest started for EURUSD, AAPL, SPY 1h' };
    },
    get: async () => ({}),
  } as unknown as KtrdrHttpClient;
  const program = new Command().exitOverride();
  registerBacktestCommands(program, { client: () => client });
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  try {
    await program.parseAsync(['node', 'ktrdr', ...args]);
  } finally {
    spy.mockRestore();
  }
  return { posts, out: out.join('') };
}

afterEach(() => vi.restoreAllMocks());

describe('ktrdr backtest portfolio', () => {
  it('posts the portfolio request: symbols, sizing, cap, rebalancing, the shared cost options', async () => {
    const { posts, out } = await runCli([
      'backtest',
      'portfolio',
      'multi_asset',
      '--symbols',
      'EURUSD, AAPL,SPY',
      '--start',
      '2018-01-01',
      '--end',
      '2018-12-31',
      '--timeframe',
      '1h',
      '--sizing',
      'volatility_target:0.12',
      '--max-gross',
      '1.5',
      '--rebalance',
      'week',
      '--spread-pips',
      '0.8',
      '--random-runs',
      '50',
    ]);
    expect(posts).toEqual([
      {
        path: '/backtests/portfolio/start',
        body: {
          strategy_name: 'multi_asset',
          symbols: ['EURUSD', 'AAPL', 'SPY'],
          start_date: '2018-01-01',
          end_date: '2018-12-31',
          timeframe: '1h',
          initial_capital: 100_000,
          sizing: { type: 'volatility_target', annual_volatility: 0.12 },
          max_gross_exposure: 1.5,
          rebalance: 'week',
          costs: { spread_pips: 0.8 },
          random_runs: 50,
        },
      },
    ]);
    expect(out).toMatch(/Portfolio backtest started for EURUSD, AAPL, SPY 1h: op_backtesting_/);
  });

  it('sizing rules from text; bad ones name the flag', () => {
    expect(parseSizing('equal_weight')).toEqual({ type: 'equal_weight' });
    expect(parseSizing('fixed_fraction:0.2')).toEqual({ type: 'fixed_fraction', fraction: 0.2 });
    expect(parseSizing('kelly:0.5')).toEqual({ type: 'kelly', fraction: 0.5 });
    expect(() => parseSizing('martingale')).toThrow(/--sizing must be equal_weight, fixed_fraction:F, volatility_target:VOL or kelly:F/);
    expect(() => parseSizing('kelly:-1')).toThrow(/--sizing kelly: '-1' is not a positive number/);
    expect(() => parseSizing('equal_weight:3')).toThrow(/takes no value/);
  });

  it('refuses a run without symbols', async () => {
    await expect(runCli(['backtest', 'portfolio', 'multi_asset', '--start', '2018-01-01', '--end', '2018-12-31'])).rejects.toThrow(/--symbols is required/);
  });

  it('the legs table: PnL, costs, contribution, exposure, in-sample legs named; the correlation matrix', () => {
    const text = legsTable({
      legs: [
        { symbol: 'EURUSD', trades: 12, costs: { net_pnl: 1234.5, commission: 0, spread_cost: 10, slippage_cost: 2.5 }, contribution: 0.012345, exposure: 0.3, time_in_market: 0.4, out_of_sample: true },
        { symbol: 'SPY', trades: 3, costs: { net_pnl: -20, commission: 2, spread_cost: 1, slippage_cost: 1 }, contribution: -0.0002, exposure: null, time_in_market: 0.1, out_of_sample: false, in_sample_bars: 40 },
      ],
      correlation: { symbols: ['EURUSD', 'SPY'], matrix: [[1, 0.12], [0.12, null]] },
    });
    expect(text).toMatch(/EURUSD\s+12\s+1,234.50\s+12.50\s+1.23%\s+30.00%\s+40.00%\s+yes/);
    expect(text).toMatch(/SPY\s+3\s+-20.00\s+4.00\s+-0.02%\s+—\s+10.00%\s+in sample \(40 bars\)/);
    expect(text).toMatch(/SPY\s+0.12\s+—/);
  });
});
