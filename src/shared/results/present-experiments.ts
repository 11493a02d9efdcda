// What a reader shows of a walk-forward or a sweep: the same sections of catalogue rows as a backtest
// (present-rows.ts), so the CLI (`ktrdr experiment show`), the Experiments view, ExperimentCompare and
// the MCP server's get_results show every number with the same label, unit, precision and reason.
// Folds and trials are sections with `layout: 'items'` (an item per column in the data, drawn as a
// row). Pure.
import { SWEEP_OBJECTIVES, type SweepObjective } from '../experiment-requests';
import type { TypedResult } from './index';
import { EXPERIMENT_BACKTEST_KEYS, type BacktestSummary } from './experiment-parts';
import { at, derived, notApplicable, row, type MetricRow, type ResultSection, type Source } from './present-rows';
import type { SweepResult } from './sweep';
import type { FoldStatistics, WalkForwardFold, WalkForwardResult } from './walk-forward';

/** The catalogue key an objective's value is shown with (oos_sharpe → sharpe_ratio, …). */
export function objectiveMetricKey(objective: string): string {
  return SWEEP_OBJECTIVES[objective as SweepObjective]?.metric ?? objective;
}

/** ISO date (and time when not midnight UTC) of an ISO instant: how the app writes dates. */
export function isoDay(v: unknown): string {
  if (typeof v !== 'string' || !v) return '—';
  const t = v.slice(11, 16);
  return t && t !== '00:00' ? `${v.slice(0, 10)} ${t}` : v.slice(0, 10);
}

/** A swept parameter's value as text: floats to 4 significant digits, lists and text as JSON. */
export function showParam(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  return JSON.stringify(v ?? null);
}

const COST_KEYS = ['gross_pnl', 'commission', 'spread_cost', 'slippage_cost', 'net_pnl'] as const;

/** Commission + spread + slippage of a cost breakdown (the "Costs" cell), or null with the block's reason. */
function tradingCosts(path: string, c: { commission: number; spread_cost: number; slippage_cost: number } | null, why: string | null): Source {
  return derived(path, c ? c.commission + c.spread_cost + c.slippage_cost : null, c ? null : why);
}

/** Why a block of a fold or trial is null: its own reason, else its status. */
const blockWhy = (reasons: Record<string, string>, field: string, status: string, error: string | null) => reasons[field] ?? (error ? `${status}: ${error}` : status);

// ── walk-forward ──

/** The account currency of a walk-forward (its folds' backtests), or null before any fold finished. */
export function walkForwardCurrency(r: WalkForwardResult): string | null {
  return r.costs_total?.currency ?? r.folds.find((f) => f.oos_costs)?.oos_costs?.currency ?? null;
}

const foldName = (f: WalkForwardFold) => `Fold ${f.fold + 1} (${isoDay(f.test_start)} → ${isoDay(f.test_end)})`;

const STATS = ['mean', 'std', 'min', 'max'] as const;

function statsNote(r: WalkForwardResult): string {
  const part = (what: string, s: FoldStatistics) => `${what} ${s.folds} of ${s.folds + s.excluded}${s.excluded ? ` (${s.excluded} without a defined value)` : ''}`;
  return `Only folds whose value is defined count: ${part('total return', r.stability.total_return)}, ${part('Sharpe ratio', r.stability.sharpe_ratio)} completed folds.`;
}

export function presentWalkForward(r: WalkForwardResult): ResultSection[] {
  const cur = walkForwardCurrency(r);
  const sm = r.stitched_metrics;
  const smWhy = r.null_reasons.stitched_metrics ?? null;
  const done = r.folds.filter((f) => f.oos_metrics).length;
  const st = r.stability;
  const d = r.degradation;
  const fold = (f: WalkForwardFold, block: 'train_metrics' | 'oos_metrics' | 'oos_costs' | 'significance' | 'in_sample_metrics', field: string): Source =>
    at(f[block], `folds[${f.fold}].${block}.${field}`, field, blockWhy(f.null_reasons, block, f.status, f.error));
  const inSample = r.settings.backtest.in_sample === true || r.folds.some((f) => f.in_sample_metrics);
  const foldRows: MetricRow[] = [
    row('run_status', r.folds.map((f) => at(f, `folds[${f.fold}].status`, 'status')), cur),
    ...(['val_accuracy', 'test_accuracy', 'beats_baseline'] as const).map((k) => row(k, r.folds.map((f) => fold(f, 'train_metrics', k)), cur)),
    ...(['total_return_pct', 'sharpe_ratio', 'max_drawdown_pct', 'total_trades', 'win_rate', 'profit_factor'] as const).map((k) => row(k, r.folds.map((f) => fold(f, 'oos_metrics', k)), cur)),
    row('gross_pnl', r.folds.map((f) => fold(f, 'oos_costs', 'gross_pnl')), cur),
    row('trading_costs', r.folds.map((f) => tradingCosts(`folds[${f.fold}].oos_costs`, f.oos_costs, blockWhy(f.null_reasons, 'oos_costs', f.status, f.error))), cur),
    row('net_pnl', r.folds.map((f) => fold(f, 'oos_costs', 'net_pnl')), cur),
    row('p_value_return', r.folds.map((f) => fold(f, 'significance', 'p_value_return')), cur),
    ...(inSample ? [row('in_sample_sharpe', r.folds.map((f) => fold(f, 'in_sample_metrics', 'sharpe_ratio')), cur)] : []),
  ];
  return [
    {
      id: 'oos',
      title: `Out of sample: ${done} stitched fold${done === 1 ? '' : 's'}`,
      columns: [],
      rows: [
        row('total_return_pct', [at(sm, 'stitched_metrics.total_return', 'total_return', smWhy)], cur),
        row('annualized_return', [at(sm, 'stitched_metrics.annualized_return', 'annualized_return', smWhy)], cur),
        row('sharpe_ratio', [at(sm, 'stitched_metrics.sharpe_ratio', 'sharpe_ratio', smWhy)], cur),
        row('max_drawdown_pct', [at(sm, 'stitched_metrics.max_drawdown', 'max_drawdown', smWhy)], cur),
        row('final_equity', [at(sm, 'stitched_metrics.final_equity', 'final_equity', smWhy)], cur),
        row('bars', [at(sm, 'stitched_metrics.bars', 'bars', smWhy)], cur),
        row('bars_per_year', [at(sm, 'stitched_metrics.bars_per_year', 'bars_per_year', smWhy)], cur),
      ],
      note: 'The completed folds’ out-of-sample equity curves chained by compounding: each fold starts where the previous one ended.',
    },
    {
      id: 'across_folds',
      title: 'Across folds (out of sample)',
      columns: ['Mean', 'Std', 'Min', 'Max'],
      rows: [
        row('total_return_pct', STATS.map((s) => at(st.total_return, `stability.total_return.${s}`, s)), cur),
        row('sharpe_ratio', STATS.map((s) => at(st.sharpe_ratio, `stability.sharpe_ratio.${s}`, s)), cur),
      ],
      note: statsNote(r),
    },
    {
      id: 'fold_counts',
      title: 'Folds',
      columns: [],
      rows: [
        row('folds', [derived('folds', r.folds.length)], cur),
        row('completed_folds', [derived('folds[status=completed]', r.folds.filter((f) => f.status === 'completed').length)], cur),
        row('return_folds', [at(st.total_return, 'stability.total_return.folds', 'folds')], cur),
        row('sharpe_folds', [at(st.sharpe_ratio, 'stability.sharpe_ratio.folds', 'folds')], cur),
        row('profitable_folds', [at(st, 'stability.profitable_folds')], cur),
        row('profitable_fold_share', [at(st, 'stability.profitable_share', 'profitable_share')], cur),
      ],
    },
    { id: 'folds', title: 'Each fold (test window)', columns: r.folds.map(foldName), rows: foldRows, layout: 'items', itemHeading: 'Fold' },
    {
      id: 'degradation',
      title: 'Degradation: out of sample ÷ in sample, means over folds',
      columns: [],
      rows: [
        row('degradation_ratio', [at(d, 'degradation.ratio', 'ratio')], cur),
        row('degradation_basis', [at(d, 'degradation.basis', 'basis')], cur),
        row('sharpe_degradation', [at(d, 'degradation.sharpe_ratio', 'sharpe_ratio')], cur),
        row('out_of_sample_sharpe', [at(d, 'degradation.out_of_sample_sharpe')], cur),
        row('in_sample_sharpe', [at(d, 'degradation.in_sample_sharpe')], cur),
        row('paired_sharpe_folds', [at(d, 'degradation.sharpe_folds', 'sharpe_folds')], cur),
        row('accuracy_degradation', [at(d, 'degradation.accuracy_ratio', 'accuracy_ratio')], cur),
        row('held_out_accuracy', [at(d, 'degradation.held_out_accuracy')], cur),
        row('train_accuracy', [at(d, 'degradation.train_accuracy')], cur),
        row('accuracy_folds', [at(d, 'degradation.accuracy_folds')], cur),
      ],
      note: 'The ratio is the Sharpe degradation when in-sample backtests ran, else the accuracy degradation; each mean is over the folds that have both numbers.',
    },
    {
      id: 'costs',
      title: `Costs over ${r.costs_total?.folds ?? 0} folds${cur ? ` (${cur})` : ''}`,
      columns: [],
      rows: COST_KEYS.map((k) => row(k, [at(r.costs_total, `costs_total.${k}`, k, r.null_reasons.costs_total ?? null)], cur)),
      note: 'Gross PnL − commission − spread − slippage = net PnL; each fold starts from the initial capital.',
    },
  ];
}

// ── sweep ──

/** The account currency of a sweep (its final evaluation), or null before it ran. */
export function sweepCurrency(r: SweepResult): string | null {
  return r.final?.backtest?.costs?.currency ?? null;
}

/** Why the sweep's final holdout numbers are null (no holdout, no trial chosen, the backtest failed…). */
function finalWhy(r: SweepResult): string {
  if (!r.final) return r.null_reasons.final ?? 'no final evaluation';
  return blockWhy(r.final.null_reasons, 'backtest', `final backtest ${r.final.status}`, r.final.error);
}

const TRIAL_SELECTION_KEYS = ['total_return_pct', 'sharpe_ratio', 'max_drawdown_pct', 'total_trades'] as const;

export function presentSweep(r: SweepResult): ResultSection[] {
  const cur = sweepCurrency(r);
  const fin: BacktestSummary | null = r.final?.backtest ?? null;
  const why = fin ? null : finalWhy(r);
  const o = r.overfitting;
  const objective = objectiveMetricKey(r.objective);
  const trialName = (t: SweepResult['trials'][number]) =>
    `Trial ${t.trial + 1}${r.best_trial?.trial === t.trial ? ' (chosen)' : ''}${t.params ? `: ${Object.entries(t.params).map(([k, v]) => `${k}=${showParam(v)}`).join(', ')}` : ''}`;
  const trial = (t: SweepResult['trials'][number], block: 'training' | 'selection_metrics', field: string): Source =>
    at(t[block], `trials[${t.trial}].${block}.${field}`, field, blockWhy(t.null_reasons, block, t.status, t.error));
  const selectionKeys: string[] = [...TRIAL_SELECTION_KEYS];
  if ((EXPERIMENT_BACKTEST_KEYS as readonly string[]).includes(objective) && !selectionKeys.includes(objective)) selectionKeys.push(objective);
  const sections: ResultSection[] = [
    {
      id: 'final',
      title: r.final ? `Final holdout: trial ${r.final.trial + 1}, evaluated once` : 'Final holdout',
      columns: [],
      rows: [
        ...EXPERIMENT_BACKTEST_KEYS.map((k) => row(k, [at(fin?.metrics ?? null, `final.backtest.metrics.${k}`, k, why)], cur)),
        ...(['return_percentile', 'p_value_return'] as const).map((k) =>
          row(k, [at(fin?.significance ?? null, `final.backtest.significance.${k}`, k, fin ? (fin.null_reasons.significance ?? null) : why)], cur),
        ),
      ],
      note: 'No trial saw these bars and nothing was chosen on them: the number to believe. The chosen trial’s selection-window numbers are optimistic by construction.',
    },
    {
      id: 'final_costs',
      title: `Final holdout costs${cur ? ` (${cur})` : ''}`,
      columns: [],
      rows: COST_KEYS.map((k) => row(k, [at(fin?.costs ?? null, `final.backtest.costs.${k}`, k, fin ? (fin.null_reasons.costs ?? null) : why)], cur)),
    },
    {
      id: 'choice',
      title: 'Choice on the selection window',
      columns: [],
      rows: [
        row('trials_requested', [at(r, 'trials_requested')], cur),
        row('completed_trials', [at(r, 'completed_trials')], cur),
        row('failed_trials', [at(r, 'failed_trials')], cur),
        row('rankable_trials', [at(r, 'rankable_trials')], cur),
        row(objective, [at(r.best_trial, 'best_trial.objective', 'objective', r.null_reasons.best_trial ?? null)], cur),
      ],
      note: `Ranked on ${r.objective} (${r.objective_label}), highest first, ties to the earlier trial; a trial whose objective is undefined is not rankable.`,
    },
    {
      id: 'overfitting',
      title: 'Is the choice luck?',
      columns: [],
      rows: [
        row('deflated_sharpe_ratio', [at(o.deflated_sharpe, 'overfitting.deflated_sharpe.deflated_sharpe_ratio', 'deflated_sharpe_ratio', o.null_reasons.deflated_sharpe ?? null)], cur),
        row('pbo', [at(o.pbo, 'overfitting.pbo.pbo', 'pbo', o.null_reasons.pbo ?? null)], cur),
        row('trials_used', [at(o, 'overfitting.trials_used')], cur),
        row('observations', [at(o, 'overfitting.observations')], cur),
      ],
      note: 'Over the trials’ per-bar returns on the selection window, the set the choice was made from.',
    },
    {
      id: 'windows',
      title: 'Windows',
      columns: ['Training', 'Selection', 'Final holdout'],
      rows: [row('bars', [at(r.ranges.train, 'ranges.train.bars', 'bars'), at(r.ranges.selection, 'ranges.selection.bars', 'bars'), at(r.ranges.holdout, 'ranges.holdout.bars', 'bars')], cur)],
    },
    {
      id: 'trials',
      title: 'Trials (selection window)',
      columns: r.trials.map(trialName),
      layout: 'items',
      itemHeading: 'Trial',
      rows: [
        row('run_status', r.trials.map((t) => at(t, `trials[${t.trial}].status`, 'status')), cur),
        ...(['val_accuracy', 'test_accuracy'] as const).map((k) => row(k, r.trials.map((t) => trial(t, 'training', k)), cur)),
        ...selectionKeys.map((k) => row(k, r.trials.map((t) => trial(t, 'selection_metrics', k)), cur)),
      ],
    },
  ];
  if (r.importance.length)
    sections.push({
      id: 'importance',
      title: 'Parameter importance: spread of the mean objective across each parameter’s values',
      columns: r.importance.map((i) => i.path),
      rows: [row(objective, r.importance.map((i, n) => at(i, `importance[${n}].spread`, 'spread')), cur)],
    });
  return sections;
}

// ── side by side: a walk-forward and a sweep on the same rows ──

const NA_SWEEP = 'n/a: a walk-forward trains one model per fold and selects none';
const NA_WF = 'n/a: a sweep has no folds';

/** The catalogue keys two experiments are compared on: their out-of-sample numbers and their guards. */
export const HEADLINE_KEYS = ['total_return_pct', 'sharpe_ratio', 'max_drawdown_pct', 'total_trades', 'gross_pnl', 'trading_costs', 'deflated_sharpe_ratio', 'pbo', 'profitable_fold_share', 'degradation_ratio'] as const;
type HeadlineKey = (typeof HEADLINE_KEYS)[number];

function walkForwardHeadline(r: WalkForwardResult): Record<HeadlineKey, Source> {
  const sm = r.stitched_metrics;
  const smWhy = r.null_reasons.stitched_metrics ?? null;
  const trades = r.folds.flatMap((f) => (f.oos_metrics ? [f.oos_metrics.total_trades] : []));
  const c = r.costs_total;
  const cWhy = r.null_reasons.costs_total ?? null;
  return {
    total_return_pct: at(sm, 'stitched_metrics.total_return', 'total_return', smWhy),
    sharpe_ratio: at(sm, 'stitched_metrics.sharpe_ratio', 'sharpe_ratio', smWhy),
    max_drawdown_pct: at(sm, 'stitched_metrics.max_drawdown', 'max_drawdown', smWhy),
    total_trades: derived('folds[*].oos_metrics.total_trades', trades.length ? trades.reduce((a, n) => a + n, 0) : null, 'no fold finished its out-of-sample backtest'),
    gross_pnl: at(c, 'costs_total.gross_pnl', 'gross_pnl', cWhy),
    trading_costs: tradingCosts('costs_total', c, cWhy),
    deflated_sharpe_ratio: notApplicable('overfitting.deflated_sharpe', NA_SWEEP),
    pbo: notApplicable('overfitting.pbo', NA_SWEEP),
    profitable_fold_share: at(r.stability, 'stability.profitable_share', 'profitable_share'),
    degradation_ratio: at(r.degradation, 'degradation.ratio', 'ratio'),
  };
}

function sweepHeadline(r: SweepResult): Record<HeadlineKey, Source> {
  const fin = r.final?.backtest ?? null;
  const why = fin ? null : finalWhy(r);
  const m = fin?.metrics ?? null;
  const c = fin?.costs ?? null;
  const cWhy = fin ? (fin.null_reasons.costs ?? null) : why;
  const o = r.overfitting;
  return {
    total_return_pct: at(m, 'final.backtest.metrics.total_return_pct', 'total_return_pct', why),
    sharpe_ratio: at(m, 'final.backtest.metrics.sharpe_ratio', 'sharpe_ratio', why),
    max_drawdown_pct: at(m, 'final.backtest.metrics.max_drawdown_pct', 'max_drawdown_pct', why),
    total_trades: at(m, 'final.backtest.metrics.total_trades', 'total_trades', why),
    gross_pnl: at(c, 'final.backtest.costs.gross_pnl', 'gross_pnl', cWhy),
    trading_costs: tradingCosts('final.backtest.costs', c, cWhy),
    deflated_sharpe_ratio: at(o.deflated_sharpe, 'overfitting.deflated_sharpe.deflated_sharpe_ratio', 'deflated_sharpe_ratio', o.null_reasons.deflated_sharpe ?? null),
    pbo: at(o.pbo, 'overfitting.pbo.pbo', 'pbo', o.null_reasons.pbo ?? null),
    profitable_fold_share: notApplicable('stability.profitable_share', NA_WF),
    degradation_ratio: notApplicable('degradation.ratio', NA_WF),
  };
}

/** An experiment's side of the comparison: its result, or why there is none to compare. */
export type ComparedExperiment = { name: string; typed: TypedResult | null; missing?: string };

/**
 * Experiments side by side on the same catalogue rows: the out-of-sample numbers (a walk-forward's
 * stitched folds, a sweep's final holdout) and the guards against luck; a row that does not apply to
 * a kind says so and why. Money is shown in each side's currency.
 */
export function presentExperimentComparison(sides: readonly ComparedExperiment[]): ResultSection {
  const heads = sides.map((s) => {
    const t = s.typed;
    if (t?.type === 'walk_forward') return { sources: walkForwardHeadline(t.result), currency: walkForwardCurrency(t.result) };
    if (t?.type === 'sweep') return { sources: sweepHeadline(t.result), currency: sweepCurrency(t.result) };
    const why = s.missing ?? (t ? `a ${t.type} is not an experiment` : 'no results yet');
    return { sources: Object.fromEntries(HEADLINE_KEYS.map((k) => [k, notApplicable(k, why)])) as Record<HeadlineKey, Source>, currency: null };
  });
  return {
    id: 'comparison',
    title: 'Out of sample and the guards against luck',
    columns: sides.map((s) => s.name),
    // Each side's money in its own currency: the cells are formatted side by side.
    rows: HEADLINE_KEYS.map((k) => ({ ...row(k, [], null), cells: heads.map((h) => row(k, [h.sources[k]], h.currency).cells[0]) })),
    note: 'Out of sample: a walk-forward’s folds stitched together; a sweep’s chosen trial on its untouched final holdout.',
  };
}
