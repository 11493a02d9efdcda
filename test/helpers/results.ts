// Real results for reader tests: a backtest made by the worker's own code (runBacktestJob with a fake
// model over random bars, real engine, metrics, benchmarks and significance) and a training result
// in the contract's shape. Readers are tested on what the producer writes, not on hand-made partial
// objects.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BarSeries } from '../../src/core/bars/types';
import type { BacktestEquityDoc, BacktestResult } from '../../src/shared/results/backtest';
import { validateTrainingResult, type TrainingResult } from '../../src/shared/results/training';
import { ProgressBridge } from '../../src/worker/bridge';
import { backtestParams, runBacktestJob, type BacktestDeps } from '../../src/worker/jobs/backtest';
import { DAY, randomBars, randomProbabilities } from '../unit/backtest/helpers';

const N = 700;
const BARS: BarSeries = { symbol: 'EURUSD', timeframe: '1d', ...randomBars(N, 21, DAY, 1.1), volume: new Float64Array(N) };
function fakeDeps(home: string, trade: boolean, dataRange: { start: string | null; end: string | null } | null, seed = 22): BacktestDeps {
  const PROBS = randomProbabilities(N, seed);
  return {
    loadStrategy: () => ({ config: {}, decisions: { confidence_threshold: 0.4, filters: { min_signal_separation: 0 } }, timeframes: ['1d'], warmupBars: 10 }),
    resolveModel: (ref) => ({ dir: join(home, 'models', ref), model_path: `models/${ref.replace('_latest', '_v1')}` }),
    loadModel: async () => ({
      manifest: { features: ['f1'], normalization: null, timeframe: '1d', data_range: dataRange },
      inference: { engine: 'tfjs', backend: 'cpu' },
      // No trades: the model says HOLD with certainty on every bar.
      predict: async (m) => {
        const first = BARS.time.indexOf(m.time[0]);
        return trade ? PROBS.slice(first * 3, (first + m.rows) * 3) : new Float32Array(m.rows * 3).map((_, i) => (i % 3 === 1 ? 1 : 0));
      },
    }),
    loadBars: () => BARS,
    buildFeatures: (_s, byTf) => {
      const b = byTf['1d'];
      return { names: ['f1'], rows: b.time.length, cols: 1, values: new Float32Array(b.time.length), time: b.time, valid: new Uint8Array(b.time.length).fill(1) };
    },
    applyNormalization: (m) => m,
  };
}

export interface ProducedBacktest {
  id: string;
  home: string;
  result: BacktestResult;
  trades: Record<string, unknown>[];
  equity: BacktestEquityDoc;
}

const iso = (i: number) => new Date(BARS.time[i]).toISOString().slice(0, 10);

/**
 * A backtest as the worker writes it, with its trades.json and equity.json. `trades: false` makes a
 * run whose model always says HOLD (no trades); `modelRange` sets the model's data range.
 */
export async function produceBacktest(opts: { trades?: boolean; modelRange?: { start: string | null; end: string | null } | null; randomRuns?: number; seed?: number } = {}): Promise<ProducedBacktest> {
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-results-'));
  const id = `op_backtesting_fixture_${opts.trades === false ? 'flat' : 'trading'}${opts.seed === undefined ? '' : `_${opts.seed}`}`;
  const bridge = new ProgressBridge(() => undefined, 0);
  const range = opts.modelRange === undefined ? { start: iso(0), end: iso(299) } : opts.modelRange;
  const result = await runBacktestJob({
    params: backtestParams({ strategy_name: 'fixture', symbol: 'EURUSD', timeframe: '1d', start_date: iso(320), end_date: iso(N - 1), random_runs: opts.randomRuns ?? 60 }),
    deps: fakeDeps(home, opts.trades !== false, range, opts.seed),
    bridge,
    home,
    operationId: id,
  });
  const dir = join(home, 'backtests', id);
  return { id, home, result, trades: JSON.parse(readFileSync(join(dir, 'trades.json'), 'utf8')).trades, equity: JSON.parse(readFileSync(join(dir, 'equity.json'), 'utf8')) };
}

/** A training result in the contract's shape (values of a small real run), validated as the worker validates it. */
export function trainingResultFixture(over: Record<string, unknown> = {}): TrainingResult {
  const split = (acc: number, constant: number, beats: boolean, p: number) => ({
    best_constant_class: 'SELL',
    best_constant_accuracy: constant,
    model_accuracy: acc,
    balanced_accuracy: 0.4,
    macro_f1: 0.3,
    best_constant_balanced_accuracy: 0.5,
    best_constant_macro_f1: 0.2744,
    p_value: p,
    beats,
    samples: 212,
    model_only_correct: 30,
    constant_only_correct: 79,
  });
  return validateTrainingResult({
    schema_version: 1,
    model_path: 'models/fixture/1d_v2',
    model_version: 2,
    training_metrics: {
      epochs_trained: 12,
      final_train_loss: 0.8123,
      final_train_accuracy: 0.61,
      best_train_accuracy: 0.63,
      training_time: 3.25,
      final_val_loss: 0.9521,
      final_val_accuracy: 0.52,
      best_val_accuracy: 0.55,
      max_val_accuracy: 0.56,
      best_val_loss: 0.9012,
      best_epoch: 9,
      early_stopped: true,
      restored_best_weights: true,
      history: { train_loss: [1, 0.9], train_accuracy: [0.5, 0.6], val_loss: [1.1, 0.95], val_accuracy: [0.5, 0.52] },
      null_reasons: {},
    },
    test_metrics: {
      test_accuracy: 0.47,
      test_loss: 1.0312,
      precision: 0.45,
      recall: 0.47,
      f1_score: 0.44,
      macro_f1: 0.3,
      per_class: { BUY: { precision: 0.4, recall: 0.3, f1_score: 0.34, support: 40 }, HOLD: { precision: 0.5, recall: 0.5, f1_score: 0.5, support: 24 }, SELL: { precision: 0.6, recall: 0.55, f1_score: 0.57, support: 148 } },
      confusion_matrix: [
        [12, 8, 20],
        [4, 12, 8],
        [30, 37, 81],
      ],
      samples: 212,
    },
    baseline: { validation: split(0.52, 0.5, false, 0.31), test: split(0.47, 0.698, false, 0.93) },
    beats_baseline: false,
    artifacts: { feature_importance: null, per_symbol_metrics: null },
    model_info: { parameters_count: 1234, architecture: 'mlp 8-4', model_type: 'mlp', backend: 'cpu' },
    data_summary: { symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2020-01-01', end_date: '2022-12-31', total_samples: 1000, feature_count: 8 },
    session_info: {},
    resource_usage: {},
    warnings: [],
    null_reasons: {},
    ...over,
  });
}
