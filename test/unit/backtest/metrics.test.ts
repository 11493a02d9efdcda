import { describe, expect, it } from 'vitest';
import { classifyProbabilities, DEFAULT_DECISIONS } from '../../../src/core/backtest/decisions';
import { engineConfig, runBacktest } from '../../../src/core/backtest/engine';
import { buyAndHold, computeMetrics, estimateBarsPerYear, YEAR_MS } from '../../../src/core/backtest/metrics';
import { barsFrom, DAY, HOUR, randomBars, randomProbabilities, script, T0 } from './helpers';

/** A deliberately plain re-implementation, to cross-check the engine's statistics. */
function naiveStats(equity: number[], initial: number, barsPerYear: number) {
  const returns: number[] = [];
  for (let i = 1; i < equity.length; i++) returns.push(equity[i] / equity[i - 1] - 1);
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.map((r) => (r - mean) ** 2).reduce((a, b) => a + b, 0) / returns.length;
  const downside = Math.sqrt(returns.map((r) => Math.min(r, 0) ** 2).reduce((a, b) => a + b, 0) / returns.length);
  let maxDdPct = 0;
  let maxDd = 0;
  for (let i = 0; i < equity.length; i++) {
    const peak = Math.max(initial, ...equity.slice(0, i + 1));
    maxDdPct = Math.max(maxDdPct, (peak - equity[i]) / peak);
    maxDd = Math.max(maxDd, peak - equity[i]);
  }
  return {
    sharpe: (mean / Math.sqrt(variance)) * Math.sqrt(barsPerYear),
    sortino: (mean / downside) * Math.sqrt(barsPerYear),
    volatility: Math.sqrt(variance) * Math.sqrt(barsPerYear),
    maxDdPct,
    maxDd,
  };
}

describe('metrics of the hand-computed long-only run', () => {
  const bars = barsFrom([
    [100, 101, 99, 100],
    [100, 103, 99, 102],
    [102, 106, 101, 105],
    [105, 108, 104, 107],
    [108, 109, 103, 104],
    [104, 105, 98, 99],
    [99, 100, 95, 96],
    [96, 98, 94, 97],
  ]);
  const r = runBacktest(
    bars,
    script('BB.SSBB.', [0.8, 0.9, 0.9, 0.7, 0.95, 0.6, 0.99, 0.9]),
    engineConfig({ initial_capital: 10_000, bar_ms: DAY, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 } }),
  );
  const m = computeMetrics({ ...r, equity: r.equity.values, time: bars.time, close: bars.close, bar_ms: DAY });
  const net1 = 182.016192;
  const net2 = -59.80005;
  const final = 10_000 + net1 + net2; // 10122.216142
  const peak = 10_000 + net1;
  // Equity at bar 6: cash after the second entry (peak − 25·99.099·1.001) + 25·96.
  const trough = peak - 25 * 99.099 * 1.001 + 25 * 96;

  it('trade statistics', () => {
    expect(m.total_trades).toBe(2);
    expect(m.winning_trades).toBe(1);
    expect(m.losing_trades).toBe(1);
    expect(m.win_rate).toBe(0.5);
    expect(m.avg_win).toBeCloseTo(net1, 9);
    expect(m.avg_loss).toBeCloseTo(net2, 9);
    expect(m.largest_win).toBeCloseTo(net1, 9);
    expect(m.largest_loss).toBeCloseTo(net2, 9);
    expect(m.profit_factor).toBeCloseTo(net1 / -net2, 9);
    expect(m.avg_holding_period_hours).toBe(60); // (72 h + 48 h) / 2
    expect(m.avg_holding_period_bars).toBe(2.5);
    expect(m.avg_win_holding_period).toBe(72);
    expect(m.avg_loss_holding_period).toBe(48);
    expect(m.exposure).toBe(5 / 8);
    expect(m.total_commission).toBeCloseTo(4.991808 + 4.90005, 9);
    expect(m.total_slippage).toBeCloseTo(4.992 + 4.9, 9);
  });

  it('returns, drawdown and annualisation (8 daily bars span 8 days)', () => {
    expect(m.total_return).toBeCloseTo(final - 10_000, 9);
    expect(m.total_return_pct).toBeCloseTo(0.0122216142, 12);
    expect(m.final_equity).toBeCloseTo(final, 9);
    expect(m.years).toBeCloseTo(8 / 365.25, 12);
    expect(m.bars_per_year).toBeCloseTo(365.25, 9);
    expect(m.annualized_return).toBeCloseTo(Math.pow(final / 10_000, 365.25 / 8) - 1, 9);
    expect(trough).toBeCloseTo(10_102.063717, 6);
    expect(m.max_drawdown).toBeCloseTo(peak - trough, 6); // 79.952475
    expect(m.max_drawdown_pct).toBeCloseTo((peak - trough) / peak, 12);
    expect(m.calmar_ratio).toBeCloseTo(m.annualized_return! / m.max_drawdown_pct, 9);
    expect(m.null_reasons).toEqual({});
    expect(m.recovery_factor).toBeCloseTo((final - 10_000) / (peak - trough), 6);
  });

  it('Sharpe, Sortino and volatility agree with a naive recomputation from the equity curve', () => {
    const n = naiveStats(Array.from(r.equity.values), 10_000, 365.25);
    expect(m.sharpe_ratio).toBeCloseTo(n.sharpe, 9);
    expect(m.sortino_ratio).toBeCloseTo(n.sortino, 9);
    expect(m.volatility).toBeCloseTo(n.volatility, 9);
    expect(m.max_drawdown_pct).toBeCloseTo(n.maxDdPct, 12);
  });

  it('buy-and-hold benchmark on the same bars (bought at the first close, no costs)', () => {
    const bh = buyAndHold(bars.close, 10_000, m.bars_per_year, m.years);
    expect(bh.total_return_pct).toBeCloseTo(97 / 100 - 1, 12);
    expect(bh.total_return).toBeCloseTo(-300, 9);
    expect(bh.max_drawdown_pct).toBeCloseTo((107 - 96) / 107, 12);
    const b = naiveStats([100, 102, 105, 107, 104, 99, 96, 97].map((c) => c * 100), 10_000, 365.25);
    expect(bh.sharpe_ratio).toBeCloseTo(b.sharpe, 9);
    expect(bh.max_drawdown).toBeCloseTo(1100, 9);
  });
});

describe('metrics on random runs', () => {
  it('match the naive implementation on 5,000 hourly bars with shorts', () => {
    const n = 5000;
    const bars = randomBars(n, 11);
    const probs = randomProbabilities(n, 12);
    const cfg = { ...DEFAULT_DECISIONS, allow_short_from_flat: true };
    const sig = classifyProbabilities(probs, n, null, cfg.confidence_threshold);
    const r = runBacktest(bars, sig, engineConfig({ bar_ms: HOUR, decisions: cfg }));
    const m = computeMetrics({ ...r, equity: r.equity.values, time: bars.time, close: bars.close, bar_ms: HOUR });
    // Hourly bars with no gaps: 24·365.25 bars per year.
    expect(m.bars_per_year).toBeCloseTo(24 * 365.25, 6);
    const ref = naiveStats(Array.from(r.equity.values), r.initial_capital, m.bars_per_year);
    expect(m.sharpe_ratio).toBeCloseTo(ref.sharpe, 8);
    expect(m.sortino_ratio).toBeCloseTo(ref.sortino, 8);
    expect(m.volatility).toBeCloseTo(ref.volatility, 10);
    expect(m.max_drawdown_pct).toBeCloseTo(ref.maxDdPct, 12);
    expect(m.max_drawdown).toBeCloseTo(ref.maxDd, 6);
    expect(m.total_trades).toBe(r.trades.length);
    expect(m.winning_trades + m.losing_trades).toBeLessThanOrEqual(m.total_trades);
  });
});

describe('bars per year', () => {
  it('counts bars over the years they span: FX hourly (24h × 5 days) ≈ 6,261', () => {
    const times: number[] = [];
    // Four weeks of FX hours: Sunday 22:00 to Friday 22:00 UTC, 120 bars per week.
    const sunday = Date.UTC(2024, 0, 7, 22);
    for (let w = 0; w < 4; w++) for (let h = 0; h < 120; h++) times.push(sunday + w * 7 * DAY + h * HOUR);
    const bpy = estimateBarsPerYear(Float64Array.from(times), HOUR);
    const span = (times[times.length - 1] - times[0] + HOUR) / YEAR_MS;
    expect(bpy).toBeCloseTo(480 / span, 9);
    expect(bpy).toBeGreaterThan(6000);
    expect(bpy).toBeLessThan(7200);
  });

  it('US equities daily bars, 5 per week, give about 252–261', () => {
    const times: number[] = [];
    for (let d = 0; times.length < 500; d++) {
      const t = T0 + d * DAY;
      const wd = new Date(t).getUTCDay();
      if (wd !== 0 && wd !== 6) times.push(t);
    }
    const bpy = estimateBarsPerYear(Float64Array.from(times), DAY);
    expect(bpy).toBeGreaterThan(250);
    expect(bpy).toBeLessThan(262);
  });

  it('falls back to the nominal 24/7 count for a single bar', () => {
    expect(estimateBarsPerYear(new Float64Array([T0]), HOUR)).toBeCloseTo(YEAR_MS / HOUR, 9);
  });

  it('an explicit bars_per_year is honoured', () => {
    const bars = randomBars(300, 3, DAY, 100);
    const r = runBacktest(bars, classifyProbabilities(randomProbabilities(300, 4), 300, null, 0.5), engineConfig({ bar_ms: DAY }));
    const base = { ...r, equity: r.equity.values, time: bars.time, close: bars.close, bar_ms: DAY };
    const a = computeMetrics({ ...base, bars_per_year: 252 });
    const b = computeMetrics({ ...base, bars_per_year: 252 * 4 });
    expect(b.sharpe_ratio).toBeCloseTo(a.sharpe_ratio! * 2, 9);
  });
});

describe('degenerate cases', () => {
  it('no trades: undefined ratios are null with "no trades", never 0 or 999999', () => {
    const bars = barsFrom([
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
    const r = runBacktest(bars, script('..'), engineConfig({ bar_ms: DAY }));
    const m = computeMetrics({ ...r, equity: r.equity.values, time: bars.time, close: bars.close, bar_ms: DAY });
    expect(m.total_trades).toBe(0);
    for (const k of ['win_rate', 'profit_factor', 'sharpe_ratio', 'sortino_ratio', 'calmar_ratio', 'recovery_factor', 'avg_win', 'avg_loss', 'largest_win', 'largest_loss', 'avg_holding_period_hours', 'avg_holding_period_bars'] as const) {
      expect(m[k], k).toBeNull();
      expect(m.null_reasons[k], k).toBe('no trades');
    }
    // Defined even without trades: the equity did not move.
    expect(m.total_return_pct).toBe(0);
    expect(m.annualized_return).toBe(0);
    expect(m.max_drawdown_pct).toBe(0);
  });

  it('no losing trade: profit factor is null (unbounded) with the reason, the losers’ averages too', () => {
    const bars = barsFrom([
      [100, 101, 99, 100],
      [100, 103, 99, 102],
      [102, 106, 101, 105],
      [105, 108, 104, 107],
    ]);
    const r = runBacktest(bars, script('BS..', [0.9, 0.9, 0.9, 0.9]), engineConfig({ initial_capital: 10_000, bar_ms: DAY, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 } }));
    const m = computeMetrics({ ...r, equity: r.equity.values, time: bars.time, close: bars.close, bar_ms: DAY });
    expect(m.winning_trades).toBe(1);
    expect(m.losing_trades).toBe(0);
    expect(m.profit_factor).toBeNull();
    expect(m.null_reasons.profit_factor).toBe('no losing trade: unbounded');
    expect(m.avg_loss).toBeNull();
    expect(m.null_reasons.avg_loss).toBe('no losing trade');
    expect(m.win_rate).toBe(1);
    expect(m.avg_win).toBeCloseTo(m.total_return, 9);
  });
});
