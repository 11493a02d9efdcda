import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { backtestSummary, registerBacktestCommands } from '../../../src/cli/commands/backtest';
import { formatMetric } from '../../../src/shared/metrics-catalog';
import { produceBacktest, type ProducedBacktest } from '../../helpers/results';
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

let run: ProducedBacktest;
let flat: ProducedBacktest;
beforeAll(async () => {
  run = await produceBacktest();
  flat = await produceBacktest({ trades: false });
});
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

  it('prints every metric with the catalogue’s label and text, strategy beside both benchmarks, and the cost split', () => {
    const r = run.result;
    const text = backtestSummary(r);
    const m = r.metrics;
    const b = r.benchmark!;
    const f = (k: string, v: unknown) => formatMetric(k, v, { currency: 'USD' });
    expect(text).toMatch(new RegExp(`Total return %\\s+${esc(f('total_return_pct', m.total_return_pct))}\\s+${esc(f('total_return_pct', b.buy_and_hold.total_return_pct))}\\s+${esc(f('total_return_pct', b.exposure_matched.total_return_pct))}`));
    expect(text).toMatch(new RegExp(`Avg equity invested\\s+${esc(f('capital_invested', b.exposure_matched.exposure))}\\s+100\\.00%\\s+${esc(f('capital_invested', b.exposure_matched.exposure))}`));
    expect(text).toMatch(new RegExp(`Spread cost\\s+${esc(f('spread_cost', r.costs!.spread_cost))}`));
    expect(text).toContain(' USD');
    expect(text).toMatch(/Win rate\s+\d+\.\d\d%/);
    expect(text).not.toMatch(/999999|NaN|undefined/);
    // p-values with the catalogue's precision, never two decimals.
    expect(text).toMatch(/p-value \(return\)\s+(0\.\d{3}|< 0\.001)\b/);
  });

  it('undefined values read "— (reason)"; a zero-trade run says "No trades: no verdict"', () => {
    const text = backtestSummary(flat.result);
    expect(text).toMatch(/Profit factor\s+— \(no trades\)/);
    expect(text).toMatch(/Sharpe 95 % interval\s+— \(no trades: the equity never moved\)/);
    expect(text.trim().split('\n').pop()).toBe('No trades: no verdict');
    expect(text).not.toMatch(/beats 50 %|p = 1\.0/);
  });

  it('an in-sample banner, acknowledged note, or "unknown"', () => {
    const base = { ...run.result, in_sample_bars: 250, out_of_sample: false, equity_curve_length: 1000, model_data_range: { start: '2007-01-01T00:00:00.000Z', end: '2014-12-31T23:00:00.000Z' } };
    expect(backtestSummary(base)).toMatch(/!! IN-SAMPLE: 250 of 1000 bars lie inside the model's training data \(model data 2007-01-01 \.\. 2014-12-31\)/);
    const ack = backtestSummary({ ...base, allow_in_sample: true });
    expect(ack).not.toMatch(/!! IN-SAMPLE/);
    expect(ack).toMatch(/in-sample \(acknowledged\): 250 of 1000 bars/);
    expect(backtestSummary({ ...base, out_of_sample: true, in_sample_bars: 0 })).not.toMatch(/IN-SAMPLE|in-sample \(acknowledged|in-sample check/);
    const unknown = { ...base, out_of_sample: null, in_sample_bars: null, null_reasons: { ...base.null_reasons, out_of_sample: 'no range recorded' } };
    expect(backtestSummary(unknown)).toMatch(/^in-sample check: unknown \(no range recorded\)/);
  });
});
