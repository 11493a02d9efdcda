// Parameter sweeps: each trial sets the search-space paths in the strategy YAML, validates the result
// (an invalid one is a failed trial, never a failed sweep), trains it on the training range and
// backtests the model on the final holdout (the last `holdout` share of the bars, never seen in
// training). Objectives come from the training (val/test accuracy) or the holdout backtest (oos_*).
// The holdout curves of all trials feed the Deflated Sharpe Ratio and the PBO.
//
// Slots: `_plan` (base strategy, ranges), `trial-<k>/spec` (sampled params + YAML), `trial-<k>/train`,
// `trial-<k>/holdout`.
import { curveReturns, parameterImportance } from '../../core/experiments/aggregate';
import { sampleRandom, sampleTpe, DEFAULT_TPE, type FinishedTrial } from '../../core/experiments/samplers';
import { applyParams, parseSpace, type ParamValue } from '../../core/experiments/space';
import { deflatedSharpe, moments, sampleVariance, sharpeRatio } from '../../core/stats/deflated-sharpe';
import { probabilityOfBacktestOverfitting } from '../../core/stats/pbo';
import { parseForTraining } from '../../infra/models/training-inputs';
import { backtestRequest, extractBacktest, extractTraining, trainingRequest } from './child-requests';
import { readEquity } from './equity-files';
import type { ExperimentKind, KindContext } from './types';

export const OBJECTIVES = {
  val_accuracy: { source: 'train', label: 'Validation accuracy (best epoch)' },
  test_accuracy: { source: 'train', label: 'Test-split accuracy inside the training range' },
  oos_sharpe: { source: 'holdout', label: 'Sharpe ratio of the holdout backtest (annualised)' },
  oos_return: { source: 'holdout', label: 'Total return of the holdout backtest' },
  oos_sortino: { source: 'holdout', label: 'Sortino ratio of the holdout backtest' },
  oos_calmar: { source: 'holdout', label: 'Calmar ratio of the holdout backtest' },
  oos_profit_factor: { source: 'holdout', label: 'Profit factor of the holdout backtest' },
} as const;
export type ObjectiveName = keyof typeof OBJECTIVES;

export interface SweepPlan {
  strategy_yaml: string;
  strategy_path: string;
  train_start: string;
  train_end: string;
  holdout_start: string | null;
  holdout_end: string | null;
  holdout_bars: number;
  /** Grid sweeps: the points in their seeded order. */
  grid?: Record<string, ParamValue>[];
}

/** Writes a trial's strategy file; injected so this module stays free of fs. */
export type TrialFileWriter = (parentId: string, name: string, text: string) => string;

const key = (k: number, step: 'spec' | 'train' | 'holdout') => `trial-${k}/${step}`;

function plan(ctx: KindContext): SweepPlan {
  const p = ctx.slots.get('_plan')?.data as SweepPlan | undefined;
  if (!p) throw new Error('sweep plan missing');
  return p;
}

function objectiveOf(ctx: KindContext, k: number): number | null {
  const obj = ctx.request.objective as ObjectiveName;
  const train = ctx.slots.get(key(k, 'train'));
  if (train?.status !== 'completed') return null;
  const v = (() => {
    if (obj === 'val_accuracy') return train.data.val_accuracy;
    if (obj === 'test_accuracy') return train.data.test_accuracy;
    const h = ctx.slots.get(key(k, 'holdout'));
    if (h?.status !== 'completed') return null;
    const m = h.data.metrics ?? {};
    return { oos_sharpe: m.sharpe_ratio, oos_return: m.total_return_pct, oos_sortino: m.sortino_ratio, oos_calmar: m.calmar_ratio, oos_profit_factor: m.profit_factor }[obj as 'oos_sharpe'];
  })();
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function trialDone(ctx: KindContext, k: number): boolean {
  const spec = ctx.slots.get(key(k, 'spec'));
  if (!spec) return false;
  const train = ctx.slots.get(key(k, 'train'));
  if (!train) return false;
  return !ctx.request.holdout || ctx.slots.has(key(k, 'holdout'));
}

function trialStatus(ctx: KindContext, k: number): string {
  if (!ctx.slots.has(key(k, 'spec'))) return 'pending';
  const train = ctx.slots.get(key(k, 'train'));
  if (!train) return ctx.running.has(key(k, 'train')) ? 'training' : 'queued';
  if (train.status !== 'completed') return train.status;
  if (!ctx.request.holdout) return 'completed';
  const h = ctx.slots.get(key(k, 'holdout'));
  if (!h) return ctx.running.has(key(k, 'holdout')) ? 'backtesting' : 'queued';
  return h.status;
}

export function sweepKind(writeFile: TrialFileWriter): ExperimentKind {
  const sample = (ctx: KindContext, k: number): Record<string, ParamValue> => {
    const r = ctx.request;
    const { space } = parseSpace(r.space);
    if (r.sampler === 'grid') return plan(ctx).grid![k];
    if (r.sampler === 'random') return sampleRandom(space, r.seed, k);
    const history: FinishedTrial[] = [];
    for (let j = 0; j < r.trials; j++) {
      const v = objectiveOf(ctx, j);
      const spec = ctx.slots.get(key(j, 'spec'));
      if (v !== null && spec) history.push({ number: j, params: spec.data.params, value: v });
    }
    return sampleTpe(space, history, r.seed, k, { ...DEFAULT_TPE, nStartupTrials: r.tpe_startup_trials ?? DEFAULT_TPE.nStartupTrials });
  };

  return {
    next(ctx) {
      const r = ctx.request;
      const p = plan(ctx);
      const costs = { initial_capital: r.backtest.initial_capital, commission: r.backtest.commission, slippage: r.backtest.slippage, position_size: r.backtest.position_size };
      for (let k = 0; k < r.trials; k++) {
        let spec = ctx.slots.get(key(k, 'spec'));
        const extra = { trial: k, trials: r.trials };
        if (!spec) {
          const params = sample(ctx, k);
          let yaml: string | null = null;
          let errors: string[] = [];
          try {
            yaml = applyParams(p.strategy_yaml, params);
            const parsed = parseForTraining(yaml, r.strategy_name, { symbols: r.symbols, timeframes: r.timeframes });
            if (!('strategy' in parsed)) errors = parsed.errors;
          } catch (err) {
            errors = [(err as Error).message];
          }
          const path = yaml ? writeFile(ctx.parentId, `trial-${String(k).padStart(3, '0')}.yaml`, yaml) : null;
          ctx.record(key(k, 'spec'), null, 'data', { params, yaml, yaml_path: path, valid: errors.length === 0, errors });
          if (errors.length) {
            ctx.record(key(k, 'train'), null, 'failed', { error: `Invalid strategy: ${errors.join('; ')}` });
            continue;
          }
          spec = ctx.slots.get(key(k, 'spec'))!;
        }
        const tk = key(k, 'train');
        const train = ctx.slots.get(tk);
        if (!train) {
          if (ctx.running.has(tk)) continue;
          return trainingRequest({ slot: tk, strategyName: r.model_name, strategyPath: spec.data.yaml_path, strategyYaml: spec.data.yaml, symbols: r.symbols, timeframes: r.timeframes, start: p.train_start, end: p.train_end, role: 'sweep_train', extra: { ...extra, strategy_name: r.strategy_name } });
        }
        if (!r.holdout) continue;
        const hk = key(k, 'holdout');
        if (ctx.slots.has(hk) || ctx.running.has(hk)) continue;
        if (train.status !== 'completed') {
          ctx.record(hk, null, 'skipped', { error: `training ${train.status}` });
          continue;
        }
        return backtestRequest({ slot: hk, strategyName: r.model_name, strategyPath: spec.data.yaml_path, symbol: r.backtest_symbol, timeframe: r.base_timeframe, start: p.holdout_start!, end: p.holdout_end!, modelPath: train.data.model_path, costs, role: 'sweep_holdout_backtest', extra: { ...extra, strategy_name: r.strategy_name } });
      }
      return null;
    },

    extract(slot, results) {
      return slot.endsWith('/train') ? extractTraining(results) : extractBacktest(results);
    },

    done(ctx) {
      for (let k = 0; k < ctx.request.trials; k++) if (!trialDone(ctx, k)) return false;
      return true;
    },

    progress(ctx) {
      const n = ctx.request.trials;
      let done = 0;
      for (let k = 0; k < n; k++) if (trialDone(ctx, k)) done++;
      let partial = 0;
      const perTrial = ctx.request.holdout ? 2 : 1;
      for (const id of ctx.running.values()) partial += ctx.childPercentage(id) / 100 / perTrial;
      const started = [...Array(n).keys()].filter((k) => ctx.slots.has(key(k, 'spec'))).length;
      const best = bestTrial(ctx);
      const step = `Trial ${Math.min(n, Math.max(done + 1, started))}/${n}${ctx.running.size ? ` · ${ctx.running.size} running` : ''}${best ? ` · best ${best.objective.toPrecision(4)}` : ''}`;
      return {
        percentage: Math.min(99, (100 * (done + partial)) / Math.max(1, n)),
        current_step: step,
        message: step,
        steps_completed: done,
        steps_total: n,
        items_processed: done,
        items_total: n,
        current_item: null,
        context: { running_children: [...ctx.running.values()], best_trial: best?.trial ?? null },
      };
    },

    results(ctx) {
      return sweepResults(ctx);
    },

    finish(ctx) {
      const results = sweepResults(ctx);
      const trials = results.trials as any[];
      if (!trials.some((t) => t.status === 'completed')) return { status: 'failed', message: `Every trial failed (${trials.map((t) => `#${t.trial}: ${t.error ?? t.status}`).slice(0, 5).join('; ')})` };
      const { trials: _t, importance: _i, ...summary } = results;
      return { status: 'completed', results, summary: { ...summary, completed_trials: trials.filter((t) => t.status === 'completed').length } };
    },
  };
}

function bestTrial(ctx: KindContext): { trial: number; objective: number } | null {
  let best: { trial: number; objective: number } | null = null;
  for (let k = 0; k < ctx.request.trials; k++) {
    if (trialStatus(ctx, k) !== 'completed') continue;
    const v = objectiveOf(ctx, k);
    if (v !== null && (!best || v > best.objective)) best = { trial: k, objective: v };
  }
  return best;
}

function sweepResults(ctx: KindContext): Record<string, unknown> {
  const r = ctx.request;
  const p = plan(ctx);
  const rows = [...Array(r.trials).keys()].map((k) => {
    const spec = ctx.slots.get(key(k, 'spec'));
    const train = ctx.slots.get(key(k, 'train'));
    const h = ctx.slots.get(key(k, 'holdout'));
    const m = h?.status === 'completed' ? h.data.metrics : null;
    const status = trialStatus(ctx, k);
    return {
      trial: k,
      status,
      params: spec?.data.params ?? null,
      objective: status === 'completed' ? objectiveOf(ctx, k) : null,
      error: train && train.status !== 'completed' ? (train.data?.error ?? null) : h && h.status !== 'completed' ? (h.data?.error ?? null) : null,
      strategy_yaml: spec?.data.yaml ?? null,
      valid: spec ? spec.data.valid : null,
      training_operation_id: train?.child_id ?? ctx.running.get(key(k, 'train')) ?? null,
      backtest_operation_id: h?.child_id ?? ctx.running.get(key(k, 'holdout')) ?? null,
      model_path: train?.status === 'completed' ? train.data.model_path : null,
      metrics: {
        val_accuracy: train?.status === 'completed' ? train.data.val_accuracy : null,
        test_accuracy: train?.status === 'completed' ? train.data.test_accuracy : null,
        train_accuracy: train?.status === 'completed' ? train.data.train_accuracy : null,
        oos_sharpe: m?.sharpe_ratio ?? null,
        oos_return: m?.total_return_pct ?? null,
        oos_max_drawdown: m?.max_drawdown_pct ?? null,
        oos_trades: m?.total_trades ?? null,
      },
      significance: h?.status === 'completed' ? h.data.significance : null,
    };
  });
  const completed = rows.filter((t) => t.status === 'completed' && t.objective !== null);
  const best = completed.reduce<(typeof rows)[number] | null>((b, t) => (!b || t.objective! > b.objective! ? t : b), null);
  const paths = Object.keys(r.space);
  return {
    kind: 'sweep',
    strategy_name: r.strategy_name,
    symbol: r.backtest_symbol,
    timeframe: r.base_timeframe,
    objective: r.objective,
    objective_label: OBJECTIVES[r.objective as ObjectiveName]?.label ?? r.objective,
    direction: 'maximize',
    sampler: r.sampler,
    seed: r.seed,
    trials_requested: r.trials,
    ranges: { train_start: p.train_start, train_end: p.train_end, holdout_start: p.holdout_start, holdout_end: p.holdout_end, holdout_bars: p.holdout_bars },
    trials: rows,
    completed_trials: completed.length,
    failed_trials: rows.filter((t) => t.status === 'failed' || t.status === 'skipped').length,
    best_trial: best ? { trial: best.trial, objective: best.objective, params: best.params, model_path: best.model_path, metrics: best.metrics, training_operation_id: best.training_operation_id, backtest_operation_id: best.backtest_operation_id } : null,
    importance: parameterImportance(
      completed.map((t) => ({ number: t.trial, params: t.params ?? {}, objective: t.objective! })),
      paths,
    ),
    // Every trial that ran counts for the deflation (N = trials tried), also one whose objective is
    // undefined (no trades on the holdout): it cannot be picked, but it was tried.
    overfitting: overfitting(ctx, rows.filter((t) => t.status === 'completed').map((t) => t.trial), best?.trial ?? null),
  };
}

/**
 * DSR of the selected (best-objective) trial and PBO across trials, from the holdout backtests'
 * per-bar returns (all trials share the holdout range; series are cut to the shortest).
 */
function overfitting(ctx: KindContext, trials: number[], bestTrialIndex: number | null): Record<string, unknown> {
  const series: { trial: number; returns: number[] }[] = [];
  for (const k of trials) {
    const h = ctx.slots.get(key(k, 'holdout'));
    if (h?.status !== 'completed' || !h.child_id) continue;
    const eq = readEquity(ctx.home, h.child_id);
    if (eq && eq.values.length > 2) series.push({ trial: k, returns: curveReturns(eq.values, eq.initial_capital) });
  }
  if (series.length < 2 || bestTrialIndex === null) return { deflated_sharpe: null, pbo: null, trials_used: series.length, note: 'needs at least two trials with a holdout backtest' };
  const t = Math.min(...series.map((s) => s.returns.length));
  const cols = series.map((s) => s.returns.slice(s.returns.length - t));
  const sharpes = cols.map((c) => sharpeRatio(c));
  const sel = Math.max(0, series.findIndex((s) => s.trial === bestTrialIndex));
  const m = moments(cols[sel]);
  const dsr = deflatedSharpe({ sharpe: sharpes[sel], observations: t, skewness: m.skewness, kurtosis: m.kurtosis, trials: series.length, sharpeVariance: sampleVariance(sharpes) });
  const blocks = t >= 64 ? 16 : Math.max(2, 2 * Math.floor(t / 8));
  const pbo = series.length >= 8 ? probabilityOfBacktestOverfitting(cols, blocks) : null;
  return {
    trials_used: series.length,
    observations: t,
    selected_trial: bestTrialIndex,
    deflated_sharpe: { ...dsr, per_observation: true },
    pbo: pbo ? { pbo: pbo.pbo, combinations: pbo.combinations, blocks: pbo.blocks, trials: pbo.trials, observations_used: pbo.observations_used, logits: pbo.logits.length <= 200 ? pbo.logits : undefined } : null,
    pbo_note: series.length >= 8 ? null : `PBO needs at least 8 trials with a holdout backtest (have ${series.length})`,
  };
}
