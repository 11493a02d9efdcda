// Walk-forward: per fold, train on the training window (the strategy's own validation/test split
// inside it), then backtest the next, strictly later window with that fold's model. Optionally an
// in-sample backtest of the same model over its training window (for the Sharpe degradation ratio).
//
// Slots: `_plan` (folds, frozen strategy), `fold-<k>/train`, `fold-<k>/backtest`, `fold-<k>/is_backtest`.
import { curveMetrics, stability, stitchEquity, type EquitySegment } from '../../core/experiments/aggregate';
import { timeframeMs } from '../../core/timeframes';
import { WALK_FORWARD_SCHEMA_VERSION, walkForwardResultSchema, type WalkForwardFold, type WalkForwardResult } from '../../shared/results/walk-forward';
import type { ChildStatus } from '../../shared/results/experiment-parts';
import { backtestRequest, backtestSettings, extractBacktest, extractTraining, readTrainingSlot, readBacktestSlot, trainingRequest } from './child-requests';
import { readEquity, thin } from './equity-files';
import type { ChildRequest, ExperimentKind, KindContext } from './types';

export interface PlannedFold {
  index: number;
  train_start: string;
  train_end: string;
  test_start: string;
  test_end: string;
  train_bars: number;
  test_bars: number;
}

export interface WalkForwardPlan {
  folds: PlannedFold[];
  strategy_path: string;
  strategy_yaml: string;
}

const STITCHED_MAX_POINTS = 2000;

const slotKey = (k: number, step: 'train' | 'backtest' | 'is_backtest') => `fold-${k}/${step}`;

function plan(ctx: KindContext): WalkForwardPlan {
  const p = ctx.slots.get('_plan')?.data as WalkForwardPlan | undefined;
  if (!p) throw new Error('walk-forward plan missing');
  return p;
}

function steps(ctx: KindContext): ('train' | 'backtest' | 'is_backtest')[] {
  return ctx.request.backtest?.in_sample ? ['train', 'backtest', 'is_backtest'] : ['train', 'backtest'];
}

export const walkForwardKind: ExperimentKind = {
  schema: walkForwardResultSchema,

  slotWarnings(slot, data) {
    return slot.endsWith('/train') ? readTrainingSlot(data).warnings.map((w) => `${foldLabel(slot)}: ${w}`) : [];
  },

  next(ctx) {
    const { folds, strategy_path, strategy_yaml } = plan(ctx);
    const r = ctx.request;
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
          modelPath: train.data.model_path,
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

  extract(slot, results) {
    return slot.endsWith('/train') ? extractTraining(results) : extractBacktest(results);
  },

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

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function walkForwardResults(ctx: KindContext): WalkForwardResult {
  const { folds } = plan(ctx);
  const r = ctx.request;
  const rows: WalkForwardFold[] = folds.map((f) => {
    const train = ctx.slots.get(slotKey(f.index, 'train'));
    const bt = ctx.slots.get(slotKey(f.index, 'backtest'));
    const is = ctx.slots.get(slotKey(f.index, 'is_backtest'));
    const tr = train?.status === 'completed' ? readTrainingSlot(train.data) : null;
    const oos = bt?.status === 'completed' ? readBacktestSlot(bt.data) : null;
    const error = train?.status && train.status !== 'completed' ? (train.data?.error ?? null) : bt && bt.status !== 'completed' ? (bt.data?.error ?? null) : null;
    return {
      fold: f.index,
      status: foldStatus(ctx, f.index),
      error: typeof error === 'string' ? error : null,
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
      in_sample_metrics: is?.status === 'completed' ? readBacktestSlot(is.data).metrics : null,
    };
  });

  // Stitched out-of-sample equity: completed folds in order, each compounding on the previous.
  const initial = Number(r.backtest.initial_capital);
  const segments: (EquitySegment & { fold: number })[] = [];
  for (const f of folds) {
    const bt = ctx.slots.get(slotKey(f.index, 'backtest'));
    if (bt?.status !== 'completed' || !bt.child_id) continue;
    const eq = readEquity(ctx.home, bt.child_id);
    if (eq) segments.push({ ...eq, fold: f.index });
  }
  const stitched = stitchEquity(segments, initial);
  const barMs = timeframeMs(r.base_timeframe) ?? 3_600_000;
  const idx = thin([...stitched.values.keys()], STITCHED_MAX_POINTS);
  const done = rows.filter((x) => x.oos_metrics);
  const defined = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

  // Degradation: out-of-sample vs in-sample Sharpe when in-sample backtests ran, else held-out vs train accuracy.
  const paired = rows.filter((x) => x.in_sample_metrics?.sharpe_ratio != null && x.oos_metrics?.sharpe_ratio != null);
  const isSharpe = mean(paired.map((x) => x.in_sample_metrics!.sharpe_ratio!));
  const oosSharpeAll = mean(defined(done.map((x) => x.oos_metrics!.sharpe_ratio)));
  const sharpeRatio = paired.length && isSharpe ? mean(paired.map((x) => x.oos_metrics!.sharpe_ratio!))! / isSharpe : null;
  const accRows = rows.filter((x) => x.train_metrics?.train_accuracy != null && x.train_metrics?.test_accuracy != null);
  const trainAcc = mean(accRows.map((x) => x.train_metrics!.train_accuracy!));
  const testAcc = mean(accRows.map((x) => x.train_metrics!.test_accuracy!));
  const accuracyRatio = trainAcc && testAcc !== null ? testAcc / trainAcc : null;
  const degradationReasons: Record<string, string> = {};
  if (sharpeRatio === null) degradationReasons.sharpe_ratio = r.backtest?.in_sample ? (paired.length ? 'the in-sample Sharpe averages 0' : 'no fold has both Sharpe ratios defined') : 'needs in-sample backtests (backtest.in_sample: true)';
  if (isSharpe === null) degradationReasons.in_sample_sharpe = degradationReasons.sharpe_ratio;
  if (oosSharpeAll === null) degradationReasons.out_of_sample_sharpe = done.length ? 'no fold has a defined Sharpe ratio (no trades)' : 'no fold finished';
  if (accuracyRatio === null) degradationReasons.accuracy_ratio = accRows.length ? 'the train accuracy averages 0' : 'no fold has both train and test accuracy';
  if (trainAcc === null) degradationReasons.train_accuracy = 'no fold has both train and test accuracy';
  if (testAcc === null) degradationReasons.held_out_accuracy = 'no fold has both train and test accuracy';
  const ratio = sharpeRatio ?? accuracyRatio;
  if (ratio === null) degradationReasons.ratio = 'neither an in-sample Sharpe nor train and test accuracies to compare';

  const curve = stitched.values.length ? curveMetrics(stitched.time, stitched.values, initial, barMs) : null;
  const costed = rows.filter((x) => x.oos_costs);
  const sum = (k: 'gross_pnl' | 'commission' | 'spread_cost' | 'slippage_cost' | 'net_pnl') => costed.reduce((a, x) => a + x.oos_costs![k], 0);
  const warnings = rows.flatMap((x) => (x.train_metrics?.warnings ?? []).map((message) => ({ source: `fold ${x.fold + 1}`, message })));
  const returns = defined(done.map((x) => x.oos_metrics!.total_return_pct));
  return {
    schema_version: WALK_FORWARD_SCHEMA_VERSION,
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
      ? { gross_pnl: sum('gross_pnl'), commission: sum('commission'), spread_cost: sum('spread_cost'), slippage_cost: sum('slippage_cost'), net_pnl: sum('net_pnl'), currency: costed[0].oos_costs!.currency, folds: costed.length }
      : null,
    stability: {
      total_return: stability(returns),
      sharpe_ratio: stability(done.map((x) => x.oos_metrics!.sharpe_ratio)),
      profitable_folds: returns.filter((x) => x > 0).length,
      profitable_share: returns.length ? returns.filter((x) => x > 0).length / returns.length : null,
    },
    degradation: {
      ratio,
      basis: sharpeRatio !== null ? 'sharpe' : accuracyRatio !== null ? 'accuracy' : null,
      sharpe_ratio: sharpeRatio,
      in_sample_sharpe: isSharpe,
      out_of_sample_sharpe: oosSharpeAll,
      accuracy_ratio: accuracyRatio,
      train_accuracy: trainAcc,
      held_out_accuracy: testAcc,
      null_reasons: degradationReasons,
    },
    warnings,
    null_reasons: curve ? {} : { stitched_metrics: 'no fold finished its out-of-sample backtest', ...(costed.length ? {} : { costs_total: 'no fold finished its out-of-sample backtest' }) },
  };
}
