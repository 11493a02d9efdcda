// Building blocks of the walk-forward and sweep results (walk-forward.ts, sweep.ts): what an
// experiment keeps of its children's results. Every number that cannot be computed is null with a
// reason in the enclosing object's `null_reasons` (common.ts). Pure: zod only.
import { z } from 'zod';
import { maybeNumber, nullReasons } from './common';
import { splitReportSchema } from './splits';

export const childStatus = z.enum(['pending', 'queued', 'training', 'backtesting', 'completed', 'failed', 'cancelled', 'skipped']);
export type ChildStatus = z.infer<typeof childStatus>;

/** What an experiment keeps of a training child (src/main/experiments/child-requests.ts extractTraining). */
export const trainingSummarySchema = z.object({
  model_path: z.string().nullable(),
  epochs_trained: maybeNumber,
  train_accuracy: maybeNumber,
  train_loss: maybeNumber,
  /** Validation accuracy at the best epoch (the saved model). */
  val_accuracy: maybeNumber,
  val_loss: maybeNumber,
  test_accuracy: maybeNumber,
  /** The test split's verdict against the best constant predictor. */
  beats_baseline: z.boolean().nullable(),
  splits: splitReportSchema.nullable(),
  /** Degenerate-split warnings of this run (empty, tiny, one-class), with their cause. */
  warnings: z.array(z.string()),
  null_reasons: nullReasons,
});
export type TrainingSummary = z.infer<typeof trainingSummarySchema>;

/** The backtest metrics an experiment ranks and shows (names as in the backtest's results.metrics). */
export const backtestMetricsSchema = z.object({
  total_return_pct: maybeNumber,
  annualized_return: maybeNumber,
  sharpe_ratio: maybeNumber,
  sortino_ratio: maybeNumber,
  calmar_ratio: maybeNumber,
  max_drawdown_pct: maybeNumber,
  total_trades: maybeNumber,
  win_rate: maybeNumber,
  profit_factor: maybeNumber,
  exposure: maybeNumber,
  null_reasons: nullReasons,
});
export type BacktestMetricsSummary = z.infer<typeof backtestMetricsSchema>;

/** What trading cost a backtest (the backtest's results.costs), in the instrument's currency. */
export const costBreakdownSchema = z.object({
  gross_pnl: z.number(),
  commission: z.number(),
  spread_cost: z.number(),
  slippage_cost: z.number(),
  net_pnl: z.number(),
  currency: z.string(),
  /** Which layers set the costs, e.g. "fx:EURUSD", "fx:EURUSD+strategy", "…+legacy_fraction", "…+request". */
  model: z.string(),
});
export type CostBreakdownSummary = z.infer<typeof costBreakdownSchema>;

/** Blocks owned by the backtest result contract, carried as they are (benchmark, significance). */
export const passThrough = z.record(z.string(), z.unknown()).nullable();

/** What an experiment keeps of a backtest child (child-requests.ts extractBacktest). */
export const backtestSummarySchema = z.object({
  metrics: backtestMetricsSchema,
  costs: costBreakdownSchema.nullable(),
  benchmark: passThrough,
  significance: passThrough,
  out_of_sample: z.boolean().nullable(),
  start_time: z.string().nullable(),
  end_time: z.string().nullable(),
  initial_capital: maybeNumber,
  model_path: z.string().nullable(),
});
export type BacktestSummary = z.infer<typeof backtestSummarySchema>;

/** A warning a child raised, lifted to its experiment ("fold 3", "trial 12", "final"). */
export const experimentWarningSchema = z.object({ source: z.string(), message: z.string() });
export type ExperimentWarning = z.infer<typeof experimentWarningSchema>;

/** A reader meeting results it cannot parse says so (an older version, or a broken file), never guesses. */
export function describeSchemaProblem(kind: string, error: z.ZodError, version: unknown): string {
  if (version === undefined) return `These ${kind} results were written by an older version (no schema_version): rerun the experiment to see them here`;
  const first = error.issues[0];
  return `These ${kind} results do not match schema version ${String(version)}: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`;
}
