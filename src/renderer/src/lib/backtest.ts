// Backtest helpers: live equity from metric records, trade markers, trade sorting and zoom windows.
import type { MetricRecord } from '../../../shared/operations';
import { formatMetric } from '../../../shared/metrics-catalog';
import type { BacktestResult } from '../../../shared/results/backtest';
import { toUnixSeconds } from './format';
import type { Trade } from './shapes';

export interface EquityColumns {
  time: number[];
  equity: number[];
  drawdown: number[];
}

/** Metric records `{bar_index, timestamp, equity, drawdown, trades}` → chart columns (bad records skipped). */
export function equityFromRecords(records: MetricRecord[]): EquityColumns {
  const out: EquityColumns = { time: [], equity: [], drawdown: [] };
  let last = -Infinity;
  for (const r of records) {
    if (typeof r.equity !== 'number' || (typeof r.timestamp !== 'string' && typeof r.timestamp !== 'number')) continue;
    const t = toUnixSeconds(r.timestamp);
    if (!Number.isFinite(t) || t <= last) continue; // x must be strictly ascending for uPlot
    last = t;
    out.time.push(t);
    out.equity.push(r.equity);
    out.drawdown.push(typeof r.drawdown === 'number' ? r.drawdown : 0);
  }
  return out;
}

export type TradeSortKey = 'id' | 'side' | 'entry_time' | 'exit_time' | 'entry_price' | 'exit_price' | 'quantity' | 'pnl' | 'pnl_percent';

export function sortTrades(trades: Trade[], key: TradeSortKey, dir: 1 | -1): Trade[] {
  const val = (t: Trade): number | string => {
    const v = t[key];
    if (key === 'id') return Number(v) || String(v);
    if (key === 'entry_time' || key === 'exit_time') return v ? toUnixSeconds(String(v)) : -Infinity;
    return v === null || v === undefined ? -Infinity : (v as number | string);
  };
  return [...trades].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

/** A window around a trade with some context on both sides (~the trade's length, at least 20 bars). */
export function tradeWindow(t: Trade, barSeconds: number): { min: number; max: number } {
  const a = toUnixSeconds(t.entry_time);
  const b = t.exit_time ? toUnixSeconds(t.exit_time) : a;
  const pad = Math.max((b - a) * 0.5, barSeconds * 20);
  return { min: a - pad, max: b + pad };
}

/** "Trade 3 LONG: entry 1.10230 → exit 1.10810, PnL 56.20 (0.52%), held 14.0 h". */
export function tradeLabel(t: Trade, currency: string | null = null): string {
  const a = toUnixSeconds(t.entry_time);
  const b = t.exit_time ? toUnixSeconds(t.exit_time) : null;
  const held = b !== null && Number.isFinite(b) ? `, held ${formatMetric('avg_holding_period_hours', (b - a) / 3600)}` : '';
  const price = (v: number | null) => (v === null ? '—' : v.toPrecision(6));
  const pnl = t.pnl === null ? '' : `, PnL ${formatMetric('net_pnl', t.pnl, { currency })}${t.pnl_percent === null ? '' : ` (${t.pnl_percent.toFixed(2)}%)`}`;
  return `Trade ${t.id} ${t.side}: entry ${price(t.entry_price)} → exit ${price(t.exit_price)}${pnl}${held}`;
}

export function tradeMarkers(trades: Trade[], currency: string | null = null) {
  const out: { time: number; price: number; kind: 'entry' | 'exit'; side: string; label: string; tradeId: string }[] = [];
  for (const t of trades) {
    const label = tradeLabel(t, currency);
    if (t.entry_price !== null) out.push({ time: toUnixSeconds(t.entry_time), price: t.entry_price, kind: 'entry', side: t.side, label, tradeId: t.id });
    if (t.exit_time && t.exit_price !== null) out.push({ time: toUnixSeconds(t.exit_time), price: t.exit_price, kind: 'exit', side: t.side, label, tradeId: t.id });
  }
  return out;
}

/** The run's own trade count from its (parsed) results, or null while they are on their way. */
export function resultsTradeCount(results: Pick<BacktestResult, 'trade_count'> | null): number | null {
  return results ? results.trade_count : null;
}

/**
 * The trades heading of a result view. `loaded` is the length of the list read from
 * `GET /backtests/{id}/trades` (null while it is on its way or when it failed): until then the
 * results' count stands in, and "…" when neither is known — never a placeholder 0, which next to an
 * equity that moved reads as "money moved without trades". A list whose length differs from the
 * results' count is said, not hidden.
 */
export function tradesHeading(loaded: number | null, results: Pick<BacktestResult, 'trade_count'> | null): { text: string; mismatch: string | null } {
  const expected = resultsTradeCount(results);
  const count = loaded ?? expected;
  const mismatch = loaded !== null && expected !== null && loaded !== expected ? `The trade list has ${loaded} trades but the results count ${expected}` : null;
  return { text: `Trades (${count ?? '…'})`, mismatch };
}
