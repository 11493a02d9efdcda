// Reading experiment results for display (CLI `experiment show`, the renderer's Experiments view,
// MCP): parse with the schema, format every number through the metric catalogue. Pure.
import { formatMetric, metricDef } from '../metrics-catalog';
import { SWEEP_OBJECTIVES, type SweepObjective } from '../experiment-requests';
import { describeSchemaProblem } from './experiment-parts';
import { sweepResultSchema, type SweepResult } from './sweep';
import { walkForwardResultSchema, type WalkForwardResult } from './walk-forward';

export type ParsedExperiment = { kind: 'walk_forward'; results: WalkForwardResult } | { kind: 'sweep'; results: SweepResult } | { kind: 'unreadable'; message: string } | { kind: 'none' };

/** An experiment's results as its schema says, or why they cannot be shown (never a guess). */
export function parseExperimentResults(results: unknown): ParsedExperiment {
  if (!results || typeof results !== 'object' || !('kind' in results)) return { kind: 'none' };
  const r = results as { kind: unknown; schema_version?: unknown };
  if (r.kind === 'walk_forward') {
    const p = walkForwardResultSchema.safeParse(results);
    return p.success ? { kind: 'walk_forward', results: p.data } : { kind: 'unreadable', message: describeSchemaProblem('walk-forward', p.error, r.schema_version) };
  }
  if (r.kind === 'sweep') {
    const p = sweepResultSchema.safeParse(results);
    return p.success ? { kind: 'sweep', results: p.data } : { kind: 'unreadable', message: describeSchemaProblem('sweep', p.error, r.schema_version) };
  }
  return { kind: 'unreadable', message: `Unknown experiment kind '${String(r.kind)}'` };
}

/** The catalogue key an objective's value is formatted with (oos_sharpe → sharpe_ratio, …). */
export function objectiveMetricKey(objective: string): string {
  return SWEEP_OBJECTIVES[objective as SweepObjective]?.metric ?? objective;
}

/** A value as text through the catalogue; a null shows "—" and, when known, why. */
export function showMetric(key: string, value: number | boolean | null | undefined, reason?: string | null, currency?: string | null): string {
  if (value === null || value === undefined) return reason ? `— (${reason})` : '—';
  return formatMetric(key, value, currency ? { currency } : {});
}

/** One line for the quant: the catalogue's label and definition of a metric. */
export function explain(key: string): string {
  const d = metricDef(key);
  return `${d.label}: ${d.definition}`;
}

/** ISO date (and time when not midnight UTC) of an ISO instant: how the app writes dates. */
export function isoDay(v: string | null | undefined): string {
  if (!v) return '—';
  const t = v.slice(11, 16);
  return t && t !== '00:00' ? `${v.slice(0, 10)} ${t}` : v.slice(0, 10);
}

/** What the compare table needs of an experiment's operation. */
export interface ExperimentOperation {
  operation_type: string;
  status: string;
  metadata: { strategy_name?: unknown; symbol?: unknown; timeframe?: unknown; start_date?: unknown; end_date?: unknown };
}

/** A share of the bars (a setting, not a metric). */
const share = (x: number) => `${Math.round(x * 100)} %`;

const NA_SWEEP = 'n/a: a walk-forward trains one model per fold and selects none';
const NA_WF = 'n/a: a sweep has no folds';

/**
 * The rows of the side-by-side table, with the SAME labels for a walk-forward and a sweep so the two
 * compare line by line: their out-of-sample numbers are the stitched folds (walk-forward) and the
 * chosen trial's final holdout (sweep). A row that does not apply to a kind says so and why.
 */
export function compareRows(op: ExperimentOperation, parsed: ParsedExperiment): Record<string, string> {
  const m = op.metadata;
  const rows: Record<string, string> = {
    Kind: op.operation_type === 'sweep' ? 'Parameter sweep' : 'Walk-forward',
    Strategy: String(m.strategy_name ?? '—'),
    Data: `${String(m.symbol ?? '')} ${String(m.timeframe ?? '')} · ${String(m.start_date ?? '')} → ${String(m.end_date ?? '')}`,
    Status: op.status,
  };
  if (parsed.kind === 'unreadable') return { ...rows, Results: parsed.message };
  if (parsed.kind === 'none') return { ...rows, Results: 'none yet' };
  if (parsed.kind === 'walk_forward') {
    const r = parsed.results;
    const s = r.stitched_metrics;
    const done = r.folds.filter((f) => f.oos_metrics);
    const c = r.costs_total;
    return {
      ...rows,
      Protocol: `train ${r.settings.train_window}, test ${r.settings.test_window}, step ${r.settings.step}${r.settings.anchored ? ', anchored' : ''} · ${r.folds.length} folds`,
      'Cost model': done.find((f) => f.oos_costs)?.oos_costs?.model ?? '—',
      'Out-of-sample window': done.length ? `${done.length} stitched folds, ${isoDay(done[0].test_start)} → ${isoDay(done[done.length - 1].test_end)}` : '—',
      'Out-of-sample return': showMetric('total_return_pct', s?.total_return, r.null_reasons.stitched_metrics),
      'Out-of-sample Sharpe': showMetric('sharpe_ratio', s?.sharpe_ratio, s?.null_reasons.sharpe_ratio ?? r.null_reasons.stitched_metrics),
      'Max drawdown': showMetric('max_drawdown_pct', s?.max_drawdown, r.null_reasons.stitched_metrics),
      Trades: showMetric('total_trades', done.length ? done.reduce((a, f) => a + (f.oos_metrics!.total_trades ?? 0), 0) : null, 'no fold finished'),
      'Costs (of gross PnL)': c ? `${showMetric('commission', c.commission + c.spread_cost + c.slippage_cost, null, c.currency)} of ${showMetric('gross_pnl', c.gross_pnl, null, c.currency)}` : '—',
      'Deflated Sharpe ratio': NA_SWEEP,
      'Probability of overfitting': NA_SWEEP,
      'Profitable folds': `${r.stability.profitable_folds}/${r.stability.total_return.folds}`,
      'Degradation ratio': `${showMetric('degradation_ratio', r.degradation.ratio, r.degradation.null_reasons.ratio)}${r.degradation.basis ? ` (${r.degradation.basis})` : ''}`,
    };
  }
  const r = parsed.results;
  const fin = r.final?.backtest ?? null;
  const fm = fin?.metrics;
  const finalWhy = r.final ? (fin ? undefined : `final backtest ${r.final.status}`) : r.null_reasons.final;
  const c = fin?.costs;
  return {
    ...rows,
    Protocol: `${r.sampler}, ${r.trials_requested} trials, objective ${r.objective} · selection ${share(r.settings.selection)}, holdout ${share(r.settings.holdout)} of the bars`,
    'Cost model': c?.model ?? '—',
    'Out-of-sample window': r.ranges.holdout.bars ? `final holdout (trial ${r.final ? r.final.trial + 1 : '—'}), ${isoDay(r.ranges.holdout.start)} → ${isoDay(r.ranges.holdout.end)}` : '— (no final holdout)',
    'Out-of-sample return': showMetric('total_return_pct', fm?.total_return_pct, fm?.null_reasons.total_return_pct ?? finalWhy),
    'Out-of-sample Sharpe': showMetric('sharpe_ratio', fm?.sharpe_ratio, fm?.null_reasons.sharpe_ratio ?? finalWhy),
    'Max drawdown': showMetric('max_drawdown_pct', fm?.max_drawdown_pct, fm?.null_reasons.max_drawdown_pct ?? finalWhy),
    Trades: showMetric('total_trades', fm?.total_trades, finalWhy),
    'Costs (of gross PnL)': c ? `${showMetric('commission', c.commission + c.spread_cost + c.slippage_cost, null, c.currency)} of ${showMetric('gross_pnl', c.gross_pnl, null, c.currency)}` : '—',
    'Deflated Sharpe ratio': showMetric('deflated_sharpe_ratio', r.overfitting.deflated_sharpe?.deflated_sharpe_ratio, r.overfitting.null_reasons.deflated_sharpe),
    'Probability of overfitting': showMetric('pbo', r.overfitting.pbo?.pbo, r.overfitting.null_reasons.pbo),
    'Profitable folds': NA_WF,
    'Degradation ratio': NA_WF,
  };
}

/** A swept parameter's value as text: floats to 4 significant digits, lists and text as JSON. */
export function showParam(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  return JSON.stringify(v ?? null);
}

/**
 * An experiment's warnings with the same message from several children said once:
 * "Fold 3: X", "Fold 5: X" → "Folds 3, 5: X". Other warnings stay as they are, in order.
 */
export function groupWarnings(warnings: readonly string[]): string[] {
  const groups = new Map<string, { kind: string; ids: number[] }>();
  const out: (string | { key: string })[] = [];
  for (const w of warnings) {
    const m = /^(Fold|Trial) (\d+): (.*)$/s.exec(w);
    if (!m) {
      out.push(w);
      continue;
    }
    const key = `${m[1]}|${m[3]}`;
    const g = groups.get(key);
    if (g) g.ids.push(Number(m[2]));
    else {
      groups.set(key, { kind: m[1], ids: [Number(m[2])] });
      out.push({ key });
    }
  }
  return out.map((x) => {
    if (typeof x === 'string') return x;
    const g = groups.get(x.key)!;
    const message = x.key.slice(x.key.indexOf('|') + 1);
    const ids = [...g.ids].sort((a, b) => a - b);
    return `${g.kind}${ids.length > 1 ? 's' : ''} ${ids.join(', ')}: ${message}`;
  });
}
