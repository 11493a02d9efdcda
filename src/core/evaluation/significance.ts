// The significance block of a backtest's results: where the strategy's total return and Sharpe
// ratio sit among random-entry runs (random-entry.ts) and a stationary-bootstrap 95 % interval of
// its Sharpe ratio (bootstrap.ts). Definitions of percentile and p-value: percentile.ts.
import { mulberry32 } from '../random';
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

export interface SignificanceResult {
  /** null when random_runs is 0. */
  significance: Significance | null;
  sharpe_ci95: [number, number];
  /** How the interval was made (block length chosen by Politis–White). */
  sharpe_ci_method: { kind: 'stationary_bootstrap'; mean_block_length: number; resamples: number; seed: number };
}

export interface SignificanceInput {
  bars: EngineBars;
  /** The backtest's EngineConfig, unchanged (costs and sizing). */
  cfg: EngineConfig;
  trades: readonly TradeShape[];
  /** The strategy's equity at each bar's close. */
  equity: Float64Array;
  total_return_pct: number;
  sharpe_ratio: number;
  bars_per_year: number;
  years: number;
  random_runs: number;
  seed: number;
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

/**
 * The significance block, step by step: yields the number of random runs done (every 25) so a job
 * can report progress and check for cancellation between steps; returns the result.
 */
export function* significanceSteps(input: SignificanceInput): Generator<{ done: number; total: number }, SignificanceResult> {
  const { random_runs: runs, seed } = input;
  // Independent streams for the random runs and the bootstrap, both from the one seed.
  const ci = bootstrapSharpeCI(barReturns(input.equity), input.bars_per_year, { seed: (seed ^ 0x9e3779b9) >>> 0, resamples: BOOTSTRAP_RESAMPLES });
  const sharpe_ci95: [number, number] = [ci.lo, ci.hi];
  const sharpe_ci_method = { kind: 'stationary_bootstrap' as const, mean_block_length: ci.mean_block_length, resamples: ci.resamples, seed };
  if (runs <= 0) return { significance: null, sharpe_ci95, sharpe_ci_method };
  const steps = randomEntryRunsStepwise(input.bars, input.cfg, input.trades, { runs, rng: mulberry32(seed), bars_per_year: input.bars_per_year, years: input.years });
  let step = steps.next();
  while (!step.done) {
    yield { done: step.value, total: runs };
    step = steps.next();
  }
  const sim = step.value;
  const ret = rankAgainst(sim.returns, input.total_return_pct);
  const shp = rankAgainst(sim.sharpes, input.sharpe_ratio);
  const sorted = Float64Array.from(sim.returns).sort();
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
      random_min_trades: sim.min_trades,
    },
    sharpe_ci95,
    sharpe_ci_method,
  };
}

/** The whole computation at once (significanceSteps drained). */
export function computeSignificance(input: SignificanceInput): SignificanceResult {
  const steps = significanceSteps(input);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
