// A whole backtest on 1,000,000 bars, stage by stage, as the backtesting job runs it: feature
// matrix (neuro_mean_reversion retargeted to 1h) → model inference (the strategy's MLP on the
// backend training would pick) → decisions + event loop → metrics. Target: < 10 s in all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyProbabilities, resolveDecisionConfig } from '../src/core/backtest/decisions';
import { BacktestEngine, engineConfig } from '../src/core/backtest/engine';
import { computeMetrics } from '../src/core/backtest/metrics';
import { generateSyntheticBars } from '../src/core/bars/synthetic';
import { buildFeatureMatrix } from '../src/core/features';
import { parseStrategy, retargetStrategy } from '../src/core/strategy';
import { predictProbabilitiesAsync } from '../src/infra/models/inference';
import { selectBackend } from '../src/worker/training/backend';
import { buildModel, modelSpecFrom } from '../src/worker/training/model';
import { round } from './stats';

const HOUR = 3_600_000;

export async function benchBacktestFull(n = 1_000_000): Promise<Record<string, unknown>> {
  const start = Date.UTC(2000, 0, 3);
  // Synthetic FX hours skip weekends: ask for enough calendar time to get n bars.
  const all = generateSyntheticBars({ symbol: 'EURUSD', timeframe: '1h', start, end: start + Math.ceil(n * 1.45) * HOUR, seed: 7 });
  const take = Math.min(n, all.time.length);
  const sub = <T extends Float64Array>(a: T) => a.subarray(0, take) as T;
  const bars = { ...all, time: sub(all.time), open: sub(all.open), high: sub(all.high), low: sub(all.low), close: sub(all.close), volume: sub(all.volume) };

  const yaml = readFileSync(join(__dirname, '..', 'strategies', 'neuro_mean_reversion.yaml'), 'utf8');
  const strategy = retargetStrategy(parseStrategy(yaml).strategy!, { timeframes: ['1h'] }).strategy;

  const t0 = performance.now();
  const matrix = buildFeatureMatrix(strategy, { '1h': bars });
  const t1 = performance.now();
  const backend = await selectBackend();
  const { spec } = modelSpecFrom(strategy.model as unknown as Record<string, unknown>, matrix.cols, 42);
  const model = buildModel(spec);
  const t2 = performance.now();
  const probs = await predictProbabilitiesAsync(model, matrix);
  const t3 = performance.now();
  const decisions = resolveDecisionConfig(strategy.decisions as unknown as Record<string, unknown>);
  const signals = classifyProbabilities(probs, matrix.rows, matrix.valid, decisions.confidence_threshold);
  const engine = new BacktestEngine(bars, signals, engineConfig({ bar_ms: HOUR, decisions }));
  engine.runUntil(take);
  const result = engine.finish();
  const t4 = performance.now();
  computeMetrics({ ...result, equity: result.equity.values, time: bars.time, close: bars.close, bar_ms: HOUR });
  const t5 = performance.now();
  model.dispose();
  const totalS = (t5 - t0 - (t2 - t1)) / 1000;
  return {
    bars: take,
    backend: backend.name,
    features_ms: round(t1 - t0),
    inference_ms: round(t3 - t2),
    inference_rows_per_s: Math.round(take / ((t3 - t2) / 1000)),
    decisions_and_loop_ms: round(t4 - t3),
    metrics_ms: round(t5 - t4),
    trades: result.trades.length,
    total_s: round(totalS),
    target_s: 10,
    pass: totalS < 10,
  };
}

if (require.main === module) {
  benchBacktestFull().then((r) => console.log(JSON.stringify(r, null, 2)));
}
