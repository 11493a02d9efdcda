// CSV text → validated bars → store, with a summary of what happened to every row.
// Everything is checked before anything is written (issue #17.2, #15.5): rejected rows refuse the
// whole import unless the caller keeps the valid rows; timestamps that contradict the timeframe refuse it.
import { parseBarsCsv, parseBarsCsvAsync, type CsvParseResult, type RejectedRow } from '../../core/bars/csv';
import { formatSpacing, inferTimeframe, type TimeframeEvidence } from '../../core/bars/infer-timeframe';
import { isoUtc } from '../../core/bars/time';
import type { BarStore, MergeSummary } from './bar-store';

export interface ImportOptions {
  symbol: string;
  timeframe: string;
  timezone?: string;
  mode: 'merge' | 'replace';
  source?: string;
  /** Store the valid rows even when others were rejected (default false: nothing is stored). */
  keepValidRows?: boolean;
  /** Refuse when the timestamps' spacing names another timeframe (default true). */
  checkTimeframe?: boolean;
  /** Quote file text in messages (false for server-side paths). */
  echoContent?: boolean;
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
  inferred_timeframe: string | null;
  /** The repeated timestamps (first few, ISO), and what was done about them; null when none. */
  duplicate_timestamps: string[];
  duplicates_note: string | null;
}

/** The import was refused before anything was stored; `extra` goes into the 400 answer. */
export class ImportRefusedError extends Error {
  constructor(
    message: string,
    readonly extra: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface PreparedImport {
  parsed: CsvParseResult;
  evidence: TimeframeEvidence;
}

/** Parses and checks; throws CsvFormatError or ImportRefusedError. Writes nothing. */
export function prepareImport(text: string, opts: ImportOptions): PreparedImport {
  return checkImport(parseBarsCsv(text, { symbol: opts.symbol, timeframe: opts.timeframe, timezone: opts.timezone, echoContent: opts.echoContent }), opts);
}

/** Runs prepareImport elsewhere (the server's parse threads, infra/threads/parse-pool.ts). */
export interface ImportPreparer {
  prepareImport(text: string, opts: ImportOptions): Promise<PreparedImport>;
}

/**
 * prepareImport for the server: on a parse thread when one is given (nothing of the parse runs on
 * the event loop); otherwise here, the parse yielding to the event loop between chunks of lines.
 */
export async function prepareImportAsync(text: string, opts: ImportOptions, preparer?: ImportPreparer): Promise<PreparedImport> {
  if (preparer) return preparer.prepareImport(text, opts);
  return checkImport(await parseBarsCsvAsync(text, { symbol: opts.symbol, timeframe: opts.timeframe, timezone: opts.timezone, echoContent: opts.echoContent }), opts);
}

/** One reason an import was refused, in words a person can act on (no request field names). */
export interface ImportProblem {
  kind: 'rejected_rows' | 'timeframe';
  message: string;
}

/**
 * Everything that would refuse the import, found at once (issue 27: fixing one refusal used to reveal
 * the next, and each retry forgot the previous choice): rejected rows (unless the valid ones are
 * kept) and timestamps that say another timeframe. `detail` adds how to retry through the API.
 */
function checkImport(parsed: CsvParseResult, opts: ImportOptions): PreparedImport {
  const evidence = inferTimeframe(parsed.bars.time);
  const n = parsed.bars.time.length;
  if (n === 0) {
    const first = parsed.rejected.slice(0, 5).map((r) => `line ${r.line}: ${r.reason}`).join('; ');
    throw new ImportRefusedError(`No valid rows to import${first ? ` (${first})` : ' (the file has no data rows)'}`, {
      rejected: parsed.rejected,
      skipped: parsed.rejectedCount,
      rows: parsed.rows,
      problems: [{ kind: 'rejected_rows', message: `None of the ${parsed.rows} rows is valid.` }],
    });
  }
  const problems: ImportProblem[] = [];
  const hints: string[] = [];
  const extra: Record<string, unknown> = {};
  if (parsed.rejectedCount > 0 && !opts.keepValidRows) {
    const first = parsed.rejected.slice(0, 3).map((r) => `line ${r.line}: ${r.reason}`).join('; ');
    problems.push({ kind: 'rejected_rows', message: `${parsed.rejectedCount} of ${parsed.rows} rows were rejected (${first}${parsed.rejectedCount > 3 ? '; …' : ''}).` });
    hints.push(`keep_valid_rows to store the ${n} valid rows`);
    Object.assign(extra, { rejected: parsed.rejected, skipped: parsed.rejectedCount, rows: parsed.rows, valid_count: n });
  }
  if (opts.checkTimeframe !== false && evidence.timeframe !== null && evidence.timeframe !== opts.timeframe) {
    problems.push({
      kind: 'timeframe',
      message:
        `The timestamps are ${evidence.timeframe} bars, not ${opts.timeframe}: the median spacing of ${evidence.intervals} intervals is ${formatSpacing(evidence.medianMs!)} ` +
        `(${Math.round(evidence.shareAtMedian * 100)}% of them exactly), from ${isoUtc(parsed.bars.time[0])} to ${isoUtc(parsed.bars.time[n - 1])}.`,
    });
    hints.push(`timeframe ${evidence.timeframe}`);
    extra.inferred_timeframe = evidence.timeframe;
  }
  if (problems.length) {
    const detail = `${problems.map((p) => p.message.replace(/\.$/, '')).join('; and ')}; nothing was stored. Fix the file, or import again with ${hints.join(' and ')}.`;
    throw new ImportRefusedError(detail, { ...extra, problems });
  }
  return { parsed, evidence };
}

/** "2 rows repeated a timestamp (2024-01-03 00:00, …): the later row of each was kept", or null. */
export function duplicatesNote(parsed: Pick<CsvParseResult, 'duplicates' | 'duplicateTimes'>): string | null {
  if (!parsed.duplicates) return null;
  const shown = parsed.duplicateTimes.map((t) => isoUtc(t)).join(', ');
  const more = parsed.duplicates > parsed.duplicateTimes.length ? ', …' : '';
  return `${parsed.duplicates} ${parsed.duplicates === 1 ? 'row repeated a timestamp' : 'rows repeated a timestamp'} of another row (${shown}${more}): the later row of each was kept`;
}

function summarize(prep: PreparedImport, opts: ImportOptions, stored: MergeSummary): ImportSummary {
  const { parsed } = prep;
  return {
    symbol: stored.symbol,
    timeframe: stored.timeframe,
    mode: opts.mode,
    rows: parsed.rows,
    imported: parsed.bars.time.length,
    duplicates: parsed.duplicates,
    skipped: parsed.rejectedCount,
    rejected: parsed.rejected,
    added: stored.added,
    merged: stored.replaced,
    unchanged: stored.unchanged,
    total_bars: stored.total,
    start: stored.start,
    end: stored.end,
    source: stored.source,
    inferred_timeframe: prep.evidence.timeframe,
    duplicate_timestamps: parsed.duplicateTimes.map((t) => isoUtc(t)),
    duplicates_note: duplicatesNote(parsed),
  };
}

/** Parses, checks, then stores (synchronous lock: startup and workers). */
export function importCsvText(store: BarStore, text: string, opts: ImportOptions): ImportSummary {
  const prep = prepareImport(text, opts);
  const stored = store.write(prep.parsed.bars, { mode: opts.mode, source: opts.source ?? 'csv', synthetic: false });
  return summarize(prep, opts, stored);
}

/** Same, waiting for the series lock without blocking the event loop (the API server). */
export async function importCsvTextAsync(store: BarStore, text: string, opts: ImportOptions, preparer?: ImportPreparer): Promise<ImportSummary> {
  const prep = await prepareImportAsync(text, opts, preparer);
  const stored = await store.writeAsync(prep.parsed.bars, { mode: opts.mode, source: opts.source ?? 'csv', synthetic: false });
  return summarize(prep, opts, stored);
}
