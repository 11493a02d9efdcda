// Portfolio results: metrics, legs, correlation, the equal-weight benchmark and random-entry
// significance — each checked against the single-symbol computation it generalises or by hand.
import { describe, expect, it } from 'vitest';
import { classifyProbabilities, HOLD } from '../../../src/core/backtest/decisions';
import { holdBenchmark } from '../../../src/core/backtest/benchmark';
import { engineConfig, runBacktest, singleLeg } from '../../../src/core/backtest/engine';
import { computeMetrics } from '../../../src/core/backtest/metrics';
import { computeSignificance, significanceInput } from '../../../src/core/evaluation/significance';
import { analysePortfolio } from '../../../src/core/portfolio/analysis';
import { equalWeightHold } from '../../../src/core/portfolio/benchmark';
import { runPortfolio } from '../../../src/core/portfolio/book';
import { portfolioSignificance } from '../../../src/core/portfolio/significance';
import type { LegInput } from '../../../src/core/portfolio/types';
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
    const { benchmark: _b, ...rest } = m;
    expect(a.metrics).toEqual(rest);
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
      const ew = equalWeightHold([leg], r, 100_000, f, m.bars_per_year, m.years, 'equal_weight_buy_and_hold');
      const one = holdBenchmark(bars.close, 100_000, f, FX, m.bars_per_year, m.years);
      expect(ew.final_equity).toBeCloseTo(one.final_equity, 6);
      expect(ew.sharpe_ratio).toBeCloseTo(one.sharpe_ratio, 6);
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
    expect(a.legs[3]).toMatchObject({ trades: 0, time_in_market: 0, exposure: 0 });
    expect(a.metrics.total_trades).toBe(a.legs.reduce((s, l) => s + l.trades, 0));
  });

  it('exposure: per leg and gross, as the mean over steps of |value| ÷ equity', () => {
    const sum = a.legs.reduce((s, l) => s + (l.exposure ?? 0), 0);
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
