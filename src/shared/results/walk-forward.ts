// The walk-forward result (operation_type walk_forward): written by src/main/experiments/walk-forward.ts
// (the scheduler validates it with `validateWalkForwardResult` before storing or serving it), read by
// every reader through `parseOperationResult` (index.ts) and shown through `presentWalkForward`
// (present-experiments.ts). Conventions: common.ts (null + null_reasons).
//
// Versions:
//   2  child summaries taken from the backtest and training contracts (experiment-parts.ts); a fold
//      says why a block is null; fold statistics count only the folds whose value is defined and say
//      how many (`folds`, `excluded`) and why a statistic is null; the degradation's Sharpe means are
//      over the folds that have both Sharpe ratios (`sharpe_folds`).
//   1  (and none) refused on read: "written by an older version", rerun the experiment.
import { z } from 'zod';
import { costBreakdownSchema, significanceSchema } from './backtest';
import { everyNullExplained, maybeNumber, nullReasons, nullsExplained, parseVersioned, validateProduced } from './common';
import { backtestMetricsSummarySchema, childStatus, costTotalSchema, experimentBenchmarkSchema, experimentWarningSchema, trainingSummarySchema } from './experiment-parts';

export const WALK_FORWARD_RESULT_VERSION = 2 as const;

const count = z.number().int().min(0);

/** The fold's blocks that are null until (or unless) its children complete; each null one has its reason. */
export const FOLD_BLOCKS = ['train_metrics', 'oos_metrics', 'oos_costs', 'oos_benchmark', 'significance', 'in_sample_metrics'] as const;

export const walkForwardFoldSchema = z
  .object({
    fold: count,
    status: childStatus,
    error: z.string().nullable(),
    train_start: z.string(),
    train_end: z.string(),
    test_start: z.string(),
    test_end: z.string(),
    train_bars: count,
    test_bars: count,
    training_operation_id: z.string().nullable(),
    backtest_operation_id: z.string().nullable(),
    model_path: z.string().nullable(),
    train_metrics: trainingSummarySchema.nullable(),
    /** The out-of-sample backtest of this fold's model on its test window. */
    oos_metrics: backtestMetricsSummarySchema.nullable(),
    /** What trading cost in that backtest: gross PnL, commission, spread, slippage, net PnL. */
    oos_costs: costBreakdownSchema.nullable(),
    oos_benchmark: experimentBenchmarkSchema.nullable(),
    significance: significanceSchema.nullable(),
    /** The same model backtested on its own training window (only with backtest.in_sample). */
    in_sample_metrics: backtestMetricsSummarySchema.nullable(),
    null_reasons: nullReasons,
  })
  .superRefine(nullsExplained(FOLD_BLOCKS));
export type WalkForwardFold = z.output<typeof walkForwardFoldSchema>;

/** A statistic over the folds' out-of-sample values: only folds whose value is defined count. */
export const foldStatisticsSchema = z
  .object({
    /** Folds counted (their value is defined). */
    folds: count,
    /** Completed folds left out because their value is undefined (a Sharpe ratio without trades). */
    excluded: count,
    mean: maybeNumber,
    /** Sample standard deviation (n − 1); null with fewer than two folds counted. */
    std: maybeNumber,
    min: maybeNumber,
    max: maybeNumber,
    /** Share of the counted folds with a value > 0. */
    positive_share: maybeNumber,
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type FoldStatistics = z.output<typeof foldStatisticsSchema>;

export const walkForwardResultSchema = z
  .object({
    schema_version: z.literal(WALK_FORWARD_RESULT_VERSION),
    kind: z.literal('walk_forward'),
    strategy_name: z.string(),
    symbol: z.string(),
    timeframe: z.string(),
    settings: z.object({
      train_window: z.union([z.string(), z.number()]),
      test_window: z.union([z.string(), z.number()]),
      step: z.union([z.string(), z.number()]),
      anchored: z.boolean(),
      embargo_bars: count,
      /** The backtest settings as requested (initial capital, sizing, cost overrides if any). */
      backtest: z.record(z.string(), z.unknown()),
    }),
    folds: z.array(walkForwardFoldSchema),
    /** Completed folds' out-of-sample curves chained by compounding (at most 2,000 points). */
    stitched_equity: z.object({
      initial_capital: z.number(),
      final_equity: z.number(),
      total_points: count,
      timestamps: z.array(z.string()),
      values: z.array(z.number()),
      fold: z.array(z.number().int()),
    }),
    stitched_metrics: z
      .object({
        /** Fractions (0.0841 = 8.41 %), as the backtest's total_return_pct and max_drawdown_pct. */
        total_return: z.number(),
        annualized_return: maybeNumber,
        sharpe_ratio: maybeNumber,
        max_drawdown: z.number(),
        bars: count,
        bars_per_year: maybeNumber,
        final_equity: z.number(),
        compounded_fold_return: z.number(),
        null_reasons: nullReasons,
      })
      .superRefine(everyNullExplained)
      .nullable(),
    /** Costs of the completed folds' backtests added up (each fold starts from the initial capital). */
    costs_total: costTotalSchema.nullable(),
    stability: z
      .object({
        total_return: foldStatisticsSchema,
        sharpe_ratio: foldStatisticsSchema,
        /** Counted folds with a positive out-of-sample return. */
        profitable_folds: count,
        profitable_share: maybeNumber,
        null_reasons: nullReasons,
      })
      .superRefine(everyNullExplained),
    degradation: z
      .object({
        ratio: maybeNumber,
        basis: z.enum(['sharpe', 'accuracy']).nullable(),
        /** Mean out-of-sample ÷ mean in-sample Sharpe over the `sharpe_folds` folds that have both. */
        sharpe_ratio: maybeNumber,
        in_sample_sharpe: maybeNumber,
        out_of_sample_sharpe: maybeNumber,
        sharpe_folds: count,
        /** Mean held-out (test split) ÷ mean train accuracy over the `accuracy_folds` folds that have both. */
        accuracy_ratio: maybeNumber,
        train_accuracy: maybeNumber,
        held_out_accuracy: maybeNumber,
        accuracy_folds: count,
        null_reasons: nullReasons,
      })
      .superRefine(everyNullExplained),
    /** Warnings of the folds' children (degenerate training splits…), by fold. */
    warnings: z.array(experimentWarningSchema),
    null_reasons: nullReasons,
  })
  .superRefine(nullsExplained(['stitched_metrics', 'costs_total']));
export type WalkForwardResult = z.output<typeof walkForwardResultSchema>;

/** Reader side: version 2 as it is; older versions are refused with a message that says so. */
export function parseWalkForwardResult(raw: unknown): WalkForwardResult {
  return parseVersioned('walk-forward', walkForwardResultSchema, WALK_FORWARD_RESULT_VERSION, raw);
}

/** Producer side (the scheduler, before it stores or serves results): no undeclared field either. */
export function validateWalkForwardResult(value: unknown): WalkForwardResult {
  return validateProduced('walk-forward', walkForwardResultSchema, value);
}
