// Walk-forward: per fold, train on the training window (the strategy's own validation/test split
// inside it), then backtest the next, strictly later window with that fold's model. Optionally an
// in-sample backtest of the same model over its training window (for the Sharpe degradation ratio).
//
// Slots: `_plan` (folds, frozen strategy), `fold-<k>/train`, `fold-<k>/backtest`, `fold-<k>/is_backtest`.
import { curveMetrics, stability, stitchEquity, type EquitySegment } from '../../core/experiments/aggregate';
import { timeframeMs } from '../../core/timeframes';
import { backtestRequest, extractBacktest, extractTraining, trainingRequest, type BacktestCosts } from './child-requests';
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
  next(ctx) {
    const { folds, strategy_path, strategy_yaml } = plan(ctx);
    const r = ctx.request;
    const costs: BacktestCosts = { initial_capital: r.backtest.initial_capital, commission: r.backtest.commission, slippage: r.backtest.slippage, position_size: r.backtest.position_size };
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
          costs,
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
    const ok = (results.folds as any[]).filter((f) => f.status === 'completed').length;
    if (ok === 0) return { status: 'failed', message: `No fold completed (${(results.folds as any[]).map((f) => `fold ${f.fold + 1}: ${f.error ?? f.status}`).join('; ')})` };
    const { stitched_equity: _curve, ...summary } = results;
    return { status: 'completed', results, summary: { ...summary, folds: undefined, fold_count: (results.folds as any[]).length, completed_folds: ok } };
  },
};

function walkForwardResults(ctx: KindContext): Record<string, unknown> {
  const { folds } = plan(ctx);
  const r = ctx.request;
  const rows = folds.map((f) => {
    const train = ctx.slots.get(slotKey(f.index, 'train'));
    const bt = ctx.slots.get(slotKey(f.index, 'backtest'));
    const is = ctx.slots.get(slotKey(f.index, 'is_backtest'));
    const m = bt?.status === 'completed' ? bt.data.metrics : null;
    const status = !train
      ? ctx.running.has(slotKey(f.index, 'train'))
        ? 'training'
        : 'pending'
      : train.status !== 'completed'
        ? train.status
        : !bt
          ? ctx.running.has(slotKey(f.index, 'backtest'))
            ? 'backtesting'
            : 'queued'
          : bt.status;
    return {
      fold: f.index,
      status,
      error: train?.status && train.status !== 'completed' ? (train.data?.error ?? null) : bt && bt.status !== 'completed' ? (bt.data?.error ?? null) : null,
      train_start: f.train_start,
      train_end: f.train_end,
      test_start: f.test_start,
      test_end: f.test_end,
      train_bars: f.train_bars,
      test_bars: f.test_bars,
      training_operation_id: train?.child_id ?? ctx.running.get(slotKey(f.index, 'train')) ?? null,
      backtest_operation_id: bt?.child_id ?? ctx.running.get(slotKey(f.index, 'backtest')) ?? null,
      model_path: train?.status === 'completed' ? train.data.model_path : null,
      train_metrics: train?.status === 'completed' ? train.data : null,
      oos_metrics: m
        ? {
            total_return: m.total_return_pct,
            annualized_return: m.annualized_return,
            sharpe_ratio: m.sharpe_ratio,
            sortino_ratio: m.sortino_ratio,
            max_drawdown: m.max_drawdown_pct,
            total_trades: m.total_trades,
            win_rate: m.win_rate,
            profit_factor: m.profit_factor,
            exposure: m.exposure,
          }
        : null,
      oos_benchmark: bt?.status === 'completed' ? bt.data.benchmark : null,
      significance: bt?.status === 'completed' ? bt.data.significance : null,
      in_sample_metrics: is?.status === 'completed' ? { total_return: is.data.metrics.total_return_pct, annualized_return: is.data.metrics.annualized_return, sharpe_ratio: is.data.metrics.sharpe_ratio } : null,
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
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const oosSharpe = avg(done.map((x) => x.oos_metrics!.sharpe_ratio));
  const isRows = rows.filter((x) => x.in_sample_metrics && x.oos_metrics);
  const isSharpe = avg(isRows.map((x) => x.in_sample_metrics!.sharpe_ratio));
  const trainAcc = avg(rows.filter((x) => x.train_metrics?.train_accuracy != null && x.train_metrics?.test_accuracy != null).map((x) => x.train_metrics!.train_accuracy));
  const testAcc = avg(rows.filter((x) => x.train_metrics?.train_accuracy != null && x.train_metrics?.test_accuracy != null).map((x) => x.train_metrics!.test_accuracy));
  const sharpeRatio = isRows.length && isSharpe ? avg(isRows.map((x) => x.oos_metrics!.sharpe_ratio))! / isSharpe : null;
  const accuracyRatio = trainAcc && testAcc !== null ? testAcc / trainAcc : null;
  return {
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
    stitched_metrics: stitched.values.length ? { ...curveMetrics(stitched.time, stitched.values, initial, barMs), final_equity: stitched.final_equity, compounded_fold_return: stitched.total_return } : null,
    stability: {
      total_return: stability(done.map((x) => x.oos_metrics!.total_return)),
      sharpe_ratio: stability(done.map((x) => x.oos_metrics!.sharpe_ratio)),
      profitable_folds: done.filter((x) => x.oos_metrics!.total_return > 0).length,
      profitable_share: done.length ? done.filter((x) => x.oos_metrics!.total_return > 0).length / done.length : null,
    },
    degradation: {
      ratio: sharpeRatio ?? accuracyRatio,
      basis: sharpeRatio !== null ? 'sharpe' : accuracyRatio !== null ? 'accuracy' : null,
      sharpe_ratio: sharpeRatio,
      in_sample_sharpe: isSharpe,
      out_of_sample_sharpe: oosSharpe,
      accuracy_ratio: accuracyRatio,
      train_accuracy: trainAcc,
      held_out_accuracy: testAcc,
    },
  };
}
