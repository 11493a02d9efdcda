// Random-entry significance at the portfolio level: each random run gives every leg as many trades as
// the strategy made on it, with holding periods resampled from that leg's own and the same long/short
// mix, at random non-overlapping places on the leg's bars (src/core/evaluation/random-entry.ts), and
// runs ALL legs together through the same book (sizing, gross cap, rebalancing, costs unchanged). So
// only WHEN each leg is in the market differs from the strategy. The block (ranks, p-values, the
// Sharpe interval, null + reason without trades or without a defined Sharpe) is the single backtest's
// (src/core/evaluation/significance.ts significanceOf): one definition for one leg and for N.
import { returnStats } from '../backtest/metrics';
import { randomEntryDecisions, randomSchedule, scheduleToActions } from '../evaluation/random-entry';
import { significanceOf, strategyRunOf, type RandomRuns, type SignificanceResult, type SignificanceTarget } from '../evaluation/significance';
import { mulberry32 } from '../random';
import { PortfolioBook, withActions } from './book';
import { buildTape } from './tape';
import type { LegInput, PortfolioConfig, PortfolioEngineResult } from './types';

export interface PortfolioSignificanceInput extends SignificanceTarget {
  legs: readonly LegInput[];
  cfg: PortfolioConfig;
  result: PortfolioEngineResult;
}

/** The random-entry runs of a portfolio: yields the runs done (every `chunk`). */
function* portfolioRandomRuns(input: PortfolioSignificanceInput, chunk: number): Generator<{ done: number; total: number }, RandomRuns> {
  const { random_runs: runs, seed } = input;
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
    // A random run whose equity never moved ranks at Sharpe 0 (as a single backtest's random runs).
    sharpes[r] = s.sharpe_ratio ?? 0;
    if (res.trade_count < minTrades) minTrades = res.trade_count;
    if ((r + 1) % chunk === 0 && r + 1 < runs) yield { done: r + 1, total: runs };
  }
  return { returns, sharpes, min_trades: minTrades };
}

/** Yields the runs done (every `chunk`), returns the block; the same fields as a single backtest's. */
export function portfolioSignificanceSteps(input: PortfolioSignificanceInput, chunk = 10): Generator<{ done: number; total: number }, SignificanceResult> {
  const trades = input.result.legs.reduce((n, l) => n + l.trades.length, 0);
  return significanceOf(
    strategyRunOf(input, input.result.equity, trades),
    () => portfolioRandomRuns(input, chunk),
  );
}

export function portfolioSignificance(input: PortfolioSignificanceInput): SignificanceResult {
  const steps = portfolioSignificanceSteps(input);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
