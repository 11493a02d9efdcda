// The walk-forward result (operation_type walk_forward): written by src/main/experiments/walk-forward.ts
// (the scheduler validates it before storing or serving it), read by the CLI (`ktrdr experiment show`),
// the renderer's Experiments view and the MCP server. Versioned; null + null_reasons (common.ts).
import { z } from 'zod';
import { maybeNumber, nullReasons } from './common';
import { backtestMetricsSchema, childStatus, costBreakdownSchema, experimentWarningSchema, passThrough, trainingSummarySchema } from './experiment-parts';

export const WALK_FORWARD_SCHEMA_VERSION = 1;

export const walkForwardFoldSchema = z.object({
  fold: z.number().int().min(0),
  status: childStatus,
  error: z.string().nullable(),
  train_start: z.string(),
  train_end: z.string(),
  test_start: z.string(),
  test_end: z.string(),
  train_bars: z.number().int().min(0),
  test_bars: z.number().int().min(0),
  training_operation_id: z.string().nullable(),
  backtest_operation_id: z.string().nullable(),
  model_path: z.string().nullable(),
  train_metrics: trainingSummarySchema.nullable(),
  /** The out-of-sample backtest of this fold's model on its test window. */
  oos_metrics: backtestMetricsSchema.nullable(),
  /** What trading cost in that backtest: gross PnL, commission, spread, slippage, net PnL. */
  oos_costs: costBreakdownSchema.nullable(),
  oos_benchmark: passThrough,
  significance: passThrough,
  /** The same model backtested on its own training window (only with backtest.in_sample). */
  in_sample_metrics: backtestMetricsSchema.nullable(),
});
export type WalkForwardFold = z.infer<typeof walkForwardFoldSchema>;

const stabilitySchema = z.object({
  folds: z.number().int().min(0),
  mean: maybeNumber,
  std: maybeNumber,
  min: maybeNumber,
  max: maybeNumber,
  positive_share: maybeNumber,
});

export const walkForwardResultSchema = z.object({
  schema_version: z.literal(WALK_FORWARD_SCHEMA_VERSION),
  kind: z.literal('walk_forward'),
  strategy_name: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  settings: z.object({
    train_window: z.union([z.string(), z.number()]),
    test_window: z.union([z.string(), z.number()]),
    step: z.union([z.string(), z.number()]),
    anchored: z.boolean(),
    embargo_bars: z.number().int().min(0),
    /** The backtest settings as requested (initial capital, sizing, cost overrides if any). */
    backtest: z.record(z.string(), z.unknown()),
  }),
  folds: z.array(walkForwardFoldSchema),
  /** Completed folds' out-of-sample curves chained by compounding (at most 2,000 points). */
  stitched_equity: z.object({
    initial_capital: z.number(),
    final_equity: z.number(),
    total_points: z.number().int().min(0),
    timestamps: z.array(z.string()),
    values: z.array(z.number()),
    fold: z.array(z.number().int()),
  }),
  stitched_metrics: z
    .object({
      total_return: z.number(),
      annualized_return: maybeNumber,
      sharpe_ratio: maybeNumber,
      max_drawdown: z.number(),
      bars: z.number().int().min(0),
      bars_per_year: maybeNumber,
      final_equity: z.number(),
      compounded_fold_return: z.number(),
      null_reasons: nullReasons,
    })
    .nullable(),
  /** Costs of the completed folds' backtests added up (each fold starts from the initial capital). */
  costs_total: costBreakdownSchema.omit({ model: true }).extend({ folds: z.number().int().min(0) }).nullable(),
  stability: z.object({
    total_return: stabilitySchema,
    sharpe_ratio: stabilitySchema,
    profitable_folds: z.number().int().min(0),
    profitable_share: maybeNumber,
  }),
  degradation: z.object({
    ratio: maybeNumber,
    basis: z.enum(['sharpe', 'accuracy']).nullable(),
    sharpe_ratio: maybeNumber,
    in_sample_sharpe: maybeNumber,
    out_of_sample_sharpe: maybeNumber,
    accuracy_ratio: maybeNumber,
    train_accuracy: maybeNumber,
    held_out_accuracy: maybeNumber,
    null_reasons: nullReasons,
  }),
  /** Warnings of the folds' children (degenerate training splits…), by fold. */
  warnings: z.array(experimentWarningSchema),
  null_reasons: nullReasons,
});
export type WalkForwardResult = z.infer<typeof walkForwardResultSchema>;
