// The `backtesting` job: model + manifest → bars with warm-up history → features (the training code
// path) → stored normalisation → batched inference → the engine over [start, end] in chunks, with
// progress, a metric record per chunk (≤ ~500 per run) and cancellation between chunks. Trades and
// the equity curve go to <home>/backtests/<operation_id>/{trades.json,equity.json}, written atomically.
//
// The pipeline steps that belong to other modules (strategy loading, feature building, model loading
// and inference) are reached through BacktestDeps so the job can be tested with fakes and wired to
// the real modules in one place (defaultDeps).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BacktestEngine, engineConfig } from '../../core/backtest/engine';
import { computeMetrics, type PerformanceMetrics } from '../../core/backtest/metrics';
import { DEFAULT_RANDOM_RUNS, DEFAULT_RANDOM_SEED, significanceInput, significanceSteps } from '../../core/evaluation/significance';
import { parseDateBoundary } from '../../core/backtest/dates';
import { averageExposure, holdBenchmark } from '../../core/backtest/benchmark';
import { costBreakdown } from '../../core/backtest/costs';
import { inSampleCheck, UNKNOWN_MODEL_RANGE } from '../../core/backtest/in-sample';
import { costOverrides, type CostOverrides } from '../../core/instruments';
import { PRICE_ADJUSTMENT_MODES, priceAdjustment, type PriceAdjustmentMode } from '../../core/instruments/splits';
import type { BarSeries } from '../../core/bars/types';
import { applyNormalization, buildFeatureMatrix, type FeatureMatrix, type NormalizationStats } from '../../core/features';
import type { IndicatorCatalog } from '../../core/strategy/catalog';
import { DEFAULT_CATALOG } from '../../core/strategy/default-catalog';
import { formatIssue } from '../../core/strategy/format';
import { parseStrategyWith } from '../../core/strategy/parse';
import type { StrategyConfig } from '../../core/strategy/types';
import { timeframeMs } from '../../core/timeframes';
import { writeFileAtomic } from '../../infra/bars/atomic';
import { BarStore } from '../../infra/bars/bar-store';
import { loadModel, predictProbabilitiesAsync } from '../../infra/models/inference';
import { STRATEGY_FILE } from '../../infra/models/manifest';
import { ModelRegistry, readManifestIfAny } from '../../infra/models/registry';
import { retargetStrategy } from '../../core/strategy/retarget';
import { selectBackend } from '../training/backend';
import { fusedInferenceFor } from '../training/fused/infer';
import { BACKTEST_RESULT_VERSION, validateBacktestResult, type BacktestResult } from '../../shared/results/backtest';
import { yieldToHost, type ProgressBridge } from '../bridge';
import type { Job } from './types';
import { prepareLeg } from './backtest-leg';

export { describeFeatureMismatch } from './backtest-leg';

/** What the feature pipeline produces (src/core/features FeatureMatrix): row-major, rows aligned to the base bars. */
export interface FeatureMatrixLike {
  names: string[];
  rows: number;
  cols: number;
  values: Float32Array;
  time: Float64Array;
  valid: Uint8Array;
}

export interface StrategyLike {
  /** The parsed strategy, handed back to buildFeatures unchanged. */
  config: unknown;
  /** The `decisions` section (any shape; KTRDR defaults fill the gaps). */
  decisions: unknown;
  /** Training timeframes, base first. */
  timeframes: string[];
  /** Bars of history the indicators need before the first bar that counts. */
  warmupBars: number;
  /** The strategy's `costs:` section (overrides of the instrument's defaults). */
  costs?: CostOverrides | null;
}

export interface LoadedModelLike {
  manifest: {
    features: string[];
    normalization: unknown;
    timeframe?: string;
    /** First and last row (bar open, ISO) the model was trained, validated and tested on. */
    data_range?: { start: string | null; end: string | null } | null;
  };
  /** Which code computes the predictions (recorded with the results): the fused JS MLP or tfjs, on which backend. */
  inference?: { engine: 'fused-js' | 'tfjs'; backend: string };
  /** rows × 3 class probabilities (or logits) for every row of the matrix, in batches. */
  predict(matrix: FeatureMatrixLike, onProgress?: (done: number, total: number) => void): Promise<Float32Array>;
}

export interface BacktestDeps {
  loadStrategy(name: string): StrategyLike | Promise<StrategyLike>;
  /** ModelRegistry.resolve: a model reference → its folder (never outside the models dir). */
  resolveModel(ref: string): { dir: string; model_path: string };
  loadModel(dir: string): Promise<LoadedModelLike>;
  loadBars(symbol: string, timeframe: string, range: { start?: number; end?: number }): BarSeries;
  buildFeatures(strategy: StrategyLike, barsByTimeframe: Record<string, BarSeries>): FeatureMatrixLike;
  applyNormalization(matrix: FeatureMatrixLike, stats: unknown): FeatureMatrixLike;
}

export interface BacktestParams {
  strategy_name: string;
  symbol: string;
  timeframe: string;
  start_date: string;
  end_date: string;
  model_path: string | null;
  initial_capital: number;
  /** KTRDR's legacy fractions: null unless the request gave them (then the KTRDR cost model applies). */
  commission: number | null;
  slippage: number | null;
  /** Request overrides of the instrument's costs. */
  costs: CostOverrides | null;
  position_size: number;
  /** The caller knows the range overlaps the model's data: keep the fields, drop the operation warning. */
  allow_in_sample: boolean;
  /** Random-entry runs for results.significance (0 disables them). */
  random_runs: number;
  /** Seed of the random runs and the Sharpe bootstrap (same seed → same numbers). */
  random_seed: number;
  /** Whether the bars are split-adjusted (per-share costs on the shares really traded): auto reads the data. */
  price_adjustment: PriceAdjustmentMode;
}

export const MAX_METRIC_RECORDS = 500;

export function backtestParams(raw: Record<string, unknown>): BacktestParams {
  const str = (k: string) => {
    const v = raw[k];
    if (typeof v !== 'string' || !v) throw new Error(`backtest parameter '${k}' is required`);
    return v;
  };
  const num = (k: string, d: number) => (raw[k] === undefined || raw[k] === null ? d : Number(raw[k]));
  const opt = (k: string) => (raw[k] === undefined || raw[k] === null ? null : Number(raw[k]));
  let costs: CostOverrides | null = null;
  if (raw.costs !== undefined && raw.costs !== null) {
    const parsed = costOverrides(true).safeParse(raw.costs);
    if (!parsed.success) throw new Error(`backtest parameter 'costs' is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'costs'}: ${i.message}`).join('; ')}`);
    costs = parsed.data;
  }
  return {
    strategy_name: str('strategy_name'),
    symbol: str('symbol'),
    timeframe: str('timeframe'),
    start_date: str('start_date'),
    end_date: str('end_date'),
    model_path: typeof raw.model_path === 'string' && raw.model_path ? raw.model_path : null,
    initial_capital: num('initial_capital', 100_000),
    commission: opt('commission'),
    slippage: opt('slippage'),
    costs,
    position_size: num('position_size', 0.25),
    allow_in_sample: raw.allow_in_sample === true,
    random_runs: num('random_runs', DEFAULT_RANDOM_RUNS),
    random_seed: num('random_seed', DEFAULT_RANDOM_SEED),
    price_adjustment: priceAdjustmentParam(raw.price_adjustment),
  };
}

/** What results say about the split adjustment (the per-bar factor stays out). */
export function priceAdjustmentSummary(a: ReturnType<typeof priceAdjustment>) {
  return { mode: a.mode, splits_applied: a.applied, evidence: a.evidence, note: a.note };
}

export function priceAdjustmentParam(v: unknown): PriceAdjustmentMode {
  if (v === undefined || v === null) return 'auto';
  if (!PRICE_ADJUSTMENT_MODES.includes(v as PriceAdjustmentMode)) throw new Error(`backtest parameter 'price_adjustment' must be one of ${PRICE_ADJUSTMENT_MODES.join(', ')} (got ${JSON.stringify(v)})`);
  return v as PriceAdjustmentMode;
}

/** Where a run's trades and equity curve are stored. */
export function backtestArtifactsDir(home: string, operationId: string): string {
  return join(home, 'backtests', operationId);
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, Buffer.from(JSON.stringify(value)));
}

export interface BacktestRunContext {
  params: BacktestParams;
  deps: BacktestDeps;
  bridge: ProgressBridge;
  home: string;
  operationId: string;
}

export async function runBacktestJob({ params: p, deps, bridge, home, operationId }: BacktestRunContext): Promise<BacktestResult> {
  const started = performance.now();
  const label = `${p.symbol} ${p.timeframe}`;
  const barMs = timeframeMs(p.timeframe);
  if (barMs === null) throw new Error(`Invalid timeframe '${p.timeframe}'`);
  const reqStart = parseDateBoundary(p.start_date, 'start');
  const reqEnd = parseDateBoundary(p.end_date, 'end');
  if (reqStart === null || reqEnd === null || reqStart > reqEnd) throw new Error(`Invalid date range ${p.start_date} .. ${p.end_date}`);

  bridge.update(1, `Loading model and strategy for ${label}`, { context: { phase: 'loading' } });
  // The model first: its manifest says which timeframes the strategy was trained on.
  const resolved = deps.resolveModel(p.model_path ?? `${p.strategy_name}/${p.timeframe}_latest`);
  const strategy = await deps.loadStrategy(p.strategy_name);
  const model = await deps.loadModel(resolved.dir);
  if (model.manifest.timeframe && model.manifest.timeframe !== p.timeframe) {
    throw new Error(`Model ${resolved.model_path} was trained on ${model.manifest.timeframe} bars; the backtest asks for ${p.timeframe}`);
  }
  bridge.throwIfCancelled();

  const leg = await prepareLeg(
    deps,
    strategy,
    model,
    { symbol: p.symbol, timeframe: p.timeframe, barMs, start: reqStart, end: reqEnd, startText: p.start_date, endText: p.end_date, legacy: { commission: p.commission, slippage: p.slippage }, costs: p.costs, priceAdjustment: p.price_adjustment },
    bridge,
    (f, message, phase, extra) => bridge.update(3 + 27 * f, message, extra ?? { context: { phase } }),
  );
  const { bars, signals, decisions, range, costModel, adjustment, priceFactor } = leg;
  const i0 = leg.warmupBars;
  const n = bars.time.length;
  const cfg = engineConfig({
    initial_capital: p.initial_capital,
    commission: costModel.costs.commission.type === 'fraction' ? costModel.costs.commission.rate : 0,
    slippage: costModel.costs.slippage_fraction,
    costs: costModel.costs,
    position_size: p.position_size,
    bar_ms: barMs,
    decisions,
    price_factor: priceFactor,
  });
  const engine = new BacktestEngine(bars, signals, cfg);
  const chunk = Math.max(1, Math.ceil(n / MAX_METRIC_RECORDS));
  for (let end = Math.min(chunk, n); ; end = Math.min(end + chunk, n)) {
    engine.runUntil(end);
    const t = bars.time[end - 1];
    const record = { bar_index: end - 1, timestamp: iso(t), equity: engine.currentEquity, drawdown: engine.currentDrawdown, trades: engine.tradeCount };
    bridge.appendMetric(record);
    bridge.update(30 + (68 * end) / n, `Backtesting ${label} [${day(t)}]`, {
      steps_completed: end,
      steps_total: n,
      items_processed: end,
      items_total: n,
      current_item: day(t),
      context: { phase: 'backtesting', bars_processed: end, current_date: iso(t), equity: record.equity, trades: record.trades },
    });
    bridge.throwIfCancelled();
    if (end >= n) break;
    await yieldToHost();
  }
  const result = engine.finish();
  const metrics = computeMetrics({ ...result, equity: result.equity.values, time: bars.time, close: bars.close, bar_ms: barMs });
  // Like-for-like benchmarks: buy & hold with the same costs, fully invested and at the strategy's exposure.
  const exposure = averageExposure(result.trades, bars.close, result.equity.values);
  const buyAndHold = holdBenchmark(bars.close, p.initial_capital, 1, costModel.costs, metrics.bars_per_year, metrics.years, priceFactor);
  const exposureMatched = holdBenchmark(bars.close, p.initial_capital, exposure, costModel.costs, metrics.bars_per_year, metrics.years, priceFactor);
  // In-sample guard: backtest bars inside the range the model was trained/validated/tested on.
  const inSample = inSampleCheck(bars.time, model.manifest.data_range ?? null);
  const warnings: string[] = adjustment.note ? [adjustment.note] : [];
  if (inSample.warning) {
    warnings.push(inSample.warning);
    if (!p.allow_in_sample) bridge.warn(inSample.warning);
  }
  const significance = await significanceStep(bridge, p, bars, cfg, result, metrics);

  bridge.update(98, `Saving trades and equity curve`, { context: { phase: 'saving' } });
  const dir = backtestArtifactsDir(home, operationId);
  mkdirSync(dir, { recursive: true });
  const trades = result.trades.map((t) => ({ ...t, symbol: p.symbol }));
  writeJsonAtomic(join(dir, 'trades.json'), { operation_id: operationId, symbol: p.symbol, timeframe: p.timeframe, trades });
  writeJsonAtomic(join(dir, 'equity.json'), {
    operation_id: operationId,
    initial_capital: p.initial_capital,
    /** Bar open times (ms); each value is the equity at that bar's close. */
    time: Array.from(result.equity.time),
    values: Array.from(result.equity.values),
    drawdowns: Array.from(result.equity.drawdowns),
    position: Array.from(result.position),
  });

  // The result contract (src/shared/results/backtest.ts): typed here, validated before it is written.
  const { null_reasons: sigReasons, ...sig } = significance;
  const results: BacktestResult = {
    schema_version: BACKTEST_RESULT_VERSION,
    strategy_name: p.strategy_name,
    symbol: p.symbol,
    timeframe: p.timeframe,
    start_time: iso(bars.time[0]),
    end_time: iso(bars.time[n - 1]),
    execution_time_seconds: (performance.now() - started) / 1000,
    config: {
      initial_capital: p.initial_capital,
      commission: p.commission,
      slippage: p.slippage,
      costs: { ...costModel.costs, model: costModel.model, currency: costModel.currency, asset_class: costModel.asset_class, pip_size: costModel.pip_size, price_adjustment: priceAdjustmentSummary(adjustment) },
      position_size: p.position_size,
      start_date: iso(reqStart),
      end_date: iso(reqEnd),
      decisions,
    },
    metrics,
    // Like for like: both buy & hold benchmarks pay the strategy's costs.
    benchmark: { buy_and_hold: buyAndHold, exposure_matched: exposureMatched },
    costs: costBreakdown(result.trades, costModel.currency, costModel.model),
    in_sample_bars: inSample.in_sample_bars,
    out_of_sample: inSample.out_of_sample,
    model_data_range: inSample.model_data_range,
    allow_in_sample: p.allow_in_sample,
    warnings,
    ...sig,
    trade_count: result.trades.length,
    equity_curve_length: n,
    effective_range: { start: iso(bars.time[0]), end: iso(bars.time[n - 1]), bars: n, clipped: range.clipped, warmup_bars: i0 },
    model_path: resolved.model_path,
    ...(model.inference ? { inference: model.inference.engine, inference_backend: model.inference.backend } : {}),
    artifacts: { trades: join(dir, 'trades.json'), equity_curve: join(dir, 'equity.json') },
    null_reasons: { ...sigReasons, ...(inSample.out_of_sample === null ? { out_of_sample: UNKNOWN_MODEL_RANGE, in_sample_bars: UNKNOWN_MODEL_RANGE, model_data_range: UNKNOWN_MODEL_RANGE } : {}) },
  };
  bridge.update(100, `Backtest complete: ${result.trades.length} ${result.trades.length === 1 ? 'trade' : 'trades'}, return ${(metrics.total_return_pct * 100).toFixed(2)}%`, { context: { phase: 'completed' } });
  // A result that does not match its schema (a NaN, a renamed field) fails the job here, by name.
  return validateBacktestResult(results);
}

/**
 * The same engine config (costs, sizing) on the same bars with random entries: where the strategy's
 * return and Sharpe sit among them, and a bootstrap interval of its Sharpe (src/core/evaluation).
 */
async function significanceStep(
  bridge: ProgressBridge,
  p: BacktestParams,
  bars: Parameters<typeof significanceSteps>[0]['bars'],
  cfg: Parameters<typeof significanceSteps>[0]['cfg'],
  result: ReturnType<BacktestEngine['finish']>,
  metrics: PerformanceMetrics,
) {
  if (p.random_runs > 0) bridge.update(98, `Comparing with ${p.random_runs} random-entry runs`, { context: { phase: 'significance' } });
  const steps = significanceSteps(significanceInput(bars, cfg, result, metrics, p.random_runs, p.random_seed));
  let step = steps.next();
  while (!step.done) {
    bridge.update(98, `Comparing with random entries: ${step.value.done}/${step.value.total} runs`, { context: { phase: 'significance' } });
    bridge.throwIfCancelled();
    await yieldToHost();
    step = steps.next();
  }
  const out = step.value;
  bridge.throwIfCancelled();
  return { significance: out.significance, sharpe_ci95: out.sharpe_ci95, sharpe_ci_method: out.sharpe_ci_method, null_reasons: out.null_reasons };
}

function notWired(piece: string, needs: string): never {
  throw new Error(`Backtesting is not wired yet: ${piece} needs ${needs}`);
}

export interface WiringOptions {
  /** The strategy file the API found (strategies/<name>.yaml in KTRDR_HOME or the bundled samples). */
  strategyPath?: string | null;
  /** Indicators by name, for the strategy parser and the feature builder. */
  catalog?: IndicatorCatalog | null;
}

function readStrategyText(home: string, name: string, strategyPath: string | null | undefined, modelDir: string | null): { text: string; source: string } {
  const candidates = [strategyPath, join(home, 'strategies', `${name}.yaml`), join(home, 'strategies', `${name}.yml`)];
  // The strategy as trained, saved with the model: used when the named file is gone.
  if (modelDir) candidates.push(join(modelDir, STRATEGY_FILE));
  for (const c of candidates) if (c && existsSync(c)) return { text: readFileSync(c, 'utf8'), source: c };
  throw new Error(`Strategy file not found: ${name}.yaml (searched: ${candidates.filter(Boolean).join(', ')})`);
}

/** The real modules: strategy parser, feature pipeline, model store and inference (fused JS MLP or tfjs). */
export function defaultDeps(home: string, opts: WiringOptions = {}): BacktestDeps {
  const registry = ModelRegistry.forHome(home);
  const store = new BarStore(join(home, 'data'));
  const catalog = opts.catalog ?? null;
  let modelDir: string | null = null;
  return {
    resolveModel: (ref) => {
      const r = registry.resolve(ref);
      modelDir = r.dir;
      return r;
    },
    loadBars: (symbol, timeframe, range) => store.load(symbol, timeframe, range).bars,
    loadStrategy: (name) => {
      if (!catalog) return notWired('parsing the strategy', 'the indicator catalog (WiringOptions.catalog) from src/core/indicators');
      const { text, source } = readStrategyText(home, name, opts.strategyPath, modelDir);
      const parsed = parseStrategyWith(text, { catalog, sourceName: source });
      if (!parsed.valid || !parsed.strategy) {
        const errors = parsed.issues.filter((i) => i.severity === 'error').map((i) => formatIssue(i, source));
        throw new Error(`Strategy ${name} is not valid: ${errors.join('; ')}`);
      }
      // Trained on other timeframes than the file names (a training request may retarget): rebuild
      // the features the model was trained on, from its manifest.
      const manifest = modelDir ? readManifestIfAny(modelDir) : null;
      let config = parsed.strategy;
      if (manifest?.timeframes?.length) {
        const r = retargetStrategy(config, { timeframes: manifest.timeframes });
        if (r.problems.length) throw new Error(`Strategy ${name} cannot rebuild the model's inputs: ${r.problems.join('; ')}`);
        config = r.strategy;
      }
      return { config, decisions: config.decisions, timeframes: config.training_data.timeframes.list, warmupBars: config.training_data.history_required, costs: config.costs };
    },
    loadModel: async (dir) => {
      // The fastest backend that loads; tfjs's default otherwise.
      const backend = (await selectBackend().catch(() => null))?.name ?? tf.getBackend();
      const { model, manifest } = await loadModel(dir);
      const range = (k: 'first_row_time' | 'last_row_time') => (typeof manifest.data[k] === 'string' ? manifest.data[k] : null);
      const info = {
        features: manifest.features,
        normalization: manifest.normalization,
        timeframe: manifest.timeframe,
        // Rows the model saw (train + validation + test); the requested dates for manifests without them.
        data_range: { start: range('first_row_time') ?? manifest.data.start_date, end: range('last_row_time') ?? manifest.data.end_date },
      };
      // MLPs on wasm/cpu: the fused forward pass (same numbers, no per-kernel overhead), as training does.
      const fused = fusedInferenceFor(model, manifest.model, backend);
      if (fused) {
        model.dispose(); // the predictor holds its own copy of the weights
        return { manifest: info, inference: { engine: fused.kind, backend }, predict: (matrix, onProgress) => fused.predictAsync(matrix, onProgress) };
      }
      return {
        manifest: info,
        inference: { engine: 'tfjs', backend },
        predict: (matrix, onProgress) =>
          predictProbabilitiesAsync(model, matrix, { sequenceLength: manifest.model.sequence_length > 1 ? manifest.model.sequence_length : undefined, onProgress }),
      };
    },
    buildFeatures: (strategy, barsByTimeframe) => {
      if (!catalog) return notWired('building features', 'the indicator catalog (WiringOptions.catalog) from src/core/indicators');
      return buildFeatureMatrix(strategy.config as StrategyConfig, barsByTimeframe, { catalog });
    },
    applyNormalization: (matrix, stats) => (stats ? applyNormalization(matrix as FeatureMatrix, stats as NormalizationStats) : matrix),
  };
}

/** The indicator catalog for strategy parsing and features: the same one training uses. */
function indicatorCatalog(): IndicatorCatalog {
  return DEFAULT_CATALOG;
}

export const backtestJob: Job = async ({ spec, params, bridge, home }) => {
  const deps = defaultDeps(home, { strategyPath: typeof params.strategy_path === 'string' ? params.strategy_path : null, catalog: indicatorCatalog() });
  const results = await runBacktestJob({ params: backtestParams(params), deps, bridge, home, operationId: spec.operationId });
  return { results, summary: results };
};
