import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerBacktestCommands } from '../../../src/cli/commands/backtest';
import { registerExperimentCommands } from '../../../src/cli/commands/experiment';
import { rmSync } from 'node:fs';
import { parseSizing, portfolioSummary } from '../../../src/cli/commands/portfolio';
import { producePortfolio } from '../../helpers/portfolio-results';
import type { KtrdrHttpClient } from '../../../src/cli/http';
import { runCommands } from '../../helpers/cli';

async function runCli(args: string[]) {
  const posts: { path: string; body: any }[] = [];
  const client: Partial<KtrdrHttpClient> = {
    post: async <T>(path: string, body: unknown) => {
      posts.push({ path, body });
      return { operation_id: 'op_backtesting_20240101_000000_abcdef01', message: 'Portfolio backtest started for EURUSD, AAPL, SPY 1h' } as T;
    },
    get: async <T>() => ({}) as T,
  };
  const out = await runCommands((program, ctx) => {
    registerBacktestCommands(program, ctx);
    registerExperimentCommands(program, ctx);
  }, client, args);
  return { posts, out };
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
    expect(out).toMatch(/Portfolio backtest started for EURUSD, AAPL, SPY 1h\nOperation ID: op_backtesting_/);
  });

  it('sizing rules from text; bad ones name the flag', () => {
    expect(parseSizing('equal_weight')).toEqual({ type: 'equal_weight' });
    expect(parseSizing('fixed_fraction:0.2')).toEqual({ type: 'fixed_fraction', fraction: 0.2 });
    expect(parseSizing('kelly:0.5')).toEqual({ type: 'kelly', fraction: 0.5 });
    expect(() => parseSizing('martingale')).toThrow(/--sizing must be equal_weight, fixed_fraction:F, volatility_target:VOL or kelly:F/);
    expect(() => parseSizing('kelly:-1')).toThrow(/--sizing kelly: '-1' is not a positive number/);
    expect(() => parseSizing('equal_weight:3')).toThrow(/takes no value/);
  });

  it('experiments over portfolios: --portfolio [symbols] with the sizing, cap and rebalancing flags becomes backtest.portfolio', async () => {
    const { posts } = await runCli(['experiment', 'walk-forward', 'multi_asset', '--start', '2017-01-01', '--end', '2018-12-31', '--train', '1y', '--test', '3M', '--portfolio', 'EURUSD,SPY', '--sizing', 'kelly:0.5', '--max-gross', '1.5', '--rebalance', 'month', '--capital', '50000']);
    expect(posts[0].path).toBe('/experiments/walk-forward/start');
    expect(posts[0].body.backtest).toEqual({ initial_capital: 50_000, portfolio: { symbols: ['EURUSD', 'SPY'], sizing: { type: 'kelly', fraction: 0.5 }, max_gross_exposure: 1.5, rebalance: 'month' } });
    const trained = await runCli(['experiment', 'sweep', 'multi_asset', '--start', '2017-01-01', '--end', '2018-12-31', '--param', 'training.learning_rate=0.001:0.01', '--portfolio']);
    expect(trained.posts[0].body.backtest).toEqual({ portfolio: {} }); // the trained symbols, the defaults
    await expect(runCli(['experiment', 'sweep', 'multi_asset', '--start', '2017-01-01', '--end', '2018-12-31', '--param', 'training.learning_rate=0.001:0.01', '--sizing', 'equal_weight'])).rejects.toThrow(/--sizing, --max-gross and --rebalance need --portfolio/);
  });

  it('refuses a run without symbols', async () => {
    await expect(runCli(['backtest', 'portfolio', 'multi_asset', '--start', '2018-01-01', '--end', '2018-12-31'])).rejects.toThrow(/--symbols is required/);
  });

  it('the summary: the presenter’s legs table (one row per leg), the correlation, the sizing, in-sample legs named', async () => {
    const pf = await producePortfolio({ modelRange: { start: '2020-01-01', end: '2021-01-25' } });
    const text = portfolioSummary(pf.result);
    expect(text).toMatch(/^!{72}\n!! IN-SAMPLE: EURUSD \d+ of \d+ bars, GBPUSD \d+ of \d+ bars, AUDUSD \d+ of \d+ bars lie inside their model's training data\./);
    expect(text).toContain('fx3 on EURUSD, GBPUSD, AUDUSD 1h');
    expect(text).toContain('sizing: Kelly 0.5 × f*, cap 30.00%, 10.00% until 10 trades, last 40 trades; max gross exposure 1 × equity; rebalancing: week');
    // The legs are items (as folds and trials): a header of metric labels, then a row per leg.
    const legs = /Legs \(3, one cash account in USD\)\n([^]*?)\n\n/.exec(text)?.[1] ?? '';
    expect(legs).toMatch(/^LEG\s.*Net PnL.*Kelly fraction f\*/);
    const rowOf = (symbol: string) => legs.split('\n').find((line) => line.startsWith(`${symbol} `)) ?? '';
    const l = pf.result.legs;
    expect(rowOf('EURUSD')).toMatch(new RegExp(`\\s${money(l[0].costs.net_pnl)} USD\\s`));
    expect(rowOf('GBPUSD')).toMatch(new RegExp(`\\s${money(l[1].costs.net_pnl)} USD\\s`));
    expect(rowOf('AUDUSD')).toMatch(/\s0\.00 USD\s/);
    expect(rowOf('EURUSD')).not.toContain('no closed trades');
    expect(rowOf('AUDUSD')).toContain('— (no closed trades: the Kelly fraction is undefined)');
    expect(text).toMatch(/Correlation of the legs\nMETRIC\s+EURUSD\s+GBPUSD\s+AUDUSD\n[- ]+\nEURUSD\s+1\.00\s+-?0\.\d\d\s+— \(AUDUSD never changed value \(no trades\): correlation undefined\)/);
    rmSync(pf.home, { recursive: true, force: true });
  });
});

const money = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).replace(/[.]/g, '\\.');
