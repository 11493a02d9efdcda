// Random-entry significance at the portfolio level: each random run gives every leg as many trades as
// the strategy made on it, with holding periods resampled from that leg's own and the same long/short
// mix, at random non-overlapping places on the leg's bars (src/core/evaluation/random-entry.ts), and
// runs ALL legs together through the same book (sizing, gross cap, rebalancing, costs unchanged). So
// only WHEN each leg is in the market differs from the strategy. The portfolio's total return and
// Sharpe are ranked among the runs; the Sharpe interval is the stationary bootstrap of the portfolio's
// per-step returns, as for one symbol (src/core/evaluation/significance.ts, same output shape).
import { returnStats } from '../backtest/metrics';
import { barReturns, bootstrapSharpeCI } from '../evaluation/bootstrap';
import { quantileSorted, rankAgainst } from '../evaluation/percentile';
import { randomEntryDecisions, randomSchedule, scheduleToActions } from '../evaluation/random-entry';
import { BOOTSTRAP_RESAMPLES, type SignificanceResult } from '../evaluation/significance';
import { mulberry32 } from '../random';
import { PortfolioBook, withActions } from './book';
import { buildTape } from './tape';
import type { LegInput, PortfolioConfig, PortfolioEngineResult } from './types';

export interface PortfolioSignificanceInput {
  legs: readonly LegInput[];
  cfg: PortfolioConfig;
  result: PortfolioEngineResult;
  total_return_pct: number;
  sharpe_ratio: number;
  bars_per_year: number;
  years: number;
  random_runs: number;
  seed: number;
}

/** Yields the runs done (every `chunk`), returns the block; the same fields as a single backtest's. */
export function* portfolioSignificanceSteps(input: PortfolioSignificanceInput, chunk = 10): Generator<{ done: number; total: number }, SignificanceResult> {
  const { random_runs: runs, seed } = input;
  const ci = bootstrapSharpeCI(barReturns(input.result.equity), input.bars_per_year, { seed: (seed ^ 0x9e3779b9) >>> 0, resamples: BOOTSTRAP_RESAMPLES });
  const sharpe_ci95: [number, number] = [ci.lo, ci.hi];
  const sharpe_ci_method = { kind: 'stationary_bootstrap' as const, mean_block_length: ci.mean_block_length, resamples: ci.resamples, seed };
  if (runs <= 0) return { significance: null, sharpe_ci95, sharpe_ci_method };
  const rng = mulberry32(seed);
  const shapes = input.result.legs.map((leg) => ({
    holdings: leg.trades.map((t) => t.holding_period_bars),
    sides: leg.trades.map((t) => (t.side === 'SHORT' ? -1 : 1)),
  }));
  const actions = input.legs.map((l) => new Uint8Array(l.bars.time.length));
  const confidence = input.legs.map((l) => new Float32Array(l.bars.time.length));
  const runLegs: LegInput[] = input.legs.map((l, i) => ({ ...l, signals: { action: actions[i], confidence: confidence[i] }, decisions: randomEntryDecisions(l.decisions, shapes[i].sides.includes(-1)) }));
  const cfg: PortfolioConfig = { ...input.cfg, record_details: false };
  // The bars' layout is built once; each run lays out only its actions.
  const tape = buildTape(input.legs);
  const returns = new Float64Array(runs);
  const sharpes = new Float64Array(runs);
  let minTrades = input.result.legs.reduce((n, l) => n + l.trades.length, 0);
  for (let r = 0; r < runs; r++) {
    input.legs.forEach((l, i) => {
      const n = l.bars.time.length;
      scheduleToActions(n, randomSchedule(n, shapes[i].holdings, shapes[i].sides, rng), actions[i]);
    });
    const res = new PortfolioBook(runLegs, cfg, withActions(tape, runLegs)).finishEquityOnly();
    const s = returnStats(res.equity, cfg.initial_capital, input.bars_per_year, input.years);
    returns[r] = s.total_return_pct;
    sharpes[r] = s.sharpe_ratio;
    if (res.trade_count < minTrades) minTrades = res.trade_count;
    if ((r + 1) % chunk === 0 && r + 1 < runs) yield { done: r + 1, total: runs };
  }
  const ret = rankAgainst(returns, input.total_return_pct);
  const shp = rankAgainst(sharpes, input.sharpe_ratio);
  const sorted = Float64Array.from(returns).sort();
  return {
    significance: {
      random_runs: runs,
      seed,
      return_percentile: ret.percentile,
      sharpe_percentile: shp.percentile,
      p_value_return: ret.p_value,
      p_value_sharpe: shp.p_value,
      random_return_p5: quantileSorted(sorted, 0.05),
      random_return_p50: quantileSorted(sorted, 0.5),
      random_return_p95: quantileSorted(sorted, 0.95),
      random_min_trades: minTrades,
    },
    sharpe_ci95,
    sharpe_ci_method,
  };
}

export function portfolioSignificance(input: PortfolioSignificanceInput): SignificanceResult {
  const steps = portfolioSignificanceSteps(input);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
