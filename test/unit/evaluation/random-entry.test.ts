import { describe, expect, it } from 'vitest';
import { BUY, DEFAULT_DECISIONS, HOLD, SELL } from '../../../src/core/backtest/decisions';
import { BacktestEngine, engineConfig } from '../../../src/core/backtest/engine';
import { estimateBarsPerYear, returnStats, yearsSpanned } from '../../../src/core/backtest/metrics';
import { randomSchedule, runRandomEntries, scheduleToActions } from '../../../src/core/evaluation/random-entry';
import { rankAgainst } from '../../../src/core/evaluation/percentile';
import { computeSignificance } from '../../../src/core/evaluation/significance';
import { mulberry32 } from '../../../src/core/random';
import { HOUR, randomBars } from '../backtest/helpers';

describe('randomSchedule', () => {
  it('places K non-overlapping trades inside the bars with resampled holdings and the same side mix', () => {
    const rng = mulberry32(1);
    const holdings = [3, 7, 1, 12, 5];
    const sides = [1, -1, 1, 1, -1];
    for (let k = 0; k < 200; k++) {
      const s = randomSchedule(60, holdings, sides, rng);
      expect(s.entry.length).toBe(5);
      expect(Array.from(s.side).sort()).toEqual([-1, -1, 1, 1, 1]);
      for (let i = 0; i < 5; i++) {
        expect(holdings).toContain(s.exit[i] - s.entry[i]);
        expect(s.entry[i]).toBeGreaterThanOrEqual(1);
        expect(s.exit[i]).toBeLessThanOrEqual(60);
        if (i > 0) expect(s.entry[i]).toBeGreaterThan(s.exit[i - 1]);
      }
    }
  });

  it('falls back to the strategy’s own holdings when resampled ones cannot fit (almost always in the market)', () => {
    // Σ(h+1) = 10 + 2 + 2 + 2 = 16 = n. A generator stuck at 0 resamples [9, 9, 9, 9] every time
    // (40 bars > 16), so the schedule falls back to a permutation of [9, 1, 1, 1] with no gaps.
    const s = randomSchedule(16, [9, 1, 1, 1], [1, 1, 1, 1], () => 0);
    expect(Array.from(s.exit, (x, i) => x - s.entry[i]).sort((a, b) => a - b)).toEqual([1, 1, 1, 9]);
    expect(s.exit[3]).toBe(16); // the last one is the forced close
  });

  it('turns into actions the engine fills exactly: entries, exits, forced close', () => {
    const n = 120;
    const bars = randomBars(n, 5, HOUR);
    const rng = mulberry32(3);
    const cfg = engineConfig({ bar_ms: HOUR, decisions: { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0 } });
    for (let k = 0; k < 50; k++) {
      const s = randomSchedule(n, [4, 9, 2, 30, 6, 1], [1, -1, 1, -1, 1, 1], rng);
      const action = scheduleToActions(n, s);
      expect(action.filter((a) => a !== HOLD).length).toBe(s.exit[5] === n ? 11 : 12);
      const res = new BacktestEngine(bars, { action, confidence: new Float32Array(n) }, cfg).finish();
      expect(res.trades.map((t) => [t.entry_bar, t.side, t.holding_period_bars])).toEqual(
        Array.from(s.entry, (e, i) => [e, s.side[i] > 0 ? 'LONG' : 'SHORT', s.exit[i] - e]),
      );
    }
  });

  it('BacktestEngine.finishEquityOnly gives the same equity and trade count as finish()', () => {
    const n = 200;
    const bars = randomBars(n, 6, HOUR);
    const cfg = engineConfig({ bar_ms: HOUR, decisions: { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0 } });
    const s = randomSchedule(n, [5, 9, 3, 12], [1, -1, -1, 1], mulberry32(4));
    const sig = { action: scheduleToActions(n, s), confidence: new Float32Array(n) };
    const full = new BacktestEngine(bars, sig, cfg).finish();
    const light = new BacktestEngine(bars, sig, cfg).finishEquityOnly();
    expect(Array.from(light.equity)).toEqual(Array.from(full.equity.values));
    expect(light.trade_count).toBe(full.trades.length);
    expect(light.trade_count).toBe(4);
  });

  it('the same seed gives the same random runs', () => {
    const bars = randomBars(300, 8, HOUR);
    const cfg = engineConfig({ bar_ms: HOUR });
    const trades = [
      { side: 'LONG' as const, holding_period_bars: 5 },
      { side: 'SHORT' as const, holding_period_bars: 11 },
    ];
    const run = (seed: number) => runRandomEntries(bars, cfg, trades, { runs: 20, rng: mulberry32(seed), bars_per_year: 6000, years: 0.05 });
    expect(run(7)).toEqual(run(7));
    expect(run(7).returns).not.toEqual(run(8).returns);
  });
});

describe('significance against random entries', () => {
  const N = 300;
  const bars = randomBars(N, 21, HOUR);
  const bpy = estimateBarsPerYear(bars.time, HOUR);
  const years = yearsSpanned(bars.time, HOUR);
  const cfg = engineConfig({ bar_ms: HOUR, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 } });

  it('a strategy that IS a random-entry strategy gets a p-value uniform over seeds (chi-square, 10 bins)', () => {
    // Strategy: 6 longs of 10 bars at random places (seed s); nulls: 99 runs drawn by the same
    // generator (seed 10 000 + s). Strategy and nulls are exchangeable, so the rank is uniform on
    // 0..99 and p = (1 + #≥)/100 is uniform on {0.01, …, 1}: each tenth is expected 20 of 200 times.
    const shape = Array.from({ length: 6 }, () => ({ side: 'LONG' as const, holding_period_bars: 10 }));
    const bins = new Array(10).fill(0);
    let meanPct = 0;
    const SEEDS = 200;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const s = randomSchedule(N, [10, 10, 10, 10, 10, 10], [1, 1, 1, 1, 1, 1], mulberry32(seed));
      const res = new BacktestEngine(bars, { action: scheduleToActions(N, s), confidence: new Float32Array(N) }, cfg).finish();
      const total = returnStats(res.equity.values, cfg.initial_capital, bpy, years).total_return_pct;
      const nulls = runRandomEntries(bars, cfg, shape, { runs: 99, rng: mulberry32(10_000 + seed), bars_per_year: bpy, years });
      const r = rankAgainst(nulls.returns, total);
      meanPct += r.percentile / SEEDS;
      bins[Math.min(9, Math.ceil(r.p_value * 10) - 1)]++;
    }
    const chi2 = bins.reduce((a, o) => a + (o - 20) ** 2 / 20, 0);
    expect(chi2).toBeLessThan(27.88); // χ²(9) 99.9th percentile: fails only for a real bias
    expect(meanPct).toBeGreaterThan(45);
    expect(meanPct).toBeLessThan(55);
  });

  it('a strategy given future information (oracle) scores above the 99th percentile', () => {
    // Test-only oracle: at bar t decide on the close five bars later (future information).
    const oracle = new Uint8Array(N).fill(HOLD);
    for (let t = 0; t + 6 < N; t++) oracle[t] = bars.close[t + 5] > bars.open[t + 1] ? BUY : SELL;
    const oCfg = engineConfig({ bar_ms: HOUR, decisions: { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0 } });
    const res = new BacktestEngine(bars, { action: oracle, confidence: new Float32Array(N) }, oCfg).finish();
    const stats = returnStats(res.equity.values, oCfg.initial_capital, bpy, years);
    expect(res.trades.length).toBeGreaterThan(5);
    const out = computeSignificance({
      bars,
      cfg: oCfg,
      trades: res.trades,
      equity: res.equity.values,
      total_return_pct: stats.total_return_pct,
      sharpe_ratio: stats.sharpe_ratio,
      bars_per_year: bpy,
      years,
      random_runs: 200,
      seed: 42,
    });
    const s = out.significance!;
    expect(s.return_percentile).toBeGreaterThan(99);
    expect(s.sharpe_percentile).toBeGreaterThan(99);
    expect(s.p_value_return).toBeLessThan(0.01);
    expect(s.random_min_trades).toBe(res.trades.length);
    expect(s.random_return_p5).toBeLessThan(s.random_return_p50);
    expect(s.random_return_p50).toBeLessThan(s.random_return_p95);
    expect(s.random_return_p95).toBeLessThan(stats.total_return_pct);
    expect(out.sharpe_ci95![0]).toBeLessThan(stats.sharpe_ratio!);
    expect(out.sharpe_ci95![1]).toBeGreaterThan(stats.sharpe_ratio!);
    // Reproducible.
    expect(computeSignificance({ bars, cfg: oCfg, trades: res.trades, equity: res.equity.values, total_return_pct: stats.total_return_pct, sharpe_ratio: stats.sharpe_ratio, bars_per_year: bpy, years, random_runs: 200, seed: 42 })).toEqual(out);
  });

  it('random_runs = 0 gives no significance block (with the reason) but still the Sharpe interval', () => {
    const action = new Uint8Array(N).map((_, t) => (t % 40 === 1 ? BUY : t % 40 === 21 ? SELL : HOLD));
    const res = new BacktestEngine(bars, { action, confidence: new Float32Array(N) }, cfg).finish();
    expect(res.trades.length).toBeGreaterThan(2);
    const st = returnStats(res.equity.values, cfg.initial_capital, bpy, years);
    const out = computeSignificance({ bars, cfg, trades: res.trades, equity: res.equity.values, total_return_pct: st.total_return_pct, sharpe_ratio: st.sharpe_ratio, bars_per_year: bpy, years, random_runs: 0, seed: 1 });
    expect(out.significance).toBeNull();
    expect(out.null_reasons.significance).toMatch(/^random_runs = 0/);
    expect(out.sharpe_ci95![0]).toBeLessThanOrEqual(out.sharpe_ci95![1]);
  });

  it('a strategy with no trades gets no verdict and no Sharpe interval, never "beats 50 %, p = 1"', () => {
    const flat = new Float64Array(N).fill(100_000);
    const out = computeSignificance({ bars, cfg, trades: [], equity: flat, total_return_pct: 0, sharpe_ratio: null, bars_per_year: bpy, years, random_runs: 50, seed: 1 });
    expect(out.significance).toBeNull();
    expect(out.null_reasons.significance).toBe('no trades: no verdict');
    expect(out.sharpe_ci95).toBeNull();
    expect(out.sharpe_ci_method).toBeNull();
    expect(out.null_reasons.sharpe_ci95).toBe('no trades: the equity never moved');
  });
});
