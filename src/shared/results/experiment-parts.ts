// Building blocks of the walk-forward and sweep results (walk-forward.ts, sweep.ts): what an
// experiment keeps of its children's results. Every piece is taken from the child's own contract
// (backtest.ts, training.ts) by pick or by reusing its field schemas, so a field renamed there breaks
// the experiment schemas and src/main/experiments/child-requests.ts at compile time, not a reader.
// Every number that cannot be computed is null with a reason in the enclosing object's
// `null_reasons` (common.ts). Pure: zod only.
import { z } from 'zod';
import { backtestConfigSchema, backtestMetricsObject, backtestResultSchema, benchmarkSchema, costBreakdownSchema, significanceSchema } from './backtest';
import { everyNullExplained, nullReasons } from './common';
import { portfolioBenchmarkSchema } from './portfolio';
import { splitReportSchema } from './splits';
import { testMetricsSchema, trainingMetricsSchema, trainingResultSchema } from './training';

export const childStatus = z.enum(['pending', 'queued', 'training', 'backtesting', 'completed', 'failed', 'cancelled', 'skipped']);
export type ChildStatus = z.infer<typeof childStatus>;

const training = trainingMetricsSchema.shape;

/**
 * What an experiment keeps of a training child (src/main/experiments/child-requests.ts extractTraining):
 * renamed for the experiment tables, each field typed by the training contract's own field.
 */
export const trainingSummarySchema = z
  .object({
    model_path: trainingResultSchema.shape.model_path,
    epochs_trained: training.epochs_trained,
    /** training_metrics.final_train_accuracy */
    train_accuracy: training.final_train_accuracy,
    /** training_metrics.final_train_loss */
    train_loss: training.final_train_loss,
    /** training_metrics.best_val_accuracy: validation accuracy at the best epoch (the saved model). */
    val_accuracy: training.best_val_accuracy,
    /** training_metrics.best_val_loss */
    val_loss: training.best_val_loss,
    /** test_metrics.test_accuracy; null without a test split. */
    test_accuracy: testMetricsSchema.shape.test_accuracy.nullable(),
    /** The test split's verdict against the best constant predictor (results.beats_baseline). */
    beats_baseline: trainingResultSchema.shape.beats_baseline,
    /** data_summary.splits; null in results older than split reporting. */
    splits: splitReportSchema.nullable(),
    /** Degenerate-split warnings of this run (empty, tiny, one-class), with their cause. */
    warnings: z.array(z.string()),
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type TrainingSummary = z.output<typeof trainingSummarySchema>;

/** The backtest metrics an experiment ranks and shows: a pick of the backtest's results.metrics. */
export const EXPERIMENT_BACKTEST_KEYS = ['total_return_pct', 'annualized_return', 'sharpe_ratio', 'sortino_ratio', 'calmar_ratio', 'max_drawdown_pct', 'total_trades', 'win_rate', 'profit_factor', 'exposure'] as const;
export type ExperimentBacktestKey = (typeof EXPERIMENT_BACKTEST_KEYS)[number];

export const backtestMetricsSummarySchema = backtestMetricsObject
  .pick({
    total_return_pct: true,
    annualized_return: true,
    sharpe_ratio: true,
    sortino_ratio: true,
    calmar_ratio: true,
    max_drawdown_pct: true,
    total_trades: true,
    win_rate: true,
    profit_factor: true,
    exposure: true,
    null_reasons: true,
  } satisfies Record<ExperimentBacktestKey | 'null_reasons', true>)
  .superRefine(everyNullExplained);
export type BacktestMetricsSummary = z.output<typeof backtestMetricsSummarySchema>;

const backtest = backtestResultSchema.shape;

/** A child backtest's benchmark block: a single backtest's, or a portfolio's (per-leg quantities). */
export const experimentBenchmarkSchema = z.union([benchmarkSchema, portfolioBenchmarkSchema]);

/** What an experiment keeps of a backtest child (child-requests.ts extractBacktest): parts of its BacktestResult. */
export const backtestSummarySchema = z
  .object({
    metrics: backtestMetricsSummarySchema,
    costs: costBreakdownSchema.nullable(),
    /** A single backtest's buy & hold benchmarks, or a portfolio's (equal-weight legs, with their quantities). */
    benchmark: experimentBenchmarkSchema.nullable(),
    significance: significanceSchema.nullable(),
    out_of_sample: backtest.out_of_sample,
    start_time: backtest.start_time,
    end_time: backtest.end_time,
    initial_capital: backtestConfigSchema.shape.initial_capital,
    /** The model the backtest ran (null: a portfolio whose legs used different models). */
    model_path: backtest.model_path.nullable(),
    /** The backtest's own reasons for its null blocks (costs, benchmark, significance, out_of_sample). */
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type BacktestSummary = z.output<typeof backtestSummarySchema>;

/** Costs added up over several backtests (a walk-forward's folds): the cost breakdown without its model. */
export const costTotalSchema = costBreakdownSchema.omit({ model: true }).extend({ folds: z.number().int().min(0) });

/** A warning a child raised, lifted to its experiment ("fold 3", "trial 12", "final"). */
export const experimentWarningSchema = z.object({ source: z.string(), message: z.string() });
export type ExperimentWarning = z.infer<typeof experimentWarningSchema>;
