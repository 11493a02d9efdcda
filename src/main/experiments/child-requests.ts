// Child operations of experiments, with exactly the params and metadata the REST routes give the
// same jobs (POST /trainings/start, POST /backtests/start), so a child is an ordinary run.
import type { TrainingResult } from '../../shared/results/training';
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

export interface BacktestCosts {
  initial_capital: number;
  commission: number;
  slippage: number;
  position_size: number;
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
  costs: BacktestCosts;
  role: string;
  extra?: Record<string, unknown>;
}

export function backtestRequest(c: BacktestChild): ChildRequest {
  const params = {
    strategy_name: c.strategyName,
    symbol: c.symbol,
    timeframe: c.timeframe,
    start_date: c.start,
    end_date: c.end,
    model_path: c.modelPath,
    ...c.costs,
    strategy_path: c.strategyPath,
  };
  return {
    slot: c.slot,
    type: 'backtesting',
    params,
    metadata: { symbol: c.symbol, timeframe: c.timeframe, start_date: c.start, end_date: c.end, strategy_name: c.strategyName, experiment_role: c.role, ...c.extra, parameters: params },
  };
}

/** What an experiment keeps of a training child's results. */
export function extractTraining(r: Record<string, any>) {
  const tm = r.training_metrics ?? {};
  return {
    model_path: r.model_path ?? null,
    epochs_trained: tm.epochs_trained ?? null,
    train_accuracy: tm.final_train_accuracy ?? null,
    train_loss: tm.final_train_loss ?? null,
    val_accuracy: tm.best_val_accuracy ?? null,
    val_loss: tm.best_val_loss ?? null,
    test_accuracy: r.test_metrics?.test_accuracy ?? null,
    // Read through the contract's type: a field that is not in the training result is a compile error.
    beats_baseline: (r as Pick<TrainingResult, 'beats_baseline'>).beats_baseline ?? null,
  };
}

/** What an experiment keeps of a backtest child's results (significance passes through when present). */
export function extractBacktest(r: Record<string, any>) {
  return {
    metrics: r.metrics ?? {},
    benchmark: r.benchmark ?? null,
    significance: r.significance ?? null,
    out_of_sample: r.out_of_sample ?? null,
    trade_count: r.trade_count ?? null,
    start_time: r.start_time ?? null,
    end_time: r.end_time ?? null,
    initial_capital: r.config?.initial_capital ?? null,
    model_path: r.model_path ?? null,
  };
}
