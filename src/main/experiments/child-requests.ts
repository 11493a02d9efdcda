// Child operations of experiments, with exactly the params and metadata the REST routes give the
// same jobs (POST /trainings/start, POST /backtests/start), so a child is an ordinary run.
import { backtestSummarySchema, costBreakdownSchema, trainingSummarySchema, type BacktestMetricsSummary, type BacktestSummary, type TrainingSummary } from '../../shared/results/experiment-parts';
import { defined, undefinedBecause, withNullReasons, type Defined } from '../../shared/results/common';
import { splitReportSchema } from '../../shared/results/splits';
import type { ExperimentPortfolioBody } from '../../shared/portfolio';
import type { ChildRequest } from './types';

export interface TrainingChild {
  slot: string;
  strategyName: string;
  strategyPath: string;
  strategyYaml: string;
  symbols: string[];
  timeframes: string[];
  start: string;
  end: string;
  role: string;
  extra?: Record<string, unknown>;
}

export function trainingRequest(c: TrainingChild): ChildRequest {
  return {
    slot: c.slot,
    type: 'training',
    params: { strategy_name: c.strategyName, strategy_path: c.strategyPath, strategy_yaml: c.strategyYaml, symbols: c.symbols, timeframes: c.timeframes, start_date: c.start, end_date: c.end },
    metadata: {
      symbol: c.symbols.join(','),
      timeframe: c.timeframes.join(','),
      start_date: c.start,
      end_date: c.end,
      strategy_name: c.strategyName,
      experiment_role: c.role,
      ...c.extra,
      parameters: { strategy_name: c.strategyName, strategy_path: c.strategyPath, symbols: c.symbols, timeframes: c.timeframes },
    },
  };
}

/**
 * What a child backtest is given besides model and window: exactly the fields POST /backtests/start
 * passes to the same job, so costs resolve the same way (instrument → strategy `costs:` → legacy
 * fractions, only when the request gave them → request `costs`). Nothing here has a default of its own.
 */
export interface BacktestSettings {
  initial_capital: number;
  position_size: number;
  commission: number | null;
  slippage: number | null;
  costs: Record<string, unknown> | null;
  /** Backtest a portfolio of these legs (POST /backtests/portfolio/start's fields) instead of one symbol. */
  portfolio: ExperimentPortfolioBody | null;
}

/** The settings from an experiment request's `backtest` section (as stored in the parent's parameters: a portfolio's legs resolved). */
export function backtestSettings(b: {
  initial_capital: number;
  position_size: number;
  commission?: number | null;
  slippage?: number | null;
  costs?: Record<string, unknown> | null;
  portfolio?: ExperimentPortfolioBody | null;
}): BacktestSettings {
  return { initial_capital: b.initial_capital, position_size: b.position_size, commission: b.commission ?? null, slippage: b.slippage ?? null, costs: b.costs ?? null, portfolio: b.portfolio ?? null };
}

export interface BacktestChild {
  slot: string;
  strategyName: string;
  strategyPath: string;
  symbol: string;
  timeframe: string;
  start: string;
  end: string;
  modelPath: string;
  settings: BacktestSettings;
  /** The window overlaps the model's training data on purpose (an in-sample backtest). */
  inSample?: boolean;
  role: string;
  extra?: Record<string, unknown>;
}

export function backtestRequest(c: BacktestChild): ChildRequest {
  if (c.settings.portfolio) return portfolioBacktestRequest(c, c.settings.portfolio);
  const { portfolio: _none, ...settings } = c.settings;
  const params = {
    strategy_name: c.strategyName,
    symbol: c.symbol,
    timeframe: c.timeframe,
    start_date: c.start,
    end_date: c.end,
    model_path: c.modelPath,
    ...settings,
    ...(c.inSample ? { allow_in_sample: true } : {}),
    strategy_path: c.strategyPath,
  };
  return {
    slot: c.slot,
    type: 'backtesting',
    params,
    metadata: { symbol: c.symbol, timeframe: c.timeframe, start_date: c.start, end_date: c.end, strategy_name: c.strategyName, experiment_role: c.role, ...c.extra, parameters: params },
  };
}

/**
 * A fold's or trial's backtest as a portfolio: exactly the params POST /backtests/portfolio/start gives
 * the same job (the model for every leg, the request's capital and costs, the portfolio's sizing, cap
 * and rebalancing), so the child is an ordinary portfolio backtest. Its result is the contract's
 * portfolio variant; its metrics, costs, benchmark, significance and equity.json have the single
 * backtest's fields, so folds, trials, stitching and DSR/PBO read them unchanged.
 */
function portfolioBacktestRequest(c: BacktestChild, pf: ExperimentPortfolioBody): ChildRequest {
  const symbols = pf.symbols ?? c.symbol.split(',');
  const params = {
    strategy_name: c.strategyName,
    symbols,
    timeframe: c.timeframe,
    start_date: c.start,
    end_date: c.end,
    model_path: c.modelPath,
    model_paths: Object.fromEntries(symbols.map((s) => [s, c.modelPath])),
    initial_capital: c.settings.initial_capital,
    commission: c.settings.commission,
    slippage: c.settings.slippage,
    costs: c.settings.costs,
    sizing: pf.sizing,
    max_gross_exposure: pf.max_gross_exposure,
    rebalance: pf.rebalance ?? null,
    min_rebalance_fraction: pf.min_rebalance_fraction,
    allow_in_sample: c.inSample === true,
    price_adjustment: 'auto',
    portfolio: true,
    strategy_path: c.strategyPath,
  };
  const joined = symbols.join(',');
  return {
    slot: c.slot,
    type: 'backtesting',
    params,
    metadata: { symbol: joined, timeframe: c.timeframe, start_date: c.start, end_date: c.end, strategy_name: c.strategyName, experiment_role: c.role, ...c.extra, parameters: params },
  };
}

// ---- What an experiment keeps of its children's results ---------------------------------------------
// The one seam where experiments read child results (the result contract's readers replace the
// untyped access here). Undefined numbers become null with a reason; a legacy placeholder (KTRDR's
// 999999 for an unbounded ratio, a Sharpe of 0 without trades) never reaches a ranking.

type Loose = Record<string, any>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A number, or null with why. */
const valueOr = (v: number | null, why: string): Defined<number> => (v === null ? undefinedBecause(why) : defined(v));

/** What an experiment keeps of a training child's results (TrainingSummary). */
export function extractTraining(r: Loose): TrainingSummary {
  const tm: Loose = r.training_metrics ?? {};
  const splits = splitReportSchema.safeParse(r.data_summary?.splits);
  const report = splits.success ? splits.data : null;
  const reasons: Loose = { ...(tm.null_reasons ?? {}), ...(r.test_metrics?.null_reasons ?? {}) };
  const validationWhy = report && report.rows.validation === 0 ? `the validation split is empty${report.embargoed.validation ? ` (${report.embargoed.validation} rows embargoed)` : ''}` : 'no validation split';
  const testWhy = report && report.rows.test === 0 ? 'the test split is empty' : r.test_metrics === null ? 'no test split (data_split.test = 0)' : 'not reported by the training';
  const metrics = withNullReasons({
    epochs_trained: valueOr(num(tm.epochs_trained), reasons.epochs_trained ?? 'not reported by the training'),
    train_accuracy: valueOr(num(tm.final_train_accuracy), reasons.final_train_accuracy ?? 'not reported by the training'),
    train_loss: valueOr(num(tm.final_train_loss), reasons.final_train_loss ?? 'not reported by the training'),
    val_accuracy: valueOr(num(tm.best_val_accuracy), reasons.best_val_accuracy ?? validationWhy),
    val_loss: valueOr(num(tm.best_val_loss), reasons.best_val_loss ?? validationWhy),
    test_accuracy: valueOr(num(r.test_metrics?.test_accuracy), reasons.test_accuracy ?? testWhy),
  });
  return {
    model_path: typeof r.model_path === 'string' ? r.model_path : null,
    ...metrics,
    // The training result carries the test split's verdict at the top (results.beats_baseline).
    beats_baseline: typeof r.beats_baseline === 'boolean' ? r.beats_baseline : null,
    splits: report,
    warnings: report ? report.warnings.map((w) => w.message) : [],
  };
}

/** A backtest metric, or null with the reason when it is undefined or a placeholder. */
function backtestMetric(m: Loose, key: string, trades: number | null): Defined<number> {
  const given = m.null_reasons?.[key];
  const v = num(m[key]);
  if (v === null) return undefinedBecause(typeof given === 'string' ? given : 'not reported by the backtest');
  if (Math.abs(v) >= 999_999) return undefinedBecause(key === 'profit_factor' ? 'no losing trades: the profit factor is unbounded' : 'unbounded (a placeholder, not a value)');
  const needsTrades = key === 'sharpe_ratio' || key === 'sortino_ratio' || key === 'calmar_ratio' || key === 'profit_factor' || key === 'win_rate';
  if (needsTrades && trades === 0) return undefinedBecause('no trades');
  if (key === 'calmar_ratio' && num(m.max_drawdown_pct) === 0) return undefinedBecause('no drawdown: the Calmar ratio is unbounded');
  return defined(v);
}

const BACKTEST_KEYS = ['total_return_pct', 'annualized_return', 'sharpe_ratio', 'sortino_ratio', 'calmar_ratio', 'max_drawdown_pct', 'total_trades', 'win_rate', 'profit_factor', 'exposure'] as const;

export function backtestMetrics(m: Loose | null | undefined): BacktestMetricsSummary {
  const src = m ?? {};
  const trades = num(src.total_trades);
  return withNullReasons(Object.fromEntries(BACKTEST_KEYS.map((k) => [k, backtestMetric(src, k, trades)])) as Record<(typeof BACKTEST_KEYS)[number], Defined<number>>);
}

/** What an experiment keeps of a backtest child's results (BacktestSummary). */
export function extractBacktest(r: Loose): BacktestSummary {
  const costs = costBreakdownSchema.safeParse(r.costs);
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  return {
    metrics: backtestMetrics(r.metrics),
    costs: costs.success ? costs.data : null,
    benchmark: obj(r.benchmark),
    significance: obj(r.significance),
    out_of_sample: typeof r.out_of_sample === 'boolean' ? r.out_of_sample : null,
    start_time: typeof r.start_time === 'string' ? r.start_time : null,
    end_time: typeof r.end_time === 'string' ? r.end_time : null,
    initial_capital: num(r.config?.initial_capital),
    model_path: typeof r.model_path === 'string' ? r.model_path : null,
  };
}

/**
 * A training slot's stored data as a TrainingSummary. Slots written before the result contract (an
 * experiment resumed across an upgrade) hold the older, flatter shape: read what it has.
 */
export function readTrainingSlot(data: unknown): TrainingSummary {
  const ok = trainingSummarySchema.safeParse(data);
  if (ok.success) return ok.data;
  const d = (data ?? {}) as Loose;
  return extractTraining({
    model_path: d.model_path,
    beats_baseline: d.beats_baseline,
    training_metrics: { epochs_trained: d.epochs_trained, final_train_accuracy: d.train_accuracy, final_train_loss: d.train_loss, best_val_accuracy: d.val_accuracy, best_val_loss: d.val_loss },
    test_metrics: { test_accuracy: d.test_accuracy },
  });
}

/** A backtest slot's stored data as a BacktestSummary (older slots: raw metrics, re-read). */
export function readBacktestSlot(data: unknown): BacktestSummary {
  const ok = backtestSummarySchema.safeParse(data);
  if (ok.success) return ok.data;
  const d = (data ?? {}) as Loose;
  return extractBacktest({ ...d, config: { initial_capital: d.initial_capital } });
}
