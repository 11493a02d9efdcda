// One leg of a backtest, from the stored bars to engine inputs: bars with warm-up history → features
// (the training code path, checked against the model's manifest, normalised with its statistics) →
// batched inference → signals over [start, end], with the instrument's costs and the split-adjustment
// factor. The single-symbol job (backtest.ts) and the portfolio job (portfolio-backtest.ts) both run
// it, so a leg of a portfolio is prepared exactly as a backtest of that symbol alone.
import { classifyProbabilities, NUM_CLASSES, resolveDecisionConfig, type ClassifiedBars, type DecisionConfig } from '../../core/backtest/decisions';
import { clipRange, lowerBound, upperBound, type EffectiveRange } from '../../core/backtest/dates';
import type { EngineBars } from '../../core/backtest/types';
import { sliceBars, type BarSeries } from '../../core/bars/types';
import { resolveCosts, type CostOverrides, type ResolvedCosts } from '../../core/instruments';
import { priceAdjustment, type PriceAdjustment, type PriceAdjustmentMode } from '../../core/instruments/splits';
import { timeframeMs } from '../../core/timeframes';
import { yieldToHost, type ProgressBridge } from '../bridge';
import type { BacktestDeps, LoadedModelLike, StrategyLike } from './backtest';

export const MIN_WARMUP_BARS = 300;

export function describeFeatureMismatch(expected: string[], actual: string[]): string | null {
  if (expected.length === actual.length && expected.every((n, i) => n === actual[i])) return null;
  const missing = expected.filter((n) => !actual.includes(n));
  const extra = actual.filter((n) => !expected.includes(n));
  const i = expected.findIndex((n, k) => n !== actual[k]);
  const parts = [`Feature mismatch: the model expects ${expected.length} features, the strategy produces ${actual.length}`];
  if (missing.length) parts.push(`missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
  if (extra.length) parts.push(`unexpected: ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ', …' : ''}`);
  if (!missing.length && !extra.length && i >= 0) parts.push(`same names in a different order (first at #${i}: '${actual[i]}' where the model has '${expected[i]}')`);
  parts.push('was the strategy changed after training? Retrain, or backtest with the matching strategy version');
  return parts.join('; ');
}

export interface LegRequest {
  symbol: string;
  timeframe: string;
  barMs: number;
  /** Requested range (ms) and its text, for messages. */
  start: number;
  end: number;
  startText: string;
  endText: string;
  /** KTRDR's legacy fractions (null: the instrument's costs) and the request's overrides. */
  legacy: { commission: number | null; slippage: number | null } | null;
  costs: CostOverrides | null;
  priceAdjustment: PriceAdjustmentMode;
}

export interface PreparedLeg {
  symbol: string;
  /** Bars of [start, end] (the engine's), and the signals decided at their closes. */
  bars: EngineBars;
  signals: ClassifiedBars;
  decisions: DecisionConfig;
  /** The requested range clipped to the data. */
  range: EffectiveRange;
  /** Bars of history before the first bar that counts (features' warm-up). */
  warmupBars: number;
  costModel: ResolvedCosts;
  adjustment: PriceAdjustment;
  /** Per engine bar: the split factor (null: 1). */
  priceFactor: Float64Array | null;
}

/** Progress inside the preparation: `fraction` 0..1 of it, a message, the phase and bridge fields. */
export type LegProgress = (fraction: number, message: string, phase: 'loading' | 'features' | 'inference', extra?: Record<string, unknown>) => void;

export async function prepareLeg(deps: BacktestDeps, strategy: StrategyLike, model: LoadedModelLike, req: LegRequest, bridge: ProgressBridge, progress: LegProgress): Promise<PreparedLeg> {
  const label = `${req.symbol} ${req.timeframe}`;
  // Bars: everything up to the end, then keep `warmup` bars before the start for the indicators.
  progress(0, `Loading bars for ${label}`, 'loading');
  const allBase = deps.loadBars(req.symbol, req.timeframe, { end: req.end });
  if (allBase.time.length === 0) throw new Error(`No ${label} bars up to ${req.endText}`);
  // The data covers its last bar up to that bar's close.
  const range = clipRange(req.start, req.end, allBase.time[0], allBase.time[allBase.time.length - 1] + req.barMs - 1);
  if (!range) throw new Error(`No ${label} bars between ${req.startText} and ${req.endText}`);
  const warmup = Math.max(MIN_WARMUP_BARS, strategy.warmupBars);
  const from = Math.max(0, lowerBound(allBase.time, range.start) - warmup);
  const base = sliceBars(allBase, from, allBase.time.length);
  const barsByTimeframe: Record<string, BarSeries> = { [req.timeframe]: base };
  for (const tf of strategy.timeframes) {
    if (tf === req.timeframe) continue;
    const ms = timeframeMs(tf) ?? req.barMs;
    barsByTimeframe[tf] = deps.loadBars(req.symbol, tf, { start: base.time[0] - warmup * ms, end: req.end });
  }
  bridge.throwIfCancelled();

  // Features: same code path as training, checked against the manifest, normalised with its statistics.
  progress(0.11, `Computing features for ${label}`, 'features');
  const raw = deps.buildFeatures(strategy, barsByTimeframe);
  const mismatch = describeFeatureMismatch(model.manifest.features, raw.names);
  if (mismatch) throw new Error(mismatch);
  const matrix = deps.applyNormalization(raw, model.manifest.normalization);
  if (matrix.rows !== base.time.length) throw new Error(`Feature matrix has ${matrix.rows} rows for ${base.time.length} bars`);
  bridge.throwIfCancelled();
  await yieldToHost();

  progress(0.33, `Running the model on ${matrix.rows} bars`, 'inference');
  const probs = await model.predict(matrix, (done, total) => {
    bridge.throwIfCancelled();
    progress(0.33 + (0.67 * done) / Math.max(1, total), `Running the model: ${done}/${total} bars`, 'inference', { items_processed: done, items_total: total });
  });
  if (probs.length !== matrix.rows * NUM_CLASSES) throw new Error(`Model returned ${probs.length} values for ${matrix.rows} rows`);
  bridge.throwIfCancelled();

  // The engine sees only [start, end]; rows before are warm-up.
  const i0 = lowerBound(base.time, range.start);
  const i1 = upperBound(base.time, range.end);
  const bars = sliceBars(base, i0, i1);
  const n = bars.time.length;
  if (n === 0) throw new Error(`No ${label} bars between ${req.startText} and ${req.endText}`);
  const decisions = resolveDecisionConfig(strategy.decisions);
  const signals = classifyProbabilities(probs.subarray(i0 * NUM_CLASSES, i1 * NUM_CLASSES), n, matrix.valid.subarray(i0, i1), decisions.confidence_threshold);
  // Costs of this instrument, overridden by the strategy's `costs:` and the request (core/instruments).
  const costModel = resolveCosts(req.symbol, { strategy: strategy.costs ?? null, legacy: req.legacy, request: req.costs });
  // Split-adjusted bars: per-share costs on the shares really traded (core/instruments/splits); the
  // splits are read on all the bars loaded, so a range without one still has evidence.
  const adjustment = priceAdjustment(req.symbol, allBase, req.priceAdjustment);
  const priceFactor = adjustment.factor ? adjustment.factor.subarray(from + i0, from + i1) : null;
  return { symbol: req.symbol, bars, signals, decisions, range, warmupBars: i0, costModel, adjustment, priceFactor };
}
