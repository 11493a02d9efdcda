// A 2-leg book computed by hand: mixed calendars (B has a holiday on day 2 and keeps its position and
// its last close through it), per-leg costs (FX-style spread/slippage, equity per-share commission
// with a minimum), entries sized on equity marked at the last closes, exits before entries.
import { describe, expect, it } from 'vitest';
import { BUY, HOLD, SELL } from '../../../src/core/backtest/decisions';
import type { EngineBars } from '../../../src/core/backtest/types';
import { runPortfolio } from '../../../src/core/portfolio/book';
import { bookConfig, cents, DAY, NO_SEPARATION } from './helpers';

const T0 = Date.UTC(2024, 0, 1); // a Monday
function bars(days: number[], rows: [number, number, number, number][]): EngineBars {
  return {
    time: Float64Array.from(days, (d) => T0 + d * DAY),
    open: Float64Array.from(rows, (r) => r[0]),
    high: Float64Array.from(rows, (r) => r[1]),
    low: Float64Array.from(rows, (r) => r[2]),
    close: Float64Array.from(rows, (r) => r[3]),
  };
}
const signals = (codes: number[]) => ({ action: Uint8Array.from(codes), confidence: Float32Array.from(codes, () => 0.9) });

// A: an FX-like leg trading every day; spread 0.0002 (half per fill), slippage 0.0001, no commission.
const A = bars(
  [0, 1, 2, 3, 4],
  [
    [1.1, 1.105, 1.095, 1.1],
    [1.101, 1.11, 1.1, 1.108],
    [1.108, 1.12, 1.105, 1.115],
    [1.116, 1.117, 1.11, 1.112],
    [1.112, 1.113, 1.1, 1.105],
  ],
);
// B: an equity-like leg closed on day 2; spread $0.02, slippage $0.01, $0.005/share, $1 minimum, 1 % cap.
const B = bars(
  [0, 1, 3, 4],
  [
    [100, 101, 99, 100],
    [101, 103, 100, 102],
    [104, 106, 103, 105],
    [105, 108, 104, 107],
  ],
);

const legs = [
  { symbol: 'A', bars: A, bar_ms: DAY, signals: signals([BUY, HOLD, SELL, HOLD, HOLD]), decisions: NO_SEPARATION, costs: { spread: 0.0002, slippage: 0.0001, slippage_fraction: 0, commission: { type: 'fraction' as const, rate: 0 } } },
  {
    symbol: 'B',
    bars: B,
    bar_ms: DAY,
    signals: signals([BUY, HOLD, HOLD, HOLD]),
    decisions: NO_SEPARATION,
    costs: { spread: 0.02, slippage: 0.01, slippage_fraction: 0, commission: { type: 'per_share' as const, per_share: 0.005, minimum: 1, maximum_fraction: 0.01 } },
  },
];

describe('hand-computed 2-leg portfolio (mixed calendars, per-leg costs)', () => {
  const r = runPortfolio(legs, bookConfig({ type: 'fixed_fraction', fraction: 0.5 }, { initial_capital: 10_000, record_details: true }));
  const [a, b] = r.legs;

  it('steps are the union of the calendars; B keeps its last close on its holiday', () => {
    expect(Array.from(r.time)).toEqual([0, 1, 2, 3, 4].map((d) => T0 + d * DAY));
    // Day 1 opens: A buys 4540 at 1.1010 + 0.0001 + 0.0001 = 1.1012 with 0.5 × 10,000 (floor(5000 / 1.1012)).
    // Equity then, marked at the last closes: 10,000 − 4,999.448 + 4,540 × 1.1000 = 9,994.552.
    // B buys at 101 + 0.01 + 0.01 = 101.02 with 0.5 × 9,994.552 = 4,997.276: the $1 minimum binds,
    // (4,997.276 − 1) / 101.02 = 49.46 → 49 shares (4,949.98), commission $1: cash 5,000.552 − 4,950.98 = 49.572.
    // Day 1 close: 49.572 + 4540 × 1.108 + 49 × 102 = 10,077.892.
    // Day 2 (B closed): 49.572 + 4540 × 1.115 + 49 × 102 = 10,109.672.
    // Day 3: A sells at 1.116 − 0.0002 = 1.1158 (+5,065.732 → cash 5,115.304); close: + 49 × 105 = 10,260.304.
    // Day 4: B's data ends: sold at its close 107 − 0.02 = 106.98, $1 commission: cash 10,356.324 = 10,000 + 66.284 + 290.04.
    expect(Array.from(r.equity).map(cents)).toEqual([10_000, 10_077.89, 10_109.67, 10_260.3, 10_356.32]);
    expect(r.equity[4]).toBeCloseTo(10_356.324, 9);
    expect(r.final_cash).toBeCloseTo(10_356.324, 9);
    expect(Array.from(b.position)).toEqual([0, 1, 1, 1]);
    expect(Array.from(a.position)).toEqual([0, 1, 1, 0, 0]);
  });

  it('each leg’s trade matches the hand computation to the cent', () => {
    expect(a.trades).toHaveLength(1);
    expect(b.trades).toHaveLength(1);
    const ta = a.trades[0];
    expect(ta.quantity).toBe(4540);
    expect(ta.entry_price).toBeCloseTo(1.1012, 12);
    expect(ta.exit_price).toBeCloseTo(1.1158, 12);
    expect(cents(ta.gross_pnl)).toBe(66.28); // 0.0146 × 4540 = 66.284
    expect(ta.commission).toBe(0);
    expect(ta.spread_cost).toBeCloseTo(0.908, 9); // 0.0001 × 4540 × 2
    expect(ta.slippage).toBeCloseTo(0.908, 9);
    expect(ta.entry_time).toBe(new Date(T0 + DAY).toISOString());
    expect(ta.exit_time).toBe(new Date(T0 + 3 * DAY).toISOString());
    const tb = b.trades[0];
    expect(tb.quantity).toBe(49);
    expect(tb.entry_price).toBeCloseTo(101.02, 12);
    expect(tb.exit_price).toBeCloseTo(106.98, 12);
    expect(tb.gross_pnl).toBeCloseTo(292.04, 9); // 5.96 × 49
    expect(tb.commission).toBe(2); // the $1 minimum, twice
    expect(tb.net_pnl).toBeCloseTo(290.04, 9);
    expect(tb.spread_cost).toBeCloseTo(0.98, 9);
    expect(tb.slippage).toBeCloseTo(0.98, 9);
    expect(tb.exit_reason).toBe('end_of_data');
    // B's bars 1 .. 3 (day 1 .. day 4, the holiday is not a bar of B): held 3 bars, 4 days.
    expect(tb.entry_bar).toBe(1);
    expect(tb.exit_bar).toBe(3);
    expect(tb.holding_period_bars).toBe(3);
    expect(tb.holding_period_hours).toBe(96);
    expect(tb.max_favorable_excursion).toBeCloseTo(6.98 * 49, 9); // day 4 high 108
    expect(tb.max_adverse_excursion).toBeCloseTo(-1.02 * 49, 9); // day 1 low 100
  });

  it('the books balance: Σ net trade PnL = final equity − initial capital; leg values end at their PnL', () => {
    const net = a.trades[0].net_pnl + b.trades[0].net_pnl;
    expect(net).toBeCloseTo(r.final_equity - 10_000, 9);
    expect(a.value![4]).toBeCloseTo(a.trades[0].net_pnl, 9);
    expect(b.value![3]).toBeCloseTo(b.trades[0].net_pnl, 9);
    // Gross exposure at day 1's close: (4540 × 1.108 + 49 × 102) / 10,077.892.
    expect(r.gross_exposure![1]).toBeCloseTo((4540 * 1.108 + 49 * 102) / 10_077.892, 12);
  });

  it('a smaller cap on gross exposure shrinks the second entry to fit', () => {
    const capped = runPortfolio(legs, bookConfig({ type: 'fixed_fraction', fraction: 0.5 }, { initial_capital: 10_000, max_gross_exposure: 0.6 }));
    // Room for B: 0.6 × 9,994.552 − 4,994 (A at its last close) = 1,002.7312 → (1,002.7312 − 1) / 101.02 → 9 shares.
    expect(capped.legs[0].trades[0].quantity).toBe(4540);
    expect(capped.legs[1].trades[0].quantity).toBe(9);
  });
});
