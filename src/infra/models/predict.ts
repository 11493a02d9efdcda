// One bar through a saved model, as a notebook asks it (KTRDR's POST /models/predict): the strategy
// saved with the model (what it was trained on), features over the bars up to that bar with the
// same pipeline and normalisation statistics as training and backtests, the model's class
// probabilities, and the decision the confidence threshold gives from flat. The layers model is
// loaded here (tfjs, pure JS backend): one row is cheap; ranges belong to backtests.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyProbabilities, NUM_CLASSES, resolveDecisionConfig } from '../../core/backtest/decisions';
import { upperBound } from '../../core/backtest/dates';
import { isoUtc } from '../../core/bars/time';
import { sliceBars, type BarSeries } from '../../core/bars/types';
import { applyNormalization, buildFeatureMatrix, type NormalizationStats } from '../../core/features';
import { parseStrategyWith } from '../../core/strategy/parse';
import { retargetStrategy } from '../../core/strategy/retarget';
import { timeframeMs } from '../../core/timeframes';
import type { BarStore } from '../bars/bar-store';
import { loadModel, predictProbabilities } from './inference';
import { STRATEGY_FILE } from './manifest';
import type { ResolvedModel } from './registry';
import { indicatorCatalog } from './training-inputs';

export class PredictInputError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

export interface PredictRequest {
  symbol: string;
  /** The bar to score: the last bar opening at or before this instant (default: the last stored bar). */
  at?: number;
}

export interface Prediction {
  model_path: string;
  symbol: string;
  timeframe: string;
  /** Open time of the bar scored (ISO). */
  bar_time: string;
  /** Class probabilities, BUY/HOLD/SELL (the model's class order). */
  probabilities: Record<string, number>;
  /** The most likely class, lower-case (KTRDR's `signal` values). */
  raw_signal: 'buy' | 'hold' | 'sell';
  /** After the strategy's confidence threshold, from flat: what a backtest would do on this bar. */
  signal: 'buy' | 'hold' | 'sell';
  confidence: number;
  confidence_threshold: number;
  /** P(BUY) − P(SELL), in [−1, 1]. */
  signal_strength: number;
  /** Model inputs of that bar, normalised as the model sees them. */
  input_features: Record<string, number | null>;
}

/** Warm-up bars loaded before the scored bar, beyond the strategy's own history_required. */
const EXTRA_HISTORY = 200;

export async function predictOneBar(model: ResolvedModel, bars: BarStore, req: PredictRequest): Promise<Prediction> {
  const file = join(model.dir, STRATEGY_FILE);
  if (!existsSync(file)) throw new PredictInputError(`Model ${model.model_path} has no ${STRATEGY_FILE}: it was not written by this workstation`, 404);
  const { model: net, manifest } = await loadModel(model.dir);
  try {
    const parsed = parseStrategyWith(readFileSync(file, 'utf8'), { catalog: indicatorCatalog(), sourceName: file });
    if (!parsed.valid || !parsed.strategy) throw new PredictInputError(`The strategy saved with ${model.model_path} no longer parses`);
    const retargeted = retargetStrategy(parsed.strategy, { timeframes: manifest.timeframes });
    if (retargeted.problems.length) throw new PredictInputError(`The model's inputs cannot be rebuilt: ${retargeted.problems.join('; ')}`);
    const strategy = retargeted.strategy;
    const baseTf = manifest.timeframe;
    const baseMs = timeframeMs(baseTf)!;
    const sequence = Math.max(1, manifest.model.sequence_length ?? 1);
    const warmup = strategy.training_data.history_required + EXTRA_HISTORY + sequence;

    const load = (tf: string, range: { start?: number; end?: number }): BarSeries => {
      try {
        return bars.load(req.symbol, tf, range).bars;
      } catch (err) {
        throw new PredictInputError(`No ${req.symbol} ${tf} bars: ${(err as Error).message}`, 404);
      }
    };
    const all = load(baseTf, req.at === undefined ? {} : { end: req.at });
    const n = all.time.length;
    if (n === 0) throw new PredictInputError(`No ${req.symbol} ${baseTf} bars${req.at === undefined ? '' : ` at or before ${isoUtc(req.at)}`}`, 404);
    const from = Math.max(0, n - warmup);
    const base = sliceBars(all, from, n);
    const byTf: Record<string, BarSeries> = { [baseTf]: base };
    for (const tf of manifest.timeframes) if (tf !== baseTf) byTf[tf] = load(tf, { start: base.time[0] - warmup * (timeframeMs(tf) ?? baseMs), end: base.time[base.time.length - 1] });

    const raw = buildFeatureMatrix(strategy, byTf, { catalog: indicatorCatalog() });
    if (raw.names.join('\n') !== manifest.features.join('\n')) throw new PredictInputError(`The strategy saved with ${model.model_path} resolves to other features than the model was trained on`);
    const matrix = manifest.normalization ? applyNormalization(raw, manifest.normalization as NormalizationStats) : raw;
    const last = upperBound(matrix.time, base.time[base.time.length - 1]) - 1;
    if (last < 0 || matrix.valid[last] !== 1 || last + 1 < sequence)
      throw new PredictInputError(`Not enough ${req.symbol} ${baseTf} history before ${isoUtc(base.time[last])} for the model's indicators (warm-up)`);
    // Only the rows the scored bar needs: its own, or the window a sequence model reads.
    const rows = sequence;
    const window = { rows, cols: matrix.cols, values: matrix.values.slice((last - rows + 1) * matrix.cols, (last + 1) * matrix.cols) };
    const probs = predictProbabilities(net, window, { sequenceLength: sequence > 1 ? sequence : undefined }).subarray((rows - 1) * NUM_CLASSES, rows * NUM_CLASSES);
    const threshold = resolveDecisionConfig(strategy.decisions).confidence_threshold;
    const { action, confidence } = classifyProbabilities(probs, 1, null, threshold);
    const names = manifest.class_names.length === NUM_CLASSES ? manifest.class_names : ['BUY', 'HOLD', 'SELL'];
    const p = Array.from(probs);
    const top = p.indexOf(Math.max(...p));
    const lower = (i: number) => names[i].toLowerCase() as Prediction['signal'];
    return {
      model_path: model.model_path,
      symbol: all.symbol,
      timeframe: baseTf,
      bar_time: isoUtc(matrix.time[last]),
      probabilities: Object.fromEntries(names.map((c, i) => [c, p[i]])),
      raw_signal: lower(top),
      signal: lower(action[0]),
      confidence: confidence[0],
      confidence_threshold: threshold,
      signal_strength: p[0] - p[2],
      input_features: Object.fromEntries(matrix.names.map((nm, c) => [nm, Number.isFinite(matrix.values[last * matrix.cols + c]) ? matrix.values[last * matrix.cols + c] : null])),
    };
  } finally {
    net.dispose();
  }
}
