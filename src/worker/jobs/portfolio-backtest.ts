// The portfolio backtest (a `backtesting` operation whose params carry `portfolio: true`): each leg is
// prepared exactly as a single-symbol backtest of it (backtest-leg.ts: bars, features, inference,
// costs, split factor), then ONE book (src/core/portfolio) runs every leg together in chunks with
// progress, a metric record per chunk and cancellation between chunks; results hold the catalogue's
// metrics on the portfolio equity, per-leg PnL/costs/exposure/contribution and in-sample flags, the
// legs' correlation, the equal-weight buy & hold benchmarks and random-entry significance, typed by the
// result contract (src/shared/results/portfolio.ts) and validated before they are returned.
// Artefacts: <home>/backtests/<operation_id>/{trades,equity,fills}.json (atomic), each validated by its
// schema before it is written.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDateBoundary } from '../../core/backtest/dates';
import { inSampleCheck, UNKNOWN_MODEL_RANGE } from '../../core/backtest/in-sample';
import { costBreakdown } from '../../core/backtest/costs';
import { DEFAULT_RANDOM_RUNS, DEFAULT_RANDOM_SEED } from '../../core/evaluation/significance';
import { costOverrides, type CostOverrides } from '../../core/instruments';
import { analysePortfolio } from '../../core/portfolio/analysis';
import { equalWeightHold } from '../../core/portfolio/benchmark';
import { PortfolioBook } from '../../core/portfolio/book';
import { portfolioSignificanceSteps } from '../../core/portfolio/significance';
import { DEFAULT_PORTFOLIO_CONFIG, type LegInput, type PortfolioConfig } from '../../core/portfolio/types';
import { DEFAULT_CATALOG } from '../../core/strategy/default-catalog';
import { timeframeMs } from '../../core/timeframes';
import { writeFileAtomic } from '../../infra/bars/atomic';
import { portfolioStartBody, type PortfolioStartBody } from '../../shared/portfolio';
import { backtestEquityDocSchema, backtestFillsDocSchema, backtestTradesDocSchema } from '../../shared/results/backtest';
import { validateProduced, type NullReasons } from '../../shared/results/common';
import { PORTFOLIO_RESULT_VERSION, validatePortfolioResult, type PortfolioLeg, type PortfolioResult } from '../../shared/results/portfolio';
import { yieldToHost, type ProgressBridge } from '../bridge';
import { backtestArtifactsDir, defaultDeps, MAX_METRIC_RECORDS, priceAdjustmentSummary, type BacktestDeps, type LoadedModelLike } from './backtest';
import { prepareLeg, type PreparedLeg } from './backtest-leg';
import type { Job } from './types';

export interface PortfolioParams extends Omit<PortfolioStartBody, 'timeframe' | 'costs'> {
  timeframe: string;
  costs: CostOverrides | null;
  random_runs: number;
  random_seed: number;
}

/** The job's parameters: the request schema (defaults filled), a timeframe, checked cost overrides. */
export function portfolioParams(raw: Record<string, unknown>): PortfolioParams {
  const { portfolio: _flag, strategy_path: _path, ...rest } = raw;
  const parsed = portfolioStartBody.safeParse(rest);
  if (!parsed.success) throw new Error(`portfolio parameters are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  const b = parsed.data;
  if (!b.timeframe) throw new Error(`portfolio parameter 'timeframe' is required`);
  let costs: CostOverrides | null = null;
  if (b.costs) {
    const c = costOverrides(true).safeParse(b.costs);
    if (!c.success) throw new Error(`portfolio parameter 'costs' is invalid: ${c.error.issues.map((i) => `${i.path.join('.') || 'costs'}: ${i.message}`).join('; ')}`);
    costs = c.data;
  }
  return { ...b, timeframe: b.timeframe, costs, random_runs: b.random_runs ?? DEFAULT_RANDOM_RUNS, random_seed: b.random_seed ?? DEFAULT_RANDOM_SEED };
}

/** The operation params of a portfolio backtest say so (the single-symbol job runs the rest). */
export function isPortfolioParams(params: Record<string, unknown>): boolean {
  return params.portfolio === true;
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);
const writeJsonAtomic = (path: string, value: unknown) => writeFileAtomic(path, Buffer.from(JSON.stringify(value)));
/** An artefact is checked by the schema its readers parse it with (routes/backtests.ts readArtifact) before it is written. */
const writeArtefact = (dir: string, file: string, schema: Parameters<typeof validateProduced>[1], value: unknown) => writeJsonAtomic(join(dir, file), validateProduced(`portfolio ${file}`, schema, value));

interface LoadedLegModel {
  model_path: string;
  model: LoadedModelLike;
}

export interface PortfolioRunContext {
  params: PortfolioParams;
  deps: BacktestDeps;
  bridge: ProgressBridge;
  home: string;
  operationId: string;
}

export async function runPortfolioBacktestJob({ params: p, deps, bridge, home, operationId }: PortfolioRunContext): Promise<PortfolioResult> {
  const started = performance.now();
  const symbols = p.symbols.map((s) => s.toUpperCase());
  const label = `${symbols.length} symbols (${symbols.slice(0, 5).join(', ')}${symbols.length > 5 ? ', …' : ''}) ${p.timeframe}`;
  const barMs = timeframeMs(p.timeframe);
  if (barMs === null) throw new Error(`Invalid timeframe '${p.timeframe}'`);
  const reqStart = parseDateBoundary(p.start_date, 'start');
  const reqEnd = parseDateBoundary(p.end_date, 'end');
  if (reqStart === null || reqEnd === null || reqStart > reqEnd) throw new Error(`Invalid date range ${p.start_date} .. ${p.end_date}`);

  // Models: one per distinct path (one model applied to every leg is the usual case), each loaded once.
  bridge.update(1, `Loading models and strategy for ${label}`, { context: { phase: 'loading' } });
  const refOf = (symbol: string) => p.model_paths?.[symbol] ?? Object.entries(p.model_paths ?? {}).find(([k]) => k.toUpperCase() === symbol)?.[1] ?? p.model_path ?? `${p.strategy_name}/${p.timeframe}_latest`;
  const loaded = new Map<string, LoadedLegModel>();
  const resolvedByRef = new Map<string, { dir: string; model_path: string }>();
  for (const s of symbols) if (!resolvedByRef.has(refOf(s))) resolvedByRef.set(refOf(s), deps.resolveModel(refOf(s)));
  // The strategy after the first model is resolved: its manifest says which timeframes to rebuild.
  const strategy = await deps.loadStrategy(p.strategy_name);
  for (const [ref, resolved] of resolvedByRef) {
    const model = await deps.loadModel(resolved.dir);
    if (model.manifest.timeframe && model.manifest.timeframe !== p.timeframe) throw new Error(`Model ${resolved.model_path} was trained on ${model.manifest.timeframe} bars; the backtest asks for ${p.timeframe}`);
    loaded.set(ref, { model_path: resolved.model_path, model });
    bridge.throwIfCancelled();
  }

  // Legs: prepared one by one exactly as single backtests (1–30 %).
  const prepared: { leg: PreparedLeg; model: LoadedLegModel }[] = [];
  for (const [i, symbol] of symbols.entries()) {
    const m = loaded.get(refOf(symbol))!;
    const leg = await prepareLeg(
      deps,
      strategy,
      m.model,
      { symbol, timeframe: p.timeframe, barMs, start: reqStart, end: reqEnd, startText: p.start_date, endText: p.end_date, legacy: { commission: p.commission ?? null, slippage: p.slippage ?? null }, costs: p.costs, priceAdjustment: p.price_adjustment ?? 'auto' },
      bridge,
      (f, message, phase, extra) => bridge.update(2 + (28 * (i + f)) / symbols.length, `[${i + 1}/${symbols.length}] ${message}`, { ...extra, context: { phase, leg: symbol } }),
    );
    prepared.push({ leg, model: m });
    await yieldToHost();
  }
  const currencies = [...new Set(prepared.map(({ leg }) => leg.costModel.currency))];
  if (currencies.length > 1) {
    throw new Error(
      `The legs are quoted in different currencies (${prepared.map(({ leg }) => `${leg.symbol}: ${leg.costModel.currency}`).join(', ')}); one cash account needs one currency and conversion is not modelled: choose legs quoted in the same currency`,
    );
  }
  const currency = currencies[0];

  const legs: LegInput[] = prepared.map(({ leg }) => ({ symbol: leg.symbol, bars: leg.bars, bar_ms: barMs, signals: leg.signals, costs: leg.costModel.costs, decisions: leg.decisions, price_factor: leg.priceFactor }));
  const cfg: PortfolioConfig = {
    ...DEFAULT_PORTFOLIO_CONFIG,
    initial_capital: p.initial_capital,
    sizing: p.sizing,
    max_gross_exposure: p.max_gross_exposure,
    rebalance: p.rebalance ?? null,
    min_rebalance_fraction: p.min_rebalance_fraction,
    record_details: true,
  };
  const book = new PortfolioBook(legs, cfg);
  const steps = book.steps;
  const chunk = Math.max(1, Math.ceil(steps / MAX_METRIC_RECORDS));
  for (let end = Math.min(chunk, steps); ; end = Math.min(end + chunk, steps)) {
    book.runUntil(end);
    const t = book.stepTime(end - 1);
    const record = { bar_index: end - 1, timestamp: iso(t), equity: book.currentEquity, drawdown: book.currentDrawdown, trades: book.tradeCount };
    bridge.appendMetric(record);
    bridge.update(30 + (60 * end) / steps, `Backtesting ${label} [${day(t)}]`, {
      steps_completed: end,
      steps_total: steps,
      items_processed: end,
      items_total: steps,
      current_item: day(t),
      context: { phase: 'backtesting', bars_processed: end, current_date: iso(t), equity: record.equity, trades: record.trades },
    });
    bridge.throwIfCancelled();
    if (end >= steps) break;
    await yieldToHost();
  }
  const result = book.finish();
  const analysis = analysePortfolio(result, legs, { currency, bar_ms: barMs, sizing: cfg.sizing });
  const m = analysis.metrics;
  const fullHold = equalWeightHold(legs, result, p.initial_capital, 1, m.bars_per_year, m.years);
  const matchedHold = equalWeightHold(legs, result, p.initial_capital, Math.min(1, analysis.average_gross_exposure), m.bars_per_year, m.years);

  // In-sample guard per leg: its bars inside the rows its model was trained, validated and tested on.
  const warnings: string[] = [];
  const legReports = prepared.map(({ leg, model }, i): PortfolioLeg => {
    const inSample = inSampleCheck(leg.bars.time, model.model.manifest.data_range ?? null);
    if (inSample.warning) warnings.push(`${leg.symbol}: ${inSample.warning}`);
    if (leg.adjustment.note) warnings.push(leg.adjustment.note);
    const a = analysis.legs[i];
    return {
      ...a,
      costs: { ...a.costs, model: leg.costModel.model },
      model_path: model.model_path,
      in_sample_bars: inSample.in_sample_bars,
      out_of_sample: inSample.out_of_sample,
      model_data_range: inSample.model_data_range,
      warmup_bars: leg.warmupBars,
      clipped: leg.range.clipped,
      null_reasons: { ...a.null_reasons, ...(inSample.out_of_sample === null ? { in_sample_bars: UNKNOWN_MODEL_RANGE, out_of_sample: UNKNOWN_MODEL_RANGE, model_data_range: UNKNOWN_MODEL_RANGE } : {}) },
    };
  });
  const unknownLegs = legReports.filter((l) => l.out_of_sample === null).map((l) => l.symbol);
  const inSampleLegs = legReports.filter((l) => l.out_of_sample === false);
  const inSampleBars = unknownLegs.length ? null : legReports.reduce((n, l) => n + (l.in_sample_bars ?? 0), 0);
  const outOfSample = inSampleLegs.length ? false : unknownLegs.length ? null : true;
  if (inSampleLegs.length && !p.allow_in_sample) bridge.warn(`In-sample portfolio backtest: ${inSampleLegs.map((l) => `${l.symbol} ${l.in_sample_bars} bars`).join(', ')} inside the model's data; results there are not out of sample`);
  const unknownWhy = `the in-sample check is unknown for ${unknownLegs.join(', ')}: ${UNKNOWN_MODEL_RANGE}`;

  if (p.random_runs > 0) bridge.update(92, `Comparing with ${p.random_runs} random-entry runs`, { context: { phase: 'significance' } });
  const sigSteps = portfolioSignificanceSteps({ legs, cfg, result, total_return_pct: m.total_return_pct, sharpe_ratio: m.sharpe_ratio, bars_per_year: m.bars_per_year, years: m.years, random_runs: p.random_runs, seed: p.random_seed });
  let sig = sigSteps.next();
  while (!sig.done) {
    bridge.update(92 + (6 * sig.value.done) / sig.value.total, `Comparing with random entries: ${sig.value.done}/${sig.value.total} runs`, { context: { phase: 'significance' } });
    bridge.throwIfCancelled();
    await yieldToHost();
    sig = sigSteps.next();
  }
  const { null_reasons: sigReasons, ...significance } = sig.value;

  bridge.update(98, `Saving trades and equity curves`, { context: { phase: 'saving' } });
  const dir = backtestArtifactsDir(home, operationId);
  mkdirSync(dir, { recursive: true });
  const joined = symbols.join(',');
  const trades = result.legs.flatMap((l) => l.trades.map((t) => ({ ...t, symbol: l.symbol }))).sort((a, b) => (a.exit_time < b.exit_time ? -1 : a.exit_time > b.exit_time ? 1 : 0));
  writeArtefact(dir, 'trades.json', backtestTradesDocSchema, { operation_id: operationId, symbol: joined, symbols, timeframe: p.timeframe, trades });
  const stepPosition = result.gross_exposure!.map((g) => (g > 0 ? 1 : 0));
  const ruined = result.gross_exposure!.some((g) => !Number.isFinite(g));
  writeArtefact(dir, 'equity.json', backtestEquityDocSchema, {
    operation_id: operationId,
    initial_capital: p.initial_capital,
    /** Step open times (ms; the union of the legs' bars); each value is the equity at that step's close. */
    time: Array.from(result.time),
    values: Array.from(result.equity),
    drawdowns: Array.from(result.drawdown),
    /** 1 while any leg holds a position at the step's close. */
    position: Array.from(stepPosition),
    gross_exposure: Array.from(result.gross_exposure!, (g) => (Number.isFinite(g) ? g : null)),
    /** Per leg, on its own bars: its cash flows + position at each close (its PnL so far), and its position. */
    legs: result.legs.map((l, i) => ({ symbol: l.symbol, time: Array.from(legs[i].bars.time), value: Array.from(l.value!), position: Array.from(l.position) })),
    null_reasons: ruined ? { gross_exposure: 'equity was 0 or below with positions open: exposure is undefined at those steps' } : {},
  });
  writeArtefact(dir, 'fills.json', backtestFillsDocSchema, { operation_id: operationId, symbols, fills: result.fills!.map((f) => ({ ...f, symbol: symbols[f.leg] })) });

  const n = result.time.length;
  const models = [...new Set(prepared.map(({ model }) => model.model_path))];
  const inference = [...loaded.values()][0]?.model.inference;
  const nullReasons: NullReasons = {
    ...sigReasons,
    ...(inSampleBars === null ? { in_sample_bars: unknownWhy } : {}),
    ...(outOfSample === null ? { out_of_sample: unknownWhy } : {}),
    ...(models.length > 1 ? { model_path: `the legs use ${models.length} models: see model_paths` } : {}),
  };
  // The result contract (src/shared/results/portfolio.ts): typed here, validated before it is returned.
  const results: PortfolioResult = {
    schema_version: PORTFOLIO_RESULT_VERSION,
    kind: 'portfolio',
    strategy_name: p.strategy_name,
    symbol: joined,
    symbols,
    timeframe: p.timeframe,
    start_time: iso(result.time[0]),
    end_time: iso(result.time[n - 1]),
    execution_time_seconds: (performance.now() - started) / 1000,
    config: {
      initial_capital: p.initial_capital,
      account_currency: currency,
      sizing: p.sizing,
      max_gross_exposure: p.max_gross_exposure,
      rebalance: p.rebalance ?? null,
      min_rebalance_fraction: p.min_rebalance_fraction,
      commission: p.commission ?? null,
      slippage: p.slippage ?? null,
      start_date: iso(reqStart),
      end_date: iso(reqEnd),
      legs: prepared.map(({ leg, model }) => ({
        symbol: leg.symbol,
        model_path: model.model_path,
        costs: { ...leg.costModel.costs, model: leg.costModel.model, currency: leg.costModel.currency, asset_class: leg.costModel.asset_class, pip_size: leg.costModel.pip_size, price_adjustment: priceAdjustmentSummary(leg.adjustment) },
        decisions: leg.decisions,
      })),
    },
    metrics: m,
    // Like for like: equal-weight buy & hold of the same legs, paying each leg's costs.
    benchmark: { buy_and_hold: fullHold, exposure_matched: matchedHold },
    costs: costBreakdown(
      result.legs.flatMap((l) => l.trades),
      currency,
      [...new Set(prepared.map(({ leg }) => leg.costModel.model))].join(' | '),
    ),
    legs: legReports,
    correlation: analysis.correlation,
    average_gross_exposure: analysis.average_gross_exposure,
    in_sample_bars: inSampleBars,
    out_of_sample: outOfSample,
    allow_in_sample: p.allow_in_sample,
    warnings,
    ...significance,
    trade_count: trades.length,
    equity_curve_length: n,
    effective_range: { start: iso(result.time[0]), end: iso(result.time[n - 1]), steps: n, clipped: legReports.some((l) => l.clipped) },
    model_path: models.length === 1 ? models[0] : null,
    model_paths: Object.fromEntries(prepared.map(({ leg, model }) => [leg.symbol, model.model_path])),
    ...(inference ? { inference: inference.engine, inference_backend: inference.backend } : {}),
    artifacts: { trades: join(dir, 'trades.json'), equity_curve: join(dir, 'equity.json'), fills: join(dir, 'fills.json') },
    null_reasons: nullReasons,
  };
  bridge.update(100, `Portfolio backtest complete: ${trades.length} ${trades.length === 1 ? 'trade' : 'trades'} over ${symbols.length} legs, return ${(m.total_return_pct * 100).toFixed(2)}%`, {
    context: { phase: 'completed' },
  });
  // A result that does not match its schema (a NaN, a renamed field, a null without its reason) fails the job here, by name.
  return validatePortfolioResult(results);
}

export const portfolioBacktestJob: Job = async ({ spec, params, bridge, home }) => {
  const deps = defaultDeps(home, { strategyPath: typeof params.strategy_path === 'string' ? params.strategy_path : null, catalog: DEFAULT_CATALOG });
  const results = await runPortfolioBacktestJob({ params: portfolioParams(params), deps, bridge, home, operationId: spec.operationId });
  return { results, summary: results };
};
