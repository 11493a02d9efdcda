// Child operations of experiments, with exactly the params and metadata the REST routes give the
// same jobs (POST /trainings/start, POST /backtests/start), so a child is an ordinary run.
import type { z } from 'zod';
import { parseBacktestResult, type BacktestMetrics, type BacktestResult } from '../../shared/results/backtest';
import type { NullReasons } from '../../shared/results/common';
import { backtestSummarySchema, EXPERIMENT_BACKTEST_KEYS, trainingSummarySchema, type BacktestMetricsSummary, type BacktestSummary, type TrainingSummary } from '../../shared/results/experiment-parts';
import { isPortfolioResult, parsePortfolioResult, type PortfolioResult } from '../../shared/results/portfolio';
import { parseTrainingResult, type TrainingResult } from '../../shared/results/training';
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
// The one seam where experiments read child results, and only through the result contract: the
// caller parses the child's stored result with parseTrainingResult / parseBacktestResult (a result
// that does not match fails that slot with the contract's message, never a guessed value), and these
// keep parts of the typed result. Undefined numbers are already null with their reason there (older
// results' placeholders were turned into null on parse), so no placeholder can reach a ranking.

/** What an experiment keeps of a training child's results (TrainingSummary). */
export function extractTraining(r: TrainingResult): TrainingSummary {
  const tm = r.training_metrics;
  const report = r.data_summary.splits ?? null;
  const validationWhy = report && report.rows.validation === 0 ? `the validation split is empty${report.embargoed.validation ? ` (${report.embargoed.validation} rows embargoed)` : ''}` : 'no validation split';
  const reasons: NullReasons = {};
  const keep = <T>(field: string, v: T | null, why: string | undefined): T | null => {
    if (v === null) reasons[field] = why ?? 'not reported by the training';
    return v;
  };
  return {
    model_path: r.model_path,
    epochs_trained: tm.epochs_trained,
    train_accuracy: tm.final_train_accuracy,
    train_loss: tm.final_train_loss,
    // A null validation metric of the training carries its own reason; the split report says it better when the split is empty.
    val_accuracy: keep('val_accuracy', tm.best_val_accuracy, report?.rows.validation === 0 ? validationWhy : (tm.null_reasons.best_val_accuracy ?? validationWhy)),
    val_loss: keep('val_loss', tm.best_val_loss, report?.rows.validation === 0 ? validationWhy : (tm.null_reasons.best_val_loss ?? validationWhy)),
    test_accuracy: keep('test_accuracy', r.test_metrics?.test_accuracy ?? null, report?.rows.test === 0 ? 'the test split is empty' : (r.null_reasons.test_metrics ?? 'no test split')),
    // The training result carries the test split's verdict at the top (results.beats_baseline).
    beats_baseline: keep('beats_baseline', r.beats_baseline, r.null_reasons.beats_baseline),
    splits: keep('splits', report, 'not recorded by the version that trained this model'),
    warnings: report ? report.warnings.map((w) => w.message) : [],
    null_reasons: reasons,
  };
}

/** The metrics an experiment keeps of a backtest (a pick of results.metrics, with their reasons). */
export function backtestMetrics(m: BacktestMetrics): BacktestMetricsSummary {
  const picked = Object.fromEntries(EXPERIMENT_BACKTEST_KEYS.map((k) => [k, m[k]])) as Omit<BacktestMetricsSummary, 'null_reasons'>;
  const reasons = Object.fromEntries(EXPERIMENT_BACKTEST_KEYS.filter((k) => m.null_reasons[k] !== undefined).map((k) => [k, m.null_reasons[k]]));
  return { ...picked, null_reasons: reasons };
}

const BLOCK_REASONS = ['costs', 'benchmark', 'significance', 'out_of_sample'] as const;

/**
 * What an experiment keeps of a backtest child's results (BacktestSummary). A portfolio child's result
 * (the contract's portfolio variant) has the same metrics, costs, significance and range fields; its
 * benchmark holds the legs' quantities.
 */
export function extractBacktest(r: BacktestResult | PortfolioResult): BacktestSummary {
  return {
    metrics: backtestMetrics(r.metrics),
    costs: r.costs,
    benchmark: r.benchmark,
    significance: r.significance,
    out_of_sample: r.out_of_sample,
    start_time: r.start_time,
    end_time: r.end_time,
    initial_capital: r.config.initial_capital,
    model_path: r.model_path,
    null_reasons: {
      ...Object.fromEntries(BLOCK_REASONS.filter((k) => r[k] === null).map((k) => [k, r.null_reasons[k] ?? 'not recorded by the backtest'])),
      ...(r.model_path === null ? { model_path: 'the legs used different models (see the backtest’s model_paths)' } : {}),
    },
  };
}

/**
 * What a slot keeps of its finished child: the child's stored result parsed with its contract
 * (`…/train` slots hold trainings, the others backtests: single-symbol or portfolio), then summarised. A result that does not
 * match its contract throws a ResultContractError naming the fields; the scheduler fails that slot
 * with it.
 */
export function extractSlot(slot: string, raw: unknown): TrainingSummary | BacktestSummary {
  if (slot.endsWith('/train')) return extractTraining(parseTrainingResult(raw));
  return extractBacktest(isPortfolioResult(raw) ? parsePortfolioResult(raw) : parseBacktestResult(raw));
}

/** A training slot's stored data as a TrainingSummary (what extractTraining wrote), or an error that says why not. */
export function readTrainingSlot(data: unknown): TrainingSummary {
  return readSlot('training', trainingSummarySchema, data);
}

/** A backtest slot's stored data as a BacktestSummary (what extractBacktest wrote), or an error that says why not. */
export function readBacktestSlot(data: unknown): BacktestSummary {
  return readSlot('backtest', backtestSummarySchema, data);
}

/**
 * Slots hold what this version's extract functions wrote. A slot written by an older version (an
 * experiment resumed across an upgrade) is refused with that said, never guessed: retrying the
 * experiment reruns its children.
 */
function readSlot<S extends z.ZodType>(kind: string, schema: S, data: unknown): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  throw new Error(`A ${kind} step of this experiment was recorded by an older version (${first ? `${first.path.map(String).join('.') || '(root)'}: ${first.message}` : 'unreadable'}): retry the experiment to rerun it`);
}
