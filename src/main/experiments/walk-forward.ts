// Walk-forward: per fold, train on the training window (the strategy's own validation/test split
// inside it), then backtest the next, strictly later window with that fold's model. Optionally an
// in-sample backtest of the same model over its training window (for the Sharpe degradation ratio).
//
// Slots: `_plan` (folds, frozen strategy), `fold-<k>/train`, `fold-<k>/backtest`, `fold-<k>/is_backtest`.
import { z } from 'zod';
import { curveMetrics, stability, stitchEquity, type EquitySegment } from '../../core/experiments/aggregate';
import { timeframeMs } from '../../core/timeframes';
import type { NullReasons } from '../../shared/results/common';
import type { BacktestMetricsSummary, ChildStatus } from '../../shared/results/experiment-parts';
import { validateWalkForwardResult, WALK_FORWARD_RESULT_VERSION, type WalkForwardFold, type WalkForwardResult } from '../../shared/results/walk-forward';
import { backtestRequest, backtestSettings, extractSlot, readBacktestSlot, readTrainingSlot, trainingRequest } from './child-requests';
import { readEquity, thin } from './equity-files';
import { slotError } from './slot-store';
import { readRequest, walkForwardRequestSchema, type ChildRequest, type ExperimentKind, type KindContext, type WalkForwardRequest } from './types';

const plannedFoldSchema = z.object({
  index: z.number().int().min(0),
  train_start: z.string(),
  train_end: z.string(),
  test_start: z.string(),
  test_end: z.string(),
  train_bars: z.number().int().min(0),
  test_bars: z.number().int().min(0),
});
export type PlannedFold = z.output<typeof plannedFoldSchema>;

/** The `_plan` slot the route writes before the first child starts. */
export const walkForwardPlanSchema = z.object({ folds: z.array(plannedFoldSchema), strategy_path: z.string(), strategy_yaml: z.string() });
export type WalkForwardPlan = z.output<typeof walkForwardPlanSchema>;

const STITCHED_MAX_POINTS = 2000;

const slotKey = (k: number, step: 'train' | 'backtest' | 'is_backtest') => `fold-${k}/${step}`;

function plan(ctx: KindContext): WalkForwardPlan {
  const p = walkForwardPlanSchema.safeParse(ctx.slots.get('_plan')?.data);
  if (!p.success) throw new Error('walk-forward plan missing (or written by an older version: retry the experiment)');
  return p.data;
}

const requestOf = (ctx: KindContext): WalkForwardRequest => readRequest(walkForwardRequestSchema, ctx.request);

function steps(ctx: KindContext): ('train' | 'backtest' | 'is_backtest')[] {
  return requestOf(ctx).backtest.in_sample ? ['train', 'backtest', 'is_backtest'] : ['train', 'backtest'];
}

export const walkForwardKind: ExperimentKind = {
  validate: validateWalkForwardResult,

  slotWarnings(slot, data) {
    return slot.endsWith('/train') ? readTrainingSlot(data).warnings.map((w) => `${foldLabel(slot)}: ${w}`) : [];
  },

  next(ctx) {
    const { folds, strategy_path, strategy_yaml } = plan(ctx);
    const r = requestOf(ctx);
    const settings = backtestSettings(r.backtest);
    for (const f of folds) {
      const tk = slotKey(f.index, 'train');
      const train = ctx.slots.get(tk);
      const extra = { fold: f.index, folds: folds.length, strategy_name: r.strategy_name };
      if (!train) {
        if (ctx.running.has(tk)) continue;
        return trainingRequest({ slot: tk, strategyName: r.model_name, strategyPath: strategy_path, strategyYaml: strategy_yaml, symbols: r.symbols, timeframes: r.timeframes, start: f.train_start, end: f.train_end, role: 'walk_forward_train', extra });
      }
      for (const step of steps(ctx).slice(1) as ('backtest' | 'is_backtest')[]) {
        const key = slotKey(f.index, step);
        if (ctx.slots.has(key) || ctx.running.has(key)) continue;
        if (train.status !== 'completed') {
          ctx.record(key, null, 'skipped', { error: `training ${train.status}` });
          continue;
        }
        const oos = step === 'backtest';
        const req: ChildRequest = backtestRequest({
          slot: key,
          strategyName: r.model_name,
          strategyPath: strategy_path,
          symbol: r.backtest_symbol,
          timeframe: r.base_timeframe,
          start: oos ? f.test_start : f.train_start,
          end: oos ? f.test_end : f.train_end,
          modelPath: readTrainingSlot(train.data).model_path,
          settings,
          inSample: !oos,
          role: oos ? 'walk_forward_oos_backtest' : 'walk_forward_is_backtest',
          extra,
        });
        return req;
      }
    }
    return null;
  },

  extract: extractSlot,

  done(ctx) {
    const { folds } = plan(ctx);
    return folds.every((f) => steps(ctx).every((s) => ctx.slots.has(slotKey(f.index, s))));
  },

  progress(ctx) {
    const { folds } = plan(ctx);
    const st = steps(ctx);
    const total = folds.length * st.length;
    let done = 0;
    for (const f of folds) for (const s of st) if (ctx.slots.has(slotKey(f.index, s))) done++;
    let partial = 0;
    for (const id of ctx.running.values()) partial += ctx.childPercentage(id) / 100;
    const current = folds.find((f) => st.some((s) => !ctx.slots.has(slotKey(f.index, s))));
    let step = 'finishing';
    if (current) {
      const phase = ctx.running.has(slotKey(current.index, 'train'))
        ? 'training'
        : ctx.running.has(slotKey(current.index, 'backtest')) || ctx.running.has(slotKey(current.index, 'is_backtest'))
          ? 'backtesting'
          : 'queued';
      step = `Fold ${current.index + 1}/${folds.length} · ${phase}`;
    }
    return {
      percentage: Math.min(99, (100 * (done + partial)) / Math.max(1, total)),
      current_step: step,
      message: step,
      steps_completed: done,
      steps_total: total,
      items_processed: folds.filter((f) => st.every((s) => ctx.slots.has(slotKey(f.index, s)))).length,
      items_total: folds.length,
      current_item: current ? `fold ${current.index + 1}` : null,
      context: { running_children: [...ctx.running.values()] },
    };
  },

  results(ctx) {
    return walkForwardResults(ctx);
  },

  finish(ctx) {
    const results = walkForwardResults(ctx);
    const ok = results.folds.filter((f) => f.status === 'completed').length;
    if (ok === 0) return { status: 'failed', message: `No fold completed (${results.folds.map((f) => `fold ${f.fold + 1}: ${f.error ?? f.status}`).join('; ')})` };
    const { stitched_equity: _curve, folds: _folds, ...summary } = results;
    return { status: 'completed', results, summary: { ...summary, fold_count: results.folds.length, completed_folds: ok } };
  },
};

const foldLabel = (slot: string) => `Fold ${Number(/^fold-(\d+)/.exec(slot)?.[1] ?? 0) + 1}`;

function foldStatus(ctx: KindContext, k: number): ChildStatus {
  const train = ctx.slots.get(slotKey(k, 'train'));
  if (!train) return ctx.running.has(slotKey(k, 'train')) ? 'training' : 'pending';
  if (train.status !== 'completed') return train.status as ChildStatus;
  const bt = ctx.slots.get(slotKey(k, 'backtest'));
  if (!bt) return ctx.running.has(slotKey(k, 'backtest')) ? 'backtesting' : 'queued';
  return bt.status as ChildStatus;
}

/** The mean of the values that are defined (nulls left out, never added as 0), with how many counted. */
function meanOfDefined(xs: readonly (number | null)[]): { mean: number | null; n: number } {
  const v = xs.filter((x): x is number => x !== null);
  return { mean: v.length ? v.reduce((a, b) => a + b, 0) / v.length : null, n: v.length };
}

/** Why a fold's block is null: its slot's state (not started, failed with …, skipped, not requested). */
function blockReason(ctx: KindContext, k: number, step: 'train' | 'backtest' | 'is_backtest'): string {
  const rec = ctx.slots.get(slotKey(k, step));
  if (step === 'is_backtest' && !steps(ctx).includes('is_backtest')) return 'no in-sample backtest requested (backtest.in_sample: false)';
  if (!rec) return ctx.running.has(slotKey(k, step)) ? `${step === 'train' ? 'training' : 'backtesting'}…` : 'not run yet';
  return `${step === 'train' ? 'training' : step === 'backtest' ? 'out-of-sample backtest' : 'in-sample backtest'} ${rec.status}${slotError(rec) ? `: ${slotError(rec)}` : ''}`;
}

/**
 * Mean out-of-sample ÷ mean in-sample Sharpe over the folds that have both (when in-sample backtests
 * ran), else mean held-out ÷ mean train accuracy over the folds that have both. A fold whose value is
 * undefined is left out and the counts say how many folds each mean is over.
 */
function degradation(rows: WalkForwardFold[], inSampleRequested: boolean): WalkForwardResult['degradation'] {
  const reasons: NullReasons = {};
  const paired = rows.flatMap((x) => (x.in_sample_metrics?.sharpe_ratio != null && x.oos_metrics?.sharpe_ratio != null ? [{ is: x.in_sample_metrics.sharpe_ratio, oos: x.oos_metrics.sharpe_ratio }] : []));
  const isSharpe = meanOfDefined(paired.map((p) => p.is)).mean;
  const oosSharpe = meanOfDefined(paired.map((p) => p.oos)).mean;
  let sharpeRatio: number | null = null;
  if (!inSampleRequested) reasons.sharpe_ratio = 'needs in-sample backtests (backtest.in_sample: true)';
  else if (!paired.length) reasons.sharpe_ratio = 'no fold has both an in-sample and an out-of-sample Sharpe ratio';
  else if (!(isSharpe! > 0)) reasons.sharpe_ratio = `the in-sample Sharpe averages ${isSharpe!.toFixed(2)}: a ratio to a Sharpe that is not positive does not measure decay`;
  else sharpeRatio = oosSharpe! / isSharpe!;
  if (isSharpe === null) reasons.in_sample_sharpe = inSampleRequested ? 'no fold has both Sharpe ratios' : 'needs in-sample backtests (backtest.in_sample: true)';
  if (oosSharpe === null) reasons.out_of_sample_sharpe = reasons.in_sample_sharpe;

  const acc = rows.flatMap((x) => (x.train_metrics && x.train_metrics.test_accuracy !== null ? [{ train: x.train_metrics.train_accuracy, test: x.train_metrics.test_accuracy }] : []));
  const trainAcc = meanOfDefined(acc.map((a) => a.train)).mean;
  const testAcc = meanOfDefined(acc.map((a) => a.test)).mean;
  let accuracyRatio: number | null = null;
  if (!acc.length) reasons.accuracy_ratio = 'no fold has both a train and a test-split accuracy';
  else if (!(trainAcc! > 0)) reasons.accuracy_ratio = 'the train accuracy averages 0';
  else accuracyRatio = testAcc! / trainAcc!;
  if (trainAcc === null) reasons.train_accuracy = 'no fold has both a train and a test-split accuracy';
  if (testAcc === null) reasons.held_out_accuracy = 'no fold has both a train and a test-split accuracy';

  const ratio = sharpeRatio ?? accuracyRatio;
  const basis = sharpeRatio !== null ? 'sharpe' : accuracyRatio !== null ? 'accuracy' : null;
  if (ratio === null) reasons.ratio = `neither a Sharpe degradation (${reasons.sharpe_ratio}) nor an accuracy degradation (${reasons.accuracy_ratio})`;
  if (basis === null) reasons.basis = 'no ratio could be computed';
  return {
    ratio,
    basis,
    sharpe_ratio: sharpeRatio,
    in_sample_sharpe: isSharpe,
    out_of_sample_sharpe: oosSharpe,
    sharpe_folds: paired.length,
    accuracy_ratio: accuracyRatio,
    train_accuracy: trainAcc,
    held_out_accuracy: testAcc,
    accuracy_folds: acc.length,
    null_reasons: reasons,
  };
}

/** Why the folds' statistics of a metric are null: no fold finished, or none has the value defined (with the folds' own reasons). */
function noneReason(done: BacktestMetricsSummary[], key: 'total_return_pct' | 'sharpe_ratio'): string {
  if (!done.length) return 'no fold finished its out-of-sample backtest';
  const why = [...new Set(done.map((m) => m.null_reasons[key] ?? 'undefined'))].join('; ');
  return `no completed fold has a defined ${key === 'sharpe_ratio' ? 'Sharpe ratio' : 'return'} (${why})`;
}

function walkForwardResults(ctx: KindContext): WalkForwardResult {
  const { folds } = plan(ctx);
  const r = requestOf(ctx);
  const inSampleRequested = steps(ctx).includes('is_backtest');
  const rows: WalkForwardFold[] = folds.map((f) => {
    const train = ctx.slots.get(slotKey(f.index, 'train'));
    const bt = ctx.slots.get(slotKey(f.index, 'backtest'));
    const is = ctx.slots.get(slotKey(f.index, 'is_backtest'));
    const tr = train?.status === 'completed' ? readTrainingSlot(train.data) : null;
    const oos = bt?.status === 'completed' ? readBacktestSlot(bt.data) : null;
    const ins = is?.status === 'completed' ? readBacktestSlot(is.data) : null;
    const error = train && train.status !== 'completed' ? slotError(train) : bt && bt.status !== 'completed' ? slotError(bt) : null;
    const reasons: NullReasons = {};
    if (!tr) reasons.train_metrics = blockReason(ctx, f.index, 'train');
    if (!oos) for (const k of ['oos_metrics', 'oos_costs', 'oos_benchmark', 'significance']) reasons[k] = tr ? blockReason(ctx, f.index, 'backtest') : `no model: ${reasons.train_metrics}`;
    else for (const [k, block] of [['oos_costs', 'costs'], ['oos_benchmark', 'benchmark'], ['significance', 'significance']] as const) if (oos[block] === null) reasons[k] = oos.null_reasons[block] ?? 'not recorded by the backtest';
    if (!ins) reasons.in_sample_metrics = blockReason(ctx, f.index, 'is_backtest');
    return {
      fold: f.index,
      status: foldStatus(ctx, f.index),
      error,
      train_start: f.train_start,
      train_end: f.train_end,
      test_start: f.test_start,
      test_end: f.test_end,
      train_bars: f.train_bars,
      test_bars: f.test_bars,
      training_operation_id: train?.child_id ?? ctx.running.get(slotKey(f.index, 'train')) ?? null,
      backtest_operation_id: bt?.child_id ?? ctx.running.get(slotKey(f.index, 'backtest')) ?? null,
      model_path: tr?.model_path ?? null,
      train_metrics: tr,
      oos_metrics: oos?.metrics ?? null,
      oos_costs: oos?.costs ?? null,
      oos_benchmark: oos?.benchmark ?? null,
      significance: oos?.significance ?? null,
      in_sample_metrics: ins?.metrics ?? null,
      null_reasons: reasons,
    };
  });

  // Stitched out-of-sample equity: completed folds in order, each compounding on the previous.
  const initial = r.backtest.initial_capital;
  const segments: (EquitySegment & { fold: number })[] = [];
  const warnings = rows.flatMap((x) => (x.train_metrics?.warnings ?? []).map((message) => ({ source: `fold ${x.fold + 1}`, message })));
  for (const f of folds) {
    const bt = ctx.slots.get(slotKey(f.index, 'backtest'));
    if (bt?.status !== 'completed' || !bt.child_id) continue;
    const eq = readEquity(ctx.home, bt.child_id);
    if (eq) segments.push({ ...eq, fold: f.index });
    else warnings.push({ source: `fold ${f.index + 1}`, message: `The equity curve of backtest ${bt.child_id} is missing: this fold is left out of the stitched equity` });
  }
  const stitched = stitchEquity(segments, initial);
  // The bar length annualises the stitched curve: an unknown timeframe is an error, never a guessed hour.
  const barMs = timeframeMs(r.base_timeframe);
  if (barMs === null) throw new Error(`the walk-forward's base timeframe '${r.base_timeframe}' is not a timeframe`);
  const idx = thin([...stitched.values.keys()], STITCHED_MAX_POINTS);
  const done = rows.flatMap((x) => (x.oos_metrics ? [x.oos_metrics] : []));
  const curve = stitched.values.length ? curveMetrics(stitched.time, stitched.values, initial, barMs) : null;
  const costed = rows.flatMap((x) => (x.oos_costs ? [x.oos_costs] : []));
  const sum = (k: 'gross_pnl' | 'commission' | 'spread_cost' | 'slippage_cost' | 'net_pnl') => costed.reduce((a, c) => a + c[k], 0);
  const returns = stability(
    done.map((m) => m.total_return_pct),
    noneReason(done, 'total_return_pct'),
  );
  const profitable = done.filter((m) => m.total_return_pct > 0).length;
  const nullReasons: NullReasons = {};
  if (!curve) nullReasons.stitched_metrics = done.length ? 'no completed fold has its equity curve' : 'no fold finished its out-of-sample backtest';
  if (!costed.length) nullReasons.costs_total = done.length ? 'no completed fold recorded its costs' : 'no fold finished its out-of-sample backtest';
  return {
    schema_version: WALK_FORWARD_RESULT_VERSION,
    kind: 'walk_forward',
    strategy_name: r.strategy_name,
    symbol: r.backtest_symbol,
    timeframe: r.base_timeframe,
    settings: { train_window: r.train_window, test_window: r.test_window, step: r.step ?? r.test_window, anchored: r.anchored, embargo_bars: r.embargo_bars, backtest: r.backtest },
    folds: rows,
    stitched_equity: {
      initial_capital: initial,
      final_equity: stitched.final_equity,
      total_points: stitched.values.length,
      timestamps: idx.map((i) => new Date(stitched.time[i]).toISOString()),
      values: idx.map((i) => stitched.values[i]),
      fold: idx.map((i) => segments[stitched.fold[i]]?.fold ?? stitched.fold[i]),
    },
    stitched_metrics: curve ? { ...curve, final_equity: stitched.final_equity, compounded_fold_return: stitched.total_return } : null,
    costs_total: costed.length
      ? { gross_pnl: sum('gross_pnl'), commission: sum('commission'), spread_cost: sum('spread_cost'), slippage_cost: sum('slippage_cost'), net_pnl: sum('net_pnl'), currency: costed[0].currency, folds: costed.length }
      : null,
    stability: {
      total_return: returns,
      sharpe_ratio: stability(
        done.map((m) => m.sharpe_ratio),
        noneReason(done, 'sharpe_ratio'),
      ),
      profitable_folds: profitable,
      profitable_share: returns.folds ? profitable / returns.folds : null,
      null_reasons: returns.folds ? {} : { profitable_share: returns.null_reasons.mean ?? 'no fold finished its out-of-sample backtest' },
    },
    degradation: degradation(rows, inSampleRequested),
    warnings,
    null_reasons: nullReasons,
  };
}
