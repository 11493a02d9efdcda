// The significance block of a backtest's results: where the strategy's total return and Sharpe
// ratio sit among random-entry runs (random-entry.ts) and a stationary-bootstrap 95 % interval of
// its Sharpe ratio (bootstrap.ts). Definitions of percentile and p-value: percentile.ts.
//
// Without trades there is nothing to judge: random entries with zero trades are as flat as the
// strategy, so a percentile (50 %) and a p-value (1.0) would be placeholders. The block is then null
// with the reason "no trades: no verdict", and so is the Sharpe interval (the equity never moved).
import { mulberry32 } from '../random';
import { defined, undefinedBecause, withNullReasons, type NullReasons } from '../../shared/results/common';
import type { PerformanceMetrics } from '../backtest/metrics';
import type { EngineBars, EngineConfig, EngineResult } from '../backtest/types';
import { barReturns, bootstrapSharpeCI } from './bootstrap';
import { quantileSorted, rankAgainst } from './percentile';
import { randomEntryRunsStepwise, type TradeShape } from './random-entry';
import type { Significance } from '../../shared/significance';

export type { Significance };

export const DEFAULT_RANDOM_RUNS = 200;
export const MAX_RANDOM_RUNS = 5000;
export const DEFAULT_RANDOM_SEED = 42;
export const BOOTSTRAP_RESAMPLES = 1000;

export const NO_TRADES_NO_VERDICT = 'no trades: no verdict';

export interface SharpeCiMethod {
  kind: 'stationary_bootstrap';
  mean_block_length: number;
  resamples: number;
  seed: number;
}

export interface SignificanceResult {
  /** null when random_runs is 0 or the strategy made no trade (reason in null_reasons). */
  significance: Significance | null;
  /** null when the strategy made no trade or its returns do not vary (reason in null_reasons). */
  sharpe_ci95: [number, number] | null;
  /** How the interval was made (block length chosen by Politis–White); null with the interval. */
  sharpe_ci_method: SharpeCiMethod | null;
  null_reasons: NullReasons;
}

/** What the strategy scored and how many random-entry runs it is compared with (single backtests and portfolios alike). */
export interface SignificanceTarget {
  total_return_pct: number;
  /** null when undefined (flat returns): the Sharpe comparison and interval are then null too. */
  sharpe_ratio: number | null;
  bars_per_year: number;
  years: number;
  random_runs: number;
  seed: number;
}

export interface SignificanceInput extends SignificanceTarget {
  bars: EngineBars;
  /** The backtest's EngineConfig, unchanged (costs and sizing). */
  cfg: EngineConfig;
  trades: readonly TradeShape[];
  /** The strategy's equity at each bar's close. */
  equity: Float64Array;
}

/** The input for a finished backtest: its engine result and metrics, `runs` random entries from `seed`. */
export function significanceInput(bars: EngineBars, cfg: EngineConfig, result: EngineResult, metrics: PerformanceMetrics, runs: number, seed: number): SignificanceInput {
  return {
    bars,
    cfg,
    trades: result.trades,
    equity: result.equity.values,
    total_return_pct: metrics.total_return_pct,
    sharpe_ratio: metrics.sharpe_ratio,
    bars_per_year: metrics.bars_per_year,
    years: metrics.years,
    random_runs: runs,
    seed,
  };
}

/** The Sharpe interval of a run (stationary bootstrap of its per-bar returns), or null with why. */
function sharpeInterval(equity: Float64Array, sharpe: number | null, noTrades: boolean, barsPerYear: number, seed: number) {
  const returns = barReturns(equity);
  const interval = (): { ci: [number, number]; method: SharpeCiMethod } | string => {
    if (noTrades) return 'no trades: the equity never moved';
    if (returns.length < 2) return 'fewer than three bars: too few returns to resample';
    if (sharpe === null) return 'the returns do not vary: the Sharpe ratio is undefined';
    // Independent streams for the random runs and the bootstrap, both from the one seed.
    const ci = bootstrapSharpeCI(returns, barsPerYear, { seed: (seed ^ 0x9e3779b9) >>> 0, resamples: BOOTSTRAP_RESAMPLES });
    return { ci: [ci.lo, ci.hi], method: { kind: 'stationary_bootstrap', mean_block_length: ci.mean_block_length, resamples: ci.resamples, seed } };
  };
  const iv = interval();
  return withNullReasons({
    sharpe_ci95: typeof iv === 'string' ? undefinedBecause(iv) : defined(iv.ci),
    sharpe_ci_method: typeof iv === 'string' ? undefinedBecause(iv) : defined(iv.method),
  });
}

/** What random-entry runs produced: each run's total return and Sharpe, and the fewest trades one made. */
export interface RandomRuns {
  returns: Float64Array;
  sharpes: Float64Array;
  min_trades: number;
}

/** What the strategy made, to place among random entries. */
export interface StrategyRun {
  /** The strategy's equity at each bar's (step's) close. */
  equity: Float64Array;
  trade_count: number;
  total_return_pct: number;
  /** null when undefined (flat returns): the Sharpe comparison is then null too. */
  sharpe_ratio: number | null;
  bars_per_year: number;
  runs: number;
  seed: number;
}

/** The run a target scored, with its equity and trade count. */
export function strategyRunOf(t: SignificanceTarget, equity: Float64Array, trade_count: number): StrategyRun {
  return { equity, trade_count, total_return_pct: t.total_return_pct, sharpe_ratio: t.sharpe_ratio, bars_per_year: t.bars_per_year, runs: t.random_runs, seed: t.seed };
}

/**
 * The significance block of a strategy (a single backtest or a portfolio) given a way to make its
 * random-entry runs: yields what the runs yield (progress), returns the block. Without trades or
 * without runs the block is null with the reason; the interval is null with its own reason.
 */
export function* significanceOf(s: StrategyRun, randomRuns: () => Generator<{ done: number; total: number }, RandomRuns>): Generator<{ done: number; total: number }, SignificanceResult> {
  const noTrades = s.trade_count === 0;
  const ciFields = sharpeInterval(s.equity, s.sharpe_ratio, noTrades, s.bars_per_year, s.seed);
  const done = (significance: Significance | null, reason: string | null): SignificanceResult => ({
    significance,
    sharpe_ci95: ciFields.sharpe_ci95,
    sharpe_ci_method: ciFields.sharpe_ci_method,
    null_reasons: { ...ciFields.null_reasons, ...(reason ? { significance: reason } : {}) },
  });
  if (s.runs <= 0) return done(null, 'random_runs = 0: no random-entry comparison was asked for');
  if (noTrades) return done(null, NO_TRADES_NO_VERDICT);
  const sim = yield* randomRuns();
  const ret = rankAgainst(sim.returns, s.total_return_pct);
  const shp = s.sharpe_ratio === null ? null : rankAgainst(sim.sharpes, s.sharpe_ratio);
  const sorted = Float64Array.from(sim.returns).sort();
  const sharpeReason = "the strategy's Sharpe ratio is undefined (its returns do not vary)";
  const sharpeRank = withNullReasons({
    sharpe_percentile: shp ? defined(shp.percentile) : undefinedBecause(sharpeReason),
    p_value_sharpe: shp ? defined(shp.p_value) : undefinedBecause(sharpeReason),
  });
  return done(
    {
      random_runs: s.runs,
      seed: s.seed,
      return_percentile: ret.percentile,
      p_value_return: ret.p_value,
      random_return_p5: quantileSorted(sorted, 0.05),
      random_return_p50: quantileSorted(sorted, 0.5),
      random_return_p95: quantileSorted(sorted, 0.95),
      random_min_trades: sim.min_trades,
      ...sharpeRank,
    },
    null,
  );
}

/**
 * The significance block, step by step: yields the number of random runs done (every 25) so a job
 * can report progress and check for cancellation between steps; returns the result.
 */
export function* significanceSteps(input: SignificanceInput): Generator<{ done: number; total: number }, SignificanceResult> {
  const { random_runs: runs, seed } = input;
  return yield* significanceOf(
    strategyRunOf(input, input.equity, input.trades.length),
    function* () {
      const steps = randomEntryRunsStepwise(input.bars, input.cfg, input.trades, { runs, rng: mulberry32(seed), bars_per_year: input.bars_per_year, years: input.years });
      let step = steps.next();
      while (!step.done) {
        yield { done: step.value, total: runs };
        step = steps.next();
      }
      return step.value;
    },
  );
}

/** The whole computation at once (significanceSteps drained). */
export function computeSignificance(input: SignificanceInput): SignificanceResult {
  const steps = significanceSteps(input);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
