// CSV → bars: a hand-written single pass over the string (no CSV library, no per-row objects).
import { lastTimestamp, parseNumber, parseTimeOfDay, parseTimestamp } from './parse-fields';
import { BarBuilder, ohlcProblem, sortAndDedupe } from './series';
import { isoUtc, makeZoneConverter } from './time';
import { isPlausibleTime, PLAUSIBLE_RANGE_TEXT } from './user-date';
import type { BarSeries } from './types';

export interface CsvParseOptions {
  symbol: string;
  timeframe: string;
  /** IANA zone for timestamps written without a zone (default UTC), e.g. `America/New_York`. */
  timezone?: string;
  /** How many rejected rows to list (all are counted). */
  maxRejectedListed?: number;
  /**
   * Quote file text (header, bad timestamps) in messages. False for files named by a path on the
   * server: an error must never read a file back to the caller (issue #17.3).
   */
  echoContent?: boolean;
}

export interface RejectedRow {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

export interface CsvParseResult {
  bars: BarSeries;
  /** Data rows read (blank lines and the header excluded). */
  rows: number;
  /** Rows dropped because an earlier or later row had the same timestamp (the last one is kept). */
  duplicates: number;
  /** The first repeated timestamps (UTC ms), so that the import can say which. */
  duplicateTimes: number[];
  rejected: RejectedRow[];
  rejectedCount: number;
  /** Column names found, or null when the file has no header. */
  header: string[] | null;
  /** Whether rows had to be sorted. */
  resorted: boolean;
  /** How the first valid timestamp was written (see describeTimestamp), null when no row was valid. */
  timestampFormat: string | null;
  /** Whether the first valid timestamp carried its own zone (Z or an offset). */
  timestampHasZone: boolean | null;
}

export class CsvFormatError extends Error {}

interface ColumnMap {
  time: number;
  /** A separate time-of-day column (files with `Date,Time,...`), or -1. */
  clock: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const TIME_NAMES = new Set(['timestamp', 'date', 'datetime', 'date_time', 'time', 'gmt time', 'local time', 'index', '', 'unnamed: 0', 'open_time', 'opentime']);
const ALIASES: Record<Exclude<keyof ColumnMap, 'time' | 'clock'>, string[]> = {
  open: ['open', 'o', 'open_price'],
  high: ['high', 'h', 'high_price'],
  low: ['low', 'l', 'low_price'],
  close: ['close', 'c', 'close_price', 'last'],
  volume: ['volume', 'v', 'vol', 'tickvol', 'tick_volume', 'volume_traded'],
};

function clean(name: string): string {
  return name.trim().replace(/^"|"$/g, '').replace(/^<|>$/g, '').trim().toLowerCase();
}

function mapHeader(names: string[], echo: boolean): ColumnMap {
  const lower = names.map(clean);
  const find = (aliases: string[]) => lower.findIndex((n) => aliases.includes(n));
  const map: ColumnMap = {
    time: -1,
    clock: -1,
    open: find(ALIASES.open),
    high: find(ALIASES.high),
    low: find(ALIASES.low),
    close: find(ALIASES.close),
    volume: find(ALIASES.volume),
  };
  const dateIdx = lower.findIndex((n) => n === 'date' || n === 'day');
  const timeIdx = lower.findIndex((n) => n === 'time');
  if (dateIdx >= 0 && timeIdx >= 0) {
    map.time = dateIdx;
    map.clock = timeIdx;
  } else {
    map.time = lower.findIndex((n) => TIME_NAMES.has(n));
  }
  const missing = (['open', 'high', 'low', 'close'] as const).filter((k) => map[k] < 0);
  if (map.time < 0) missing.unshift('timestamp' as never);
  if (missing.length) {
    throw new CsvFormatError(`CSV header ${echo ? `${JSON.stringify(names.join(',').slice(0, 200))} ` : `(${names.length} columns) `}lacks column(s): ${missing.join(', ')} (expected e.g. timestamp,open,high,low,close,volume)`);
  }
  return map;
}

function detectDelimiter(line: string): number {
  const counts = [',', ';', '\t'].map((d) => line.split(d).length - 1);
  if (counts[0] >= 4) return 44;
  if (counts[1] >= 4) return 59;
  if (counts[2] >= 4) return 9;
  return 44;
}

/**
 * Parses OHLCV rows. The header is optional (KTRDR's `timestamp,open,high,low,close,volume`, its
 * pandas variant with an empty first cell, `Date,Open,High,Low,Close,Volume`, `Date,Time,...`);
 * without one the columns are timestamp, open, high, low, close[, volume]. Rows that fail the OHLC
 * checks are rejected with their line number and never returned; the result is sorted and unique.
 */
export function parseBarsCsv(text: string, opts: CsvParseOptions): CsvParseResult {
  const steps = csvSteps(text, opts, Infinity);
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/**
 * parseBarsCsv for a server: the same parse, pausing every `chunkLines` lines so that other
 * requests (and /health) are served between chunks instead of waiting for the whole file.
 */
export async function parseBarsCsvAsync(text: string, opts: CsvParseOptions, chunkLines = 2_000): Promise<CsvParseResult> {
  const steps = csvSteps(text, opts, chunkLines);
  let r = steps.next();
  while (!r.done) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    r = steps.next();
  }
  return r.value;
}

function* csvSteps(text: string, opts: CsvParseOptions, chunkLines: number): Generator<void, CsvParseResult> {
  const maxListed = opts.maxRejectedListed ?? 1000;
  const echo = opts.echoContent ?? true;
  let timestampFormat: string | null = null;
  let fileEpochUnit: EpochUnit | null = null;
  let timestampHasZone: boolean | null = null;
  const toUtc = makeZoneConverter(opts.timezone ?? 'UTC');
  const zoneIsUtc = !opts.timezone || opts.timezone === 'UTC' || opts.timezone === 'Etc/UTC';
  const len = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;

  // First non-blank line: header or data?
  let firstLine = '';
  let firstStart = pos;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    lineNo++;
    firstLine = text.slice(pos, end).replace(/\r$/, '');
    firstStart = pos;
    pos = end + 1;
    if (firstLine.trim() !== '') break;
  }
  const delim = detectDelimiter(firstLine);
  const delimChar = String.fromCharCode(delim);
  const firstFields = firstLine.split(delimChar);
  let header: string[] | null = null;
  let cols: ColumnMap;
  if (firstFields.length > 0 && !Number.isNaN(parseTimestamp(firstFields[0], 0, firstFields[0].length)) && !Number.isNaN(parseNumber(firstFields[1] ?? '', 0, (firstFields[1] ?? '').length))) {
    if (firstFields.length < 5) throw new CsvFormatError(`Line ${lineNo}: expected at least 5 columns (timestamp,open,high,low,close[,volume]), found ${firstFields.length}`);
    cols = { time: 0, clock: -1, open: 1, high: 2, low: 3, close: 4, volume: firstFields.length > 5 ? 5 : -1 };
    pos = firstStart; // the first line is data
    lineNo--;
  } else {
    header = firstFields.map((f) => f.trim());
    cols = mapHeader(firstFields, echo);
  }

  const maxCol = Math.max(cols.time, cols.clock, cols.open, cols.high, cols.low, cols.close, cols.volume);
  const starts = new Int32Array(maxCol + 2);
  const ends = new Int32Array(maxCol + 2);
  const out = new BarBuilder(Math.max(1024, Math.ceil((len - pos) / 40)));
  const rejected: RejectedRow[] = [];
  let rejectedCount = 0;
  let rows = 0;
  const reject = (line: number, reason: string) => {
    rejectedCount++;
    if (rejected.length < maxListed) rejected.push({ line, reason });
  };

  let sinceYield = 0;
  while (pos < len) {
    if (++sinceYield >= chunkLines) {
      sinceYield = 0;
      yield;
    }
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    lineNo++;
    const lineStart = pos;
    pos = end + 1;
    if (lineEnd === lineStart) continue;
    // Split the needed fields.
    let f = 0;
    let p = lineStart;
    while (f <= maxCol) {
      let q = text.indexOf(delimChar, p);
      if (q < 0 || q > lineEnd) q = lineEnd;
      starts[f] = p;
      ends[f] = q;
      f++;
      if (q === lineEnd) break;
      p = q + 1;
    }
    if (f <= maxCol) {
      if (text.slice(lineStart, lineEnd).trim() === '') continue;
      reject(lineNo, `expected ${maxCol + 1} columns, found ${f}`);
      rows++;
      continue;
    }
    rows++;
    let t = parseTimestamp(text, starts[cols.time], ends[cols.time]);
    let naive = lastTimestamp.naive;
    if (cols.clock >= 0 && !Number.isNaN(t)) {
      const tod = parseTimeOfDay(text, starts[cols.clock], ends[cols.clock]);
      t = Number.isNaN(tod.ms) ? NaN : t + tod.ms;
      naive = true;
    }
    if (Number.isNaN(t)) {
      reject(lineNo, echo ? `invalid timestamp '${text.slice(starts[cols.time], ends[cols.time]).slice(0, 40)}'` : 'invalid timestamp');
      continue;
    }
    if (naive && !zoneIsUtc) t = toUtc(t);
    // Epoch numbers: one unit per file, fixed by its first timestamp. A row whose magnitude says
    // another unit (milliseconds in a file of microseconds) is refused, not read in its own unit:
    // a mixed file is a unit mistake, and reading each row by magnitude would hide it.
    const unit = epochUnitOf(text, starts[cols.time], ends[cols.time]);
    if (unit !== null && fileEpochUnit !== null && unit !== fileEpochUnit) {
      reject(lineNo, `epoch timestamp in ${EPOCH_UNIT_NAMES[unit]} where the file's first timestamp is in ${EPOCH_UNIT_NAMES[fileEpochUnit]}`);
      continue;
    }
    if (!isPlausibleTime(t)) {
      reject(lineNo, `timestamp outside ${PLAUSIBLE_RANGE_TEXT}${echo ? ` '${text.slice(starts[cols.time], ends[cols.time]).slice(0, 40)}'` : ''}`);
      continue;
    }
    const o = parseNumber(text, starts[cols.open], ends[cols.open]);
    const h = parseNumber(text, starts[cols.high], ends[cols.high]);
    const l = parseNumber(text, starts[cols.low], ends[cols.low]);
    const c = parseNumber(text, starts[cols.close], ends[cols.close]);
    const v = cols.volume < 0 ? 0 : parseNumber(text, starts[cols.volume], ends[cols.volume]);
    const problem = ohlcProblem(o, h, l, c, v);
    if (problem !== null) {
      reject(lineNo, problem);
      continue;
    }
    if (timestampFormat === null) {
      fileEpochUnit = unit;
      timestampFormat = describeTimestamp(text.slice(starts[cols.time], ends[cols.time]));
      timestampHasZone = !naive;
    }
    out.push(t, o, h, l, c, v);
  }

  const raw = out.finish(opts.symbol, opts.timeframe);
  const { bars, duplicates, duplicateTimes } = sortAndDedupe(raw);
  return { bars, rows, duplicates, duplicateTimes, rejected, rejectedCount, header, resorted: bars !== raw, timestampFormat, timestampHasZone };
}

type EpochUnit = 0 | 1 | 2 | 3;
const EPOCH_UNIT_NAMES = ['seconds', 'milliseconds', 'microseconds', 'nanoseconds'] as const;

/**
 * The unit an epoch field's magnitude implies (as epochToMs reads it: < 1e11 s, < 1e14 ms, < 1e17
 * µs, else ns), from its integer digits; null when the field is not a plain number (or is a yyyymmdd date).
 */
function epochUnitOf(s: string, a: number, b: number): EpochUnit | null {
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 34)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 34)) b--;
  let digits = 0;
  let leading = true;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return null;
    if (leading && c === 48) continue;
    leading = false;
    digits++;
  }
  if (b - a === 8 && digits === 8) return null; // yyyymmdd
  return digits <= 11 ? 0 : digits <= 14 ? 1 : digits <= 17 ? 2 : 3;
}

/** Names the way a timestamp is written: iso8601, date, epoch_s/ms/us/ns, yyyymmdd, dd.mm.yyyy, mm/dd/yyyy. */
export function describeTimestamp(field: string): string {
  const s = field.trim().replace(/^"|"$/g, '');
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    if (/^\d{8}$/.test(s)) return 'yyyymmdd';
    const a = Math.abs(Number(s));
    return a < 1e11 ? 'epoch_s' : a < 1e14 ? 'epoch_ms' : a < 1e17 ? 'epoch_us' : 'epoch_ns';
  }
  if (/^\d{4}[-./]\d{1,2}[-./]\d{1,2}$/.test(s)) return 'date';
  if (/^\d{4}[-./]\d{1,2}[-./]\d{1,2}[T ]/.test(s)) return 'iso8601';
  if (/^\d{1,2}\.\d{1,2}\.\d{4}/.test(s)) return 'dd.mm.yyyy';
  if (/^\d{1,2}\/\d{1,2}\/\d{4}/.test(s)) return 'mm/dd/yyyy';
  return 'other';
}

/** Writes bars as KTRDR CSV (`timestamp,open,high,low,close,volume`, ISO UTC with Z). */
export function barsToCsv(bars: BarSeries): string {
  const parts: string[] = ['timestamp,open,high,low,close,volume\n'];
  for (let i = 0; i < bars.time.length; i++) {
    parts.push(`${isoUtc(bars.time[i])},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}\n`);
  }
  return parts.join('');
}
