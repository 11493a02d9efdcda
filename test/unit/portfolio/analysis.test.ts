// Portfolio results: metrics, legs, correlation, the equal-weight benchmark and random-entry
// significance — each checked against the single-symbol computation it generalises or by hand.
import { describe, expect, it } from 'vitest';
import { classifyProbabilities, HOLD } from '../../../src/core/backtest/decisions';
import { holdBenchmark } from '../../../src/core/backtest/benchmark';
import { engineConfig, runBacktest, singleLeg } from '../../../src/core/backtest/engine';
import { computeMetrics } from '../../../src/core/backtest/metrics';
import { computeSignificance, significanceInput } from '../../../src/core/evaluation/significance';
import { analysePortfolio, legKellyFraction } from '../../../src/core/portfolio/analysis';
import { equalWeightHold } from '../../../src/core/portfolio/benchmark';
import { runPortfolio } from '../../../src/core/portfolio/book';
import { portfolioSignificance } from '../../../src/core/portfolio/significance';
import type { LegInput } from '../../../src/core/portfolio/types';
import type { Trade } from '../../../src/core/backtest/types';
import { randomBars, randomProbabilities } from '../backtest/helpers';
import { bookConfig, HOUR, randomSignals, SHORTS } from './helpers';

const FX = { spread: 0.00008, slippage: 0.00001, slippage_fraction: 0, commission: { type: 'fraction' as const, rate: 0 } };

describe('a 1-leg portfolio’s analysis equals the single-symbol one', () => {
  const n = 3000;
  const bars = randomBars(n, 4, HOUR, 1.2);
  const cfg = engineConfig({ bar_ms: HOUR, decisions: SHORTS, costs: FX });
  const sig = classifyProbabilities(randomProbabilities(n, 9), n, null, 0.5);
  const single = runBacktest(bars, sig, cfg);
  const m = computeMetrics({ ...single, equity: single.equity.values, time: bars.time, close: bars.close, bar_ms: HOUR });
  const { leg, book } = singleLeg(bars, sig, cfg, 'EURUSD');
  const r = runPortfolio([leg], { ...book, record_details: true });
  const a = analysePortfolio(r, [leg], { currency: 'USD', bar_ms: HOUR });

  it('metrics (the catalogue’s keys and values)', () => {
    expect(a.metrics).toEqual(m);
    expect(a.legs[0].costs.net_pnl).toBeCloseTo(r.final_equity - 100_000, 6);
    expect(a.legs[0].contribution).toBeCloseTo(m.total_return_pct, 9);
    expect(a.legs[0].share_of_pnl).toBeCloseTo(1, 9);
  });

  it('significance: the same random runs and numbers (same seed)', () => {
    const one = computeSignificance(significanceInput(bars, cfg, single, m, 60, 7));
    const many = portfolioSignificance({ legs: [leg], cfg: book, result: r, total_return_pct: a.metrics.total_return_pct, sharpe_ratio: a.metrics.sharpe_ratio, bars_per_year: a.metrics.bars_per_year, years: a.metrics.years, random_runs: 60, seed: 7 });
    expect(many).toEqual(one);
  });

  it('benchmark: equal weight of one leg is its buy & hold, fully invested and at an exposure', () => {
    for (const f of [1, 0.37]) {
      const ew = equalWeightHold([leg], r, 100_000, f, m.bars_per_year, m.years);
      const one = holdBenchmark(bars.close, 100_000, f, FX, m.bars_per_year, m.years);
      expect(ew.final_equity).toBeCloseTo(one.final_equity, 6);
      expect(ew.sharpe_ratio!).toBeCloseTo(one.sharpe_ratio!, 6);
      expect(ew.commission + ew.spread_cost + ew.slippage_cost).toBeCloseTo(one.commission + one.spread_cost + one.slippage_cost, 9);
    }
  });
});

describe('several legs', () => {
  const n = 2000;
  const mk = (seed: number, start: number) => randomBars(n, seed, HOUR, start);
  const A = mk(1, 1.1);
  const B = mk(2, 1.3);
  const hold = { action: new Uint8Array(n).fill(HOLD), confidence: new Float32Array(n) };
  const sigA = randomSignals(n, 5, 0.1);
  const legs: LegInput[] = [
    { symbol: 'A', bars: A, bar_ms: HOUR, signals: sigA, costs: FX, decisions: SHORTS },
    // The same bars and signals as A: perfectly correlated with it.
    { symbol: 'A2', bars: A, bar_ms: HOUR, signals: sigA, costs: FX, decisions: SHORTS },
    { symbol: 'B', bars: B, bar_ms: HOUR, signals: randomSignals(n, 6, 0.1), costs: FX, decisions: SHORTS },
    { symbol: 'IDLE', bars: B, bar_ms: HOUR, signals: hold, costs: FX, decisions: SHORTS },
  ];
  const cfg = bookConfig({ type: 'equal_weight' }, { record_details: true });
  const r = runPortfolio(legs, cfg);
  const a = analysePortfolio(r, legs, { currency: 'USD', bar_ms: HOUR });

  it('contributions add up to the total return; shares of PnL to 1', () => {
    expect(a.legs.reduce((s, l) => s + l.contribution, 0)).toBeCloseTo(a.metrics.total_return_pct, 9);
    expect(a.legs.reduce((s, l) => s + (l.share_of_pnl ?? 0), 0)).toBeCloseTo(1, 9);
    expect(a.legs[3]).toMatchObject({ total_trades: 0, time_in_market: 0, capital_invested: 0, win_rate: null, profit_factor: null });
    expect(a.legs[3].null_reasons).toMatchObject({ win_rate: 'no trades', profit_factor: 'no trades' });
    expect(a.metrics.total_trades).toBe(a.legs.reduce((s, l) => s + l.total_trades, 0));
    // Per-leg trade outcomes are the single backtest's definitions on the leg's trades.
    for (const [i, l] of a.legs.entries()) {
      if (!l.total_trades) continue;
      const t = r.legs[i].trades;
      const wins = t.filter((x) => x.net_pnl > 0);
      const losses = t.filter((x) => x.net_pnl < 0);
      expect(l.winning_trades + l.losing_trades).toBeLessThanOrEqual(l.total_trades);
      expect(l.win_rate).toBeCloseTo(wins.length / t.length, 12);
      expect(l.profit_factor).toBeCloseTo(wins.reduce((s, x) => s + x.net_pnl, 0) / -losses.reduce((s, x) => s + x.net_pnl, 0), 9);
    }
  });

  it('exposure: per leg and gross, as the mean over steps of |value| ÷ equity', () => {
    const sum = a.legs.reduce((s, l) => s + (l.capital_invested ?? 0), 0);
    expect(sum).toBeCloseTo(a.average_gross_exposure, 9);
    expect(a.average_gross_exposure).toBeGreaterThan(0.1);
    expect(a.average_gross_exposure).toBeLessThanOrEqual(1.05);
  });

  it('correlation: identical legs 1, unrelated legs small, an idle leg null with a reason', () => {
    const c = a.correlation.matrix!;
    // A2 fills after A at the same opens, sized on equity a little lower by A's costs: almost 1.
    expect(c[0][1]).toBeCloseTo(1, 6);
    expect(Math.abs(c[0][2]!)).toBeLessThan(0.2);
    expect(c[0][3]).toBeNull();
    expect(c[3][3]).toBeNull();
    expect(a.correlation.null_reasons['A/IDLE']).toMatch(/never changed value/);
  });

  it('significance of a book that knows the next bar beats its random entries; a random one does not', () => {
    // Oracle signals on A and B: BUY before a rise, SELL before a fall (shorts allowed).
    const oracle = (bars: typeof A) => {
      const action = new Uint8Array(n).fill(HOLD);
      for (let k = 0; k + 2 < n; k++) action[k] = bars.close[k + 1] > bars.open[k + 1] ? 0 : 2;
      return { action, confidence: new Float32Array(n).fill(0.9) };
    };
    const legs2: LegInput[] = [
      { ...legs[0], signals: oracle(A) },
      { ...legs[2], signals: oracle(B) },
    ];
    const res = runPortfolio(legs2, cfg);
    const an = analysePortfolio(res, legs2, { currency: 'USD', bar_ms: HOUR });
    const input = { legs: legs2, cfg, result: res, total_return_pct: an.metrics.total_return_pct, sharpe_ratio: an.metrics.sharpe_ratio, bars_per_year: an.metrics.bars_per_year, years: an.metrics.years, random_runs: 40, seed: 3 };
    const s = portfolioSignificance(input).significance!;
    expect(s.p_value_return).toBeLessThan(0.05);
    expect(s.random_min_trades).toBeGreaterThan(0.9 * an.metrics.total_trades);
    const noise = portfolioSignificance({ ...input, result: r, legs, total_return_pct: a.metrics.total_return_pct, sharpe_ratio: a.metrics.sharpe_ratio }).significance!;
    expect(noise.p_value_return).toBeGreaterThan(0.05);
  });
});

describe('undefined values are null with the reason', () => {
  const n = 500;
  const bars = randomBars(n, 11, HOUR, 1.1);
  const idle = { action: new Uint8Array(n).fill(HOLD), confidence: new Float32Array(n) };
  const flatLegs: LegInput[] = [
    { symbol: 'X', bars, bar_ms: HOUR, signals: idle, costs: FX, decisions: SHORTS },
    { symbol: 'Y', bars, bar_ms: HOUR, signals: idle, costs: FX, decisions: SHORTS },
  ];
  const kelly = { type: 'kelly' as const, fraction: 0.5, cap: 0.25, min_trades: 5, lookback_trades: 30, warmup_fraction: 0.1 };
  const r = runPortfolio(flatLegs, bookConfig(kelly, { record_details: true }));
  const a = analysePortfolio(r, flatLegs, { currency: 'USD', bar_ms: HOUR, sizing: kelly });

  it('a portfolio that never traded: Sharpe (no variance), share of PnL, Kelly and every correlation', () => {
    expect(a.metrics.sharpe_ratio).toBeNull();
    expect(a.metrics.null_reasons.sharpe_ratio).toBe('no trades');
    expect(a.legs[0].share_of_pnl).toBeNull();
    expect(a.legs[0].null_reasons.share_of_pnl).toBe('the portfolio made no net PnL');
    expect(a.legs[0].kelly_fraction).toBeNull();
    expect(a.legs[0].null_reasons.kelly_fraction).toMatch(/no closed trades/);
    expect(a.correlation.matrix!.flat().every((v) => v === null)).toBe(true);
    expect(Object.keys(a.correlation.null_reasons).sort()).toEqual(['X/X', 'X/Y', 'Y/Y']);
    const sig = portfolioSignificance({ legs: flatLegs, cfg: bookConfig(kelly), result: r, total_return_pct: 0, sharpe_ratio: a.metrics.sharpe_ratio, bars_per_year: a.metrics.bars_per_year, years: a.metrics.years, random_runs: 20, seed: 1 });
    expect(sig.significance).toBeNull();
    expect(sig.null_reasons).toEqual({ significance: 'no trades: no verdict', sharpe_ci95: 'no trades: the equity never moved', sharpe_ci_method: 'no trades: the equity never moved' });
  });

  it('the Kelly fraction of a leg is f* = mean(r) ÷ mean(r²) over its last trades (hand computation)', () => {
    const trade = (net: number, price: number, qty: number) => ({ net_pnl: net, entry_price: price, quantity: qty }) as Trade;
    // Returns 0.1, −0.05, 0.2: mean 0.25/3, mean of squares 0.0525/3 → f* = 0.25 / 0.0525.
    const ts = [trade(10, 100, 1), trade(-5, 50, 2), trade(40, 20, 10)];
    expect(legKellyFraction(ts, 100).value).toBeCloseTo(0.25 / 0.0525, 12);
    // Only the last two within the lookback: (−0.05 + 0.2) / (0.0025 + 0.04).
    expect(legKellyFraction(ts, 2).value).toBeCloseTo(0.15 / 0.0425, 12);
    expect(legKellyFraction([trade(0, 10, 1)], 10)).toEqual({ value: null, reason: 'every closed trade returned exactly 0: the Kelly fraction is undefined' });
    expect(legKellyFraction([], 10).value).toBeNull();
  });
});
