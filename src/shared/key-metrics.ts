// The two or three numbers that tell a finished run's outcome at a glance (the Operations list's
// Result column, experiment children side by side), read from the operation's result_summary through
// the result contract's schemas (src/shared/results). Keys are metric-catalogue keys, so every reader
// labels, formats and explains them alike; a value that is undefined is null with the result's reason.
import { z } from 'zod';
import { BACKTEST_RESULT_VERSION, backtestMetricsSchema, parseBacktestResult, type BacktestMetrics } from './results/backtest';
import { nullReasons, reasonFor } from './results/common';
import { objectiveMetricKey } from './results/experiment-read';
import { sweepResultSchema } from './results/sweep';
import { testMetricsSchema, trainingMetricsSchema } from './results/training';
import { walkForwardResultSchema } from './results/walk-forward';

export const keyMetricSchema = z.object({
  /** Catalogue key: how the value is formatted and explained. */
  key: z.string(),
  value: z.number().nullable(),
  /** Why the value is null (from the result's null_reasons). */
  reason: z.string().optional(),
  /** A name of its own where the catalogue's would mislead (a sweep's best objective). */
  label: z.string().optional(),
});
export type KeyMetric = z.infer<typeof keyMetricSchema>;

const NOT_IN_RESULT = 'not in the result';

function metric(key: string, value: number | null | undefined, reason: string | null | undefined): KeyMetric {
  return value === null || value === undefined ? { key, value: null, reason: reason ?? NOT_IN_RESULT } : { key, value };
}

// The parts of each kind's result_summary that are read here. A training's summary is its result
// without the epoch history; an experiment's leaves out its trials/folds and curves.
const trainingSummary = z.looseObject({
  training_metrics: z.looseObject({ best_val_accuracy: trainingMetricsSchema.shape.best_val_accuracy.optional(), null_reasons: nullReasons.optional() }),
  test_metrics: z.looseObject({ test_accuracy: testMetricsSchema.shape.test_accuracy }).nullable(),
  null_reasons: nullReasons.optional(),
});
const backtestSummary = z.looseObject({ schema_version: z.literal(BACKTEST_RESULT_VERSION), metrics: backtestMetricsSchema });
// The experiment schemas carry object-level refinements (every null explained), which zod's .pick
// refuses; the fields read here are taken from their shapes (each keeps its own refinements).
const sweepShape = sweepResultSchema.shape;
const walkForwardShape = walkForwardResultSchema.shape;
const sweepSummary = z.object({ objective: sweepShape.objective, best_trial: sweepShape.best_trial, overfitting: sweepShape.overfitting, null_reasons: sweepShape.null_reasons });
const walkForwardSummary = z.object({ stitched_metrics: walkForwardShape.stitched_metrics, null_reasons: walkForwardShape.null_reasons });

/** The headline numbers of a finished operation; [] when its kind has none or its summary cannot be read. */
export function keyMetrics(type: string, summary: unknown): KeyMetric[] {
  if (summary === null || summary === undefined) return [];
  if (type === 'training') {
    const s = trainingSummary.safeParse(summary);
    if (!s.success) return [];
    const tm = s.data.training_metrics;
    return [metric('best_val_accuracy', tm.best_val_accuracy, reasonFor(tm, 'best_val_accuracy')), metric('test_accuracy', s.data.test_metrics?.test_accuracy, reasonFor(s.data, 'test_metrics'))];
  }
  if (type === 'backtesting') {
    // A backtest's summary is its whole result: its metrics are read with the contract's schema; a
    // result from before the contract goes through the contract's upgrade (placeholders → null).
    const current = backtestSummary.safeParse(summary);
    let m: BacktestMetrics;
    if (current.success) m = current.data.metrics;
    else {
      try {
        m = parseBacktestResult(summary).metrics;
      } catch {
        return [];
      }
    }
    return (['total_return_pct', 'sharpe_ratio', 'total_trades'] as const).map((k) => metric(k, m[k], reasonFor(m, k)));
  }
  if (type === 'sweep') {
    const s = sweepSummary.safeParse(summary);
    if (!s.success) return [];
    const { objective, best_trial: best, overfitting: o } = s.data;
    const chosen = { ...metric(objectiveMetricKey(objective), best?.objective, reasonFor(s.data, 'best_trial')), label: `best ${objective.replace(/_/g, ' ').replace(/^oos\b/, 'OOS')}` };
    return [chosen, metric('deflated_sharpe_ratio', o.deflated_sharpe?.deflated_sharpe_ratio, reasonFor(o, 'deflated_sharpe'))];
  }
  if (type === 'walk_forward') {
    const s = walkForwardSummary.safeParse(summary);
    if (!s.success) return [];
    // The stitched out-of-sample curve's return is a fraction (total_return there is not money).
    const m = s.data.stitched_metrics;
    if (!m) return [metric('total_return_pct', null, reasonFor(s.data, 'stitched_metrics')), metric('oos_sharpe', null, reasonFor(s.data, 'stitched_metrics'))];
    return [metric('total_return_pct', m.total_return, null), metric('oos_sharpe', m.sharpe_ratio, reasonFor(m, 'sharpe_ratio'))];
  }
  return [];
}
