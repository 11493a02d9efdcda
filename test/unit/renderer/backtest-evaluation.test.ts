import { describe, expect, it } from 'vitest';
import { benchmarkColumns, costRows, inSampleNotice } from '../../../src/renderer/src/lib/backtest-evaluation';

const base = {
  equity_curve_length: 1000,
  metrics: { exposure: 0.4, total_return_pct: -0.1, sharpe_ratio: -1 },
  benchmark: { total_return_pct: 0.05, buy_and_hold: { exposure: 1, total_return_pct: 0.05 }, exposure_matched: { exposure: 0.1, total_return_pct: 0.004 } },
  costs: { gross_pnl: 929, commission: 0, spread_cost: 500, slippage_cost: 100, net_pnl: 329, currency: 'USD', model: 'fx:EURUSD' },
};

describe('backtest evaluation in the UI', () => {
  it('an in-sample backtest gets a banner unless acknowledged; out of sample gets nothing', () => {
    const r = { ...base, out_of_sample: false, in_sample_bars: 250, model_data_range: { start: '2007-01-01T00:00:00Z', end: '2014-12-31T23:00:00Z' } };
    expect(inSampleNotice(r)).toEqual({ level: 'banner', text: "250 of 1000 bars lie inside the model's training data (2007-01-01 .. 2014-12-31): these results are not out of sample." });
    expect(inSampleNotice({ ...r, allow_in_sample: true })?.level).toBe('note');
    expect(inSampleNotice({ ...base, out_of_sample: true, in_sample_bars: 0 })).toBeNull();
    expect(inSampleNotice(null)).toBeNull();
  });

  it('the cost split reads gross − costs = net', () => {
    const c = costRows(base)!;
    expect(c.currency).toBe('USD');
    expect(c.rows.map((r) => r.value)).toEqual([929, 0, -500, -100, 329]);
    expect(costRows({})).toBeNull();
  });

  it('benchmarks side by side, including the exposure-matched one', () => {
    const cols = benchmarkColumns(base);
    expect(cols.map((c) => c.label)).toEqual(['Strategy', 'Buy & hold', 'B&H at same exposure']);
    expect(cols[2].values.exposure).toBe(0.1);
    // The strategy's exposure is the one matched (equity invested), not the time in the market.
    expect(cols[0].values.exposure).toBe(0.1);
    // Older results (flat buy & hold only) still show the fully-invested column.
    expect(benchmarkColumns({ metrics: {}, benchmark: { total_return_pct: 0.02 } }).map((c) => c.values.total_return_pct)).toEqual([null, 0.02]);
  });
});
