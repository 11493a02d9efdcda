// Issue 22 item 2: per-share costs on split-adjusted bars are charged on the shares really traded.
import { describe, expect, it } from 'vitest';
import { BUY, DEFAULT_DECISIONS, HOLD, SELL } from '../../../src/core/backtest/decisions';
import { holdBenchmark } from '../../../src/core/backtest/benchmark';
import { engineConfig, runBacktest } from '../../../src/core/backtest/engine';
import { instrumentFor } from '../../../src/core/instruments';
import { priceAdjustment, priceFactors } from '../../../src/core/instruments/splits';
import { sampleBars } from '../portfolio/helpers';

const DAY = 86_400_000;
const aapl = sampleBars('AAPL_D1_splitadj_1998-2021.csv', '1998-01-01T00:00:00Z', '2021-04-01T00:00:00Z');
const at = (date: string) => aapl.time.indexOf(Date.parse(`${date}T00:00:00Z`));

describe('split factors', () => {
  it('a bar trades before every split whose ex-date is after its day', () => {
    const t = Float64Array.from(['2000-06-20', '2000-06-21', '2005-02-25', '2014-06-06', '2014-06-09', '2020-08-28', '2020-08-31'], (d) => Date.parse(`${d}T14:00:00Z`));
    const f = priceFactors(t, [
      { date: '2000-06-21', ratio: 2 },
      { date: '2005-02-28', ratio: 2 },
      { date: '2014-06-09', ratio: 7 },
      { date: '2020-08-31', ratio: 4 },
    ]);
    expect(Array.from(f!)).toEqual([112, 56, 56, 28, 4, 4, 1]);
  });

  it('the bundled AAPL bars say they are split-adjusted: no jump at any of the four splits', () => {
    const adj = priceAdjustment('AAPL', aapl);
    expect(adj.evidence.map((e) => e.date)).toEqual(['2000-06-21', '2005-02-28', '2014-06-09', '2020-08-31']);
    for (const e of adj.evidence) {
      expect(e.adjusted).toBe(true);
      expect(Math.abs(Math.log(e.price_ratio))).toBeLessThan(0.1);
    }
    expect(adj.applied).toHaveLength(4);
    expect(adj.note).toBeNull();
    expect(adj.factor![at('2003-04-01')]).toBe(56);
    expect(adj.factor![at('1998-01-02')]).toBe(112);
    expect(adj.factor![at('2021-03-31')]).toBe(1);
  });

  it('the same bars as traded (prices × factor) are recognised as unadjusted: factor 1', () => {
    const f = priceAdjustment('AAPL', aapl).factor!;
    const raw = { ...aapl, open: aapl.open.map((p, k) => p * f[k]), close: aapl.close.map((p, k) => p * f[k]) };
    const adj = priceAdjustment('AAPL', raw);
    expect(adj.evidence.every((e) => !e.adjusted)).toBe(true);
    expect(adj.evidence.map((e) => Math.round(e.price_ratio))).toEqual([2, 2, 7, 4]);
    expect(adj.applied).toEqual([]);
    expect(adj.factor).toBeNull();
  });

  it('a stretch with no split inside is taken as adjusted for the later ones, and says so; the request can override', () => {
    const bars = { time: aapl.time.subarray(at('2003-01-02'), at('2003-12-31')), open: aapl.open.subarray(at('2003-01-02'), at('2003-12-31')), close: aapl.close.subarray(at('2003-01-02'), at('2003-12-31')) };
    const auto = priceAdjustment('AAPL', bars);
    expect(auto.factor![0]).toBe(56);
    expect(auto.note).toMatch(/no split inside the bars.*2005-02-28 2:1, 2014-06-09 7:1, 2020-08-31 4:1.*price_adjustment: as_traded/);
    expect(priceAdjustment('AAPL', bars, 'as_traded').factor).toBeNull();
    expect(priceAdjustment('SPY', bars).factor).toBeNull(); // no splits
  });
});

describe('an AAPL round trip in 2003 costs what the shares cost (was ~13 % of notional)', () => {
  const i0 = at('2003-04-01');
  const n = 4;
  const bars = { time: aapl.time.slice(i0, i0 + n), open: aapl.open.slice(i0, i0 + n), high: aapl.high.slice(i0, i0 + n), low: aapl.low.slice(i0, i0 + n), close: aapl.close.slice(i0, i0 + n) };
  const signals = { action: Uint8Array.from([BUY, HOLD, SELL, HOLD]), confidence: new Float32Array(n).fill(0.9) };
  const costs = instrumentFor('AAPL').costs; // $0.01 spread, $0.01 slippage, $0.005/share, $1 minimum, 1 % cap
  const cfg = engineConfig({ bar_ms: DAY, costs, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 } });
  const factor = priceAdjustment('AAPL', aapl).factor!.slice(i0, i0 + n);
  const costShare = (t: { commission: number; spread_cost: number; slippage: number; entry_price: number; quantity: number }) => (t.commission + t.spread_cost + t.slippage) / (t.entry_price * t.quantity);

  it('per series unit (the old rule) it is absurd', () => {
    const [t] = runBacktest(bars, signals, cfg).trades;
    expect(costShare(t)).toBeGreaterThan(0.1);
  });

  it('per share traded (q / 56 shares at 56 × the price) it is ~0.3 %, computed by hand', () => {
    const [t] = runBacktest(bars, signals, { ...cfg, price_factor: factor }).trades;
    // Buy at 0.257142 + (0.01 + 0.005) / 56; 25 % of 100,000 buys whole shares: floor(25,000 / (56·price + 0.005)).
    const buy = 0.257142 + 0.015 / 56;
    const shares = Math.floor(25_000 / (56 * buy + 0.005));
    expect(t.quantity).toBe(shares * 56);
    expect(t.entry_price).toBeCloseTo(buy, 12);
    const sell = 0.259285 - 0.015 / 56;
    expect(t.exit_price).toBeCloseTo(sell, 12);
    expect(t.commission).toBeCloseTo(2 * 0.005 * shares, 9);
    expect(t.spread_cost).toBeCloseTo(2 * 0.005 * shares, 9);
    expect(t.slippage).toBeCloseTo(2 * 0.01 * shares, 9);
    expect(costShare(t)).toBeLessThan(0.003);
    expect(costShare(t)).toBeGreaterThan(0.002);
  });

  it('the buy & hold benchmark charges the same way', () => {
    const old = holdBenchmark(bars.close, 100_000, 1, costs, 252, n / 252);
    const fixed = holdBenchmark(bars.close, 100_000, 1, costs, 252, n / 252, factor);
    expect(old.commission + old.spread_cost + old.slippage_cost).toBeGreaterThan(5_000);
    expect(fixed.commission + fixed.spread_cost + fixed.slippage_cost).toBeLessThan(400);
  });
});
