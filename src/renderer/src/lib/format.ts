// Number and date formatting shared by tables and charts.
import { formatMetric } from '../../../shared/metrics-catalog';

export function fmtNumber(v: unknown, digits = 2): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v === null || v === undefined ? '—' : String(v);
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** KTRDR sends ratios as fractions (0.0123 = 1.23 %). */
export function fmtPct(v: unknown, digits = 2): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(digits)}%`;
}

export function fmtInt(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return Math.round(v).toLocaleString('en-US');
}

/** "2024-01-02 13:45" in UTC (the API's timezone), or the date only at midnight. */
export function fmtTime(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const d = new Date(typeof v === 'number' ? v * 1000 : v);
  if (Number.isNaN(d.getTime())) return String(v);
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Parses an API timestamp (with or without Z: the API is UTC) into unix seconds; NaN when unparsable. */
export function toUnixSeconds(v: string | number): number {
  if (typeof v === 'number') return v > 1e11 ? v / 1000 : v;
  const s = /[zZ]|[+-]\d\d:?\d\d$/.test(v) || v.length <= 10 ? v : `${v}Z`;
  return Date.parse(s) / 1000;
}

/** Money amounts: 2 decimals with thousands separators ("-8,406.57"); no symbol (KTRDR has no account currency). */
export function fmtMoney(v: unknown): string {
  return fmtNumber(v, 2);
}

export type MetricKind = 'pct' | 'money' | 'ratio' | 'count' | 'hours' | 'plain';

// KTRDR's result keys by meaning (reference: backtest PerformanceMetrics, training test_metrics).
// Fractions: 0.0841 means 8.41 %. Money: account units. Ratios: unitless, 2 decimals.
const PCT_KEYS = new Set(['total_return_pct', 'annualized_return', 'volatility', 'max_drawdown_pct', 'win_rate', 'exposure']);
const MONEY_KEYS = new Set(['total_return', 'max_drawdown', 'avg_win', 'avg_loss', 'largest_win', 'largest_loss', 'final_equity', 'initial_capital', 'final_value', 'total_pnl', 'net_pnl', 'total_commission', 'total_slippage', 'total_spread_cost', 'gross_pnl', 'spread_cost', 'slippage_cost']);
const RATIO_KEYS = new Set(['sharpe_ratio', 'sortino_ratio', 'calmar_ratio', 'profit_factor', 'recovery_factor']);
const COUNT_KEYS = new Set(['total_trades', 'winning_trades', 'losing_trades', 'bars', 'bars_per_year', 'epochs', 'iterations']);
const HOUR_KEYS = new Set(['avg_holding_period', 'avg_holding_period_hours', 'avg_win_holding_period', 'avg_loss_holding_period']);
/** Classification scores (accuracy, precision, recall, f1…) are fractions too. */
const SCORE_KEY = /(accuracy|precision|recall|f1)/;

/** How a metric is shown, from its key (a dotted path's last part counts: "benchmark.total_return"). */
export function metricKind(key: string): MetricKind {
  const k = key.slice(key.lastIndexOf('.') + 1);
  if (PCT_KEYS.has(k) || SCORE_KEY.test(k)) return 'pct';
  if (MONEY_KEYS.has(k)) return 'money';
  if (RATIO_KEYS.has(k) || /_ratio$/.test(k)) return 'ratio';
  if (COUNT_KEYS.has(k) || /(_count|_trades)$/.test(k)) return 'count';
  if (HOUR_KEYS.has(k)) return 'hours';
  return 'plain';
}

/** The metric catalogue's formatter (src/shared/metrics-catalog.ts): one place for units and currency. */
export function fmtMetric(key: string, v: unknown, currency?: string | null): string {
  return formatMetric(key, v, { currency });
}

/** Nested result objects one level deep as dotted keys ("benchmark.total_return"), for flat tables. */
export function flattenMetrics(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

/**
 * A compact operation id for narrow tables: "op_dummy_20261121_114444_1c7dd06a" → "…1c7dd06a"
 * (the random suffix tells rows apart; type and time have columns and the detail pane of their own).
 */
export function shortOpId(id: string): string {
  const m = /_([0-9a-f]{6,})$/i.exec(id);
  return m && m[1].length < id.length - 1 ? `…${m[1]}` : id;
}
