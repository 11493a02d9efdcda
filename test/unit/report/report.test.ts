import { describe, expect, it } from 'vitest';
import { renderBacktestReport, type BacktestReportInput } from '../../../src/core/report/backtest-report';
import { equityCsv, toCsv, tradesCsv } from '../../../src/core/report/csv';
import { escapeHtml } from '../../../src/core/report/escape';
import { monthlyReturns, yearlyFromMonthly } from '../../../src/core/report/monthly';

const DAY = 86_400_000;
const t = (iso: string) => Date.parse(iso);

describe('monthlyReturns', () => {
  it('chains month-end equities from the initial capital (hand values)', () => {
    const time = [t('2024-01-30'), t('2024-01-31'), t('2024-02-15'), t('2024-02-29'), t('2024-03-01')];
    const values = [101, 110, 90, 99, 108.9];
    const m = monthlyReturns(time, values, 100);
    expect(m.map((x) => [x.year, x.month])).toEqual([
      [2024, 1],
      [2024, 2],
      [2024, 3],
    ]);
    expect(m[0].return).toBeCloseTo(0.1, 12); // 110 / 100 − 1
    expect(m[1].return).toBeCloseTo(-0.1, 12); // 99 / 110 − 1
    expect(m[2].return).toBeCloseTo(0.1, 12); // 108.9 / 99 − 1
    expect(yearlyFromMonthly(m).get(2024)).toBeCloseTo(0.089, 12); // 108.9 / 100 − 1
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and newlines, defuses formulas, leaves numbers alone', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', -1.5], ['=cmd()', null]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",-1.5\r\n\'=cmd(),\r\n');
  });

  it('trades and equity in a fixed column order with a header row', () => {
    const csv = tradesCsv([{ trade_id: 1, symbol: 'EURUSD', side: 'LONG', net_pnl: 12.5, exit_confidence: null }]);
    const [head, row] = csv.split('\r\n');
    expect(head.split(',')[0]).toBe('trade_id');
    expect(row.split(',')[head.split(',').indexOf('net_pnl')]).toBe('12.5');
    expect(equityCsv({ time: [0, DAY], values: [100, 101], drawdowns: [0, 0], position: [0, 1] })).toBe(
      'timestamp,equity,drawdown,position\r\n1970-01-01T00:00:00.000Z,100,0,0\r\n1970-01-02T00:00:00.000Z,101,0,1\r\n',
    );
  });
});

function input(results: Record<string, unknown>): BacktestReportInput {
  const n = 90;
  const time = Array.from({ length: n }, (_, i) => t('2024-01-01') + i * DAY);
  const values = time.map((_, i) => 100_000 * (1 + 0.001 * i - (i > 40 && i < 60 ? 0.02 : 0)));
  let peak = 100_000;
  const drawdowns = values.map((v) => ((peak = Math.max(peak, v)), (peak - v) / peak));
  return {
    backtest_id: 'op_backtesting_x',
    generated_at: '2026-12-01T00:00:00.000Z',
    results: { strategy_name: 's', symbol: 'EURUSD', timeframe: '1d', metrics: { total_return_pct: 0.089, sharpe_ratio: 1.2, total_trades: 2 }, ...results },
    trades: [
      { trade_id: 1, pnl_percent: 1.5, net_pnl: 150, max_favorable_excursion: 200, max_adverse_excursion: -50 },
      { trade_id: 2, pnl_percent: -0.7, net_pnl: -70, max_favorable_excursion: 10, max_adverse_excursion: -90 },
    ],
    equity: { time, values, drawdowns, initial_capital: 100_000 },
    manifest: null,
  };
}

describe('renderBacktestReport', () => {
  it('escapes every string it prints', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderBacktestReport(input({ strategy_name: '<script>alert(1)</script>', warnings: ['<b>bold</b>'] }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('counts trades in words that agree with the number (1 trade, 2 trades)', () => {
    const two = renderBacktestReport(input({}));
    expect(two).toContain('(2 trades)');
    const oneInput = input({ metrics: { total_return_pct: 0.015, sharpe_ratio: 0.4, total_trades: 1 } });
    const one = renderBacktestReport({ ...oneInput, trades: oneInput.trades.slice(0, 1) });
    expect(one).toContain('(1 trade)');
    expect(one).not.toMatch(/\b1 trades\b/);
  });

  it('renders without the optional blocks (old results) and says what is missing', () => {
    const html = renderBacktestReport(input({}));
    expect(html).toContain('No random-entry comparison was run');
    expect(html).toContain('could not be read');
    expect(html).not.toContain('Warnings');
    expect(html).not.toMatch(/https?:\/\/|<script|<link|<img/);
    expect((html.match(/<svg/g) ?? []).length).toBe(5); // equity, drawdown, tearsheet underwater (too few bars for a rolling Sharpe), histogram, MFE/MAE
  });

  it('prints significance, costs, both benchmarks and the in-sample warning when present', () => {
    const html = renderBacktestReport(
      input({
        significance: { random_runs: 200, seed: 42, return_percentile: 66.25, sharpe_percentile: 60, p_value_return: 0.34, p_value_sharpe: 0.4, random_return_p5: -0.2, random_return_p50: -0.12, random_return_p95: 0.03, random_min_trades: 2 },
        sharpe_ci95: [-0.5, 1.9],
        sharpe_ci_method: { kind: 'stationary_bootstrap', mean_block_length: 3.2, resamples: 1000, seed: 42 },
        costs: { gross_pnl: 929, commission: 0, spread_cost: 410.5, slippage_cost: 0, net_pnl: 518.5, currency: 'USD', model: 'fx' },
        benchmark: { buy_and_hold: { total_return_pct: 0.05, sharpe_ratio: 0.4 }, exposure_matched: { total_return_pct: 0.0125, sharpe_ratio: 0.38 } },
        out_of_sample: false,
        in_sample_bars: 1234,
        warnings: [{ code: 'in_sample', message: 'overlaps training' }],
      }),
    );
    expect(html).toContain('Return beats 66 % of 200 random-entry runs (p = 0.34) → indistinguishable from chance');
    expect(html).toContain('[-0.50, 1.90]');
    expect(html).toContain('410.50 USD');
    expect(html).toContain('Spread cost');
    expect(html).toContain('Buy &amp; hold at the strategy’s exposure');
    expect(html).toContain('1.25%');
    expect(html).toContain('1234 bars of the backtest range overlap');
    expect(html).toContain('overlaps training');
    expect(html).toContain('Monthly returns');
  });

  it('reads the current single buy-and-hold benchmark shape too', () => {
    const html = renderBacktestReport(input({ benchmark: { kind: 'buy_and_hold', total_return_pct: 0.031 } }));
    expect(html).toContain('Buy &amp; hold (fully invested, no costs)');
    expect(html).toContain('3.10%');
  });
});
