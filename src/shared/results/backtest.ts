// The backtest result contract: what src/worker/jobs/backtest.ts writes and every reader (server,
// KTRDR adapter, CLI, MCP, report, renderer, experiments) parses. Conventions: common.ts.
//
// Versions:
//   1  metrics with null + null_reasons instead of 0 / 999999; benchmark = {buy_and_hold,
//      exposure_matched} (both with the strategy's costs); significance and the Sharpe interval
//      null with a reason when undefined (no trades); out_of_sample null when unknown.
//   (none)  results written before the contract: upgraded on read by `upgradeLegacyBacktest`.
import { z } from 'zod';
import { everyNullExplained, maybeNumber, NOT_RECORDED, nullReasons, parseWith, storedArtefacts, validateProduced, type NullReasons } from './common';

export const BACKTEST_RESULT_VERSION = 1 as const;

const count = z.number().int().min(0);
const money = z.number();

/** Return statistics of an equity curve (src/core/backtest/metrics.ts returnStats). */
export const returnStatsShape = {
  total_return_pct: z.number(),
  annualized_return: maybeNumber,
  volatility: maybeNumber,
  sharpe_ratio: maybeNumber,
  sortino_ratio: maybeNumber,
  max_drawdown_pct: z.number(),
  null_reasons: nullReasons,
};

/**
 * results.metrics: fractions are fractions (0.0841 = 8.41 %), money in the account currency. The
 * object without its null check, for schemas that keep a part of it (experiment-parts.ts picks from it).
 */
export const backtestMetricsObject = z.object({
  ...returnStatsShape,
  total_return: money,
  calmar_ratio: maybeNumber,
  max_drawdown: money,
  total_trades: count,
  winning_trades: count,
  losing_trades: count,
  win_rate: maybeNumber,
  profit_factor: maybeNumber,
  avg_win: maybeNumber,
  avg_loss: maybeNumber,
  largest_win: maybeNumber,
  largest_loss: maybeNumber,
  avg_holding_period_hours: maybeNumber,
  avg_holding_period_bars: maybeNumber,
  avg_win_holding_period: maybeNumber,
  avg_loss_holding_period: maybeNumber,
  recovery_factor: maybeNumber,
  exposure: z.number(),
  total_commission: money,
  total_slippage: money,
  total_spread_cost: money,
  final_equity: money,
  bars: count,
  bars_per_year: z.number(),
  years: z.number(),
});
export const backtestMetricsSchema = backtestMetricsObject.superRefine(everyNullExplained);
export type BacktestMetrics = z.output<typeof backtestMetricsSchema>;

/** What every buy & hold benchmark reports: its return statistics, the share invested and what it paid. */
export const holdShape = {
  ...returnStatsShape,
  /** Fraction of the initial capital put in at the start (1 = fully invested). */
  exposure: z.number(),
  total_return: money,
  final_equity: money,
  max_drawdown: money,
  commission: money,
  spread_cost: money,
  slippage_cost: money,
};

/** Buy & hold with the strategy's costs, fully invested or at its average exposure (core/backtest/benchmark.ts). */
export const holdBenchmarkSchema = z
  .object({ ...holdShape, quantity: z.number() })
  .superRefine(everyNullExplained);
export type HoldBenchmarkResult = z.output<typeof holdBenchmarkSchema>;

export const benchmarkSchema = z.object({ buy_and_hold: holdBenchmarkSchema, exposure_matched: holdBenchmarkSchema });

/** gross − commission − spread − slippage = net, in `currency` (core/backtest/costs.ts). */
export const costBreakdownSchema = z.object({
  gross_pnl: money,
  commission: money,
  spread_cost: money,
  slippage_cost: money,
  net_pnl: money,
  currency: z.string().min(1),
  model: z.string(),
});
export type CostBreakdownResult = z.output<typeof costBreakdownSchema>;

/** Where the strategy sits among random-entry runs (core/evaluation/significance.ts). */
export const significanceSchema = z
  .object({
    random_runs: z.number().int().min(1),
    seed: z.number().int(),
    /** 0..100: share of random runs the strategy's total return beats (ties count half). */
    return_percentile: z.number().min(0).max(100),
    /** (1 + #{random ≥ strategy}) / (N + 1). */
    p_value_return: z.number().gt(0).max(1),
    sharpe_percentile: maybeNumber,
    p_value_sharpe: maybeNumber,
    random_return_p5: z.number(),
    random_return_p50: z.number(),
    random_return_p95: z.number(),
    /** Fewest trades a random run made (the strategy's count unless an entry was refused near ruin). */
    random_min_trades: count,
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type Significance = z.output<typeof significanceSchema>;

export const sharpeCiMethodSchema = z.object({ kind: z.literal('stationary_bootstrap'), mean_block_length: z.number(), resamples: count, seed: z.number().int() });

const isoTime = z.string().min(1);

/** Whether the bars were split-adjusted, and which splits the cost factor divides out (core/instruments/splits.ts). */
export const priceAdjustmentSummarySchema = z.object({
  mode: z.enum(['auto', 'split_adjusted', 'as_traded']),
  splits_applied: z.array(z.object({ date: z.string(), ratio: z.number() })),
  evidence: z.array(z.object({ date: z.string(), ratio: z.number(), price_ratio: z.number(), adjusted: z.boolean() })),
  /** A sentence when the state had to be assumed or the data disagrees with itself. */
  note: z.string().nullable(),
});
export type PriceAdjustmentSummary = z.output<typeof priceAdjustmentSummarySchema>;

/** The resolved cost model of one instrument (core/instruments): its other fields belong to the instruments module. */
export const costModelSchema = z.looseObject({
  model: z.string(),
  currency: z.string(),
  asset_class: z.string(),
  pip_size: z.number(),
  /** Absent in results written before split-adjusted costs (issue 22 item 2). */
  price_adjustment: priceAdjustmentSummarySchema.optional(),
});

/** The decision rules the engine applied (core/backtest/decisions.ts DecisionConfig). */
export const decisionsSchema = z.object({ confidence_threshold: z.number(), position_awareness: z.boolean(), allow_short_from_flat: z.boolean(), min_signal_separation: z.number() });

export const backtestConfigSchema = z.object({
  initial_capital: z.number().positive(),
  /** KTRDR's legacy fractions when the request gave them, else null (the instrument's costs apply). */
  commission: z.number().nullable(),
  slippage: z.number().nullable(),
  costs: costModelSchema,
  position_size: z.number(),
  start_date: isoTime,
  end_date: isoTime,
  decisions: decisionsSchema,
});

/** The in-sample guard of a backtest (and of each portfolio leg): core/backtest/in-sample.ts. */
export const inSampleShape = {
  /** Bars inside the model's training rows; null when the model's range is unknown. */
  in_sample_bars: count.nullable(),
  out_of_sample: z.boolean().nullable(),
  model_data_range: z.object({ start: isoTime, end: isoTime }).nullable(),
};

/** The verdict fields of a backtest and a portfolio: warnings, random-entry significance, the Sharpe interval, counts. */
export const evaluationShape = {
  /** The caller knew the range overlaps the model's data (the warning banner is dropped, the fields stay). */
  allow_in_sample: z.boolean(),
  warnings: z.array(z.string()),
  significance: significanceSchema.nullable(),
  sharpe_ci95: z.tuple([z.number(), z.number()]).nullable(),
  sharpe_ci_method: sharpeCiMethodSchema.nullable(),
  trade_count: count,
  equity_curve_length: count,
};

export const backtestResultSchema = z
  .object({
    schema_version: z.literal(BACKTEST_RESULT_VERSION),
    strategy_name: z.string(),
    symbol: z.string(),
    timeframe: z.string(),
    /** First and last tested bar (open times, ISO). */
    start_time: isoTime,
    end_time: isoTime,
    execution_time_seconds: z.number().min(0),
    config: backtestConfigSchema,
    metrics: backtestMetricsSchema,
    /** null only in results older than the like-for-like benchmarks (reason in null_reasons). */
    benchmark: benchmarkSchema.nullable(),
    costs: costBreakdownSchema.nullable(),
    ...inSampleShape,
    ...evaluationShape,
    effective_range: z.object({ start: isoTime, end: isoTime, bars: count, clipped: z.boolean(), warmup_bars: count }).nullable(),
    model_path: z.string(),
    inference: z.enum(['fused-js', 'tfjs']).optional(),
    inference_backend: z.string().optional(),
    artifacts: z.object({ trades: z.string(), equity_curve: z.string() }).nullable(),
    artefacts: storedArtefacts,
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type BacktestResult = z.output<typeof backtestResultSchema>;

// ── older results (no schema_version): upgraded on read, never rewritten ──

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const LEGACY_UNBOUNDED = 999_999;

/** KTRDR-style placeholders (0 for undefined, 999999 unbounded) → null with the reason. */
function upgradeLegacyMetrics(m: Obj): Obj {
  const out: Obj = { ...m };
  const reasons: NullReasons = {};
  const nul = (k: string, why: string) => {
    out[k] = null;
    reasons[k] = why;
  };
  const trades = typeof m.total_trades === 'number' ? m.total_trades : 0;
  const wins = typeof m.winning_trades === 'number' ? m.winning_trades : 0;
  const losses = typeof m.losing_trades === 'number' ? m.losing_trades : 0;
  out.avg_holding_period_hours = m.avg_holding_period_hours ?? m.avg_holding_period ?? null;
  delete out.avg_holding_period;
  delete out.benchmark;
  out.total_spread_cost ??= 0;
  for (const [k, v] of Object.entries(out)) if (typeof v === 'number' && Math.abs(v) >= LEGACY_UNBOUNDED) nul(k, k === 'profit_factor' ? 'no losing trade: unbounded' : 'unbounded');
  if (trades === 0) {
    for (const k of ['sharpe_ratio', 'sortino_ratio', 'calmar_ratio', 'recovery_factor', 'win_rate', 'profit_factor', 'avg_win', 'avg_loss', 'largest_win', 'largest_loss', 'avg_holding_period_hours', 'avg_holding_period_bars', 'avg_win_holding_period', 'avg_loss_holding_period'])
      nul(k, 'no trades');
  } else {
    if (wins === 0) for (const k of ['avg_win', 'largest_win', 'avg_win_holding_period']) nul(k, 'no winning trade');
    if (losses === 0) for (const k of ['avg_loss', 'largest_loss', 'avg_loss_holding_period', 'profit_factor']) nul(k, k === 'profit_factor' ? 'no losing trade: unbounded' : 'no losing trade');
  }
  for (const [k, v] of Object.entries(out)) if (v === undefined || v === null) reasons[k] ??= NOT_RECORDED;
  for (const k of Object.keys(reasons)) out[k] ??= null;
  return { ...out, null_reasons: reasons };
}

function upgradeLegacyHold(b: Obj): Obj {
  const out: Obj = { ...b };
  delete out.kind;
  const reasons: NullReasons = {};
  for (const [k, v] of Object.entries(out)) if (v === null) reasons[k] = NOT_RECORDED;
  return { ...out, null_reasons: reasons };
}

/** A result without schema_version (written before the contract) in today's shape. */
export function upgradeLegacyBacktest(r: Obj): Obj {
  const reasons: NullReasons = {};
  const nul = (k: string, why = NOT_RECORDED) => {
    reasons[k] = why;
    return null;
  };
  const m = isObj(r.metrics) ? upgradeLegacyMetrics(r.metrics) : r.metrics;
  const trades = isObj(r.metrics) && typeof r.metrics.total_trades === 'number' ? r.metrics.total_trades : 0;
  const b = isObj(r.benchmark) ? r.benchmark : null;
  const benchmark =
    b && isObj(b.buy_and_hold) && isObj(b.exposure_matched) ? { buy_and_hold: upgradeLegacyHold(b.buy_and_hold), exposure_matched: upgradeLegacyHold(b.exposure_matched) } : nul('benchmark');
  const sig = isObj(r.significance) ? r.significance : null;
  const significance = !sig ? nul('significance', r.significance === null ? 'random_runs = 0: no random-entry comparison was asked for' : NOT_RECORDED) : trades === 0 ? nul('significance', 'no trades: no verdict') : { ...sig, null_reasons: {} };
  const ci = Array.isArray(r.sharpe_ci95) && trades > 0 ? r.sharpe_ci95 : nul('sharpe_ci95', trades === 0 ? 'no trades: the equity never moved' : NOT_RECORDED);
  const cfg = isObj(r.config) ? r.config : {};
  return {
    ...r,
    schema_version: BACKTEST_RESULT_VERSION,
    config: { ...cfg, commission: cfg.commission ?? null, slippage: cfg.slippage ?? null, costs: cfg.costs ?? { model: 'ktrdr', currency: 'USD', asset_class: 'unknown', pip_size: 0 }, decisions: { confidence_threshold: 0.5, position_awareness: true, allow_short_from_flat: false, min_signal_separation: 4, ...(isObj(cfg.decisions) ? cfg.decisions : {}) } },
    metrics: m,
    benchmark,
    costs: isObj(r.costs) ? r.costs : nul('costs'),
    in_sample_bars: typeof r.in_sample_bars === 'number' ? r.in_sample_bars : nul('in_sample_bars'),
    out_of_sample: typeof r.out_of_sample === 'boolean' ? r.out_of_sample : nul('out_of_sample'),
    model_data_range: isObj(r.model_data_range) ? r.model_data_range : nul('model_data_range'),
    allow_in_sample: r.allow_in_sample === true,
    warnings: Array.isArray(r.warnings) ? r.warnings.map(String) : [],
    significance,
    sharpe_ci95: ci,
    sharpe_ci_method: ci && isObj(r.sharpe_ci_method) ? r.sharpe_ci_method : nul('sharpe_ci_method'),
    effective_range: isObj(r.effective_range) ? r.effective_range : nul('effective_range'),
    artifacts: isObj(r.artifacts) ? r.artifacts : nul('artifacts'),
    model_path: typeof r.model_path === 'string' ? r.model_path : '',
    null_reasons: reasons,
  };
}

/** Reader side: today's results as they are, older ones upgraded; anything else fails with the fields named. */
export function parseBacktestResult(raw: unknown): BacktestResult {
  const upgraded = isObj(raw) && raw.schema_version === undefined ? upgradeLegacyBacktest(raw) : raw;
  return parseWith('backtest', backtestResultSchema, upgraded);
}

/** Producer side (the worker): validated, no undeclared field; the returned value is what is stored. */
export function validateBacktestResult(value: unknown): BacktestResult {
  return validateProduced('backtest', backtestResultSchema, value);
}

// ── artifacts: <home>/backtests/<id>/trades.json and equity.json ──

/** One trade as GET /backtests/{id}/trades serves it (core/backtest/types.ts Trade + symbol). */
export const backtestTradeSchema = z.looseObject({
  trade_id: z.number().int(),
  symbol: z.string().optional(),
  side: z.string(),
  entry_time: isoTime,
  exit_time: isoTime,
  entry_price: z.number(),
  exit_price: z.number(),
  quantity: z.number(),
  /** At the fill prices (spread and slippage are inside them): gross_pnl − commission = net_pnl. */
  gross_pnl: z.number(),
  commission: z.number(),
  slippage: z.number(),
  spread_cost: z.number().default(0),
  net_pnl: z.number(),
  pnl_percent: z.number(),
  holding_period_bars: z.number(),
  holding_period_hours: z.number(),
  max_favorable_excursion: z.number(),
  max_adverse_excursion: z.number(),
  exit_reason: z.string(),
});
export type BacktestTrade = z.output<typeof backtestTradeSchema>;

/** PnL before any cost (at the quoted prices): the per-trade share of results.costs.gross_pnl. */
export function grossBeforeCosts(t: Pick<BacktestTrade, 'gross_pnl' | 'spread_cost' | 'slippage'>): number {
  return t.gross_pnl + t.spread_cost + t.slippage;
}

export const backtestTradesDocSchema = z.looseObject({ symbol: z.string().optional(), timeframe: z.string().optional(), trades: z.array(backtestTradeSchema) });

/** One leg of a portfolio's equity.json: on its own bars, its cash flows + position at each close (its PnL so far). */
export const legCurveSchema = z.object({
  symbol: z.string(),
  /** The leg's bar open times (ms). */
  time: z.array(z.number()),
  value: z.array(z.number()),
  /** +1 long, 0 flat, −1 short during each bar. */
  position: z.array(z.number()),
});
export type LegCurve = z.output<typeof legCurveSchema>;

export const backtestEquityDocSchema = z.looseObject({
  initial_capital: z.number(),
  /** Bar open times (ms; a portfolio's steps: the union of its legs' bar times); each value is the equity at that close. */
  time: z.array(z.number()),
  values: z.array(z.number()),
  drawdowns: z.array(z.number()),
  /** Single backtest: the position (+1/0/−1); portfolio: 1 while any leg holds a position. */
  position: z.array(z.number()).optional(),
  /** Portfolio: Σ |position value| ÷ equity at each step's close; null where equity ≤ 0 (reason in null_reasons). */
  gross_exposure: z.array(z.number().nullable()).optional(),
  /** Portfolio: each leg's curve on its own bars. */
  legs: z.array(legCurveSchema).optional(),
  null_reasons: nullReasons.optional(),
});
export type BacktestEquityDoc = z.output<typeof backtestEquityDocSchema>;

/** Portfolio: <home>/backtests/<id>/fills.json, every fill the book made (entries, exits, rebalancing resizes, end-of-data closes). */
export const backtestFillSchema = z.object({
  /** Index of the leg in `symbols`, and its symbol. */
  leg: z.number().int().min(0),
  symbol: z.string(),
  /** The leg's bar index and the fill time (the bar's open; its close for end_of_data). */
  bar: z.number().int().min(0),
  time: isoTime,
  kind: z.enum(['entry', 'exit', 'rebalance', 'end_of_data']),
  /** +1 bought, −1 sold. */
  side: z.union([z.literal(1), z.literal(-1)]),
  /** Series units (split-adjusted units on split-adjusted bars). */
  quantity: z.number(),
  /** Fill price, spread and slippage included. */
  price: z.number(),
  commission: z.number(),
});
export const backtestFillsDocSchema = z.looseObject({ symbols: z.array(z.string()), fills: z.array(backtestFillSchema) });
export type BacktestFillsDoc = z.output<typeof backtestFillsDocSchema>;

/** GET /backtests/{id}/equity_curve?legs=true on a portfolio: each leg's curve (down-sampled like the portfolio's). */
export const legCurveResponseSchema = z.object({ symbol: z.string(), timestamps: z.array(isoTime), values: z.array(z.number()), positions: z.array(z.number()) });
export type LegCurveResponse = z.output<typeof legCurveResponseSchema>;

/** GET /backtests/{id}/equity_curve: ISO bar times, equity at each close, drawdown fractions. */
export const equityCurveResponseSchema = z.object({
  initial_capital: z.number(),
  total_points: z.number().int(),
  timestamps: z.array(isoTime),
  values: z.array(z.number()),
  drawdowns: z.array(z.number()),
  positions: z.array(z.number()).nullable(),
  /** Portfolio only: Σ |position value| ÷ equity per step (null where equity ≤ 0). */
  gross_exposure: z.array(z.number().nullable()).optional(),
  /** Portfolio with ?legs=true: each leg's PnL curve. */
  legs: z.array(legCurveResponseSchema).optional(),
});
export type EquityCurveResponse = z.output<typeof equityCurveResponseSchema>;

/** GET /backtests/{id}/trades (JSON). */
export const tradesResponseSchema = z.object({ total_count: z.number().int(), trades: z.array(backtestTradeSchema) });
