// Backtest event-loop throughput: bars per second on 1,000,000 hourly bars with random class
// probabilities (target ≥ 5 M bars/s). Run alone with `npx tsx bench/backtest.ts`.
import { classifyProbabilities, DEFAULT_DECISIONS } from '../src/core/backtest/decisions';
import { BacktestEngine, engineConfig } from '../src/core/backtest/engine';
import { computeMetrics } from '../src/core/backtest/metrics';
import { syntheticBacktestInputs } from './backtest-inputs';

const HOUR = 3_600_000;

const makeInputs = (n: number) => syntheticBacktestInputs(n, { seed: 42, startYear: 2000, skew: [4, 4, 4] });

export interface BacktestBenchResult {
  name: string;
  bars: number;
  trades: number;
  loop_bars_per_second: number;
  classify_bars_per_second: number;
  metrics_ms: number;
  target_bars_per_second: number;
  pass: boolean;
}

export async function benchBacktest(n = 1_000_000, repeats = 5): Promise<BacktestBenchResult> {
  const { bars, probs } = makeInputs(n);
  const decisions = { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0 };
  const cfg = engineConfig({ bar_ms: HOUR, decisions });
  let bestLoop = Infinity;
  let bestClassify = Infinity;
  let trades = 0;
  let metricsMs = 0;
  for (let k = 0; k < repeats; k++) {
    const c0 = performance.now();
    const sig = classifyProbabilities(probs, n, null, decisions.confidence_threshold);
    const c1 = performance.now();
    const engine = new BacktestEngine(bars, sig, cfg);
    // The job runs the loop in chunks between progress updates; the bench does the same.
    for (let end = 10_000; end < n; end += 10_000) engine.runUntil(end);
    engine.runUntil(n);
    const l1 = performance.now();
    const result = engine.finish();
    const m0 = performance.now();
    computeMetrics({ ...result, equity: result.equity.values, time: bars.time, close: bars.close, bar_ms: HOUR });
    metricsMs = performance.now() - m0;
    trades = result.trades.length;
    bestClassify = Math.min(bestClassify, c1 - c0);
    bestLoop = Math.min(bestLoop, l1 - c1);
  }
  const loop = n / (bestLoop / 1000);
  const target = 5_000_000;
  return {
    name: 'backtest event loop',
    bars: n,
    trades,
    loop_bars_per_second: Math.round(loop),
    classify_bars_per_second: Math.round(n / (bestClassify / 1000)),
    metrics_ms: Math.round(metricsMs * 10) / 10,
    target_bars_per_second: target,
    pass: loop >= target,
  };
}

if (require.main === module) {
  benchBacktest().then((r) => {
    console.log(JSON.stringify(r, null, 2));
    console.log(`backtest loop: ${(r.loop_bars_per_second / 1e6).toFixed(1)} M bars/s (target ≥ 5 M) ${r.pass ? 'PASS' : 'FAIL'}`);
  });
}
