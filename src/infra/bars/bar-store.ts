// Bars on disk under <KTRDR_HOME>/data/<SYMBOL>/<tf>.bars, one columnar file per (symbol, timeframe).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { bucketStart, canResample, resampleBars } from '../../core/bars/resample';
import { barsInRange, isStrictlyAscending, mergeBars, rangeIndices, type TimeRange } from '../../core/bars/series';
import { normalizeSymbol, normalizeTimeframe } from '../../core/bars/symbols';
import type { BarSeries } from '../../core/bars/types';
import { timeframeMs } from '../../core/timeframes';
import { isPlausibleTime } from '../../core/bars/user-date';
import { TEMP_MARKER, withFileLock, withFileLockAsync, writeFileAtomic, writeFileAtomicAsync } from './atomic';
import { decodeBarFile, encodeBarFile, readBarRange, readHeader, readTimeColumn, type BarFileHeader } from './bar-file';

const EXT = '.bars';

export interface SeriesInfo {
  symbol: string;
  timeframe: string;
  /** UTC ms of the first/last bar, null when empty. */
  start: number | null;
  end: number | null;
  count: number;
  source: string;
  synthetic: boolean;
  updated_at: string;
}

export interface WriteOptions {
  mode: 'replace' | 'merge';
  /** Who produced the bars (csv, sample, synthetic, dukascopy, ib, ...). */
  source: string;
  /** Defaults to the series' own meta.synthetic, else false. */
  synthetic?: boolean;
}

export interface MergeSummary {
  symbol: string;
  timeframe: string;
  mode: 'replace' | 'merge';
  /** Bars given. */
  incoming: number;
  /** New timestamps stored. */
  added: number;
  /** Stored bars overwritten with different values. */
  replaced: number;
  /** Incoming bars equal to what was stored. */
  unchanged: number;
  /** Bars stored after the write. */
  total: number;
  start: number | null;
  end: number | null;
  source: string;
  synthetic: boolean;
}

export interface LoadResult {
  bars: BarSeries;
  /** The stored timeframe the bars were read from. */
  sourceTimeframe: string;
  resampled: boolean;
}

export class InvalidSeriesNameError extends Error {}
export class SeriesNotFoundError extends Error {}
/** A stored file that cannot be served (unreadable, or bars outside 1900–2200): delete or re-import it. */
export class CorruptSeriesError extends Error {}

/** A header whose times are not plausible bar times (written before imports were range-checked). */
function checkHeader(h: BarFileHeader, path: string): BarFileHeader {
  if ((h.start !== null && !isPlausibleTime(h.start)) || (h.end !== null && !isPlausibleTime(h.end))) {
    throw new CorruptSeriesError(`Stored series ${h.symbol} ${h.timeframe} has bars outside 1900–2200 (${path.split(/[\\/]/).slice(-2).join('/')}); delete it (DELETE /data/${h.symbol}/${h.timeframe}) and import it again`);
  }
  return h;
}

/** Combines provenance labels: "csv" + "dukascopy" → "csv,dukascopy" (deduplicated, order kept). */
function combineSources(a: string, b: string): string {
  return [...new Set([...a.split(','), ...b.split(',')].filter(Boolean))].join(',');
}

export class BarStore {
  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = resolve(dataDir);
  }

  /** Validated (symbol, timeframe) and the file path; never outside the data dir. */
  private locate(symbol: string, timeframe: string): { symbol: string; timeframe: string; path: string; dir: string } {
    const s = normalizeSymbol(symbol);
    const tf = normalizeTimeframe(timeframe);
    if (!s) throw new InvalidSeriesNameError(`Invalid symbol '${symbol}': use letters, digits, '.', '_' or '-'`);
    if (!tf) throw new InvalidSeriesNameError(`Invalid timeframe '${timeframe}': use e.g. 1m, 5m, 1h, 4h, 1d, 1w`);
    const dir = join(this.dataDir, s);
    const path = join(dir, `${tf}${EXT}`);
    if (!path.startsWith(this.dataDir + sep)) throw new InvalidSeriesNameError(`Invalid symbol '${symbol}'`);
    return { symbol: s, timeframe: tf, path, dir };
  }

  list(): SeriesInfo[] {
    if (!existsSync(this.dataDir)) return [];
    const out: SeriesInfo[] = [];
    for (const sym of readdirSync(this.dataDir).sort()) {
      if (!normalizeSymbol(sym) || sym !== sym.toUpperCase()) continue;
      const dir = join(this.dataDir, sym);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir).sort()) {
        if (!f.endsWith(EXT) || f.includes(TEMP_MARKER)) continue;
        try {
          out.push(toInfo(checkHeader(readHeader(join(dir, f)), join(dir, f))));
        } catch {
          // An unreadable or implausible file is skipped in listings; reading it directly reports the problem.
        }
      }
    }
    return out.sort((a, b) => a.symbol.localeCompare(b.symbol) || (timeframeMs(a.timeframe) ?? 0) - (timeframeMs(b.timeframe) ?? 0));
  }

  has(symbol: string, timeframe: string): boolean {
    return existsSync(this.locate(symbol, timeframe).path);
  }

  info(symbol: string, timeframe: string): SeriesInfo | null {
    const { path } = this.locate(symbol, timeframe);
    return existsSync(path) ? toInfo(this.header(path)) : null;
  }

  /** A file's header, checked; any failure to read it is a CorruptSeriesError. */
  private header(path: string): BarFileHeader {
    let h: BarFileHeader;
    try {
      h = readHeader(path);
    } catch (err) {
      throw new CorruptSeriesError(`Stored file ${path.split(/[\\/]/).slice(-2).join('/')} is unreadable (${(err as Error).message}); delete it and load the series again`);
    }
    return checkHeader(h, path);
  }

  /** Stored bars with start ≤ time ≤ end. A range reads the time column, then only the bars it needs. */
  read(symbol: string, timeframe: string, range: TimeRange = {}): BarSeries {
    const loc = this.locate(symbol, timeframe);
    if (!existsSync(loc.path)) throw new SeriesNotFoundError(`No data stored for ${loc.symbol} ${loc.timeframe}`);
    const header = this.header(loc.path);
    if (range.start === undefined && range.end === undefined) return decodeBarFile(readFileSync(loc.path), loc.path).bars;
    const [from, to] = rangeIndices(readTimeColumn(loc.path, header), range);
    return readBarRange(loc.path, header, from, to);
  }

  /**
   * Stores bars. `merge` keeps what is stored and adds/overwrites by timestamp; `replace` swaps
   * the whole series. Either way the file is replaced atomically under a lock, so a crash or a
   * concurrent writer never leaves a half-written or mixed file.
   */
  write(series: BarSeries, opts: WriteOptions): MergeSummary {
    const { lockPath, path, build } = this.prepareWrite(series, opts);
    return withFileLock(lockPath, () => {
      const { data, summary } = build(existsSync(path) ? readFileSync(path) : null);
      writeFileAtomic(path, data);
      return summary;
    });
  }

  /** write() for the server: waits for the lock, reads and writes the file without blocking the event loop. */
  writeAsync(series: BarSeries, opts: WriteOptions): Promise<MergeSummary> {
    const { lockPath, path, build } = this.prepareWrite(series, opts);
    return withFileLockAsync(
      lockPath,
      async () => {
        const stored = opts.mode === 'merge' ? await readFile(path).catch(() => null) : null;
        const { data, summary } = build(stored);
        await writeFileAtomicAsync(path, data);
        return summary;
      },
      5_000,
    );
  }

  /** Checks the bars and returns how to build the new file from the stored one (merge) or alone. */
  private prepareWrite(series: BarSeries, opts: WriteOptions): { lockPath: string; path: string; build: (stored: Buffer | null) => { data: Uint8Array; summary: MergeSummary } } {
    const loc = this.locate(series.symbol, series.timeframe);
    if (!isStrictlyAscending(series.time)) throw new Error('Bars must be sorted by time without duplicates before they are stored');
    const n0 = series.time.length;
    // The store's own guard: bars outside 1900–2200 would make the series unservable.
    if (n0 && (!isPlausibleTime(series.time[0]) || !isPlausibleTime(series.time[n0 - 1]))) throw new Error('Bars outside 1900–2200 are never stored');
    mkdirSync(loc.dir, { recursive: true });
    const incomingSynthetic = opts.synthetic ?? series.meta?.synthetic ?? false;
    const incoming: BarSeries = { ...series, symbol: loc.symbol, timeframe: loc.timeframe };
    const build = (storedBuf: Buffer | null) => {
      let result = { bars: incoming, added: incoming.time.length, replaced: 0, unchanged: 0 };
      let source = opts.source;
      let synthetic = incomingSynthetic;
      if (opts.mode === 'merge' && storedBuf) {
        let stored;
        try {
          stored = decodeBarFile(storedBuf, loc.path);
          checkHeader(stored.header, loc.path);
        } catch {
          stored = null; // an unservable file is replaced, never merged into
        }
        if (stored) {
          result = mergeBars(stored.bars, incoming);
          source = combineSources(stored.header.source, opts.source);
          synthetic = stored.header.synthetic || incomingSynthetic;
        }
      }
      const bars = result.bars;
      const data = encodeBarFile({ ...bars, symbol: loc.symbol, timeframe: loc.timeframe }, { source, synthetic });
      const n = bars.time.length;
      const summary: MergeSummary = {
        symbol: loc.symbol,
        timeframe: loc.timeframe,
        mode: opts.mode,
        incoming: incoming.time.length,
        added: result.added,
        replaced: result.replaced,
        unchanged: result.unchanged,
        total: n,
        start: n ? bars.time[0] : null,
        end: n ? bars.time[n - 1] : null,
        source,
        synthetic,
      };
      return { data, summary };
    };
    return { lockPath: `${loc.path}.lock`, path: loc.path, build };
  }

  remove(symbol: string, timeframe: string): boolean {
    const { path } = this.locate(symbol, timeframe);
    if (!existsSync(path)) return false;
    rmSync(path);
    return true;
  }

  /**
   * Bars for (symbol, timeframe): stored ones, or else resampled from the coarsest stored finer
   * timeframe that divides it (e.g. 4h from 1h rather than from 1m). Throws SeriesNotFoundError.
   */
  load(symbol: string, timeframe: string, range: TimeRange = {}): LoadResult {
    const loc = this.locate(symbol, timeframe);
    if (existsSync(loc.path)) return { bars: this.read(loc.symbol, loc.timeframe, range), sourceTimeframe: loc.timeframe, resampled: false };
    const source = this.resampleSource(loc.symbol, loc.timeframe);
    if (!source) throw new SeriesNotFoundError(`No data stored for ${loc.symbol} ${loc.timeframe} (nor a finer timeframe to resample from)`);
    const tfMs = timeframeMs(loc.timeframe)!;
    // Read from the start of the first bucket so it is complete; the range then applies to bucket labels.
    const srcRange: TimeRange = {
      start: range.start === undefined ? undefined : bucketStart(range.start, tfMs),
      end: range.end === undefined ? undefined : bucketStart(range.end, tfMs) + tfMs - 1,
    };
    const src = this.read(loc.symbol, source, srcRange);
    const out = barsInRange(resampleBars(src, loc.timeframe), range);
    return { bars: { ...out, meta: src.meta }, sourceTimeframe: source, resampled: true };
  }

  /** The stored timeframe `load` would resample from, or null. */
  resampleSource(symbol: string, timeframe: string): string | null {
    const loc = this.locate(symbol, timeframe);
    if (!existsSync(loc.dir)) return null;
    let best: string | null = null;
    for (const f of readdirSync(loc.dir)) {
      if (!f.endsWith(EXT) || f.includes(TEMP_MARKER)) continue;
      const tf = f.slice(0, -EXT.length);
      if (canResample(tf, loc.timeframe) && (best === null || timeframeMs(tf)! > timeframeMs(best)!)) best = tf;
    }
    return best;
  }
}

function toInfo(h: BarFileHeader): SeriesInfo {
  return { symbol: h.symbol, timeframe: h.timeframe, start: h.start, end: h.end, count: h.count, source: h.source, synthetic: h.synthetic, updated_at: h.updated_at };
}
