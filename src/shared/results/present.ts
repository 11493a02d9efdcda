// What a reader shows of a result: sections of metric rows, each cell with its value, its text (from
// the metric catalogue: label, unit, precision, currency) and, when the value is null, the reason.
// The CLI, the renderer, the MCP server and the HTML report all print these rows, so one result
// reads the same everywhere (test/unit/results/cross-reader.test.ts). Every result kind has a
// presenter in PRESENTERS (a kind without one is a type error); experiments: present-experiments.ts.
import { formatMetric, type MetricUnit } from '../metrics-catalog';
import type { BacktestResult, HoldBenchmarkResult } from './backtest';
import type { ContractType, ResultOf, TypedResult } from './index';
import { presentSweep, presentWalkForward } from './present-experiments';
import type { PortfolioHoldResult, PortfolioResult } from './portfolio';
import { at, row, type MetricCell, type MetricRow, type ResultSection, type Source } from './present-rows';
import type { SplitBaselineResult, TrainingResult } from './training';

export type { MetricCell, MetricRow, ResultSection } from './present-rows';
export { rowId } from './present-rows';

// ── backtest ──

export const PERFORMANCE_KEYS = ['total_return', 'total_return_pct', 'annualized_return', 'volatility', 'sharpe_ratio', 'sortino_ratio', 'calmar_ratio', 'max_drawdown', 'max_drawdown_pct', 'recovery_factor', 'final_equity', 'exposure'] as const;
export const TRADE_KEYS = ['total_trades', 'winning_trades', 'losing_trades', 'win_rate', 'profit_factor', 'avg_win', 'avg_loss', 'largest_win', 'largest_loss', 'avg_holding_period_hours', 'avg_holding_period_bars', 'avg_win_holding_period', 'avg_loss_holding_period'] as const;
export const BENCHMARK_ROWS = ['capital_invested', 'total_return_pct', 'total_return', 'annualized_return', 'volatility', 'sharpe_ratio', 'max_drawdown_pct', 'final_equity'] as const;
export const COST_KEYS = ['gross_pnl', 'commission', 'spread_cost', 'slippage_cost', 'net_pnl'] as const;
export const SIGNIFICANCE_KEYS = ['random_runs', 'return_percentile', 'p_value_return', 'sharpe_percentile', 'p_value_sharpe', 'random_return_p5', 'random_return_p50', 'random_return_p95'] as const;

/** The account currency of a backtest or a portfolio: what its money amounts are in. */
export function backtestCurrency(r: BacktestResult | PortfolioResult): string {
  return r.costs?.currency ?? ('kind' in r ? r.config.account_currency : r.config.costs.currency);
}

function benchmarkSource(b: HoldBenchmarkResult | PortfolioHoldResult | null, base: string, key: string, missing: string | null): Source {
  const field = key === 'capital_invested' ? 'exposure' : key;
  return at(b, `${base}.${field}`, field, missing);
}

/**
 * The sections a single backtest and a portfolio share (the portfolio's metrics, benchmark, costs and
 * significance have the single backtest's fields): performance, trades, benchmark, costs, significance.
 */
function backtestCoreSections(r: BacktestResult | PortfolioResult, cur: string, benchmarkTitle: string, benchmarkNote: string): ResultSection[] {
  const m = r.metrics;
  const reasons = r.null_reasons;
  const bench = r.benchmark;
  const benchMissing = bench ? null : (reasons.benchmark ?? null);
  const sig = r.significance;
  const sigMissing = sig ? null : (reasons.significance ?? null);
  const top = r as unknown as Record<string, unknown>;
  return [
    { id: 'performance', title: 'Performance', columns: [], rows: PERFORMANCE_KEYS.map((k) => row(k, [at(m, `metrics.${k}`)], cur)) },
    { id: 'trades', title: 'Trades', columns: [], rows: TRADE_KEYS.map((k) => row(k, [at(m, `metrics.${k}`)], cur)) },
    {
      id: 'benchmark',
      title: benchmarkTitle,
      columns: [...BENCHMARK_COLUMNS],
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
      note: benchmarkNote,
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
  ];
}

/** The data rows after the bar counts: annualisation, the in-sample guard, run time. */
function dataTail(r: BacktestResult | PortfolioResult, cur: string): MetricRow[] {
  const top = r as unknown as Record<string, unknown>;
  return [
    row('bars_per_year', [at(r.metrics, 'metrics.bars_per_year')], cur),
    row('years', [at(r.metrics, 'metrics.years')], cur),
    row('out_of_sample', [at(top, 'out_of_sample')], cur),
    row('in_sample_bars', [at(top, 'in_sample_bars')], cur),
    row('execution_time_seconds', [at(top, 'execution_time_seconds')], cur),
  ];
}

/** The benchmark section's columns: the run, then the two buy & holds (no run is "better" than these). */
export const BENCHMARK_COLUMNS = ['Strategy', 'Buy & hold', 'B&H at same exposure'] as const;

export function presentBacktest(r: BacktestResult): ResultSection[] {
  const cur = backtestCurrency(r);
  const m = r.metrics;
  const reasons = r.null_reasons;
  const sections: ResultSection[] = [
    ...backtestCoreSections(r, cur, 'Against buy & hold (same costs)', 'Both benchmarks buy at the first close and sell at the last, paying the strategy’s spread, slippage and commission.'),
    {
      id: 'data',
      title: 'Data',
      columns: [],
      rows: [
        row('bars', [at(m, 'metrics.bars')], cur),
        row('warmup_bars', [at(r.effective_range, 'effective_range.warmup_bars', 'warmup_bars', reasons.effective_range ?? null)], cur),
        ...dataTail(r, cur),
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
  explainLegacyCosts(sections, `the instrument’s cost model applies (${r.config.costs.model})`);
  return sections;
}

/** Legacy cost fractions are null unless the request gave them: the instrument's model applies. */
function explainLegacyCosts(sections: ResultSection[], reason: string): void {
  for (const c of sections[sections.length - 1].rows.flatMap((x) => x.cells)) if (c.value === null && (c.path === 'config.commission' || c.path === 'config.slippage')) c.reason = reason;
}

// ── portfolio ──

/** One row per metric, one column per leg (drawn one row per leg: layout 'items'). */
export const LEG_ROWS = [
  'total_trades',
  'win_rate',
  'profit_factor',
  'gross_pnl',
  'commission',
  'spread_cost',
  'slippage_cost',
  'net_pnl',
  'contribution',
  'share_of_pnl',
  'capital_invested',
  'exposure',
  'rebalance_fills',
  'skipped_sizing',
  'skipped_gross_exposure',
  'skipped_too_small',
  'kelly_fraction',
  'out_of_sample',
  'in_sample_bars',
  'bars',
  'warmup_bars',
  'model_path',
] as const;

/** Where a leg row's value lives in the leg (catalogue key → field path inside legs[i]). */
const LEG_FIELD: Partial<Record<(typeof LEG_ROWS)[number], string>> = {
  gross_pnl: 'costs.gross_pnl',
  commission: 'costs.commission',
  spread_cost: 'costs.spread_cost',
  slippage_cost: 'costs.slippage_cost',
  net_pnl: 'costs.net_pnl',
  // The catalogue's "exposure" is time in market; a leg says so by name.
  exposure: 'time_in_market',
  skipped_sizing: 'skipped_entries.sizing',
  skipped_gross_exposure: 'skipped_entries.gross_exposure',
  skipped_too_small: 'skipped_entries.too_small',
};

/** "equal_weight", "volatility_target 10% a year over 60 bars", "kelly ½ × f*, cap 25%…": the rule in words. */
export function sizingText(s: PortfolioResult['config']['sizing']): string {
  const pct = (x: number) => formatMetric('contribution', x);
  switch (s.type) {
    case 'fixed_fraction':
      return `fixed fraction ${pct(s.fraction)} of equity`;
    case 'equal_weight':
      return 'equal weight (max gross exposure ÷ legs)';
    case 'volatility_target':
      return `volatility target ${pct(s.annual_volatility)} a year over ${s.lookback_bars} bars`;
    case 'kelly':
      return `Kelly ${s.fraction} × f*, cap ${pct(s.cap)}, ${pct(s.warmup_fraction)} until ${s.min_trades} trades, last ${s.lookback_trades} trades`;
  }
}

export function presentPortfolio(r: PortfolioResult): ResultSection[] {
  const cur = backtestCurrency(r);
  const m = r.metrics;
  const top = r as unknown as Record<string, unknown>;
  const core = backtestCoreSections(
    r,
    cur,
    'Against equal-weight buy & hold (same costs)',
    `Both benchmarks split the capital equally over the ${r.legs.length} legs, buy at each leg’s first close and sell at its last, paying each leg’s spread, slippage and commission.`,
  );
  core[0].rows.push(row('average_gross_exposure', [at(top, 'average_gross_exposure')], cur));
  const kelly = r.config.sizing.type === 'kelly';
  const legRows = LEG_ROWS.filter((k) => kelly || k !== 'kelly_fraction').map((k) => {
    const field = LEG_FIELD[k] ?? k;
    const dot = field.lastIndexOf('.');
    return row(
      k,
      r.legs.map((leg, i) => {
        const holder = (dot < 0 ? leg : (leg as unknown as Record<string, Record<string, unknown>>)[field.slice(0, dot)]) as object;
        return at(holder, `legs.${i}.${field}`, field.slice(dot + 1));
      }),
      cur,
    );
  });
  const symbols = r.legs.map((l) => l.symbol);
  const corr = r.correlation;
  const corrReason = (i: number, j: number) => corr.null_reasons[i <= j ? `${corr.symbols[i]}/${corr.symbols[j]}` : `${corr.symbols[j]}/${corr.symbols[i]}`] ?? null;
  const correlation: ResultSection = corr.matrix
    ? {
        id: 'correlation',
        title: 'Correlation of the legs',
        columns: corr.symbols,
        rows: corr.matrix.map((line, i) => ({
          ...row('correlation', line.map((v, j) => ({ obj: { v, null_reasons: v === null ? { v: corrReason(i, j) ?? '' } : {} }, field: 'v', path: `correlation.matrix.${i}.${j}` })), cur),
          id: `correlation.${corr.symbols[i]}`,
          label: corr.symbols[i],
        })),
        note: 'Pearson correlation of the legs’ per-step contributions (change of the leg’s value ÷ equity at the step before).',
      }
    : { id: 'correlation', title: 'Correlation of the legs', columns: [], rows: [row('correlation', [at(corr, 'correlation.matrix', 'matrix')], cur)] };
  const sections: ResultSection[] = [
    ...core.slice(0, 2),
    {
      id: 'legs',
      title: `Legs (${r.legs.length}, one cash account in ${cur})`,
      columns: symbols,
      layout: 'items',
      itemHeading: 'Leg',
      rows: legRows,
      note: 'Contribution: the leg’s net PnL ÷ initial capital (the legs add up to the total return). Avg equity invested: mean over the portfolio’s steps of |position value| ÷ equity.',
    },
    correlation,
    ...core.slice(2),
    {
      id: 'data',
      title: 'Data',
      columns: [],
      rows: [
        row('legs', [at({ legs: r.legs.length }, 'legs.length', 'legs')], cur),
        row('steps', [at(m, 'metrics.bars', 'bars')], cur),
        ...dataTail(r, cur),
      ],
    },
    {
      id: 'settings',
      title: 'Settings',
      columns: [],
      rows: [
        row('initial_capital', [at(r.config, 'config.initial_capital')], cur),
        row('sizing', [at({ sizing: sizingText(r.config.sizing) }, 'config.sizing', 'sizing')], cur),
        row('max_gross_exposure', [at(r.config, 'config.max_gross_exposure')], cur),
        row('rebalance', [at({ rebalance: r.config.rebalance ?? 'none' }, 'config.rebalance', 'rebalance')], cur),
        row('min_rebalance_fraction', [at(r.config, 'config.min_rebalance_fraction')], cur),
        row('commission_rate', [{ ...at(r.config, 'config.commission', 'commission'), missing: null }], cur),
        row('slippage', [at(r.config, 'config.slippage')], cur),
      ],
    },
  ];
  explainLegacyCosts(sections, 'each leg’s instrument cost model applies (config.legs[].costs)');
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
  portfolio: presentPortfolio,
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
