// What a reader shows of a result: sections of metric rows, each cell with its value, its text (from
// the metric catalogue: label, unit, precision, currency) and, when the value is null, the reason.
// The CLI, the renderer, the MCP server and the HTML report all print these rows, so one result
// reads the same everywhere (test/unit/results/cross-reader.test.ts). Every result kind has a
// presenter in PRESENTERS (a kind without one is a type error); experiments: present-experiments.ts.
import type { MetricUnit } from '../metrics-catalog';
import type { BacktestResult, HoldBenchmarkResult } from './backtest';
import type { ContractType, ResultOf, TypedResult } from './index';
import { presentSweep, presentWalkForward } from './present-experiments';
import { at, row, type MetricCell, type ResultSection, type Source } from './present-rows';
import type { SplitBaselineResult, TrainingResult } from './training';

export type { MetricCell, MetricRow, ResultSection } from './present-rows';

// ── backtest ──

export const PERFORMANCE_KEYS = ['total_return', 'total_return_pct', 'annualized_return', 'volatility', 'sharpe_ratio', 'sortino_ratio', 'calmar_ratio', 'max_drawdown', 'max_drawdown_pct', 'recovery_factor', 'final_equity', 'exposure'] as const;
export const TRADE_KEYS = ['total_trades', 'winning_trades', 'losing_trades', 'win_rate', 'profit_factor', 'avg_win', 'avg_loss', 'largest_win', 'largest_loss', 'avg_holding_period_hours', 'avg_holding_period_bars', 'avg_win_holding_period', 'avg_loss_holding_period'] as const;
export const BENCHMARK_ROWS = ['capital_invested', 'total_return_pct', 'total_return', 'annualized_return', 'volatility', 'sharpe_ratio', 'max_drawdown_pct', 'final_equity'] as const;
export const COST_KEYS = ['gross_pnl', 'commission', 'spread_cost', 'slippage_cost', 'net_pnl'] as const;
export const SIGNIFICANCE_KEYS = ['random_runs', 'return_percentile', 'p_value_return', 'sharpe_percentile', 'p_value_sharpe', 'random_return_p5', 'random_return_p50', 'random_return_p95'] as const;

/** The account currency of a backtest: what its money amounts are in. */
export function backtestCurrency(r: BacktestResult): string {
  return r.costs?.currency ?? r.config.costs.currency;
}

function benchmarkSource(b: HoldBenchmarkResult | null, base: string, key: string, missing: string | null): Source {
  const field = key === 'capital_invested' ? 'exposure' : key;
  return at(b, `${base}.${field}`, field, missing);
}

export function presentBacktest(r: BacktestResult): ResultSection[] {
  const cur = backtestCurrency(r);
  const m = r.metrics;
  const reasons = r.null_reasons;
  const bench = r.benchmark;
  const benchMissing = bench ? null : (reasons.benchmark ?? null);
  const sig = r.significance;
  const sigMissing = sig ? null : (reasons.significance ?? null);
  const top = r as unknown as Record<string, unknown>;
  const sections: ResultSection[] = [
    { id: 'performance', title: 'Performance', columns: [], rows: PERFORMANCE_KEYS.map((k) => row(k, [at(m, `metrics.${k}`)], cur)) },
    { id: 'trades', title: 'Trades', columns: [], rows: TRADE_KEYS.map((k) => row(k, [at(m, `metrics.${k}`)], cur)) },
    {
      id: 'benchmark',
      title: 'Against buy & hold (same costs)',
      columns: ['Strategy', 'Buy & hold', 'B&H at same exposure'],
      rows: BENCHMARK_ROWS.map((k) =>
        row(
          k,
          [
            // The strategy's own "equity invested" is what the exposure-matched benchmark matches.
            k === 'capital_invested' ? benchmarkSource(bench?.exposure_matched ?? null, 'benchmark.exposure_matched', k, benchMissing) : at(m, `metrics.${k}`),
            benchmarkSource(bench?.buy_and_hold ?? null, 'benchmark.buy_and_hold', k, benchMissing),
            benchmarkSource(bench?.exposure_matched ?? null, 'benchmark.exposure_matched', k, benchMissing),
          ],
          cur,
        ),
      ),
      note: 'Both benchmarks buy at the first close and sell at the last, paying the strategy’s spread, slippage and commission.',
    },
    {
      id: 'costs',
      title: `Costs (${cur}${r.costs ? `, ${r.costs.model}` : ''})`,
      columns: [],
      rows: COST_KEYS.map((k) => row(k, [at(r.costs, `costs.${k}`, k, reasons.costs ?? null)], cur)),
      note: 'Gross PnL − commission − spread − slippage = net PnL.',
    },
    {
      id: 'significance',
      title: 'Against random entries',
      columns: [],
      rows: [...SIGNIFICANCE_KEYS.map((k) => row(k, [at(sig, `significance.${k}`, k, sigMissing)], cur)), row('sharpe_ci95', [at(top, 'sharpe_ci95')], cur)],
    },
    {
      id: 'data',
      title: 'Data',
      columns: [],
      rows: [
        row('bars', [at(m, 'metrics.bars')], cur),
        row('warmup_bars', [at(r.effective_range, 'effective_range.warmup_bars', 'warmup_bars', reasons.effective_range ?? null)], cur),
        row('bars_per_year', [at(m, 'metrics.bars_per_year')], cur),
        row('years', [at(m, 'metrics.years')], cur),
        row('out_of_sample', [at(top, 'out_of_sample')], cur),
        row('in_sample_bars', [at(top, 'in_sample_bars')], cur),
        row('execution_time_seconds', [at(top, 'execution_time_seconds')], cur),
      ],
    },
    {
      id: 'settings',
      title: 'Settings',
      columns: [],
      rows: [
        row('initial_capital', [at(r.config, 'config.initial_capital')], cur),
        row('position_size', [at(r.config, 'config.position_size')], cur),
        row('commission_rate', [{ ...at(r.config, 'config.commission', 'commission'), missing: null }], cur),
        row('slippage', [at(r.config, 'config.slippage')], cur),
      ],
    },
  ];
  // Legacy cost fractions are null unless the request gave them: the instrument's model applies.
  for (const c of sections[sections.length - 1].rows.flatMap((x) => x.cells))
    if (c.value === null && (c.path === 'config.commission' || c.path === 'config.slippage')) c.reason = `the instrument’s cost model applies (${r.config.costs.model})`;
  return sections;
}

// ── training ──

export const TEST_KEYS = ['test_accuracy', 'test_loss', 'precision', 'recall', 'f1_score', 'macro_f1', 'samples'] as const;
export const TRAINING_KEYS = [
  'epochs_trained',
  'best_epoch',
  'early_stopped',
  'restored_best_weights',
  'training_time',
  'final_train_loss',
  'final_train_accuracy',
  'best_train_accuracy',
  'final_val_loss',
  'final_val_accuracy',
  'best_val_accuracy',
  'max_val_accuracy',
  'best_val_loss',
] as const;
export const BASELINE_ROWS = ['model_accuracy', 'best_constant_accuracy', 'balanced_accuracy', 'best_constant_balanced_accuracy', 'macro_f1', 'best_constant_macro_f1', 'p_value', 'beats'] as const;

function baselineSource(b: SplitBaselineResult | null, split: 'validation' | 'test', key: string, missing: string): Source {
  return at(b, `baseline.${split}.${key}`, key, missing);
}

export function presentTraining(r: TrainingResult): ResultSection[] {
  const testMissing = r.null_reasons.test_metrics ?? null;
  return [
    { id: 'test', title: 'Test split', columns: [], rows: TEST_KEYS.map((k) => row(k, [at(r.test_metrics, `test_metrics.${k}`, k, testMissing)], null)) },
    { id: 'training', title: 'Training', columns: [], rows: TRAINING_KEYS.map((k) => row(k, [at(r.training_metrics, `training_metrics.${k}`)], null)) },
    {
      id: 'baseline',
      title: 'Against the best constant predictor',
      columns: ['Validation', 'Test'],
      rows: BASELINE_ROWS.map((k) =>
        row(k === 'beats' ? 'beats_baseline' : k, [baselineSource(r.baseline.validation, 'validation', k, 'no validation split'), baselineSource(r.baseline.test, 'test', k, 'no test split')], null),
      ),
    },
  ];
}

const PRESENTERS: { [K in ContractType]: (r: ResultOf<K>) => ResultSection[] } = {
  backtesting: presentBacktest,
  training: presentTraining,
  walk_forward: presentWalkForward,
  sweep: presentSweep,
};

/** The sections any reader shows for a parsed result. */
export function presentResult(t: TypedResult): ResultSection[] {
  return (PRESENTERS[t.type] as (r: unknown) => ResultSection[])(t.result);
}

/** "—" plus the reason, for readers that print a cell on one line ("— (no trades)"). */
export function cellText(c: MetricCell): string {
  return c.reason ? `${c.text} (${c.reason})` : c.text;
}

/** One line per shown value, for readers that hand over data rather than tables (the MCP server). */
export interface FlatMetric {
  section: string;
  column: string | null;
  key: string;
  label: string;
  unit: MetricUnit;
  value: unknown;
  text: string;
  reason: string | null;
}

export function flattenSections(sections: readonly ResultSection[]): FlatMetric[] {
  return sections.flatMap((s) =>
    s.rows.flatMap((r) => r.cells.map((c, i) => ({ section: s.title, column: s.columns[i] ?? null, key: r.key, label: r.label, unit: r.unit, value: c.value, text: c.text, reason: c.reason }))),
  );
}
