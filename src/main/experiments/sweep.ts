// Parameter sweeps with an untouched final holdout (docs/experiments.md, issue 22.7).
//
// The range is cut, in time order, into a training window, a selection window and a final holdout
// (embargo bars between them). Each trial sets the search-space paths in the strategy YAML, validates
// it (an invalid one is a failed trial, never a failed sweep), trains on the training window and is
// backtested on the selection window. Trials are ranked on the objective, which comes from the
// training (val/test accuracy) or from that selection backtest (oos_*); a trial whose objective is
// undefined or a placeholder is not rankable and says why. Only the chosen trial is then backtested,
// once, on the final holdout, which no trial has seen; its result is reported apart. DSR and PBO are
// computed over the trials' selection-window returns (the set the choice was made from).
//
// Slots: `_plan` (base strategy, ranges), `trial-<k>/spec` (sampled params + YAML), `trial-<k>/train`,
// `trial-<k>/select` (selection-window backtest), `final/backtest`.
import { curveReturns, parameterImportance } from '../../core/experiments/aggregate';
import { sampleRandom, sampleTpe, DEFAULT_TPE, type FinishedTrial } from '../../core/experiments/samplers';
import { applyParams, parseSpace, type ParamValue } from '../../core/experiments/space';
import { deflatedSharpe, moments, sampleVariance } from '../../core/stats/deflated-sharpe';
import { probabilityOfBacktestOverfitting } from '../../core/stats/pbo';
import { parseForTraining } from '../../infra/models/training-inputs';
import { z } from 'zod';
import { SWEEP_OBJECTIVES } from '../../shared/experiment-requests';
import { defined, undefinedBecause, type Defined, type NullReasons } from '../../shared/results/common';
import type { ChildStatus } from '../../shared/results/experiment-parts';
import { SWEEP_RESULT_VERSION, validateSweepResult, type SweepResult, type SweepTrial } from '../../shared/results/sweep';
import { backtestRequest, backtestSettings, extractSlot, readBacktestSlot, readTrainingSlot, trainingRequest } from './child-requests';
import { readEquity } from './equity-files';
import { slotError, type SlotRecord } from './slot-store';
import { readRequest, sweepRequestSchema, type ExperimentKind, type KindContext, type SweepRequest } from './types';

const paramValueSchema: z.ZodType<ParamValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(paramValueSchema), z.record(z.string(), paramValueSchema)]));
const paramsSchema = z.record(z.string(), paramValueSchema);
const windowSchema = z.object({ start: z.string().nullable(), end: z.string().nullable(), bars: z.number().int().min(0) });
export type SweepWindow = z.output<typeof windowSchema>;

/** The `_plan` slot the route writes before the first trial starts. */
export const sweepPlanSchema = z.object({
  strategy_yaml: z.string(),
  strategy_path: z.string(),
  train: windowSchema,
  selection: windowSchema,
  holdout: windowSchema,
  /** Grid sweeps: the points in their seeded order. */
  grid: z.array(paramsSchema).optional(),
});
export type SweepPlan = z.output<typeof sweepPlanSchema>;

/** A trial's `spec` slot: its sampled parameters and the strategy they make (or why it is invalid). */
const trialSpecSchema = z.object({ params: paramsSchema, yaml: z.string().nullable(), yaml_path: z.string().nullable(), valid: z.boolean(), errors: z.array(z.string()) });
type TrialSpec = z.output<typeof trialSpecSchema>;

/** Writes a trial's strategy file; injected so this module stays free of fs. */
export type TrialFileWriter = (parentId: string, name: string, text: string) => string;

const key = (k: number, step: 'spec' | 'train' | 'select') => `trial-${k}/${step}`;
const FINAL = 'final/backtest';

function plan(ctx: KindContext): SweepPlan {
  const p = sweepPlanSchema.safeParse(ctx.slots.get('_plan')?.data);
  if (!p.success) throw new Error('sweep plan missing (or written by an older version: retry the sweep)');
  return p.data;
}

const requestOf = (ctx: KindContext): SweepRequest => readRequest(sweepRequestSchema, ctx.request);

/** A trial's spec slot, as `next` recorded it. */
function specOf(rec: SlotRecord): TrialSpec {
  const p = trialSpecSchema.safeParse(rec.data);
  if (!p.success) throw new Error(`${rec.slot} was recorded by an older version: retry the sweep`);
  return p.data;
}

const hasSelection = (ctx: KindContext) => plan(ctx).selection.bars > 0;
const hasHoldout = (ctx: KindContext) => plan(ctx).holdout.bars > 0;

/** The objective of a finished trial, or null with the reason it cannot be ranked. */
function objectiveOf(ctx: KindContext, k: number): Defined<number> {
  const spec = SWEEP_OBJECTIVES[requestOf(ctx).objective];
  const train = ctx.slots.get(key(k, 'train'));
  if (!train) return undefinedBecause('not trained yet');
  if (train.status !== 'completed') return undefinedBecause(`training ${train.status}`);
  if (spec.source === 'train') {
    const t = readTrainingSlot(train.data);
    const v = spec.metric === 'val_accuracy' ? t.val_accuracy : t.test_accuracy;
    return v === null ? undefinedBecause(t.null_reasons[spec.metric] ?? `${spec.metric} is undefined`) : defined(v);
  }
  const h = ctx.slots.get(key(k, 'select'));
  if (!h) return undefinedBecause('not backtested yet');
  if (h.status !== 'completed') return undefinedBecause(`selection backtest ${h.status}`);
  const m = readBacktestSlot(h.data).metrics;
  const v = m[spec.metric as 'sharpe_ratio' | 'total_return_pct' | 'sortino_ratio' | 'calmar_ratio' | 'profit_factor'];
  return v === null ? undefinedBecause(`${m.null_reasons[spec.metric] ?? 'undefined'} in the selection window`) : defined(v);
}

function trialDone(ctx: KindContext, k: number): boolean {
  if (!ctx.slots.has(key(k, 'spec')) || !ctx.slots.has(key(k, 'train'))) return false;
  return !hasSelection(ctx) || ctx.slots.has(key(k, 'select'));
}

function trialStatus(ctx: KindContext, k: number): ChildStatus {
  if (!ctx.slots.has(key(k, 'spec'))) return 'pending';
  const train = ctx.slots.get(key(k, 'train'));
  if (!train) return ctx.running.has(key(k, 'train')) ? 'training' : 'queued';
  if (train.status !== 'completed') return train.status as ChildStatus;
  if (!hasSelection(ctx)) return 'completed';
  const h = ctx.slots.get(key(k, 'select'));
  if (!h) return ctx.running.has(key(k, 'select')) ? 'backtesting' : 'queued';
  return h.status as ChildStatus;
}

/** The chosen trial: the highest defined objective among completed trials (ties: the earlier trial). */
function bestTrial(ctx: KindContext): { trial: number; objective: number } | null {
  let best: { trial: number; objective: number } | null = null;
  for (let k = 0; k < requestOf(ctx).trials; k++) {
    if (trialStatus(ctx, k) !== 'completed') continue;
    const v = objectiveOf(ctx, k).value;
    if (v !== null && (!best || v > best.objective)) best = { trial: k, objective: v };
  }
  return best;
}

const allTrialsDone = (ctx: KindContext) => [...Array(requestOf(ctx).trials).keys()].every((k) => trialDone(ctx, k));

/** The final evaluation is due when every trial is done, there is a holdout and a trial to evaluate. */
const finalDue = (ctx: KindContext) => hasHoldout(ctx) && allTrialsDone(ctx) && bestTrial(ctx) !== null;

export function sweepKind(writeFile: TrialFileWriter): ExperimentKind {
  const sample = (ctx: KindContext, k: number): Record<string, ParamValue> => {
    const r = requestOf(ctx);
    const { space } = parseSpace(r.space);
    if (r.sampler === 'grid') {
      const point = plan(ctx).grid?.[k];
      if (!point) throw new Error(`the sweep's plan has no grid point ${k + 1}`);
      return point;
    }
    if (r.sampler === 'random') return sampleRandom(space, r.seed, k);
    const history: FinishedTrial[] = [];
    for (let j = 0; j < r.trials; j++) {
      const v = objectiveOf(ctx, j).value;
      const spec = ctx.slots.get(key(j, 'spec'));
      if (v !== null && spec) history.push({ number: j, params: specOf(spec).params, value: v });
    }
    return sampleTpe(space, history, r.seed, k, { ...DEFAULT_TPE, nStartupTrials: r.tpe_startup_trials ?? DEFAULT_TPE.nStartupTrials });
  };

  return {
    validate: validateSweepResult,

    slotWarnings(slot, data) {
      const m = /^trial-(\d+)\/train$/.exec(slot);
      return m ? readTrainingSlot(data).warnings.map((w) => `Trial ${Number(m[1]) + 1}: ${w}`) : [];
    },

    next(ctx) {
      const r = requestOf(ctx);
      const p = plan(ctx);
      const settings = backtestSettings(r.backtest);
      for (let k = 0; k < r.trials; k++) {
        const specRec = ctx.slots.get(key(k, 'spec'));
        let spec = specRec ? specOf(specRec) : null;
        const extra = { trial: k, trials: r.trials, strategy_name: r.strategy_name };
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
          spec = specOf(ctx.slots.get(key(k, 'spec'))!);
        }
        const tk = key(k, 'train');
        const train = ctx.slots.get(tk);
        if (!train) {
          if (ctx.running.has(tk)) continue;
          if (!spec.yaml || !spec.yaml_path) throw new Error(`trial ${k + 1} has no strategy file`);
          return trainingRequest({ slot: tk, strategyName: r.model_name, strategyPath: spec.yaml_path, strategyYaml: spec.yaml, symbols: r.symbols, timeframes: r.timeframes, start: p.train.start!, end: p.train.end!, role: 'sweep_train', extra });
        }
        if (!hasSelection(ctx)) continue;
        const sk = key(k, 'select');
        if (ctx.slots.has(sk) || ctx.running.has(sk)) continue;
        if (train.status !== 'completed') {
          ctx.record(sk, null, 'skipped', { error: `training ${train.status}` });
          continue;
        }
        const model = readTrainingSlot(train.data).model_path;
        return backtestRequest({ slot: sk, strategyName: r.model_name, strategyPath: spec.yaml_path ?? p.strategy_path, symbol: r.backtest_symbol, timeframe: r.base_timeframe, start: p.selection.start!, end: p.selection.end!, modelPath: model, settings, role: 'sweep_selection_backtest', extra });
      }
      // Every trial done: the chosen one, once, on the final holdout.
      if (!finalDue(ctx) || ctx.slots.has(FINAL) || ctx.running.has(FINAL)) return null;
      const best = bestTrial(ctx)!;
      const spec = specOf(ctx.slots.get(key(best.trial, 'spec'))!);
      const model = readTrainingSlot(ctx.slots.get(key(best.trial, 'train'))!.data).model_path;
      return backtestRequest({
        slot: FINAL,
        strategyName: r.model_name,
        strategyPath: spec.yaml_path ?? p.strategy_path,
        symbol: r.backtest_symbol,
        timeframe: r.base_timeframe,
        start: p.holdout.start!,
        end: p.holdout.end!,
        modelPath: model,
        settings,
        role: 'sweep_final_holdout_backtest',
        extra: { trial: best.trial, trials: r.trials, strategy_name: r.strategy_name, final: true },
      });
    },

    extract: extractSlot,

    done(ctx) {
      if (!allTrialsDone(ctx)) return false;
      return !finalDue(ctx) || ctx.slots.has(FINAL);
    },

    progress(ctx) {
      const n = requestOf(ctx).trials;
      let done = 0;
      for (let k = 0; k < n; k++) if (trialDone(ctx, k)) done++;
      const finalSteps = hasHoldout(ctx) ? 1 : 0;
      const finalDone = ctx.slots.has(FINAL) ? 1 : 0;
      let partial = 0;
      const perTrial = hasSelection(ctx) ? 2 : 1;
      for (const [slot, id] of ctx.running) partial += ctx.childPercentage(id) / 100 / (slot === FINAL ? 1 : perTrial);
      const started = [...Array(n).keys()].filter((k) => ctx.slots.has(key(k, 'spec'))).length;
      const best = bestTrial(ctx);
      const step = ctx.running.has(FINAL)
        ? `Final holdout · trial ${best ? best.trial + 1 : '?'}`
        : `Trial ${Math.min(n, Math.max(done + 1, started))}/${n}${ctx.running.size ? ` · ${ctx.running.size} running` : ''}${best ? ` · best ${best.objective.toPrecision(4)}` : ''}`;
      return {
        percentage: Math.min(99, (100 * (done + finalDone + partial)) / Math.max(1, n + finalSteps)),
        current_step: step,
        message: step,
        steps_completed: done + finalDone,
        steps_total: n + finalSteps,
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
      const trials = results.trials;
      if (!trials.some((t) => t.status === 'completed')) return { status: 'failed', message: `Every trial failed (${trials.map((t) => `#${t.trial + 1}: ${t.error ?? t.status}`).slice(0, 5).join('; ')})` };
      const { trials: _t, importance: _i, ...summary } = results;
      return { status: 'completed', results, summary };
    },
  };
}

function sweepResults(ctx: KindContext): SweepResult {
  const r = requestOf(ctx);
  const p = plan(ctx);
  const noSelection = hasSelection(ctx) ? 'no selection backtest' : 'no selection window (selection = 0)';
  const rows: SweepTrial[] = [...Array(r.trials).keys()].map((k) => {
    const specRec = ctx.slots.get(key(k, 'spec'));
    const spec = specRec ? specOf(specRec) : null;
    const train = ctx.slots.get(key(k, 'train'));
    const h = ctx.slots.get(key(k, 'select'));
    const tr = train?.status === 'completed' ? readTrainingSlot(train.data) : null;
    const sel = h?.status === 'completed' ? readBacktestSlot(h.data) : null;
    const m = sel?.metrics ?? null;
    const status = trialStatus(ctx, k);
    const obj = status === 'completed' ? objectiveOf(ctx, k) : undefinedBecause(status === 'failed' || status === 'cancelled' || status === 'skipped' ? `the trial ${status}` : 'not finished yet');
    const error = train && train.status !== 'completed' ? slotError(train) : h && h.status !== 'completed' ? slotError(h) : null;
    // Why each shown metric is null: the child's own reason, else what is missing.
    const metricReasons: NullReasons = {};
    const why = (field: string, v: number | null, own: string | undefined, missing: string) => {
      if (v === null) metricReasons[field] = own ?? missing;
      return v;
    };
    const trainWhy = train ? `training ${train.status}${slotError(train) ? `: ${slotError(train)}` : ''}` : 'not trained yet';
    const selWhy = !hasSelection(ctx) ? noSelection : !tr ? `no model: ${trainWhy}` : h ? `selection backtest ${h.status}${slotError(h) ? `: ${slotError(h)}` : ''}` : 'not backtested yet';
    const reasons: NullReasons = {};
    if (obj.value === null) reasons.objective = obj.reason ?? 'undefined';
    if (!tr) reasons.training = trainWhy;
    if (!m) reasons.selection_metrics = selWhy;
    if (!sel?.significance) reasons.significance = sel ? (sel.null_reasons.significance ?? 'not recorded by the backtest') : selWhy;
    return {
      trial: k,
      status,
      params: spec?.params ?? null,
      objective: obj.value,
      error,
      strategy_yaml: spec?.yaml ?? null,
      valid: spec ? spec.valid : null,
      training_operation_id: train?.child_id ?? ctx.running.get(key(k, 'train')) ?? null,
      backtest_operation_id: h?.child_id ?? ctx.running.get(key(k, 'select')) ?? null,
      model_path: tr?.model_path ?? null,
      metrics: {
        val_accuracy: why('val_accuracy', tr?.val_accuracy ?? null, tr?.null_reasons.val_accuracy, trainWhy),
        test_accuracy: why('test_accuracy', tr?.test_accuracy ?? null, tr?.null_reasons.test_accuracy, trainWhy),
        train_accuracy: why('train_accuracy', tr?.train_accuracy ?? null, tr?.null_reasons.train_accuracy, trainWhy),
        oos_sharpe: why('oos_sharpe', m?.sharpe_ratio ?? null, m?.null_reasons.sharpe_ratio, selWhy),
        oos_return: why('oos_return', m?.total_return_pct ?? null, m?.null_reasons.total_return_pct, selWhy),
        oos_max_drawdown: why('oos_max_drawdown', m?.max_drawdown_pct ?? null, m?.null_reasons.max_drawdown_pct, selWhy),
        oos_trades: why('oos_trades', m?.total_trades ?? null, m?.null_reasons.total_trades, selWhy),
        null_reasons: metricReasons,
      },
      training: tr,
      selection_metrics: m,
      significance: sel?.significance ?? null,
      null_reasons: reasons,
    };
  });
  const completed = rows.filter((t) => t.status === 'completed');
  const rankable = completed.flatMap((t) => (t.objective === null ? [] : [{ trial: t, objective: t.objective }]));
  const bestIdx = bestTrial(ctx)?.trial ?? null;
  const best = bestIdx === null ? null : rows[bestIdx];
  const paths = Object.keys(r.space);
  const spec = SWEEP_OBJECTIVES[r.objective];

  // The final backtest is of the chosen trial: once every trial is done the choice no longer changes.
  const fin = ctx.slots.get(FINAL);
  const finalStatus: ChildStatus = fin ? (fin.status as ChildStatus) : ctx.running.has(FINAL) ? 'backtesting' : 'pending';
  const finalBacktest = fin?.status === 'completed' ? readBacktestSlot(fin.data) : null;
  const final =
    hasHoldout(ctx) && best
      ? {
          trial: best.trial,
          status: finalStatus,
          error: fin && fin.status !== 'completed' ? slotError(fin) : null,
          backtest_operation_id: fin?.child_id ?? ctx.running.get(FINAL) ?? null,
          backtest: finalBacktest,
          null_reasons: (finalBacktest ? {} : { backtest: fin ? `final backtest ${fin.status}${slotError(fin) ? `: ${slotError(fin)}` : ''}` : allTrialsDone(ctx) ? 'waiting for the final backtest' : 'runs once every trial is done' }) as NullReasons,
        }
      : null;
  const nullReasons: NullReasons = {};
  if (!best) nullReasons.best_trial = completed.length ? `no completed trial has a defined ${r.objective} (${completed.map((t) => `#${t.trial + 1}: ${t.null_reasons.objective}`).slice(0, 3).join('; ')})` : 'no trial completed yet';
  if (!final) nullReasons.final = !hasHoldout(ctx) ? 'no final holdout (holdout = 0): the chosen trial was not evaluated on unseen data' : (nullReasons.best_trial ?? 'no trial chosen');

  const warnings = rows.flatMap((t) => (t.training?.warnings ?? []).map((message) => ({ source: `trial ${t.trial + 1}`, message })));
  return {
    schema_version: SWEEP_RESULT_VERSION,
    kind: 'sweep',
    strategy_name: r.strategy_name,
    symbol: r.backtest_symbol,
    timeframe: r.base_timeframe,
    objective: r.objective,
    objective_label: spec.label,
    direction: 'maximize',
    sampler: r.sampler,
    seed: r.seed,
    trials_requested: r.trials,
    settings: { holdout: r.holdout, selection: r.selection, embargo_bars: r.embargo_bars, backtest: r.backtest },
    ranges: { train: p.train, selection: p.selection, holdout: p.holdout },
    trials: rows,
    completed_trials: completed.length,
    failed_trials: rows.filter((t) => t.status === 'failed' || t.status === 'skipped').length,
    rankable_trials: rankable.length,
    best_trial:
      best && best.objective !== null
        ? { trial: best.trial, objective: best.objective, params: best.params, model_path: best.model_path, metrics: best.metrics, training_operation_id: best.training_operation_id, backtest_operation_id: best.backtest_operation_id }
        : null,
    final,
    importance: parameterImportance(
      rankable.map(({ trial, objective }) => ({ number: trial.trial, params: paramsOf(ctx, trial.trial), objective })),
      paths,
    ),
    // Every trial that ran counts for the deflation (N = trials tried), also one whose objective is
    // undefined (no trades): it cannot be picked, but it was tried.
    overfitting: overfitting(
      ctx,
      completed.map((t) => t.trial),
      bestIdx,
    ),
    warnings,
    null_reasons: nullReasons,
  };
}

/** The sampled parameters of trial k (typed as the samplers make them). */
function paramsOf(ctx: KindContext, k: number): Record<string, ParamValue> {
  const rec = ctx.slots.get(key(k, 'spec'));
  return rec ? specOf(rec).params : {};
}

/**
 * DSR of the chosen trial and PBO across trials, from the selection-window backtests' per-bar
 * returns (all trials share that window; series are cut to the shortest). N is every trial with a
 * selection backtest; V[SR] is over the trials whose Sharpe ratio is defined (returns that vary): a
 * trial without trades has no Sharpe ratio, and counting it as 0 would shrink the variance and with it
 * the bar the chosen trial must clear.
 */
function overfitting(ctx: KindContext, trials: number[], chosen: number | null): SweepResult['overfitting'] {
  const series: { trial: number; returns: number[] }[] = [];
  for (const k of trials) {
    const h = ctx.slots.get(key(k, 'select'));
    if (h?.status !== 'completed' || !h.child_id) continue;
    const eq = readEquity(ctx.home, h.child_id);
    if (eq && eq.values.length > 2) series.push({ trial: k, returns: curveReturns(eq.values, eq.initial_capital) });
  }
  const empty = (why: string): SweepResult['overfitting'] => ({
    trials_used: series.length,
    observations: null,
    selected_trial: chosen,
    deflated_sharpe: null,
    pbo: null,
    null_reasons: { observations: why, deflated_sharpe: why, pbo: why, ...(chosen === null ? { selected_trial: 'no trial was chosen' } : {}) },
  });
  if (!hasSelection(ctx)) return empty('no selection window (selection = 0): no per-trial returns to judge the choice on');
  if (chosen === null) return empty('no trial was chosen');
  const sel = series.findIndex((s) => s.trial === chosen);
  if (series.length < 2 || sel < 0) return empty(`needs at least two trials with a selection backtest, the chosen one among them (have ${series.length})`);
  const t = Math.min(...series.map((s) => s.returns.length));
  const cols = series.map((s) => s.returns.slice(s.returns.length - t));
  const reasons: NullReasons = {};
  const m = moments(cols[sel]);
  const definedSharpes = cols.flatMap((c) => {
    const cm = moments(c);
    return cm.std > 0 ? [cm.mean / cm.std] : [];
  });
  let deflated: SweepResult['overfitting']['deflated_sharpe'] = null;
  if (!(m.std > 0)) reasons.deflated_sharpe = 'the chosen trial’s selection-window returns do not vary (no trades): its Sharpe ratio is undefined';
  else if (definedSharpes.length < 2) reasons.deflated_sharpe = `needs at least two trials whose selection-window Sharpe ratio is defined (have ${definedSharpes.length}; the others did not trade)`;
  else {
    const dsr = deflatedSharpe({ sharpe: m.mean / m.std, observations: t, skewness: m.skewness, kurtosis: m.kurtosis, trials: series.length, sharpeVariance: sampleVariance(definedSharpes) });
    const ok = Number.isFinite(dsr.deflated_sharpe_ratio);
    deflated = {
      ...dsr,
      deflated_sharpe_ratio: ok ? dsr.deflated_sharpe_ratio : null,
      variance_trials: definedSharpes.length,
      per_observation: true,
      null_reasons: ok ? {} : { deflated_sharpe_ratio: 'the returns’ skewness and kurtosis leave the probabilistic Sharpe undefined' },
    };
    if (!ok) reasons.deflated_sharpe = deflated.null_reasons.deflated_sharpe_ratio;
  }
  const blocks = t >= 64 ? 16 : Math.max(2, 2 * Math.floor(t / 8));
  const pbo = series.length >= 8 ? probabilityOfBacktestOverfitting(cols, blocks) : null;
  if (!pbo) reasons.pbo = series.length < 8 ? `PBO needs at least 8 trials with a selection backtest (have ${series.length})` : 'too few observations for the combinatorial splits';
  else if (pbo.pbo === null) reasons.pbo = pbo.reason ?? 'undefined';
  return {
    trials_used: series.length,
    observations: t,
    selected_trial: chosen,
    deflated_sharpe: deflated,
    pbo: pbo
      ? {
          pbo: pbo.pbo,
          combinations: pbo.combinations,
          combinations_used: pbo.combinations_used,
          blocks: pbo.blocks,
          trials: pbo.trials,
          observations_used: pbo.observations_used,
          logits: pbo.logits.length <= 200 ? pbo.logits : null,
          null_reasons: pbo.pbo === null ? { pbo: reasons.pbo ?? 'undefined' } : {},
        }
      : null,
    null_reasons: reasons,
  };
}
