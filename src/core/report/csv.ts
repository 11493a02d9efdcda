// CSV text (RFC 4180): a header row, comma-separated, CRLF line ends; a field holding a comma, quote,
// CR or LF is quoted with inner quotes doubled. A text field starting with = + - @ (formula
// injection in spreadsheets) is prefixed with a single quote; numbers are written as they are.

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

/** Trade rows in a fixed column order (the keys of the trades endpoint's JSON). */
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
  'slippage',
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

export function tradesCsv(trades: readonly Record<string, unknown>[]): string {
  return toCsv(
    TRADE_CSV_COLUMNS,
    trades.map((t) => TRADE_CSV_COLUMNS.map((c) => t[c] as CsvValue)),
  );
}

export function equityCsv(doc: { time: readonly number[]; values: readonly number[]; drawdowns: readonly number[]; position?: readonly number[] }): string {
  const rows: CsvValue[][] = [];
  for (let i = 0; i < doc.time.length; i++) rows.push([new Date(doc.time[i]).toISOString(), doc.values[i], doc.drawdowns[i], doc.position?.[i] ?? null]);
  return toCsv(['timestamp', 'equity', 'drawdown', 'position'], rows);
}
