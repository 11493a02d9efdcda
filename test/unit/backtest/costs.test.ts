import { describe, expect, it } from 'vitest';
import { averageExposure, holdBenchmark } from '../../../src/core/backtest/benchmark';
import { costBreakdown } from '../../../src/core/backtest/costs';
import { classifyProbabilities, DEFAULT_DECISIONS } from '../../../src/core/backtest/decisions';
import { engineConfig, runBacktest } from '../../../src/core/backtest/engine';
import { inSampleCheck } from '../../../src/core/backtest/in-sample';
import { returnStats } from '../../../src/core/backtest/metrics';
import type { Trade } from '../../../src/core/backtest/types';
import type { EngineCosts } from '../../../src/core/instruments';
import { barsFrom, DAY, HOUR, randomBars, randomProbabilities, script } from './helpers';

describe('engine with an instrument cost model', () => {
  it('charges half the spread per fill, slippage in price units and commission per lot: by hand', () => {
    const bars = barsFrom([
      [1.099, 1.1, 1.098, 1.1],
      [1.1, 1.106, 1.099, 1.105],
      [1.105, 1.111, 1.104, 1.11],
      [1.11, 1.112, 1.108, 1.11],
      [1.11, 1.111, 1.109, 1.11],
    ]);
    const costs: EngineCosts = { spread: 0.0002, slippage: 0.0001, slippage_fraction: 0, commission: { type: 'per_lot', per_lot: 5, lot_size: 100_000 } };
    const r = runBacktest(bars, script('B.S..'), engineConfig({ bar_ms: DAY, position_size: 0.5, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 }, costs }));
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    // Buy at bar 1's open: 1.1000 + 0.0001 slippage + 0.0001 half-spread = 1.1002.
    // Units: 50,000 / (1.1002 + 5/100,000) = 45,444.2…, floored to 45,444; commission 45,444/100,000 × $5 = $2.2722.
    expect(t.entry_price).toBeCloseTo(1.1002, 12);
    expect(t.quantity).toBe(45_444);
    // Sell at bar 3's open: 1.1100 − 0.0001 − 0.0001 = 1.1098. Gross at fills: 0.0096 × 45,444 = 436.2624.
    expect(t.exit_price).toBeCloseTo(1.1098, 12);
    expect(t.gross_pnl).toBeCloseTo(436.2624, 6);
    expect(t.commission).toBeCloseTo(2 * 2.2722, 9);
    expect(t.spread_cost).toBeCloseTo(2 * 0.0001 * 45_444, 9); // 9.0888
    expect(t.slippage).toBeCloseTo(2 * 0.0001 * 45_444, 9); // 9.0888
    expect(t.net_pnl).toBeCloseTo(436.2624 - 4.5444, 6);
    // Before costs, open to open: 0.0100 × 45,444 = 454.44 = gross + spread + slippage.
    const k = costBreakdown(r.trades, 'USD', 'fx:EURUSD');
    expect(k.gross_pnl).toBeCloseTo(454.44, 6);
    expect(k.net_pnl).toBeCloseTo(r.final_equity - 100_000, 6);
  });

  it('per-share commission with its minimum: by hand', () => {
    const bars = barsFrom([
      [150, 151, 149, 150],
      [150, 152, 149, 151],
      [151, 153, 150, 152],
      [152, 153, 151, 152],
    ]);
    const costs: EngineCosts = { spread: 0.01, slippage: 0.01, slippage_fraction: 0, commission: { type: 'per_share', per_share: 0.005, minimum: 1, maximum_fraction: 0.01 } };
    const r = runBacktest(bars, script('BS..'), engineConfig({ bar_ms: DAY, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 }, costs }));
    const t = r.trades[0];
    // Buy at 150 + 0.01 + 0.005 = 150.015; 25,000 budget: 0.005/share would be $0.83 < $1, so (25,000 − 1)/150.015 = 166.64 → 166 shares.
    expect(t.entry_price).toBeCloseTo(150.015, 12);
    expect(t.quantity).toBe(166);
    // Sell at 151 − 0.015 = 150.985; each side pays the $1 minimum.
    expect(t.exit_price).toBeCloseTo(150.985, 12);
    expect(t.commission).toBeCloseTo(2, 12);
    expect(t.net_pnl).toBeCloseTo((150.985 - 150.015) * 166 - 2, 9);
  });
});

describe('costs larger than the price', () => {
  it('a long is still closed (at 0) and the books balance', () => {
    const bars = barsFrom([
      [1, 1, 1, 1],
      [1, 1, 1, 1],
      [0.02, 0.02, 0.02, 0.02],
      [0.02, 0.02, 0.02, 0.02],
    ]);
    const costs: EngineCosts = { spread: 0.06, slippage: 0, slippage_fraction: 0, commission: { type: 'fraction', rate: 0 } };
    const r = runBacktest(bars, script('B.S.'), engineConfig({ bar_ms: DAY, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 }, costs }));
    const t = r.trades[0];
    expect(t.exit_price).toBe(0);
    expect(t.exit_reason).toBe('signal');
    // Entry paid half the spread (0.03); the exit lost the whole 0.02 price to the spread.
    expect(t.spread_cost).toBeCloseTo((0.03 + 0.02) * t.quantity, 9);
    expect(r.final_equity - r.initial_capital).toBeCloseTo(t.net_pnl, 6);
    expect(costBreakdown(r.trades, 'USD', 'x').gross_pnl).toBeCloseTo((0.02 - 1) * t.quantity, 6);
  });
});

const MODELS: [string, EngineCosts][] = [
  ['fraction', { spread: 0.0001, slippage: 0, slippage_fraction: 0.0003, commission: { type: 'fraction', rate: 0.0015 } }],
  ['per_share', { spread: 0.0002, slippage: 0.0001, slippage_fraction: 0, commission: { type: 'per_share', per_share: 0.005, minimum: 1, maximum_fraction: 0.01 } }],
  ['per_lot', { spread: 0.00008, slippage: 0.00001, slippage_fraction: 0, commission: { type: 'per_lot', per_lot: 3.5, lot_size: 100_000 } }],
];

describe('invariant with every commission model: Σ net trade PnL = final equity − initial capital (to the cent)', () => {
  for (const [name, costs] of MODELS) {
    for (const seed of [1, 2]) {
      for (const shorts of [false, true]) {
        it(`${name}, seed ${seed}${shorts ? ', with shorts' : ''}`, () => {
          const n = 3000;
          const decisions = { ...DEFAULT_DECISIONS, allow_short_from_flat: shorts, min_signal_separation: 0 };
          const bars = randomBars(n, seed * 13, HOUR, 1.1);
          const sig = classifyProbabilities(randomProbabilities(n, seed * 29), n, null, decisions.confidence_threshold);
          const r = runBacktest(bars, sig, engineConfig({ bar_ms: HOUR, decisions, costs, integer_quantity: seed === 1 }));
          expect(r.trades.length).toBeGreaterThan(20);
          const sum = r.trades.reduce((a, t) => a + t.net_pnl, 0);
          expect(Math.abs(sum - (r.final_equity - r.initial_capital))).toBeLessThan(0.005);
          for (const t of r.trades) {
            expect(t.net_pnl).toBeCloseTo(t.gross_pnl - t.commission, 9);
            expect(t.spread_cost).toBeCloseTo(costs.spread * t.quantity, 9);
          }
          const k = costBreakdown(r.trades, 'USD', name);
          expect(Math.abs(k.gross_pnl - k.commission - k.spread_cost - k.slippage_cost - (r.final_equity - r.initial_capital))).toBeLessThan(0.005);
        });
      }
    }
  }
});

describe('like-for-like benchmarks', () => {
  it('averageExposure: mean over bars of |position value| / equity, by hand', () => {
    const close = new Float64Array([10, 10, 20, 20]);
    const equity = new Float64Array([100, 100, 200, 150]);
    // Held during bars 1 and 2 (exit at bar 3's open): 10·10/100 = 1 and 10·20/200 = 1 → (0 + 1 + 1 + 0)/4 = 0.5.
    const t = { entry_bar: 1, exit_bar: 3, quantity: 10, exit_reason: 'signal' } as Trade;
    expect(averageExposure([t], close, equity)).toBeCloseTo(0.5, 14);
    // Closed at the last close: held through bar 3 too: + 10·20/150 → (2 + 4/3)/4.
    expect(averageExposure([{ ...t, exit_reason: 'end_of_data' }], close, equity)).toBeCloseTo((2 + 4 / 3) / 4, 14);
  });

  it('holdBenchmark at 50 % exposure with spread, slippage and commission: by hand', () => {
    const close = new Float64Array([100, 110, 99, 120]);
    const costs: EngineCosts = { spread: 0.2, slippage: 0.1, slippage_fraction: 0, commission: { type: 'fraction', rate: 0.001 } };
    const b = holdBenchmark(close, 10_000, 0.5, costs, 252, 4 / 252);
    // Buy at 100 + 0.1 + 0.1 = 100.2 with $5,000 commission included: q = 5000 / (100.2 × 1.001); cash left 5,000.
    const q = 5000 / (100.2 * 1.001);
    expect(b.quantity).toBeCloseTo(q, 10);
    // Sell at 120 − 0.1 − 0.1 = 119.8 less 0.1 % commission.
    const final = 5000 + q * 119.8 * (1 - 0.001);
    expect(b.final_equity).toBeCloseTo(final, 8);
    expect(b.total_return).toBeCloseTo(final - 10_000, 8);
    expect(b.commission).toBeCloseTo(q * 100.2 * 0.001 + q * 119.8 * 0.001, 10);
    expect(b.spread_cost).toBeCloseTo(2 * 0.1 * q, 10);
    expect(b.slippage_cost).toBeCloseTo(2 * 0.1 * q, 10);
    // Curve 5000 + q·[100, 110, 99] then the final cash: Sharpe, drawdown as for any equity curve.
    const curve = new Float64Array([5000 + q * 100, 5000 + q * 110, 5000 + q * 99, final]);
    const s = returnStats(curve, 10_000, 252, 4 / 252);
    expect(b.sharpe_ratio).toBeCloseTo(s.sharpe_ratio!, 12);
    // Max drawdown from the 110 peak to 99: q·11 (in currency).
    expect(b.max_drawdown).toBeCloseTo(q * 11, 8);
    // Fully invested doubles the exposure: about twice the gain.
    const full = holdBenchmark(close, 10_000, 1, costs, 252, 4 / 252);
    expect(full.total_return / b.total_return).toBeCloseTo(2, 6);
    expect(holdBenchmark(close, 10_000, 0, costs, 252, 1).final_equity).toBe(10_000);
  });
});

describe('in-sample check', () => {
  const t = new Float64Array([0, 1, 2, 3, 4].map((d) => Date.UTC(2020, 0, 1) + d * DAY));
  it('counts bars inside the model’s range and says so', () => {
    const r = inSampleCheck(t, { start: '2019-01-01', end: '2020-01-02' });
    expect(r).toMatchObject({ in_sample_bars: 2, out_of_sample: false, model_data_range: { start: '2019-01-01T00:00:00.000Z', end: '2020-01-02T23:59:59.999Z' } });
    expect(r.warning).toMatch(/^In-sample backtest: 2 of 5 bars \(2020-01-01 \.\. 2020-01-02\)/);
  });
  it('bars after the range are out of sample; no range recorded → unknown (null), never out of sample', () => {
    expect(inSampleCheck(t, { start: '2019-01-01T00:00:00.000Z', end: '2019-12-31T23:00:00.000Z' })).toMatchObject({ in_sample_bars: 0, out_of_sample: true, warning: null });
    for (const range of [null, { start: null, end: null }, { start: '2019-01-01', end: null }]) {
      const r = inSampleCheck(t, range);
      expect(r).toMatchObject({ in_sample_bars: null, out_of_sample: null, model_data_range: null });
      expect(r.warning).toMatch(/^In-sample check unknown: the model's manifest records no range/);
    }
  });
});
