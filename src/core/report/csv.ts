// CSV text (RFC 4180): a header row, comma-separated, CRLF line ends; a field holding a comma, quote,
// CR or LF is quoted with inner quotes doubled. A text field starting with = + - @ (formula
// injection in spreadsheets) is prefixed with a single quote; numbers are written as they are.

import { grossBeforeCosts, type BacktestTrade } from '../../shared/results/backtest';
import type { ResultSection } from '../../shared/results/present';

export type CsvValue = string | number | boolean | null | undefined;

function field(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [columns.map(field).join(',')];
  for (const r of rows) lines.push(r.map(field).join(','));
  return lines.join('\r\n') + '\r\n';
}

/**
 * Trade rows in a fixed column order. The money columns are those of results.costs, per trade, so
 * each column sums to its results.costs field and each row reads gross − commission − spread −
 * slippage = net (gross_pnl here is before every cost; the trades JSON's own gross_pnl is at the fill
 * prices, KTRDR's meaning, and equals gross_pnl − spread_cost − slippage_cost).
 */
export const TRADE_CSV_COLUMNS = [
  'trade_id',
  'symbol',
  'side',
  'entry_time',
  'exit_time',
  'entry_bar',
  'exit_bar',
  'entry_price',
  'exit_price',
  'quantity',
  'gross_pnl',
  'commission',
  'spread_cost',
  'slippage_cost',
  'net_pnl',
  'pnl_percent',
  'holding_period_bars',
  'holding_period_hours',
  'max_favorable_excursion',
  'max_adverse_excursion',
  'entry_confidence',
  'exit_confidence',
  'exit_reason',
] as const;

export function tradesCsv(trades: readonly BacktestTrade[]): string {
  return toCsv(
    TRADE_CSV_COLUMNS,
    trades.map((t) => {
      const row: Record<string, unknown> = { ...t, gross_pnl: grossBeforeCosts(t), slippage_cost: t.slippage };
      return TRADE_CSV_COLUMNS.map((c) => row[c] as CsvValue);
    }),
  );
}

/**
 * The report's numbers as CSV: one row per shown value (section, column, metric key, label, the value
 * at full precision as stored in the JSON, the text the report prints, unit, currency, and the
 * reason when the value is undefined).
 */
export function resultCsv(sections: readonly ResultSection[], currency: string): string {
  const rows: CsvValue[][] = [];
  for (const s of sections)
    for (const r of s.rows)
      r.cells.forEach((c, i) => {
        const v = c.value;
        const value: CsvValue = Array.isArray(v) ? v.join(' ') : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : null;
        rows.push([s.id, s.columns[i] ?? '', r.key, r.label, value, c.text, r.unit, r.unit === 'currency' ? currency : '', c.reason ?? '']);
      });
  return toCsv(['section', 'column', 'key', 'label', 'value', 'text', 'unit', 'currency', 'null_reason'], rows);
}

export function equityCsv(doc: { time: readonly number[]; values: readonly number[]; drawdowns: readonly number[]; position?: readonly number[] }): string {
  const rows: CsvValue[][] = [];
  for (let i = 0; i < doc.time.length; i++) rows.push([new Date(doc.time[i]).toISOString(), doc.values[i], doc.drawdowns[i], doc.position?.[i] ?? null]);
  return toCsv(['timestamp', 'equity', 'drawdown', 'position'], rows);
}
