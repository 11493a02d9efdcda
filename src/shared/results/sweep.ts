// The sweep result (operation_type sweep): written by src/main/experiments/sweep.ts (the scheduler
// validates it with `validateSweepResult` before storing or serving it), read by every reader through
// `parseOperationResult` (index.ts) and shown through `presentSweep` (present-experiments.ts).
//
// Protocol (docs/experiments.md): every trial trains on the training window and is backtested on the
// selection window; trials are ranked there (or on validation accuracy); only the chosen trial is
// backtested once on the final holdout, which no trial saw. DSR and PBO are computed over the trials'
// selection-window results. Conventions: common.ts (null + null_reasons).
//
// Versions:
//   2  child summaries taken from the backtest and training contracts (experiment-parts.ts); a trial
//      and the final evaluation say why a block is null; the deflated Sharpe takes V[SR] over the
//      trials whose Sharpe ratio is defined (`variance_trials`), never a flat trial's 0.
//   1  (and none) refused on read: "written by an older version", rerun the sweep.
import { z } from 'zod';
import { significanceSchema } from './backtest';
import { everyNullExplained, maybeNumber, nullReasons, nullsExplained, parseVersioned, validateProduced } from './common';
import { backtestMetricsSummarySchema, backtestSummarySchema, childStatus, experimentWarningSchema, trainingSummarySchema } from './experiment-parts';

export const SWEEP_RESULT_VERSION = 2 as const;

/** The trial's blocks that are null until (or unless) its children complete; each null one has its reason. */
export const TRIAL_BLOCKS = ['objective', 'training', 'selection_metrics', 'significance'] as const;

const paramValue = z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())]);

/** A trial's headline numbers (training and selection window), as the trials table shows them. */
export const trialMetricsSchema = z
  .object({
    val_accuracy: maybeNumber,
    test_accuracy: maybeNumber,
    train_accuracy: maybeNumber,
    /** Selection-window backtest. */
    oos_sharpe: maybeNumber,
    oos_return: maybeNumber,
    oos_max_drawdown: maybeNumber,
    oos_trades: maybeNumber,
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);

export const sweepTrialSchema = z
  .object({
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
    metrics: trialMetricsSchema,
    training: trainingSummarySchema.nullable(),
    selection_metrics: backtestMetricsSummarySchema.nullable(),
    /** The selection-window backtest against random entries. */
    significance: significanceSchema.nullable(),
    null_reasons: nullReasons,
  })
  .superRefine(nullsExplained(TRIAL_BLOCKS));
export type SweepTrial = z.output<typeof sweepTrialSchema>;

const window = z.object({ start: z.string().nullable(), end: z.string().nullable(), bars: z.number().int().min(0) });

export const sweepResultSchema = z
  .object({
    schema_version: z.literal(SWEEP_RESULT_VERSION),
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
        metrics: trialMetricsSchema,
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
        null_reasons: nullReasons,
      })
      .superRefine(nullsExplained(['backtest']))
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
    overfitting: z
      .object({
        trials_used: z.number().int().min(0),
        observations: z.number().int().min(0).nullable(),
        selected_trial: z.number().int().nullable(),
        deflated_sharpe: z
          .object({
            deflated_sharpe_ratio: maybeNumber,
            expected_max_sharpe: z.number(),
            sharpe: z.number(),
            observations: z.number().int(),
            /** N: every trial with a selection backtest (the trials tried). */
            trials: z.number().int(),
            /** Trials whose selection-window Sharpe ratio is defined (their returns vary): V[SR] is over these. */
            variance_trials: z.number().int(),
            sharpe_variance: z.number(),
            skewness: z.number(),
            kurtosis: z.number(),
            per_observation: z.literal(true),
            null_reasons: nullReasons,
          })
          .superRefine(everyNullExplained)
          .nullable(),
        pbo: z
          .object({
            pbo: maybeNumber,
            combinations: z.number().int(),
            combinations_used: z.number().int(),
            blocks: z.number().int(),
            trials: z.number().int(),
            observations_used: z.number().int(),
            /** Left out (null) above 200 combinations. */
            logits: z.array(z.number()).nullable(),
            null_reasons: nullReasons,
          })
          .superRefine(nullsExplained(['pbo']))
          .nullable(),
        null_reasons: nullReasons,
      })
      .superRefine(everyNullExplained),
    warnings: z.array(experimentWarningSchema),
    null_reasons: nullReasons,
  })
  .superRefine(nullsExplained(['best_trial', 'final']));
export type SweepResult = z.output<typeof sweepResultSchema>;

/** Reader side: version 2 as it is; older versions are refused with a message that says so. */
export function parseSweepResult(raw: unknown): SweepResult {
  return parseVersioned('sweep', sweepResultSchema, SWEEP_RESULT_VERSION, raw);
}

/** Producer side (the scheduler, before it stores or serves results): no undeclared field either. */
export function validateSweepResult(value: unknown): SweepResult {
  return validateProduced('sweep', sweepResultSchema, value);
}
