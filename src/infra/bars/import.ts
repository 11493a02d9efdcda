// CSV text → validated bars → store, with a summary of what happened to every row.
import { parseBarsCsv, type RejectedRow } from '../../core/bars/csv';
import type { BarStore, MergeSummary } from './bar-store';

export interface ImportOptions {
  symbol: string;
  timeframe: string;
  timezone?: string;
  mode: 'merge' | 'replace';
  source?: string;
}

export interface ImportSummary {
  symbol: string;
  timeframe: string;
  mode: 'merge' | 'replace';
  /** Data rows read from the file. */
  rows: number;
  /** Valid, unique bars handed to the store. */
  imported: number;
  /** Rows dropped because another row had the same timestamp (the last one wins). */
  duplicates: number;
  /** Rows rejected (bad timestamp, value or OHLC relation); listed with line numbers in `rejected`. */
  skipped: number;
  rejected: RejectedRow[];
  /** New bars / stored bars overwritten with different values / identical bars. */
  added: number;
  merged: number;
  unchanged: number;
  total_bars: number;
  start: number | null;
  end: number | null;
  source: string;
}

/** Parses and stores a CSV. Nothing is written when no row is valid (a bad file never erases data). */
export function importCsvText(store: BarStore, text: string, opts: ImportOptions): ImportSummary {
  const parsed = parseBarsCsv(text, { symbol: opts.symbol, timeframe: opts.timeframe, timezone: opts.timezone });
  const source = opts.source ?? 'csv';
  let stored: MergeSummary | null = null;
  if (parsed.bars.time.length > 0) stored = store.write(parsed.bars, { mode: opts.mode, source, synthetic: false });
  const info = stored ?? null;
  const existing = info ? null : store.info(opts.symbol, opts.timeframe);
  return {
    symbol: info?.symbol ?? opts.symbol.toUpperCase(),
    timeframe: info?.timeframe ?? opts.timeframe,
    mode: opts.mode,
    rows: parsed.rows,
    imported: parsed.bars.time.length,
    duplicates: parsed.duplicates,
    skipped: parsed.rejectedCount,
    rejected: parsed.rejected,
    added: info?.added ?? 0,
    merged: info?.replaced ?? 0,
    unchanged: info?.unchanged ?? 0,
    total_bars: info?.total ?? existing?.count ?? 0,
    start: info?.start ?? existing?.start ?? null,
    end: info?.end ?? existing?.end ?? null,
    source,
  };
}
