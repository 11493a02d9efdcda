// The sweep result (operation_type sweep): written by src/main/experiments/sweep.ts (the scheduler
// validates it before storing or serving it), read by the CLI, the renderer and the MCP server.
//
// Protocol (docs/experiments.md): every trial trains on the training window and is backtested on the
// selection window; trials are ranked there (or on validation accuracy); only the chosen trial is
// backtested once on the final holdout, which no trial saw. DSR and PBO are computed over the trials'
// selection-window results. Versioned; null + null_reasons (common.ts).
import { z } from 'zod';
import { maybeNumber, nullReasons } from './common';
import { backtestMetricsSchema, backtestSummarySchema, childStatus, experimentWarningSchema, passThrough, trainingSummarySchema } from './experiment-parts';

export const SWEEP_SCHEMA_VERSION = 1;

const paramValue = z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())]);

export const sweepTrialSchema = z.object({
  trial: z.number().int().min(0),
  status: childStatus,
  params: z.record(z.string(), paramValue).nullable(),
  /** The objective's value; null when the trial cannot be ranked (null_reasons.objective says why). */
  objective: maybeNumber,
  error: z.string().nullable(),
  strategy_yaml: z.string().nullable(),
  valid: z.boolean().nullable(),
  training_operation_id: z.string().nullable(),
  /** The selection-window backtest. */
  backtest_operation_id: z.string().nullable(),
  model_path: z.string().nullable(),
  metrics: z.object({
    val_accuracy: maybeNumber,
    test_accuracy: maybeNumber,
    train_accuracy: maybeNumber,
    /** Selection-window backtest. */
    oos_sharpe: maybeNumber,
    oos_return: maybeNumber,
    oos_max_drawdown: maybeNumber,
    oos_trades: maybeNumber,
    null_reasons: nullReasons,
  }),
  training: trainingSummarySchema.nullable(),
  selection_metrics: backtestMetricsSchema.nullable(),
  significance: passThrough,
  null_reasons: nullReasons,
});
export type SweepTrial = z.infer<typeof sweepTrialSchema>;

const window = z.object({ start: z.string().nullable(), end: z.string().nullable(), bars: z.number().int().min(0) });

export const sweepResultSchema = z.object({
  schema_version: z.literal(SWEEP_SCHEMA_VERSION),
  kind: z.literal('sweep'),
  strategy_name: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  objective: z.string(),
  objective_label: z.string(),
  direction: z.literal('maximize'),
  sampler: z.enum(['grid', 'random', 'tpe']),
  seed: z.number().int(),
  trials_requested: z.number().int().min(0),
  settings: z.object({ holdout: z.number(), selection: z.number(), embargo_bars: z.number().int().min(0), backtest: z.record(z.string(), z.unknown()) }),
  /** Training window → (embargo) → selection window → (embargo) → final holdout, in time order. */
  ranges: z.object({ train: window, selection: window, holdout: window }),
  trials: z.array(sweepTrialSchema),
  completed_trials: z.number().int().min(0),
  failed_trials: z.number().int().min(0),
  /** Completed trials with a defined objective: the ones the choice is made from. */
  rankable_trials: z.number().int().min(0),
  best_trial: z
    .object({
      trial: z.number().int().min(0),
      objective: z.number(),
      params: z.record(z.string(), paramValue).nullable(),
      model_path: z.string().nullable(),
      metrics: sweepTrialSchema.shape.metrics,
      training_operation_id: z.string().nullable(),
      backtest_operation_id: z.string().nullable(),
    })
    .nullable(),
  /** The chosen trial's one evaluation on the untouched final holdout (null: none, see null_reasons.final). */
  final: z
    .object({
      trial: z.number().int().min(0),
      status: childStatus,
      error: z.string().nullable(),
      backtest_operation_id: z.string().nullable(),
      backtest: backtestSummarySchema.nullable(),
    })
    .nullable(),
  importance: z.array(
    z.object({
      path: z.string(),
      spread: z.number(),
      groups: z.array(z.object({ label: z.string(), value: paramValue, range: z.tuple([z.number(), z.number()]).nullable(), trials: z.number().int(), mean_objective: z.number() })),
      points: z.array(z.object({ value: paramValue, objective: z.number(), trial: z.number().int() })),
    }),
  ),
  /** Over the trials' selection-window returns (per bar): how much the choice may be luck. */
  overfitting: z.object({
    trials_used: z.number().int().min(0),
    observations: z.number().int().min(0).nullable(),
    selected_trial: z.number().int().nullable(),
    deflated_sharpe: z
      .object({
        deflated_sharpe_ratio: maybeNumber,
        expected_max_sharpe: z.number(),
        sharpe: z.number(),
        observations: z.number().int(),
        trials: z.number().int(),
        sharpe_variance: z.number(),
        skewness: z.number(),
        kurtosis: z.number(),
        per_observation: z.literal(true),
      })
      .nullable(),
    pbo: z
      .object({
        pbo: maybeNumber,
        combinations: z.number().int(),
        combinations_used: z.number().int(),
        blocks: z.number().int(),
        trials: z.number().int(),
        observations_used: z.number().int(),
        logits: z.array(z.number()).nullable(),
      })
      .nullable(),
    null_reasons: nullReasons,
  }),
  warnings: z.array(experimentWarningSchema),
  null_reasons: nullReasons,
});
export type SweepResult = z.infer<typeof sweepResultSchema>;
