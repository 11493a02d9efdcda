// Sizing rules against hand computations, and a rebalancing run computed by hand (average cost).
import { describe, expect, it } from 'vitest';
import { BUY, HOLD } from '../../../src/core/backtest/decisions';
import { runPortfolio } from '../../../src/core/portfolio/book';
import { checkSizing, kellyFraction, sizingBudget, trailingVolatility, type SizingContext } from '../../../src/core/portfolio/sizing';
import type { PortfolioConfig, SizingRule } from '../../../src/core/portfolio/types';
import { bookConfig, DAY, NO_SEPARATION } from './helpers';

const ctx = (over: Partial<SizingContext> = {}): SizingContext => ({
  legs: 4,
  equity: 100_000,
  close: Float64Array.from([100, 101, 99, 102, 103]),
  bar: 4,
  barsPerYear: 252,
  tradeReturns: new Float64Array(0),
  tradeCount: 0,
  ...over,
});
const cfg = (sizing: SizingRule, max = 1): PortfolioConfig => bookConfig(sizing, { max_gross_exposure: max });

describe('sizing rules', () => {
  it('trailing volatility: population std of the last returns before the fill bar, annualised', () => {
    // Fill at bar 4: known closes 100, 101, 99, 102 → returns 0.01, −0.0198…, 0.0303….
    const r = [101 / 100 - 1, 99 / 101 - 1, 102 / 99 - 1];
    const m = (r[0] + r[1] + r[2]) / 3;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / 3);
    expect(trailingVolatility(ctx().close, 4, 3, 252)).toBeCloseTo(sd * Math.sqrt(252), 12);
    expect(trailingVolatility(ctx().close, 3, 3, 252)).toBeNaN(); // needs 4 closes before the fill
  });

  it('Kelly: f* = mean(r) / mean(r²) over the window', () => {
    const r = Float64Array.from([0.1, -0.05, 0.02]);
    expect(kellyFraction(r, 0, 3)).toBeCloseTo((0.07 / 3) / (0.0129 / 3), 12); // 5.4264
    expect(kellyFraction(r, 1, 3)).toBeCloseTo(-0.03 / 0.0029, 12);
    expect(kellyFraction(r, 0, 0)).toBeNaN();
  });

  it('budgets: fixed fraction, equal weight, volatility target, Kelly (warm-up, capped, none when ≤ 0)', () => {
    expect(sizingBudget(cfg({ type: 'fixed_fraction', fraction: 0.25 }), ctx())).toBe(25_000);
    expect(sizingBudget(cfg({ type: 'equal_weight' }, 1.5), ctx())).toBe(37_500); // 100k × 1.5 / 4
    const vol = trailingVolatility(ctx().close, 4, 3, 252);
    expect(sizingBudget(cfg({ type: 'volatility_target', annual_volatility: 0.1, lookback_bars: 3 }), ctx())).toBeCloseTo((100_000 * 0.025) / vol, 9);
    expect(sizingBudget(cfg({ type: 'volatility_target', annual_volatility: 0.1, lookback_bars: 10 }), ctx())).toBe(0); // not enough history
    const kelly: SizingRule = { type: 'kelly', fraction: 0.5, cap: 0.3, min_trades: 3, lookback_trades: 3, warmup_fraction: 0.05 };
    const returns = Float64Array.from([0.5, 0.1, -0.05, 0.02]);
    expect(sizingBudget(cfg(kelly), ctx({ tradeReturns: returns, tradeCount: 2 }))).toBe(5_000); // warm-up
    // Last 3 trades: f* = 5.4264, half of it 2.71 → capped at 0.3.
    expect(sizingBudget(cfg(kelly), ctx({ tradeReturns: returns, tradeCount: 4 }))).toBe(30_000);
    const small: SizingRule = { ...kelly, fraction: 0.01 };
    expect(sizingBudget(cfg(small), ctx({ tradeReturns: returns, tradeCount: 4 }))).toBeCloseTo(100_000 * 0.01 * ((0.07 / 3) / (0.0129 / 3)), 6);
    expect(sizingBudget(cfg(kelly), ctx({ tradeReturns: Float64Array.from([-0.1, -0.05, 0.02]), tradeCount: 3 }))).toBe(0);
    expect(sizingBudget(cfg({ type: 'fixed_fraction', fraction: 0.25 }), ctx({ equity: -5 }))).toBe(0);
  });

  it('bad settings are refused with the field named', () => {
    expect(() => checkSizing({ type: 'fixed_fraction', fraction: 1.5 })).toThrow(/fixed_fraction: fraction must be in \(0, 1\]/);
    expect(() => checkSizing({ type: 'volatility_target', annual_volatility: 0.1, lookback_bars: 1 })).toThrow(/lookback_bars must be a whole number ≥ 2/);
    expect(() => checkSizing({ type: 'kelly', fraction: 0.5, cap: 0.3, min_trades: 10, lookback_trades: 5, warmup_fraction: 0 })).toThrow(/lookback_trades must be a whole number ≥ min_trades/);
  });
});

describe('rebalancing (hand computation: one leg, 50 % of equity, daily, no costs)', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const rows = [
    [100, 100],
    [100, 110],
    [110, 100],
    [100, 105],
    [105, 105],
  ];
  const col = (j: number) => Float64Array.from(rows, (r) => r[j]);
  const bars = { time: Float64Array.from(rows, (_, d) => T0 + d * DAY), open: col(0), high: Float64Array.from(rows, (r) => Math.max(...r)), low: Float64Array.from(rows, (r) => Math.min(...r)), close: col(1) };
  const leg = {
    symbol: 'X',
    bars,
    bar_ms: DAY,
    signals: { action: Uint8Array.from([BUY, HOLD, HOLD, HOLD, HOLD]), confidence: new Float32Array(5).fill(0.9) },
    decisions: NO_SEPARATION,
    costs: { spread: 0, slippage: 0, slippage_fraction: 0, commission: { type: 'fraction' as const, rate: 0 } },
  };
  const r = runPortfolio([leg], bookConfig({ type: 'fixed_fraction', fraction: 0.5 }, { initial_capital: 10_000, rebalance: 'day', min_rebalance_fraction: 0.05 }));
  // Day 1: buy 50 at 100 (cash 5,000); close 110 → 10,500; a new day: resize at the next open.
  // Day 2: target 0.5 × 10,500 / 110 = 47.7 → 47: sell 3 at 110 (realised +30); close 100 → 10,030.
  // Day 3: target 0.5 × 10,030 / 100 = 50.15 → 50: buy 3 at 100; close 105 → 10,280.
  // Day 4: target 48.95 → 48, a change of 2 < 5 % of 50: skipped; the data ends: sell 50 at 105.
  it('follows the target at average cost and keeps the trade whole', () => {
    expect(Array.from(r.equity)).toEqual([10_000, 10_500, 10_030, 10_280, 10_280]);
    const [t] = r.legs[0].trades;
    expect(r.legs[0].trades).toHaveLength(1);
    expect(r.legs[0].rebalance_fills).toBe(2);
    expect(t.quantity).toBe(53); // units bought into the trade: 50 + 3
    expect(t.entry_price).toBe(100);
    expect(t.exit_price).toBeCloseTo((3 * 110 + 50 * 105) / 53, 12);
    expect(t.gross_pnl).toBeCloseTo(280, 12); // 30 realised + 5 × 50
    expect(t.gross_pnl).toBeCloseTo((t.exit_price - t.entry_price) * t.quantity, 9);
    expect(t.net_pnl).toBeCloseTo(r.final_equity - 10_000, 12);
  });
});
