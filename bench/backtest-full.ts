// A whole backtest on 1,000,000 bars, stage by stage, as the backtesting job runs it: feature
// matrix (neuro_mean_reversion retargeted to 1h) → model inference (the strategy's MLP on the
// backend training would pick) → decisions + event loop → metrics. Target: < 10 s in all.
// Inference runs both ways: tfjs (inference_*) and the fused JS forward pass (inference_fused_*);
// total_s counts the one the backtesting job picks on this backend (inference_path).
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
import { fusedInferenceFor, fusedPredictorFrom } from '../src/worker/training/fused/infer';
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
  const tfjsProbs = await predictProbabilitiesAsync(model, matrix);
  const t3 = performance.now();
  const fused = fusedPredictorFrom(model, { type: 'mlp' });
  if (!fused) throw new Error('The fused predictor refused the strategy MLP');
  const tf0 = performance.now();
  const fusedProbs = await fused.predictAsync(matrix);
  const tf1 = performance.now();
  // The two paths must agree: NaN rows in the same places, other values within float32 rounding.
  let maxDiff = 0;
  let nanMismatches = 0;
  for (let i = 0; i < tfjsProbs.length; i++) {
    const a = fusedProbs[i];
    const b = tfjsProbs[i];
    if (Number.isNaN(a) !== Number.isNaN(b)) nanMismatches++;
    else if (!Number.isNaN(a)) maxDiff = Math.max(maxDiff, Math.abs(a - b));
  }
  const path = fusedInferenceFor(model, { type: 'mlp' }, backend.name) ? 'fused-js' : 'tfjs';
  const probs = path === 'fused-js' ? fusedProbs : tfjsProbs;
  const inferMs = path === 'fused-js' ? tf1 - tf0 : t3 - t2;
  const decisions = resolveDecisionConfig(strategy.decisions as unknown as Record<string, unknown>);
  const signals = classifyProbabilities(probs, matrix.rows, matrix.valid, decisions.confidence_threshold);
  const engine = new BacktestEngine(bars, signals, engineConfig({ bar_ms: HOUR, decisions }));
  engine.runUntil(take);
  const result = engine.finish();
  const t4 = performance.now();
  computeMetrics({ ...result, equity: result.equity.values, time: bars.time, close: bars.close, bar_ms: HOUR });
  const t5 = performance.now();
  model.dispose();
  // Features + decisions and loop + metrics; totals add one inference (model building is left out).
  const rest = t1 - t0 + (t4 - tf1) + (t5 - t4);
  const totalS = (rest + inferMs) / 1000;
  return {
    bars: take,
    backend: backend.name,
    features_ms: round(t1 - t0),
    inference_ms: round(t3 - t2),
    inference_rows_per_s: Math.round(take / ((t3 - t2) / 1000)),
    inference_fused_ms: round(tf1 - tf0),
    inference_fused_rows_per_s: Math.round(take / ((tf1 - tf0) / 1000)),
    inference_fused_max_abs_diff: maxDiff,
    inference_fused_nan_mismatches: nanMismatches,
    inference_path: path,
    decisions_and_loop_ms: round(t4 - tf1),
    metrics_ms: round(t5 - t4),
    trades: result.trades.length,
    total_tfjs_s: round((rest + (t3 - t2)) / 1000),
    total_fused_s: round((rest + (tf1 - tf0)) / 1000),
    total_s: round(totalS),
    target_s: 10,
    pass: totalS < 10,
  };
}

if (require.main === module) {
  benchBacktestFull().then((r) => console.log(JSON.stringify(r, null, 2)));
}
