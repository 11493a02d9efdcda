// The one KTRDR adapter: the contract's honest nulls turned into the conventions KTRDR's own clients
// expect, applied only on the KTRDR-compatible routes and only when the client did not ask for the
// contract (`?form=contract`). Never stored, never used by a workstation reader.
//
// The rule (docs/architecture.md, "Two forms of a result"):
//   Routes: GET /operations/{id}/results (`results`), GET /operations/{id} (`data.result_summary`),
//   GET /trainings/{id}/performance. KTRDR's clients read result numbers from these three and format
//   them (`:.2%`, `:.2f`), which fails on null.
//   Backtest metrics (KTRDR's PerformanceMetrics keys): an undefined ratio is 0; an unbounded profit
//   factor (no losing trade, at least one winner) is 999999 (KTRDR's sanitize_float_for_json);
//   `avg_holding_period` (hours) is added beside avg_holding_period_hours. `null_reasons` stays, so
//   the information is not lost. Fields KTRDR does not have (significance, benchmark…) are unchanged.
//   A portfolio backtest (a `backtesting` operation too) gets the same treatment of its `metrics`.
//   Training performance: a metric that is null is left out (KTRDR prints the keys it gets).
import type { BacktestMetrics, BacktestResult } from './backtest';
import { parseOperationResult } from './index';
import type { PortfolioResult } from './portfolio';

export const KTRDR_UNBOUNDED = 999_999;

/** KTRDR's PerformanceMetrics.to_dict() keys (ktrdr/backtesting/performance.py): numbers, never null. */
export const KTRDR_METRIC_KEYS = [
  'total_return',
  'total_return_pct',
  'annualized_return',
  'volatility',
  'sharpe_ratio',
  'max_drawdown',
  'max_drawdown_pct',
  'total_trades',
  'winning_trades',
  'losing_trades',
  'win_rate',
  'profit_factor',
  'avg_holding_period',
  'avg_win_holding_period',
  'avg_loss_holding_period',
  'avg_win',
  'avg_loss',
  'largest_win',
  'largest_loss',
  'calmar_ratio',
  'sortino_ratio',
  'recovery_factor',
] as const;

/** Backtest metrics with KTRDR's placeholders (0 for undefined, 999999 for an unbounded profit factor). */
export function ktrdrBacktestMetrics(m: BacktestMetrics): Record<string, unknown> {
  const out: Record<string, unknown> = { ...m, avg_holding_period: m.avg_holding_period_hours };
  for (const k of KTRDR_METRIC_KEYS) {
    if (out[k] !== null && out[k] !== undefined) continue;
    out[k] = k === 'profit_factor' && m.winning_trades > 0 && m.losing_trades === 0 ? KTRDR_UNBOUNDED : 0;
  }
  return out;
}

export function ktrdrBacktestResult(r: BacktestResult | PortfolioResult): Record<string, unknown> {
  return { ...r, metrics: ktrdrBacktestMetrics(r.metrics) };
}

/**
 * A flat object with only what KTRDR's training performance table can format (`:.4f`): finite numbers,
 * booleans and strings. Null metrics are left out, never sent as null; so are nested objects and
 * arrays (the confusion matrix, the null_reasons), NaN and ±Infinity.
 */
export function ktrdrPerformanceFields(o: Record<string, unknown>): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' || typeof v === 'boolean') out[k] = v as number | string | boolean;
  }
  return out;
}

/**
 * The stored result of an operation of `type` in the form a client asked for: the contract (parsed,
 * older versions upgraded) or KTRDR's. Types without a contract pass through unchanged.
 */
export function resultInForm(type: string, raw: unknown, form: 'ktrdr' | 'contract'): unknown {
  const typed = parseOperationResult(type, raw);
  if (!typed) return raw;
  if (form === 'contract') return typed.result;
  return typed.type === 'backtesting' || typed.type === 'portfolio' ? ktrdrBacktestResult(typed.result) : typed.result;
}
